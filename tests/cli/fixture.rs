//! The test fixture: a throw-away git repository and the real `registry` binary, run with a
//! cleared environment, a fixed identity and a clock that moves one second per step.
//!
//! Every `git` call and every `registry` call is one step, so tag and commit ids are the same on
//! every run and snapshots can show them. No `sleep`, no dependence on the machine's git config.
//!
//! The hot helpers spare processes: `TestRepo::new` copies what one `git init` made, and
//! `TestRepo::commit` commits with libgit2 in this process. Each moves the clock as the `git`
//! commands it stands for did, and leaves the same bytes (`fixture_exact.rs` checks it).

use std::cell::Cell;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

mod paths;
mod release;

pub(crate) use paths::{files_under, git_in, names_in, programs_only};
#[allow(
    unused_imports,
    reason = "used by the installer tests of the action and the component"
)]
pub(crate) use release::{HOST, TARGETS, fake_release, package, request_path, serve_dir};

/// Seconds since the epoch of the first step: 2023-11-14T22:13:20Z.
pub(crate) const START: i64 = 1_700_000_000;

/// The one identity every step carries, as author, committer and tagger.
const NAME: &str = "Ada Tester";
const EMAIL: &str = "ada@example.com";

pub(crate) struct TestRepo {
    dir: tempfile::TempDir,
    clock: Cell<i64>,
    /// Whether `git fsck --strict` runs after each successful write (see `finish`).
    fsck: Cell<bool>,
}

/// What one command did.
pub(crate) struct Run {
    pub line: String,
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    /// The run as a terminal session: the command, its stdout, its stderr, its exit status.
    pub(crate) fn transcript(&self) -> String {
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
    pub(crate) fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "{}", self.transcript());
        &self.stdout
    }
}

pub(crate) fn registry_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_registry"))
}

impl TestRepo {
    /// An empty repository on branch `main`: what `git init -q -b main` makes, copied from the
    /// one such repository each test process makes (see `InitTemplate`). One step, as the
    /// `git init` it stands for.
    pub(crate) fn new() -> TestRepo {
        let repo = TestRepo::bare_dir();
        repo.tick();
        InitTemplate::get().write_into(&repo.path());
        repo
    }

