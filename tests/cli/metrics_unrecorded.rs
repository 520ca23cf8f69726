//! Versions whose registration recorded no metrics (made by GTO, or before `Artifact-Metric`
//! existed) show the values their metrics files hold at the version's commit, marked as not
//! recorded, in `show --metrics`, `compare` and the gate (issue 14, point 2).

use crate::fixture::TestRepo;
use crate::reads::tag;

/// `churn` declared with `metrics: [eval/metrics.json]`; v1.0.0 and v1.1.0 tagged by plain
/// git as GTO tags them (no trailers), at commits whose files say auc 0.95 and 0.80; HEAD's file
/// says something else again, which must not count for either.
fn scene() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "artifacts.yaml",
        "churn:\n  path: model.pkl\n  metrics: [eval/metrics.json]\n",
    );
    repo.write("model.pkl", "a");
    repo.write("eval/metrics.json", r#"{"eval": {"auc": 0.95}}"#);
    let c1 = repo.commit("auc 0.95");
    repo.write("model.pkl", "b");
    repo.write("eval/metrics.json", r#"{"eval": {"auc": 0.80}}"#);
    let c2 = repo.commit("auc 0.80");
    tag(&repo, "churn@v1.0.0", &c1);
    tag(&repo, "churn@v1.1.0", &c2);
    repo.write("eval/metrics.json", r#"{"eval": {"auc": 0.5}}"#);
    repo.commit("head");
    repo
}

#[test]
fn show_reads_each_unrecorded_versions_files_at_its_commit_and_says_so() {
    let repo = scene();
    let run = repo.run(&["show", "churn", "--metrics", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    let by = |v: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["version"] == v)
            .unwrap()
            .clone()
    };
    assert_eq!(by("v1.0.0")["metrics"]["eval.auc"], 0.95);
    assert_eq!(by("v1.1.0")["metrics"]["eval.auc"], 0.8);
    assert_eq!(by("v1.0.0")["recorded"], false);
    let run = repo.run(&["show", "churn", "--metrics"]);
    assert!(run.ok().contains("0.95"), "{}", run.transcript());
    assert!(
        run.stderr.contains("not recorded at registration"),
        "{}",
        run.transcript()
    );
    assert!(run.stderr.contains("v1.0.0"), "{}", run.transcript());
}

#[test]
fn the_gate_judges_an_unrecorded_version_by_its_commits_files() {
    let repo = scene();
    repo.write(
        ".registry.yaml",
        "authorize:\n  stages:\n    prod:\n      metrics: [\"eval.auc >= 0.9\"]\n",
    );
    repo.commit("gate");
    let run = repo.run(&["promote", "churn@v1.1.0", "prod"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("eval.auc = 0.8") && run.stderr.contains("not recorded"),
        "{}",
        run.transcript()
    );
    repo.run(&["promote", "churn@v1.0.0", "prod"]).ok();
    let run = repo.run(&["compare", "churn", "v1.1.0", "#prod", "--json"]);
    let out: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(out["versions"][1]["metrics"]["eval.auc"], 0.95, "{out}");
    assert_eq!(out["versions"][1]["recorded"], false, "{out}");
}
