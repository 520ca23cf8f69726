//! `annotate NAME --move-to dvc.yaml|artifacts.yaml`: a declaration moves to the other file of
//! its directory, its fields translated (`description` ↔ `desc`, `custom` ↔ `meta`, `virtual`
//! ↔ a URL path), in one locked run.
//!
//! Both new texts are computed and checked before anything is written; then the file moved to is
//! written first and the file moved from second, each atomically. A run stopped between the two
//! writes leaves the name declared in both files with the same fields: harmless, since every
//! reader takes `dvc.yaml`'s entry when both declare a name (with a warning, and a `doctor`
//! finding), and running the same `--move-to` again finishes the move (see [`run`]). Old commits
//! keep the file they had, so lookups at them read the declaration where it was.

use anyhow::Result;

use super::files::{WorkFiles, write_atomic};
use super::{AnnotateArgs, flag_changes, is_url};
use crate::artifacts::declared::Format;
use crate::artifacts::{Changes, Edit, Entry};
use crate::commands::Session;
use crate::error::UserError;
use crate::output::Output;
use crate::yaml::Value;

/// The fields both schemas have (under our names); a move carries these and nothing else.
const CARRIED: [&str; 6] = ["type", "path", "virtual", "labels", "description", "custom"];

fn other(format: Format) -> Format {
    match format {
        Format::Dvc => Format::Artifacts,
        Format::Artifacts => Format::Dvc,
    }
}

/// Whether two entries declare the same thing (a move stopped half-way leaves two such).
fn same(a: &Entry, b: &Entry) -> bool {
    (&a.kind, &a.path, &a.labels, &a.description, &a.custom)
        == (&b.kind, &b.path, &b.labels, &b.description, &b.custom)
}

/// The moved entry's fields as changes to a new entry of `to`, with the flags' changes on top.
fn carried(name: &str, old: &Entry, to: Format, flags: Changes) -> Result<Changes, UserError> {
    let unknown: Vec<&str> = old
        .raw
        .keys()
        .filter_map(Value::as_str)
        .filter(|k| !CARRIED.contains(k))
        .collect();
    if !unknown.is_empty() {
        return Err(UserError::new(format!(
            "'{name}' has fields the other file's schema does not know: {}",
            unknown.join(", ")
        ))
        .with_hint("move them under `custom:` (`meta:` in dvc.yaml) or delete them, then move; nothing was written"));
    }
    let mut custom = Vec::new();
    match &old.custom {
        None => {}
        Some(Value::Mapping(m)) => {
            for (k, v) in m {
                let Some(k) = k.as_str() else {
                    return Err(UserError::new(format!(
                        "'{name}' has a custom key {k:?} that is not a string"
                    )));
                };
                custom.push((k.to_string(), v.clone()));
            }
        }
        // Only artifacts.yaml allows that, and dvc.yaml's `meta:` does not.
        Some(_) => {
            return Err(UserError::new(format!(
                "'{name}' has a `custom:` that is not a mapping, and DVC's `meta:` must be one"
            ))
            .with_hint("make it a mapping (key: value lines), then move; nothing was written"));
        }
    }
    custom.extend(flags.custom);
    let mut labels = old.labels.clone();
    labels.extend(flags.labels);
    let path = flags.path.or_else(|| old.path.clone());
    let is_virtual = match to {
        Format::Dvc => None,
        // A dvc.yaml entry is virtual exactly when its path is a URL; GTO's file says it.
        Format::Artifacts => flags
            .is_virtual
            .or(Some(path.as_deref().is_some_and(is_url))),
    };
    Ok(Changes {
        kind: flags.kind.or_else(|| old.kind.clone()),
        path,
        is_virtual,
        labels,
        description: flags.description.or_else(|| old.description.clone()),
        custom,
    })
}

/// Moves `args.name`'s declaration to `to`. When both files declare it already (a move stopped
/// half-way, or by hand), the entries must agree, and the move finishes by removing the other
/// file's entry; entries that differ are refused, since registry cannot tell which one is meant.
pub(super) fn run(
    session: &Session,
    args: &AnnotateArgs,
    files: &WorkFiles,
    to: Format,
    out: &mut Output,
) -> Result<()> {
    let name = args.name.as_str();
    let (source, target) = (files.get(other(to)), files.get(to));
    let key = files.key.as_str();
    // One file under two names (a link): writing the target and then removing the entry from
    // the source would leave the declaration in neither.
    let one_file = |a: &std::path::Path, b: &std::path::Path| {
        a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
    };
    if one_file(&source.full, &target.full) {
        return Err(UserError::new(format!(
            "{} and {} are one file (a symbolic link leads from one to the other); there is nothing to move",
            source.file, target.file
        ))
        .with_hint("replace the link by a file of its own first, or keep the declaration where it is")
        .into());
    }
    let Some(old) = source.entry(key) else {
        return Err(
            UserError::new(format!("Cannot find artifact '{name}' in {}", source.file)).into(),
        );
    };
    let existing = target.entry(key);
    if let Some(e) = existing
        && !same(e, old)
    {
        return Err(UserError::new(format!(
            "'{name}' is declared in both {} and {}, differently: registry cannot tell which one to keep",
            source.file, target.file
        ))
        .with_hint(format!(
            "make the entries agree, or remove one (`registry remove {name} --file {}`), then move; nothing was written",
            source.format.file_name()
        ))
        .into());
    }
    let flags = flag_changes(session, args, to, existing.or(Some(old)))?;
    let changes = match existing {
        Some(_) => flags,
        None => carried(name, old, to, flags)?,
    };
    if to == Format::Dvc {
        if changes.path.is_none() && existing.is_none() {
            return Err(UserError::new(format!(
                "'{name}' has no path, which DVC requires of an entry in {}",
                target.file
            ))
            .with_hint(format!("give one: `registry annotate {name} --move-to dvc.yaml --path …`; nothing was written"))
            .into());
        }
        let path = changes.path.as_deref().unwrap_or("");
        if old.is_explicitly_virtual() && !is_url(path) && existing.is_none() {
            out.warn(&format!(
                "'{name}' says `virtual: true`, but dvc.yaml has no `virtual:`: there its path '{path}' is a path in the repository (only a URL is virtual)"
            ))?;
        }
        if !is_url(path) && existing.is_none() && changes.path.is_some() {
            crate::provenance::repo_relative(&args.name, path)?;
        }
    }
    let new_target = target
        .edited(
            key,
            Edit::Annotate {
                current: existing,
                changes: &changes,
            },
        )?
        .unwrap_or_else(|| target.text.clone());
    let Some(new_source) = source.edited(key, Edit::Remove)? else {
        return Err(
            UserError::new(format!("Cannot find artifact '{name}' in {}", source.file)).into(),
        );
    };
    // The file moved to first: stopped here, both declare the name, and dvc.yaml's entry (the
    // one every reader takes) is the moved one or the one that was there.
    if new_target != target.text {
        write_atomic(&target.full, &new_target)?;
    }
    write_atomic(&source.full, &new_source).map_err(|e| {
        let why: Vec<String> = e.chain().map(ToString::to_string).collect();
        UserError::new(format!(
            "'{name}' is now in {}, but removing it from {} failed: {}; both files declare it alike, and dvc.yaml's entry is the one read",
            target.file,
            source.file,
            why.join(": "),
        ))
        .with_hint("run the same command again to finish the move")
    })?;
    out.line(&format!(
        "Moved '{name}' from {} to {}",
        source.file, target.file
    ))?;
    Ok(())
}
