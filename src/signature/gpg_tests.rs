//! Tests of `gpg.rs` against the real `gpg` in a temporary GNUPGHOME, with real `git tag -s` to
//! sign and real `git verify-tag` as the oracle; status parsing on hand-written lines.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::*;
use crate::registry::signature::split;

/// A temporary GNUPGHOME, its agent killed when dropped, and a `gpg` wrapper pinned to it (so
/// the program git and `verify` run is just a `gpg.program`, as a user would set one).
pub(super) struct Gnupg {
    dir: tempfile::TempDir,
}

impl Gnupg {
    pub(super) fn new() -> Gnupg {
        let dir = tempfile::Builder::new().prefix("gh").tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        let g = Gnupg { dir };
        g.script("gpg", "gpg", "");
        g
    }

    pub(super) fn home(&self) -> &Path {
        self.dir.path()
    }

    /// A script `NAME` in the home running `program` there with `extra` arguments first.
    pub(super) fn script(&self, name: &str, program: &str, extra: &str) -> PathBuf {
        let path = self.home().join(name);
        let home = self.home().display();
        std::fs::write(
            &path,
            format!("#!/bin/sh\nGNUPGHOME='{home}' exec {program} {extra} \"$@\"\n"),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    pub(super) fn gpg_path(&self) -> PathBuf {
        self.home().join("gpg")
    }

    /// Makes a key with no passphrase; returns its fingerprint.
    fn gen_key(&self, uid: &str, extra: &[&str], expire: &str) -> String {
        let out = Command::new(self.gpg_path())
            .args(["--batch", "--passphrase", ""])
            .args(extra)
            .args(["--quick-gen-key", uid, "ed25519", "sign", expire])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let list = Command::new(self.gpg_path())
            .args(["--with-colons", "--fingerprint", uid])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&list.stdout).into_owned();
        text.lines()
            .find_map(|l| l.strip_prefix("fpr:"))
            .map(|l| l.trim_matches(':').to_string())
            .unwrap()
    }
}

impl Drop for Gnupg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", self.home())
            .args(["--kill", "all"])
            .output();
    }
}

/// A repository with one commit, git run hermetically in it.
pub(super) struct Repo {
    pub(super) dir: tempfile::TempDir,
}

impl Repo {
    pub(super) fn new() -> Repo {
        let r = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        r.git_ok(&["init", "-q", "-b", "main", "."]);
        r.git_ok(&["commit", "-q", "--allow-empty", "-m", "first"]);
        r
    }

    pub(super) fn git(&self, args: &[&str]) -> Output {
        Command::new("git")
            .current_dir(self.dir.path())
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("SSH_AUTH_SOCK")
            .env("HOME", self.dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Ada")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Ada")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .args(args)
            .output()
            .unwrap()
    }

