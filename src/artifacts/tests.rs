//! Unit tests of loading and editing `artifacts.yaml`.

use super::edit::*;
use super::*;

const COMMENTED: &str = "\
# Models of the churn team.
churn:   # the main one
  type: model
  # kept in git LFS
  path: models/churn.pkl
  owner: team-a      # unknown key, kept
  labels:
  - tabular

# Forecasting
forecast:
  type: model
  path: models/forecast.pkl
";

#[test]
fn parses_entries_in_file_order() {
    let entries = parse(COMMENTED, "artifacts.yaml").unwrap();
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, vec!["churn", "forecast"]);
    let churn = &entries[0].1;
    assert_eq!(churn.path.as_deref(), Some("models/churn.pkl"));
    assert!(
        churn.is_virtual,
        "GTO's default for a missing `virtual` is true"
    );
    assert_eq!(churn.labels, vec!["tabular"]);
    assert_eq!(
        churn.raw.get("owner").and_then(|v| v.as_str()),
        Some("team-a")
    );
}

#[test]
fn only_an_entry_that_says_so_is_explicitly_virtual() {
    let text = "said:\n  virtual: true\nnot:\n  virtual: false\nempty:\n  virtual:\nabsent:\n  path: m.pkl\n";
    let entries = parse(text, "artifacts.yaml").unwrap();
    let rule: Vec<(&str, bool, Option<bool>, bool)> = entries
        .iter()
        .map(|(n, e)| {
            (
                n.as_str(),
                e.is_explicitly_virtual(),
                e.says_virtual(),
                e.is_virtual,
            )
        })
        .collect();
    // GTO's default (`is_virtual`) is true when nothing is said; the explicit rule is not.
    assert_eq!(
        rule,
        vec![
            ("said", true, Some(true), true),
            ("not", false, Some(false), false),
            ("empty", false, None, true),
            ("absent", false, None, true),
        ]
    );
}

#[test]
fn errors_name_file_line_and_field() {
    let bad = "churn:\n  type: model\n  virtual: maybe\n";
    let e = parse(bad, "artifacts.yaml").unwrap_err();
    assert_eq!(
        e.message,
        "artifacts.yaml:3: 'churn.virtual' must be true or false \
         (artifacts.yaml file doesn't conform to GTO format)"
    );
    // The parser's own words follow the prefix; the file, line and column are ours.
    let e = parse("churn: [\n", "sub/artifacts.yaml").unwrap_err();
    assert!(
        e.message
            .starts_with("sub/artifacts.yaml:2:1: invalid YAML: "),
        "{}",
        e.message
    );
    let e = parse("churn:\n  labels: [ok, -bad]\n", "artifacts.yaml").unwrap_err();
    let (start, end) = (
        "artifacts.yaml:2: 'churn.labels' holds ",
        ", which is not a valid label (artifacts.yaml file doesn't conform to GTO format)",
    );
    // How the bad item is quoted in between is the YAML value's own rendering.
    assert!(
        e.message.starts_with(start) && e.message.ends_with(end) && e.message.contains("-bad"),
        "{}",
        e.message
    );
    assert_eq!(e.hint, None);
}

#[test]
fn editing_one_field_keeps_every_other_byte() {
    let current = parse(COMMENTED, "a").unwrap().remove(0).1;
    let changes = Changes {
        path: Some("models/churn-v2.pkl".into()),
        ..Changes::default()
    };
    let out = annotate(COMMENTED, "churn", Some(&current), &changes);
    assert_eq!(
        out,
        COMMENTED.replace("models/churn.pkl", "models/churn-v2.pkl")
    );
}

#[test]
fn adding_fields_and_labels() {
    let current = parse(COMMENTED, "a").unwrap().remove(0).1;
    let changes = Changes {
        labels: vec!["tabular".into(), "gbm".into()],
        description: Some("Churn: who leaves?".into()),
        is_virtual: Some(false),
        ..Changes::default()
    };
    let out = annotate(COMMENTED, "churn", Some(&current), &changes);
    let expected = COMMENTED.replace(
        "  labels:\n  - tabular\n",
        "  labels: [tabular, gbm]\n  virtual: false\n  description: \"Churn: who leaves?\"\n",
    );
    assert_eq!(out, expected);
    let edited = parse(&out, "a").unwrap().remove(0).1;
    assert_eq!(edited.labels, vec!["tabular", "gbm"]);
    assert_eq!(edited.description.as_deref(), Some("Churn: who leaves?"));
    assert!(!edited.is_virtual);
    assert_eq!(edited.path.as_deref(), Some("models/churn.pkl"));
}

#[test]
fn new_entries_go_at_the_end() {
    let changes = Changes {
        kind: Some("model".into()),
        path: Some("m.pkl".into()),
        is_virtual: Some(false),
        custom: vec![("framework".into(), Value::String("xgboost".into()))],
        ..Changes::default()
    };
    let out = annotate(COMMENTED, "new", None, &changes);
    assert_eq!(
        out,
        format!(
            "{COMMENTED}new:\n  type: model\n  path: m.pkl\n  virtual: false\n  custom:\n    framework: xgboost\n"
        )
    );
    let entries = parse(&out, "a").unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(annotate("", "x", None, &Changes::default()), "x:\n");
}

#[test]
fn flow_entries_are_rewritten_alone() {
    let text = "a: {type: model, path: a.pkl}\nb:\n  type: model\n";
    let current = parse(text, "f").unwrap().remove(0).1;
    let out = annotate(
        text,
        "a",
        Some(&current),
        &Changes {
            description: Some("d".into()),
            ..Changes::default()
        },
    );
    assert_eq!(
        out,
        "a:\n  type: model\n  path: a.pkl\n  description: d\nb:\n  type: model\n"
    );
}

#[test]
fn remove_takes_the_entry_and_its_comment() {
    let out = remove(COMMENTED, "forecast").unwrap();
    assert_eq!(
        out,
        COMMENTED
            .split("\n# Forecasting")
            .next()
            .unwrap()
            .to_string()
            + "\n"
    );
    // The file's first comment goes with the first entry, and so does the blank line after
    // it: what is left starts with the next entry's comment.
    let out = remove(COMMENTED, "churn").unwrap();
    assert_eq!(
        out,
        "# Forecasting\nforecast:\n  type: model\n  path: models/forecast.pkl\n"
    );
    assert!(remove(COMMENTED, "absent").is_none());
}

#[test]
fn scalars_are_quoted_only_when_needed() {
    assert_eq!(scalar("models/churn.pkl"), "models/churn.pkl");
    assert_eq!(scalar("true"), "\"true\"");
    assert_eq!(scalar("10"), "\"10\"");
    assert_eq!(scalar("s3://bucket/m.pkl"), "\"s3://bucket/m.pkl\"");
    assert_eq!(scalar("a b"), "\"a b\"");
}
