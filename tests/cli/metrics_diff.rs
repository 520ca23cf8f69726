//! `registry diff NAME A B` with metrics (issue 14): old, new, change and relative change, as
//! `dvc metrics diff` shows them; unchanged ones only with `--all`.

use crate::fixture::TestRepo;

/// Two versions with metrics given at registration: numbers, a string, one metric missing on
/// each side, a zero old value, an unchanged one, and a hostile string value.
pub(crate) fn two_versions() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("f", "1");
    repo.commit("one");
    repo.run(&[
        "register", "m", "--metric", "auc=0.9", "--metric", "loss=0", "--metric", "name=a",
        "--metric", "same=1", "--metric", "gone=3",
    ])
    .ok();
    repo.write("f", "2");
    repo.commit("two");
    repo.run(&[
        "register",
        "m",
        "--metric",
        "auc=0.913",
        "--metric",
        "loss=0.5",
        "--metric",
        "name=b",
        "--metric",
        "same=1",
        "--metric",
        "new=2",
        "--metric",
        r#"note="\u001b[31m""#,
    ])
    .ok();
    repo.run(&["promote", "m", "prod"]).ok();
    repo
}

#[test]
fn diff_shows_each_changed_metric() {
    let repo = two_versions();
    let text = repo
        .run(&["diff", "m", "v0.0.1", "v0.0.2"])
        .ok()
        .to_string();
    assert!(
        !text.contains('\u{1b}'),
        "raw escape reached stdout: {text}"
    );
    let metrics: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("metrics"))
        .take(8)
        .collect();
    insta::assert_snapshot!(metrics.join("\n"), @r"
    metrics: 1 unchanged not shown (--all shows them)
    Metric  v0.0.1  v0.0.2    Change  Relative
    auc     0.9     0.913     0.013   1.44%
    gone    3       -         -       -
    loss    0       0.5       0.5     -
    name    a       b         -       -
    new     -       2         -       -
    note    -       \x1b[31m  -       -
    ");
    let all = repo
        .run(&["diff", "m", "v0.0.1", "v0.0.2", "--all"])
        .ok()
        .to_string();
    assert!(
        all.contains("\nsame    1       1         0       0%\n"),
        "{all}"
    );
}

#[test]
fn diff_json_has_dvc_shaped_metrics() {
    let repo = two_versions();
    let json: serde_json::Value =
        serde_json::from_str(repo.run(&["diff", "m", "v0.0.1", "#prod", "--json"]).ok()).unwrap();
    let m = &json["metrics"];
    assert_eq!(m["auc"]["old"], 0.9);
    assert_eq!(m["auc"]["new"], 0.913);
    assert!((m["auc"]["diff"].as_f64().unwrap() - 0.013).abs() < 1e-12);
    assert!((m["auc"]["relative"].as_f64().unwrap() - 0.013 / 0.9).abs() < 1e-12);
    // A zero old value: a change, no relative change.
    assert_eq!(m["loss"]["diff"], 0.5);
    assert!(m["loss"].get("relative").is_none());
    // Not numbers, or one side missing: both values, no change (as DVC's JSON).
    assert_eq!(m["name"], serde_json::json!({"old": "a", "new": "b"}));
    assert_eq!(m["gone"], serde_json::json!({"old": 3, "new": null}));
    assert_eq!(m["new"], serde_json::json!({"old": null, "new": 2}));
    assert_eq!(m["note"]["new"], "\u{1b}[31m");
    assert!(m.get("same").is_none(), "unchanged is hidden without --all");
    assert_eq!(
        json["metrics_recorded"],
        serde_json::json!({"from": true, "to": true})
    );
    let all: serde_json::Value = serde_json::from_str(
        repo.run(&["diff", "m", "v0.0.1", "v0.0.2", "--json", "--all"])
            .ok(),
    )
    .unwrap();
    assert_eq!(all["metrics"]["same"]["diff"], 0.0);
}

/// Versions without metrics (registered before, or by GTO): no metrics section in the text,
/// and the JSON says the values were not recorded.
#[test]
fn diff_without_metrics_says_not_recorded() {
    let repo = TestRepo::new();
    repo.write("f", "1");
    repo.commit("one");
    repo.run(&["register", "m"]).ok();
    repo.write("f", "2");
    repo.commit("two");
    repo.run(&["register", "m", "--metric", "auc=0.5"]).ok();
    let text = repo
        .run(&["diff", "m", "v0.0.1", "v0.0.2"])
        .ok()
        .to_string();
    assert!(text.contains("auc     -       0.5"), "{text}");
    assert!(
        text.contains(
            "v0.0.1: metrics not recorded at registration; none found in the metrics files at"
        ),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(repo.run(&["diff", "m", "v0.0.1", "v0.0.2", "--json"]).ok()).unwrap();
    assert_eq!(
        json["metrics_recorded"],
        serde_json::json!({"from": false, "to": true})
    );
}
