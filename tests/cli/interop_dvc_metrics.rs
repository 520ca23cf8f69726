//! Real DVC 3.67 and `registry` read the same metrics (issue 14, point 6a): in a DVC project whose
//! `dvc.yaml` declares artifacts and top-level `metrics:` (a JSON, a YAML and a TOML file, with
//! nested keys, an int, a float, a string, a bool, and a list both leave out), the trailers
//! `registry register` records for each version equal `dvc metrics show --json -A` at that
//! version's commit, flattened with `.` (numbers compared numerically).
//!
//! `show churn --metrics --json` reports the same values for every version. A version GTO
//! registered records no trailers: its metrics are read from the files at its
//! commit (`metrics_source::at_commit`). That read is checked here through a second artifact of
//! the same `dvc.yaml` (the same top-level `metrics:` apply), which `registry` registers at
//! GTO's commit: what it records is what `at_commit` reads there.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::dvc_peer::{Dvc, dvc_or_skip};
use crate::fixture::TestRepo;
use crate::interop::{Gto, gto_or_skip};
use crate::metrics_sources::trailers;

const DVC_YAML: &str = "\
metrics:
- eval/metrics.json
- eval/params.yaml
- eval/size.toml
artifacts:
  churn:
    path: model.pkl
    type: model
  encoder:
    path: encoder.pt
    type: model
";

/// The files of model `i`: every kind of value DVC reads, and a list it leaves out.
fn write_metrics(repo: &TestRepo, i: u32) {
    repo.write("model.pkl", &format!("weights {i}\n"));
    repo.write("encoder.pt", &format!("encoder {i}\n"));
    repo.write(
        "eval/metrics.json",
        &format!(
            r#"{{"eval": {{"auc": 0.9{i}, "n": {}, "model": "resnet-{i}", "ok": {}, "curve": [0.1, 0.2]}}}}"#,
            1000 + i,
            i.is_multiple_of(2)
        ),
    );
    repo.write(
        "eval/params.yaml",
        &format!(
            "latency_ms: {}\ntrain:\n  loss: 0.{i}5\n  stage:\n    depth: {i}\n",
            40 + i
        ),
    );
    repo.write(
        "eval/size.toml",
        &format!("[size]\nmb = {i}2.5\nname = \"m{i}\"\n"),
    );
}

/// A DVC value flattened as its table does (`eval.auc`), into `out`.
fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, Value>) {
    if let Value::Object(map) = v {
        for (k, v) in map {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            flatten(&key, v, out);
        }
    } else {
        out.insert(prefix.to_string(), v.clone());
    }
}

/// What DVC shows at `commit` (from one `dvc metrics show --json -A`), flattened across its files.
fn dvc_at(all: &Value, commit: &str) -> BTreeMap<String, Value> {
    let files = &all[commit]["data"];
    assert!(files.is_object(), "no DVC metrics at {commit}: {all}");
    let mut out = BTreeMap::new();
    for (file, result) in files.as_object().unwrap() {
        assert!(
            result.get("error").is_none(),
            "DVC cannot read {file}: {result}"
        );
        flatten("", &result["data"], &mut out);
    }
    out
}

/// A tag's trailers as `key → JSON value`.
fn recorded(repo: &TestRepo, tag: &str) -> BTreeMap<String, Value> {
    trailers(repo, tag)
        .iter()
        .map(|l| {
            let (k, v) = l["Artifact-Metric: ".len()..].split_once('=').unwrap();
            (k.to_string(), serde_json::from_str(v).unwrap())
        })
        .collect()
}

#[track_caller]
fn assert_same(what: &str, dvc: &BTreeMap<String, Value>, ours: &BTreeMap<String, Value>) {
    let keys = |m: &BTreeMap<String, Value>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(dvc), keys(ours), "{what}: keys differ");
    for (k, d) in dvc {
        let o = &ours[k];
        match (d.as_f64(), o.as_f64()) {
            (Some(a), Some(b)) => assert!(
                (a - b).abs() <= f64::EPSILON * a.abs(),
                "{what}: {k}: DVC {d}, registry {o}"
            ),
            _ => assert_eq!(d, o, "{what}: {k}"),
        }
    }
}

#[test]
fn recorded_metrics_equal_dvc_metrics_show_at_each_commit() {
    let Some(bin) = dvc_or_skip("recorded_metrics_equal_dvc_metrics_show_at_each_commit") else {
        return;
    };
    let gto_bin = gto_or_skip("recorded_metrics_equal_dvc_metrics_show_at_each_commit");
    let repo = TestRepo::new();
    let dvc = Dvc::new(bin, &repo);
    dvc.run(&["init", "-q"]);
    repo.write("dvc.yaml", DVC_YAML);
    let mut versions: Vec<(String, String)> = Vec::new();
    for i in 1..=2 {
        write_metrics(&repo, i);
        let commit = repo.commit(&format!("model {i}"));
        repo.run(&["register", "churn"]).ok();
        versions.push((format!("churn@v0.0.{i}"), commit));
    }
    if let Some(gto_bin) = &gto_bin {
        write_metrics(&repo, 3);
        let commit = repo.commit("model 3");
        Gto::new(gto_bin.clone(), &repo).write(&["register", "churn"]);
        assert!(
            trailers(&repo, "churn@v0.0.3").is_empty(),
            "GTO records no metrics"
        );
        // What at_commit reads at GTO's commit, through an artifact of the same dvc.yaml.
        repo.run(&["register", "encoder", &commit]).ok();
        versions.push(("encoder@v0.0.1".into(), commit));
    }
    let all: Value = serde_json::from_str(&dvc.run(&["metrics", "show", "--json", "-A"]))
        .expect("dvc metrics show --json is JSON");
    for (tag, commit) in &versions {
        let ours = recorded(&repo, tag);
        assert!(ours.len() >= 9, "{tag} records {ours:?}");
        assert_same(tag, &dvc_at(&all, commit), &ours);
    }
    // What users read: `show churn --metrics --json` gives each version DVC's values at its
    // commit, the GTO-registered one's read from its files (`recorded: false`).
    let rows: Value =
        serde_json::from_str(repo.run(&["show", "churn", "--metrics", "--json"]).ok())
            .expect("show --metrics --json is JSON");
    let rows = rows.as_array().expect("a list of versions");
    let churn: Vec<_> = versions
        .iter()
        .filter(|(t, _)| t.starts_with("churn@"))
        .collect();
    let gto_commit = versions
        .iter()
        .find(|(t, _)| t == "encoder@v0.0.1")
        .map(|(_, c)| c);
    let mut shown = 0;
    for row in rows {
        let version = row["version"].as_str().unwrap();
        let commit = churn
            .iter()
            .find(|(t, _)| t.ends_with(&format!("@{version}")))
            .map(|(_, c)| c)
            .or(if version == "v0.0.3" {
                gto_commit
            } else {
                None
            })
            .unwrap_or_else(|| panic!("unexpected version {version}: {row}"));
        let ours: BTreeMap<String, Value> = row["metrics"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_same(
            &format!("show churn {version}"),
            &dvc_at(&all, commit),
            &ours,
        );
        assert_eq!(row["recorded"], version != "v0.0.3", "{row}");
        shown += 1;
    }
    assert_eq!(shown, churn.len() + usize::from(gto_commit.is_some()));
}
