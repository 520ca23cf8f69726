//! Lock files that serialize writers, taken as git takes its own `.lock` files: created with
//! `O_EXCL` (`create_new`), so exactly one process holds a lock at a time, and removed when the
//! holder is done (on drop, so also on an error, and by `signals` on SIGINT, SIGTERM or SIGHUP).
//!
//! A writer holds `registry.lock` in the repository's (common) git directory for its whole
//! plan-and-apply: it takes the lock first, then reads the tags, plans and writes, so a second
//! writer plans against the first one's tags. The mirror cache of `-C URL` has a lock per mirror
//! beside it. A second writer waits a bounded time (`REGISTRY_LOCK_TIMEOUT` seconds, 10 by
//! default) and then fails, naming the lock and who holds it. A lock left by a killed process
//! is never removed behind the user's back: the error names it and says how to remove it safely.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::error::UserError;

/// How long a second writer waits for a lock by default.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The environment variable that sets the wait, in seconds (`0` fails at once).
pub(crate) const TIMEOUT_ENV: &str = "REGISTRY_LOCK_TIMEOUT";

/// The lock files this process holds (so a nested acquire of the same lock does not wait for
/// itself, and the signal handler knows what to remove).
static HELD: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn held() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A poisoned list is still the right list: nothing panics while holding it half-updated.
    HELD.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A held lock; the file is removed when this is dropped.
#[derive(Debug)]
pub(crate) struct Lock {
    path: PathBuf,
    /// False for a nested acquire of a lock this process already holds.
    owner: bool,
}

impl Lock {
    /// Takes the lock file `path` (its directory must exist), waiting up to the timeout. `what`
    /// says what it guards, for the error ("the registry of /repo", "the mirror of URL").
    pub(crate) fn acquire(path: &Path, what: &str) -> Result<Lock> {
        Lock::acquire_with(path, what, false, DEFAULT_TIMEOUT)
    }

    /// [`Lock::acquire`] for a cache anyone may rebuild (the `-C URL` mirror): a lock left by a
    /// process of this host that is gone is taken over, not an error, and the wait is long
    /// enough for another process's first clone (`REGISTRY_LOCK_TIMEOUT` still rules).
    pub(crate) fn acquire_cache(path: &Path, what: &str) -> Result<Lock> {
        Lock::acquire_with(path, what, true, CACHE_TIMEOUT)
    }

    fn acquire_with(
        path: &Path,
        what: &str,
        take_over: bool,
        default_timeout: Duration,
    ) -> Result<Lock> {
        if held().iter().any(|p| p == path) {
            return Ok(Lock {
                path: path.to_path_buf(),
                owner: false,
            });
        }
        crate::signals::install(release_all);
        let timeout = timeout(default_timeout)?;
        let start = Instant::now();
        let mut pause = Duration::from_millis(5);
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
            {
                Ok(mut file) => {
                    held().push(path.to_path_buf());
                    let lock = Lock {
                        path: path.to_path_buf(),
                        owner: true,
                    };
                    // Who holds it, for the error a waiting writer prints. Best effort: an empty
                    // lock file still locks.
                    let _ = writeln!(
                        file,
                        "pid {}\nhost {}\ntime {}\ncommand registry",
                        std::process::id(),
                        hostname(),
                        std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map(|d| d.as_secs())
                            .unwrap_or_default()
                    );
                    return Ok(lock);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let seen = read_small(path);
                    let holder = Holder::parse(&seen);
                    // A holder found dead may just have released the lock and exited between
                    // our read and the check: stale only if its file is still there, unchanged
                    // (a dead process cannot change it; a released lock is gone).
                    let stale = holder.is_dead() && read_small(path) == seen;
                    if stale && take_over && take_over_stale(path, &seen) {
                        continue;
                    }
                    if stale || start.elapsed() >= timeout {
                        return Err(busy(path, what, &holder, timeout).into());
                    }
                    std::thread::sleep(pause.min(timeout.saturating_sub(start.elapsed())));
                    pause = (pause * 2).min(Duration::from_millis(200));
                }
                Err(e) => {
                    return Err(UserError::new(format!(
                        "cannot create the lock file {}: {e}",
                        path.display()
                    ))
                    .with_hint("writes need a writable git directory")
                    .into());
                }
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        if !self.owner {
            return;
        }
        let _ = std::fs::remove_file(&self.path);
        held().retain(|p| p != &self.path);
    }
}

/// Removes every lock file this process holds (for the signal handler, just before exiting).
pub(crate) fn release_all() {
    for path in held().drain(..) {
        let _ = std::fs::remove_file(path);
    }
}

/// The default wait for a cache's lock: a first clone over a slow network takes a while.
const CACHE_TIMEOUT: Duration = Duration::from_mins(5);

/// Moves a dead holder's lock file aside (one rename: of two processes taking it over, one
/// moves it) and removes it. Should the file moved be another's fresh lock after all (it took
/// the stale one over in between), it is put back. Whether the way is free now.
fn take_over_stale(path: &Path, seen: &[u8]) -> bool {
    let aside = path.with_extension(format!("stale-{}", std::process::id()));
    if std::fs::rename(path, &aside).is_err() {
        return false;
    }
    if read_small(&aside) != seen {
        // Not the dead one's: put it back where its holder expects it (never over a new one).
        let _ = std::fs::hard_link(&aside, path);
        let _ = std::fs::remove_file(&aside);
        return false;
    }
    std::fs::remove_file(&aside).is_ok()
}

/// The wait from `REGISTRY_LOCK_TIMEOUT` (seconds, fractions allowed), else `default`.
fn timeout(default: Duration) -> Result<Duration> {
    match std::env::var(TIMEOUT_ENV) {
        Ok(raw) if !raw.trim().is_empty() => raw
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .ok_or_else(|| {
                UserError::new(format!("{TIMEOUT_ENV} '{raw}' is not a number of seconds"))
                    .with_hint(format!("e.g. {TIMEOUT_ENV}=30, or 0 to fail at once"))
                    .into()
            }),
        _ => Ok(default),
    }
}

/// What a lock file says about its holder.
#[derive(Debug, Default)]
struct Holder {
    pid: Option<u32>,
    host: Option<String>,
}

impl Holder {
    fn parse(bytes: &[u8]) -> Holder {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let field = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(key).map(|v| v.trim().to_string()))
        };
        Holder {
            pid: field("pid ").and_then(|p| p.parse().ok()),
            host: field("host "),
        }
    }

    /// Whether the holder is known to be gone: it ran on this host, and its pid is not running.
    fn is_dead(&self) -> bool {
        match (self.pid, &self.host) {
            (Some(pid), Some(host)) if *host == hostname() => process_is_gone(pid),
            _ => false,
        }
    }
}

