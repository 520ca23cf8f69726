//! A DVC user's repository, read: artifacts declared in `dvc.yaml` (root and `sub/dvc.yaml`)
//! show up in `show`, `describe`, `check-ref` (`--json` and the CI outputs), `register`'s
//! provenance, `verify`, `diff` and `doctor`; the precedence when both files declare a name;
//! templated fields; a malformed `dvc.yaml` refused with its line and field, nothing written.
//! (DVC itself is not needed here: these are the files as DVC users write them.)

use crate::check_ref_format::parse_github_output;
use crate::fixture::TestRepo;

const DVC_YAML: &str = "\
stages:
  train:
    cmd: python train.py
    deps:
      - train.py
    params:
      - train.lr
metrics:
  - metrics.json
artifacts:
  churn:
    path: models/churn.pkl
    type: model
    desc: Who leaves next month
    labels: [tabular]
    meta: {framework: xgboost}
  tuned:
    path: ${model_dir}/tuned.pkl
    type: model
";

const SUB_DVC_YAML: &str = "\
artifacts:
  resnet:
    path: weights/resnet.pt
    type: model
    desc: Images
";

/// A DVC-style repository: `.dvc/config`, a root dvc.yaml and sub/dvc.yaml, models in git.
fn dvc_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(".dvc/config", "[core]\n    remote = local\n");
    repo.write("dvc.yaml", DVC_YAML);
    repo.write("sub/dvc.yaml", SUB_DVC_YAML);
    repo.write("models/churn.pkl", "weights v1\n");
    repo.write("sub/weights/resnet.pt", "resnet v1\n");
    repo.commit("models and their dvc.yaml");
    repo
}

#[test]
fn every_reader_sees_dvc_yaml_declarations() {
    let repo = dvc_repo();
    let show = repo.run(&["show", "--json"]);
    let json: serde_json::Value = serde_json::from_str(show.ok()).unwrap();
    for name in ["churn", "tuned", "sub:resnet"] {
        assert!(json.get(name).is_some(), "{name}: {}", show.transcript());
    }

    let d = repo.run(&["describe", "churn"]);
    let entry: serde_json::Value = serde_json::from_str(d.ok()).unwrap();
    assert_eq!(
        entry,
        serde_json::json!({
            "path": "models/churn.pkl",
            "type": "model",
            "description": "Who leaves next month",
            "labels": ["tabular"],
            "custom": {"framework": "xgboost"},
        })
    );
    assert_eq!(
        repo.run(&["describe", "sub:resnet", "--path"]).ok(),
        "weights/resnet.pt\n"
    );

    // A templated field is left out, with a warning naming file, line and field; the rest stays.
    let t = repo.run(&["describe", "tuned", "--type"]);
    assert_eq!(t.ok(), "model\n");
    assert!(
        t.stderr.contains("dvc.yaml at ")
            && t.stderr
                .contains(":18: 'artifacts.tuned.path' is templated"),
        "{}",
        t.transcript()
    );

    // register records the digest of the path dvc.yaml declares; verify checks it.
    repo.run(&["register", "churn"]).ok();
    repo.run(&["register", "sub:resnet"]).ok();
    let msg = repo.git(&["tag", "-l", "--format=%(contents)", "churn@v0.0.1"]);
    assert!(msg.contains("Artifact-Path: models/churn.pkl\n"), "{msg}");
    let msg = repo.git(&["tag", "-l", "--format=%(contents)", "sub=resnet@v0.0.1"]);
    assert!(msg.contains("Artifact-Path: weights/resnet.pt\n"), "{msg}");
    assert!(repo.run(&["verify", "churn"]).ok().starts_with("OK: "));
    assert!(repo.run(&["verify", "sub:resnet"]).ok().starts_with("OK: "));

    // check-ref: the CI outputs and --json carry type, path and description.
    let j = repo.run(&["check-ref", "churn@v0.0.1", "--json"]);
    let j: serde_json::Value = serde_json::from_str(j.ok()).unwrap();
    assert_eq!(j["type"], "model");
    assert_eq!(j["path"], "models/churn.pkl");
    assert_eq!(j["description"], "Who leaves next month");
    let out = repo.path().join("outputs.txt");
    let r = repo.run_with(
        &["check-ref", "sub=resnet@v0.0.1", "--format", "github"],
        |c| {
            c.env("GITHUB_OUTPUT", &out);
        },
    );
    r.ok();
    let written: std::collections::HashMap<String, String> =
        parse_github_output(&std::fs::read_to_string(&out).unwrap())
            .unwrap()
            .into_iter()
            .collect();
    for (key, value) in [
        ("type", "model"),
        ("path", "weights/resnet.pt"),
        ("description", "Images"),
        ("name", "sub:resnet"),
    ] {
        assert_eq!(
            written.get(key).map(String::as_str),
            Some(value),
            "{written:?}"
        );
    }

    // diff reads the entry at each version from dvc.yaml.
    repo.write(
        "dvc.yaml",
        &DVC_YAML.replace("Who leaves next month", "Who leaves soon"),
    );
    repo.write("models/churn.pkl", "weights v2\n");
    repo.commit("v2");
    repo.run(&["register", "churn"]).ok();
    let diff = repo.run(&["diff", "churn", "v0.0.1", "v0.0.2"]);
    let text = diff.ok();
    assert!(
        text.contains(
            "dvc.yaml entry:\n  description: \"Who leaves next month\" -> \"Who leaves soon\"\n"
        ),
        "{text}"
    );

    // doctor counts the dvc.yaml files and finds nothing wrong.
    let doc = repo.run(&["doctor"]);
    assert!(
        doc.ok().contains("0 artifacts.yaml and 2 dvc.yaml files"),
        "{}",
        doc.transcript()
    );
}

