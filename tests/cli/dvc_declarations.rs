//! `annotate` and `remove` on `dvc.yaml` (issue 11, points 2 and 5): edits of files as DVC writes
//! them, byte for byte; which file a name goes to; refusals that leave the file alone. Moves
//! between the two files are in `moves.rs`, real DVC reading what registry wrote in
//! `real_dvc.rs`.

mod moves;
mod real_dvc;

use std::process::Command;

use crate::fixture::TestRepo;

/// A `dvc.yaml` as DVC and a person write it: stages with cmd/deps/params/outs/metrics/plots,
/// top-level params, metrics and plots, comments and a block scalar.
pub(crate) const DVC_YAML: &str = "\
# Pipeline of the churn team.
stages:
  prepare:
    cmd: python prepare.py data/raw.csv
    deps:
    - data/raw.csv
    - prepare.py
    outs:
    - data/prepared
  train:
    cmd: >-
      python train.py
      --epochs 3
    deps:
    - data/prepared
    - train.py
    params:
    - train.epochs
    outs:
    - models/churn.pkl
    metrics:
    - metrics.json:
        cache: false
    plots:
    - loss.csv:
        x: step
params:
- params.yaml
metrics:
- metrics.json
plots:
- loss.csv
# Artifacts, for Studio.
artifacts:
  churn:   # the main model
    path: models/churn.pkl
    type: model
    desc: |
      Who leaves?

      Trained weekly.
    labels:
    - tabular
";

pub(crate) fn read(repo: &TestRepo, rel: &str) -> String {
    std::fs::read_to_string(repo.path().join(rel)).unwrap()
}

pub(crate) fn dvc_repo() -> TestRepo {
    let repo = TestRepo::new();
    std::fs::create_dir(repo.path().join(".dvc")).unwrap();
    repo.write(".dvc/config", "");
    repo
}

