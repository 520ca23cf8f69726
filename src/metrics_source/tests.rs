//! The file readers, pure: each format to the values `dvc metrics show` reports, and errors that
//! name the line.

use super::parse::{Format, metrics_of};
use crate::registry::metrics::Value;

fn shown(path: &str, text: &str) -> Vec<(String, String)> {
    metrics_of(path, text)
        .unwrap()
        .0
        .into_iter()
        .map(|(k, v)| (k, v.trailer_text()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

#[test]
fn formats_by_extension_as_dvc_picks_them() {
    assert_eq!(Format::of_path("eval/m.json"), Format::Json);
    assert_eq!(Format::of_path("eval/M.JSON"), Format::Json);
    assert_eq!(Format::of_path("m.toml"), Format::Toml);
    for yaml in ["m.yaml", "m.yml", "metrics", "a.json.d/m.txt"] {
        assert_eq!(Format::of_path(yaml), Format::Yaml, "{yaml}");
    }
}

#[test]
fn nested_keys_flatten_and_only_dvcs_types_stay() {
    let json = r#"{"eval": {"auc": 0.913, "n": 12, "ok": true, "model": "resnet",
                   "curve": [1, 2], "none": null, "empty": {}}, "loss": 1e-05}"#;
    assert_eq!(
        shown("m.json", json),
        pairs(&[
            ("eval.auc", "0.913"),
            ("eval.model", "\"resnet\""),
            ("eval.n", "12"),
            ("eval.ok", "true"),
            ("loss", "0.00001"),
        ])
    );
    let yaml = "eval:\n  auc: 0.9\n  n: 3\n  tag: fast\n  list: [1]\n  nan: .nan\nbig: .inf\n";
    assert_eq!(
        shown("m.yaml", yaml),
        pairs(&[
            ("big", "Infinity"),
            ("eval.auc", "0.9"),
            ("eval.n", "3"),
            ("eval.nan", "NaN"),
            ("eval.tag", "\"fast\""),
        ])
    );
    let toml = "loss = 0.25\n[train]\nepochs = 10\nname = \"x\"\nwhen = 1979-05-27\nfine = false\nneg = -inf\n";
    assert_eq!(
        shown("m.toml", toml),
        pairs(&[
            ("loss", "0.25"),
            ("train.epochs", "10"),
            ("train.fine", "false"),
            ("train.name", "\"x\""),
            ("train.neg", "-Infinity"),
        ])
    );
    // A top level that is no mapping holds no keys (DVC shows none either).
    assert!(metrics_of("m.json", "0.9").unwrap().0.is_empty());
    assert!(metrics_of("m.yaml", "").unwrap().0.is_empty());
    assert_eq!(
        metrics_of("m.json", r#"{"a": 1}"#).unwrap().0["a"],
        Value::from_trailer("1").unwrap()
    );
}

#[test]
fn malformed_files_name_the_line() {
    let e = metrics_of("m.json", "{\n  \"auc\": 0.9,\n  oops\n}").unwrap_err();
    assert!(e.starts_with("line 3: "), "{e}");
    assert!(!e.contains(" at line "), "{e}");
    let e = metrics_of("m.yaml", "a: 1\nb: [\n").unwrap_err();
    assert!(e.starts_with("line "), "{e}");
    let e = metrics_of("m.toml", "a = 1\nb = \n").unwrap_err();
    assert!(e.starts_with("line 2: "), "{e}");
    let e = metrics_of("m.yaml", "a: 1\nb: !x 2\n").unwrap_err();
    assert!(e.starts_with("line 2: holds a YAML tag"), "{e}");
}

#[test]
fn a_dotted_key_beside_a_nested_one_is_left_out_and_reported() {
    // Which of the two a reader of the file means cannot be told (review of issue 14, M3).
    let (values, twice) = metrics_of("m.json", r#"{"a.b": 1, "a": {"b": 2}, "c": 3}"#).unwrap();
    assert_eq!(twice, ["a.b"]);
    assert!(!values.contains_key("a.b"));
    assert_eq!(values["c"], Value::from_trailer("3").unwrap());
    let (_, twice) = metrics_of("m.yaml", "a.b: 1\na:\n  b: .nan\n").unwrap();
    assert_eq!(twice, ["a.b"]);
}
