//! Walking a work-tree directory and hashing its files on every core, with a progress line on
//! a terminal: the machinery both digests share (SHA-256 manifests here, DVC's md5 listings in
//! `dvc_md5.rs`), so each reads every file once, streamed.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::path_bytes;
use crate::output::ProgressLine;

/// Progress shown on a terminal for work that takes over a second (never in pipes or CI): drawn
/// by [`crate::output::ProgressLine`].
pub(super) struct Progress {
    /// The path being hashed, as it is (the progress line escapes what it draws).
    label: String,
    total: u64,
    pub(super) done: AtomicU64,
    line: ProgressLine,
}

impl Progress {
    pub(super) fn new(label: &str, total: u64) -> Self {
        Progress {
            label: label.to_string(),
            total,
            done: AtomicU64::new(0),
            line: ProgressLine::stderr(),
        }
    }

    /// Runs `work` while a thread redraws a progress line every 200 ms after the first second.
    pub(super) fn run<T>(&self, work: impl FnOnce() -> T + Send) -> T
    where
        T: Send,
    {
        if !self.line.enabled() {
            return work();
        }
        let finished = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            let drawer = s.spawn(|| {
                let start = Instant::now();
                let mut drawn = false;
                while !finished.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    if start.elapsed() < Duration::from_secs(1) {
                        continue;
                    }
                    let done = self.done.load(Ordering::Relaxed);
                    let pct = (done * 100).checked_div(self.total).unwrap_or(100);
                    self.line.draw(&format!(
                        "hashing {}: {pct:>3}% ({} / {} MiB)",
                        self.label,
                        done >> 20,
                        self.total >> 20
                    ));
                    drawn = true;
                }
                if drawn {
                    self.line.clear();
                }
            });
            let out = work();
            finished.store(true, Ordering::Relaxed);
            let _ = drawer.join();
            out
        })
    }
}

/// One file a directory walk found.
pub(super) struct WalkedFile {
    /// Relative path with `/`, as raw bytes.
    pub(super) rel: Vec<u8>,
    full: PathBuf,
    size: u64,
    /// A symbolic link to a regular file, counted as that file (only with `file_links`).
    pub(super) link: bool,
}

/// What walking a directory found: the files to hash, and what is left out.
pub(super) struct Walked {
    pub(super) files: Vec<WalkedFile>,
    /// Entries that are neither regular files nor directories, sorted (see [`super::Hashed::left_out`]).
    pub(super) left_out: Vec<Vec<u8>>,
}

impl Walked {
    pub(super) fn total(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// Walks a directory (never following links into directories). With `file_links`, a symbolic
/// link to a regular file counts as that file, as DVC counts it; otherwise it is left out.
pub(super) fn walk(path: &Path, file_links: bool) -> Result<Walked> {
    let mut files = Vec::new();
    let mut left_out = Vec::new();
    for entry in walkdir::WalkDir::new(path).follow_links(false).min_depth(1) {
        let entry = entry.with_context(|| format!("cannot walk {}", path.display()))?;
        let kind = entry.file_type();
        if kind.is_dir() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(path)
            .context("walked outside the directory")?;
        let rel = path_bytes(rel)?;
        // Following the link once, to a regular file only: never to a FIFO or a device.
        let linked =
            || kind.is_symlink() && std::fs::metadata(entry.path()).is_ok_and(|m| m.is_file());
        if !(kind.is_file() || (file_links && linked())) {
            left_out.push(rel);
            continue;
        }
        let size = std::fs::metadata(entry.path()).map_or(0, |m| m.len());
        files.push(WalkedFile {
            rel,
            full: entry.path().to_path_buf(),
            size,
            link: kind.is_symlink(),
        });
    }
    left_out.sort();
    Ok(Walked { files, left_out })
}

/// Hashes files on every core with `hash` (given the open file and the progress counter):
/// workers take the next file from a shared index. Results are in the order of `files`.
pub(super) fn hash_parallel<T: Send + Default + Clone>(
    files: &[WalkedFile],
    done: &AtomicU64,
    hash: impl Fn(File, &AtomicU64) -> io::Result<T> + Sync,
) -> Result<Vec<T>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(files.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Vec<Result<Vec<(usize, T)>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| -> Result<Vec<(usize, T)>> {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(f) = files.get(i) else {
                            break;
                        };
                        let file = File::open(&f.full)
                            .with_context(|| format!("cannot open {}", f.full.display()))?;
                        let value = hash(file, done)
                            .with_context(|| format!("cannot read {}", f.full.display()))?;
                        out.push((i, value));
                    }
                    Ok(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a hashing thread failed")))
            })
            .collect()
    });
    let mut values = vec![T::default(); files.len()];
    for r in results {
        for (i, value) in r? {
            values[i] = value;
        }
    }
    Ok(values)
}
