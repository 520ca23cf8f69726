//! The stage gate on metrics (issue 14, point 5): `authorize.stages.prod.metrics` in
//! `.registry.yaml` refuses `assign`/`promote` of a version below the bar (exit 1, nothing
//! written, `--force` or not), fails such a tag under `check-ref --policy` and shows the verdict
//! in `audit`. Versions get their metrics from `register --metric`.

use crate::fixture::{Run, TestRepo};

const GATE: &str = "\
authorize:
  stages:
    prod:
      metrics: [\"eval.auc >= 0.9\", \"latency_ms < 50\"]
";

/// churn v1.0.0 (auc 0.85, below the bar) and v1.1.0 (auc 0.95), each with its latency, then
/// `policy` committed on main.
fn two_versions(policy: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("model.bin", "one");
    repo.commit("first model");
    register(&repo, "v1.0.0", &["eval.auc=0.85", "latency_ms=41"]);
    repo.write("model.bin", "two");
    repo.commit("better model");
    register(&repo, "v1.1.0", &["eval.auc=0.95", "latency_ms=38"]);
    repo.write(".registry.yaml", policy);
    repo.commit("gate prod on metrics");
    repo
}

fn register(repo: &TestRepo, version: &str, metrics: &[&str]) {
    let mut args = vec!["register", "churn", "HEAD", "--version", version];
    for m in metrics {
        args.extend(["--metric", m]);
    }
    repo.run(&args).ok();
}

#[track_caller]
fn refused(run: &Run, why: &str) {
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains(why), "{}", run.transcript());
}

fn tags(repo: &TestRepo) -> String {
    repo.git(&["tag", "-l"])
}

const BELOW: &str = "gives prod to churn v1.0.0, which has eval.auc = 0.85, which fails the rule eval.auc >= 0.9 (authorize.stages.prod.metrics)";

#[test]
fn assign_and_promote_refuse_the_worse_version_and_force_does_not_lift_it() {
    let repo = two_versions(GATE);
    let before = tags(&repo);
    for args in [
        &["assign", "churn", "--stage", "prod", "--version", "v1.0.0"][..],
        &[
            "assign",
            "churn",
            "--stage",
            "prod",
            "--version",
            "v1.0.0",
            "--force",
        ],
        &[
            "assign",
            "churn",
            "--stage",
            "prod",
            "--version",
            "v1.0.0",
            "--dry-run",
        ],
        &["promote", "churn@v1.0.0", "prod"],
        &["promote", "churn@v1.0.0", "prod", "--force"],
    ] {
        let run = repo.run(args);
        refused(
            &run,
            &format!("policy: tag 'churn#prod#1' {BELOW}; no tag was created"),
        );
        assert!(
            run.stderr
                .contains("hint: put a version whose metrics meet the stage's rules"),
            "{}",
            run.transcript()
        );
        assert_eq!(tags(&repo), before, "nothing written: {}", run.transcript());
    }
    // The better one meets every rule: unsigned, since the gate alone needs no signature.
    repo.run(&["promote", "churn@v1.1.0", "prod"]).ok();
    assert!(tags(&repo).contains("churn#prod#1"));
    let shown = repo.run(&["show", "churn#prod"]);
    assert!(shown.ok().contains("v1.1.0"), "{}", shown.transcript());
}

/// A prod tag on `version`'s commit written with git itself, past the registry's write gate
/// (what anyone who may push can do): `check-ref --policy` and `audit` must catch it.
fn pushed_past_the_gate(repo: &TestRepo, tag: &str, version: &str) {
    let commit = repo.git(&["rev-parse", &format!("churn@{version}^{{commit}}")]);
    repo.git(&["tag", "-a", tag, "-m", "pushed by hand", commit.trim()]);
}

