//! Declarations and content digests: `annotate`, `remove`, `describe`, digests on `register`,
//! `verify`, and `*name` rows for declared-only artifacts (SPEC §4.1, §4.2, §4.5).

use std::process::Command;

use crate::fixture::TestRepo;

const COMMENTED: &str = "\
# Models of the churn team. Keep this comment.
churn:   # the main one
  type: model
  # weights are in git
  path: models/churn.pkl
  owner: team-a      # an unknown key, kept

# Forecasting
forecast:
  type: model
  path: models/forecast.pkl
";

fn read(repo: &TestRepo, rel: &str) -> String {
    std::fs::read_to_string(repo.path().join(rel)).unwrap()
}

#[test]
fn annotate_keeps_the_users_file_byte_for_byte() {
    let repo = TestRepo::new();
    repo.write("artifacts.yaml", COMMENTED);
    let run = repo.run(&[
        "annotate",
        "churn",
        "--description",
        "Who leaves?",
        "--label",
        "tabular",
    ]);
    assert_eq!(run.ok(), "Updated 'churn' in artifacts.yaml\n");
    let expected = COMMENTED.replace(
        "  owner: team-a      # an unknown key, kept\n",
        "  owner: team-a      # an unknown key, kept\n  labels: [tabular]\n  description: \"Who leaves?\"\n",
    );
    assert_eq!(read(&repo, "artifacts.yaml"), expected);

    // A new entry goes at the end; every existing byte stays.
    repo.run(&[
        "annotate",
        "ranker",
        "--type",
        "model",
        "--path",
        "models/ranker.onnx",
        "--custom",
        "epochs=10",
    ])
    .ok();
    assert_eq!(
        read(&repo, "artifacts.yaml"),
        format!(
            "{expected}ranker:\n  type: model\n  path: models/ranker.onnx\n  virtual: false\n  custom:\n    epochs: 10\n"
        )
    );

    // Remove takes the entry and the comment right above it, nothing else.
    repo.run(&["remove", "forecast"]).ok();
    assert!(!read(&repo, "artifacts.yaml").contains("forecast"));
    assert!(
        read(&repo, "artifacts.yaml").starts_with(
            "# Models of the churn team. Keep this comment.\nchurn:   # the main one\n"
        )
    );
    insta::assert_snapshot!(repo.t(&["remove", "forecast"]), @"
    $ registry remove forecast
    --- stderr
    error: Cannot find artifact 'forecast' in artifacts.yaml
    [exit 1]
    ");
}

#[test]
fn monorepo_names_live_in_their_directory() {
    let repo = TestRepo::new();
    repo.run(&[
        "annotate",
        "models/cv:resnet",
        "--type",
        "model",
        "--path",
        "weights/r.pt",
    ])
    .ok();
    assert_eq!(
        read(&repo, "models/cv/artifacts.yaml"),
        "resnet:\n  type: model\n  path: weights/r.pt\n  virtual: false\n"
    );
    repo.write("models/cv/weights/r.pt", "tensor");
    repo.commit("resnet");
    insta::assert_snapshot!(repo.t(&["register", "models/cv:resnet"]), @"
    $ registry register models/cv:resnet
    Created git tag 'models/cv=resnet@v0.0.1' that registers version
    To push the changes upstream, run:
        git push origin models/cv=resnet@v0.0.1
    [exit 0]
    ");
    let msg = repo.git(&[
        "tag",
        "-l",
        "--format=%(contents)",
        "models/cv=resnet@v0.0.1",
    ]);
    assert!(msg.contains("Artifact-Path: weights/r.pt"), "{msg}");
    assert!(msg.contains("Artifact-Digest-Source: git"), "{msg}");
}

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let repo = TestRepo::new();
    let broken = "churn:\n  type: model\n  virtual: maybe\n";
    repo.write("artifacts.yaml", broken);
    insta::assert_snapshot!(repo.t(&["annotate", "churn", "--path", "m.pkl"]), @"
    $ registry annotate churn --path m.pkl
    --- stderr
    error: artifacts.yaml:3: 'churn.virtual' must be true or false (artifacts.yaml file doesn't conform to GTO format)
    [exit 1]
    ");
    assert_eq!(
        read(&repo, "artifacts.yaml"),
        broken,
        "a malformed file is never rewritten"
    );
    repo.write("artifacts.yaml", "churn: [\n");
    insta::assert_snapshot!(repo.t(&["annotate", "churn", "--path", "m.pkl"]), @"
    $ registry annotate churn --path m.pkl
    --- stderr
    error: artifacts.yaml:2:1: invalid YAML: did not find expected node content at line 2 column 1, while parsing a flow node
    [exit 1]
    ");

    repo.write("artifacts.yaml", COMMENTED);
    insta::assert_snapshot!(repo.t(&["annotate", "churn", "--path", "../outside.pkl"]), @"
    $ registry annotate churn --path ../outside.pkl
    --- stderr
    error: path '../outside.pkl' of 'churn' leads outside the repository
    hint: paths are relative to the dvc.yaml or artifacts.yaml declaring them and stay inside the repository; use --virtual for URLs and outside locations
    [exit 1]
    ");
    insta::assert_snapshot!(repo.t(&["annotate", "churn", "--path", "/etc/passwd"]), @"
    $ registry annotate churn --path /etc/passwd
    --- stderr
    error: path '/etc/passwd' of 'churn' is not a relative path
    hint: paths are relative to the dvc.yaml or artifacts.yaml declaring them and stay inside the repository; use --virtual for URLs and outside locations
    [exit 1]
    ");
    std::os::unix::fs::symlink("/tmp", repo.path().join("escape")).unwrap();
    insta::assert_snapshot!(repo.t(&["annotate", "churn", "--path", "escape/m.pkl"]), @"
    $ registry annotate churn --path escape/m.pkl
    --- stderr
    error: path 'escape/m.pkl' leads outside the repository (through /tmp)
    hint: a symbolic link points out of the repository; use --virtual for outside locations
    [exit 1]
    ");
    insta::assert_snapshot!(repo.t(&["annotate", "churn", "--type=-bad"]), @"
    $ registry annotate churn --type=-bad
    --- stderr
    error: Invalid value '-bad'. Only letters, numbers, '_', '-', '/' are allowed. Value must be of len >= 2 and must start and end with a letter or a number.

    For more information, try '--help'.
    [exit 2]
    ");
    insta::assert_snapshot!(repo.t(&["annotate", "churn", "--custom", "novalue"]), @"
    $ registry annotate churn --custom novalue
    --- stderr
    error: --custom 'novalue' is not KEY=VALUE

    For more information, try '--help'.
    [exit 2]
    ");
    assert_eq!(read(&repo, "artifacts.yaml"), COMMENTED);

    // A virtual artifact may point anywhere.
    repo.run(&[
        "annotate",
        "emb",
        "--virtual",
        "--path",
        "s3://bucket/emb.npy",
    ])
    .ok();
    assert!(
        read(&repo, "artifacts.yaml")
            .ends_with("emb:\n  path: \"s3://bucket/emb.npy\"\n  virtual: true\n")
    );

    // Allowed types come from config.
    repo.write(".registry.yaml", "types: [model, dataset]\n");
    insta::assert_snapshot!(repo.t(&["annotate", "churn", "--type", "notebook"]), @"
    $ registry annotate churn --type notebook
    --- stderr
    error: Allowed types are: '['model', 'dataset']'
    hint: type 'notebook' is not in the `types` list of the config
    [exit 1]
    ");
}

#[test]
fn describe_reads_the_entry_at_the_versions_commit() {
    let repo = TestRepo::new();
    repo.write("models/churn.pkl", "v1");
    repo.run(&[
        "annotate",
        "churn",
        "--type",
        "model",
        "--path",
        "models/churn.pkl",
    ])
    .ok();
    repo.commit("v1");
    repo.run(&["register", "churn"]).ok();
    repo.run(&[
        "annotate",
        "churn",
        "--path",
        "models/churn2.pkl",
        "--description",
        "second",
    ])
    .ok();
    repo.write("models/churn2.pkl", "v2");
    repo.commit("v2");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["promote", "churn@v0.0.1", "prod"]).ok();
    insta::assert_snapshot!(repo.t(&["describe", "churn@v0.0.1"]), @r#"
    $ registry describe churn@v0.0.1
    {
        "type": "model",
        "path": "models/churn.pkl",
        "virtual": false
    }
    [exit 0]
    "#);
    insta::assert_snapshot!(repo.t(&["describe", "churn", "--path"]), @"
    $ registry describe churn --path
    models/churn2.pkl
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["describe", "churn#prod", "--path"]), @"
    $ registry describe 'churn#prod' --path
    models/churn.pkl
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["describe", "churn@latest", "--description"]), @"
    $ registry describe churn@latest --description
    second
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["describe", "nope"]), @"
    $ registry describe nope
    --- stderr
    error: No entry for 'nope' in dvc.yaml or artifacts.yaml at commit 43b31ed
    hint: declare it with `registry annotate nope --path …` and commit
    [exit 1]
    ");
}

#[test]
fn describe_reads_files_gtos_old_annotate_wrote() {
    // The layout GTO <= 0.2 wrote with `gto annotate` (reference §9.1).
    let repo = TestRepo::new();
    repo.write(
        "artifacts.yaml",
        "rf:\n  type: model\n  path: models/rf.pkl\n  virtual: false\n  labels:\n  - classic\n  - tabular\n  description: Random forest\n  custom:\n    metrics:\n      auc: 0.91\n",
    );
    repo.commit("annotated by gto");
    insta::assert_snapshot!(repo.t(&["describe", "rf"]), @r#"
    $ registry describe rf
    {
        "type": "model",
        "path": "models/rf.pkl",
        "virtual": false,
        "labels": [
            "classic",
            "tabular"
        ],
        "description": "Random forest",
        "custom": {
            "metrics": {
                "auc": 0.91
            }
        }
    }
    [exit 0]
    "#);
}

/// What `sha256sum` says a directory's digest is: the SHA-256 of its sorted manifest.
fn sha256sum_of_dir(dir: &std::path::Path) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg("find . -type f | sed 's|^\\./||' | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum")
        .current_dir(dir)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    format!("sha256:{}", text.split_whitespace().next().unwrap())
}

#[test]
fn digests_agree_with_sha256sum_and_verify_names_differences() {
    let repo = TestRepo::new();
    repo.write("data/dir/a.txt", "alpha\n");
    repo.write("data/dir/sub/b.txt", "beta\n");
    repo.write("data/dir/Z upper.txt", "zeta\n");
    repo.run(&["annotate", "ds", "--type", "dataset", "--path", "data/dir"])
        .ok();
    repo.write("model.bin", "weights");
    repo.run(&["annotate", "m", "--path", "model.bin"]).ok();
    repo.commit("data");
    repo.run(&["register", "ds"]).ok();
    repo.run(&["register", "m"]).ok();

    let expected = sha256sum_of_dir(&repo.path().join("data/dir"));
    let msg = repo.git(&["tag", "-l", "--format=%(contents)", "ds@v0.0.1"]);
    assert!(
        msg.contains(&format!("Artifact-Digest: {expected}")),
        "{msg}\nexpected {expected}"
    );
    let file = Command::new("sha256sum")
        .arg(repo.path().join("model.bin"))
        .output()
        .unwrap();
    let file_hex = String::from_utf8(file.stdout).unwrap();
    let m_msg = repo.git(&["tag", "-l", "--format=%(contents)", "m@v0.0.1"]);
    assert!(
        m_msg.contains(&format!("Artifact-Digest: sha256:{}", &file_hex[..64])),
        "{m_msg}"
    );

    // JSON exposes the digest per version and per registration event.
    let show: serde_json::Value =
        serde_json::from_str(repo.run(&["show", "ds", "--json"]).ok()).unwrap();
    assert_eq!(
        show[0]["digest"],
        serde_json::Value::String(expected.clone())
    );
    let history: serde_json::Value =
        serde_json::from_str(repo.run(&["history", "ds", "--json"]).ok()).unwrap();
    assert_eq!(
        history[0]["digest"],
        serde_json::Value::String(expected.clone())
    );

    insta::assert_snapshot!(repo.t(&["verify", "ds"]).replace(&repo.path().display().to_string(), "<repo>"), @"
    $ registry verify ds
    OK: '<repo>/data/dir' matches ds v0.0.1 (sha256:c4e72160299a67e55f926dec20300c07604889df997cc4913120acf87c9f1fac)
    [exit 0]
    ");
    repo.write("data/dir/a.txt", "changed\n");
    repo.write("data/dir/new.txt", "new\n");
    std::fs::remove_file(repo.path().join("data/dir/sub/b.txt")).unwrap();
    insta::assert_snapshot!(repo.t(&["verify", "ds@v0.0.1"]).replace(&repo.path().display().to_string(), "<repo>"), @"
    $ registry verify ds@v0.0.1
    --- stderr
    error: '<repo>/data/dir' does not match ds v0.0.1: recorded sha256:c4e72160299a67e55f926dec20300c07604889df997cc4913120acf87c9f1fac, found sha256:966cab8c19ff935c43caf7b17c64d5ea6e0a3c9bc34b5b9483c99b0d9b56c0c8
      added: new.txt
      removed: sub/b.txt
      changed: a.txt
    [exit 1]
    ");

    // A downloaded copy elsewhere.
    let copy = tempfile::tempdir().unwrap();
    std::fs::write(copy.path().join("model.bin"), "weights").unwrap();
    let run = repo.run(&[
        "verify",
        "m",
        "--path",
        copy.path().join("model.bin").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    std::fs::write(copy.path().join("model.bin"), "tampered").unwrap();
    let run = repo.run(&[
        "verify",
        "m",
        "--path",
        copy.path().join("model.bin").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("does not match m v0.0.1"),
        "{}",
        run.stderr
    );
}

#[test]
fn files_outside_git_are_hashed_from_the_work_tree() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "*.pkl\n");
    repo.write("model.pkl", "big weights");
    repo.run(&["annotate", "m", "--path", "model.pkl"]).ok();
    let first = repo.commit("declare");
    repo.commit("later");
    // Registering an older commit from the work tree says the bytes may not be that commit's.
    insta::assert_snapshot!(repo.t(&["register", "m", &first]), @"
    $ registry register m 15f64e67e7072a92303a5c863cd122fbabb5e3c4
    Created git tag 'm@v0.0.1' that registers version
    To push the changes upstream, run:
        git push origin m@v0.0.1
    --- stderr
    warning: 'model.pkl' is not in git; its digest comes from the work tree, which may not match the registered commit
    [exit 0]
    ");
    let msg = repo.git(&["tag", "-l", "--format=%(contents)", "m@v0.0.1"]);
    assert!(msg.contains("Artifact-Digest-Source: worktree"), "{msg}");
    // At HEAD there is nothing to warn about.
    let run = repo.run(&["register", "m"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (0, ""),
        "{}",
        run.transcript()
    );
}

#[test]
fn unversioned_artifacts_and_virtual_digests() {
    let repo = TestRepo::new();
    repo.run(&[
        "annotate",
        "emb",
        "--virtual",
        "--path",
        "s3://bucket/emb.npy",
    ])
    .ok();
    repo.commit("declare");
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌──────┬────────┐
    │ name ┆ latest │
    ╞══════╪════════╡
    │ *emb ┆ -      │
    └──────┴────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["register", "emb", "--digest", "sha256:nothex"]), @"
    $ registry register emb --digest sha256:nothex
    --- stderr
    error: invalid value 'sha256:nothex' for '--digest <sha256:HEX>': not sha256:<64 lower-case hex digits>

    For more information, try '--help'.
    [exit 2]
    ");
    let digest = format!("sha256:{}", "ab".repeat(32));
    repo.run(&["register", "emb", "--digest", &digest]).ok();
    let msg = repo.git(&["tag", "-l", "--format=%(contents)", "emb@v0.0.1"]);
    assert!(
        msg.contains(&format!(
            "Artifact-Digest: {digest}\nArtifact-Digest-Source: given"
        )),
        "{msg}"
    );
    insta::assert_snapshot!(repo.t(&["verify", "emb"]), @"
    $ registry verify emb
    --- stderr
    error: version v0.0.1 of 'emb' has no path in the work tree to check
    hint: give the copy to check with --path
    [exit 1]
    ");
    repo.run(&["register", "plain"]).ok();
    insta::assert_snapshot!(repo.t(&["verify", "plain"]), @"
    $ registry verify plain
    --- stderr
    error: version v0.0.1 of 'plain' has no recorded digest
    hint: register records one when the artifact's dvc.yaml or artifacts.yaml entry declares a `path`
    [exit 1]
    ");
}

#[test]
fn a_deprecated_artifact_declared_at_head_stays_deprecated_b5() {
    // GTO §14 B5: GTO resurrects it because HEAD's commit date is newer than the deprecation.
    let repo = TestRepo::new();
    repo.run(&["annotate", "old", "--type", "model"]).ok();
    repo.run(&["annotate", "fresh", "--type", "model"]).ok();
    repo.commit("declare");
    repo.run(&["register", "old"]).ok();
    repo.run(&["deprecate", "old"]).ok();
    repo.commit("a later commit, old still declared");
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌────────┬────────┐
    │ name   ┆ latest │
    ╞════════╪════════╡
    │ *fresh ┆ -      │
    └────────┴────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "-d", "--json"]), @r#"
    $ registry show -d --json
    {
        "old": {
            "version": "v0.0.1",
            "stage": {},
            "registered": true,
            "active": false
        },
        "fresh": {
            "version": null,
            "stage": {},
            "registered": false,
            "active": true
        }
    }
    [exit 0]
    "#);
}

#[test]
fn registry_yaml_stages_are_allowed_stages() {
    let repo = TestRepo::new();
    repo.write(
        ".registry.yaml",
        "stages: [dev, prod]\npromotion_order: [dev, prod]\nrequire_digest: false\n",
    );
    repo.commit("config");
    repo.run(&["register", "m"]).ok();
    insta::assert_snapshot!(repo.t(&["stages", "--allowed"]), @"
    $ registry stages --allowed
    dev
    prod
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["promote", "m", "qa"]), @"
    $ registry promote m qa
    --- stderr
    error: Allowed stages are: '['dev', 'prod']'
    hint: stage 'qa' is not in the `stages` list of the config (.gto or .registry.yaml)
    [exit 1]
    ");
    repo.write(".registry.yaml", "stages: [dev]\nretention: 3\n");
    let t = repo
        .t(&["stages", "--allowed"])
        .replace(&repo.path().display().to_string(), "<repo>");
    insta::assert_snapshot!(t, @"
    $ registry stages --allowed
    --- stderr
    error: Wrong config file '<repo>/.registry.yaml'
    hint: unknown key 'retention' (accepted: stages, types, promotion_order, require_digest, sign, signatures, authorize)
    [exit 1]
    ");
}
