//! Property tests of `dvc.yaml` edits: over generated files with `stages:`, `params:`,
//! `metrics:`, `plots:` and `vars:` around an `artifacts:` section (or none), comments and block
//! scalars, every edit parses to the old file with exactly that edit applied (computed on the
//! parsed value, independently of the editor), every other top-level section and every other
//! entry keeps its bytes, and DVC's names (`desc`, `meta`) are what gets written.

use proptest::prelude::*;

use super::Changes;
use super::dvc_edit::edit;
use super::dvc_yaml::parse;
use super::edit::{Edit, entry_block, key_of};
use crate::yaml::{Mapping, Value};

const IDS: &[&str] = &["churn", "forecast", "ranker", "emb"];

/// Other top-level sections, as DVC and people write them.
const OTHERS: &[&str] = &[
    "vars:\n  - params.yaml\n  - model_dir: models\n",
    "stages:\n  train:\n    cmd: >-\n      python train.py\n      --epochs 3\n\n    deps:\n    - data.csv\n    outs:\n    - models/churn.pkl\n  # evaluation\n  eval:\n    cmd: python eval.py\n    metrics:\n    - metrics.json:\n        cache: false\n",
    "params:\n- params.yaml\n",
    "metrics:\n  - metrics.json\n",
    "plots:\n  - loss.csv:\n      x: step\n      y: loss\n",
    "# A comment between sections.\n",
];

#[derive(Debug, Clone)]
enum Field {
    Type,
    Desc(bool),
    Labels(bool),
    Meta(bool),
    Comment(bool),
}

fn field() -> impl Strategy<Value = Field> {
    prop_oneof![
        Just(Field::Type),
        any::<bool>().prop_map(Field::Desc),
        any::<bool>().prop_map(Field::Labels),
        any::<bool>().prop_map(Field::Meta),
        any::<bool>().prop_map(Field::Comment),
    ]
}

/// One entry: flow style (`id: {…}`), or its fields.
type GenEntry = (bool, Vec<Field>);

#[derive(Debug, Clone)]
struct GenFile {
    /// Which of [`OTHERS`] come before and after the section.
    before: Vec<usize>,
    after: Vec<usize>,
    /// `None`: no `artifacts:` at all. Else the entries' indentation, their fields' (deeper),
    /// and each entry: flow style (`id: {…}`) or its fields.
    section: Option<(usize, usize, Vec<GenEntry>)>,
}

fn file() -> impl Strategy<Value = GenFile> {
    (
        prop::collection::vec(0..OTHERS.len(), 0..4),
        prop::collection::vec(0..OTHERS.len(), 0..3),
        prop::option::weighted(
            0.85,
            (
                prop::sample::select(vec![2usize, 4]),
                prop::sample::select(vec![2usize, 4]),
                prop::collection::vec(
                    (
                        prop::bool::weighted(0.15),
                        prop::collection::vec(field(), 0..5),
                    ),
                    0..4,
                ),
            ),
        ),
    )
        .prop_map(|(before, after, section)| GenFile {
            before,
            after,
            section,
        })
}

