//! Examples of `dvc.yaml` edits, byte for byte: a file as DVC writes it, with comments.

use super::*;
use crate::artifacts::Changes;
use crate::artifacts::dvc_yaml::parse;

const DVC_YAML: &str = "\
vars:
  - params.yaml
stages:
  train:
    cmd: python train.py --out models/churn.pkl
    deps:
      - data/train.csv
      - train.py
    params:
      - train.epochs
    outs:
      - models/churn.pkl
    metrics:
      - metrics.json:
          cache: false
# Declared for Studio.
artifacts:
  churn:   # the main model
    path: models/churn.pkl
    type: model
    desc: |
      Churn classifier.

      Trained weekly.
    labels:
      - tabular
  # A second one.
  forecast:
    path: models/forecast.pkl
    meta: {owner: ana}

# Plots of the training.
plots:
  - loss.csv:
      x: step
";

fn edit_of(text: &str, key: &str, changes: &Changes) -> Result<Option<String>, UserError> {
    let parsed = parse(text, "dvc.yaml").unwrap();
    let current = parsed
        .entries
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, e)| e);
    edit(text, "dvc.yaml", key, Edit::Annotate { current, changes })
}

#[test]
fn setting_a_field_changes_only_its_lines() {
    let changes = Changes {
        description: Some("Churn, v2".into()),
        ..Changes::default()
    };
    let got = edit_of(DVC_YAML, "churn", &changes).unwrap().unwrap();
    let want = DVC_YAML.replace(
        "    desc: |\n      Churn classifier.\n\n      Trained weekly.\n",
        "    desc: \"Churn, v2\"\n",
    );
    assert_eq!(got, want);
}

#[test]
fn labels_and_meta_merge_under_dvcs_names() {
    let changes = Changes {
        labels: vec!["gbm".into()],
        custom: vec![("epochs".into(), Value::Number(10.into()))],
        ..Changes::default()
    };
    let got = edit_of(DVC_YAML, "forecast", &changes).unwrap().unwrap();
    let want = DVC_YAML.replace(
        "    meta: {owner: ana}\n",
        "    meta:\n      owner: ana\n      epochs: 10\n    labels: [gbm]\n",
    );
    // The labels are new: after the last field; `meta` is rewritten in place.
    assert_eq!(got, want, "{got}");
    let d = parse(&got, "dvc.yaml").unwrap();
    assert_eq!(d.entries[1].1.labels, ["gbm"]);
}

#[test]
fn a_new_entry_goes_at_the_end_of_the_section() {
    let changes = Changes {
        path: Some("models/cv.pt".into()),
        kind: Some("model".into()),
        ..Changes::default()
    };
    let got = edit_of(DVC_YAML, "cv", &changes).unwrap().unwrap();
    let want = DVC_YAML.replace(
        "    meta: {owner: ana}\n",
        "    meta: {owner: ana}\n  cv:\n    type: model\n    path: models/cv.pt\n",
    );
    assert_eq!(got, want);
}

#[test]
fn a_file_without_the_section_gets_one_appended_and_removing_it_undoes_that() {
    let text = "stages:\n  train:\n    cmd: python train.py\n";
    let changes = Changes {
        path: Some("m.pkl".into()),
        description: Some("d".into()),
        ..Changes::default()
    };
    let got = edit_of(text, "churn", &changes).unwrap().unwrap();
    assert_eq!(
        got,
        "stages:\n  train:\n    cmd: python train.py\nartifacts:\n  churn:\n    path: m.pkl\n    desc: d\n"
    );
    let back = edit(&got, "dvc.yaml", "churn", Edit::Remove)
        .unwrap()
        .unwrap();
    assert_eq!(back, text);
    let created = edit_of("", "churn", &changes).unwrap().unwrap();
    assert_eq!(
        created,
        "artifacts:\n  churn:\n    path: m.pkl\n    desc: d\n"
    );
}

