//! `registry annotate NAME …` and `registry remove NAME`: declare artifacts in the work tree's
//! `dvc.yaml` or `artifacts.yaml` (SPEC §4.1, reference §9), whichever declares the name, under
//! the repository lock. Edits keep the rest of the file as written, are checked by parsing the
//! result, and replace the file atomically; `--move-to` moves a declaration between the two.

use anyhow::Result;
use clap::Args;

use super::{Scope, Session};
use crate::artifacts::declared::Format;
use crate::artifacts::{Changes, Edit, Entry};
use crate::commands::Global;
use crate::error::{UsageError, UserError};
use crate::output::Output;
use crate::provenance;
use crate::registry::name::{ArtifactName, is_name};
use crate::yaml::Value;

mod files;
mod move_to;

use files::{WorkFiles, default_format, work_tree, write_atomic};

const ANNOTATE_EXAMPLES: &str = "\
Examples:
  registry annotate churn --type model --path models/churn.pkl --description 'Churn classifier'
  registry annotate churn --label tabular --custom framework=xgboost
  registry annotate models/cv:resnet --path weights/resnet.pt   # in models/cv/
  registry annotate churn --path models/churn.pkl --file artifacts.yaml   # a new one, GTO's file
  registry annotate churn --move-to dvc.yaml     # move it where DVC and Studio read it
  registry annotate churn --move-to dvc.yaml --path models/churn.pkl   # DVC requires a path
  registry annotate churn --move-to artifacts.yaml                     # and back
  registry annotate embeddings --virtual --path s3://bucket/emb.npy

The file edited is the one that declares the name (dvc.yaml when both do). A new name goes to
dvc.yaml when the repository has a .dvc/ directory, else to artifacts.yaml; --file chooses.
In dvc.yaml, --description is written as `desc:` and --custom under `meta:`, DVC's names.
dvc.yaml has no `virtual:`: an entry there is virtual exactly when its path is a URL, so
--virtual is accepted with a URL path only. --move-to writes the new file first, then removes
the old entry; if stopped in between, both files declare the name alike (dvc.yaml's entry is
the one read) and running it again finishes the move.";

const REMOVE_EXAMPLES: &str = "\
Examples:
  registry remove churn                 # from dvc.yaml or artifacts.yaml, wherever it is declared
  registry remove models/cv:resnet      # from models/cv/dvc.yaml or models/cv/artifacts.yaml
  registry remove churn --file artifacts.yaml   # only that file's entry, when both declare it";

#[derive(Debug, Args)]
#[command(after_help = ANNOTATE_EXAMPLES)]
pub(crate) struct AnnotateArgs {
    /// Artifact name (`dir:name` goes to dir/dvc.yaml or dir/artifacts.yaml)
    pub name: ArtifactName,
    /// Type, e.g. model or dataset
    #[arg(long = "type", value_parser = one_line)]
    pub kind: Option<String>,
    /// Path of the artifact, relative to its declaration file (a URL with --virtual)
    #[arg(long, value_parser = one_line)]
    pub path: Option<String>,
    /// The path is not in the repository (a URL, a bucket, …); in dvc.yaml, only with a URL
    #[arg(long = "virtual")]
    pub is_virtual: bool,
    /// A label to add (repeatable)
    #[arg(long = "label", value_name = "LABEL", value_parser = one_line)]
    pub labels: Vec<String>,
    /// Description (`desc:` in dvc.yaml)
    #[arg(long, value_parser = text)]
    pub description: Option<String>,
    /// A custom KEY=VALUE (repeatable; VALUE is read as YAML: 10 is a number, true a bool; `meta:` in dvc.yaml)
    #[arg(long = "custom", value_name = "KEY=VALUE", value_parser = text)]
    pub custom: Vec<String>,
    /// For a new artifact, the file to declare it in: dvc.yaml or artifacts.yaml [default: dvc.yaml if the repository has .dvc/, else artifacts.yaml]
    #[arg(long, value_name = "FILE", value_parser = declaration_file)]
    pub file: Option<Format>,
    /// Move the declaration to the other file of its directory (dvc.yaml or artifacts.yaml), translating field names; other flags apply to the moved entry
    #[arg(long, value_name = "FILE", value_parser = declaration_file, conflicts_with = "file")]
    pub move_to: Option<Format>,
}

impl AnnotateArgs {
    /// Whether any field is to be set.
    fn sets_anything(&self) -> bool {
        self.kind.is_some()
            || self.path.is_some()
            || self.is_virtual
            || !self.labels.is_empty()
            || self.description.is_some()
            || !self.custom.is_empty()
    }
}

/// `--file`, `--move-to`: one of the two declaration files.
fn declaration_file(s: &str) -> Result<Format, String> {
    Format::of_file_name(s).ok_or_else(|| {
        format!("'{s}' is no declaration file; give dvc.yaml or artifacts.yaml (the file of the artifact's directory)")
    })
}

