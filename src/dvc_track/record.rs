//! DVC's records of outputs, parsed: the `outs` of a `.dvc` file (`dvc add`) and of each stage
//! of a `dvc.lock` (`dvc repro`), each out's `path` made repository-relative. Only what an
//! identity needs is read (`path`, `md5`, `hash`, `size`, `nfiles`); any other key is DVC's.
//!
//! A file that is not what DVC writes (not YAML, `outs` not a list, an out without a `path`, an
//! md5 that is not hex, a size that is not a number) is an error naming the file and, where the
//! text shows it, the line: a registration never rests on a record it half understood.

use crate::error::UserError;
use crate::yaml::{Mapping, Value};

/// One output DVC records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Out {
    /// Repository-relative, `/`-separated; `None` when it leads outside the repository or is a
    /// URL (an external output: never an artifact's path here).
    pub path: Option<String>,
    /// `md5:` as written: 32 hex digits, `.dir` appended for a directory.
    pub md5: Option<String>,
    /// `hash:` (`md5` for DVC 3; absent for DVC 2, whose md5 is of dos2unix'd text).
    pub hash: Option<String>,
    pub size: Option<u64>,
    pub nfiles: Option<u64>,
    /// `path:` as written (relative to the record's directory, or its stage's `wdir`).
    pub raw: String,
    /// The `dvc.lock` stage it is an out of (`None` for a `.dvc` file).
    pub stage: Option<String>,
}

/// Which kind of record file a text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `NAME.dvc`: `outs` at the top, paths relative to the file's directory (and `wdir`).
    DvcFile,
    /// `dvc.lock`: `stages: NAME: outs`, paths relative to the file's directory.
    Lock,
}

/// The first 1-based line holding `needle` after trimming, for pointing at a field.
fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.trim_start()
                .trim_start_matches("- ")
                .trim_start()
                .starts_with(needle)
        })
        .map(|i| i + 1)
}

/// An error about record file `label` (`models/m.pkl.dvc at 1a2b3c4`), at `line` if known.
fn malformed(label: &str, line: Option<usize>, what: &str) -> UserError {
    let at = line.map_or(String::new(), |l| format!(", line {l}"));
    UserError::new(format!("{label}{at}: {what}")).with_hint(
        "this is not a file DVC writes; fix or regenerate it (`dvc add`, `dvc commit`), then register again",
    )
}

/// `rel` joined to the directory `base`, normalized; `None` if absolute, a URL, or leading out.
pub(crate) fn join(base: &str, rel: &str) -> Option<String> {
    join_dir(base, rel).filter(|p| !p.is_empty())
}

/// A directory `rel` (a `wdir`) joined to `base`: `""` is the repository root; `None` if
/// absolute, a URL, or leading out of the repository (never re-based on the root).
pub(crate) fn join_dir(base: &str, rel: &str) -> Option<String> {
    if rel.contains("://") || rel.starts_with('/') || rel.starts_with('\\') {
        return None;
    }
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for c in rel.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

/// A number DVC wrote (`size`, `nfiles`): a non-negative integer.
fn number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(_) => serde_json::to_value(v).ok()?.as_u64(),
        _ => None,
    }
}

/// Whether `s` is what DVC writes as an md5: 32 lower-case hex digits, `.dir` for a directory.
pub(crate) fn is_dvc_md5(s: &str) -> bool {
    crate::digest::dvc_md5::is_md5_hex(s.strip_suffix(".dir").unwrap_or(s))
}

