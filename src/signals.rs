//! Interrupts while a lock is held or a file is half written: on SIGINT, SIGTERM or SIGHUP the
//! lock files this process holds and the temporary files of `registry get` are removed before it
//! dies of the signal as it would have anyway, so a Ctrl-C or a CI job's cancellation does not
//! leave a stale lock or a partial file behind. (SIGKILL cannot be caught: that is what the
//! stale-lock error in `lock.rs` is for, and why `get`'s temporary names are recognisable.)
//!
//! A watcher thread does the work, so nothing runs inside a signal handler but a notification.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// Set once a signal arrived: the process is cleaning up and about to die of it.
static EXITING: AtomicBool = AtomicBool::new(false);

/// Whether a signal arrived and the watcher is cleaning up. A command that fails meanwhile (its
/// files removed under it) must not exit first with its own error: the process dies of the
/// signal, so the caller sees an interrupt, not a failure (`main` waits for the watcher).
pub fn exiting() -> bool {
    EXITING.load(Ordering::SeqCst)
}

/// What to run on a signal: each caller's cleanup, once each.
static CLEANUPS: Mutex<Vec<fn()>> = Mutex::new(Vec::new());

/// Adds `cleanup` to what runs on the first signal (a function given twice runs once) and starts
/// the watcher (once per process). The callers pass what to clean up, so this module knows
/// nothing of locks or files.
pub(crate) fn install(cleanup: fn()) {
    static ONCE: Once = Once::new();
    {
        let mut list = CLEANUPS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !list.iter().any(|f| std::ptr::fn_addr_eq(*f, cleanup)) {
            list.push(cleanup);
        }
    }
    ONCE.call_once(|| {
        let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            // Without the watcher a signal still ends the process; only the lock file may stay,
            // and the stale-lock error tells how to remove it.
            return;
        };
        let _ = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    EXITING.store(true, Ordering::SeqCst);
                    let list = CLEANUPS
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .clone();
                    for cleanup in list {
                        cleanup();
                    }
                    // Die of the signal, so the parent sees what happened.
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    std::process::exit(128 + signal);
                }
            });
    });
}
