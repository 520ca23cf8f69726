//! The fixture of the SSH verification tests: keys made by `ssh-keygen`, tags signed by `git tag
//! -s`, and our verdict next to `git verify-tag`'s with the same allowed-signers file. Without
//! `ssh-keygen` or git the tests fail, naming them: CI installs openssh-client.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::verify;
use crate::registry::signature::{SigFormat, SigStatus, split};
use crate::signature::allowed_signers::AllowedSigners;

/// 2026-01-01T00:00:00Z: the date of every tag here.
pub(super) const AT: i64 = 1_767_225_600;

/// A temporary home for keys, a repository, and the commands run in them, hermetic: no agent,
/// no user or system git configuration.
pub(super) struct Lab {
    dir: tempfile::TempDir,
}

impl Lab {
    pub(super) fn new() -> Lab {
        let lab = Lab {
            dir: tempfile::tempdir().unwrap(),
        };
        lab.git(&["init", "-q", "-b", "main", "repo"], lab.path());
        std::fs::write(lab.repo().join("f"), "x").unwrap();
        lab.git(&["add", "f"], &lab.repo());
        lab.git(&["commit", "-q", "-m", "init"], &lab.repo());
        lab
    }

    pub(super) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(super) fn repo(&self) -> PathBuf {
        self.path().join("repo")
    }

    pub(super) fn command(&self, program: &str, args: &[&str], cwd: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .current_dir(cwd)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("LANG", "C")
            .env("TZ", "UTC")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Alice")
            .env("GIT_AUTHOR_EMAIL", "alice@example.com")
            .env("GIT_COMMITTER_NAME", "Alice")
            .env("GIT_COMMITTER_EMAIL", "alice@example.com")
            .env("GIT_AUTHOR_DATE", format!("@{AT} +0000"))
            .env("GIT_COMMITTER_DATE", format!("@{AT} +0000"))
            .stdin(Stdio::null());
        cmd
    }

    pub(super) fn run(&self, program: &str, args: &[&str], cwd: &Path) -> Output {
        self.command(program, args, cwd)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {program} ({e}): these tests need git and OpenSSH's ssh-keygen \
                 (Debian: apt-get install openssh-client)"
                )
            })
    }

    pub(super) fn ok(&self, program: &str, args: &[&str], cwd: &Path) -> Vec<u8> {
        let out = self.run(program, args, cwd);
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    pub(super) fn git(&self, args: &[&str], cwd: &Path) -> Vec<u8> {
        self.ok("git", args, cwd)
    }

    /// A new key pair `name`, `name.pub` of `kind` (`ed25519`, `ecdsa`, `rsa`, `ecdsa-521`); its
    /// public line.
    pub(super) fn key(&self, name: &str, kind: &str) -> String {
        let file = self.file(name);
        // `ecdsa-521`: a type and its size.
        let mut args = vec!["-q", "-N", "", "-C", name, "-f", &file, "-t"];
        match kind.split_once('-') {
            Some((kind, bits)) => args.extend([kind, "-b", bits]),
            None => args.push(kind),
        }
        self.ok("ssh-keygen", &args, self.path());
        std::fs::read_to_string(format!("{file}.pub"))
            .unwrap()
            .trim()
            .to_string()
    }

    pub(super) fn file(&self, name: &str) -> String {
        self.path().join(name).display().to_string()
    }

    /// The SHA256 fingerprint `ssh-keygen -lf` prints for a public key (or certificate) file.
    pub(super) fn fingerprint(&self, file: &str) -> String {
        let out = String::from_utf8(self.ok("ssh-keygen", &["-lf", &self.file(file)], self.path()))
            .unwrap();
        out.split_whitespace().nth(1).unwrap().to_string()
    }

    /// Makes a tag signed with `signing_key` (a key or certificate file name) through git.
    pub(super) fn tag(&self, name: &str, signing_key: &str) {
        let key = self.file(signing_key);
        let args = [
            "-c",
            "gpg.format=ssh",
            "-c",
            &format!("user.signingKey={key}"),
            "tag",
            "-s",
            "-m",
            "a registry event",
            name,
        ];
        self.git(&args, &self.repo());
    }

    /// Writes a tag object made of `object` (payload and signature) as tag `name`.
    pub(super) fn tag_object(&self, name: &str, object: &[u8]) {
        let path = self.path().join("object");
        std::fs::write(&path, object).unwrap();
        let path = path.display().to_string();
        let id = self.git(&["hash-object", "-t", "tag", "-w", &path], &self.repo());
        let id = String::from_utf8(id).unwrap();
        self.git(
            &["update-ref", &format!("refs/tags/{name}"), id.trim()],
            &self.repo(),
        );
    }

    pub(super) fn object(&self, tag: &str) -> Vec<u8> {
        self.git(&["cat-file", "tag", tag], &self.repo())
    }

    /// Signs `payload` with `ssh-keygen -Y sign -n namespace`: the armored block.
    pub(super) fn sign(&self, key: &str, namespace: &str, payload: &[u8]) -> Vec<u8> {
        let path = self.path().join("payload");
        std::fs::write(&path, payload).unwrap();
        // ssh-keygen would not overwrite an earlier signature.
        let _ = std::fs::remove_file(self.path().join("payload.sig"));
        let args = [
            "-Y",
            "sign",
            "-n",
            namespace,
            "-f",
            &self.file(key),
            "payload",
        ];
        self.ok("ssh-keygen", &args, self.path());
        std::fs::read(self.path().join("payload.sig")).unwrap()
    }

    /// Our verdict and git's (`verify-tag` succeeded) on tag `tag` with `allowed` as the file.
    pub(super) fn judge(&self, tag: &str, allowed: &str, claimed: &str) -> (SigStatus, bool) {
        let file = self.path().join("allowed_signers");
        std::fs::write(&file, allowed).unwrap();
        let (signers, errors) = AllowedSigners::parse(allowed);
        assert_eq!(errors, [], "{allowed}");
        let signed = split(&self.object(tag)).expect("a signed tag");
        let ours = verify(&signers, &signed.payload, &signed.signature, claimed, AT);
        let config = format!("gpg.ssh.allowedSignersFile={}", file.display());
        let args = ["-c", "gpg.format=ssh", "-c", &config, "verify-tag", tag];
        let git = self.run("git", &args, &self.repo()).status.success();
        (ours, git)
    }

    /// Asserts our verdict agrees with git's and has the status word `word`; returns it.
    pub(super) fn expect(&self, tag: &str, allowed: &str, claimed: &str, word: &str) -> SigStatus {
        let (ours, git) = self.judge(tag, allowed, claimed);
        assert_eq!(ours.word(), word, "{ours:?}\n{allowed}");
        assert_eq!(
            ours.word() == "good",
            git,
            "git verify-tag disagrees: {ours:?}\n{allowed}"
        );
        ours
    }
}

pub(super) fn good(principal: &str, fingerprint: &str) -> SigStatus {
    SigStatus::Good {
        format: SigFormat::Ssh,
        principal: principal.to_string(),
        fingerprint: fingerprint.to_string(),
    }
}
