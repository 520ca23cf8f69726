//! Where an artifact is declared: `artifacts.yaml` (GTO's) or `dvc.yaml` (DVC's, reference
//! §9.2), in the directory of its `dir:` part, at a commit. One name has exactly two candidate
//! files, so a lookup reads two blobs at most; only the listing of everything declared
//! ([`inventory`]) walks the tree.
//!
//! Precedence (README "With DVC"): when both files declare a name, `dvc.yaml` wins, since DVC and
//! Studio read it and nothing else; the `artifacts.yaml` entry is ignored with a warning, and
//! `doctor` reports it. A file that does not parse is an error for every name it could declare:
//! reading past it could pick the other file's entry, or none, and record the wrong thing.

use anyhow::Result;

use super::{Entry, parse, parse_dvc};
use crate::error::UserError;
use crate::git::Repo;
use crate::registry::name::ArtifactName;

/// The two kinds of declaration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// GTO's `artifacts.yaml`: the file is a mapping of names to entries.
    Artifacts,
    /// DVC's `dvc.yaml`: entries under its `artifacts:` key.
    Dvc,
}

impl Format {
    /// The file's name.
    pub(crate) fn file_name(self) -> &'static str {
        match self {
            Format::Artifacts => "artifacts.yaml",
            Format::Dvc => "dvc.yaml",
        }
    }

    /// The format of a file called `name` (`dvc.yaml` or `artifacts.yaml`).
    pub(crate) fn of_file_name(name: &str) -> Option<Format> {
        match name {
            "artifacts.yaml" => Some(Format::Artifacts),
            "dvc.yaml" => Some(Format::Dvc),
            _ => None,
        }
    }
}

/// An artifact's declaration: the file (repository-relative), its format, the key in it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Declared {
    pub file: String,
    pub format: Format,
    pub key: String,
    pub entry: Entry,
}

/// What a lookup found, and what to warn about (both files declaring it, templated fields).
#[derive(Debug, Default)]
pub(crate) struct Lookup {
    pub found: Option<Declared>,
    /// The `artifacts.yaml` entry a `dvc.yaml` one outranks, if both declare the name.
    pub shadowed: Option<Declared>,
    pub warnings: Vec<String>,
}

/// The file of `format` that would declare `name`, and its key there (`dir/dvc.yaml` and
/// `name` for `dir:name`).
pub(crate) fn file_for(name: &ArtifactName, format: Format) -> (String, String) {
    let file = match name.dirname() {
        Some(dir) => format!("{dir}/{}", format.file_name()),
        None => format.file_name().to_string(),
    };
    (file, name.basename().to_string())
}

/// The full name a key of `file` declares: `dir:key` for `dir/dvc.yaml` (git-root relative,
/// DVC PR #10386), `key` for a file at the root.
pub(crate) fn name_in(file: &str, key: &str) -> String {
    match file.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}:{key}"),
        None => key.to_string(),
    }
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(7)]
}

/// A file's entries, `(key, entry)` in file order.
pub(crate) type Entries = Vec<(String, Entry)>;

/// The entries of one declaration file's text, with warnings; `label` names it in messages.
pub(crate) fn parse_file(
    format: Format,
    text: &str,
    label: &str,
) -> Result<(Entries, Vec<String>), UserError> {
    match format {
        Format::Artifacts => Ok((parse(text, label)?, Vec::new())),
        Format::Dvc => {
            let d = parse_dvc(text, label)?;
            Ok((d.entries, d.warnings))
        }
    }
}

/// Picks `key`'s entry out of the parsed candidate files (`dvc.yaml` first): the pure half of
/// [`lookup`].
pub(crate) fn choose(
    name: &ArtifactName,
    candidates: Vec<(Format, String, Entries)>,
    at: &str,
) -> Lookup {
    let key = name.basename();
    let mut found: Vec<Declared> = candidates
        .into_iter()
        .filter_map(|(format, file, entries)| {
            entries
                .into_iter()
                .find(|(k, _)| k == key)
                .map(|(key, entry)| Declared {
                    file,
                    format,
                    key,
                    entry,
                })
        })
        .collect();
    found.sort_by_key(|d| d.format != Format::Dvc);
    let mut lookup = Lookup::default();
    let mut found = found.into_iter();
    lookup.found = found.next();
    lookup.shadowed = found.next();
    if let (Some(d), Some(s)) = (&lookup.found, &lookup.shadowed) {
        lookup.warnings.push(format!(
            "'{name}' is declared in both {} and {}{at}; registry reads {} (what DVC and Studio read) and ignores the {} entry",
            d.file, s.file, d.file, s.file
        ));
    }
    lookup
}