/// One `outs` list; `at` names it in errors (`outs`, `stages.train.outs`).
fn outs(
    list: &Value,
    base: Option<&str>,
    at: &str,
    label: &str,
    text: &str,
) -> Result<Vec<Out>, UserError> {
    let items = match list {
        Value::Null => return Ok(Vec::new()),
        Value::Sequence(items) => items,
        _ => {
            return Err(malformed(
                label,
                line_of(text, "outs:"),
                &format!("{at} is not a list"),
            ));
        }
    };
    let mut found = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let here = format!("{at}[{i}]");
        let Value::Mapping(m) = item else {
            return Err(malformed(label, None, &format!("{here} is not a mapping")));
        };
        let path = match m.get("path") {
            Some(Value::String(p)) if !p.is_empty() => p,
            _ => {
                return Err(malformed(
                    label,
                    None,
                    &format!("{here} has no `path` (a non-empty string)"),
                ));
            }
        };
        let line = |key: &str| line_of(text, &format!("{key}:"));
        let text_field = |key: &str| -> Result<Option<String>, UserError> {
            match m.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(malformed(
                    label,
                    line(key),
                    &format!("{here}.{key} of '{path}' is not a string"),
                )),
            }
        };
        let number_field = |key: &str| -> Result<Option<u64>, UserError> {
            match m.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => number(v).map(Some).ok_or_else(|| {
                    malformed(
                        label,
                        line(key),
                        &format!("{here}.{key} of '{path}' is not a number ({v:?})"),
                    )
                }),
            }
        };
        let md5 = text_field("md5")?;
        if let Some(md5) = &md5
            && !is_dvc_md5(md5)
        {
            return Err(malformed(
                label,
                line_of(text, &format!("md5: {md5}")),
                &format!("{here}.md5 of '{path}' is not an md5 ('{md5}')"),
            ));
        }
        found.push(Out {
            path: base.and_then(|b| join(b, path)),
            md5,
            hash: text_field("hash")?,
            size: number_field("size")?,
            nfiles: number_field("nfiles")?,
            raw: path.clone(),
            stage: None,
        });
    }
    Ok(found)
}