fn render(f: &GenFile) -> String {
    let mut out = String::new();
    // One of each top-level key: YAML refuses duplicates.
    let mut seen = std::collections::HashSet::new();
    let mut other = |i: usize, out: &mut String| {
        if i == OTHERS.len() - 1 || seen.insert(i) {
            out.push_str(OTHERS[i]);
        }
    };
    for &i in &f.before {
        other(i, &mut out);
    }
    if let Some((indent, deeper, entries)) = &f.section {
        out.push_str("artifacts:   # for Studio\n");
        let pad = " ".repeat(*indent);
        let fpad = " ".repeat(indent + deeper);
        for (n, (flow, fields)) in entries.iter().enumerate() {
            if n % 2 == 1 {
                out.push_str(&format!("{pad}# entry {n}\n"));
            }
            if *flow {
                out.push_str(&format!(
                    "{pad}{}: {{path: models/{n}.pkl, desc: flow, meta: {{k: 1}}}}\n",
                    IDS[n]
                ));
                continue;
            }
            out.push_str(&format!("{pad}{}:\n{fpad}path: models/{n}.pkl\n", IDS[n]));
            let mut keys = std::collections::HashSet::new();
            for field in fields {
                let key = match field {
                    Field::Type => "type",
                    Field::Desc(_) => "desc",
                    Field::Labels(_) => "labels",
                    Field::Meta(_) => "meta",
                    Field::Comment(_) => "",
                };
                if !key.is_empty() && !keys.insert(key) {
                    continue;
                }
                out.push_str(&match field {
                    Field::Type => format!("{fpad}type: model  # kind\n"),
                    Field::Desc(false) => format!("{fpad}desc: 'plain: quoted'\n"),
                    Field::Desc(true) => {
                        format!("{fpad}desc: |\n{fpad}  first\n\n{fpad}    deeper\n{fpad}  # not a comment\n")
                    }
                    Field::Labels(false) => format!("{fpad}labels: [a, b]\n"),
                    Field::Labels(true) => format!("{fpad}labels:\n{fpad}- a\n{fpad}- c\n"),
                    Field::Meta(false) => format!("{fpad}meta: {{k: 1, list: [x]}}\n"),
                    Field::Meta(true) => {
                        format!("{fpad}meta:\n{fpad}  k: 1\n{fpad}  # inside\n{fpad}  nested:\n{fpad}    - 1\n")
                    }
                    Field::Comment(false) => format!("{fpad}# about a field\n"),
                    Field::Comment(true) => "# column 0, inside the section\n".to_string(),
                });
            }
            if n % 3 == 2 {
                out.push('\n');
            }
        }
    }
    for &i in &f.after {
        other(i, &mut out);
    }
    out
}