/// `--type`, `--path`, `--label`: one line of printable text. A path with a newline would become
/// a trailer line of its own in a registration's tag message (issue 8, point 4), and no type or
/// label needs a control character.
fn one_line(s: &str) -> Result<String, String> {
    match s.chars().find(|c| c.is_control()) {
        Some(c) => Err(format!(
            "holds the control character {}; give one line of printable text",
            crate::output::escape(&c.to_string())
        )),
        None => Ok(s.to_string()),
    }
}

/// `--description`, `--custom`: text, where lines and tabs are fine but other control characters
/// (ESC and the terminal sequences it starts) are not.
fn text(s: &str) -> Result<String, String> {
    match s
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
    {
        Some(c) => Err(format!(
            "holds the control character {}; only newlines and tabs are allowed",
            crate::output::escape(&c.to_string())
        )),
        None => Ok(s.to_string()),
    }
}

#[derive(Debug, Args)]
#[command(after_help = REMOVE_EXAMPLES)]
pub(crate) struct RemoveArgs {
    /// Artifact name
    pub name: ArtifactName,
    /// Remove only this file's entry (dvc.yaml or artifacts.yaml) [default: every file of the directory that declares it]
    #[arg(long, value_name = "FILE", value_parser = declaration_file)]
    pub file: Option<Format>,
}

/// Whether a path names an outside location (`s3://…`): what makes a `dvc.yaml` entry virtual.
fn is_url(path: &str) -> bool {
    path.contains("://")
}

/// The changes the flags ask for, checked against the rules of the file they go to; `current`
/// is the entry as it is (its path and virtual-ness decide whether a path must be inside).
fn flag_changes(
    session: &Session,
    args: &AnnotateArgs,
    format: Format,
    current: Option<&Entry>,
) -> Result<Changes> {
    let root = work_tree(session)?;
    if let Some(t) = &args.kind {
        if !is_name(t) {
            return Err(UsageError(crate::registry::name::invalid_value(t).message).into());
        }
        if let Some(types) = &session.config.types
            && !types.contains(t)
        {
            let list: Vec<String> = types.iter().map(|s| format!("'{s}'")).collect();
            return Err(
                UserError::new(format!("Allowed types are: '[{}]'", list.join(", ")))
                    .with_hint(format!(
                        "type '{t}' is not in the `types` list of the config"
                    ))
                    .into(),
            );
        }
    }
    for l in &args.labels {
        if !is_name(l) {
            return Err(UsageError(crate::registry::name::invalid_value(l).message).into());
        }
    }
    let is_virtual = match format {
        Format::Artifacts => args.is_virtual || current.is_some_and(Entry::is_explicitly_virtual),
        Format::Dvc => {
            let path = args
                .path
                .as_deref()
                .or(current.and_then(|e| e.path.as_deref()));
            if args.is_virtual && !path.is_some_and(is_url) {
                return Err(UserError::new(format!(
                    "--virtual needs a URL path for '{}' in dvc.yaml: DVC has no `virtual:`, an entry there is virtual when its path is a URL",
                    args.name
                ))
                .with_hint("give --path with a URL (s3://…, https://…), or declare it in artifacts.yaml (--file artifacts.yaml)")
                .into());
            }
            path.is_some_and(is_url)
        }
    };
    if let Some(p) = &args.path {
        if !is_virtual {
            let rel = provenance::repo_relative(&args.name, p)?;
            provenance::check_inside(&root, &rel)?;
        } else if p.is_empty() {
            return Err(UserError::new("--path is empty").into());
        }
    }
    let mut custom = Vec::new();
    for kv in &args.custom {
        let Some((k, v)) = kv.split_once('=') else {
            return Err(UsageError(format!("--custom '{kv}' is not KEY=VALUE")).into());
        };
        if k.is_empty() {
            return Err(UsageError(format!("--custom '{kv}' has an empty KEY")).into());
        }
        let value = Value::parse(v).unwrap_or_else(|_| Value::String(v.to_string()));
        if value.has_tag() {
            return Err(UsageError(format!(
                "--custom '{kv}': VALUE holds a YAML tag, which DVC and GTO cannot read (they refuse the whole file); quote it to store it as text"
            ))
            .into());
        }
        let value = if value.is_null() && !v.is_empty() {
            Value::String(v.to_string())
        } else {
            value
        };
        custom.push((k.to_string(), value));
    }
    // dvc.yaml has no such key: there the path's being a URL says it.
    let virtual_change = match format {
        Format::Artifacts if args.is_virtual => Some(true),
        Format::Artifacts if args.path.is_some() && !is_virtual => Some(false),
        Format::Artifacts | Format::Dvc => None,
    };
    Ok(Changes {
        kind: args.kind.clone(),
        path: args.path.clone(),
        is_virtual: virtual_change,
        labels: args.labels.clone(),
        description: args.description.clone(),
        custom,
    })
}