/// The outputs a record file declares. `file` is its repository-relative path; `label` names it
/// in errors. Paths in a `.dvc` are relative to its directory and `wdir`; a `dvc.lock` out's
/// `path` here is relative to the lock's directory only: its stage's `wdir` is in the `dvc.yaml`
/// beside it, and the caller re-joins `raw` to it (`stages.rs`).
pub(crate) fn parse(
    kind: Kind,
    text: &str,
    file: &str,
    label: &str,
) -> Result<Vec<Out>, UserError> {
    let value = Value::parse(text).map_err(|e| {
        let line = e.location().map(|(line, _)| line);
        malformed(label, line, &format!("invalid YAML: {e}"))
    })?;
    let map: Mapping = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Mapping(m) => m,
        _ => return Err(malformed(label, Some(1), "is not a mapping")),
    };
    let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
    match kind {
        Kind::DvcFile => {
            // A `wdir` leading out of the repository leaves no out a path here.
            let base = match map.get("wdir") {
                None | Some(Value::Null) => Some(dir.to_string()),
                Some(Value::String(w)) => join_dir(dir, w),
                Some(_) => {
                    return Err(malformed(
                        label,
                        line_of(text, "wdir:"),
                        "wdir is not a string",
                    ));
                }
            };
            map.get("outs").map_or(Ok(Vec::new()), |o| {
                outs(o, base.as_deref(), "outs", label, text)
            })
        }
        Kind::Lock => {
            // DVC 2+ writes `schema: '2.0'` and `stages:`; DVC 1 wrote the stages at the top.
            let stages = match map.get("stages") {
                Some(Value::Mapping(s)) => s.clone(),
                Some(Value::Null) => Mapping::new(),
                Some(_) => {
                    return Err(malformed(
                        label,
                        line_of(text, "stages:"),
                        "stages is not a mapping",
                    ));
                }
                None if map.contains_key("schema") => Mapping::new(),
                None => map.clone(),
            };
            let mut found = Vec::new();
            for (name, stage) in &stages {
                let name = name
                    .as_str()
                    .map_or_else(|| format!("{name:?}"), str::to_string);
                let Value::Mapping(stage) = stage else {
                    return Err(malformed(
                        label,
                        line_of(text, &format!("{name}:")),
                        &format!("stage '{name}' is not a mapping"),
                    ));
                };
                if let Some(o) = stage.get("outs") {
                    let listed = outs(o, Some(dir), &format!("stages.{name}.outs"), label, text)?;
                    found.extend(listed.into_iter().map(|o| Out {
                        stage: Some(name.clone()),
                        ..o
                    }));
                }
            }
            Ok(found)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wdir_leading_out_leaves_no_path_and_lock_outs_name_their_stage() {
        let text = "wdir: ../..\nouts:\n- md5: 04153b3135e575c274352238bed301e7\n  hash: md5\n  path: models/m.pkl\n";
        let outs = parse(Kind::DvcFile, text, "models/m.pkl.dvc", "x").unwrap();
        assert_eq!(outs[0].path, None, "never re-based on the root");
        let text = "wdir: ..\nouts:\n- path: m.pkl\n";
        let outs = parse(Kind::DvcFile, text, "models/m.pkl.dvc", "x").unwrap();
        assert_eq!(outs[0].path.as_deref(), Some("m.pkl"));
        assert_eq!(join_dir("", "."), Some(String::new()));
        assert_eq!(join_dir("a", ".."), Some(String::new()));
        assert_eq!(join_dir("a", "../.."), None);
        let lock = "schema: '2.0'\nstages:\n  t:\n    outs:\n    - path: ../m/o\n";
        let outs = parse(Kind::Lock, lock, "p/dvc.lock", "l").unwrap();
        assert_eq!(outs[0].stage.as_deref(), Some("t"));
        assert_eq!(outs[0].raw, "../m/o");
        assert_eq!(outs[0].path.as_deref(), Some("m/o"));
    }

    #[test]
    fn dvc_files_as_dvc_3_writes_them() {
        let text = "outs:\n- md5: 330732952bf2699c39a8456fc04569c5.dir\n  size: 8\n  nfiles: 4\n  hash: md5\n  path: dir\n";
        let outs = parse(Kind::DvcFile, text, "data/dir.dvc", "data/dir.dvc at abc").unwrap();
        assert_eq!(
            outs,
            vec![Out {
                path: Some("data/dir".into()),
                md5: Some("330732952bf2699c39a8456fc04569c5.dir".into()),
                hash: Some("md5".into()),
                size: Some(8),
                nfiles: Some(4),
                raw: "dir".into(),
                stage: None,
            }]
        );
        // DVC 2: no `hash`; wdir moves the base; a path out of the repository is no path.
        let text = "wdir: ..\nouts:\n- md5: 04153b3135e575c274352238bed301e7\n  size: 13\n  path: m/x.pkl\n- path: ../../out\n";
        let outs = parse(Kind::DvcFile, text, "a/b/x.dvc", "x").unwrap();
        assert_eq!(outs[0].path.as_deref(), Some("a/m/x.pkl"));
        assert_eq!(outs[0].hash, None);
        assert_eq!(outs[1].path, None);
        assert_eq!(parse(Kind::DvcFile, "", "x.dvc", "x").unwrap(), vec![]);
    }

    #[test]
    fn lock_files_list_every_stage_s_outs() {
        let text = "schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n    deps:\n    - path: data\n      md5: 330732952bf2699c39a8456fc04569c5.dir\n    outs:\n    - path: model.pkl\n      hash: md5\n      md5: 04153b3135e575c274352238bed301e7\n      size: 13\n  eval:\n    cmd: x\n";
        let outs = parse(Kind::Lock, text, "sub/dvc.lock", "sub/dvc.lock at abc").unwrap();
        assert_eq!(outs.len(), 1);
        assert_eq!(outs[0].path.as_deref(), Some("sub/model.pkl"));
        assert_eq!(outs[0].size, Some(13));
    }

    #[test]
    fn malformed_records_name_the_file_and_line() {
        let cases = [
            ("outs:\n- md5: [unclosed\n", "invalid YAML"),
            ("outs: 3\n", "outs is not a list"),
            (
                "outs:\n- md5: 04153b3135e575c274352238bed301e7\n",
                "has no `path`",
            ),
            (
                "outs:\n- path: m\n  md5: nothex\n",
                "line 3: outs[0].md5 of 'm' is not an md5",
            ),
            (
                "outs:\n- path: m\n  size: big\n",
                "line 3: outs[0].size of 'm' is not a number",
            ),
            ("outs:\n- path: m\n  size: -1\n", "is not a number"),
            ("- a\n", "is not a mapping"),
        ];
        for (text, want) in cases {
            let e = parse(Kind::DvcFile, text, "m.dvc", "m.dvc at abc").unwrap_err();
            assert!(e.to_string().contains(want), "{text}: {e}");
            assert!(e.to_string().starts_with("m.dvc at abc"), "{e}");
        }
        let e = parse(Kind::Lock, "stages:\n  train: 3\n", "dvc.lock", "dvc.lock").unwrap_err();
        assert!(
            e.to_string()
                .contains("line 2: stage 'train' is not a mapping"),
            "{e}"
        );
    }
}