#[derive(Debug, Clone)]
enum Op {
    Desc(&'static str),
    Path(&'static str),
    Type(&'static str),
    Label(&'static str),
    Meta(&'static str, i64),
    Remove,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        prop::sample::select(vec!["new", "a: b", "two\nlines", "#hash", ""]).prop_map(Op::Desc),
        prop::sample::select(vec!["models/new.pkl", "with space.pkl", "s3://b/k"])
            .prop_map(Op::Path),
        prop::sample::select(vec!["model", "dataset"]).prop_map(Op::Type),
        prop::sample::select(vec!["a", "fresh"]).prop_map(Op::Label),
        (prop::sample::select(vec!["k", "new_key"]), 0i64..10).prop_map(|(k, v)| Op::Meta(k, v)),
        Just(Op::Remove),
    ]
}

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

/// The top-level mapping after the edit, computed on the parsed value alone.
fn expected(before: &Mapping, id: &str, op: &Op, new_path: Option<&str>) -> Mapping {
    let mut top = before.clone();
    let mut section = match top.get("artifacts") {
        Some(Value::Mapping(m)) => m.clone(),
        _ => Mapping::new(),
    };
    if let Op::Remove = op {
        section.remove(id);
        if section.is_empty() {
            top.remove("artifacts");
        } else {
            top.insert(s("artifacts"), Value::Mapping(section));
        }
        return top;
    }
    let mut fields = match section.get(id) {
        Some(Value::Mapping(m)) => m.clone(),
        _ => Mapping::new(),
    };
    if let Some(p) = new_path {
        fields.insert(s("path"), s(p));
    }
    match op {
        Op::Desc(d) => {
            fields.insert(s("desc"), s(d));
        }
        Op::Path(p) => {
            fields.insert(s("path"), s(p));
        }
        Op::Type(t) => {
            fields.insert(s("type"), s(t));
        }
        Op::Label(l) => {
            let mut labels = match fields.get("labels") {
                Some(Value::Sequence(items)) => items.clone(),
                _ => Vec::new(),
            };
            if !labels.contains(&s(l)) {
                labels.push(s(l));
            }
            fields.insert(s("labels"), Value::Sequence(labels));
        }
        Op::Meta(k, v) => {
            let mut meta = match fields.get("meta") {
                Some(Value::Mapping(m)) => m.clone(),
                _ => Mapping::new(),
            };
            meta.insert(s(k), Value::Number((*v).into()));
            fields.insert(s("meta"), Value::Mapping(meta));
        }
        Op::Remove => unreachable!(),
    }
    section.insert(s(id), Value::Mapping(fields));
    top.insert(s("artifacts"), Value::Mapping(section));
    top
}

/// Named blocks of lines.
type Blocks = Vec<(String, String)>;

/// Each top-level block but `artifacts:` (by key), and each entry of the section (by ID, with
/// its lines dedented the way the section is indented).
fn blocks(text: &str) -> (Blocks, Blocks) {
    let lines: Vec<&str> = text.lines().collect();
    let mut top = Vec::new();
    let mut entries = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(key) = key_of(lines[i]) else {
            i += 1;
            continue;
        };
        let (start, end) = entry_block(&lines, key).unwrap_or((i, i + 1));
        if key == "artifacts" {
            let body: Vec<&str> = lines[start + 1..end].to_vec();
            for id in IDS {
                let pat = |l: &&str| l.trim_start().strip_prefix(id).is_some_and(|r| r == ":");
                if let Some(at) = body.iter().position(pat) {
                    let indent = body[at].len() - body[at].trim_start().len();
                    let mut stop = at + 1;
                    while stop < body.len() {
                        let l = body[stop];
                        let t = l.trim_start();
                        if !t.is_empty() && !t.starts_with('#') && l.len() - t.len() <= indent {
                            break;
                        }
                        stop += 1;
                    }
                    while stop > at + 1
                        && (body[stop - 1].trim().is_empty()
                            || body[stop - 1].trim_start().starts_with('#'))
                    {
                        stop -= 1;
                    }
                    entries.push((id.to_string(), body[at..stop].join("\n")));
                }
            }
        } else {
            top.push((key.to_string(), lines[start..end].join("\n")));
        }
        i = end.max(i + 1);
    }
    (top, entries)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn dvc_edits_change_exactly_what_they_ask_for(f in file(), target in 0usize..5, op in op()) {
        let text = render(&f);
        let before = match Value::parse(&text) {
            Ok(Value::Mapping(m)) => m,
            Ok(Value::Null) => Mapping::new(),
            other => return Err(TestCaseError::fail(format!("generated a bad file: {other:?}\n{text}"))),
        };
        let parsed = parse(&text, "dvc.yaml").map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        let id = IDS.get(target).copied().unwrap_or("newid");
        let current = parsed.entries.iter().find(|(k, _)| k == id).map(|(_, e)| e);
        if matches!(op, Op::Remove) && current.is_none() {
            prop_assert!(edit(&text, "dvc.yaml", id, Edit::Remove).unwrap().is_none());
            return Ok(());
        }
        // DVC requires a path: a new entry gets one along with the change.
        let new_path = (current.is_none() && !matches!(op, Op::Path(_))).then_some("models/added.pkl");
        let mut changes = Changes { path: new_path.map(str::to_string), ..Changes::default() };
        match &op {
            Op::Desc(d) => changes.description = Some(d.to_string()),
            Op::Path(p) => changes.path = Some(p.to_string()),
            Op::Type(t) => changes.kind = Some(t.to_string()),
            Op::Label(l) => changes.labels = vec![l.to_string()],
            Op::Meta(k, v) => changes.custom = vec![(k.to_string(), Value::Number((*v).into()))],
            Op::Remove => {}
        }
        let how = match op {
            Op::Remove => Edit::Remove,
            _ => Edit::Annotate { current, changes: &changes },
        };
        let want = expected(&before, id, &op, new_path);
        let after = edit(&text, "dvc.yaml", id, how)
            .map_err(|e| TestCaseError::fail(format!("refused: {}\n{text}", e.message)))?;
        let Some(after) = after else {
            return Err(TestCaseError::fail("an existing entry was not found"));
        };
        let got = match Value::parse(&after) {
            Ok(Value::Mapping(m)) => m,
            Ok(Value::Null) => Mapping::new(),
            other => return Err(TestCaseError::fail(format!("{other:?}\n{after}"))),
        };
        prop_assert_eq!(&got, &want, "before:\n{}\nafter:\n{}", text, after);
        prop_assert!(parse(&after, "dvc.yaml").is_ok(), "{}", after);
        let (old_top, old_entries) = blocks(&text);
        let (new_top, new_entries) = blocks(&after);
        prop_assert_eq!(old_top, new_top, "another section changed:\n{}\n---\n{}", text, after);
        for (n, block) in &old_entries {
            if n != id {
                let kept = new_entries.iter().find(|(m, _)| m == n).map(|(_, b)| b);
                prop_assert_eq!(kept, Some(block), "entry {} changed:\n{}\n---\n{}", n, text, after);
            }
        }
    }
}

/// Lines of many shapes under `artifacts:` after a stage, at many indentations: loading never
/// panics, and an annotation of whatever parsed gives a file that parses with the new `desc`,
/// nothing else changed (`edit` checks that) and the stage before it kept, or is refused: never
/// a broken file.
fn line() -> impl Strategy<Value = String> {
    let text = prop::sample::select(vec![
        "churn:",
        "forecast:",
        "path: m.pkl",
        "path: 'q: r'",
        "desc: a",
        "desc: |",
        "desc: >-",
        "text",
        "",
        "# c",
        "type: model",
        "labels: [a]",
        "labels:",
        "- a",
        "- b: 1",
        "meta:",
        "k: 1",
        "meta: {k: [1, 2]}",
        "x: &a 1",
        "y: *a",
        "\"quoted\":",
        "? k",
        ": v",
        "{a: 1}",
        "path: ${dir}/m",
        "- [a",
        "desc: \"multi",
        "  line\"",
        "...",
        "---",
        "\t- tab",
    ]);
    (prop::sample::select(vec![0usize, 2, 4, 6]), text)
        .prop_map(|(indent, t)| format!("{}{t}", " ".repeat(indent)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn loading_and_annotating_dvc_yaml_never_panic_nor_break_the_file(
        lines in prop::collection::vec(line(), 0..10),
        entry_first in any::<bool>(),
    ) {
        let mut body = String::new();
        if entry_first {
            body.push_str("  churn:\n    path: m.pkl\n");
        }
        for l in &lines {
            body.push_str(l);
            body.push('\n');
        }
        let text = format!("stages:\n  t:\n    cmd: x\nartifacts:\n{body}");
        if let Ok(d) = parse(&text, "dvc.yaml")
            && let Some((id, entry)) = d.entries.first() {
                let changes = Changes { description: Some("d".into()), ..Default::default() };
                let how = Edit::Annotate { current: Some(entry), changes: &changes };
                match edit(&text, "dvc.yaml", id, how) {
                    Ok(Some(edited)) => {
                        let again = parse(&edited, "dvc.yaml");
                        prop_assert!(again.is_ok(), "{:?} edited to {:?}: {:?}", text, edited, again);
                        let again = again.map(|d| d.entries).unwrap_or_default();
                        let entry = again.iter().find(|(k, _)| k == id).map(|(_, e)| e);
                        prop_assert_eq!(entry.and_then(|e| e.description.as_deref()), Some("d"), "{:?} edited to {:?}", text, edited);
                        prop_assert!(edited.starts_with("stages:\n  t:\n    cmd: x\nartifacts:\n"), "{:?}", edited);
                    }
                    Ok(None) => prop_assert!(false, "annotate never answers 'absent'"),
                    Err(e) => prop_assert!(e.message.starts_with("cannot edit dvc.yaml safely"), "{}", e.message),
                }
            }
    }
}
