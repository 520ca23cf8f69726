//! `registry annotate NAME …` and `registry remove NAME`: declare artifacts in artifacts.yaml
//! (SPEC §4.1). Edits keep the rest of the file as written and replace it atomically.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::Args;

use super::{Scope, Session};
use crate::artifacts::{self, Changes};
use crate::commands::Global;
use crate::error::{UsageError, UserError};
use crate::output::Output;
use crate::provenance;
use crate::registry::name::{ArtifactName, is_name};
use crate::safe_read;
use crate::yaml::Value;

const ANNOTATE_EXAMPLES: &str = "\
Examples:
  registry annotate churn --type model --path models/churn.pkl --description 'Churn classifier'
  registry annotate churn --label tabular --custom framework=xgboost
  registry annotate models/cv:resnet --path weights/resnet.pt   # in models/cv/artifacts.yaml
  registry annotate embeddings --virtual --path s3://bucket/emb.npy";

const REMOVE_EXAMPLES: &str = "\
Examples:
  registry remove churn                 # deletes the entry from artifacts.yaml
  registry remove models/cv:resnet      # from models/cv/artifacts.yaml";

#[derive(Debug, Args)]
#[command(after_help = ANNOTATE_EXAMPLES)]
pub(crate) struct AnnotateArgs {
    /// Artifact name (`dir:name` goes to dir/artifacts.yaml)
    pub name: ArtifactName,
    /// Type, e.g. model or dataset
    #[arg(long = "type", value_parser = one_line)]
    pub kind: Option<String>,
    /// Path of the artifact, relative to its artifacts.yaml (a URL with --virtual)
    #[arg(long, value_parser = one_line)]
    pub path: Option<String>,
    /// The path is not in the repository (a URL, a bucket, …)
    #[arg(long = "virtual")]
    pub is_virtual: bool,
    /// A label to add (repeatable)
    #[arg(long = "label", value_name = "LABEL", value_parser = one_line)]
    pub labels: Vec<String>,
    /// Description
    #[arg(long, value_parser = text)]
    pub description: Option<String>,
    /// A custom KEY=VALUE (repeatable; VALUE is read as YAML: 10 is a number, true a bool)
    #[arg(long = "custom", value_name = "KEY=VALUE", value_parser = text)]
    pub custom: Vec<String>,
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
}

/// The work tree, or a clear error for a bare repository.
fn work_tree(session: &Session) -> Result<PathBuf> {
    session.repo.workdir().map(Path::to_path_buf).ok_or_else(|| {
        UserError::new("this repository has no work tree (it is bare); artifacts.yaml lives in a work tree")
            .with_hint("run the command in a clone with a work tree")
            .into()
    })
}

/// Where `file` (repository-relative) really is, and its text (empty when it does not exist
/// yet). A symbolic link is followed when it stays inside the repository, so the edit goes to
/// its target and the link stays; anything but a regular file of at most 16 MiB is refused.
fn read_existing(root: &Path, file: &str) -> Result<(PathBuf, String)> {
    let resolved = safe_read::resolve(root, file).map_err(|r| r.about(file))?;
    if !resolved.exists {
        return Ok((resolved.path, String::new()));
    }
    let bytes = safe_read::read_regular(&resolved.path).map_err(|r| r.about(file))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| UserError::new(format!("{file} is not UTF-8 text")))?;
    Ok((resolved.path, text))
}

/// Replaces `path` with `text` atomically: a temp file in the same directory (the target's, for
/// a symbolic link), then a rename, so an interrupted run leaves the old file or the new one,
/// never half of one. The file keeps its permissions.
fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let dir = path
        .parent()
        .context("artifacts.yaml has no parent directory")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mode = std::fs::metadata(path).ok().map(|m| m.permissions());
    let tmp = dir.join(format!(".artifacts.yaml.{}.tmp", std::process::id()));
    let result = (|| -> Result<()> {
        use std::io::Write;
        let mut f = std::fs::File::options()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        if let Some(mode) = mode {
            f.set_permissions(mode)
                .with_context(|| format!("cannot set the permissions of {}", tmp.display()))?;
        }
        f.write_all(text.as_bytes())
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        f.sync_all()
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

pub(crate) fn run_annotate(global: &Global, args: AnnotateArgs, out: &mut Output) -> Result<()> {
    let session = Session::open(global, Scope::Artifact(&args.name))?;
    let root = work_tree(&session)?;
    // One writer at a time reads, edits and replaces the file: no edit is lost.
    let _lock = super::lock_repo(&session.repo)?;
    let (file, key) = artifacts::location(&args.name);
    let (full, text) = read_existing(&root, &file)?;
    let entries = artifacts::parse(&text, &file)?;
    let current = entries.iter().find(|(k, _)| *k == key).map(|(_, e)| e);

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
    let is_virtual =
        args.is_virtual || current.is_some_and(crate::artifacts::Entry::is_explicitly_virtual);
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
        let value = if value.is_null() && !v.is_empty() {
            Value::String(v.to_string())
        } else {
            value
        };
        custom.push((k.to_string(), value));
    }
    let changes = Changes {
        kind: args.kind.clone(),
        path: args.path.clone(),
        is_virtual: if args.is_virtual {
            Some(true)
        } else if args.path.is_some() && !is_virtual {
            Some(false)
        } else {
            None
        },
        labels: args.labels.clone(),
        description: args.description.clone(),
        custom,
    };
    let new_text = artifacts::edit(
        &text,
        &file,
        &key,
        artifacts::Edit::Annotate {
            current,
            changes: &changes,
        },
    )?
    .unwrap_or_else(|| text.clone());
    if new_text == text {
        out.line(&format!("Nothing to change for '{}' in {file}", args.name))?;
        return Ok(());
    }
    write_atomic(&full, &new_text)?;
    let verb = if current.is_some() {
        "Updated"
    } else {
        "Added"
    };
    out.line(&format!("{verb} '{}' in {file}", args.name))?;
    Ok(())
}

pub(crate) fn run_remove(global: &Global, args: RemoveArgs, out: &mut Output) -> Result<()> {
    let session = Session::open(global, Scope::Artifact(&args.name))?;
    let root = work_tree(&session)?;
    // One writer at a time reads, edits and replaces the file: no edit is lost.
    let _lock = super::lock_repo(&session.repo)?;
    let (file, key) = artifacts::location(&args.name);
    let (full, text) = read_existing(&root, &file)?;
    artifacts::parse(&text, &file)?;
    let Some(new_text) = artifacts::edit(&text, &file, &key, artifacts::Edit::Remove)? else {
        return Err(
            UserError::new(format!("Cannot find artifact '{}' in {file}", args.name)).into(),
        );
    };
    write_atomic(&full, &new_text)?;
    out.line(&format!("Removed '{}' from {file}", args.name))?;
    Ok(())
}
