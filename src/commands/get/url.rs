//! Virtual artifacts: the bytes behind a recorded URL. `http://` and `https://` are downloaded
//! here, streaming (`ureq`: bounded connect and read timeouts, at most [`MAX_REDIRECTS`]
//! redirects, any status but 2xx an error); `file://` is copied (a file, or a directory's regular
//! files); `s3://`, `gs://`, `azure://` and `az://` go through the provider's CLI (`cloud.rs`).
//! Whatever arrives streams through the hashing writer into the staging path; the command checks
//! it. A URL is shown with its credentials redacted, always.

use std::fs::OpenOptions;
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result};

use super::written::{Hashes, Want, Written, write_file_mode};
use crate::error::UserError;
use crate::git::redact;
use crate::output::escape;

mod cloud;
pub(super) mod piped;

/// Redirects followed before giving up (a loop, or a server sending us around).
const MAX_REDIRECTS: u32 = 5;
/// Waiting for a connection, or for the next bytes of a stalled transfer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const READ_TIMEOUT: Duration = Duration::from_mins(2);

/// Downloads `url` into `into` (which does not exist yet). Nothing is left there on failure.
pub(super) fn fetch(url: &str, into: &Path) -> Result<Written> {
    // Only what this call creates is removed on failure: never a path that was there before.
    if std::fs::symlink_metadata(into).is_ok() {
        return Err(UserError::new(format!(
            "'{}' exists already",
            escape(&into.display().to_string())
        ))
        .into());
    }
    let result = fetch_any(url, into);
    if result.is_err() {
        super::stage::remove(into);
    }
    result
}

fn fetch_any(url: &str, into: &Path) -> Result<Written> {
    let scheme = url
        .split_once("://")
        .map(|(s, _)| s.to_ascii_lowercase())
        .unwrap_or_default();
    match scheme.as_str() {
        "http" | "https" => http(url, into).map(Written::File),
        "file" => file(url, into),
        "s3" | "gs" | "azure" | "az" => cloud::fetch(&scheme, url, into).map(Written::File),
        _ => Err(UserError::new(format!(
            "cannot download '{}': registry gets http://, https://, file://, s3://, gs://, azure:// and az:// URLs",
            escape(&redact(url))
        ))
        .with_hint("fetch it by other means and check it with `registry verify NAME --path COPY`")
        .into()),
    }
}

/// An http(s) download, streamed into `into`.
fn http(url: &str, into: &Path) -> Result<Hashes> {
    let shown = escape(&redact(url)).into_owned();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_per_read(Some(READ_TIMEOUT))
        .max_redirects(MAX_REDIRECTS)
        // An https URL stays https: a redirect to plain http (bytes anyone on the way could
        // change, and credentials sent in the clear) is refused.
        .https_only(
            url.get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("https://")),
        )
        // Statuses are judged here, so the message can name the URL the way we show it.
        .http_status_as_error(false)
        .user_agent(concat!("registry/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let response = agent.get(url).call().map_err(|e| {
        UserError::new(format!(
            "cannot download '{shown}': {}",
            escape(&redact(&e.to_string()))
        ))
        .with_hint("check the URL and the network (a proxy is taken from HTTPS_PROXY / HTTP_PROXY / ALL_PROXY)")
    })?;
    let status = response.status();
    if !status.is_success() {
        let hint = if status.is_redirection() {
            format!("it redirects more than {MAX_REDIRECTS} times")
        } else {
            "the server refused it; check the URL and any credentials it needs".to_string()
        };
        return Err(UserError::new(format!(
            "cannot download '{shown}': the server answered {status}"
        ))
        .with_hint(hint)
        .into());
    }
    let body = response.into_body().into_reader();
    write_file_mode(into, body, false, Want::BOTH).map_err(|e| {
        // A connection closed before Content-Length's bytes came is an I/O error of the read.
        UserError::new(format!(
            "cannot download '{shown}': {}",
            escape(&redact(&format!("{e:#}")))
        ))
        .into()
    })
}

