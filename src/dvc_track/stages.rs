//! Whether a `dvc.lock` entry is current as DVC 3 sees it: DVC reads a lock only with
//! `schema: '2.0'`, and an entry only for a stage the `dvc.yaml` beside it still defines, for an
//! out that stage still declares (renaming a stage leaves its old entry behind). A lock out's
//! path is relative to its stage's `wdir`, which only the `dvc.yaml` says.
//!
//! What cannot be read literally (a templated `wdir` or out, a `foreach`/`matrix` stage, whose
//! `NAME@KEY` entries would need DVC's own expansion) is never guessed at: the entry is not taken,
//! and [`Judged::Stale`] says why.

use std::collections::BTreeMap;

use super::record::{Out, join, join_dir};
use crate::yaml::Value;

/// A stage of a `dvc.yaml`, as far as judging its lock entries needs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stage {
    /// Defined by `foreach` or `matrix`: its lock entries are `NAME@KEY`.
    generated: bool,
    /// `wdir:` as written, if any.
    wdir: Option<String>,
    /// Its `outs`, `metrics` and `plots` paths as written.
    outs: Vec<String>,
}

/// The stages of a `dvc.yaml` (`None` when it is not YAML or has no `stages` mapping that can be
/// read: then no lock entry beside it is taken).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stages(Option<BTreeMap<String, Stage>>);

/// A lock out judged against its `dvc.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Judged {
    /// DVC reads it: the out with its path made repository-relative through the stage's `wdir`.
    Current(Out),
    /// DVC does not read it as the out of `path` (the path it would name, if one can be told):
    /// `why` finishes "… is named by LOCK, but …".
    Stale {
        path: Option<String>,
        /// The out's `path:` as written.
        raw: String,
        why: String,
    },
}

/// The paths a stage's `outs`/`metrics`/`plots` list declares: strings, or one-key mappings
/// (`- model.pkl: {cache: false}`).
fn declared(list: Option<&Value>) -> Vec<String> {
    let Some(Value::Sequence(items)) = list else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match item {
            Value::String(s) => Some(s.clone()),
            Value::Mapping(m) if m.len() == 1 => m.keys().next()?.as_str().map(str::to_string),
            _ => None,
        })
        .collect()
}

impl Stages {
    /// Reads the stages of a `dvc.yaml` text (`None`: there is no `dvc.yaml` beside the lock).
    pub(crate) fn read(dvc_yaml: Option<&str>) -> Stages {
        let Some(Ok(Value::Mapping(top))) = dvc_yaml.map(Value::parse) else {
            return Stages(None);
        };
        let Some(Value::Mapping(stages)) = top.get("stages") else {
            return Stages(Some(BTreeMap::new()));
        };
        let mut found = BTreeMap::new();
        for (name, stage) in stages {
            let (Some(name), Value::Mapping(stage)) = (name.as_str(), stage) else {
                continue;
            };
            // `foreach` stages keep their body under `do:`.
            let body = match stage.get("do") {
                Some(Value::Mapping(body)) => body,
                _ => stage,
            };
            let outs = ["outs", "metrics", "plots"]
                .iter()
                .flat_map(|k| declared(body.get(k)))
                .collect();
            found.insert(
                name.to_string(),
                Stage {
                    generated: stage.contains_key("foreach") || stage.contains_key("matrix"),
                    wdir: body.get("wdir").and_then(Value::as_str).map(str::to_string),
                    outs,
                },
            );
        }
        Stages(Some(found))
    }