#[test]
fn check_ref_policy_fails_the_worse_versions_tag_and_passes_the_better() {
    let repo = two_versions(GATE);
    pushed_past_the_gate(&repo, "churn#prod#1", "v1.0.0");
    let run = repo.run(&["check-ref", "churn#prod#1", "--policy"]);
    refused(&run, &format!("policy: tag 'churn#prod#1' {BELOW}"));
    assert!(run.stdout.is_empty(), "{}", run.transcript());
    repo.run(&["promote", "churn@v1.1.0", "prod"]).ok();
    let run = repo.run(&["check-ref", "churn#prod#2", "--policy"]);
    assert!(run.ok().contains("v1.1.0"), "{}", run.transcript());
    assert!(
        run.stderr.contains(
            "churn v1.1.0 meets the metric gate of stage 'prod' (eval.auc >= 0.9, latency_ms < 50), by values recorded at registration"
        ),
        "{}",
        run.transcript()
    );
}

#[test]
fn audit_shows_the_gates_verdict_on_each_assignment() {
    let repo = two_versions(GATE);
    pushed_past_the_gate(&repo, "churn#prod#1", "v1.0.0");
    repo.run(&["promote", "churn@v1.1.0", "prod"]).ok();
    let run = repo.run(&["audit"]);
    refused(&run, "audit: 4 events");
    assert!(
        run.stdout
            .contains(&format!("churn#prod#1: tag 'churn#prod#1' {BELOW}\n")),
        "{}",
        run.transcript()
    );
    assert!(
        !run.stdout.contains("churn#prod#2:"),
        "{}",
        run.transcript()
    );
    let json = repo.run(&["audit", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let verdict = |tag: &str| {
        report["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["tag"] == tag)
            .map(|e| e["verdict"].clone())
            .unwrap()
    };
    assert_eq!(verdict("churn#prod#1")["result"], "fail");
    assert_eq!(verdict("churn#prod#1")["rule"], "metrics");
    assert_eq!(verdict("churn#prod#2")["result"], "pass");
    // Registrations are not gated: no rule covers them.
    assert_eq!(verdict("churn@v1.0.0")["result"], "not-covered");
}

#[test]
fn a_missing_metric_a_string_and_values_not_recorded_fail_naming_each() {
    let repo = two_versions(
        "authorize:\n  stages:\n    prod:\n      metrics: [\"eval.auc >= 0.9\", \"arch > 1\", \"latency_ms < 50\"]\n",
    );
    repo.write("model.bin", "three");
    repo.commit("a string metric");
    register(&repo, "v1.2.0", &["eval.auc=0.97", "arch=resnet"]);
    refused(
        &repo.run(&["promote", "churn@v1.2.0", "prod"]),
        "policy: tag 'churn#prod#1' gives prod to churn v1.2.0, which has arch = \"resnet\", which is not a number and cannot be compared (rule: arch > 1), and has no metric 'latency_ms' (rule: latency_ms < 50) (authorize.stages.prod.metrics); no tag was created",
    );
    // Registered without --metric (as GTO registers): read from its commit's declared files,
    // which declare none here, so every rule misses, and the reason says where it looked.
    repo.write("model.bin", "four");
    repo.commit("no metrics");
    register(&repo, "v1.3.0", &[]);
    let run = repo.run(&["promote", "churn@v1.3.0", "prod"]);
    refused(
        &run,
        "gives prod to churn v1.3.0, which has no metric 'eval.auc' (rule: eval.auc >= 0.9), and has no metric 'arch'",
    );
    refused(
        &run,
        "(authorize.stages.prod.metrics); its metrics were not recorded at registration, so they were read from the metrics files at its commit; no tag was created",
    );
    // `assign NAME REF` registers and assigns in one write: the new registration has no
    // metrics, and the assignment it makes is refused with it (neither tag is written).
    repo.write("model.bin", "five");
    repo.commit("unregistered");
    let before = tags(&repo);
    let run = repo.run(&[
        "assign",
        "churn",
        "HEAD",
        "--stage",
        "prod",
        "--version",
        "v1.4.0",
    ]);
    refused(
        &run,
        "gives prod to churn v1.4.0, which has no metric 'eval.auc'",
    );
    assert_eq!(tags(&repo), before, "{}", run.transcript());
}

#[test]
fn equality_rules_compare_numbers_exactly() {
    let repo = two_versions(
        "authorize:\n  stages:\n    prod:\n      metrics: [\"schema == 2\", \"leak != 1\"]\n",
    );
    repo.write("model.bin", "three");
    repo.commit("schema 2, no leak");
    register(&repo, "v2.0.0", &["schema=2.0", "leak=0"]);
    repo.write("model.bin", "four");
    repo.commit("schema 2, leak");
    register(&repo, "v2.1.0", &["schema=2", "leak=1"]);
    refused(
        &repo.run(&["promote", "churn@v2.1.0", "prod"]),
        "gives prod to churn v2.1.0, which has leak = 1, which fails the rule leak != 1 (authorize.stages.prod.metrics)",
    );
    // 2.0 == 2 as numbers.
    repo.run(&["promote", "churn@v2.0.0", "prod"]).ok();
    // Other stages are not gated; prod misses a metric v1.1.0 was never given.
    repo.run(&["promote", "churn@v1.1.0", "staging"]).ok();
    refused(
        &repo.run(&["promote", "churn@v1.1.0", "prod"]),
        "which has no metric 'schema' (rule: schema == 2), and has no metric 'leak' (rule: leak != 1)",
    );
}

#[test]
fn check_ref_reads_the_gate_from_policy_ref_and_a_prod_case_twin_does_not_slip_past() {
    // main has no policy; the branch `policy` has the gate.
    let repo = two_versions("");
    repo.git(&["checkout", "-q", "-b", "policy"]);
    repo.write(".registry.yaml", GATE);
    repo.commit("the gate");
    repo.git(&["checkout", "-q", "main"]);
    pushed_past_the_gate(&repo, "churn#prod#1", "v1.0.0");
    repo.run(&["check-ref", "churn#prod#1", "--policy"]).ok();
    let run = repo.run(&[
        "check-ref",
        "churn#prod#1",
        "--policy",
        "--policy-ref",
        "policy",
    ]);
    refused(&run, &format!("policy: tag 'churn#prod#1' {BELOW}"));
    let run = repo.run(&["audit", "--policy-ref", "policy"]);
    refused(&run, "verdicts 1 fail, 2 not-covered");
    assert!(
        run.stdout
            .contains(&format!("churn#prod#1: tag 'churn#prod#1' {BELOW}\n")),
        "{}",
        run.transcript()
    );
    // `#PROD#` is prod to a CI expression: refused, never judged as an ungated stage.
    pushed_past_the_gate(&repo, "churn#PROD#2", "v1.0.0");
    let run = repo.run(&[
        "check-ref",
        "churn#PROD#2",
        "--policy",
        "--policy-ref",
        "policy",
    ]);
    refused(
        &run,
        "policy: tag 'churn#PROD#2' names the stage 'PROD', which the policy writes 'prod'",
    );
    repo.write(".registry.yaml", GATE);
    let run = repo.run(&["assign", "churn", "--stage", "PROD", "--version", "v1.1.0"]);
    refused(
        &run,
        "names the stage 'PROD', which the policy writes 'prod'",
    );
}

#[test]
fn a_malformed_rule_is_a_wrong_config_file_naming_it() {
    let repo =
        two_versions("authorize:\n  stages:\n    prod:\n      metrics: [\"eval.auc >= high\"]\n");
    let run = repo.run(&["promote", "churn@v1.1.0", "prod"]);
    refused(&run, "Wrong config file '");
    assert!(
        run.stderr.contains(
            "hint: `authorize.stages.prod.metrics`: metric rule 'eval.auc >= high' compares with 'high', which is not a number"
        ),
        "{}",
        run.transcript()
    );
    assert!(!tags(&repo).contains('#'), "{}", run.transcript());
}
