//! The two declaration files of an artifact's directory in the work tree (`dvc.yaml` and
//! `artifacts.yaml`), read safely, edited in their own format and replaced atomically.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::artifacts::declared::{self, Entries, Format, Lookup};
use crate::artifacts::{self, Edit};
use crate::commands::Session;
use crate::error::UserError;
use crate::registry::name::ArtifactName;
use crate::safe_read;

/// The work tree, or a clear error for a bare repository.
pub(super) fn work_tree(session: &Session) -> Result<PathBuf> {
    session.repo.workdir().map(Path::to_path_buf).ok_or_else(|| {
        UserError::new("this repository has no work tree (it is bare); dvc.yaml and artifacts.yaml live in a work tree")
            .with_hint("run the command in a clone with a work tree")
            .into()
    })
}

/// One declaration file: repository-relative name, where it really is, its text (empty when it
/// does not exist yet) and its entries.
pub(super) struct WorkFile {
    pub format: Format,
    pub file: String,
    pub full: PathBuf,
    pub text: String,
    pub entries: Entries,
}

impl WorkFile {
    /// Its text with `edit` applied to `key`, checked; `None`: nothing to remove.
    pub(super) fn edited(&self, key: &str, edit: Edit<'_>) -> Result<Option<String>, UserError> {
        match self.format {
            Format::Artifacts => artifacts::edit(&self.text, &self.file, key, edit),
            Format::Dvc => artifacts::edit_dvc(&self.text, &self.file, key, edit),
        }
    }

    /// The entry `key` declares here, if any.
    pub(super) fn entry(&self, key: &str) -> Option<&artifacts::Entry> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, e)| e)
    }
}

/// Both files of `name`'s directory (`dvc.yaml` first) and which one declares it.
pub(super) struct WorkFiles {
    pub dvc: WorkFile,
    pub artifacts: WorkFile,
    pub lookup: Lookup,
    pub key: String,
}

impl WorkFiles {
    /// Reads both; a file that is malformed is an error naming it (line and field), so nothing
    /// is written on the strength of a misread.
    pub(super) fn read(root: &Path, name: &ArtifactName) -> Result<WorkFiles> {
        let read = |format| -> Result<WorkFile> {
            let (file, _) = declared::file_for(name, format);
            let (full, text) = read_existing(root, &file)?;
            let (entries, _) = declared::parse_file(format, &text, &file)?;
            Ok(WorkFile {
                format,
                file,
                full,
                text,
                entries,
            })
        };
        // Either file broken is an error; artifacts.yaml's is reported first, as before
        // dvc.yaml was read at all.
        let artifacts = read(Format::Artifacts)?;
        let dvc = read(Format::Dvc)?;
        let candidates = [&dvc, &artifacts]
            .iter()
            .map(|w| (w.format, w.file.clone(), w.entries.clone()))
            .collect();
        let lookup = declared::choose(name, candidates, " in the work tree");
        Ok(WorkFiles {
            dvc,
            artifacts,
            lookup,
            key: name.basename().to_string(),
        })
    }

    pub(super) fn get(&self, format: Format) -> &WorkFile {
        match format {
            Format::Dvc => &self.dvc,
            Format::Artifacts => &self.artifacts,
        }
    }

    /// Where `name` is declared: the file that counts (`dvc.yaml` when both do).
    pub(super) fn declared_in(&self) -> Option<Format> {
        self.lookup.found.as_ref().map(|d| d.format)
    }

    /// The two files' names, for "cannot find" messages.
    pub(super) fn both(&self) -> String {
        format!("{} or {}", self.dvc.file, self.artifacts.file)
    }
}

/// The file a new declaration goes to without `--file`: `dvc.yaml` in a DVC repository (a
/// `.dvc/` directory at the root of the work tree), where DVC and Studio read nothing else;
/// otherwise GTO's `artifacts.yaml`.
pub(super) fn default_format(root: &Path) -> Format {
    if root.join(".dvc").is_dir() {
        Format::Dvc
    } else {
        Format::Artifacts
    }
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
pub(super) fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let dir = path
        .parent()
        .context("a declaration file has no parent directory")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mode = std::fs::metadata(path).ok().map(|m| m.permissions());
    let base = path
        .file_name()
        .map_or("declarations".into(), |n| n.to_string_lossy());
    let tmp = dir.join(format!(".{base}.{}.tmp", std::process::id()));
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
