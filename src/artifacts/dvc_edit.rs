//! Editing `dvc.yaml`'s `artifacts:` section as text, with the guarantees of `artifacts.yaml`'s
//! editor: only the lines of the fields being set change, and every edit is checked by parsing
//! the whole result before anyone writes it.
//!
//! The section (the lines under `artifacts:` up to the next top-level key) is an
//! `artifacts.yaml` indented by one level, so it is cut out, dedented, edited by
//! `artifacts.yaml`'s editor (`super::edit`) and spliced back: lines the edit kept keep their bytes, only
//! changed lines are indented again. Nothing outside the section is touched (`stages:`,
//! `params:`, `vars:` …), which the check proves: every other top-level key must parse to the
//! value it had. DVC's field names are written (`desc`, `meta`); DVC has no `virtual:`, so a
//! `virtual` change is not written here (an entry is virtual when its path is a URL).

use super::dvc_yaml::{SECTION, dvc_field};
use super::edit::{
    Edit, annotate_fields, field_values, indent_of, is_top_level, key_of, parse_mapping, remove,
};
use crate::error::UserError;
use crate::yaml::{Mapping, Value};

/// Where the section is: the `artifacts:` line, the end of its body (trailing blank lines and
/// column-0 comments left out: they introduce what follows), and its entries' indentation.
struct Section {
    head: usize,
    end: usize,
    indent: usize,
}

fn refuse(file: &str, why: &str) -> UserError {
    UserError::new(format!("cannot edit {file} safely: {why}")).with_hint(
        "nothing was written; edit the file by hand (registry edits lines, keeping comments, and checks the result)",
    )
}

/// Finds the section in `lines`; `Ok(None)` when the file has no `artifacts:` line.
fn find_section(lines: &[&str], file: &str) -> Result<Option<Section>, UserError> {
    let Some(head) = lines.iter().position(|l| key_of(l) == Some(SECTION)) else {
        return Ok(None);
    };
    let after = lines[head].split_once(':').map_or("", |(_, v)| v).trim();
    if !after.is_empty() && !after.starts_with('#') {
        let what = if after.starts_with('{') {
            "is written in flow style (`artifacts: {…}`)"
        } else {
            "has a value on its own line (only a block mapping under `artifacts:` is edited)"
        };
        return Err(refuse(
            file,
            &format!("`{SECTION}:` at {file}:{} {what}", head + 1),
        ));
    }
    let mut end = head + 1;
    while end < lines.len() && !is_top_level(lines[end]) {
        end += 1;
    }
    while end > head + 1 && (lines[end - 1].trim().is_empty() || lines[end - 1].starts_with('#')) {
        end -= 1;
    }
    let content = |l: &str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    let indent = lines[head + 1..end]
        .iter()
        .find(|l| content(l))
        .map_or(2, |l| indent_of(l));
    for (i, l) in lines.iter().enumerate().take(end).skip(head + 1) {
        if content(l)
            && (indent_of(l) < indent || l.as_bytes()[..indent].iter().any(|&b| b != b' '))
        {
            return Err(refuse(
                file,
                &format!(
                    "{file}:{} is indented less than the entries of `{SECTION}:` above it",
                    i + 1
                ),
            ));
        }
    }
    Ok(Some(Section { head, end, indent }))
}

