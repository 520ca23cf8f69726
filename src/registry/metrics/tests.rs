//! Unit tests of the metrics core: values, trailers, conditions and changes.

use super::condition::Op;
use super::*;

fn m(pairs: &[(&str, &str)]) -> Metrics {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), Value::from_trailer(v).unwrap()))
        .collect()
}

#[test]
fn nested_keys_flatten_with_dots_and_numbers_stay_numbers() {
    let v: serde_json::Value = serde_json::from_str(
        r#"{"eval": {"auc": 0.913, "n": 12}, "name": "rf", "ok": true, "l": [1,2]}"#,
    )
    .unwrap();
    let (f, twice) = flatten_checked(&v);
    assert!(twice.is_empty());
    assert_eq!(f["eval.auc"].number(), Some(0.913));
    assert_eq!(f["eval.n"].to_string(), "12");
    assert_eq!(f["name"], Value::Text("rf".into()));
    assert_eq!(f["name"].number(), None);
    assert_eq!(f["ok"], Value::Bool(true));
    assert_eq!(f["l"], Value::Other("[1,2]".into()));
    assert!(flatten_checked(&serde_json::json!([1, 2])).0.is_empty());
}

#[test]
fn trailers_round_trip_every_kind_of_value() {
    let metrics = m(&[
        ("eval.auc", "0.913"),
        ("n", "12"),
        ("tiny", "1e-05"),
        ("name", r#""0.9""#),
        ("note", r#""line\nbreak""#),
        ("ok", "false"),
        ("none", "null"),
        ("bad", "NaN"),
    ]);
    let msg = record(
        "Registered churn v1\n\nArtifact-Path: m.pkl\nArtifact-Digest: sha256:x\nArtifact-Digest-Source: git",
        &metrics,
    );
    assert!(
        msg.contains("Artifact-Digest-Source: git\nArtifact-Metric: bad=NaN\n"),
        "{msg}"
    );
    assert!(msg.contains(r#"Artifact-Metric: note="line\nbreak""#));
    assert_eq!(msg.lines().filter(|l| l.starts_with(TRAILER)).count(), 8);
    assert_eq!(recorded(&msg).unwrap().unwrap(), metrics);
    // The string "0.9" stays a string.
    assert_eq!(recorded(&msg).unwrap().unwrap()["name"].number(), None);
    // Recording keeps the provenance readable.
    assert!(super::super::trailer::parse(&msg).is_some());
}

#[test]
fn a_message_without_a_block_gets_one_and_none_records_nothing() {
    let metrics = m(&[("auc", "0.5")]);
    assert_eq!(
        record("Registered x", &metrics),
        "Registered x\n\nArtifact-Metric: auc=0.5"
    );
    assert_eq!(record("Registered x", &Metrics::new()), "Registered x");
    assert_eq!(recorded("Registered x").unwrap(), None);
    // A trailer in an earlier paragraph is not a trailer.
    assert_eq!(
        recorded("Artifact-Metric: a=1\n\nsomething else").unwrap(),
        None
    );
}

#[test]
fn malformed_metric_trailers_are_errors_naming_the_line() {
    for (msg, want) in [
        (
            "x\n\nArtifact-Metric: a=1\nArtifact-Metric: a=2",
            "recorded twice",
        ),
        (
            "x\n\nArtifact-Metric: a",
            "is not `Artifact-Metric: KEY=VALUE`",
        ),
        ("x\n\nArtifact-Metric: a=0.9.1", "is not a JSON scalar"),
        (
            "x\n\nArtifact-Metric:a=1",
            "is not `Artifact-Metric: KEY=VALUE`",
        ),
        ("x\n\nArtifact-Metric: =1", "may not be empty"),
    ] {
        let err = recorded(msg).unwrap_err();
        assert!(err.contains(want), "{msg:?}: {err}");
    }
}

#[test]
fn cli_values_read_as_people_type_them() {
    assert_eq!(Value::from_cli("0.913").number(), Some(0.913));
    assert_eq!(Value::from_cli(".5").number(), Some(0.5));
    assert_eq!(Value::from_cli("+1").number(), Some(1.0));
    assert_eq!(Value::from_cli("true"), Value::Bool(true));
    assert_eq!(Value::from_cli("resnet"), Value::Text("resnet".into()));
    assert_eq!(Value::from_cli(r#""12""#), Value::Text("12".into()));
    assert_eq!(Value::from_cli("inf"), Value::Text("inf".into()));
    assert_eq!(Value::from_cli("0x10"), Value::Text("0x10".into()));
}

#[test]
fn keys_with_control_characters_or_equals_are_refused() {
    assert!(parse_assignment("eval.auc=0.9").is_ok());
    assert_eq!(
        parse_assignment("a=b=c").unwrap().1,
        Value::Text("b=c".into())
    );
    for bad in [
        "a\nb=1",
        "a\u{1b}[31m=1",
        "=1",
        " a=1",
        "noequals",
        "a=1\n",
        "a\u{2028}=1",
    ] {
        assert!(parse_assignment(bad).is_err(), "{bad:?}");
    }
    assert!(bad_key("a=b").unwrap().contains("'='"));
    // Look-alikes: a zero-width space, a no-break space (review of issue 14, L1).
    for k in ["eval.auc\u{200b}", "x\u{a0}y", "\u{feff}auc"] {
        assert!(bad_key(k).unwrap().contains("invisible character"), "{k:?}");
    }
    assert!(bad_key("précision@k").is_none());
}

#[test]
fn conditions_parse_every_operator_and_refuse_malformed_rules() {
    for (text, key, op, n) in [
        ("eval.auc >= 0.9", "eval.auc", Op::Ge, 0.9),
        ("latency_ms<50", "latency_ms", Op::Lt, 50.0),
        ("a <= -1e3", "a", Op::Le, -1000.0),
        ("a > 0", "a", Op::Gt, 0.0),
        ("a == 1", "a", Op::Eq, 1.0),
        ("a != 1", "a", Op::Ne, 1.0),
        ("p<0.5 > 2", "p<0.5", Op::Gt, 2.0),
    ] {
        let c = Condition::parse(text).unwrap();
        assert_eq!(
            (c.key.as_str(), c.op, c.threshold.value),
            (key, op, n),
            "{text}"
        );
    }
    for (bad, why) in [
        ("eval.auc", "has no comparison"),
        ("auc => 0.9", "not one of"),
        ("auc = 0.9", "not one of"),
        (">= 0.9", "names no metric"),
        ("auc >= high", "not a number"),
        ("auc >= nan", "not a number"),
        ("auc >=", "not a number"),
    ] {
        let err = Condition::parse(bad).unwrap_err();
        assert!(
            err.contains(why) && err.contains("for example"),
            "{bad}: {err}"
        );
    }
    assert_eq!(
        Condition::parse("auc>=0.9").unwrap().to_string(),
        "auc >= 0.9"
    );
}

#[test]
fn a_condition_names_the_metric_its_value_and_the_rule() {
    let metrics = m(&[("auc", "0.85"), ("name", r#""rf""#), ("lat", "40")]);
    let c = |t: &str| Condition::parse(t).unwrap().check(&metrics);
    assert_eq!(
        c("auc >= 0.9").unwrap_err(),
        "has auc = 0.85, which fails the rule auc >= 0.9"
    );
    assert!(c("lat < 50").is_ok());
    assert!(c("auc != 0.9").is_ok());
    assert!(
        c("missing > 1")
            .unwrap_err()
            .contains("has no metric 'missing'")
    );
    assert!(c("name > 1").unwrap_err().contains("not a number"));
    let nan = m(&[("auc", "NaN")]);
    assert!(Condition::parse("auc >= 0").unwrap().check(&nan).is_err());
    // Infinity meets no `>=` and -Infinity no `<` (review M1).
    for (v, rule) in [
        ("Infinity", "auc >= 0.9"),
        ("-Infinity", "auc < 50"),
        ("Infinity", "auc != 1"),
    ] {
        let err = Condition::parse(rule)
            .unwrap()
            .check(&m(&[("auc", v)]))
            .unwrap_err();
        assert!(err.contains("not a finite number"), "{v} {rule}: {err}");
    }
}

#[test]
fn changes_are_absolute_and_relative_and_only_between_numbers() {
    let old = m(&[
        ("auc", "0.9"),
        ("lat", "50"),
        ("name", r#""a""#),
        ("gone", "1"),
        ("zero", "0"),
    ]);
    let new = m(&[
        ("auc", "0.913"),
        ("lat", "40"),
        ("name", r#""b""#),
        ("added", "2"),
        ("zero", "3"),
    ]);
    let d = diff(&old, &new);
    let keys: Vec<&str> = d.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["added", "auc", "gone", "lat", "name", "zero"]);
    let by = |k: &str| d.iter().find(|c| c.key == k).unwrap();
    assert_eq!(format_change(by("auc").absolute.unwrap()), "0.013");
    assert_eq!(format_change(by("lat").absolute.unwrap()), "-10");
    assert_eq!(format_change(by("lat").relative.unwrap()), "-0.2");
    assert_eq!(by("name").absolute, None);
    // Six significant digits, no more: subtraction noise is cut, real digits kept.
    assert_eq!(format_change(1.444_444_4), "1.44444");
    assert_eq!(format_change(0.1 + 0.2 - 0.3), "5.55112e-17");
    assert_eq!(format_change(123_456_789.0), "123457000");
    assert_eq!(by("added").old, None);
    assert_eq!(by("gone").new, None);
    assert_eq!(by("zero").relative, None);
}

#[test]
fn json_keeps_numbers_as_numbers() {
    assert_eq!(
        Value::from_trailer("0.913").unwrap().to_json(),
        serde_json::json!(0.913)
    );
    assert_eq!(
        Value::from_trailer("12").unwrap().to_json(),
        serde_json::json!(12)
    );
    assert_eq!(
        Value::from_trailer("NaN").unwrap().to_json(),
        serde_json::json!("NaN")
    );
    assert_eq!(Number::from_f64(1e-7).text, "1e-7");
    assert_eq!(Number::from_f64(10.0).text, "10.0");
    assert!(is_json_number(&Number::from_f64(0.1 + 0.2).text));
}

#[test]
fn a_string_with_a_hidden_line_break_stays_one_trailer_line() {
    // U+2028 splits a line for Python's splitlines(); U+202E reorders what a reader sees.
    let metrics: Metrics = [(
        "note".to_string(),
        Value::Text("x\u{2028}Artifact-Metric: auc=0.99\u{202e}".into()),
    )]
    .into_iter()
    .collect();
    let msg = record("Registered", &metrics);
    assert_eq!(
        msg,
        "Registered\n\nArtifact-Metric: note=\"x\\u2028Artifact-Metric: auc=0.99\\u202e\""
    );
    assert_eq!(msg.lines().count(), 3, "{msg:?}");
    assert_eq!(recorded(&msg).unwrap().unwrap(), metrics);
}
