//! One run of a verifier program, bounded as a read must be: the signature in a temporary file
//! removed afterwards, the payload on stdin, output kept up to a limit, a time limit.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The most status output (stdout) read from the program; real output is a few hundred bytes.
const MAX_STATUS: usize = 1 << 20;

/// The most of its stderr kept, for a reason.
const MAX_STDERR: usize = 64 << 10;

/// The signature, in a temporary file the program reads (as git's `.git_vtag_tmpXXXXXX`),
/// removed when dropped.
pub(super) struct SigFile {
    pub(super) path: PathBuf,
}

impl SigFile {
    pub(super) fn write(signature: &[u8]) -> std::io::Result<SigFile> {
        use std::os::unix::fs::OpenOptionsExt;
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        for _ in 0..16 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = dir.join(format!(".registry_vtag_{}_{n}_{nanos}", std::process::id()));
            let mut file = match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
            {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            };
            let guard = SigFile { path };
            file.write_all(signature)?;
            return Ok(guard);
        }
        Err(std::io::Error::other("no free temporary file name"))
    }
}

impl Drop for SigFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// What one run printed, bounded.
#[derive(Debug, Default)]
pub(super) struct Ran {
    pub(super) stdout: String,
    pub(super) stderr: String,
    pub(super) code: Option<i32>,
}

pub(super) enum RunError {
    NotFound,
    TimedOut,
    Other(String),
}

/// Runs `cmd` with `input` on stdin; kills it after `timeout`. Output past the bounds is read
/// and dropped, so a flood cannot block the program on a full pipe.
pub(super) fn run(mut cmd: Command, input: &[u8], timeout: Duration) -> Result<Ran, RunError> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => RunError::NotFound,
            _ => RunError::Other(e.to_string()),
        })?;
    let drain = |pipe: Option<Box<dyn Read + Send>>, max: usize| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.by_ref().take(max as u64).read_to_end(&mut kept);
                let _ = std::io::copy(&mut pipe, &mut std::io::sink());
            }
            let _ = tx.send(String::from_utf8_lossy(&kept).into_owned());
        });
        rx
    };
    let out = drain(child.stdout.take().map(|p| Box::new(p) as _), MAX_STATUS);
    let err = drain(child.stderr.take().map(|p| Box::new(p) as _), MAX_STDERR);
    let stdin = child.stdin.take();
    let input = input.to_vec();
    // The program may exit before reading it all (no key): a broken pipe is no error here.
    std::thread::spawn(move || {
        if let Some(mut stdin) = stdin {
            let _ = stdin.write_all(&input);
        }
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RunError::TimedOut);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RunError::Other(e.to_string()));
            }
        }
    };
    // A process it left behind may hold the pipes open: wait for them within the same bound.
    let rest = |rx: std::sync::mpsc::Receiver<String>| {
        rx.recv_timeout(timeout.saturating_sub(start.elapsed()))
            .map_err(|_| RunError::TimedOut)
    };
    Ok(Ran {
        stdout: rest(out)?,
        stderr: rest(err)?,
        code: status.code(),
    })
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn script(dir: &std::path::Path, name: &str, body: &str) -> Command {
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        // Run by `sh`, not executed itself: another test thread forking while the file was
        // open for writing would hold that descriptor, and exec would fail with ETXTBSY.
        let mut cmd = Command::new("sh");
        cmd.arg(path);
        cmd
    }

    #[test]
    fn a_hung_program_is_killed_and_a_flood_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        // `sleep` without exec: it keeps the pipes open after the shell is killed.
        let hang = script(dir.path(), "hang", "sleep 30");
        let start = Instant::now();
        let ran = run(hang, b"payload", Duration::from_millis(300));
        assert!(matches!(ran, Err(RunError::TimedOut)));
        assert!(start.elapsed() < Duration::from_secs(10));

        let flood = script(
            dir.path(),
            "flood",
            "yes '[GNUPG:] NEWSIG' | head -c 5000000; exit 2",
        );
        let Ok(ran) = run(flood, b"", Duration::from_secs(30)) else {
            panic!("the flood ran")
        };
        assert_eq!((ran.stdout.len(), ran.code), (MAX_STATUS, Some(2)));

        let eats = script(dir.path(), "eats", "wc -c");
        let Ok(ran) = run(eats, &vec![b'x'; 300_000], Duration::from_secs(30)) else {
            panic!("wc ran")
        };
        assert_eq!(ran.stdout.trim(), "300000");
        assert!(matches!(
            run(
                Command::new("/nonexistent/gpg"),
                b"",
                Duration::from_secs(1)
            ),
            Err(RunError::NotFound)
        ));
    }

    #[test]
    fn the_signature_file_holds_the_signature_and_goes_away() {
        let file = SigFile::write(b"-----BEGIN PGP SIGNATURE-----\n").unwrap();
        let path = file.path.clone();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"-----BEGIN PGP SIGNATURE-----\n"
        );
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        drop(file);
        assert!(!path.exists());
    }
}
