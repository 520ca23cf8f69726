//! The metric gate's verdicts (`trust/metrics_gate.rs` through `judge_scored`): which rule
//! fails and how the reason names the tag, the version, the metric, its value and the rule.

use std::collections::BTreeMap;

use super::trust::{ev, good};
use crate::registry::metrics::{Condition, Metrics, Value, VersionMetrics};
use crate::registry::signature::SigStatus;
use crate::registry::time::Timestamp;
use crate::registry::trust::{
    BreachKind, MetricRules, Scores, StageRule, TrustPolicy, Verdict, judge, judge_scored,
};

const AT: Timestamp = Timestamp {
    seconds: 2000,
    offset_minutes: 0,
};

/// prod gated on `rules`, with `assign` if given.
fn gated(rules: &[&str], assign: Option<&[&str]>) -> TrustPolicy {
    let mut stages = BTreeMap::new();
    stages.insert(
        "prod".to_string(),
        StageRule {
            assign: assign.map(|l| l.iter().map(|s| (*s).to_string()).collect()),
            metrics: MetricRules(rules.iter().map(|r| Condition::parse(r).unwrap()).collect()),
            ..StageRule::default()
        },
    );
    TrustPolicy {
        stages,
        ..TrustPolicy::default()
    }
}

fn scores(pairs: &[(&str, &str)], recorded: bool) -> Scores {
    let values: Metrics = pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), Value::from_cli(v)))
        .collect();
    Scores {
        version: "v1.1.0".into(),
        metrics: VersionMetrics {
            values,
            recorded,
            warnings: Vec::new(),
        },
    }
}

fn verdict(p: &TrustPolicy, s: Option<&Scores>) -> Verdict {
    let e = ev("churn#prod#3", "c1", 1500, "ci@x");
    judge_scored(p, &e, &SigStatus::Unsigned, AT, &[], s)
}

fn reason(v: Verdict) -> String {
    match v {
        Verdict::Fail(b) => {
            assert_eq!(b.kind, BreachKind::Metrics, "{}", b.reason);
            b.reason
        }
        other => panic!("expected a metrics breach, got {other:?}"),
    }
}

#[test]
fn an_unsigned_assignment_meeting_the_gate_passes_and_one_below_it_fails_naming_all() {
    let p = gated(&["eval.auc >= 0.9", "latency_ms < 50"], None);
    let good_one = scores(&[("eval.auc", "0.95"), ("latency_ms", "12")], true);
    assert_eq!(verdict(&p, Some(&good_one)), Verdict::Pass);
    let worse = scores(&[("eval.auc", "0.85"), ("latency_ms", "12")], true);
    assert_eq!(
        reason(verdict(&p, Some(&worse))),
        "tag 'churn#prod#3' gives prod to churn v1.1.0, which has eval.auc = 0.85, which fails the rule eval.auc >= 0.9 (authorize.stages.prod.metrics)"
    );
    // Every failing rule is named, a missing metric and a string among them.
    let bad = scores(&[("eval.auc", "0.85"), ("latency_ms", "fast")], true);
    assert_eq!(
        reason(verdict(&p, Some(&bad))),
        "tag 'churn#prod#3' gives prod to churn v1.1.0, which has eval.auc = 0.85, which fails the rule eval.auc >= 0.9, and has latency_ms = \"fast\", which is not a number and cannot be compared (rule: latency_ms < 50) (authorize.stages.prod.metrics)"
    );
    let none = scores(&[], true);
    assert!(reason(verdict(&p, Some(&none))).contains(
        "which has no metric 'eval.auc' (rule: eval.auc >= 0.9), and has no metric 'latency_ms'"
    ));
}

#[test]
fn values_not_recorded_say_where_they_were_read_and_what_did_not_read() {
    let p = gated(&["eval.auc >= 0.9"], None);
    let mut read = scores(&[("eval.auc", "0.5")], false);
    read.metrics
        .warnings
        .push("eval/metrics.json at abc1234: line 3: expected value".into());
    let got = reason(verdict(&p, Some(&read)));
    assert!(
        got.ends_with("(authorize.stages.prod.metrics); its metrics were not recorded at registration, so they were read from the metrics files at its commit; reading them: eval/metrics.json at abc1234: line 3: expected value"),
        "{got}"
    );
}

#[test]
fn no_attached_version_and_no_scores_fail_closed() {
    let p = gated(&["eval.auc >= 0.9"], None);
    assert_eq!(
        reason(verdict(&p, None)),
        "tag 'churn#prod#3' gives prod to a version of churn that no registration records, so it has no metrics to meet the rules eval.auc >= 0.9 (authorize.stages.prod.metrics)"
    );
    // `judge` (no scores) on a gated assignment fails too: it never passes by omission.
    let e = ev("churn#prod#3", "c1", 1500, "ci@x");
    assert!(matches!(
        judge(&p, &e, &SigStatus::Unsigned, AT, &[]),
        Verdict::Fail(_)
    ));
}

#[test]
fn equality_rules_case_twins_and_other_events() {
    let p = gated(&["drift == 0", "flag != 1"], None);
    assert_eq!(
        verdict(&p, Some(&scores(&[("drift", "0"), ("flag", "2")], true))),
        Verdict::Pass
    );
    assert!(
        reason(verdict(
            &p,
            Some(&scores(&[("drift", "0"), ("flag", "1")], true))
        ))
        .contains("has flag = 1, which fails the rule flag != 1")
    );
    // `#PROD#` meets prod's rules.
    let e = ev("churn#PROD#3", "c1", 1500, "ci@x");
    let low = scores(&[("drift", "1"), ("flag", "2")], true);
    let v = judge_scored(&p, &e, &SigStatus::Unsigned, AT, &[], Some(&low));
    assert!(reason(v).contains("gives PROD to churn v1.1.0, which has drift = 1"));
    // Unassignments, registrations and other stages are not gated.
    for tag in ["churn#prod!#4", "churn@v1.0.0", "churn#staging#5"] {
        let e = ev(tag, "c1", 1500, "ci@x");
        assert_eq!(
            judge_scored(&p, &e, &SigStatus::Unsigned, AT, &[], None),
            Verdict::NotCovered,
            "{tag}"
        );
    }
}

#[test]
fn signatures_come_first_and_the_cut_over_grandfathers_the_gate() {
    let p = gated(&["eval.auc >= 0.9"], Some(&["release-bot"]));
    let low = scores(&[("eval.auc", "0.5")], true);
    // With an assign list, an unsigned assignment fails on its signature first.
    let got = match verdict(&p, Some(&low)) {
        Verdict::Fail(b) => b.kind,
        other => panic!("{other:?}"),
    };
    assert_eq!(got, BreachKind::Unsigned);
    // Signed by the allowed principal, the metrics still decide.
    let e = ev("churn#prod#3", "c1", 1500, "ci@x");
    let v = judge_scored(&p, &e, &good("release-bot"), AT, &[], Some(&low));
    assert!(reason(v).contains("eval.auc = 0.5"));
    // Before the cut-over, no rule applies, the gate included.
    let mut p = p;
    p.required_since = Some(Timestamp::new(3000, 0));
    let v = judge_scored(&p, &e, &SigStatus::Unsigned, AT, &[], Some(&low));
    assert_eq!(v, Verdict::Grandfathered);
}
