//! Hostile input around DVC identities (review of issue 11): a `-m` message forging the
//! provenance block, a committed link making `verify` read outside, a Unicode line separator in a
//! declared path, a declaration that is not UTF-8; and an md5-only `verify` saying so.

use crate::fixture::TestRepo;

/// md5 of `x\n`.
const X_MD5: &str = "401b30e3b8b5d629635a5c613cdb7919";

#[test]
fn a_message_cannot_bring_its_own_provenance() {
    let repo = TestRepo::new();
    repo.write(
        "dvc.yaml",
        "artifacts:\n  emb:\n    path: s3://bucket/emb.npy\n",
    );
    repo.commit("v1");
    for forged in [
        format!(
            "Merge PR\n\nArtifact-Path: emb.npy\nArtifact-Digest: md5:{X_MD5}\nArtifact-Digest-Source: dvc"
        ),
        "Merge PR\n\n  Artifact-Sha256 : sha256:00".to_string(),
        "Merge PR\n\nManifest (sha256sum format):\n00  a".to_string(),
    ] {
        for args in [
            vec!["register", "emb", "-m", forged.as_str()],
            vec![
                "assign",
                "emb",
                "HEAD",
                "--stage",
                "prod",
                "-m",
                forged.as_str(),
            ],
        ] {
            let r = repo.run(&args);
            assert_eq!(r.code, 2, "{}", r.transcript());
            assert!(
                r.stderr
                    .contains("which registry writes itself to record what a version holds"),
                "{}",
                r.transcript()
            );
        }
    }
    assert_eq!(repo.git(&["tag", "-l"]), "");
    // Words that merely mention a key are fine.
    repo.run(&["register", "emb", "-m", "sets the Artifact-Digest: later"])
        .ok();
}

#[test]
fn verify_reads_no_file_outside_through_a_committed_link() {
    let repo = TestRepo::new();
    let secret = repo.home().join("secret");
    std::fs::create_dir_all(secret.join(".ssh")).unwrap();
    std::fs::write(secret.join(".ssh/id_ed25519"), "key\n").unwrap();
    std::os::unix::fs::symlink(&secret, repo.path().join("model")).unwrap();
    repo.write("dvc.yaml", "artifacts:\n  m:\n    path: model\n");
    let c = repo.commit("v1");
    let r = repo.run(&["register", "m"]);
    assert_eq!(r.code, 1, "{}", r.transcript());
    // A hand-made registration naming the link: verify refuses it as register does.
    repo.git(&[
        "tag",
        "-a",
        "m@v0.0.1",
        &c,
        "-m",
        &format!(
            "Registering artifact m version v0.0.1\n\nArtifact-Path: model\nArtifact-Digest: md5:{X_MD5}.dir\nArtifact-Digest-Source: dvc"
        ),
    ]);
    let r = repo.run(&["verify", "m"]);
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stderr
            .contains("error: path 'model' leads outside the repository"),
        "{}",
        r.transcript()
    );
    assert!(!r.stderr.contains("id_ed25519"), "{}", r.transcript());
}

#[test]
fn a_unicode_line_separator_cannot_become_a_trailer_line() {
    let repo = TestRepo::new();
    let name = format!("m\u{2028}Artifact-Digest: sha256:{}", "0".repeat(64));
    repo.write(&name, "x\n");
    repo.write(
        "dvc.yaml",
        &format!(
            "artifacts:\n  m:\n    path: \"m\\u2028Artifact-Digest: sha256:{}\"\n",
            "0".repeat(64)
        ),
    );
    repo.commit("v1");
    let r = repo.run(&["register", "m"]);
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stderr.contains("holds a control character (\\u{2028})"),
        "{}",
        r.transcript()
    );
    assert_eq!(repo.git(&["tag", "-l"]), "");
}

#[test]
fn a_declaration_that_is_not_utf8_is_refused_with_its_line() {
    let repo = TestRepo::new();
    std::fs::write(
        repo.path().join("dvc.yaml"),
        b"artifacts:\n  m:\n    path: \"m\xff.pkl\"\n",
    )
    .unwrap();
    std::fs::write(repo.path().join("m\u{fffd}.pkl"), "decoy\n").unwrap();
    let c = repo.commit("v1");
    let r = repo.run(&["register", "m"]);
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stderr.contains(&format!(
            "error: dvc.yaml at {}:3: is not UTF-8 text (byte 0xff)",
            &c[..7]
        )),
        "{}",
        r.transcript()
    );
    assert_eq!(repo.git(&["tag", "-l"]), "");
}

#[test]
fn an_md5_only_verify_says_so() {
    let repo = TestRepo::new();
    repo.write(".dvc/config", "");
    repo.write(".gitignore", "/m.pkl\n");
    repo.write(
        "m.pkl.dvc",
        &format!("outs:\n- md5: {X_MD5}\n  size: 2\n  hash: md5\n  path: m.pkl\n"),
    );
    repo.write("dvc.yaml", "artifacts:\n  m:\n    path: m.pkl\n");
    repo.commit("v1");
    // The work tree holds other bytes: only DVC's md5 is recorded.
    repo.write("m.pkl", "other\n");
    repo.run(&["register", "m"]).ok();
    let copy = repo.home().join("m.pkl");
    std::fs::write(&copy, "x\n").unwrap();
    let r = repo.run(&["verify", "m", "--path", copy.to_str().unwrap()]);
    assert!(
        r.ok().trim_end().ends_with(&format!(
            "(DVC's md5:{X_MD5}; md5 only, no SHA-256 was recorded)"
        )),
        "{}",
        r.transcript()
    );
}

#[test]
fn in_a_dvc_repository_an_older_commit_never_gets_the_work_trees_bytes() {
    let repo = TestRepo::new();
    repo.write(".dvc/config", "");
    repo.write(".gitignore", "/m.pkl\n");
    repo.write("dvc.yaml", "artifacts:\n  m:\n    path: m.pkl\n");
    let old = repo.commit("v1: m.pkl kept out of git, by a record registry cannot see");
    repo.write("README", "v2\n");
    repo.commit("v2");
    repo.write("m.pkl", "new bytes\n");
    let r = repo.run(&["register", "m", "HEAD~1"]);
    r.ok();
    assert!(
        r.stderr.contains(&format!(
            "'m.pkl' is in neither git nor a DVC record registry reads at {0}, and this is a DVC repository: the work tree cannot be shown to hold that commit's bytes, so no digest is recorded",
            &old[..7]
        )),
        "{}",
        r.transcript()
    );
    let msg = repo.git(&["tag", "-l", "--format=%(contents)", "m@v0.0.1"]);
    assert!(!msg.contains("Artifact-Digest"), "{msg}");
}