    #[track_caller]
    pub(super) fn git_ok(&self, args: &[&str]) -> String {
        let out = self.git(args);
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `git tag -s` with `program` as gpg.program, signing as `who`; returns the tag object.
    fn signed_tag(&self, name: &str, program: &Path, who: &str) -> Vec<u8> {
        let prog = format!("gpg.program={}", program.display());
        let key = format!("user.signingKey={who}");
        self.git_ok(&[
            "-c",
            &prog,
            "-c",
            &key,
            "tag",
            "-s",
            "-m",
            "line one\n\nline two",
            name,
        ]);
        self.git(&["cat-file", "tag", name]).stdout
    }

    /// `git verify-tag --raw` of `rev` with the repository's configuration plus `config`.
    pub(super) fn verify_tag(&self, rev: &str, config: &[&str]) -> Output {
        let mut args: Vec<&str> = config.iter().flat_map(|c| ["-c", *c]).collect();
        args.extend(["verify-tag", "--raw", rev]);
        self.git(&args)
    }

    fn programs(&self) -> Programs {
        Programs::from_repo(&crate::git::Repo::open(Some(self.dir.path())).unwrap())
    }
}

/// `verify` over a whole tag object, as the readers call it.
pub(super) fn check(programs: &Programs, object: &[u8]) -> SigStatus {
    let s = split(object).expect("a signed tag");
    verify(programs, s.format, &s.payload, &s.signature)
}

/// The VALIDSIG fingerprint git's own run printed (`%GF`).
pub(super) fn git_validsig(out: &Output) -> String {
    let raw = String::from_utf8_lossy(&out.stderr).into_owned();
    raw.lines()
        .find_map(|l| l.strip_prefix("[GNUPG:] VALIDSIG "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or_else(|| panic!("no VALIDSIG in {raw}"))
        .to_string()
}

#[test]
fn good_bad_unknown_key_and_missing_program_agree_with_git_verify_tag() {
    let g = Gnupg::new();
    let fpr = g.gen_key("Alice <alice@example.com>", &[], "never");
    let repo = Repo::new();
    let object = repo.signed_tag("m@v1.0.0", &g.gpg_path(), "alice@example.com");
    let prog = format!("gpg.program={}", g.gpg_path().display());
    repo.git_ok(&["config", "gpg.program", &g.gpg_path().display().to_string()]);
    let programs = repo.programs();

    // Good: the e-mail of the uid, the fingerprint git's %GF shows.
    let git = repo.verify_tag("m@v1.0.0", &[]);
    assert!(git.status.success());
    assert_eq!(git_validsig(&git), fpr);
    assert_eq!(
        check(&programs, &object),
        SigStatus::Good {
            format: SigFormat::OpenPgp,
            principal: "alice@example.com".into(),
            fingerprint: fpr.clone(),
        }
    );

    // Bad: the message altered after signing; git refuses the same object.
    let altered = String::from_utf8(object.clone())
        .unwrap()
        .replace("line two", "line 2");
    let s = split(altered.as_bytes()).unwrap();
    let status = verify(&programs, s.format, &s.payload, &s.signature);
    assert_eq!(status.word(), "bad", "{status:?}");
    let forged = write_tag_object(&repo, altered.as_bytes());
    assert!(!repo.verify_tag(&forged, &[]).status.success());
    assert!(repo.verify_tag("m@v1.0.0", &[&prog]).status.success());

    // Unknown key: a keyring without Alice's key.
    let empty = Gnupg::new();
    let other = format!("gpg.program={}", empty.gpg_path().display());
    assert!(!repo.verify_tag("m@v1.0.0", &[&other]).status.success());
    let mut elsewhere = programs.clone();
    elsewhere.openpgp.path = empty.gpg_path().display().to_string();
    match check(&elsewhere, &object) {
        SigStatus::UnknownKey {
            fingerprint,
            reason,
            ..
        } => {
            assert!(fpr.ends_with(&fingerprint), "{fingerprint} of {fpr}");
            assert!(reason.contains("no public key"), "{reason}");
        }
        other => panic!("{other:?}"),
    }

    // No program: unverifiable, with the reason naming the setting.
    assert!(
        !repo
            .verify_tag("m@v1.0.0", &["gpg.program=/nonexistent/gpg"])
            .status
            .success()
    );
    repo.git_ok(&["config", "gpg.program", "/nonexistent/gpg"]);
    match check(&repo.programs(), &object) {
        SigStatus::Unverifiable { reason, .. } => assert_eq!(
            reason,
            "/nonexistent/gpg is not installed (gpg.program = /nonexistent/gpg): cannot check \
             the openpgp signature"
        ),
        other => panic!("{other:?}"),
    }
    // gpg.openpgp.program comes before gpg.program, as git's last-one-wins would have it
    // when both are set in one file in that order.
    repo.git_ok(&[
        "config",
        "gpg.openpgp.program",
        &g.gpg_path().display().to_string(),
    ]);
    assert_eq!(check(&repo.programs(), &object).word(), "good");
}

/// Writes `bytes` as a tag object; returns its id.
pub(super) fn write_tag_object(repo: &Repo, bytes: &[u8]) -> String {
    use std::io::Write as _;
    let mut child = Command::new("git")
        .current_dir(repo.dir.path())
        .args(["hash-object", "-t", "tag", "-w", "--stdin", "--literally"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn an_expired_key_is_expired_and_git_refuses_it_too() {
    let g = Gnupg::new();
    let then = "--faked-system-time 20200101T000000";
    let fpr = g.gen_key(
        "Old <old@example.com>",
        &then.split(' ').collect::<Vec<_>>(),
        "1y",
    );
    // Signed in 2020, while the key was valid; checked now, after it expired.
    let signer = g.script("gpg-2020", "gpg", "--faked-system-time 20200601T000000");
    let repo = Repo::new();
    let object = repo.signed_tag("m@v1.0.0", &signer, "old@example.com");
    let prog = format!("gpg.program={}", g.gpg_path().display());
    assert!(!repo.verify_tag("m@v1.0.0", &[&prog]).status.success());
    let programs =
        Programs::from_config(|k| (k == "gpg.program").then(|| g.gpg_path().display().to_string()));
    match check(&programs, &object) {
        SigStatus::Expired {
            format: SigFormat::OpenPgp,
            principal,
            fingerprint,
            reason,
        } => {
            assert_eq!(
                (principal.as_str(), fingerprint.as_str()),
                ("old@example.com", &*fpr)
            );
            let id = &fpr[fpr.len() - 16..];
            assert_eq!(
                reason,
                format!("the key of Old <old@example.com> ({id}) has expired")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn programs_default_as_git_does() {
    let p = Programs::from_config(|_| None);
    assert_eq!(
        (p.openpgp.path.as_str(), p.x509.path.as_str()),
        ("gpg", "gpgsm")
    );
    let p = Programs::from_config(|k| (k == "gpg.program").then(|| "/opt/gpg2".into()));
    assert_eq!(p.openpgp.path, "/opt/gpg2");
    let p = Programs::from_config(|k| (k == "gpg.minTrustLevel").then(|| "Fully".into()));
    assert_eq!(p.min_trust, Trust::Fully);
}