pub(crate) fn run_annotate(global: &Global, args: AnnotateArgs, out: &mut Output) -> Result<()> {
    let session = Session::open(global, Scope::Artifact(&args.name))?;
    let root = work_tree(&session)?;
    // One writer at a time reads, edits and replaces the files: no edit is lost.
    let _lock = super::lock_repo(&session.repo)?;
    let files = WorkFiles::read(&root, &args.name)?;
    for w in &files.lookup.warnings {
        out.warn(w)?;
    }
    let declared = files.declared_in();
    if let Some(to) = args.move_to {
        if files.lookup.shadowed.is_some() || declared.is_some_and(|d| d != to) {
            return move_to::run(&session, &args, &files, to, out);
        }
        let Some(_) = declared else {
            return Err(UserError::new(format!(
                "Cannot find artifact '{}' in {}: there is nothing to move",
                args.name,
                files.both()
            ))
            .into());
        };
        out.line(&format!(
            "'{}' is declared in {} already: nothing to move",
            args.name,
            files.get(to).file
        ))?;
        if !args.sets_anything() {
            return Ok(());
        }
    }
    let format = match (declared, args.file) {
        (Some(d), Some(f)) if d != f => {
            return Err(UserError::new(format!(
                "'{}' is declared in {}, not in {}",
                args.name,
                files.get(d).file,
                files.get(f).file
            ))
            .with_hint(format!(
                "to move the declaration there, run `registry annotate {} --move-to {}`",
                args.name,
                f.file_name()
            ))
            .into());
        }
        (Some(d), _) => d,
        (None, Some(f)) => f,
        (None, None) => default_format(&root),
    };
    let target = files.get(format);
    let current = target.entry(&files.key);
    let changes = flag_changes(&session, &args, format, current)?;
    if format == Format::Dvc && current.is_none() && changes.path.is_none() {
        return Err(UserError::new(format!(
            "'{}' would be a new entry of {} without a path, which DVC requires",
            args.name, target.file
        ))
        .with_hint("give --path (relative to the dvc.yaml, or a URL), or declare it in artifacts.yaml with --file artifacts.yaml")
        .into());
    }
    let new_text = target
        .edited(
            &files.key,
            Edit::Annotate {
                current,
                changes: &changes,
            },
        )?
        .unwrap_or_else(|| target.text.clone());
    if new_text == target.text {
        out.line(&format!(
            "Nothing to change for '{}' in {}",
            args.name, target.file
        ))?;
        return Ok(());
    }
    write_atomic(&target.full, &new_text)?;
    let verb = if current.is_some() {
        "Updated"
    } else {
        "Added"
    };
    out.line(&format!("{verb} '{}' in {}", args.name, target.file))?;
    Ok(())
}

pub(crate) fn run_remove(global: &Global, args: RemoveArgs, out: &mut Output) -> Result<()> {
    let session = Session::open(global, Scope::Artifact(&args.name))?;
    let root = work_tree(&session)?;
    // One writer at a time reads, edits and replaces the files: no edit is lost.
    let _lock = super::lock_repo(&session.repo)?;
    let files = WorkFiles::read(&root, &args.name)?;
    let mut edits = Vec::new();
    for format in [Format::Dvc, Format::Artifacts] {
        if args.file.is_some_and(|f| f != format) {
            continue;
        }
        let w = files.get(format);
        if let Some(new_text) = w.edited(&files.key, Edit::Remove)? {
            edits.push((w, new_text));
        }
    }
    if edits.is_empty() {
        let searched: Vec<&str> = match args.file {
            Some(f) => vec![files.get(f).file.as_str()],
            None => [&files.dvc, &files.artifacts]
                .iter()
                .filter(|w| !w.text.is_empty())
                .map(|w| w.file.as_str())
                .collect(),
        };
        let searched = if searched.is_empty() {
            files.get(default_format(&root)).file.clone()
        } else {
            searched.join(" or ")
        };
        return Err(UserError::new(format!(
            "Cannot find artifact '{}' in {searched}",
            args.name
        ))
        .into());
    }
    // artifacts.yaml first: a run stopped between the two writes leaves the dvc.yaml entry,
    // which is the one every reader took anyway.
    for (w, new_text) in edits.iter().rev() {
        write_atomic(&w.full, new_text)?;
    }
    let names: Vec<&str> = edits.iter().map(|(w, _)| w.file.as_str()).collect();
    out.line(&format!(
        "Removed '{}' from {}",
        args.name,
        names.join(" and ")
    ))?;
    Ok(())
}