#[test]
fn dvc_yaml_outranks_artifacts_yaml_and_doctor_reports_both() {
    let repo = dvc_repo();
    repo.write(
        "artifacts.yaml",
        "churn:\n  path: models/old.pkl\n  type: model\nlegacy:\n  path: models/legacy.pkl\n",
    );
    repo.commit("an old artifacts.yaml too");
    let d = repo.run(&["describe", "churn", "--path"]);
    assert_eq!(d.ok(), "models/churn.pkl\n");
    assert!(
        d.stderr.contains("'churn' is declared in both dvc.yaml and artifacts.yaml at ")
            && d.stderr.contains("registry reads dvc.yaml (what DVC and Studio read) and ignores the artifacts.yaml entry"),
        "{}",
        d.transcript()
    );
    let doc = repo.run(&["doctor"]);
    assert_eq!(doc.code, 1, "{}", doc.transcript());
    let t = doc.stdout;
    assert!(t.contains("1 artifacts.yaml and 2 dvc.yaml files"), "{t}");
    assert!(
        t.contains("problem: 'churn' is declared in both dvc.yaml and artifacts.yaml")
            && t.contains(
                "fix: delete 'churn' from artifacts.yaml, keeping what it says in dvc.yaml"
            ),
        "{t}"
    );
    // In a DVC repository, an artifacts.yaml-only entry is invisible to DVC.
    assert!(
        t.contains("problem: 'legacy' is declared in artifacts.yaml only, which DVC does not read: `dvc artifacts get` and Studio cannot find it (ArtifactNotFoundError)")
            && t.contains("fix: move it: `registry annotate --move-to dvc.yaml legacy`, then commit"),
        "{t}"
    );
}

#[test]
fn a_malformed_dvc_yaml_is_named_with_line_and_field_and_nothing_is_written() {
    let repo = dvc_repo();
    repo.write(
        "dvc.yaml",
        &DVC_YAML.replace("    labels: [tabular]\n", "    labels: tabular\n"),
    );
    repo.commit("a broken dvc.yaml");
    let r = repo.run(&["register", "churn"]);
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stderr.contains(":15: 'artifacts.churn.labels' must be a list (dvc.yaml does not conform to DVC's artifacts schema)"),
        "{}",
        r.transcript()
    );
    assert_eq!(repo.git(&["tag", "-l"]), "");
    let out = repo.path().join("outputs.txt");
    repo.run(&["register", "sub:resnet"]).ok();
    let r = repo.run_with(
        &["check-ref", "sub=resnet@v0.0.1", "--format", "github"],
        |c| {
            c.env("GITHUB_OUTPUT", &out);
        },
    );
    // sub:resnet reads sub/dvc.yaml only: the broken root file is not its declaration.
    r.ok();
    let doc = repo.run(&["doctor"]);
    assert!(
        doc.stdout
            .contains("problem: dvc.yaml:15: 'artifacts.churn.labels' must be a list"),
        "{}",
        doc.transcript()
    );
}

#[test]
fn registering_an_undeclared_name_in_a_dvc_repository_says_where_to_declare_it() {
    let repo = dvc_repo();
    let r = repo.run(&["register", "sub:forecast"]);
    r.ok();
    assert!(
        r.stderr.contains("warning: 'sub:forecast' is declared in no dvc.yaml or artifacts.yaml at ")
            && r.stderr.contains("hint: declare it in sub/dvc.yaml: `registry annotate sub:forecast --path PATH --file dvc.yaml`"),
        "{}",
        r.transcript()
    );
    // Outside a DVC repository nothing changes.
    let plain = TestRepo::new();
    plain.write("a.txt", "a\n");
    plain.commit("a");
    let r = plain.run(&["register", "m"]);
    assert_eq!(r.stderr, "", "{}", r.transcript());
}