/// `name`'s declaration at `commit`. A candidate file that cannot be read or parsed is an error
/// naming it (and the line and field).
pub(crate) fn lookup(repo: &Repo, commit: &str, name: &ArtifactName) -> Result<Lookup> {
    prefetch(repo, &[commit], name)?;
    let mut candidates = Vec::new();
    let mut warnings = Vec::new();
    for format in [Format::Dvc, Format::Artifacts] {
        let (file, _) = file_for(name, format);
        let Some(text) = crate::safe_read::declaration_at(repo, commit, &file)?? else {
            continue;
        };
        let label = format!("{file} at {}", short(commit));
        let (entries, w) = parse_file(format, &text, &label)?;
        warnings.extend(w);
        candidates.push((format, file, entries));
    }
    let mut lookup = choose(name, candidates, &format!(" at {}", short(commit)));
    warnings.append(&mut lookup.warnings);
    lookup.warnings = warnings;
    Ok(lookup)
}

/// Everything declared at a commit, for `show` and `doctor`.
#[derive(Debug, Default)]
pub(crate) struct Inventory {
    /// Each declared name with the declaration that counts, in file order (files sorted).
    pub declared: Vec<(ArtifactName, Declared)>,
    /// Names declared in both files: (name, the `dvc.yaml` that wins, the `artifacts.yaml`).
    pub twice: Vec<(ArtifactName, String, String)>,
    /// Files that cannot be read or parsed: (file, why).
    pub broken: Vec<(String, UserError)>,
    /// Keys that are no name registry can tag: (file, full name).
    pub unnamed: Vec<(String, String)>,
    /// Templated fields and the like.
    pub warnings: Vec<String>,
    /// How many declaration files of each format there are.
    pub files: (usize, usize),
}

/// Which declaration files [`inventory`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Every `artifacts.yaml` and `dvc.yaml` in the tree (`doctor`).
    Everything,
    /// What `show` lists: the top-level `artifacts.yaml` only (GTO's rule), and every
    /// `dvc.yaml` when the repository is a DVC one (a `dvc.yaml` or `.dvc/config` at the top),
    /// so that `show` walks no tree in a repository DVC does not use.
    Show,
}

/// In a partial clone, fetches in one batch the files that may declare `name` at each of
/// `commits` (its `dvc.yaml` and `artifacts.yaml`), so that reading them is one fetch, not one
/// per file. A reader of several commits calls it first with all of them.
pub(crate) fn prefetch(repo: &Repo, commits: &[&str], name: &ArtifactName) -> Result<()> {
    let files = [Format::Dvc, Format::Artifacts].map(|f| file_for(name, f).0);
    let wanted: Vec<(&str, &str)> = commits
        .iter()
        .flat_map(|c| files.iter().map(move |f| (*c, f.as_str())))
        .collect();
    repo.prefetch(&wanted)
}

