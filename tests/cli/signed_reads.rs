//! Signed registry tags read exactly as unsigned ones (issue 10, point 6): the signature block
//! never leaks into a message, a description or a CI output registry prints, and a message
//! that itself holds a signature-marker line is split where git splits it (the last marker).
//! Also the signing kit the interop test shares: keys made by the test, tags signed by git.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::fixture::TestRepo;

/// A signature format git signs registry tags with.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Sig {
    Ssh,
    OpenPgp,
}

/// Keys made for one test repository: an ed25519 SSH key file and an OpenPGP key in
/// `$HOME/.gnupg` (the fixture's HOME, so nothing outside the test is read or written). The gpg
/// agent the signing starts is killed when dropped.
pub(crate) struct Signers<'a> {
    repo: &'a TestRepo,
    pub ssh_key: PathBuf,
}

/// The OpenPGP signer's uid and its e-mail.
pub(crate) const PGP_UID: &str = "Alice <alice@example.com>";
const PGP_EMAIL: &str = "alice@example.com";

impl<'a> Signers<'a> {
    pub(crate) fn new(repo: &'a TestRepo) -> Signers<'a> {
        let ssh_key = repo.home().join("id_sign");
        let key = ssh_key.display().to_string();
        run_ok(
            repo,
            "ssh-keygen",
            &["-q", "-t", "ed25519", "-N", "", "-C", "bob", "-f", &key],
        );
        let signers = Signers { repo, ssh_key };
        run_ok(
            repo,
            "gpg",
            &[
                "--batch",
                "--passphrase",
                "",
                "--quick-gen-key",
                PGP_UID,
                "ed25519",
                "sign",
                "never",
            ],
        );
        signers
    }

    /// `git tag -s -a -m MESSAGE NAME TARGET`, signed as `sig` says; returns the tag object.
    pub(crate) fn tag(&self, sig: Sig, name: &str, message: &str, target: &str) -> String {
        let key = format!("user.signingKey={}", self.ssh_key.display());
        let pgp_key = format!("user.signingKey={PGP_EMAIL}");
        let mut args = match sig {
            Sig::Ssh => vec!["-c", "gpg.format=ssh", "-c", &key],
            Sig::OpenPgp => vec!["-c", "gpg.format=openpgp", "-c", &pgp_key],
        };
        args.extend(["tag", "-s", "-a", "-m", message, name, target]);
        self.repo.git(&args);
        let object = self.repo.git(&["cat-file", "tag", name]);
        let marker = match sig {
            Sig::Ssh => "\n-----BEGIN SSH SIGNATURE-----\n",
            Sig::OpenPgp => "\n-----BEGIN PGP SIGNATURE-----\n",
        };
        assert!(object.contains(marker), "not signed:\n{object}");
        object
    }

    /// An allowed-signers file for the SSH key (principal `bob`), for `git verify-tag`.
    pub(crate) fn allowed_signers(&self) -> PathBuf {
        let public = std::fs::read_to_string(self.ssh_key.with_extension("pub")).unwrap();
        let path = self.repo.home().join("allowed_signers");
        std::fs::write(&path, format!("bob namespaces=\"git\" {public}")).unwrap();
        path
    }

    /// Real git's verdict on a tag's signature.
    pub(crate) fn git_verifies(&self, name: &str) -> bool {
        let file = format!(
            "gpg.ssh.allowedSignersFile={}",
            self.allowed_signers().display()
        );
        self.repo
            .command(Path::new("git"), &self.repo.path())
            .args(["-c", &file, "verify-tag", name])
            .output()
            .unwrap()
            .status
            .success()
    }
}

impl Drop for Signers<'_> {
    fn drop(&mut self) {
        let _ = self
            .repo
            .command(Path::new("gpgconf"), &self.repo.home())
            .args(["--kill", "all"])
            .output();
    }
}

