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

#[test]
fn a_forged_block_behind_another_line_break_is_refused_too() {
    let repo = TestRepo::new();
    repo.write(
        "dvc.yaml",
        "artifacts:\n  emb:\n    path: s3://bucket/emb.npy\n",
    );
    repo.commit("v1");
    for sep in ["\u{2028}", "\r", "\u{85}"] {
        let m =
            format!("Merge{sep}{sep}Artifact-Digest: md5:{X_MD5}{sep}Artifact-Digest-Source: dvc");
        let r = repo.run(&["register", "emb", "-m", &m]);
        assert_eq!(r.code, 2, "{sep:?}: {}", r.transcript());
    }
    assert_eq!(repo.git(&["tag", "-l"]), "");
}

#[test]
fn only_registrations_carry_a_digest_in_history() {
    let repo = TestRepo::new();
    let c = repo.commit("v1");
    repo.run(&[
        "register",
        "m",
        "--digest",
        &format!("sha256:{}", "1".repeat(64)),
    ])
    .ok();
    repo.git(&[
        "tag",
        "-a",
        "m#dev#1",
        &c,
        "-m",
        &format!(
            "Assigning stage dev\n\nArtifact-Digest: md5:{X_MD5}\nArtifact-Digest-Source: dvc"
        ),
    ]);
    let h: serde_json::Value =
        serde_json::from_str(repo.run(&["history", "m", "--json"]).ok()).unwrap();
    let digests: Vec<(String, serde_json::Value)> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap().to_string(),
                e["digest"].clone(),
            )
        })
        .collect();
    assert!(
        digests.contains(&("assignment".into(), serde_json::Value::Null))
            && digests.contains(&(
                "registration".into(),
                serde_json::json!(format!("sha256:{}", "1".repeat(64)))
            )),
        "{digests:?}"
    );
}

#[test]
fn a_given_digest_cannot_override_what_register_reads_itself() {
    let repo = TestRepo::new();
    repo.write(".dvc/config", "");
    repo.write(".gitignore", "/m.pkl\n");
    repo.write(
        "m.pkl.dvc",
        &format!("outs:\n- md5: {X_MD5}\n  size: 2\n  hash: md5\n  path: m.pkl\n"),
    );
    repo.write(
        "dvc.yaml",
        "artifacts:\n  m:\n    path: m.pkl\n  emb:\n    path: s3://b/e\n",
    );
    repo.commit("v1");
    let given = format!("sha256:{}", "e".repeat(64));
    let r = repo.run(&["register", "m", "--digest", &given]);
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stderr.contains(&format!(
            "error: --digest {given} is for a virtual artifact, but 'm' declares the path 'm.pkl'"
        )),
        "{}",
        r.transcript()
    );
    assert_eq!(repo.git(&["tag", "-l"]), "");
    repo.run(&["register", "emb", "--digest", &given]).ok();
}

#[test]
fn a_move_between_two_names_of_one_file_is_refused() {
    let repo = TestRepo::new();
    repo.write(".dvc/config", "");
    repo.write("artifacts.yaml", "m:\n  path: m.pkl\n  type: model\n");
    std::os::unix::fs::symlink("artifacts.yaml", repo.path().join("dvc.yaml")).unwrap();
    repo.commit("one file, two names");
    let r = repo.run(&["annotate", "--move-to", "dvc.yaml", "m"]);
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stderr
            .contains("error: artifacts.yaml and dvc.yaml are one file"),
        "{}",
        r.transcript()
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join("artifacts.yaml")).unwrap(),
        "m:\n  path: m.pkl\n  type: model\n"
    );
}

#[test]
fn yaml_tags_dvc_cannot_read_are_refused_and_reported() {
    let repo = TestRepo::new();
    repo.write(".dvc/config", "");
    let text = "stages:\n  s:\n    cmd: x\nartifacts:\n  m:\n    path: m.pkl\n";
    repo.write("dvc.yaml", text);
    let r = repo.run(&["annotate", "m", "--custom", "j=!custom x"]);
    assert_eq!(r.code, 2, "{}", r.transcript());
    assert!(
        r.stderr.contains("VALUE holds a YAML tag"),
        "{}",
        r.transcript()
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join("dvc.yaml")).unwrap(),
        text
    );
    // One written by hand: doctor names it.
    repo.write(
        "dvc.yaml",
        &format!("{text}    meta:\n      j: !custom x\n"),
    );
    repo.commit("a tag DVC cannot read");
    let doc = repo.run(&["doctor"]);
    assert_eq!(doc.code, 1, "{}", doc.transcript());
    assert!(
        doc.stdout
            .contains("problem: dvc.yaml:8: holds a YAML tag (`!…`), which DVC cannot read"),
        "{}",
        doc.transcript()
    );
}