    /// Judges `out` of the lock `lock` (repository-relative; its `dvc.yaml` is `yaml`), whose
    /// `schema` is DVC 3's when `schema_ok`.
    pub(crate) fn judge(&self, lock: &str, yaml: &str, schema_ok: bool, out: Out) -> Judged {
        let dir = lock.rsplit_once('/').map_or("", |(d, _)| d);
        let raw = out.raw.clone();
        let stale = |path: Option<String>, why: String| Judged::Stale {
            path,
            raw: raw.clone(),
            why,
        };
        let guess = out.path.clone();
        if !schema_ok {
            return stale(
                guess,
                "it has no `schema: '2.0'`, and DVC 3 refuses such a lock file".into(),
            );
        }
        let Some(stages) = &self.0 else {
            return stale(
                guess,
                format!("there is no {yaml} beside it that can be read, so DVC does not use it"),
            );
        };
        let name = out.stage.clone().unwrap_or_default();
        let (base_name, generated_entry) = match name.split_once('@') {
            Some((b, _)) => (b, true),
            None => (name.as_str(), false),
        };
        let gone = stages
            .get(base_name)
            .filter(|s| s.generated == generated_entry);
        let Some(stage) = gone else {
            return stale(
                guess,
                format!(
                    "{yaml} no longer has its stage '{name}' (an entry left by a renamed or removed stage)"
                ),
            );
        };
        if stage.generated {
            return stale(
                guess,
                format!(
                    "its stage '{name}' is a foreach/matrix stage of {yaml}, which registry cannot expand to tell whether DVC still declares the out"
                ),
            );
        }
        let base = match &stage.wdir {
            None => Some(dir.to_string()),
            Some(w) if w.contains("${") => {
                return stale(
                    None,
                    format!(
                        "the wdir of its stage '{name}' in {yaml} is templated ('{w}'), so where its outs are cannot be read here"
                    ),
                );
            }
            Some(w) => join_dir(dir, w),
        };
        let Some(base) = base else {
            return stale(
                None,
                format!("the wdir of its stage '{name}' in {yaml} leads outside the repository"),
            );
        };
        let path = join(&base, &out.raw);
        if stage
            .outs
            .iter()
            .any(|d| !d.contains("${") && join(&base, d) == path && path.is_some())
        {
            return Judged::Current(Out { path, ..out });
        }
        let why = if stage.outs.iter().any(|d| d.contains("${")) {
            format!(
                "its stage '{name}' in {yaml} declares templated outs, so whether it still declares this one cannot be told here"
            )
        } else {
            format!("its stage '{name}' in {yaml} no longer declares it")
        };
        stale(path, why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dvc_track::record::{Kind, parse};

    fn judged(yaml: Option<&str>, lock: &str) -> Vec<Judged> {
        let stages = Stages::read(yaml);
        let schema_ok = lock.starts_with("schema: '2.0'");
        parse(Kind::Lock, lock, "p/dvc.lock", "l")
            .unwrap()
            .into_iter()
            .map(|o| stages.judge("p/dvc.lock", "p/dvc.yaml", schema_ok, o))
            .collect()
    }

    fn why(j: &Judged) -> &str {
        match j {
            Judged::Stale { why, .. } => why,
            Judged::Current(o) => panic!("current: {o:?}"),
        }
    }

    #[test]
    fn only_entries_dvc_reads_are_current() {
        let lock = "schema: '2.0'\nstages:\n  train:\n    outs:\n    - path: ../models/m.pkl\n  \
                    old:\n    outs:\n    - path: x\n  each@a:\n    outs:\n    - path: a.pkl\n";
        let yaml = "stages:\n  train:\n    cmd: c\n    outs:\n    - ../models/m.pkl:\n        cache: true\n  \
                    each:\n    foreach: [a]\n    do:\n      cmd: c\n      outs: [a.pkl]\n";
        let j = judged(Some(yaml), lock);
        match &j[0] {
            Judged::Current(o) => assert_eq!(o.path.as_deref(), Some("models/m.pkl")),
            other @ Judged::Stale { .. } => panic!("{other:?}"),
        }
        assert!(why(&j[1]).contains("no longer has its stage 'old'"));
        assert!(why(&j[2]).contains("foreach/matrix"));
        assert!(why(&judged(None, lock)[0]).contains("no p/dvc.yaml beside it"));
        let renamed = "stages:\n  train:\n    cmd: c\n    outs: [other.pkl]\n";
        assert!(why(&judged(Some(renamed), lock)[0]).contains("no longer declares it"));
        let dvc1 = "train:\n  outs:\n  - path: ../models/m.pkl\n";
        assert!(why(&judged(Some(yaml), dvc1)[0]).contains("schema"));
    }

    #[test]
    fn wdirs_move_outs_or_make_them_unreadable() {
        let lock = "schema: '2.0'\nstages:\n  t:\n    outs:\n    - path: o\n";
        let at = |wdir: &str| {
            let yaml = format!("stages:\n  t:\n    wdir: {wdir}\n    cmd: c\n    outs: [o]\n");
            judged(Some(&yaml), lock).remove(0)
        };
        assert!(matches!(at("w"), Judged::Current(o) if o.path.as_deref() == Some("p/w/o")));
        assert!(matches!(at(".."), Judged::Current(o) if o.path.as_deref() == Some("o")));
        assert!(why(&at("../..")).contains("leads outside the repository"));
        assert!(why(&at("${d}")).contains("templated"));
    }
}