#[test]
fn edits_of_a_dvc_written_file_change_only_their_lines() {
    let repo = dvc_repo();
    repo.write("dvc.yaml", DVC_YAML);
    let run = repo.run(&[
        "annotate",
        "churn",
        "--description",
        "Churn, v2",
        "--custom",
        "owner=ana",
    ]);
    assert_eq!(run.ok(), "Updated 'churn' in dvc.yaml\n");
    let updated = DVC_YAML.replace(
        "    desc: |\n      Who leaves?\n\n      Trained weekly.\n    labels:\n    - tabular\n",
        "    desc: \"Churn, v2\"\n    labels:\n    - tabular\n    meta:\n      owner: ana\n",
    );
    assert_eq!(read(&repo, "dvc.yaml"), updated);

    // A new entry goes at the end of the section, in DVC's names, no `virtual:`.
    let run = repo.run(&[
        "annotate",
        "forecast",
        "--type",
        "model",
        "--path",
        "models/f.pkl",
        "--description",
        "d",
    ]);
    assert_eq!(run.ok(), "Added 'forecast' in dvc.yaml\n");
    let added =
        format!("{updated}  forecast:\n    type: model\n    path: models/f.pkl\n    desc: d\n");
    assert_eq!(read(&repo, "dvc.yaml"), added);

    // Remove takes the entry and nothing else; the last one takes `artifacts:` with it.
    assert_eq!(
        repo.run(&["remove", "forecast"]).ok(),
        "Removed 'forecast' from dvc.yaml\n"
    );
    assert_eq!(read(&repo, "dvc.yaml"), updated);
    repo.run(&["remove", "churn"]).ok();
    let without = &DVC_YAML[..DVC_YAML.find("artifacts:").unwrap()];
    assert_eq!(read(&repo, "dvc.yaml"), without);
    insta::assert_snapshot!(repo.t(&["remove", "churn"]), @"
    $ registry remove churn
    --- stderr
    error: Cannot find artifact 'churn' in dvc.yaml
    [exit 1]
    ");
}

#[test]
fn a_new_name_goes_to_dvc_yaml_in_a_dvc_repository_unless_file_says_otherwise() {
    let plain = TestRepo::new();
    assert_eq!(
        plain.run(&["annotate", "churn", "--path", "m.pkl"]).ok(),
        "Added 'churn' in artifacts.yaml\n"
    );
    assert!(!plain.path().join("dvc.yaml").exists());
    assert_eq!(
        plain
            .run(&["annotate", "emb", "--path", "e.npy", "--file", "dvc.yaml"])
            .ok(),
        "Added 'emb' in dvc.yaml\n"
    );
    assert_eq!(
        read(&plain, "dvc.yaml"),
        "artifacts:\n  emb:\n    path: e.npy\n"
    );

    let dvc = dvc_repo();
    dvc.write("dvc.yaml", "stages:\n  train:\n    cmd: python train.py\n");
    assert_eq!(
        dvc.run(&["annotate", "churn", "--path", "m.pkl"]).ok(),
        "Added 'churn' in dvc.yaml\n"
    );
    assert_eq!(
        read(&dvc, "dvc.yaml"),
        "stages:\n  train:\n    cmd: python train.py\nartifacts:\n  churn:\n    path: m.pkl\n"
    );
    assert_eq!(
        dvc.run(&[
            "annotate",
            "legacy",
            "--path",
            "l.pkl",
            "--file",
            "artifacts.yaml"
        ])
        .ok(),
        "Added 'legacy' in artifacts.yaml\n"
    );
    // An existing name stays where it is; --file naming the other file points at --move-to.
    let before = read(&dvc, "dvc.yaml");
    insta::assert_snapshot!(dvc.t(&["annotate", "churn", "--type", "model", "--file", "artifacts.yaml"]), @"
    $ registry annotate churn --type model --file artifacts.yaml
    --- stderr
    error: 'churn' is declared in dvc.yaml, not in artifacts.yaml
    hint: to move the declaration there, run `registry annotate churn --move-to artifacts.yaml`
    [exit 1]
    ");
    assert_eq!(read(&dvc, "dvc.yaml"), before);
    insta::assert_snapshot!(dvc.t(&["annotate", "churn", "--file", "params.yaml"]), @"
    $ registry annotate churn --file params.yaml
    --- stderr
    error: invalid value 'params.yaml' for '--file <FILE>': 'params.yaml' is no declaration file; give dvc.yaml or artifacts.yaml (the file of the artifact's directory)

    For more information, try '--help'.
    [exit 2]
    ");
}

#[test]
fn a_monorepo_name_lives_in_its_directorys_dvc_yaml() {
    let repo = dvc_repo();
    repo.write(
        "sub/dvc.yaml",
        "stages:\n  cv:\n    cmd: python cv.py\n    outs:\n    - cv.pt\n",
    );
    repo.write("sub/cv.pt", "tensor");
    let run = repo.run(&["annotate", "sub:cv", "--type", "model", "--path", "cv.pt"]);
    assert_eq!(run.ok(), "Added 'sub:cv' in sub/dvc.yaml\n");
    assert_eq!(
        read(&repo, "sub/dvc.yaml"),
        "stages:\n  cv:\n    cmd: python cv.py\n    outs:\n    - cv.pt\nartifacts:\n  cv:\n    type: model\n    path: cv.pt\n"
    );
    assert!(!repo.path().join("dvc.yaml").exists());
    repo.commit("cv");
    assert_eq!(repo.run(&["describe", "sub:cv", "--path"]).ok(), "cv.pt\n");
    assert_eq!(
        repo.run(&["remove", "sub:cv"]).ok(),
        "Removed 'sub:cv' from sub/dvc.yaml\n"
    );
    assert_eq!(
        read(&repo, "sub/dvc.yaml"),
        "stages:\n  cv:\n    cmd: python cv.py\n    outs:\n    - cv.pt\n"
    );
}

#[test]
fn what_cannot_be_edited_safely_is_refused_and_the_file_left_alone() {
    let repo = dvc_repo();
    let cases: [(&str, &[&str], &str); 5] = [
        (
            "stages: {}\nartifacts: {churn: {path: m.pkl}}\n",
            &["annotate", "churn", "--type", "model"],
            "error: cannot edit dvc.yaml safely: `artifacts:` at dvc.yaml:2 is written in flow style",
        ),
        (
            "artifacts:\n  churn:\n    path: [m.pkl]\n",
            &["annotate", "churn", "--type", "model"],
            "error: dvc.yaml:3: 'artifacts.churn.path' must be a string",
        ),
        (
            "artifacts:\n  churn:\n    path: m.pkl\n",
            &["annotate", "churn", "--virtual"],
            "error: --virtual needs a URL path for 'churn' in dvc.yaml",
        ),
        (
            "stages:\n  train:\n    cmd: x\n",
            &["annotate", "churn", "--type", "model"],
            "error: 'churn' would be a new entry of dvc.yaml without a path, which DVC requires",
        ),
        (
            "artifacts:\n  churn:\n    path: m.pkl\n    owner: ana\n",
            &["annotate", "churn", "--move-to", "artifacts.yaml"],
            "error: 'churn' has fields the other file's schema does not know: owner",
        ),
    ];
    for (text, args, wanted) in cases {
        repo.write("dvc.yaml", text);
        let run = repo.run(args);
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(run.stderr.starts_with(wanted), "{}", run.transcript());
        assert_eq!(read(&repo, "dvc.yaml"), text);
        assert!(!repo.path().join("artifacts.yaml").exists());
    }
    // A URL path is virtual in dvc.yaml, with or without --virtual.
    repo.write("dvc.yaml", "");
    repo.run(&[
        "annotate",
        "emb",
        "--virtual",
        "--path",
        "s3://bucket/emb.npy",
    ])
    .ok();
    assert_eq!(
        read(&repo, "dvc.yaml"),
        "artifacts:\n  emb:\n    path: \"s3://bucket/emb.npy\"\n"
    );
    repo.run(&["annotate", "raw", "--path", "https://example.com/raw.csv"])
        .ok();
    assert!(
        read(&repo, "dvc.yaml").ends_with("  raw:\n    path: \"https://example.com/raw.csv\"\n")
    );
    // A FIFO is not read (it would block), and nothing is written.
    std::fs::remove_file(repo.path().join("dvc.yaml")).unwrap();
    let fifo = repo.path().join("dvc.yaml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let run = crate::fixture::run_timed(&repo, &["annotate", "churn", "--path", "m.pkl"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("dvc.yaml"), "{}", run.transcript());
}

#[test]
fn a_linked_dvc_yaml_is_edited_at_its_target_and_a_double_declaration_edits_dvc_yaml() {
    let repo = dvc_repo();
    repo.write("pipelines/dvc.yaml", "stages:\n  t:\n    cmd: x\n");
    std::os::unix::fs::symlink("pipelines/dvc.yaml", repo.path().join("dvc.yaml")).unwrap();
    repo.run(&["annotate", "churn", "--path", "m.pkl"]).ok();
    assert!(
        repo.path()
            .join("dvc.yaml")
            .symlink_metadata()
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        read(&repo, "pipelines/dvc.yaml"),
        "stages:\n  t:\n    cmd: x\nartifacts:\n  churn:\n    path: m.pkl\n"
    );
    repo.write("artifacts.yaml", "churn:\n  path: other.pkl\n");
    let run = repo.run(&["annotate", "churn", "--type", "model"]);
    assert_eq!(run.ok(), "Updated 'churn' in dvc.yaml\n");
    assert!(
        run.stderr.contains("warning: 'churn' is declared in both dvc.yaml and artifacts.yaml in the work tree; registry reads dvc.yaml"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&repo, "artifacts.yaml"), "churn:\n  path: other.pkl\n");
}
