//! A program whose stdout is the artifact's bytes (`git-lfs smudge`, `aws s3 cp URL -`, …):
//! its stdout streams through the hashing writer into a new file, its stderr is kept (bounded)
//! for the error message, and a program that is not installed is told apart from one that failed.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

use anyhow::{Context as _, Result};

use super::super::written::{Hashes, write_file};

/// The most of a program's stderr kept for an error message (progress goes there too).
const STDERR_KEPT: usize = 16 * 1024;

/// How a program run went.
pub(in super::super) enum Piped {
    /// The program is not on PATH.
    NotInstalled,
    /// It ran: its exit status, its stderr (trimmed, lossy UTF-8), and the file written from its
    /// stdout (an error when writing failed: a full disk, say).
    Ran {
        status: ExitStatus,
        stderr: String,
        written: Result<Hashes>,
    },
}

/// Runs `cmd` with `input` on its stdin (small: it must fit a pipe's buffer, as a pointer file
/// does) and its stdout written to the new file `into`.
pub(in super::super) fn run(mut cmd: Command, input: &[u8], into: &Path) -> Result<Piped> {
    cmd.stdin(if input.is_empty() {
        Stdio::null()
    } else {
        Stdio::piped()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let program = cmd.get_program().to_string_lossy().into_owned();
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Piped::NotInstalled),
        Err(e) => return Err(anyhow::Error::new(e).context(format!("cannot run {program}"))),
    };
    if let Some(mut stdin) = child.stdin.take() {
        // Under a pipe's buffer (64 KiB): never waits on the program. A program that exits
        // without reading it says why on stderr.
        let _ = stdin.write_all(input);
    }
    let stderr = child.stderr.take().map(|mut err| {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let room = STDERR_KEPT.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
            kept
        })
    });
    let stdout = child
        .stdout
        .take()
        .with_context(|| format!("{program} has no stdout"))?;
    let written = write_file(into, stdout);
    let status = child
        .wait()
        .with_context(|| format!("waiting for {program}"))?;
    let stderr = stderr
        .and_then(|t| t.join().ok())
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    Ok(Piped::Ran {
        status,
        stderr,
        written,
    })
}

/// A program's message, or its exit status when it printed none.
pub(in super::super) fn why(stderr: &str, status: ExitStatus) -> String {
    if stderr.is_empty() {
        format!("it exited with {status}")
    } else {
        stderr.to_string()
    }
}
