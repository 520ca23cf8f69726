//! Concurrent writers (issue 8, point 6): N real `registry` processes started at once on one
//! repository never duplicate a version or a counter, never lose an `annotate` edit, and a
//! contested version has exactly one winner; the loser fails clearly (exit 1). The writers'
//! lock (`.git/registry.lock`) is named, with how to remove it, when a killed writer left it
//! behind, and so is a ref lock libgit2 finds in the way. `git fsck` passes after every write.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::fixture::{Run, TestRepo, registry_bin, wait_within};

/// How many writers race.
const N: usize = 8;

/// No test here may hang: a process still running after this long fails the test.
const BOUND: Duration = Duration::from_mins(2);

/// Starts `registry ARGS` in `repo` without waiting (the lock may wait long on a loaded machine;
/// no test asserts a time).
pub(crate) fn spawn(repo: &TestRepo, args: &[&str]) -> Child {
    spawn_with(repo, args, |_| {})
}

/// As `spawn`, with extra environment changes.
pub(crate) fn spawn_with(
    repo: &TestRepo,
    args: &[&str],
    tweak: impl FnOnce(&mut Command),
) -> Child {
    let mut cmd = repo.command(&registry_bin(), &repo.path());
    cmd.env("REGISTRY_LOCK_TIMEOUT", "100")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    tweak(&mut cmd);
    cmd.spawn().expect("registry starts")
}