/// The most bytes read from a lock file: ours are a few dozen.
const HOLDER_MAX: u64 = 4096;

/// The first [`HOLDER_MAX`] bytes of a lock file, if it is a regular file; else nothing. A lock
/// file is whatever sits at the path: a FIFO there must not block the wait (opened non-blocking,
/// so the timeout still applies), and a link to `/dev/zero` must not be read without end (never
/// followed, and the read is bounded).
fn read_small(path: &Path) -> Vec<u8> {
    use std::io::Read as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let Ok(file) = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
        .open(path)
    else {
        return Vec::new();
    };
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Vec::new();
    }
    let mut bytes = Vec::new();
    let _ = file.take(HOLDER_MAX).read_to_end(&mut bytes);
    bytes
}

/// The error for a lock that stayed taken.
fn busy(path: &Path, what: &str, holder: &Holder, waited: Duration) -> UserError {
    let who = match (holder.pid, &holder.host) {
        (Some(pid), Some(host)) => format!("registry process {pid} on {host}"),
        _ => "another process".to_string(),
    };
    let p = path.display();
    if holder.is_dead() {
        UserError::new(format!(
            "{what} is locked by {p}, left behind by {who}, which is no longer running"
        ))
        .with_hint(format!(
            "a registry process was killed while writing; if no registry process is running, remove {p} (`rm {}`) and retry",
            crate::shell::shell_quote(&p.to_string())
        ))
    } else {
        UserError::new(format!(
            "{what} is locked by {p}: {who} is writing (waited {:.1} s)",
            waited.as_secs_f64()
        ))
        .with_hint(format!(
            "retry when it is done (set {TIMEOUT_ENV}=SECONDS to wait longer); if no registry process is running, remove {p}"
        ))
    }
}

/// This machine's name (for telling a lock of this host from one of another host on a shared
/// file system).
fn hostname() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|f| std::fs::read_to_string(f).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown-host".to_string())
}

/// Whether a pid is known not to run here (Linux's /proc; elsewhere: not known, so not gone).
fn process_is_gone(pid: u32) -> bool {
    Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_acquire_waits_then_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.lock");
        let first = Lock::acquire(&path, "the registry").unwrap();
        // Same process: nested, does not wait for itself, and does not remove the file.
        drop(Lock::acquire(&path, "the registry").unwrap());
        assert!(path.exists());
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            text.starts_with(&format!("pid {}\n", std::process::id())),
            "{text}"
        );
        drop(first);
        assert!(!path.exists());
    }

    #[test]
    fn a_dead_holder_on_this_host_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.lock");
        // No pid is this large on Linux (pid_max is at most 2^22).
        std::fs::write(&path, format!("pid 99999999\nhost {}\n", hostname())).unwrap();
        let err = Lock::acquire(&path, "the registry").expect_err("stale lock");
        let user = err.downcast_ref::<UserError>().expect("a user error");
        if Path::new("/proc/self").exists() {
            assert!(
                user.message.contains("no longer running"),
                "{}",
                user.message
            );
        }
        assert!(
            user.hint
                .as_deref()
                .unwrap_or_default()
                .contains(&format!("remove {}", path.display())),
            "{user:?}"
        );
        assert!(
            path.exists(),
            "a stale lock is never removed behind the user's back"
        );
    }
}
