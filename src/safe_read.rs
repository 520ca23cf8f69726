//! Bounded reads of the small files the registry trusts: `.gto`, `.registry.yaml` and every
//! `artifacts.yaml`, from the work tree or from a commit's tree.
//!
//! A repository can hold anything: a FIFO (opening it blocks, reading it waits forever), a
//! character device or a symbolic link to `/dev/zero` (a committed link arrives with a plain
//! clone; reading it never ends), or simply a huge file. So every such read goes through here:
//! only a regular file is read; a symbolic link is followed only while it stays inside the
//! repository; at most [`MAX_BYTES`] are read. Anything else is refused with the file named.

use std::fs::File;
use std::io::Read as _;
use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _};
use std::path::{Component, Path, PathBuf};

use crate::error::UserError;
use crate::git::{Repo, TreeFile};

/// The most bytes read from one config or declaration file (16 MiB; README, "Configuration").
pub(crate) const MAX_BYTES: u64 = 16 * 1024 * 1024;

/// At most this many symbolic links are followed in a commit's tree (Linux's own limit).
const MAX_LINKS: usize = 40;

/// Why a file was not read: the end of a sentence that starts with the file's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    pub why: String,
}

impl Refused {
    fn new(why: impl Into<String>) -> Refused {
        Refused { why: why.into() }
    }

    /// The refusal as an error naming `shown` (the file as the user knows it).
    pub(crate) fn about(&self, shown: &str) -> UserError {
        UserError::new(format!("cannot read '{shown}': {}", self.why)).with_hint(HINT)
    }

    /// As [`Refused::about`], for a file of a commit's tree: `place` says which
    /// (`at HEAD (1a2b3c4)`).
    pub(crate) fn about_in(&self, shown: &str, place: &str) -> UserError {
        UserError::new(format!("cannot read '{shown}' {place}: {}", self.why)).with_hint(HINT)
    }
}

/// What every refusal tells the user to do.
pub(crate) const HINT: &str = "registry reads .gto, .registry.yaml, artifacts.yaml and dvc.yaml only from regular \
files of at most 16 MiB inside the repository (a symbolic link is followed only when it stays \
inside); replace it by such a file";

fn too_large(size: u64) -> Refused {
    Refused::new(format!(
        "it is larger than 16 MiB ({size} bytes), the most registry reads of a config or declaration file"
    ))
}

/// Where a work-tree file really is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    /// The path to read and write: the file itself, or the target of its symbolic link.
    pub path: PathBuf,
    /// Whether the file exists (when not, `path` is where it would be created).
    pub exists: bool,
}

/// Resolves `rel` (a repository-relative path) under the work tree `root`: follows a symbolic
/// link only when its target stays inside `root`, and refuses anything but a regular file.
pub(crate) fn resolve(root: &Path, rel: &str) -> Result<Resolved, Refused> {
    let full = root.join(rel);
    let canon_root = root
        .canonicalize()
        .map_err(|e| Refused::new(format!("the work tree cannot be read: {e}")))?;
    let meta = match full.symlink_metadata() {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Not there: it would be created in its directory (made if missing), which must be
            // inside too: the nearest directory that exists decides.
            let mut missing = Vec::new();
            let mut dir = full.as_path();
            while let Some(name) = dir.file_name() {
                missing.push(name.to_os_string());
                let Some(parent) = dir.parent() else {
                    break;
                };
                dir = parent;
                if let Ok(real) = dir.canonicalize() {
                    if !real.starts_with(&canon_root) {
                        return Err(Refused::new(format!(
                            "its directory leads to '{}', which is outside the repository",
                            real.display()
                        )));
                    }
                    let path = missing.iter().rev().fold(real, |p, n| p.join(n));
                    return Ok(Resolved {
                        path,
                        exists: false,
                    });
                }
            }
            return Ok(Resolved {
                path: full,
                exists: false,
            });
        }
        Err(e) => return Err(Refused::new(e.to_string())),
    };
    let path = if meta.file_type().is_symlink() {
        let target = std::fs::read_link(&full)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        let real = match full.canonicalize() {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Refused::new(format!(
                    "it is a symbolic link to '{target}', which does not exist"
                )));
            }
            Err(e) => {
                return Err(Refused::new(format!(
                    "it is a symbolic link to '{target}', which cannot be followed: {e}"
                )));
            }
        };
        if !real.starts_with(&canon_root) {
            return Err(Refused::new(format!(
                "it is a symbolic link to '{target}', which leads outside the repository"
            )));
        }
        real
    } else {
        // Directories on the way may be links too: the file must really be inside.
        match full.canonicalize() {
            Ok(real) if !real.starts_with(&canon_root) => {
                return Err(Refused::new(format!(
                    "it is reached through a symbolic link to '{}', which is outside the repository",
                    real.display()
                )));
            }
            Ok(real) => real,
            Err(e) => return Err(Refused::new(e.to_string())),
        }
    };
    let meta = path
        .metadata()
        .map_err(|e| Refused::new(format!("cannot read it: {e}")))?;
    if !meta.is_file() {
        return Err(Refused::new(format!(
            "it is {}, not a regular file",
            crate::file_kind::describe(meta.file_type())
        )));
    }
    Ok(Resolved { path, exists: true })
}