    /// A temp dir with no repository in it.
    pub(crate) fn bare_dir() -> TestRepo {
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
    pub(crate) fn path(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    pub(crate) fn home(&self) -> PathBuf {
        self.dir.path().join(".home")
    }

    /// The time the next step will carry, then advance the clock.
    pub(crate) fn tick(&self) -> i64 {
        let now = self.clock.get();
        self.clock.set(now + 1);
        now
    }

    /// Sets the clock (to make two events share a second, say).
    pub(crate) fn set_clock(&self, seconds: i64) {
        self.clock.set(seconds);
    }

    /// For tests that break the repository on purpose: no `git fsck` after writes.
    pub(crate) fn skip_fsck(&self) {
        self.fsck.set(false);
    }

    /// A command with the hermetic environment.
    pub(crate) fn command(&self, program: &Path, cwd: &Path) -> Command {
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
            .env("GIT_AUTHOR_NAME", NAME)
            .env("GIT_AUTHOR_EMAIL", EMAIL)
            .env("GIT_COMMITTER_NAME", NAME)
            .env("GIT_COMMITTER_EMAIL", EMAIL)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("LANG", "C")
            .env("NO_COLOR", "1");
        cmd
    }

    /// Runs git in the repository and returns its trimmed stdout; panics on failure.
    #[track_caller]
    pub(crate) fn git(&self, args: &[&str]) -> String {
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

    /// Commits (an empty commit unless files were written) and returns the commit id: what
    /// `git add -A && git commit -q --allow-empty -m MESSAGE && git rev-parse HEAD` does, three
    /// steps of the clock (the commit is dated by the second), built in this process with libgit2
    /// (no `git` process) whenever the test process's own git config cannot make the two differ
    /// (see `in_process_is_exact`).
    #[track_caller]
    pub(crate) fn commit(&self, message: &str) -> String {
        let repo = in_process_is_exact()
            .then(|| git2::Repository::open(self.path()).ok())
            .flatten();
        let Some(repo) = repo else {
            return self.commit_with_git(message);
        };
        self.tick(); // `git add -A`
        let now = self.tick(); // `git commit`
        self.tick(); // `git rev-parse HEAD`
        commit_in_process(&repo, message, now)
            .unwrap_or_else(|e| panic!("commit {message:?} failed: {e}"))
            .to_string()
    }

    /// [`TestRepo::commit`] the slow way, with the three `git` processes it stands for.
    #[track_caller]
    pub(crate) fn commit_with_git(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// [`TestRepo::new`] the slow way, with `git init`.
    pub(crate) fn new_with_git() -> TestRepo {
        let repo = TestRepo::bare_dir();
        repo.git(&["init", "-q", "-b", "main", "."]);
        repo
    }

    /// Writes a file in the work tree.
    pub(crate) fn write(&self, rel: &str, content: &str) {
        let path = self.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("parent dir");
        }
        std::fs::write(path, content).expect("write file");
    }

    /// Runs `registry ARGS` in the repository.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        let cmd = self.command(&registry_bin(), &self.path());
        self.finish(cmd, args)
    }

    /// Runs `registry ARGS` with extra environment changes.
    pub(crate) fn run_with(&self, args: &[&str], tweak: impl FnOnce(&mut Command)) -> Run {
        let mut cmd = self.command(&registry_bin(), &self.path());
        tweak(&mut cmd);
        self.finish(cmd, args)
    }

    fn finish(&self, mut cmd: Command, args: &[&str]) -> Run {
        let out: Output = cmd.args(args).output().expect("registry runs");
        let line = std::iter::once("registry".to_string())
            .chain(args.iter().map(|a| registry::shell::shell_quote(a)))
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
        let mut fsck = self.command_at(Path::new("git"), &dir, self.clock.get());
        if !may_hold_commit_graph_or_midx(&dir) {
            // `git fsck` runs `git commit-graph verify` and `git multi-pack-index verify`, two
            // more processes, even where there is no such file to verify: say so instead.
            fsck.args([
                "-c",
                "core.commitGraph=false",
                "-c",
                "core.multiPackIndex=false",
            ]);
        }
        let Ok(out) = fsck
            .args(["fsck", "--strict", "--no-progress", "--no-dangling"])
            .output()
        else {
            return; // `-C` at a file or at nothing: nothing was written there
        };
        if !out.status.success() {
            // Only a repository is checked: is there one at all (`-C` at a plain directory)?
            let inside = self
                .command_at(Path::new("git"), &dir, self.clock.get())
                .args(["rev-parse", "--git-dir"])
                .output();
            if !inside.is_ok_and(|o| o.status.success()) {
                return;
            }
        }
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
    pub(crate) fn t(&self, args: &[&str]) -> String {
        self.run(args).transcript()
    }
}

/// How long a run against a hostile repository may take before it counts as a hang: long
/// enough for a loaded CI machine, short enough that a hang fails the suite instead of CI.
pub(crate) const HANG: Duration = Duration::from_secs(20);

/// The most output a run against a hostile repository may print: a flood is a failure too.
const FLOOD: u64 = 1 << 20;

/// Runs `registry ARGS` in the work tree under [`HANG`] (no fsck after it: hostile repositories
/// are broken on purpose).
#[track_caller]
pub(crate) fn run_timed(repo: &TestRepo, args: &[&str]) -> Run {
    run_timed_in_with(repo, &repo.path(), args, |_| {})
}

/// [`run_timed`] in another directory.
#[track_caller]
pub(crate) fn run_timed_in(repo: &TestRepo, dir: &Path, args: &[&str]) -> Run {
    run_timed_in_with(repo, dir, args, |_| {})
}

/// [`run_timed`] with extra environment changes.
#[track_caller]
pub(crate) fn run_timed_with(
    repo: &TestRepo,
    args: &[&str],
    tweak: impl FnOnce(&mut Command),
) -> Run {
    run_timed_in_with(repo, &repo.path(), args, tweak)
}

/// The one bounded run: output goes to files (a flood cannot block the child on a full pipe),
/// the child is killed and the test fails after [`HANG`], and at most [`FLOOD`] bytes of each
/// stream are read back.
#[track_caller]
pub(crate) fn run_timed_in_with(
    repo: &TestRepo,
    dir: &Path,
    args: &[&str],
    tweak: impl FnOnce(&mut Command),
) -> Run {
    use std::io::Read as _;
    let outputs = tempfile::tempdir().expect("temp dir");
    let (out_path, err_path) = (outputs.path().join("stdout"), outputs.path().join("stderr"));
    let mut cmd = repo.command(&registry_bin(), dir);
    tweak(&mut cmd);
    let mut child = cmd
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("registry runs");
    let line = format!("registry {}", args.join(" "));
    let status = wait_within(&mut child, HANG, &line);
    let read = |p: &Path| {
        let mut bytes = Vec::new();
        std::fs::File::open(p)
            .and_then(|f| f.take(FLOOD + 1).read_to_end(&mut bytes))
            .expect("read the output back");
        assert!(
            bytes.len() as u64 <= FLOOD,
            "`{line}` printed over {FLOOD} bytes"
        );
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Run {
        stdout: read(&out_path),
        stderr: read(&err_path),
        code: status.code().unwrap_or(-1),
        line,
    }
}

/// Waits for `child` to end and returns its status; after `bound`, kills it and fails the test
/// naming `line`, so a hang fails instead of blocking the suite. It looks every millisecond: a
/// run is seen to end about when it ends (a coarser poll cost the suite seconds).
#[track_caller]
pub(crate) fn wait_within(child: &mut Child, bound: Duration, line: &str) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            return status;
        }
        if start.elapsed() > bound {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`{line}` still ran after {bound:?}: a hang (killed)");
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// What `git init -q -b main` writes, read once per test process from a scratch repository (then
/// removed): every new `TestRepo` gets the same bytes without a `git` process.
struct InitTemplate {
    /// Directories and files relative to the work tree, parents first.
    entries: Vec<(PathBuf, Option<TemplateFile>)>,
}

/// A file of the template: its bytes and its mode.
struct TemplateFile {
    bytes: Vec<u8>,
    mode: u32,
}

impl InitTemplate {
    fn get() -> &'static InitTemplate {
        static TEMPLATE: OnceLock<InitTemplate> = OnceLock::new();
        TEMPLATE.get_or_init(|| {
            let scratch = TestRepo::new_with_git();
            let root = scratch.path();
            let entries = walkdir::WalkDir::new(&root)
                .min_depth(1)
                .sort_by_file_name()
                .into_iter()
                .map(|entry| {
                    let entry = entry.expect("walk the new repository");
                    let rel = entry.path().strip_prefix(&root).unwrap().to_path_buf();
                    let kind = entry.file_type();
                    assert!(
                        !kind.is_symlink(),
                        "git init made a link: {}",
                        rel.display()
                    );
                    let file = kind.is_file().then(|| {
                        let mode = entry.metadata().unwrap().permissions().mode();
                        let bytes = std::fs::read(entry.path()).unwrap();
                        TemplateFile { bytes, mode }
                    });
                    (rel, file)
                })
                .collect();
            InitTemplate { entries }
        })
    }

    fn write_into(&self, root: &Path) {
        for (rel, file) in &self.entries {
            let path = root.join(rel);
            match file {
                None => std::fs::create_dir(&path).expect("create a directory of .git"),
                Some(file) => {
                    std::fs::write(&path, &file.bytes).expect("write a file of .git");
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(file.mode))
                        .expect("set a file's mode");
                }
            }
        }
    }
}

/// Whether libgit2, in this process, stages and commits exactly what the hermetic `git` would.
///
/// The `git` the fixture runs reads no global or system config (`GIT_CONFIG_GLOBAL=/dev/null`,
/// `GIT_CONFIG_NOSYSTEM=1`, a fresh `HOME`); libgit2 in the test process reads the machine's. They
/// agree when the machine's config says nothing about how files are staged (sections `core`,
/// `filter`, `index`, `feature`, `submodule`, `extensions`) and there are no global ignore or
/// attributes files. Otherwise `commit` runs `git` as before: slower, never different.
fn in_process_is_exact() -> bool {
    static EXACT: OnceLock<bool> = OnceLock::new();
    *EXACT.get_or_init(|| {
        const STAGING: [&str; 6] = [
            "core.",
            "filter.",
            "index.",
            "feature.",
            "submodule.",
            "extensions.",
        ];
        let Ok(config) = git2::Config::open_default() else {
            return false;
        };
        let Ok(mut entries) = config.entries(None) else {
            return false;
        };
        while let Some(Ok(entry)) = entries.next() {
            let name = entry.name().unwrap_or("").to_ascii_lowercase();
            if STAGING.iter().any(|s| name.starts_with(s)) {
                return false;
            }
        }
        let xdg = match std::env::var_os("XDG_CONFIG_HOME") {
            Some(x) if !x.is_empty() => PathBuf::from(x),
            _ => match std::env::var_os("HOME") {
                Some(home) => PathBuf::from(home).join(".config"),
                None => return false,
            },
        };
        let files = [
            xdg.join("git/ignore"),
            xdg.join("git/attributes"),
            PathBuf::from("/etc/gitattributes"),
        ];
        !files.iter().any(|f| f.exists())
    })
}

/// `git add -A`, then `git commit --allow-empty -m MESSAGE` dated `now`, in the work tree: the
/// same index, commit object, branch and reflog lines, written by libgit2.
fn commit_in_process(
    repo: &git2::Repository,
    message: &str,
    now: i64,
) -> Result<git2::Oid, git2::Error> {
    let mut index = repo.index()?;
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None)?;
    index.update_all(["*"], None)?;
    index.write()?;
    let tree = repo.find_tree(index.write_tree()?)?;
    let who = git2::Signature::new(NAME, EMAIL, &git2::Time::new(now, 0))?;
    let parent = match repo.head() {
        Ok(head) => Some(head.peel_to_commit()?),
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch => None,
        Err(e) => return Err(e),
    };
    // `git commit -m` cleans the message up as `--cleanup=whitespace`; so does this.
    let message = git2::message_prettify(message, None)?;
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    let id = repo.commit(Some("HEAD"), &who, &who, &message, &tree, &parents)?;
    std::fs::write(repo.path().join("COMMIT_EDITMSG"), &message)
        .map_err(|e| git2::Error::from_str(&format!("COMMIT_EDITMSG: {e}")))?;
    // libgit2 logs the update with the machine's identity and clock: log it as git would.
    let subject = message.lines().next().unwrap_or("").trim_start();
    let initial = if parent.is_none() { " (initial)" } else { "" };
    let line = format!("commit{initial}: {subject}");
    let branch = repo.head()?.name().unwrap_or("HEAD").to_string();
    let mut logs = vec!["HEAD"];
    if branch != "HEAD" {
        logs.push(&branch);
    }
    for name in logs {
        let mut log = repo.reflog(name)?;
        if !log.is_empty() {
            log.remove(0, false)?;
        }
        log.append(id, &who, Some(&line))?;
        log.write()?;
    }
    Ok(id)
}

/// Whether the repository at `dir` may hold a commit-graph or a multi-pack index for `git fsck`
/// to verify: yes unless `dir` is plainly a repository's top (a work tree with a `.git`
/// directory, or a bare repository) whose objects have neither file nor alternates.
fn may_hold_commit_graph_or_midx(dir: &Path) -> bool {
    let git_dir = if dir.join(".git").is_dir() {
        dir.join(".git")
    } else if dir.join("HEAD").is_file() && dir.join("objects").is_dir() {
        dir.to_path_buf()
    } else {
        return true;
    };
    let objects = git_dir.join("objects");
    git_dir.join("commondir").exists()
        || [
            "info/alternates",
            "info/commit-graph",
            "info/commit-graphs",
            "pack/multi-pack-index",
        ]
        .iter()
        .any(|f| objects.join(f).exists())
}
