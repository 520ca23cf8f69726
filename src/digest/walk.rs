//! Walking a work-tree directory and hashing its files on every core, with a progress line on
//! a terminal: the machinery both digests share (SHA-256 manifests here, DVC's md5 listings in
//! `dvc_md5.rs`), so each reads every file once, streamed.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::dvcignore::{self, Rules};
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
    /// What DVC's ignore rules leave out (with `dvc_ignores` only), sorted: files, and
    /// directories with a `/` after the name (not walked, so what is inside is not named).
    pub(super) ignored: Vec<Vec<u8>>,
}

impl Walked {
    pub(super) fn total(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// Walks a directory (never following links into directories). With `file_links`, a symbolic
/// link to a regular file counts as that file, as DVC counts it; otherwise it is left out. With
/// `dvc_ignores`, what DVC's ignore rules leave out (`dvcignore.rs`) is neither walked nor
/// hashed, only named; outside any DVC repository no rule applies, so nothing is left out.
pub(super) fn walk(path: &Path, file_links: bool, dvc_ignores: bool) -> Result<Walked> {
    let mut walked = Walked {
        files: Vec::new(),
        left_out: Vec::new(),
        ignored: Vec::new(),
    };
    // Each directory to read: its path, its path as DVC's rules see it, its relative path,
    // and the rules in force inside it.
    let mut stack: Vec<(PathBuf, PathBuf, PathBuf, Rules)> = Vec::new();
    let start = if dvc_ignores {
        dvcignore::start(path)?
    } else {
        None
    };
    let dvc_ignores = start.is_some();
    let (abs, rules, nested) = match start {
        Some(start) => (start.abs, start.rules, start.nested_repo),
        None => (path.to_path_buf(), Rules::default(), false),
    };
    stack.push((path.to_path_buf(), abs, PathBuf::new(), rules));
    while let Some((dir, abs, rel_dir, rules)) = stack.pop() {
        let entries =
            std::fs::read_dir(&dir).with_context(|| format!("cannot walk {}", dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot walk {}", dir.display()))?;
            let kind = entry
                .file_type()
                .with_context(|| format!("cannot walk {}", entry.path().display()))?;
            let full = entry.path();
            let rel_path = rel_dir.join(entry.file_name());
            let rel = path_bytes(&rel_path)?;
            // Following a link once for what it is: never opening a FIFO or a device.
            let target = || std::fs::metadata(&full).ok();
            let is_dir =
                kind.is_dir() || (kind.is_symlink() && target().is_some_and(|m| m.is_dir()));
            if dvc_ignores {
                let abs_entry = abs.join(entry.file_name());
                // A directory holding `.dvc` is another DVC repository, which DVC leaves out.
                if nested
                    || rules.ignored(&abs_entry, is_dir)
                    || (is_dir && std::fs::metadata(full.join(".dvc")).is_ok())
                {
                    let mut name = rel;
                    if is_dir {
                        name.push(b'/');
                    }
                    walked.ignored.push(name);
                    continue;
                }
                if kind.is_dir() {
                    let inner = rules.enter(&abs_entry)?;
                    stack.push((full, abs_entry, rel_path, inner));
                    continue;
                }
            } else if kind.is_dir() {
                stack.push((full, PathBuf::new(), rel_path, Rules::default()));
                continue;
            }
            let linked = || kind.is_symlink() && target().is_some_and(|m| m.is_file());
            if !(kind.is_file() || (file_links && linked())) {
                walked.left_out.push(rel);
                continue;
            }
            let size = std::fs::metadata(&full).map_or(0, |m| m.len());
            walked.files.push(WalkedFile {
                rel,
                full,
                size,
                link: kind.is_symlink(),
            });
        }
    }
    walked.left_out.sort();
    walked.ignored.sort();
    Ok(walked)
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
