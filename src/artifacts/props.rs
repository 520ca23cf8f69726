//! Property tests of the edits: over generated files with block scalars (`|`, `>`, blank lines
//! inside), flow collections, comments and anchors, every edit parses to the old mapping with
//! exactly that edit applied (computed on the parsed value, independently of the editor), and
//! every other entry keeps its bytes. The only edit allowed to be refused is one that would take
//! away an anchor another entry refers to.

use proptest::prelude::*;

use super::edit::*;
use super::*;
use crate::yaml::{Mapping, Value};

#[derive(Debug, Clone)]
enum Field {
    Type(&'static str),
    Path(&'static str),
    /// Plain one-line description.
    Desc(&'static str),
    /// A block scalar: `|`, `>`, with chomping; "" lines are blank lines inside.
    Block(&'static str, Vec<&'static str>),
    Labels {
        flow: bool,
        deeper: bool,
        items: Vec<&'static str>,
    },
    Custom {
        flow: bool,
        keys: Vec<(&'static str, i64)>,
    },
    Comment {
        col0: bool,
    },
    /// An unknown key holding an anchor (`owner: &aN teamN`).
    Anchor,
    /// An unknown key referring to an earlier entry's anchor.
    Alias(usize),
}

#[derive(Debug, Clone)]
struct GenEntry {
    flow: bool,
    indent: usize,
    trailing_comment: bool,
    fields: Vec<Field>,
}

const NAMES: &[&str] = &["churn", "forecast", "ranker", "emb", "cv", "nlp"];

fn field() -> impl Strategy<Value = Field> {
    let word = prop::sample::select(vec![
        "First",
        "a: b",
        "# not a comment",
        "- dash",
        "x",
        "  indented",
        "tail ",
    ]);
    let line = prop_oneof![3 => word, 1 => Just("")];
    prop_oneof![
        prop::sample::select(vec!["model", "dataset"]).prop_map(Field::Type),
        prop::sample::select(vec!["models/a.pkl", "\"quoted path.pkl\"", "'single.pkl'"])
            .prop_map(Field::Path),
        prop::sample::select(vec!["plain", "\"a: quoted\"", "'it''s'"]).prop_map(Field::Desc),
        (
            prop::sample::select(vec!["|", ">", "|-", ">-", "|+", ">+"]),
            prop::collection::vec(line, 1..6)
        )
            .prop_map(|(style, mut lines)| {
                // A block scalar's first line holds text.
                // (and sets its indentation: not a more indented one).
                if lines[0].is_empty() || lines[0].starts_with(' ') {
                    lines[0] = "first";
                }
                Field::Block(style, lines)
            }),
        (
            any::<bool>(),
            any::<bool>(),
            prop::collection::vec(prop::sample::select(vec!["tab", "gbm", "nn"]), 0..3)
        )
            .prop_map(|(flow, deeper, items)| Field::Labels {
                flow,
                deeper,
                items
            }),
        (
            any::<bool>(),
            prop::collection::vec(
                (prop::sample::select(vec!["k", "j", "epochs"]), 0i64..100),
                1..3
            )
        )
            .prop_map(|(flow, keys)| Field::Custom { flow, keys }),
        any::<bool>().prop_map(|col0| Field::Comment { col0 }),
        Just(Field::Anchor),
        (0usize..6).prop_map(Field::Alias),
    ]
}

fn entry() -> impl Strategy<Value = GenEntry> {
    (
        prop::bool::weighted(0.15),
        prop::sample::select(vec![2usize, 4]),
        any::<bool>(),
        prop::collection::vec(field(), 0..7),
    )
        .prop_map(|(flow, indent, trailing_comment, fields)| GenEntry {
            flow,
            indent,
            trailing_comment,
            fields,
        })
}

/// Renders a file; `anchored[i]` says whether entry i defines its anchor `&ai`.
fn render_file(entries: &[GenEntry], header: bool) -> String {
    let mut out = String::new();
    if header {
        out.push_str("# Artifacts of the team.\n\n");
    }
    let mut anchored = vec![false; entries.len()];
    for (i, e) in entries.iter().enumerate() {
        let name = NAMES[i];
        if e.flow {
            out.push_str(&format!(
                "{name}: {{type: model, path: {name}.pkl, labels: [a, b]}}\n"
            ));
            continue;
        }
        out.push_str(&format!(
            "{name}:{}\n",
            if e.trailing_comment {
                "   # the entry"
            } else {
                ""
            }
        ));
        let pad = " ".repeat(e.indent);
        let mut seen = std::collections::HashSet::new();
        let mut first = true;
        for f in &e.fields {
            let key = match f {
                Field::Type(_) => "type",
                Field::Path(_) => "path",
                Field::Desc(_) | Field::Block(..) => "description",
                Field::Labels { .. } => "labels",
                Field::Custom { .. } => "custom",
                Field::Comment { .. } => "",
                Field::Anchor => "owner",
                Field::Alias(_) => "same_owner",
            };
            if !key.is_empty() && !seen.insert(key) {
                continue; // one of each key
            }
            match f {
                // A comment before the first field would hide the entry's indentation.
                Field::Comment { col0 } if !first => {
                    if *col0 {
                        out.push_str("# between fields\n");
                    } else {
                        out.push_str(&format!("{pad}# about the next field\n"));
                    }
                }
                Field::Comment { .. } => {}
                Field::Type(t) => out.push_str(&format!("{pad}type: {t}  # kind\n")),
                Field::Path(p) => out.push_str(&format!("{pad}path: {p}\n")),
                Field::Desc(d) => out.push_str(&format!("{pad}description: {d}\n")),
                Field::Block(style, lines) => {
                    out.push_str(&format!("{pad}description: {style}\n"));
                    for l in lines {
                        if l.is_empty() {
                            out.push('\n');
                        } else {
                            out.push_str(&format!("{pad}  {l}\n"));
                        }
                    }
                }
                Field::Labels {
                    flow: true, items, ..
                } => out.push_str(&format!("{pad}labels: [{}]\n", items.join(", "))),
                Field::Labels { deeper, items, .. } => {
                    out.push_str(&format!("{pad}labels:\n"));
                    let item_pad = if *deeper {
                        format!("{pad}  ")
                    } else {
                        pad.clone()
                    };
                    for it in items {
                        out.push_str(&format!("{item_pad}- {it}\n"));
                    }
                }
                Field::Custom { flow: true, keys } => {
                    let mut done = std::collections::HashSet::new();
                    let parts: Vec<String> = keys
                        .iter()
                        .filter(|(k, _)| done.insert(*k))
                        .map(|(k, v)| format!("{k}: {v}"))
                        .collect();
                    out.push_str(&format!(
                        "{pad}custom: {{{}, list: [x, y]}}\n",
                        parts.join(", ")
                    ));
                }
                Field::Custom { keys, .. } => {
                    out.push_str(&format!("{pad}custom:\n"));
                    let mut done = std::collections::HashSet::new();
                    for (k, v) in keys {
                        if done.insert(*k) {
                            out.push_str(&format!("{pad}  {k}: {v}\n"));
                        }
                    }
                    out.push_str(&format!(
                        "{pad}  # inside custom\n{pad}  nested:\n{pad}    - 1\n"
                    ));
                }
                Field::Anchor => {
                    anchored[i] = true;
                    out.push_str(&format!("{pad}owner: &a{i} team{i}\n"));
                }
                Field::Alias(j) => match (*j < i).then(|| anchored[*j]) {
                    Some(true) => out.push_str(&format!("{pad}same_owner: *a{j}\n")),
                    _ => out.push_str(&format!("{pad}same_owner: nobody\n")),
                },
            }
            first = false;
        }
        if i + 1 < entries.len() && i % 2 == 0 {
            out.push('\n');
        }
    }
    out
}

#[derive(Debug, Clone)]
enum Op {
    Description(&'static str),
    Path(&'static str),
    Label(&'static str),
    Custom(&'static str, i64),
    Remove,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        prop::sample::select(vec!["new", "a: b", "two\nlines", "#hash", "", "tail  "])
            .prop_map(Op::Description),
        prop::sample::select(vec!["models/new.pkl", "with space.pkl"]).prop_map(Op::Path),
        prop::sample::select(vec!["tab", "fresh"]).prop_map(Op::Label),
        (prop::sample::select(vec!["k", "new_key"]), 0i64..10).prop_map(|(k, v)| Op::Custom(k, v)),
        Just(Op::Remove),
    ]
}

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

/// The mapping after the edit, computed on the parsed value alone.
fn expected(before: &Mapping, name: &str, op: &Op) -> Mapping {
    let mut map = before.clone();
    if let Op::Remove = op {
        map.remove(name);
        return map;
    }
    let entry = map.get_or_insert_null(name);
    if !entry.is_mapping() {
        *entry = Value::Mapping(Mapping::new());
    }
    let Value::Mapping(fields) = entry else {
        unreachable!()
    };
    match op {
        Op::Description(d) => {
            fields.insert(s("description"), s(d));
        }
        Op::Path(p) => {
            fields.insert(s("path"), s(p));
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
        Op::Custom(k, v) => {
            let mut custom = match fields.get("custom") {
                Some(Value::Mapping(m)) => m.clone(),
                _ => Mapping::new(),
            };
            custom.insert(s(k), Value::Number((*v).into()));
            fields.insert(s("custom"), Value::Mapping(custom));
        }
        Op::Remove => unreachable!(),
    }
    map
}

/// Each entry's block of lines, by name.
fn blocks(text: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    NAMES
        .iter()
        .filter_map(|n| {
            entry_block(&lines, n).map(|(a, b)| (n.to_string(), lines[a..b].join("\n")))
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn edits_change_exactly_what_they_ask_for(
        entries in prop::collection::vec(entry(), 0..6),
        header in any::<bool>(),
        target in 0usize..7,
        op in op(),
    ) {
        let text = render_file(&entries, header);
        let before = match Value::parse(&text) {
            Ok(Value::Mapping(m)) => m,
            Ok(Value::Null) => Mapping::new(),
            other => return Err(TestCaseError::fail(format!("generated a bad file: {other:?}\n{text}"))),
        };
        let parsed = parse(&text, "artifacts.yaml").map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        // An entry of the file, or a new one (index past the end).
        let name = if target < entries.len() { NAMES[target] } else { "newname" };
        let current = parsed.iter().find(|(k, _)| k == name).map(|(_, e)| e);
        if matches!(op, Op::Remove) && current.is_none() {
            prop_assert!(remove(&text, name).is_none());
            return Ok(());
        }
        let changes = match &op {
            Op::Description(d) => Changes { description: Some(d.to_string()), ..Changes::default() },
            Op::Path(p) => Changes { path: Some(p.to_string()), ..Changes::default() },
            Op::Label(l) => Changes { labels: vec![l.to_string()], ..Changes::default() },
            Op::Custom(k, v) => Changes { custom: vec![(k.to_string(), Value::Number((*v).into()))], ..Changes::default() },
            Op::Remove => Changes::default(),
        };
        let how = match op {
            Op::Remove => Edit::Remove,
            _ => Edit::Annotate { current, changes: &changes },
        };
        let want = expected(&before, name, &op);
        match edit(&text, "artifacts.yaml", name, how) {
            Ok(Some(after)) => {
                let got: Value = Value::parse(&after).unwrap_or(Value::Null);
                let got = match got { Value::Null => Value::Mapping(Mapping::new()), v => v };
                prop_assert_eq!(&got, &Value::Mapping(want), "before:\n{}\nafter:\n{}", text, after);
                // Every other entry keeps its bytes.
                let old = blocks(&text);
                let new = blocks(&after);
                for (n, block) in &old {
                    if n != name {
                        let kept = new.iter().find(|(m, _)| m == n).map(|(_, b)| b);
                        prop_assert_eq!(kept, Some(block), "entry {} changed:\n{}\n---\n{}", n, text, after);
                    }
                }
            }
            Ok(None) => prop_assert!(false, "an existing entry was not found"),
            Err(e) => {
                // Only an edit that would take away an anchor others use may be refused.
                let idx = NAMES.iter().position(|n| *n == name).unwrap_or(usize::MAX);
                let anchored = text.contains(&format!("&a{idx} "));
                let aliased = text.contains(&format!("*a{idx}"));
                prop_assert!(anchored && aliased, "refused: {}\n{}", e.message, text);
            }
        }
    }
}
/// The same alphabet as the edit properties above, but free-form: loading never panics, and
/// an annotation of whatever parsed gives a file that parses, with the new description and
/// nothing else changed (`edit` checks that), or is refused: never a broken file.
const YAMLISH: &str = "[a-z:\\[\\]{}#\\- \n\"'|>&*!0-9.]{0,120}";

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn loading_and_annotating_never_panic_nor_break_the_file(s in YAMLISH) {
        if let Ok(entries) = parse(&s, "artifacts.yaml")
            && let Some((name, entry)) = entries.first() {
                let changes = Changes { description: Some("d".into()), ..Default::default() };
                let how = Edit::Annotate { current: Some(entry), changes: &changes };
                match edit(&s, "artifacts.yaml", name, how) {
                    Ok(Some(edited)) => {
                        let again = parse(&edited, "artifacts.yaml");
                        prop_assert!(again.is_ok(), "{:?} edited to {:?}: {:?}", s, edited, again);
                        let again = again.unwrap_or_default();
                        let entry = again.iter().find(|(k, _)| k == name).map(|(_, e)| e);
                        prop_assert_eq!(entry.and_then(|e| e.description.as_deref()), Some("d"), "{:?} edited to {:?}", s, edited);
                    }
                    Ok(None) => prop_assert!(false, "annotate never answers 'absent'"),
                    Err(e) => prop_assert!(e.message.starts_with("cannot edit artifacts.yaml safely"), "{}", e.message),
                }
            }
    }
}
