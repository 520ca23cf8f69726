//! Interrupts while a lock is held: on SIGINT, SIGTERM or SIGHUP the lock files this process
//! holds are removed before it dies of the signal as it would have anyway, so a Ctrl-C or a CI
//! job's cancellation does not leave a stale lock behind. (SIGKILL cannot be caught: that is
//! what the stale-lock error in `lock.rs` is for.)
//!
//! A watcher thread does the work, so nothing runs inside a signal handler but a notification.

use std::sync::Once;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// Starts the watcher (once per process; later calls do nothing), which runs `cleanup` on the
/// first signal. The caller passes what to clean up, so this module knows nothing of locks.
pub(crate) fn install(cleanup: fn()) {
    static ONCE: Once = Once::new();
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
                    cleanup();
                    // Die of the signal, so the parent sees what happened.
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    std::process::exit(128 + signal);
                }
            });
    });
}