/// Every declaration file of `reach` in `commit`'s tree, read; `at` follows each file's name in
/// messages (` at HEAD`).
pub(crate) fn inventory(repo: &Repo, commit: &str, reach: Reach, at: &str) -> Result<Inventory> {
    let mut inv = Inventory::default();
    // From the trees alone: a partial clone fetches no file to learn it is there.
    let exists = |file: &str| repo.has_entry(commit, file);
    let mut files = match reach {
        Reach::Everything => repo.files_named(commit, &["dvc.yaml", "artifacts.yaml"])?,
        Reach::Show if exists("dvc.yaml")? || exists(".dvc/config")? => {
            let mut files = repo.files_named(commit, &["dvc.yaml"])?;
            files.push("artifacts.yaml".into());
            files
        }
        Reach::Show => vec!["artifacts.yaml".into()],
    };
    files.sort();
    files.dedup();
    let wanted: Vec<(&str, &str)> = files.iter().map(|f| (commit, f.as_str())).collect();
    repo.prefetch(&wanted)?;
    let mut dvc_names: Vec<(String, String)> = Vec::new();
    let mut artifacts: Vec<(ArtifactName, Declared)> = Vec::new();
    for file in files {
        let base = file.rsplit_once('/').map_or(file.as_str(), |(_, b)| b);
        let Some(format) = Format::of_file_name(base) else {
            continue;
        };
        let read = crate::safe_read::declaration_at(repo, commit, &file)?;
        if matches!(read, Ok(None)) {
            continue;
        }
        match format {
            Format::Artifacts => inv.files.0 += 1,
            Format::Dvc => inv.files.1 += 1,
        }
        let text = match read {
            Ok(text) => text.unwrap_or_default(),
            Err(e) => {
                inv.broken.push((file, e));
                continue;
            }
        };
        let (entries, warnings) = match parse_file(format, &text, &format!("{file}{at}")) {
            Ok(parsed) => parsed,
            Err(e) => {
                inv.broken.push((file, e));
                continue;
            }
        };
        inv.warnings.extend(warnings);
        for (key, entry) in entries {
            let full = name_in(&file, &key);
            let Ok(name) = full.parse::<ArtifactName>() else {
                inv.unnamed.push((file.clone(), full));
                continue;
            };
            let d = Declared {
                file: file.clone(),
                format,
                key,
                entry,
            };
            match format {
                Format::Dvc => {
                    dvc_names.push((name.to_string(), file.clone()));
                    inv.declared.push((name, d));
                }
                Format::Artifacts => artifacts.push((name, d)),
            }
        }
    }
    for (name, d) in artifacts {
        if let Some((_, dvc_file)) = dvc_names.iter().find(|(n, _)| *n == name.as_str()) {
            inv.twice.push((name, dvc_file.clone(), d.file));
        } else {
            inv.declared.push((name, d));
        }
    }
    Ok(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(format: Format, text: &str) -> Vec<(String, Entry)> {
        parse_file(format, text, "f").unwrap().0
    }

    #[test]
    fn dvc_yaml_outranks_artifacts_yaml_with_a_warning() {
        let name: ArtifactName = "churn".parse().unwrap();
        let dvc = entries(Format::Dvc, "artifacts:\n  churn:\n    path: dvc.pkl\n");
        let gto = entries(Format::Artifacts, "churn:\n  path: gto.pkl\n");
        let l = choose(
            &name,
            vec![
                (Format::Artifacts, "artifacts.yaml".into(), gto.clone()),
                (Format::Dvc, "dvc.yaml".into(), dvc),
            ],
            " at abc1234",
        );
        let found = l.found.unwrap();
        assert_eq!(found.format, Format::Dvc);
        assert_eq!(found.entry.path.as_deref(), Some("dvc.pkl"));
        assert_eq!(l.shadowed.unwrap().file, "artifacts.yaml");
        assert_eq!(
            l.warnings,
            [
                "'churn' is declared in both dvc.yaml and artifacts.yaml at abc1234; registry reads dvc.yaml (what DVC and Studio read) and ignores the artifacts.yaml entry"
            ]
        );
        let only = choose(
            &name,
            vec![(Format::Artifacts, "artifacts.yaml".into(), gto)],
            "",
        );
        assert_eq!(only.found.unwrap().format, Format::Artifacts);
        assert!(only.warnings.is_empty());
    }

    #[test]
    fn names_are_git_root_relative() {
        let name: ArtifactName = "path/to:cv".parse().unwrap();
        assert_eq!(
            file_for(&name, Format::Dvc),
            ("path/to/dvc.yaml".into(), "cv".into())
        );
        assert_eq!(name_in("path/to/dvc.yaml", "cv"), "path/to:cv");
        assert_eq!(name_in("dvc.yaml", "cv"), "cv");
    }
}
