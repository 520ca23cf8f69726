//! Signing on every write (issue 10, point 1): `--sign`, `--no-sign`, git's `tag.gpgSign` and
//! `sign: true` in `.registry.yaml`; SSH (a key file, an agent-held key), OpenPGP and X.509, each
//! checked by real `git verify-tag`; and failures that leave no tag, here or on the remote.
//!
//! Keys are made here, in the fixture's temporary HOME; agents started here are killed at the
//! end of their test. OpenPGP and X.509 are `signing/gpg.rs`.

mod gpg;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use crate::fixture::{Run, TestRepo};

/// A program run with the fixture's environment; panics on failure, returns stdout.
#[track_caller]
pub(crate) fn sh(
    repo: &TestRepo,
    program: &str,
    args: &[&str],
    tweak: impl FnOnce(&mut Command),
) -> String {
    let mut cmd = repo.command(Path::new(program), &repo.path());
    tweak(&mut cmd);
    let out = cmd.args(args).output().expect("program runs");
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// An ed25519 key without passphrase: (its private key file, its public key's text).
fn ssh_key(repo: &TestRepo, name: &str) -> (PathBuf, String) {
    let file = repo.home().join(name);
    let f = file.to_str().unwrap();
    sh(
        repo,
        "ssh-keygen",
        &["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", f],
        |_| {},
    );
    let public = std::fs::read_to_string(format!("{f}.pub")).unwrap();
    (file, public.trim().to_string())
}

/// The allowed-signers file `git verify-tag` checks SSH signatures against.
fn allowed_signers(repo: &TestRepo, public: &str) -> PathBuf {
    let file = repo.home().join("allowed_signers");
    std::fs::write(&file, format!("ada@example.com {public}\n")).unwrap();
    file
}

/// Real git's verdict: `git verify-tag` passes (it panics otherwise).
#[track_caller]
fn verify_ssh(repo: &TestRepo, dir: &Path, allowed: &Path, tag: &str) {
    let out = repo
        .command(Path::new("git"), dir)
        .args([
            "-c",
            &format!("gpg.ssh.allowedSignersFile={}", allowed.display()),
        ])
        .args(["verify-tag", tag])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git verify-tag {tag}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The raw tag object.
pub(crate) fn object(repo: &TestRepo, tag: &str) -> String {
    repo.git(&["cat-file", "tag", tag])
}

/// A repository with one commit, signing with an SSH key file: (repo, allowed signers file).
fn ssh_repo() -> (TestRepo, PathBuf) {
    let repo = TestRepo::new();
    repo.commit("first");
    let (key, public) = ssh_key(&repo, "id_ed25519");
    repo.git(&["config", "gpg.format", "ssh"]);
    repo.git(&["config", "user.signingKey", key.to_str().unwrap()]);
    let allowed = allowed_signers(&repo, &public);
    (repo, allowed)
}

#[track_caller]
pub(crate) fn fails(run: &Run, says: &str) {
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains(says), "{}", run.transcript());
}

#[test]
fn every_write_signs_with_an_ssh_key_file_and_git_verifies_each_tag() {
    let (repo, allowed) = ssh_repo();
    let second = repo.commit("second");
    let writes: &[&[&str]] = &[
        &["register", "churn", "HEAD~1", "--sign"],
        &["register", "churn", "--sign"],
        &[
            "assign",
            "churn",
            "--stage",
            "prod",
            "--version",
            "v0.0.1",
            "--sign",
        ],
        &["promote", "churn", "prod", "--sign"],
        &["rollback", "churn", "prod", "--sign"],
        &["unassign", "churn", "prod", "--sign"],
        &["deregister", "churn", "v0.0.2", "--sign"],
        &["deprecate", "churn", "--sign"],
    ];
    for args in writes {
        repo.run(args).ok();
    }
    let tags = repo.git(&["tag", "-l"]);
    assert_eq!(tags.lines().count(), writes.len(), "{tags}");
    for tag in tags.lines() {
        verify_ssh(&repo, &repo.path(), &allowed, tag);
        assert!(object(&repo, tag).contains("\n-----BEGIN SSH SIGNATURE-----\n"));
    }
    assert!(object(&repo, "churn@v0.0.2").contains(&format!("object {second}\n")));
    // registry's readers take the signature block off the message.
    for args in [
        &["history", "churn", "--json"][..],
        &["show", "churn", "--json"],
        &["history", "churn"],
    ] {
        let out = repo.run(args).ok().to_string();
        assert!(!out.contains("SIGNATURE"), "{out}");
    }
    let history = repo.run(&["history", "churn", "--json"]).ok().to_string();
    assert!(
        history.contains("Registering artifact churn version v0.0.1"),
        "{history}"
    );
}

#[test]
fn an_agent_held_key_signs_through_a_key_literal() {
    let (repo, allowed) = ssh_repo();
    let (key, public) = ssh_key(&repo, "agent_key");
    std::fs::write(&allowed, format!("ada@example.com {public}\n")).unwrap();
    let agent = Agent::start(&repo);
    sh(
        &repo,
        "ssh-add",
        &["-q", key.to_str().unwrap()],
        agent.env(),
    );
    std::fs::remove_file(&key).unwrap();
    std::fs::remove_file(key.with_extension("pub")).unwrap();
    repo.git(&["config", "user.signingKey", &format!("key::{public}")]);
    repo.run_with(&["register", "churn", "--sign"], agent.env())
        .ok();
    verify_ssh(&repo, &repo.path(), &allowed, "churn@v0.0.1");
    // Without the `key::` prefix a key's text is a literal too, as git reads it.
    repo.git(&["config", "user.signingKey", &public]);
    repo.run_with(&["promote", "churn", "prod", "--sign"], agent.env())
        .ok();
    verify_ssh(&repo, &repo.path(), &allowed, "churn#prod#1");
    // Without user.signingKey, the first key gpg.ssh.defaultKeyCommand prints.
    repo.git(&["config", "--unset", "user.signingKey"]);
    repo.git(&["config", "gpg.ssh.defaultKeyCommand", "ssh-add -L"]);
    repo.run_with(&["promote", "churn", "staging", "--sign"], agent.env())
        .ok();
    verify_ssh(&repo, &repo.path(), &allowed, "churn#staging#2");
    repo.git(&["config", "user.signingKey", &format!("key::{public}")]);
    // An agent that holds no key refuses: nothing is written, and the error says why.
    sh(&repo, "ssh-add", &["-D"], agent.env());
    let run = repo.run_with(&["promote", "churn", "dev", "--sign"], agent.env());
    fails(
        &run,
        "cannot sign tag 'churn#dev#3': `ssh-keygen -Y sign -n git -f KEY.pub -U`",
    );
    assert!(
        run.stderr
            .contains("exited with status 255:\n  Couldn't find key in agent"),
        "{}",
        run.transcript()
    );
    assert!(run.stderr.contains("hint: "), "{}", run.transcript());
    assert_eq!(
        repo.git(&["tag", "-l"]),
        "churn#prod#1\nchurn#staging#2\nchurn@v0.0.1"
    );
}

/// An `ssh-agent -D -a SOCK` child, killed when dropped.
pub(crate) struct Agent {
    child: Child,
    socket: PathBuf,
}

impl Agent {
    pub(crate) fn start(repo: &TestRepo) -> Agent {
        let socket = repo.home().join("agent.sock");
        let child = repo
            .command(Path::new("ssh-agent"), &repo.path())
            .args(["-D", "-a", socket.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("ssh-agent runs");
        let agent = Agent { child, socket };
        let start = std::time::Instant::now();
        // The socket file exists from `bind`, a moment before `listen`: a client in between is
        // refused (seen on a loaded machine), so wait until a connection is taken.
        while std::os::unix::net::UnixStream::connect(&agent.socket).is_err() {
            assert!(
                start.elapsed() < crate::fixture::HANG,
                "ssh-agent made no socket"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        agent
    }

    /// Points a command at this agent.
    pub(crate) fn env(&self) -> impl Fn(&mut Command) + '_ {
        |cmd| {
            cmd.env("SSH_AUTH_SOCK", &self.socket);
        }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn git_config_and_registry_yaml_turn_signing_on_and_no_sign_wins() {
    let (repo, allowed) = ssh_repo();
    let signed = |tag: &str| object(&repo, tag).contains("-----BEGIN SSH SIGNATURE-----");
    repo.run(&["register", "churn"]).ok();
    assert!(!signed("churn@v0.0.1"));
    repo.git(&["config", "tag.gpgSign", "true"]);
    repo.run(&["promote", "churn", "dev"]).ok();
    verify_ssh(&repo, &repo.path(), &allowed, "churn#dev#1");
    repo.run(&["promote", "churn", "qa", "--no-sign"]).ok();
    assert!(!signed("churn#qa#2"));
    repo.git(&["config", "tag.gpgSign", "false"]);
    repo.write(".registry.yaml", "sign: true\n");
    repo.run(&["promote", "churn", "staging"]).ok();
    verify_ssh(&repo, &repo.path(), &allowed, "churn#staging#3");
    let run = repo.run(&["promote", "churn", "prod", "--no-sign", "--dry-run"]);
    assert!(!run.ok().contains("(signed)"), "{}", run.transcript());
    let run = repo.run(&["promote", "churn", "prod", "--dry-run"]);
    assert!(
        run.ok()
            .contains("Would create git tag 'churn#prod#4' (signed) on commit"),
        "{}",
        run.transcript()
    );
    // A dry run signs nothing: with a key that cannot sign it still succeeds.
    repo.git(&["config", "user.signingKey", "/nonexistent/key"]);
    repo.run(&["promote", "churn", "prod", "--dry-run"]).ok();
    let run = repo.run(&["promote", "churn", "prod", "--sign", "--no-sign"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("cannot be used with"),
        "{}",
        run.transcript()
    );
    assert_eq!(repo.git(&["tag", "-l", "churn#prod*"]), "");
}

#[test]
fn failed_signing_writes_no_tag_and_explains() {
    let (repo, _) = ssh_repo();
    repo.git(&["config", "--unset", "user.signingKey"]);
    let run = repo.run(&["register", "churn", "--sign"]);
    fails(
        &run,
        "either user.signingKey or gpg.ssh.defaultKeyCommand needs to be configured",
    );
    repo.git(&["config", "user.signingKey", "~/missing_key"]);
    let run = repo.run(&["register", "churn", "--sign"]);
    fails(&run, "the SSH key file '");
    assert!(
        run.stderr
            .contains("missing_key' (user.signingKey) does not exist")
    );
    repo.git(&["config", "user.signingKey", "~/id_ed25519"]);
    repo.git(&["config", "gpg.ssh.program", "no-such-ssh-keygen"]);
    let run = repo.run(&["register", "churn", "--sign"]);
    fails(
        &run,
        "the signing program `no-such-ssh-keygen` (gpg.ssh.program) is not installed",
    );
    // A program that fails: its exit status and its last lines, escaped.
    let fake = repo.home().join("fake-keygen");
    std::fs::write(
        &fake,
        "#!/bin/sh\nprintf 'noise\\nagent says \\033[31mno\\n' >&2\nexit 3\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    repo.git(&["config", "gpg.ssh.program", fake.to_str().unwrap()]);
    let run = repo.run(&["register", "churn", "--sign"]);
    fails(
        &run,
        "exited with status 3:\n  noise\n  agent says \\x1b[31mno\n",
    );
    // One that succeeds but prints no signature.
    std::fs::write(
        &fake,
        "#!/bin/sh\nfor f; do :; done\necho garbage > \"$f.sig\"\n",
    )
    .unwrap();
    let run = repo.run(&["register", "churn", "--sign"]);
    fails(&run, "printed no ssh signature block");
    assert_eq!(repo.git(&["tag", "-l"]), "");
    assert_eq!(
        repo.git(&["for-each-ref"]),
        repo.git(&["for-each-ref", "refs/heads"])
    );
}

#[test]
fn push_signs_before_anything_reaches_the_remote() {
    let (repo, allowed) = ssh_repo();
    let remote = repo.path().parent().unwrap().join("remote.git");
    sh(
        &repo,
        "git",
        &["init", "-q", "--bare", remote.to_str().unwrap()],
        |_| {},
    );
    repo.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main"]);
    repo.run(&["register", "churn", "--sign", "--push"]).ok();
    verify_ssh(&repo, &remote, &allowed, "churn@v0.0.1");
    verify_ssh(&repo, &repo.path(), &allowed, "churn@v0.0.1");
    // A signature that fails: nothing is pushed, nothing created here.
    repo.git(&["config", "gpg.ssh.program", "no-such-ssh-keygen"]);
    let run = repo.run(&["promote", "churn", "prod", "--sign", "--push"]);
    fails(&run, "cannot sign tag 'churn#prod#1'");
    assert!(
        !run.stdout.contains("Running `git push"),
        "{}",
        run.transcript()
    );
    let remote_tags = repo.git(&["ls-remote", "--tags", "origin"]);
    assert!(!remote_tags.contains("prod"), "{remote_tags}");
    assert_eq!(repo.git(&["tag", "-l"]), "churn@v0.0.1");
}