/// Reads a regular file, at most [`MAX_BYTES`]. Never blocks on a FIFO or device swapped in
/// after the check: the file is opened non-blocking and without following a last symbolic link,
/// and the opened file must be the regular file that was checked.
pub(crate) fn read_regular(path: &Path) -> Result<Vec<u8>, Refused> {
    let before = path
        .symlink_metadata()
        .map_err(|e| Refused::new(format!("cannot read it: {e}")))?;
    if !before.is_file() {
        return Err(Refused::new(format!(
            "it is {}, not a regular file",
            crate::file_kind::describe(before.file_type())
        )));
    }
    if before.len() > MAX_BYTES {
        return Err(too_large(before.len()));
    }
    let file = File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| Refused::new(format!("cannot open it: {e}")))?;
    let now = file
        .metadata()
        .map_err(|e| Refused::new(format!("cannot read it: {e}")))?;
    if !now.is_file() || now.dev() != before.dev() || now.ino() != before.ino() {
        return Err(Refused::new("it changed while being opened; try again"));
    }
    let mut bytes = Vec::with_capacity(now.len().min(MAX_BYTES) as usize);
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Refused::new(format!("cannot read it: {e}")))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Reads the work-tree file `rel` under `root`; `None` if it does not exist.
pub(crate) fn read_work_file(root: &Path, rel: &str) -> Result<Option<Vec<u8>>, Refused> {
    let resolved = resolve(root, rel)?;
    if !resolved.exists {
        return Ok(None);
    }
    read_regular(&resolved.path).map(Some)
}

