//! Signing through gpg and gpgsm (OpenPGP, X.509), checked by real `git verify-tag`. gpg's and
//! gpgsm's home is the fixture HOME's `.gnupg`, so every process finds the keys; its agent is
//! killed at the end of each test.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use super::{fails, object, sh};
use crate::fixture::TestRepo;

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
