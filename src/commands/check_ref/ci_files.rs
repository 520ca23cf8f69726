//! Writing `--format`'s CI files: GitHub's `$GITHUB_OUTPUT` (appended, a regular file only) and
//! GitLab's dotenv report (replaced through a temporary file, never through a link). The
//! encoding itself is `ci_outputs.rs`.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use crate::ci_outputs::{self, Outputs};
use crate::error::UserError;
use crate::output::Output;

/// A random number from the standard library's per-process hash keys (no extra crate).
fn random_u64() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    h.write_u32(std::process::id());
    h.finish()
}

/// Appends the outputs to the file named by `$GITHUB_OUTPUT`, in one write. It must be a regular
/// file (GitHub's runner creates one): it is checked before it is opened, opened non-blocking
/// (a FIFO without a reader then fails at once instead of hanging), and checked again once open.
pub(super) fn write_github(outputs: &Outputs) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let file = std::env::var_os("GITHUB_OUTPUT").filter(|f| !f.is_empty());
    let Some(file) = file else {
        return Err(UserError::new(
            "GITHUB_OUTPUT is not set: --format github appends step outputs to the file it names",
        )
        .with_hint(
            "run it in a GitHub Actions step; elsewhere set GITHUB_OUTPUT=FILE, or use --json",
        )
        .into());
    };
    let delimiter = ci_outputs::github_delimiter(outputs, random_u64);
    let text = ci_outputs::github(outputs, &delimiter);
    let path = Path::new(&file);
    let not_regular = |meta: &std::fs::Metadata| {
        anyhow::Error::from(
            UserError::new(format!(
                "$GITHUB_OUTPUT ({}) is {}, not a regular file: nothing was written",
                path.display(),
                crate::file_kind::describe(meta.file_type())
            ))
            .with_hint("point GITHUB_OUTPUT at a regular file (GitHub Actions sets it to one)"),
        )
    };
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => return Err(not_regular(&meta)),
        _ => {}
    }
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .with_context(|| format!("cannot open $GITHUB_OUTPUT ({})", path.display()))?;
    let meta = f
        .metadata()
        .with_context(|| format!("cannot open $GITHUB_OUTPUT ({})", path.display()))?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write to $GITHUB_OUTPUT ({})", path.display()))
}

/// Writes (replaces) the dotenv report.
pub(super) fn write_gitlab(
    outputs: &Outputs,
    file: &Path,
    prefix: Option<&str>,
    out: &mut Output,
) -> Result<()> {
    let report = ci_outputs::dotenv(outputs, prefix);
    for key in &report.truncated {
        out.warn(&format!(
            "{key} is longer than {} bytes and was shortened (GitLab refuses large dotenv reports)",
            ci_outputs::DOTENV_VALUE_MAX
        ))?;
    }
    if !report.dropped.is_empty() {
        out.warn(&format!(
            "{} left out of the dotenv report: GitLab refuses a report of more than {} variables or {} bytes",
            report.dropped.join(", "),
            ci_outputs::DOTENV_VARIABLES_MAX,
            ci_outputs::DOTENV_BYTES_MAX
        ))?;
    }
    replace_file(file, report.text.as_bytes())
}

/// Replaces `file` with `bytes`: written to a new temporary file in the same directory, then
/// renamed over it. A rename replaces a symbolic link instead of following it, so a committed
/// `registry.env -> /home/ci/.bashrc` is replaced by the report and its target stays untouched;
/// and a reader never sees half a report. An existing FIFO, directory, device or socket is
/// refused (nothing opened, nothing written).
fn replace_file(file: &Path, bytes: &[u8]) -> Result<()> {
    let shown = || file.display().to_string();
    match file.symlink_metadata() {
        Ok(meta) if meta.is_file() || meta.file_type().is_symlink() => {}
        Ok(meta) => {
            return Err(UserError::new(format!(
                "{} is {}, not a regular file: refusing to replace it, nothing was written",
                shown(),
                crate::file_kind::describe(meta.file_type())
            ))
            .with_hint("remove it, or name another file with --output")
            .into());
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot write {}", shown())),
    }
    let Some(name) = file.file_name() else {
        return Err(UserError::new(format!("--output {} names no file", shown())).into());
    };
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".{}.{:016x}.tmp", std::process::id(), random_u64()));
    let temp = dir.join(temp_name);
    let written = (|| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&temp, file)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(e).with_context(|| format!("cannot write {}", shown()));
    }
    Ok(())
}
