//! `annotate --move-to`: a declaration moves between `artifacts.yaml` and `dvc.yaml`, fields
//! translated, old versions still reading the file they had; a move stopped between its two
//! writes is harmless and finishes when run again.

use super::{dvc_repo, read};

const GTO_ENTRY: &str = "\
# GTO's file.

churn:
  type: model
  path: models/churn.pkl
  labels: [tabular]
  description: Who leaves?
  custom:
    epochs: 3
";

#[test]
fn move_to_translates_both_ways_and_old_versions_still_read_their_file() {
    let repo = dvc_repo();
    repo.write("artifacts.yaml", GTO_ENTRY);
    repo.write("dvc.yaml", "stages:\n  train:\n    cmd: python train.py\n");
    repo.write("models/churn.pkl", "weights");
    repo.commit("declared in artifacts.yaml");
    repo.run(&["register", "churn"]).ok();

    let run = repo.run(&["annotate", "churn", "--move-to", "dvc.yaml"]);
    assert_eq!(run.ok(), "Moved 'churn' from artifacts.yaml to dvc.yaml\n");
    assert_eq!(read(&repo, "artifacts.yaml"), "# GTO's file.\n\n");
    assert_eq!(
        read(&repo, "dvc.yaml"),
        "stages:\n  train:\n    cmd: python train.py\nartifacts:\n  churn:\n    type: model\n    path: models/churn.pkl\n    labels: [tabular]\n    desc: \"Who leaves?\"\n    meta:\n      epochs: 3\n"
    );
    repo.commit("moved to dvc.yaml");
    // HEAD reads dvc.yaml; v0.0.1's commit still has its artifacts.yaml, which is what it reads.
    let head = repo.run(&["describe", "churn"]);
    let old = repo.run(&["describe", "churn@v0.0.1"]);
    assert_eq!(
        head.ok(),
        old.ok(),
        "the same declaration, from either file"
    );
    assert!(
        head.stdout.contains("\"description\": \"Who leaves?\""),
        "{}",
        head.stdout
    );
    assert_eq!(
        repo.git(&["show", "churn@v0.0.1:dvc.yaml"]),
        "stages:\n  train:\n    cmd: python train.py"
    );
    // Again: nothing to move.
    assert_eq!(
        repo.run(&["annotate", "churn", "--move-to", "dvc.yaml"])
            .ok(),
        "'churn' is declared in dvc.yaml already: nothing to move\n"
    );

    // And back, with a flag applied on the way: the files are as they were, plus the label.
    let run = repo.run(&[
        "annotate",
        "churn",
        "--move-to",
        "artifacts.yaml",
        "--label",
        "gbm",
    ]);
    assert_eq!(run.ok(), "Moved 'churn' from dvc.yaml to artifacts.yaml\n");
    assert_eq!(
        read(&repo, "dvc.yaml"),
        "stages:\n  train:\n    cmd: python train.py\n"
    );
    assert_eq!(
        read(&repo, "artifacts.yaml"),
        "# GTO's file.\n\nchurn:\n  type: model\n  path: models/churn.pkl\n  virtual: false\n  labels: [tabular, gbm]\n  description: \"Who leaves?\"\n  custom:\n    epochs: 3\n"
    );
}