#[test]
fn removing_takes_the_entry_and_its_comment() {
    let got = edit(DVC_YAML, "dvc.yaml", "forecast", Edit::Remove)
        .unwrap()
        .unwrap();
    let want = DVC_YAML.replace(
        "  # A second one.\n  forecast:\n    path: models/forecast.pkl\n    meta: {owner: ana}\n",
        "",
    );
    assert_eq!(got, want);
    assert_eq!(
        edit(DVC_YAML, "dvc.yaml", "absent", Edit::Remove).unwrap(),
        None
    );
    // The last entry: the section goes, the rest stays.
    let one = "stages: {}\nartifacts:\n  a:\n    path: a\nmetrics:\n- m.json\n";
    let got = edit(one, "dvc.yaml", "a", Edit::Remove).unwrap().unwrap();
    assert_eq!(got, "stages: {}\nmetrics:\n- m.json\n");
}

#[test]
fn deeper_indentation_and_crlf_are_kept() {
    let text = "artifacts:\r\n    churn:\r\n        path: a.pkl\r\n";
    let changes = Changes {
        kind: Some("model".into()),
        ..Changes::default()
    };
    let got = edit_of(text, "churn", &changes).unwrap().unwrap();
    assert_eq!(
        got,
        "artifacts:\r\n    churn:\r\n        path: a.pkl\r\n        type: model\r\n"
    );
}

#[test]
fn what_cannot_be_edited_safely_is_refused_with_file_and_line() {
    let changes = Changes {
        kind: Some("model".into()),
        ..Changes::default()
    };
    for (text, wanted) in [
        (
            "stages: {}\nartifacts: {churn: {path: a}}\n",
            "cannot edit dvc.yaml safely: `artifacts:` at dvc.yaml:2 is written in flow style",
        ),
        (
            "{artifacts: {churn: {path: a}}}\n",
            "cannot edit dvc.yaml safely: its `artifacts:` is not a line of its own",
        ),
        ("artifacts:\n  churn:\n    path: a\n    meta: ${m}\n", ""),
        ("artifacts:\n  churn:\n    path: a\n    labels: ${l}\n", ""),
    ] {
        let parsed = parse(text, "dvc.yaml");
        let Ok(parsed) = parsed else { continue };
        let current = parsed.entries.first().map(|(_, e)| e);
        let merge = Changes {
            labels: vec!["x".into()],
            custom: vec![("k".into(), Value::Number(1.into()))],
            ..Changes::default()
        };
        let c = if wanted.is_empty() { &merge } else { &changes };
        let e = edit(
            text,
            "dvc.yaml",
            "churn",
            Edit::Annotate {
                current,
                changes: c,
            },
        )
        .unwrap_err();
        let wanted = if wanted.is_empty() {
            // The templated field is the entry's fourth line: named with its line.
            let field = if text.contains("meta") {
                "meta"
            } else {
                "labels"
            };
            format!(
                "cannot edit dvc.yaml safely: 'artifacts.churn.{field}' at dvc.yaml:4 is templated"
            )
        } else {
            wanted.to_string()
        };
        assert!(e.message.starts_with(&wanted), "{text:?}: {}", e.message);
    }
    // A new entry without a path breaks DVC's schema: refused, naming it.
    let e = edit_of(DVC_YAML, "nopath", &changes).unwrap_err();
    assert!(e.message.contains("has no `path`"), "{}", e.message);
}

#[test]
fn an_edit_that_would_break_another_section_is_refused_naming_the_entry() {
    let text = "artifacts:\n  churn:\n    path: &p models/churn.pkl\nstages:\n  t:\n    cmd: x\n    outs:\n    - *p\n";
    let e = edit(text, "dvc.yaml", "churn", Edit::Remove).unwrap_err();
    assert!(
        e.message.starts_with(
            "cannot edit dvc.yaml safely: the edit of 'churn' (at dvc.yaml:2) would not parse"
        ),
        "{}",
        e.message
    );
    let changes = Changes {
        path: Some("other.pkl".into()),
        ..Changes::default()
    };
    assert!(edit_of(text, "churn", &changes).is_err());
}
