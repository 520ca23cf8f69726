//! X.509 through `gpg.x509.program`, as git runs it: real `gpgsm` with a self-signed
//! certificate made offline (the key from gpg without a passphrase, `Key-Grip`, a trust list),
//! and a fake program that records exactly what it is given.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::tests::{Gnupg, Repo, check, git_validsig, write_tag_object};
use super::*;
use crate::registry::signature::split;

#[test]
fn real_gpgsm_verifies_an_x509_signed_tag_as_git_does() {
    let g = Gnupg::new();
    let gpgsm = g.script("gpgsm", "gpgsm", "");
    std::fs::write(
        g.home().join("gpgsm.conf"),
        "disable-crl-checks\ndisable-policy-checks\n",
    )
    .unwrap();
    // gpgsm 2.2 cannot make a key without a passphrase: gpg makes it, gpgsm certifies it.
    let out = Command::new(g.gpg_path())
        .args([
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "Carol RSA <carol@example.com>",
        ])
        .args(["rsa2048", "sign", "never"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listing = Command::new(g.gpg_path())
        .args(["--with-keygrip", "--with-colons", "-k", "Carol RSA"])
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout).into_owned();
    let grip = listing
        .lines()
        .find_map(|l| l.strip_prefix("grp:"))
        .map(|l| l.trim_matches(':').to_string())
        .unwrap();
    let params = g.home().join("params");
    std::fs::write(
        &params,
        format!(
            "Key-Type: RSA\nKey-Grip: {grip}\nKey-Usage: sign, cert\nSerial: random\n\
             Name-DN: CN=Carol,O=Test\nName-Email: carol@example.com\n"
        ),
    )
    .unwrap();
    let pem = g.home().join("carol.pem");
    let sm = |args: &[&str]| {
        let out = Command::new(&gpgsm).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "gpgsm {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let (pem_s, params_s) = (pem.display().to_string(), params.display().to_string());
    sm(&[
        "--batch",
        "--armor",
        "--output",
        &pem_s,
        "--gen-key",
        &params_s,
    ]);
    sm(&["--batch", "--import", &pem_s]);
    // Field 10 of the `fpr` line (gpgsm adds the issuer's fingerprint in field 13).
    let fpr = sm(&["--with-colons", "-k", "carol@example.com"])
        .lines()
        .find(|l| l.starts_with("fpr:"))
        .and_then(|l| l.split(':').nth(9))
        .unwrap()
        .to_string();
    // The self-signed certificate is its own root: trusted, as a team's CA would be.
    std::fs::write(g.home().join("trustlist.txt"), format!("{fpr} S relax\n")).unwrap();
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", g.home())
        .args(["--reload", "gpg-agent"])
        .output();

    let repo = Repo::new();
    let prog = format!("gpg.x509.program={}", gpgsm.display());
    repo.git_ok(
        &[
            "-c",
            "gpg.format=x509",
            "-c",
            &prog,
            "-c",
            "user.signingKey=carol@example.com",
        ]
        .into_iter()
        .chain(["tag", "-s", "-m", "x509 signed\n\nsecond line", "m@v1.0.0"])
        .collect::<Vec<_>>(),
    );
    let object = repo.git(&["cat-file", "tag", "m@v1.0.0"]).stdout;
    assert_eq!(split(&object).unwrap().format, SigFormat::X509);
    let git = repo.verify_tag("m@v1.0.0", &[&prog]);
    assert!(
        git.status.success(),
        "{}",
        String::from_utf8_lossy(&git.stderr)
    );
    repo.git_ok(&["config", "gpg.x509.program", &gpgsm.display().to_string()]);
    let programs = Programs::from_repo(&crate::git::Repo::open(Some(repo.dir.path())).unwrap());
    // gpgsm's GOODSIG names the subject, with no <e-mail>: the whole uid, as git's %GS.
    assert_eq!(
        check(&programs, &object),
        SigStatus::Good {
            format: SigFormat::X509,
            principal: "/CN=Carol/O=Test".into(),
            fingerprint: git_validsig(&git),
        }
    );
    assert_eq!(git_validsig(&git), fpr);

    // Altered after signing: bad, and git refuses it too.
    let altered = String::from_utf8(object)
        .unwrap()
        .replace("second line", "2nd line");
    let forged = write_tag_object(&repo, altered.as_bytes());
    assert!(!repo.verify_tag(&forged, &[&prog]).status.success());
    assert_eq!(check(&programs, altered.as_bytes()).word(), "bad");
}

/// A fake verifier: prints `status` on stdout, records its arguments, its stdin and the
/// signature file it was given, and exits `code`.
fn fake_program(dir: &Path, status: &str, code: i32) -> PathBuf {
    let path = dir.join("fake-verifier");
    let log = dir.join("log");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{log}.args'\ncat > '{log}.stdin'\n\
             for a; do case \"$a\" in --*|-) ;; *) cp \"$a\" '{log}.sig'; echo \"$a\" > '{log}.sigpath';; esac; done\n\
             printf '%s' '{status}'\nexit {code}\n",
            log = log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn x509_runs_gpg_x509_program_as_git_does() {
    // A fake gpgsm: exactly the arguments, stdin and signature file git's way gives it.
    let dir = tempfile::tempdir().unwrap();
    let status = "[GNUPG:] NEWSIG\n[GNUPG:] GOODSIG 1A2B3C4D5E6F7788 /CN=Alice/EMAIL=alice@example.com <alice@example.com>\n[GNUPG:] VALIDSIG ABCDEF0123456789ABCDEF0123456789ABCDEF01 20240101T000000 1704067200 0 0 1 8 00\n[GNUPG:] TRUST_FULLY 0 shell\n";
    let fake = fake_program(dir.path(), status, 0);
    let payload = b"object 0000\ntype commit\ntag m@v1.0.0\n\nmsg\n".to_vec();
    let signature = b"-----BEGIN SIGNED MESSAGE-----\nMIAG\n-----END SIGNED MESSAGE-----\n";
    let programs =
        Programs::from_config(|k| (k == "gpg.x509.program").then(|| fake.display().to_string()));
    assert_eq!(
        verify(&programs, SigFormat::X509, &payload, signature),
        SigStatus::Good {
            format: SigFormat::X509,
            principal: "alice@example.com".into(),
            fingerprint: "ABCDEF0123456789ABCDEF0123456789ABCDEF01".into(),
        }
    );
    let log = |ext: &str| std::fs::read(dir.path().join(format!("log.{ext}"))).unwrap();
    let sigpath = String::from_utf8(log("sigpath")).unwrap();
    // git's x509 verify arguments: no --keyid-format.
    assert_eq!(
        String::from_utf8(log("args")).unwrap(),
        format!("--status-fd=1\n--verify\n{sigpath}-\n")
    );
    assert_eq!(log("stdin"), payload);
    assert_eq!(log("sig"), signature);
    assert!(
        !Path::new(sigpath.trim()).exists(),
        "the signature file is removed"
    );

    // git runs the same program the same way and accepts what it says.
    let repo = Repo::new();
    let head = repo.git_ok(&["rev-parse", "HEAD"]);
    let mut object = format!(
        "object {head}type commit\ntag x\ntagger Ada <ada@example.com> 1700000000 +0000\n\nmsg\n"
    )
    .into_bytes();
    object.extend_from_slice(signature);
    let id = write_tag_object(&repo, &object);
    let prog = format!("gpg.x509.program={}", fake.display());
    assert!(repo.verify_tag(&id, &[&prog]).status.success());
    let s = split(&object).unwrap();
    assert_eq!(
        verify(&programs, s.format, &s.payload, &s.signature).word(),
        "good"
    );

    // Not installed: the default's reason says which setting to change.
    let none =
        Programs::from_config(|k| (k == "gpg.x509.program").then(|| "/nonexistent/gpgsm".into()));
    assert_eq!(
        verify(&none, SigFormat::X509, &payload, signature).reason(),
        Some(
            "/nonexistent/gpgsm is not installed (gpg.x509.program = /nonexistent/gpgsm): \
             cannot check the x509 signature"
        )
    );
}