/// Which lines of `new` are lines of `old` kept by the edit (a longest common subsequence of
/// the part between the common head and tail, when that part is small): `Some(i)` is `old[i]`.
fn kept_lines(old: &[String], new: &[String]) -> Vec<Option<usize>> {
    let p = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let s = old[p..]
        .iter()
        .rev()
        .zip(new[p..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (a, b) = (&old[p..old.len() - s], &new[p..new.len() - s]);
    let mut out: Vec<Option<usize>> = (0..p).map(Some).collect();
    let mut middle = vec![None; b.len()];
    if a.len() * b.len() <= 1 << 20 {
        // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
        let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                lcs[i][j] = if a[i] == b[j] {
                    lcs[i + 1][j + 1] + 1
                } else {
                    lcs[i + 1][j].max(lcs[i][j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            if a[i] == b[j] {
                middle[j] = Some(p + i);
                i += 1;
                j += 1;
            } else if lcs[i + 1][j] >= lcs[i][j + 1] {
                i += 1;
            } else {
                j += 1;
            }
        }
    }
    out.extend(middle);
    out.extend((old.len() - s..old.len()).map(Some));
    out
}

/// The fields an annotation sets, under DVC's names (`virtual` has none: it is left out).
fn dvc_sets(edit: Edit<'_>) -> Vec<(&'static str, Value)> {
    match edit {
        Edit::Remove => Vec::new(),
        Edit::Annotate { current, changes } => field_values(current, changes)
            .into_iter()
            .filter(|(k, _)| *k != "virtual")
            .map(|(k, v)| (dvc_field(k), v))
            .collect(),
    }
}

/// The whole file's mapping after the edit, computed on the parsed value alone: what the edited
/// text must parse to. A section left without entries goes away (DVC's schema wants a mapping).
fn expected(mut top: Mapping, key: &str, edit: Edit<'_>, sets: &[(&str, Value)]) -> Mapping {
    match edit {
        Edit::Remove => {
            if let Some(Value::Mapping(mut section)) = top.remove(SECTION) {
                section.remove(key);
                if !section.is_empty() {
                    top.insert(Value::String(SECTION.into()), Value::Mapping(section));
                }
            }
        }
        Edit::Annotate { .. } => {
            let section = top.get_or_insert_null(SECTION);
            if !section.is_mapping() {
                *section = Value::Mapping(Mapping::new());
            }
            if let Value::Mapping(section) = section {
                let entry = section.get_or_insert_null(key);
                if !entry.is_mapping() {
                    *entry = Value::Mapping(Mapping::new());
                }
                if let Value::Mapping(fields) = entry {
                    for (k, v) in sets {
                        fields.insert(Value::String((*k).to_string()), v.clone());
                    }
                }
            }
        }
    }
    top
}

/// Edits entry `key` of `text` (the contents of `file`, a `dvc.yaml`) and checks the result: the
/// whole file must parse to exactly the old one with this edit applied, and its `artifacts:` to
/// entries DVC's schema accepts. `None`: the entry to remove is not there. A file with Windows
/// line ends keeps them; mixed line ends are refused, as in `artifacts.yaml`.
pub(crate) fn edit(
    text: &str,
    file: &str,
    key: &str,
    edit: Edit<'_>,
) -> Result<Option<String>, UserError> {
    if text.contains("\r\n") {
        if text.matches('\n').count() != text.matches("\r\n").count() {
            return Err(refuse(
                file,
                "it mixes Windows (CRLF) and Unix (LF) line ends",
            ));
        }
        let edited = edit_lf(&text.replace("\r\n", "\n"), file, key, edit)?;
        return Ok(edited.map(|t| t.replace('\n', "\r\n")));
    }
    edit_lf(text, file, key, edit)
}

fn edit_lf(text: &str, file: &str, key: &str, edit: Edit<'_>) -> Result<Option<String>, UserError> {
    let before =
        parse_mapping(text).map_err(|e| refuse(file, &format!("it does not parse: {e}")))?;
    let lines: Vec<&str> = text.lines().collect();
    let section = find_section(&lines, file)?;
    if section.is_none() && before.contains_key(SECTION) {
        return Err(refuse(
            file,
            &format!(
                "its `{SECTION}:` is not a line of its own ({file}:1 starts a flow-style mapping?)"
            ),
        ));
    }
    let sets = dvc_sets(edit);
    let raw_entry = match before.get(SECTION) {
        Some(Value::Mapping(m)) => m.get(key).and_then(|v| match v {
            Value::Mapping(m) => Some(m.clone()),
            _ => None,
        }),
        _ => None,
    };
    // A merge (labels, meta) into a templated field would drop the template: refused.
    if let (Edit::Annotate { current, .. }, Some(raw)) = (edit, &raw_entry) {
        for (k, _) in &sets {
            let ours = if *k == "meta" { "custom" } else { k };
            let merged = matches!(*k, "labels" | "meta");
            if merged && raw.contains_key(k) && !current.is_some_and(|e| e.raw.contains_key(ours)) {
                let line = super::dvc_yaml::locate(text, Some(key), Some(k)).unwrap_or(1);
                return Err(refuse(
                    file,
                    &format!(
                        "'{SECTION}.{key}.{k}' at {file}:{line} is templated (${{…}}) and cannot be merged into"
                    ),
                ));
            }
        }
    }
    let (head, end, indent) = match &section {
        Some(s) => (s.head, s.end, s.indent),
        None => (lines.len(), lines.len(), 2),
    };
    let pad = " ".repeat(indent);
    let originals = if section.is_some() {
        &lines[head + 1..end]
    } else {
        &lines[..0]
    };
    let old: Vec<String> = originals
        .iter()
        .map(|l| l.strip_prefix(pad.as_str()).unwrap_or(l).to_string())
        .collect();
    let mut body = old.join("\n");
    if !body.is_empty() {
        body.push('\n');
    }
    let edited = match edit {
        Edit::Annotate { .. } => annotate_fields(&body, key, raw_entry.as_ref(), &sets),
        Edit::Remove => match remove(&body, key) {
            Some(t) => t,
            None => return Ok(None),
        },
    };
    let new: Vec<String> = edited.lines().map(ToString::to_string).collect();
    let body_lines: Vec<String> = kept_lines(&old, &new)
        .into_iter()
        .zip(&new)
        .map(|(kept, line)| match kept {
            Some(i) => originals[i].to_string(),
            None if line.is_empty() => String::new(),
            None => format!("{pad}{line}"),
        })
        .collect();
    let empty = !body_lines
        .iter()
        .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let mut out: Vec<String> = lines[..head].iter().map(ToString::to_string).collect();
    if empty {
        // No entries left: the `artifacts:` line goes too, and when nothing but blank lines
        // follows it, so do the blank lines before it (undoing an appended section exactly).
        if lines[end..].iter().all(|l| l.trim().is_empty()) {
            while out.last().is_some_and(|l| l.trim().is_empty()) {
                out.pop();
            }
        }
    } else {
        out.push(match &section {
            Some(_) => lines[head].to_string(),
            None => format!("{SECTION}:"),
        });
        out.extend(body_lines);
    }
    if !(empty && lines[end..].iter().all(|l| l.trim().is_empty())) {
        out.extend(lines[end..].iter().map(ToString::to_string));
    }
    let mut new_text = out.join("\n");
    if !new_text.is_empty() && (text.ends_with('\n') || text.is_empty() || section.is_none()) {
        new_text.push('\n');
    }
    // Where the entry is (or the section, for a new one), for the messages below.
    let at = super::dvc_yaml::locate(text, Some(key), None)
        .map_or_else(String::new, |l| format!(" (at {file}:{l})"));
    let after = parse_mapping(&new_text).map_err(|e| {
        refuse(
            file,
            &format!("the edit of '{key}'{at} would not parse: {e}"),
        )
    })?;
    if after != expected(before, key, edit, &sets) {
        return Err(refuse(
            file,
            &format!(
                "the edit of '{key}'{at} would change more than it asks for (an anchor, or a construct registry misreads?)"
            ),
        ));
    }
    super::dvc_yaml::parse(&new_text, file).map_err(|e| refuse(file, &e.message))?;
    Ok(Some(new_text))
}

#[cfg(test)]
mod tests;
