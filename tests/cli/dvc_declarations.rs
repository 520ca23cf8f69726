//! `annotate` and `remove` on `dvc.yaml` (issue 11, points 2 and 5): edits of files as DVC writes
//! them, byte for byte; which file a name goes to; `--move-to` both ways with history still
//! readable; refusals that leave the file alone; and real DVC reading what registry wrote.
//!
//! DVC is found through `REGISTRY_DVC` (path to the executable), else `dvc` on PATH; without it
//! the DVC test prints `SKIPPED` and passes, unless `REGISTRY_REQUIRE_DVC=1` (CI). (A minimal
//! finder of its own until the interop tests' shared one lands.)

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fixture::TestRepo;

/// A `dvc.yaml` as DVC and a person write it: stages with cmd/deps/params/outs/metrics/plots,
/// top-level params, metrics and plots, comments and a block scalar.
const DVC_YAML: &str = "\
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

fn read(repo: &TestRepo, rel: &str) -> String {
    std::fs::read_to_string(repo.path().join(rel)).unwrap()
}

fn dvc_repo() -> TestRepo {
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

// ------------------------------------------------------------------------------------------------
// Real DVC reads what registry wrote.

/// A visible notice that a test did not run (test output is captured, stderr of the process is
/// not).
fn skipped(msg: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{msg}");
}

/// The `dvc` to run, or why there is none.
fn find_dvc() -> Result<PathBuf, String> {
    let candidate = match std::env::var_os("REGISTRY_DVC") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from("dvc"),
    };
    match Command::new(&candidate)
        .arg("--version")
        .env("DVC_NO_ANALYTICS", "1")
        .output()
    {
        Ok(out) if out.status.success() => Ok(candidate),
        Ok(out) => Err(format!(
            "`{} --version` failed: {}",
            candidate.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Err(format!("cannot run `{}`: {e}", candidate.display())),
    }
}

/// `dvc ARGS` in the repository, hermetic: its own HOME, config and cache dirs, no analytics.
fn dvc(repo: &TestRepo, exe: &Path, args: &[&str]) -> String {
    let out = repo
        .command(exe, &repo.path())
        .env("DVC_NO_ANALYTICS", "1")
        .env("DVC_SITE_CACHE_DIR", repo.home().join("dvc-site"))
        .env("DVC_GLOBAL_CONFIG_DIR", repo.home().join("dvc-global"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "dvc {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn real_dvc_reads_the_declarations_registry_wrote() {
    let exe = match find_dvc() {
        Ok(exe) => exe,
        Err(why) => {
            assert!(
                std::env::var("REGISTRY_REQUIRE_DVC").as_deref() != Ok("1"),
                "REGISTRY_REQUIRE_DVC=1 and dvc not found: {why}"
            );
            skipped(&format!(
                "SKIPPED dvc_declarations: {why} (set REGISTRY_DVC)"
            ));
            return;
        }
    };
    let repo = TestRepo::new();
    dvc(&repo, &exe, &["init", "-q"]);
    repo.write("dvc.yaml", DVC_YAML);
    repo.write("models/churn.pkl", "weights v1");
    repo.write("sub/dvc.yaml", "stages:\n  cv:\n    cmd: python cv.py\n");
    repo.write("sub/cv.pt", "tensor");
    repo.run(&[
        "annotate",
        "churn",
        "--description",
        "Churn, v2",
        "--custom",
        "epochs=3",
        "--label",
        "gbm",
    ])
    .ok();
    repo.run(&["annotate", "sub:cv", "--type", "model", "--path", "cv.pt"])
        .ok();
    repo.write(
        "artifacts.yaml",
        "legacy:\n  type: model\n  path: models/churn.pkl\n",
    );
    repo.run(&["annotate", "legacy", "--move-to", "dvc.yaml"])
        .ok();
    repo.commit("declared");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["register", "sub:cv"]).ok();

    // DVC's own reading of every dvc.yaml: the fields registry wrote, in DVC's names.
    let out = repo.home().join("got.pkl");
    dvc(
        &repo,
        &exe,
        &[
            "artifacts",
            "get",
            ".",
            "churn",
            "--rev",
            "v0.0.1",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "weights v1");
    let out = repo.home().join("cv.pt");
    dvc(
        &repo,
        &exe,
        &[
            "artifacts",
            "get",
            ".",
            "sub:cv",
            "--rev",
            "v0.0.1",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "tensor");
    let python = std::fs::read_to_string(&exe).ok().and_then(|s| {
        s.lines()
            .next()
            .and_then(|l| l.strip_prefix("#!"))
            .map(str::to_string)
    });
    let Some(python) = python.filter(|p| Path::new(p).exists()) else {
        skipped(&format!(
            "SKIPPED dvc_declarations (Repo.artifacts.read): no python next to {}",
            exe.display()
        ));
        return;
    };
    const READ: &str = "import json\nfrom dvc.repo import Repo\nr = Repo('.')\nprint(json.dumps({f: {k: v.to_dict() for k, v in a.items()} for f, a in r.artifacts.read().items()}, sort_keys=True))";
    let json = repo
        .command(Path::new(&python), &repo.path())
        .env("DVC_NO_ANALYTICS", "1")
        .env("DVC_SITE_CACHE_DIR", repo.home().join("dvc-site"))
        .env("DVC_GLOBAL_CONFIG_DIR", repo.home().join("dvc-global"))
        .args(["-c", READ])
        .output()
        .unwrap();
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        got,
        serde_json::json!({
            "dvc.yaml": {
                "churn": {"path": "models/churn.pkl", "type": "model", "desc": "Churn, v2", "labels": ["tabular", "gbm"], "meta": {"epochs": 3}},
                "legacy": {"path": "models/churn.pkl", "type": "model"},
            },
            "sub/dvc.yaml": {"cv": {"path": "cv.pt", "type": "model"}},
        })
    );
}