/// `rel` joined to `base` (both `/`-separated, repository-relative), or `None` if it leads out.
pub(crate) fn join_inside(base: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(s) => parts.push(s.to_str()?),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

/// Reads `path` from `commit`'s tree, as [`read_work_file`] reads the work tree: a blob of at
/// most [`MAX_BYTES`], following symbolic links only inside the tree; `None` if absent.
pub(crate) fn read_tree_file(
    repo: &Repo,
    commit: &str,
    path: &str,
) -> anyhow::Result<Result<Option<Vec<u8>>, Refused>> {
    let mut at = path.to_string();
    for hop in 0..=MAX_LINKS {
        match repo.tree_file(commit, &at, MAX_BYTES)? {
            TreeFile::Missing if hop == 0 => return Ok(Ok(None)),
            TreeFile::Missing => {
                return Ok(Err(Refused::new(format!(
                    "it is a symbolic link to '{at}', which does not exist"
                ))));
            }
            TreeFile::File(bytes) => return Ok(Ok(Some(bytes))),
            TreeFile::TooLarge(size) => return Ok(Err(too_large(size))),
            TreeFile::NotAFile(kind) => {
                return Ok(Err(Refused::new(format!(
                    "it is {kind}, not a regular file"
                ))));
            }
            TreeFile::Symlink(target) => {
                let target = String::from_utf8_lossy(&target).into_owned();
                let dir = at.rsplit_once('/').map_or("", |(d, _)| d);
                match join_inside(dir, &target) {
                    Some(next) if !next.is_empty() => at = next,
                    _ => {
                        return Ok(Err(Refused::new(format!(
                            "it is a symbolic link to '{target}', which leads outside the repository"
                        ))));
                    }
                }
            }
        }
    }
    Ok(Err(Refused::new(format!(
        "it is a chain of more than {MAX_LINKS} symbolic links"
    ))))
}

/// An `artifacts.yaml` (or any declaration file) of `commit`'s tree as text, read with
/// [`read_tree_file`]; a refusal names the file and the commit.
pub(crate) fn declaration_at(
    repo: &Repo,
    commit: &str,
    file: &str,
) -> anyhow::Result<Result<Option<String>, UserError>> {
    let at = format!("at {}", &commit[..commit.len().min(7)]);
    Ok(match read_tree_file(repo, commit, file)? {
        Ok(None) => Ok(None),
        Ok(Some(bytes)) => utf8(bytes, &format!("{file} {at}")).map(Some),
        Err(r) => Err(r.about_in(file, &at)),
    })
}

/// A declaration's bytes as text. Bytes that are not UTF-8 are an error naming the line: read
/// lossily, a path's `\xff` would become U+FFFD and name another (decoy) file, and DVC's own
/// YAML reader refuses such a file outright.
fn utf8(bytes: Vec<u8>, label: &str) -> Result<String, UserError> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let line = bytes[..at].split(|b| *b == b'\n').count();
        UserError::new(format!(
            "{label}:{line}: is not UTF-8 text (byte 0x{:02x})",
            bytes[at]
        ))
        .with_hint("save the file as UTF-8: YAML files are UTF-8 text, and DVC refuses others too")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_and_follows_links_inside() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.yaml"), "x: 1\n").unwrap();
        std::os::unix::fs::symlink("a.yaml", root.join("link.yaml")).unwrap();
        assert_eq!(
            read_work_file(root, "a.yaml").unwrap().unwrap(),
            b"x: 1\n".to_vec()
        );
        assert_eq!(
            read_work_file(root, "link.yaml").unwrap().unwrap(),
            b"x: 1\n".to_vec()
        );
        assert_eq!(read_work_file(root, "absent.yaml").unwrap(), None);
        let r = resolve(root, "link.yaml").unwrap();
        assert_eq!(r.path, root.canonicalize().unwrap().join("a.yaml"));
    }

    #[test]
    fn refuses_devices_fifos_links_out_and_huge_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::os::unix::fs::symlink("/dev/zero", root.join("zero")).unwrap();
        let e = read_work_file(root, "zero").unwrap_err();
        assert!(e.why.contains("leads outside the repository"), "{e:?}");
        // A character device itself (with /dev as the "repository").
        let e = read_work_file(Path::new("/dev"), "zero").unwrap_err();
        assert!(e.why.contains("a character device"), "{e:?}");
        let e = read_regular(Path::new("/dev/zero")).unwrap_err();
        assert!(e.why.contains("a character device"), "{e:?}");
        std::os::unix::fs::symlink("nowhere", root.join("dangling")).unwrap();
        let e = read_work_file(root, "dangling").unwrap_err();
        assert!(e.why.contains("does not exist"), "{e:?}");
        std::fs::create_dir(root.join("d")).unwrap();
        let e = read_work_file(root, "d").unwrap_err();
        assert!(e.why.contains("a directory"), "{e:?}");
        let f = std::fs::File::create(root.join("big")).unwrap();
        f.set_len(MAX_BYTES + 1).unwrap();
        let e = read_work_file(root, "big").unwrap_err();
        assert!(e.why.contains("larger than 16 MiB"), "{e:?}");
        let f = std::fs::File::create(root.join("just")).unwrap();
        f.set_len(MAX_BYTES).unwrap();
        assert_eq!(
            read_work_file(root, "just").unwrap().unwrap().len() as u64,
            MAX_BYTES
        );
    }

    #[test]
    fn tree_links_stay_inside() {
        assert_eq!(join_inside("a/b", "../c").as_deref(), Some("a/c"));
        assert_eq!(join_inside("", "x/./y").as_deref(), Some("x/y"));
        assert_eq!(join_inside("", "../x"), None);
        assert_eq!(join_inside("a", "/dev/zero"), None);
    }
}
