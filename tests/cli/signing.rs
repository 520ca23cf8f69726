//! Signing on every write (issue 10, point 1): `--sign`, `--no-sign`, git's `tag.gpgSign` and
//! `sign: true` in `.registry.yaml`; SSH (a key file, an agent-held key), OpenPGP and X.509, each
//! checked by real `git verify-tag`; and failures that leave no tag, here or on the remote.
//!
//! Keys are made here, in the fixture's temporary HOME (gpg's and gpgsm's home is its
//! `.gnupg`); agents started here are killed at the end of their test.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use crate::fixture::{Run, TestRepo};

/// A program run with the fixture's environment; panics on failure, returns stdout.
#[track_caller]
fn sh(repo: &TestRepo, program: &str, args: &[&str], tweak: impl FnOnce(&mut Command)) -> String {
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
fn object(repo: &TestRepo, tag: &str) -> String {
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
fn fails(run: &Run, says: &str) {
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
    // An agent that holds no key refuses: nothing is written, and the error says why.
    sh(&repo, "ssh-add", &["-D"], agent.env());
    let run = repo.run_with(&["promote", "churn", "dev", "--sign"], agent.env());
    fails(
        &run,
        "cannot sign tag 'churn#dev#2': `ssh-keygen -Y sign -n git -f KEY.pub -U`",
    );
    assert!(
        run.stderr.contains("exited with status"),
        "{}",
        run.transcript()
    );
    assert!(run.stderr.contains("hint: "), "{}", run.transcript());
    assert_eq!(repo.git(&["tag", "-l"]), "churn#prod#1\nchurn@v0.0.1");
}

/// An `ssh-agent -D -a SOCK` child, killed when dropped.
struct Agent {
    child: Child,
    socket: PathBuf,
}

impl Agent {
    fn start(repo: &TestRepo) -> Agent {
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
        while !agent.socket.exists() {
            assert!(
                start.elapsed() < crate::fixture::HANG,
                "ssh-agent made no socket"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        agent
    }

    /// Points a command at this agent.
    fn env(&self) -> impl Fn(&mut Command) + '_ {
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

/// gpg's home in the fixture's HOME (so every process finds it); its agent is killed on drop.
struct GnuPg<'a> {
    repo: &'a TestRepo,
}

impl<'a> GnuPg<'a> {
    fn new(repo: &'a TestRepo) -> GnuPg<'a> {
        let home = repo.home().join(".gnupg");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
        GnuPg { repo }
    }

    /// A new OpenPGP key for `uid` (gpg's default algorithm, or `algo` for signing only),
    /// without passphrase: its fingerprint.
    fn key(&self, uid: &str, algo: Option<&str>) -> String {
        let mut batch = vec!["--batch", "--passphrase", "", "--quick-gen-key", uid];
        if let Some(algo) = algo {
            batch.extend([algo, "sign", "never"]);
        }
        sh(self.repo, "gpg", &batch, |_| {});
        sh(
            self.repo,
            "gpg",
            &["--batch", "--with-colons", "--list-secret-keys", uid],
            |_| {},
        )
        .lines()
        .find_map(|l| field(l, "fpr"))
        .expect("a fingerprint")
    }
}

/// Field 10 of a `--with-colons` line of this record type (the fingerprint, the keygrip).
fn field(line: &str, record: &str) -> Option<String> {
    let mut fields = line.split(':');
    (fields.next() == Some(record))
        .then(|| fields.nth(8).map(str::to_string))
        .flatten()
}

impl Drop for GnuPg<'_> {
    fn drop(&mut self) {
        let _ = self
            .repo
            .command(Path::new("gpgconf"), &self.repo.path())
            .args(["--kill", "all"])
            .output();
    }
}

#[test]
fn openpgp_signs_with_the_key_or_the_tagger_and_git_verifies() {
    let repo = TestRepo::new();
    repo.commit("first");
    let gpg = GnuPg::new(&repo);
    // Without user.signingKey, git asks gpg for the committer's own key.
    gpg.key("Ada Tester <ada@example.com>", None);
    repo.run(&["register", "churn", "--sign"]).ok();
    repo.git(&["verify-tag", "churn@v0.0.1"]);
    assert!(object(&repo, "churn@v0.0.1").contains("\n-----BEGIN PGP SIGNATURE-----\n"));
    let other = gpg.key("Release Bot <bot@example.com>", None);
    repo.git(&["config", "user.signingKey", &other]);
    repo.run(&["promote", "churn", "prod", "--sign"]).ok();
    let out = repo
        .command(Path::new("git"), &repo.path())
        .args(["verify-tag", "--raw", "churn#prod#1"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let status = String::from_utf8_lossy(&out.stderr);
    assert!(status.contains(&format!("VALIDSIG {other}")), "{status}");
    // A key gpg does not hold: exit 1, gpg's own words, no tag.
    repo.git(&["config", "user.signingKey", "nobody@example.com"]);
    let run = repo.run(&["promote", "churn", "dev", "--sign"]);
    fails(
        &run,
        "`gpg --status-fd=2 -bsau nobody@example.com` exited with status 2",
    );
    assert!(run.stderr.contains("No secret key"), "{}", run.transcript());
    assert!(
        run.stderr.contains("git config user.signingKey"),
        "{}",
        run.transcript()
    );
    assert_eq!(repo.git(&["tag", "-l", "churn#dev*"]), "");
}

#[test]
fn x509_signs_through_the_configured_program_and_git_verifies() {
    let repo = TestRepo::new();
    repo.commit("first");
    let gpg = GnuPg::new(&repo);
    // gpgsm makes a self-signed certificate from a key gpg made (gpgsm's own key generation
    // wants a passphrase from pinentry); trusted by trustlist.txt, no CRL checks: all offline.
    gpg.key("Ada X509 <ada@example.com>", Some("rsa2048"));
    let grip = sh(
        &repo,
        "gpg",
        &["--with-colons", "--with-keygrip", "-K"],
        |_| {},
    )
    .lines()
    .find_map(|l| field(l, "grp"))
    .unwrap();
    let params = repo.home().join("cert.params");
    std::fs::write(
        &params,
        format!(
            "Key-Type: RSA\nKey-Grip: {grip}\nKey-Usage: sign\nSerial: random\nName-DN: CN=Ada Tester\nName-Email: ada@example.com\n"
        ),
    )
    .unwrap();
    let cert = sh(
        &repo,
        "gpgsm",
        &["--batch", "--armor", "--gen-key", params.to_str().unwrap()],
        |_| {},
    );
    let pem = repo.home().join("cert.pem");
    std::fs::write(&pem, cert).unwrap();
    sh(
        &repo,
        "gpgsm",
        &["--batch", "--import", pem.to_str().unwrap()],
        |_| {},
    );
    let fpr = sh(&repo, "gpgsm", &["--with-colons", "--list-keys"], |_| {})
        .lines()
        .find_map(|l| field(l, "fpr"))
        .unwrap();
    let gnupg = repo.home().join(".gnupg");
    std::fs::write(gnupg.join("trustlist.txt"), format!("{fpr} S relax\n")).unwrap();
    std::fs::write(gnupg.join("gpgsm.conf"), "disable-crl-checks\n").unwrap();
    // gpg.x509.program is the program run: a wrapper that records its arguments.
    let wrapper = repo.home().join("my-gpgsm");
    let argv = repo.home().join("argv");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho \"$@\" > '{}'\nexec gpgsm \"$@\"\n",
            argv.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    repo.git(&["config", "gpg.format", "x509"]);
    repo.git(&["config", "gpg.x509.program", wrapper.to_str().unwrap()]);
    repo.git(&["config", "user.signingKey", &fpr]);
    repo.run(&["register", "churn", "--sign"]).ok();
    assert_eq!(
        std::fs::read_to_string(&argv).unwrap(),
        format!("--status-fd=2 -bsau {fpr}\n")
    );
    assert!(object(&repo, "churn@v0.0.1").contains("\n-----BEGIN SIGNED MESSAGE-----\n"));
    let out = repo
        .command(Path::new("git"), &repo.path())
        .args(["-c", "gpg.x509.program=gpgsm", "verify-tag", "churn@v0.0.1"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && said.contains("Good signature"),
        "{said}"
    );
    drop(gpg);
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