/// The local path of a `file://` URL (`file:///abs`, `file://localhost/abs`), `%XX` decoded.
fn file_path(url: &str) -> Result<PathBuf, UserError> {
    let bad = || {
        UserError::new(format!(
            "'{}' is not a file:// URL of an absolute local path",
            escape(url)
        ))
        .with_hint("write it as file:///absolute/path")
    };
    let rest = &url["file://".len()..];
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') || rest.contains(['?', '#']) {
        return Err(bad());
    }
    let raw = rest.as_bytes();
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' {
            let hex = raw.get(i + 1..i + 3).ok_or_else(bad)?;
            let hex = std::str::from_utf8(hex).map_err(|_| bad())?;
            bytes.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
            i += 3;
        } else {
            bytes.push(raw[i]);
            i += 1;
        }
    }
    if bytes.contains(&0) {
        return Err(bad());
    }
    Ok(PathBuf::from(std::ffi::OsStr::from_bytes(&bytes)))
}

/// A `file://` copy: one file, or a directory's regular files (links and special files are left
/// out, as a directory's digest leaves them out), never blocking on a FIFO.
fn file(url: &str, into: &Path) -> Result<Written> {
    let named = file_path(url)?;
    let shown = escape(&named.display().to_string()).into_owned();
    // The URL's own links lead where its writer meant; inside a directory none is followed.
    let from = named.canonicalize().map_err(|e| {
        UserError::new(format!(
            "cannot read '{shown}' (from {}): {e}",
            escape(&redact(url))
        ))
    })?;
    // The kernel's views of this process and machine (its environment, with a CI job's
    // secrets; devices) are no model a tag may point at: a mismatch would print their digest.
    if ["/proc", "/sys", "/dev"]
        .iter()
        .any(|p| from.starts_with(p))
    {
        return Err(UserError::new(format!(
            "'{shown}' (from {}) is in /proc, /sys or /dev, which get does not read",
            escape(&redact(url))
        ))
        .into());
    }
    let meta = std::fs::metadata(&from).with_context(|| format!("reading '{shown}'"))?;
    if meta.is_file() {
        return copy_one(&from, into).map(Written::File);
    }
    if !meta.is_dir() {
        return Err(
            UserError::new(format!("'{shown}' is not a regular file or a directory")).into(),
        );
    }
    // A copy written inside what it copies would be walked into as it grows.
    let parent = into
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if parent.canonicalize().is_ok_and(|p| p.starts_with(&from)) {
        return Err(UserError::new(format!(
            "cannot copy '{shown}' into itself: -o is inside it"
        ))
        .with_hint("give an -o outside the directory the URL names")
        .into());
    }
    std::fs::create_dir(into)
        .with_context(|| format!("cannot create '{}'", escape(&into.display().to_string())))?;
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&from)
        .follow_links(false)
        .min_depth(1)
        .sort_by_file_name()
    {
        let entry = entry.with_context(|| format!("reading '{shown}'"))?;
        let rel = entry.path().strip_prefix(&from).unwrap_or(entry.path());
        let dest = into.join(rel);
        let kind = entry.file_type();
        if kind.is_dir() {
            std::fs::create_dir(&dest).with_context(|| {
                format!("cannot create '{}'", escape(&dest.display().to_string()))
            })?;
        } else if kind.is_file() {
            files.push((
                rel.as_os_str().as_bytes().to_vec(),
                copy_one(entry.path(), &dest)?,
            ));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Written::Dir(files))
}

/// Copies one regular file (its executable bit kept), opened without following a link at its
/// name and without blocking on a FIFO swapped in since it was listed.
fn copy_one(from: &Path, into: &Path) -> Result<Hashes> {
    let shown = || escape(&from.display().to_string()).into_owned();
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(from)
        .with_context(|| format!("cannot open '{}'", shown()))?;
    let meta = file
        .metadata()
        .with_context(|| format!("reading '{}'", shown()))?;
    if !meta.is_file() {
        return Err(UserError::new(format!("'{}' is not a regular file", shown())).into());
    }
    write_file_mode(
        into,
        file,
        meta.permissions().mode() & 0o111 != 0,
        Want::BOTH,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_name_absolute_paths() {
        assert_eq!(file_path("file:///a/b%20c").unwrap(), Path::new("/a/b c"));
        assert_eq!(file_path("file://localhost/x").unwrap(), Path::new("/x"));
        for bad in [
            "file://host/x",
            "file://x",
            "file:///a%2",
            "file:///a%00",
            "file:///a?b",
        ] {
            assert!(file_path(bad).is_err(), "{bad}");
        }
    }
}