#[track_caller]
fn run_ok(repo: &TestRepo, program: &str, args: &[&str]) {
    let out = repo
        .command(Path::new(program), &repo.home())
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What must never be in anything registry prints for a signed tag.
const LEAKS: [&str; 6] = [
    "BEGIN SSH SIGNATURE",
    "END SSH SIGNATURE",
    "BEGIN PGP SIGNATURE",
    "END PGP SIGNATURE",
    "U1NIU0lH", // base64 of the "SSHSIG" magic that opens every SSH signature
    "SIGNATURE-----",
];

#[track_caller]
fn assert_no_leak(what: &str, text: &str) {
    for leak in LEAKS {
        assert!(!text.contains(leak), "{what} leaks {leak:?}:\n{text}");
    }
}

const REG_MSG: &str = "Registering churn v0.0.1\n\nTrained on the March data.\nReviewed by Carol.";
const PGP_MSG: &str = "Register resnet\n\nSigned with OpenPGP,\non three lines.";
const PROD_MSG: &str = "Promote churn v0.0.1 to prod\n\nTicket: OPS-12";
const DEV_MSG: &str = "Assign dev\n\n(OpenPGP)";

#[test]
fn the_signature_block_never_leaks_into_what_registry_prints() {
    let repo = TestRepo::new();
    repo.write("models/churn.pkl", "weights");
    let desc = "Churn classifier, signed";
    repo.run(&[
        "annotate",
        "churn",
        "--type",
        "model",
        "--path",
        "models/churn.pkl",
        "--description",
        desc,
    ])
    .ok();
    let commit = repo.commit("model");
    let keys = Signers::new(&repo);
    let signed = [
        (Sig::Ssh, "churn@v0.0.1", REG_MSG),
        (Sig::OpenPgp, "resnet@v0.0.1", PGP_MSG),
        (Sig::Ssh, "churn#prod#1", PROD_MSG),
        (Sig::OpenPgp, "resnet#dev#1", DEV_MSG),
    ];
    for (sig, name, msg) in signed {
        keys.tag(sig, name, msg, &commit);
    }
    assert!(keys.git_verifies("churn@v0.0.1") && keys.git_verifies("resnet#dev#1"));

    let mut reads: Vec<Vec<&str>> = vec![
        vec!["show"],
        vec!["show", "--json"],
        vec!["show", "churn"],
        vec!["show", "churn", "--json"],
        vec!["show", "resnet", "--json", "-d"],
        vec!["history"],
        vec!["history", "--json"],
        vec!["history", "churn", "--json"],
        vec!["describe", "churn"],
        vec!["describe", "churn@v0.0.1"],
        vec!["describe", "churn#prod"],
        vec!["stages"],
        vec!["doctor"],
    ];
    for (_, name, _) in signed {
        reads.push(vec!["check-ref", name]);
        reads.push(vec!["check-ref", name, "--json"]);
    }
    for args in &reads {
        let run = repo.run(args);
        assert!(run.code == 0 || args[0] == "doctor", "{}", run.transcript());
        assert_no_leak(&run.line, &run.transcript());
    }

    // The messages are exactly the unsigned ones, wherever they are printed.
    for (_, name, msg) in signed {
        let v: Value = serde_json::from_str(repo.run(&["check-ref", name, "--json"]).ok()).unwrap();
        assert_eq!(v["message"], msg, "check-ref {name} --json");
    }
    let history: Value = serde_json::from_str(repo.run(&["history", "--json"]).ok()).unwrap();
    for (_, name, msg) in signed {
        let event = history
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["ref"] == name);
        assert_eq!(event.unwrap()["message"], msg, "history --json, {name}");
    }
    let show: Value = serde_json::from_str(repo.run(&["show", "churn", "--json"]).ok()).unwrap();
    assert_eq!(show[0]["registrations"][0]["message"], REG_MSG);
    assert_eq!(show[0]["stages"][0]["assignments"][0]["message"], PROD_MSG);
    assert!(repo.run(&["describe", "churn@v0.0.1"]).ok().contains(desc));

    // CI outputs: the GitHub step-outputs file and the GitLab dotenv report.
    for (_, name, _) in signed {
        let file = repo.home().join("github_output");
        let _ = std::fs::remove_file(&file);
        let run = repo.run_with(&["check-ref", name, "--format", "github"], |c| {
            c.env("GITHUB_OUTPUT", &file);
        });
        assert_no_leak(&run.line, &run.transcript());
        let text = std::fs::read_to_string(&file).unwrap();
        assert_no_leak("GITHUB_OUTPUT", &text);
        let run = repo.run(&["check-ref", name, "--format", "gitlab"]);
        assert_no_leak(&run.line, &run.transcript());
        let dotenv = std::fs::read_to_string(repo.path().join("registry.env")).unwrap();
        assert_no_leak("registry.env", &dotenv);
        if name.starts_with("churn") {
            assert!(text.contains(desc), "{text}");
            assert!(
                dotenv.contains(&format!("description={desc}\n")),
                "{dotenv}"
            );
        }
    }
}

#[test]
fn a_marker_line_inside_a_signed_message_is_split_where_git_splits_it() {
    let repo = TestRepo::new();
    let commit = repo.commit("model");
    let keys = Signers::new(&repo);
    // A message quoting a signature block: git takes the *last* marker line as the start of the
    // signature, so the quoted block is message, and verify-tag checks it as signed content.
    let quoted_pgp = "Register churn\n\nquoted:\n-----BEGIN PGP SIGNATURE-----\nnot one\n-----END PGP SIGNATURE-----\nend of message";
    let quoted_ssh =
        "Register resnet\n-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\nafter";
    keys.tag(Sig::Ssh, "churn@v0.0.1", quoted_pgp, &commit);
    keys.tag(Sig::OpenPgp, "resnet@v0.0.1", quoted_ssh, &commit);
    for (name, msg, real) in [
        (
            "churn@v0.0.1",
            quoted_pgp,
            "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH",
        ),
        (
            "resnet@v0.0.1",
            quoted_ssh,
            "-----BEGIN PGP SIGNATURE-----\n",
        ),
    ] {
        // git's own split: the signature is only the real block, and it verifies.
        let sig = repo.git(&["tag", "-l", "--format=%(contents:signature)", name]);
        assert!(sig.starts_with(real), "{sig}");
        assert_eq!(sig.matches("BEGIN").count(), 1, "{sig}");
        assert!(keys.git_verifies(name), "git verify-tag {name}");
        // registry's: the whole message, quoted block and all, and nothing of the real one.
        let v: Value = serde_json::from_str(repo.run(&["check-ref", name, "--json"]).ok()).unwrap();
        assert_eq!(v["message"], msg, "{name}");
        let history: Value = serde_json::from_str(repo.run(&["history", "--json"]).ok()).unwrap();
        let event = history
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["ref"] == name);
        assert_eq!(event.unwrap()["message"], msg, "history --json, {name}");
        for args in [
            vec!["check-ref", name, "--json"],
            vec!["history"],
            vec!["show", "-d"],
        ] {
            let text = repo.run(&args).ok().to_string();
            for body in sig
                .lines()
                .filter(|l| l.len() > 16 && !l.starts_with("-----"))
            {
                assert!(!text.contains(body), "{args:?} leaks {body:?}:\n{text}");
            }
        }
    }
}