/// Waits for a child, killing it (and failing the test) if it runs past `bound`.
#[track_caller]
pub(crate) fn finish_within(mut child: Child, bound: Duration, line: &str) -> Run {
    wait_within(&mut child, bound, line);
    let out = child.wait_with_output().expect("output");
    Run {
        line: line.to_string(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// Starts every command at once, then waits for all of them.
fn race(repo: &TestRepo, commands: &[Vec<String>]) -> Vec<Run> {
    let children: Vec<(Child, String)> = commands
        .iter()
        .map(|args| {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            (spawn(repo, &args), format!("registry {}", args.join(" ")))
        })
        .collect();
    children
        .into_iter()
        .map(|(child, line)| finish_within(child, BOUND, &line))
        .collect()
}

fn all_ok(runs: &[Run]) {
    for run in runs {
        assert_eq!(run.code, 0, "{}", run.transcript());
    }
}

/// `git fsck` passes (after every write test).
#[track_caller]
pub(crate) fn fsck(repo: &TestRepo, git_dir: &Path) {
    let out = repo
        .command(Path::new("git"), git_dir)
        .args(["fsck", "--no-progress"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git fsck: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn tag_list(repo: &TestRepo) -> Vec<String> {
    repo.git(&["tag", "-l"])
        .lines()
        .map(str::to_string)
        .collect()
}

fn lock_path(repo: &TestRepo) -> PathBuf {
    repo.path().join(".git").join("registry.lock")
}

fn args(parts: &[&str]) -> Vec<String> {
    parts.iter().map(ToString::to_string).collect()
}

#[test]
fn parallel_annotates_lose_no_edit() {
    let repo = TestRepo::new();
    repo.commit("first");
    let runs = race(
        &repo,
        &(0..12)
            .map(|i| {
                args(&[
                    "annotate",
                    &format!("a{i}"),
                    "--description",
                    &format!("d{i}"),
                ])
            })
            .collect::<Vec<_>>(),
    );
    all_ok(&runs);
    let yaml = std::fs::read_to_string(repo.path().join("artifacts.yaml")).unwrap();
    let parsed: yaml_serde::Mapping = yaml_serde::from_str(&yaml).unwrap();
    for i in 0..12 {
        let entry = parsed
            .get(format!("a{i}"))
            .unwrap_or_else(|| panic!("a{i} lost:\n{yaml}"));
        assert_eq!(
            entry.get("description").and_then(|d| d.as_str()),
            Some(format!("d{i}").as_str()),
            "{yaml}"
        );
    }
    assert!(!lock_path(&repo).exists(), "the lock is removed after use");
}

#[test]
fn parallel_registers_get_distinct_versions() {
    let repo = TestRepo::new();
    let commits: Vec<String> = (0..N).map(|i| repo.commit(&format!("c{i}"))).collect();
    let runs = race(
        &repo,
        &commits
            .iter()
            .map(|c| args(&["register", "churn", c]))
            .collect::<Vec<_>>(),
    );
    all_ok(&runs);
    let tags: BTreeSet<String> = tag_list(&repo).into_iter().collect();
    let expected: BTreeSet<String> = (1..=N).map(|i| format!("churn@v0.0.{i}")).collect();
    assert_eq!(tags, expected);
    // One version per commit.
    let pointed: BTreeSet<String> = tags
        .iter()
        .map(|t| repo.git(&["rev-parse", &format!("{t}^{{commit}}")]))
        .collect();
    assert_eq!(pointed.len(), N);
    fsck(&repo, &repo.path());
}

#[test]
fn a_contested_version_has_exactly_one_winner() {
    // N commits all claiming v1.0.0.
    let repo = TestRepo::new();
    let commits: Vec<String> = (0..N).map(|i| repo.commit(&format!("c{i}"))).collect();
    let runs = race(
        &repo,
        &commits
            .iter()
            .map(|c| args(&["register", "churn", c, "--version", "v1.0.0"]))
            .collect::<Vec<_>>(),
    );
    let winners: Vec<&Run> = runs.iter().filter(|r| r.code == 0).collect();
    assert_eq!(winners.len(), 1, "exactly one wins");
    for loser in runs.iter().filter(|r| r.code != 0) {
        assert_eq!(loser.code, 1, "{}", loser.transcript());
        assert!(
            loser.stderr.starts_with("error: ") && loser.stderr.contains("v1.0.0"),
            "a clear message: {}",
            loser.transcript()
        );
        assert!(loser.stdout.is_empty(), "{}", loser.transcript());
    }
    assert_eq!(tag_list(&repo), vec!["churn@v1.0.0"]);
    fsck(&repo, &repo.path());

    // N versions all claiming one commit.
    let repo = TestRepo::new();
    repo.commit("only");
    let runs = race(
        &repo,
        &(0..N)
            .map(|i| args(&["register", "churn", "--version", &format!("v1.{i}.0")]))
            .collect::<Vec<_>>(),
    );
    assert_eq!(runs.iter().filter(|r| r.code == 0).count(), 1, "one winner");
    for loser in runs.iter().filter(|r| r.code != 0) {
        assert_eq!(loser.code, 1, "{}", loser.transcript());
        assert!(
            loser
                .stderr
                .contains("error: 'churn' is already registered in this commit with version"),
            "{}",
            loser.transcript()
        );
    }
    assert_eq!(tag_list(&repo).len(), 1, "one version on the commit");
    fsck(&repo, &repo.path());
}

#[test]
fn parallel_forced_promotions_write_distinct_counters() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    let runs = race(
        &repo,
        &(0..N)
            .map(|_| args(&["promote", "churn", "prod", "--force"]))
            .collect::<Vec<_>>(),
    );
    all_ok(&runs);
    // Each run created its own tag: no counter was claimed twice.
    let created: BTreeSet<String> = runs
        .iter()
        .filter_map(|r| {
            r.stdout
                .lines()
                .find(|l| l.starts_with("Created git tag"))
                .map(str::to_string)
        })
        .collect();
    assert_eq!(created.len(), N, "{created:?}");
    let mut expected: BTreeSet<String> = (1..=N).map(|i| format!("churn#prod#{i}")).collect();
    expected.insert("churn@v0.0.1".to_string());
    assert_eq!(
        tag_list(&repo).into_iter().collect::<BTreeSet<_>>(),
        expected
    );
    fsck(&repo, &repo.path());
}

#[test]
fn parallel_first_calls_of_a_url_share_one_mirror() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    let remote = repo.path().parent().unwrap().join("remote.git");
    repo.git(&["clone", "-q", "--bare", ".", remote.to_str().unwrap()]);
    let url = format!("file://{}", remote.display());
    let runs = race(
        &repo,
        &(0..15)
            .map(|_| args(&["-C", &url, "show"]))
            .collect::<Vec<_>>(),
    );
    all_ok(&runs);
    for run in &runs {
        assert_eq!(run.stdout, runs[0].stdout);
    }
    assert!(runs[0].stdout.contains("churn"), "{}", runs[0].stdout);
    let mirrors = repo.home().join(".cache/registry/mirrors");
    let dirs: Vec<_> = std::fs::read_dir(&mirrors)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(dirs.len(), 1, "one mirror, no lock left behind: {dirs:?}");
    fsck(&repo, &dirs[0]);
}

#[test]
fn a_stale_lock_of_a_killed_writer_is_named_with_how_to_remove_it() {
    let repo = TestRepo::new();
    repo.commit("first");
    // What a `kill -9` leaves: a lock of a process of this host that no longer runs.
    let mut gone = Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let lock = lock_path(&repo);
    std::fs::write(
        &lock,
        format!(
            "pid {pid}\nhost {}\ntime 1\ncommand registry\n",
            host.trim()
        ),
    )
    .unwrap();
    let run = repo.run(&["register", "churn"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let l = lock.display().to_string();
    if Path::new("/proc/self").exists() {
        assert!(
            run.stderr.contains(&format!(
                "is locked by {l}, left behind by registry process {pid} on {}, which is no longer running",
                host.trim()
            )),
            "{}",
            run.stderr
        );
    }
    assert!(
        run.stderr
            .contains(&format!("if no registry process is running, remove {l}")),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty() && repo.git(&["tag", "-l"]).is_empty());
    assert!(lock.exists(), "never removed behind the user's back");

    // The same for annotate, which edits artifacts.yaml under the same lock.
    let run = repo.run(&["annotate", "churn", "--description", "x"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains(&l), "{}", run.stderr);
    assert!(!repo.path().join("artifacts.yaml").exists());

    // Doing what the hint says is enough.
    std::fs::remove_file(&lock).unwrap();
    repo.run(&["register", "churn"]).ok();
    assert!(!lock.exists());
    fsck(&repo, &repo.path());
}

#[test]
fn a_held_lock_makes_a_writer_wait_then_fail_clearly() {
    let repo = TestRepo::new();
    repo.commit("first");
    let lock = lock_path(&repo);
    // Held by a running process (this test), of no known host: wait, then give up.
    std::fs::write(&lock, format!("pid {}\n", std::process::id())).unwrap();
    let run = repo.run_with(&["register", "churn"], |c| {
        c.env("REGISTRY_LOCK_TIMEOUT", "0.3");
    });
    assert_eq!(run.code, 1, "{}", run.transcript());
    let l = lock.display().to_string();
    assert!(
        run.stderr
            .contains(&format!("is locked by {l}: another process is writing")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("REGISTRY_LOCK_TIMEOUT=SECONDS")
            && run
                .stderr
                .contains(&format!("if no registry process is running, remove {l}")),
        "{}",
        run.stderr
    );
    assert!(repo.git(&["tag", "-l"]).is_empty());

    // A writer that finds the lock taken waits for it and then plans against the new tags.
    let waiting = spawn(&repo, &["register", "churn"]);
    std::thread::sleep(Duration::from_millis(300));
    repo.git(&["tag", "-a", "-m", "by hand", "churn@v0.0.7"]);
    std::fs::remove_file(&lock).unwrap();
    let run = finish_within(waiting, BOUND, "registry register churn");
    // HEAD already holds v0.0.7 (tagged while the writer waited): it refuses, not duplicates.
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("already registered in this commit"),
        "{}",
        run.transcript()
    );

    // A bad timeout is named.
    let run = repo.run_with(&["register", "churn"], |c| {
        c.env("REGISTRY_LOCK_TIMEOUT", "soon");
    });
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("error: REGISTRY_LOCK_TIMEOUT 'soon' is not a number of seconds"),
        "{}",
        run.stderr
    );
    fsck(&repo, &repo.path());
}

#[test]
fn a_ref_lock_left_by_a_killed_writer_is_named() {
    // libgit2's own lock of the ref it was creating, left by a `kill -9`.
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.commit("second");
    let lock = repo.path().join(".git/refs/tags/churn@v0.0.2.lock");
    std::fs::write(&lock, "").unwrap();
    let run = repo.run(&["register", "churn"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let l = lock.display().to_string();
    assert!(
        run.stderr.contains(&format!(
            "error: cannot create tag 'churn@v0.0.2': its ref is locked by {l}"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "if no git or registry process is running, remove {l}"
        )),
        "{}",
        run.stderr
    );
    std::fs::remove_file(&lock).unwrap();
    assert!(
        repo.run(&["register", "churn"])
            .ok()
            .starts_with("Created git tag 'churn@v0.0.2'")
    );
    fsck(&repo, &repo.path());
}

#[test]
fn linked_work_trees_share_one_lock() {
    // Tags are shared by every work tree of a repository, so is the writers' lock.
    let repo = TestRepo::new();
    repo.commit("first");
    let other = repo.path().parent().unwrap().join("other");
    repo.git(&["worktree", "add", "-q", other.to_str().unwrap()]);
    let lock = lock_path(&repo);
    std::fs::write(&lock, format!("pid {}\n", std::process::id())).unwrap();
    let run = repo.run_with(&["-C", other.to_str().unwrap(), "register", "churn"], |c| {
        c.env("REGISTRY_LOCK_TIMEOUT", "0");
    });
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains(&format!("is locked by {}", lock.display())),
        "{}",
        run.stderr
    );
    std::fs::remove_file(&lock).unwrap();
    repo.run(&["-C", other.to_str().unwrap(), "register", "churn"])
        .ok();
    assert_eq!(tag_list(&repo), vec!["churn@v0.0.1"]);
    fsck(&repo, &repo.path());
}
