//! Which metrics files count for an artifact at a commit: its `artifacts.yaml` entry's
//! `metrics:` list, or, for an artifact declared in a `dvc.yaml`, that file's top-level
//! `metrics:` list, as DVC reads it. Paths are relative to the declaring file and must stay
//! inside the repository.
//!
//! Only the top-level `metrics:` of a `dvc.yaml` counts, not stage outputs marked `metrics:`
//! (which `dvc metrics show` also lists): a cached one is in DVC's cache, not in git, so it
//! could not be read at a version's commit anyway; declare the file at the top level (DVC reads
//! it there too) to have it count.

use anyhow::Result;

use crate::artifacts::declared::{self, Format};
use crate::git::Repo;
use crate::output::escape;
use crate::registry::name::ArtifactName;
use crate::yaml::Value;

/// The declared metrics files (repository-relative, in the order listed, without repeats), and
/// warnings about the declaration.
#[derive(Debug, Default)]
pub(crate) struct Files {
    pub paths: Vec<String>,
    pub warnings: Vec<String>,
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(7)]
}

/// The metrics files declared for `name` at `commit`. A declaration file that does not read is
/// a warning (the registration's own reads report it as an error).
pub(crate) fn files(repo: &Repo, name: &ArtifactName, commit: &str) -> Result<Files> {
    let mut out = Files::default();
    let lookup = match declared::lookup(repo, commit, name) {
        Ok(l) => l,
        Err(e) => {
            out.warnings.push(format!(
                "the metrics files of '{name}' at {} are not read: {e:#}",
                short(commit)
            ));
            return Ok(out);
        }
    };
    let Some(d) = lookup.found else {
        return Ok(out);
    };
    let listed = match d.format {
        Format::Artifacts => d.entry.raw.get("metrics").cloned(),
        Format::Dvc => match crate::safe_read::declaration_at(repo, commit, &d.file)? {
            Ok(Some(text)) => match Value::parse(&text) {
                Ok(Value::Mapping(top)) => top.get("metrics").cloned(),
                _ => None,
            },
            _ => None,
        },
    };
    let place = match d.format {
        Format::Artifacts => format!("'{}.metrics'", d.key),
        Format::Dvc => "'metrics'".to_string(),
    };
    let at = format!("{} at {}", d.file, short(commit));
    let items = match listed {
        None | Some(Value::Null) => return Ok(out),
        // One path where a list belongs: DVC requires a list; read it as the list of one.
        Some(s @ Value::String(_)) => vec![s],
        Some(Value::Sequence(items)) => items,
        Some(_) => {
            out.warnings.push(format!(
                "{at}: {place} must be a list of metrics files; none are read"
            ));
            return Ok(out);
        }
    };
    let dir = d.file.rsplit_once('/').map_or("", |(dir, _)| dir);
    for item in items {
        let Value::String(path) = item else {
            out.warnings.push(format!(
                "{at}: {place} holds {item:?}, which is not a path; it is left out"
            ));
            continue;
        };
        match inside(dir, &path) {
            Some(rel) if !out.paths.contains(&rel) => out.paths.push(rel),
            Some(_) => {}
            None => out.warnings.push(format!(
                "{at}: metrics file '{}' is not a path inside the repository (relative to {}); it is left out",
                escape(&path),
                d.file
            )),
        }
    }
    Ok(out)
}

/// `path` (relative to `dir`) made repository-relative; `None` when it is absolute, a URL,
/// templated, holds a control character or leads out.
fn inside(dir: &str, path: &str) -> Option<String> {
    if path.is_empty()
        || path.contains("://")
        || path.contains("${")
        || path.starts_with(['/', '\\'])
        || path.chars().any(char::is_control)
    {
        return None;
    }
    crate::safe_read::join_inside(dir, path).filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::inside;

    #[test]
    fn paths_stay_inside() {
        assert_eq!(inside("", "eval/m.json").as_deref(), Some("eval/m.json"));
        assert_eq!(
            inside("models", "./m.json").as_deref(),
            Some("models/m.json")
        );
        assert_eq!(
            inside("models/cv", "../m.yaml").as_deref(),
            Some("models/m.yaml")
        );
        for bad in [
            "/etc/passwd",
            "../x",
            "s3://b/m.json",
            "${x}.json",
            "a\nb",
            "",
            ".",
        ] {
            assert_eq!(inside("", bad), None, "{bad:?}");
        }
    }
}
