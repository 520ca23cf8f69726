//! The test fixture: a throw-away git repository and the real `registry` binary, run with a
//! cleared environment, a fixed identity and a clock that moves one second per step.
//!
//! Every `git` call and every `registry` call is one step, so tag and commit ids are the same on
//! every run and snapshots can show them. No `sleep`, no dependence on the machine's git config.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Seconds since the epoch of the first step: 2023-11-14T22:13:20Z.
pub const START: i64 = 1_700_000_000;

pub struct TestRepo {
    dir: tempfile::TempDir,
    clock: Cell<i64>,
    /// Whether `git fsck --strict` runs after each successful write (see `finish`).
    fsck: Cell<bool>,
}

/// What one command did.
pub struct Run {
    pub line: String,
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    /// The run as a terminal session: the command, its stdout, its stderr, its exit status.
    pub fn transcript(&self) -> String {
        let mut t = format!("$ {}\n{}", self.line, self.stdout);
        if !self.stderr.is_empty() {
            t.push_str("--- stderr\n");
            t.push_str(&self.stderr);
        }
        t.push_str(&format!("[exit {}]", self.code));
        t
    }

    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "{}", self.transcript());
        &self.stdout
    }
}

pub fn registry_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_registry"))
}

impl TestRepo {
    /// An empty repository on branch `main`.
    pub fn new() -> TestRepo {
        let repo = TestRepo::bare_dir();
        repo.git(&["init", "-q", "-b", "main", "."]);
        repo
    }

    /// A temp dir with no repository in it.
    pub fn bare_dir() -> TestRepo {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join(".home")).expect("home dir");
        // The repository lives in a subdirectory so HOME is not inside it.
        std::fs::create_dir(dir.path().join("repo")).expect("repo dir");
        TestRepo {
            dir,
            clock: Cell::new(START),
            fsck: Cell::new(true),
        }
    }

    /// The repository's work tree.
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join(".home")
    }

    /// The time the next step will carry, then advance the clock.
    pub fn tick(&self) -> i64 {
        let now = self.clock.get();
        self.clock.set(now + 1);
        now
    }

    /// Sets the clock (to make two events share a second, say).
    pub fn set_clock(&self, seconds: i64) {
        self.clock.set(seconds);
    }

    /// For tests that break the repository on purpose: no `git fsck` after writes.
    pub fn skip_fsck(&self) {
        self.fsck.set(false);
    }

    /// A command with the hermetic environment.
    pub fn command(&self, program: &Path, cwd: &Path) -> Command {
        let now = self.tick();
        self.command_at(program, cwd, now)
    }

    /// A command with the hermetic environment, dated `now` (the clock does not move).
    fn command_at(&self, program: &Path, cwd: &Path, now: i64) -> Command {
        let date = format!("@{now} +0000");
        let mut cmd = Command::new(program);
        cmd.current_dir(cwd)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.home().join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Ada Tester")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Ada Tester")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("LANG", "C")
            .env("NO_COLOR", "1");
        cmd
    }

    /// Runs git in the repository and returns its trimmed stdout; panics on failure.
    #[track_caller]
    pub fn git(&self, args: &[&str]) -> String {
        let out = self
            .command(Path::new("git"), &self.path())
            .args(args)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Commits (an empty commit unless files were written) and returns the commit id.
    #[track_caller]
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// Writes a file in the work tree.
    pub fn write(&self, rel: &str, content: &str) {
        let path = self.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("parent dir");
        }
        std::fs::write(path, content).expect("write file");
    }

    /// Runs `registry ARGS` in the repository.
    pub fn run(&self, args: &[&str]) -> Run {
        let cmd = self.command(&registry_bin(), &self.path());
        self.finish(cmd, args)
    }

    /// Runs `registry ARGS` with extra environment changes.
    pub fn run_with(&self, args: &[&str], tweak: impl FnOnce(&mut Command)) -> Run {
        let mut cmd = self.command(&registry_bin(), &self.path());
        tweak(&mut cmd);
        self.finish(cmd, args)
    }

    fn finish(&self, mut cmd: Command, args: &[&str]) -> Run {
        let out: Output = cmd.args(args).output().expect("registry runs");
        let line = std::iter::once("registry".to_string())
            .chain(args.iter().map(|a| quote(a)))
            .collect::<Vec<_>>()
            .join(" ");
        let run = Run {
            line,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        };
        if run.code == 0 && self.fsck.get() {
            self.fsck_after(args, &run);
        }
        run
    }

    /// After a successful write, the repository written passes `git fsck --strict` (exit 0, and
    /// nothing but notices on stderr): registry
    /// never writes what git calls broken (issue 8, point 3). The repository is the one `-C`
    /// names when it is a local directory, else the work tree; a URL's mirror is not checked.
    #[track_caller]
    fn fsck_after(&self, args: &[&str], run: &Run) {
        let mut repo_arg = None;
        let mut verb = None;
        let mut rest = args.iter();
        while let Some(a) = rest.next() {
            if *a == "-C" {
                repo_arg = rest.next().copied();
            } else if let Some(v) = a.strip_prefix("-C") {
                repo_arg = Some(v);
            } else if verb.is_none() && !a.starts_with('-') {
                verb = Some(*a);
            }
        }
        const WRITES: [&str; 9] = [
            "register",
            "assign",
            "promote",
            "unassign",
            "deregister",
            "deprecate",
            "rollback",
            "annotate",
            "remove",
        ];
        if !verb.is_some_and(|v| WRITES.contains(&v)) {
            return;
        }
        let dir = match repo_arg {
            Some(r) if r.contains("://") || r.contains("::") => return,
            Some(r) => self.path().join(r),
            None => self.path(),
        };
        let inside = self
            .command_at(Path::new("git"), &dir, self.clock.get())
            .args(["rev-parse", "--git-dir"])
            .output();
        if !inside.is_ok_and(|o| o.status.success()) {
            return; // e.g. `-C` at a file: nothing was written there
        }
        let out = self
            .command_at(Path::new("git"), &dir, self.clock.get())
            .args(["fsck", "--strict", "--no-progress", "--no-dangling"])
            .output()
            .expect("git fsck runs");
        // git fsck exits 0 on some errors in tags (`missingEmail`): what it prints counts too
        // (all but its notices, such as "HEAD points to an unborn branch").
        let complaints = String::from_utf8_lossy(&out.stderr)
            .lines()
            .any(|l| !l.starts_with("notice: "));
        assert!(
            out.status.success() && !complaints,
            "`git fsck --strict` fails after a write:\n{}\n{}{}",
            run.transcript(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Shorthand: the transcript of `registry ARGS`.
    pub fn t(&self, args: &[&str]) -> String {
        self.run(args).transcript()
    }
}

/// Shell-quotes an argument for transcripts, so they read like a terminal session.
fn quote(a: &str) -> String {
    if !a.is_empty()
        && a.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"@%+=:,./-_".contains(&b))
    {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', "'\\''"))
    }
}