#[test]
fn a_move_stopped_half_way_is_harmless_and_running_it_again_finishes_it() {
    // What a move leaves when stopped between its two writes: the same entry in both files.
    let repo = dvc_repo();
    repo.write("artifacts.yaml", GTO_ENTRY);
    repo.write(
        "dvc.yaml",
        "artifacts:\n  churn:\n    type: model\n    path: models/churn.pkl\n    labels: [tabular]\n    desc: Who leaves?\n    meta:\n      epochs: 3\n",
    );
    repo.commit("both");
    let describe = repo.run(&["describe", "churn", "--description"]);
    assert_eq!(describe.ok(), "Who leaves?\n");
    let run = repo.run(&["annotate", "churn", "--move-to", "dvc.yaml"]);
    assert_eq!(run.ok(), "Moved 'churn' from artifacts.yaml to dvc.yaml\n");
    assert!(
        run.stderr
            .contains("'churn' is declared in both dvc.yaml and artifacts.yaml"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&repo, "artifacts.yaml"), "# GTO's file.\n\n");

    // Entries that differ are not a stopped move: refused, nothing written.
    repo.write(
        "artifacts.yaml",
        GTO_ENTRY.replace("epochs: 3", "epochs: 4").as_str(),
    );
    let dvc_before = read(&repo, "dvc.yaml");
    let run = repo.run(&["annotate", "churn", "--move-to", "artifacts.yaml"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains(
            "error: 'churn' is declared in both dvc.yaml and artifacts.yaml, differently"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(read(&repo, "dvc.yaml"), dvc_before);
    assert!(read(&repo, "artifacts.yaml").contains("epochs: 4"));

    // remove takes both (artifacts.yaml first), or only the file --file names.
    assert_eq!(
        repo.run(&["remove", "churn", "--file", "artifacts.yaml"])
            .ok(),
        "Removed 'churn' from artifacts.yaml\n"
    );
    repo.write("artifacts.yaml", GTO_ENTRY);
    assert_eq!(
        repo.run(&["remove", "churn"]).ok(),
        "Removed 'churn' from dvc.yaml and artifacts.yaml\n"
    );
    assert_eq!(read(&repo, "dvc.yaml"), "");
}

#[test]
fn a_move_to_dvc_yaml_needs_a_path_which_a_flag_may_bring() {
    let repo = dvc_repo();
    repo.write("artifacts.yaml", "churn:\n  type: model\n");
    let run = repo.run(&["annotate", "churn", "--move-to", "dvc.yaml"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .starts_with("error: 'churn' has no path, which DVC requires of an entry in dvc.yaml"),
        "{}",
        run.transcript()
    );
    assert!(!repo.path().join("dvc.yaml").exists());
    assert_eq!(read(&repo, "artifacts.yaml"), "churn:\n  type: model\n");
    let run = repo.run(&[
        "annotate",
        "churn",
        "--move-to",
        "dvc.yaml",
        "--path",
        "models/churn.pkl",
    ]);
    assert_eq!(run.ok(), "Moved 'churn' from artifacts.yaml to dvc.yaml\n");
    assert_eq!(
        read(&repo, "dvc.yaml"),
        "artifacts:\n  churn:\n    type: model\n    path: models/churn.pkl\n"
    );
    assert_eq!(read(&repo, "artifacts.yaml"), "");
}

/// A real stop between the two writes: registry runs with a file-size limit (`ulimit -f`, with
/// SIGXFSZ ignored so the write fails with EFBIG instead of killing it) that the small new
/// dvc.yaml fits under and the old artifacts.yaml, padded with a long comment, does not. Unlike
/// a read-only directory, the limit holds for root too, so the test runs everywhere.
#[test]
fn a_move_whose_second_write_fails_leaves_a_harmless_double_declaration() {
    let repo = dvc_repo();
    let padded = format!("{GTO_ENTRY}# {}\n", "padding ".repeat(1024));
    repo.write("artifacts.yaml", &padded);
    let out = repo
        .command(std::path::Path::new("sh"), &repo.path())
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 4; exec \"$0\" \"$@\"")
        .arg(crate::fixture::registry_bin())
        .args(["annotate", "churn", "--move-to", "dvc.yaml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "error: 'churn' is now in dvc.yaml, but removing it from artifacts.yaml failed: "
        ) && stderr.contains("File too large")
            && stderr.contains("hint: run the same command again to finish the move"),
        "{stderr}"
    );
    assert!(read(&repo, "dvc.yaml").contains("  churn:\n"));
    assert_eq!(read(&repo, "artifacts.yaml"), padded);
    repo.commit("a move stopped half-way");
    let describe = repo.run(&["describe", "churn", "--description"]);
    assert_eq!(describe.ok(), "Who leaves?\n");
    let run = repo.run(&["annotate", "churn", "--move-to", "dvc.yaml"]);
    assert_eq!(run.ok(), "Moved 'churn' from artifacts.yaml to dvc.yaml\n");
    assert!(!read(&repo, "artifacts.yaml").contains("churn:"));
}

#[test]
fn a_move_into_a_file_that_cannot_be_edited_safely_writes_neither_file() {
    let repo = dvc_repo();
    repo.write("artifacts.yaml", GTO_ENTRY);
    let flow = "stages: {}\nartifacts: {emb: {path: e.npy}}\n";
    repo.write("dvc.yaml", flow);
    let run = repo.run(&["annotate", "churn", "--move-to", "dvc.yaml"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.starts_with(
            "error: cannot edit dvc.yaml safely: `artifacts:` at dvc.yaml:2 is written in flow style"
        ),
        "{}",
        run.transcript()
    );
    assert_eq!(read(&repo, "dvc.yaml"), flow);
    assert_eq!(read(&repo, "artifacts.yaml"), GTO_ENTRY);
}
