//! Directory listings from the local DVC cache: where the cache is (`cache.dir` of
//! `.dvc/config.local` or `.dvc/config`, else `.dvc/cache`), and a `.dir` listing read from it,
//! believed only when its own md5 is its name. The listing may live outside the repository (a
//! shared cache); it is still read only as a bounded regular file, never a FIFO or a device.

use std::path::{Path, PathBuf};

use crate::digest::dvc_md5::{self, ListEntry};

/// `dir = VALUE` of the `[cache]` section of a DVC config (INI, as configobj reads it), quotes
/// taken off; `None` when it sets none.
fn cache_dir_setting(config: &str) -> Option<String> {
    let mut in_cache = false;
    let mut found = None;
    for line in config.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(section) = line.strip_prefix('[') {
            in_cache = section.trim_end_matches(']').trim() == "cache";
            continue;
        }
        if in_cache
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "dir"
        {
            let value = value.trim();
            let unquoted = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .or_else(|| value.strip_prefix('"').and_then(|v| v.strip_suffix('"')))
                .unwrap_or(value);
            found = Some(unquoted.to_string());
        }
    }
    found
}

/// The DVC cache directory of the work tree `root`: `cache.dir` from `.dvc/config.local`, else
/// from `.dvc/config` (relative to `.dvc/`, as DVC resolves it), else `.dvc/cache`.
pub(crate) fn cache_dir(root: &Path) -> PathBuf {
    for config in [".dvc/config.local", ".dvc/config"] {
        let Ok(Some(bytes)) = crate::safe_read::read_work_file(root, config) else {
            continue;
        };
        if let Some(dir) = cache_dir_setting(&String::from_utf8_lossy(&bytes)) {
            return root.join(".dvc").join(dir);
        }
    }
    root.join(".dvc/cache")
}

/// A directory's `.dir` listing from the DVC cache of the work tree `root`, checked against its
/// name (`hex`, the md5 without `.dir`); `Err` finishes the sentence "whose file list …".
pub(crate) fn cached_listing(root: &Path, hex: &str) -> Result<Vec<ListEntry>, String> {
    if !dvc_md5::is_md5_hex(hex) {
        return Err(format!("is named by '{hex}', which is not an md5"));
    }
    let path = cache_dir(root)
        .join("files/md5")
        .join(&hex[..2])
        .join(format!("{}.dir", &hex[2..]));
    let shown = path
        .strip_prefix(root)
        .unwrap_or(&path)
        .display()
        .to_string();
    let real = match path.canonicalize() {
        Ok(real) => real,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!(
                "is not in DVC's local cache ({shown}; `dvc pull` fetches it)"
            ));
        }
        Err(e) => return Err(format!("in DVC's cache cannot be read ({shown}: {e})")),
    };
    let bytes = crate::safe_read::read_regular(&real)
        .map_err(|r| format!("in DVC's cache cannot be read ({shown}: {})", r.why))?;
    if dvc_md5::md5_bytes(&bytes) != hex {
        return Err(format!(
            "in DVC's cache ({shown}) is not the one its name says (its md5 differs)"
        ));
    }
    dvc_md5::parse_listing(&bytes)
        .ok_or_else(|| format!("in DVC's cache ({shown}) is not a list of files DVC writes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(cache: &Path, bytes: &[u8]) -> String {
        let hex = dvc_md5::md5_bytes(bytes);
        let at = cache.join(format!("files/md5/{}", &hex[..2]));
        std::fs::create_dir_all(&at).unwrap();
        std::fs::write(at.join(format!("{}.dir", &hex[2..])), bytes).unwrap();
        hex
    }

    #[test]
    fn cache_listings_are_checked_against_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let text = br#"[{"md5": "a8a78d0ff555c931f045b6f448129846", "relpath": "a.b"}]"#;
        let hex = put(&dir.path().join(".dvc/cache"), text);
        assert_eq!(cached_listing(dir.path(), &hex).unwrap().len(), 1);
        let at = dir.path().join(format!(
            ".dvc/cache/files/md5/{}/{}.dir",
            &hex[..2],
            &hex[2..]
        ));
        std::fs::write(&at, b"[]").unwrap();
        assert!(
            cached_listing(dir.path(), &hex)
                .unwrap_err()
                .contains("md5 differs")
        );
        let other = "0".repeat(32);
        assert!(
            cached_listing(dir.path(), &other)
                .unwrap_err()
                .contains("not in DVC's local cache")
        );
        // A FIFO in its place is never opened for reading.
        std::fs::remove_file(&at).unwrap();
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&at)
                .status()
                .unwrap()
                .success()
        );
        assert!(
            cached_listing(dir.path(), &hex)
                .unwrap_err()
                .contains("not a regular file")
        );
    }

    #[test]
    fn a_configured_cache_dir_is_where_listings_are() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join(".dvc")).unwrap();
        std::fs::write(
            root.join(".dvc/config"),
            "[core]\n    remote = r\n[cache]\n    dir = ../../shared\n    type = symlink\n",
        )
        .unwrap();
        let hex = put(&dir.path().join("shared"), b"[]");
        assert_eq!(cached_listing(&root, &hex).unwrap(), vec![]);
        // config.local wins.
        std::fs::write(
            root.join(".dvc/config.local"),
            "[cache]\ndir = 'elsewhere'\n",
        )
        .unwrap();
        assert!(
            cached_listing(&root, &hex)
                .unwrap_err()
                .contains("elsewhere")
        );
        assert_eq!(
            cache_dir_setting("[cache]\n dir = \"a b\"\n").as_deref(),
            Some("a b")
        );
        assert_eq!(cache_dir_setting("[core]\ndir = x\n"), None);
    }
}
