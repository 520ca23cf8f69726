//! The examples' metric gate (issue 14, point 5): with `authorize.stages.prod.metrics` on the
//! default branch, both pipelines fail the check job for a prod promotion of the worse version
//! (its recorded `eval.auc` below the bar) and deploy nothing, while the better one deploys.
//! No signatures: a metric gate alone needs none.

use super::gate::{both, rejected};
use crate::fixture::TestRepo;
use crate::reads::ok;

/// The examples' prod gate (their header's `authorize.stages.prod.metrics`).
const GATE: &str = "authorize:\n  stages:\n    prod:\n      metrics: [\"eval.auc >= 0.9\"]\n";

/// churn v0.0.1 (auc 0.85) and v0.0.2 (auc 0.95), each promoted to prod (the worse one first:
/// the check judges the policy before whether a tag is the stage's current event), then the
/// gate lands on main, fetched as origin's. Returns the repository and the two prod tags.
fn scored_scene() -> (TestRepo, [String; 2]) {
    let repo = TestRepo::new();
    repo.write(
        "artifacts.yaml",
        "churn:\n  type: model\n  path: models/churn.pkl\n",
    );
    let mut prod = Vec::new();
    for (i, auc) in ["0.85", "0.95"].into_iter().enumerate() {
        repo.write("models/churn.pkl", &format!("weights {i}\n"));
        repo.commit(&format!("train {i}"));
        ok(
            &repo,
            &["register", "churn", "--metric", &format!("eval.auc={auc}")],
        );
        ok(&repo, &["promote", "churn", "prod"]);
        let tags = repo.git(&["tag", "-l", "churn#prod#*", "--sort=-creatordate"]);
        prod.push(tags.lines().next().unwrap().to_string());
    }
    repo.write(".registry.yaml", GATE);
    repo.commit("policy: prod needs eval.auc >= 0.9");
    repo.git(&["update-ref", "refs/remotes/origin/main", "main"]);
    (repo, prod.try_into().unwrap())
}

#[test]
fn both_examples_deploy_the_version_meeting_the_metric_gate_and_reject_the_worse() {
    let text = super::text(super::GITHUB) + &super::text(super::GITLAB);
    assert!(
        text.matches("authorize.stages.prod.metrics: [\"eval.auc >= 0.9\"]")
            .count()
            == 2,
        "both examples show the gate"
    );
    let (repo, [worse, better]) = scored_scene();
    for played in both(&repo, &worse) {
        rejected(
            &played,
            &format!(
                "tag '{worse}' gives prod to churn v0.0.1, which has eval.auc = 0.85, which fails the rule eval.auc >= 0.9 (authorize.stages.prod.metrics)"
            ),
        );
    }
    for played in both(&repo, &better) {
        assert_eq!(played.code, Some(0), "{}", played.stderr);
        assert!(played.wrote, "no outputs for the deploy job");
        assert_eq!(played.jobs, ["deploy"]);
    }
}
