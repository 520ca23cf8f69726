//! Remotes: `--push` (fetch first, push, roll back on failure), a simulated CI reacting to tag
//! pushes, two writers racing, and `-C URL` through a cached mirror (SPEC §4.6). Remotes are
//! local bare repositories reached by path or `file://` URL; no network.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::fixture::{Run, TestRepo, git_in, registry_bin};

/// A bare remote beside the fixture's repository, with the repository's `main` pushed to it
/// and set as `origin`.
fn with_remote(repo: &TestRepo) -> PathBuf {
    let remote = repo.path().parent().unwrap().join("remote.git");
    git_in(
        repo,
        repo.path().parent().unwrap(),
        &["init", "-q", "--bare", "-b", "main", "remote.git"],
    );
    repo.commit("first");
    repo.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main"]);
    remote
}

fn tags_at(repo: &TestRepo, git_dir: &Path) -> Vec<String> {
    let out = git_in(repo, git_dir, &["tag", "-l"]);
    let mut tags: Vec<String> = out.lines().map(str::to_string).collect();
    tags.sort();
    tags
}

fn write_hook(remote: &Path, name: &str, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = remote.join("hooks").join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn a_simulated_ci_sees_exactly_the_pushed_events_in_order() {
    let repo = TestRepo::new();
    let remote = with_remote(&repo);
    let log = repo.path().parent().unwrap().join("ci.log");
    // What a CI runner does on each tag push: ask registry what the tag means.
    write_hook(
        &remote,
        "post-receive",
        &format!(
            r#"while read old new ref; do
  case "$ref" in refs/tags/*)
    r="{bin}"
    echo "$("$r" -C . check-ref "$ref" --event) $("$r" -C . check-ref "$ref" --name) $("$r" -C . check-ref "$ref" --version) $("$r" -C . check-ref "$ref" --stage)" >> "{log}"
  esac
done
"#,
            bin = registry_bin().display(),
            log = log.display()
        ),
    );
    repo.run(&["register", "churn", "--push"]).ok();
    repo.commit("second");
    repo.git(&["push", "-q", "origin", "main"]);
    insta::assert_snapshot!(repo.t(&["register", "churn", "--push"]), @"
    $ registry register churn --push
    Running `git push origin churn@v0.0.2`
    Created git tag 'churn@v0.0.2' that registers version
    Successfully pushed git tag churn@v0.0.2 on remote.
    [exit 0]
    ");
    repo.run(&["promote", "churn@v0.0.1", "prod", "--push"])
        .ok();
    repo.run(&["promote", "churn", "prod", "--push"]).ok();
    repo.run(&["unassign", "churn", "prod", "--push"]).ok();
    let seen = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        seen,
        "registration churn v0.0.1 \n\
         registration churn v0.0.2 \n\
         assignment churn v0.0.1 prod\n\
         assignment churn v0.0.2 prod\n\
         unassignment churn v0.0.2 prod\n"
    );
    assert_eq!(tags_at(&repo, &repo.path()), tags_at(&repo, &remote));
}

#[test]
fn a_failed_push_leaves_no_local_tag() {
    let repo = TestRepo::new();
    let remote = with_remote(&repo);
    repo.run(&["register", "churn", "--push"]).ok();
    write_hook(
        &remote,
        "pre-receive",
        "echo 'prod is frozen' >&2\nexit 1\n",
    );
    let run = repo.run(&["promote", "churn", "prod", "--push"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("error: The command `git push origin churn#prod#1` failed."),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("prod is frozen"),
        "git's own words are passed on: {}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("hint: the tag 'churn#prod#1' was not created locally either"),
        "{}",
        run.stderr
    );
    assert_eq!(tags_at(&repo, &repo.path()), vec!["churn@v0.0.1"]);
    assert_eq!(tags_at(&repo, &remote), vec!["churn@v0.0.1"]);
}

#[test]
fn push_plans_against_the_remotes_tags() {
    // A stale clone would compute v0.0.1 again; --push fetches first and computes v0.0.2.
    let repo = TestRepo::new();
    let remote = with_remote(&repo);
    let other = repo.path().parent().unwrap().join("other");
    git_in(
        &repo,
        repo.path().parent().unwrap(),
        &["clone", "-q", remote.to_str().unwrap(), "other"],
    );
    repo.run(&["register", "churn", "--push"]).ok();
    git_in(
        &repo,
        &other,
        &["commit", "-q", "--allow-empty", "-m", "other work"],
    );
    let run = repo.run(&["-C", other.to_str().unwrap(), "register", "churn", "--push"]);
    assert!(
        run.ok()
            .starts_with("Running `git push origin churn@v0.0.2`\nCreated git tag 'churn@v0.0.2' that registers version\n"),
        "{}",
        run.transcript()
    );
    // Without --push a write needs no remote, and tells how to push.
    let run = repo.run(&["register", "solo", "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    // With --push and no remote: a clear error, nothing written.
    let lone = TestRepo::new();
    lone.commit("c");
    insta::assert_snapshot!(lone.t(&["register", "m", "--push"]), @"
    $ registry register m --push
    --- stderr
    error: this repository has no remote 'origin' to push to
    hint: add one with `git remote add origin URL`, or leave out --push
    [exit 1]
    ");
    assert_eq!(lone.git(&["tag", "-l"]), "");
}

#[test]
fn delete_with_push_removes_the_remote_tag_first() {
    let repo = TestRepo::new();
    let remote = with_remote(&repo);
    repo.run(&["register", "churn", "--push"]).ok();
    insta::assert_snapshot!(repo.t(&["deregister", "churn", "v0.0.1", "--delete", "--push"]), @"
    $ registry deregister churn v0.0.1 --delete --push
    Running `git push --delete origin churn@v0.0.1`
    Deleted git tag 'churn@v0.0.1'
    Successfully deleted git tag churn@v0.0.1 on remote.
    [exit 0]
    ");
    assert!(tags_at(&repo, &remote).is_empty());
    assert!(tags_at(&repo, &repo.path()).is_empty());
}

/// Runs registry in the background (for the race).
fn spawn(repo: &TestRepo, args: &[&str]) -> std::process::Child {
    repo.command(&registry_bin(), &repo.path())
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: std::process::Child) -> Run {
    let out = child.wait_with_output().unwrap();
    Run {
        line: String::new(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

#[test]
fn two_writers_racing_for_one_version_exactly_one_wins() {
    let repo = TestRepo::new();
    let remote = with_remote(&repo);
    repo.run(&["register", "churn", "--push"]).ok();
    let base = repo.path().parent().unwrap().to_path_buf();
    for c in ["c1", "c2"] {
        git_in(&repo, &base, &["clone", "-q", remote.to_str().unwrap(), c]);
        git_in(
            &repo,
            &base.join(c),
            &["commit", "-q", "--allow-empty", "-m", c],
        );
        git_in(
            &repo,
            &base.join(c),
            &["push", "-q", "origin", &format!("HEAD:refs/heads/{c}")],
        );
    }
    // A barrier on the remote: both pushes wait until both have planned and arrived, so the race
    // is real every time instead of depending on scheduling. (Polling here is the barrier itself,
    // not a wait for time to pass.)
    let barrier = base.join("barrier");
    std::fs::create_dir(&barrier).unwrap();
    write_hook(
        &remote,
        "pre-receive",
        &format!(
            "touch '{b}/arrived.'$$\ni=0\nwhile [ ! -f '{b}/go' ]; do sleep 0.05; i=$((i+1)); [ $i -gt 600 ] && exit 1; done\nexit 0\n",
            b = barrier.display()
        ),
    );
    let c1 = base.join("c1");
    let c2 = base.join("c2");
    let a = spawn(
        &repo,
        &["-C", c1.to_str().unwrap(), "register", "churn", "--push"],
    );
    let b = spawn(
        &repo,
        &["-C", c2.to_str().unwrap(), "register", "churn", "--push"],
    );
    let start = Instant::now();
    while std::fs::read_dir(&barrier).unwrap().count() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "both writers should reach the remote"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::fs::write(barrier.join("go"), "").unwrap();
    let (a, b) = (finish(a), finish(b));
    let codes = [a.code, b.code];
    assert!(
        codes.contains(&0) && codes.contains(&1),
        "exactly one wins: {codes:?}\n{}\n{}",
        a.stderr,
        b.stderr
    );
    let loser = if a.code == 1 { &a } else { &b };
    assert!(
        loser
            .stderr
            .contains("error: The command `git push origin churn@v0.0.2` failed."),
        "{}",
        loser.stderr
    );
    assert!(
        loser.stderr.contains("was not created locally either"),
        "{}",
        loser.stderr
    );
    // Nobody holds a tag the remote lacks, and everybody sees the same registry.
    let remote_tags = tags_at(&repo, &remote);
    assert_eq!(remote_tags, vec!["churn@v0.0.1", "churn@v0.0.2"]);
    for dir in [&c1, &c2] {
        assert_eq!(tags_at(&repo, dir), remote_tags, "{}", dir.display());
    }
    std::fs::remove_file(remote.join("hooks/pre-receive")).unwrap();
    let show = |dir: &Path| {
        repo.run(&["-C", dir.to_str().unwrap(), "show", "churn", "--json"])
            .ok()
            .to_string()
    };
    assert_eq!(show(&c1), show(&remote));
    assert_eq!(show(&c2), show(&remote));
}

#[test]
fn reading_a_url_goes_through_a_cached_mirror() {
    let repo = TestRepo::new();
    let remote = with_remote(&repo);
    repo.run(&["register", "churn", "--push"]).ok();
    repo.run(&["promote", "churn", "prod", "--push"]).ok();
    let url = format!("file://{}", remote.display());
    let local = repo.run(&["show"]).ok().to_string();
    assert_eq!(repo.run(&["-C", &url, "show"]).ok(), local);
    let mirrors = repo.home().join(".cache/registry/mirrors");
    let entries: Vec<PathBuf> = std::fs::read_dir(&mirrors)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 1, "one mirror per URL");
    let mirror = entries[0].clone();
    assert!(
        mirror
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("remote.git-")
    );

    // Later calls fetch what changed (a new tag, a deleted tag).
    repo.commit("second");
    repo.git(&["push", "-q", "origin", "main"]);
    repo.run(&["register", "churn", "--push"]).ok();
    assert!(
        repo.run(&["-C", &url, "show", "churn"])
            .ok()
            .contains("v0.0.2")
    );
    repo.run(&["deregister", "churn", "v0.0.2", "--delete", "--push"])
        .ok();
    assert!(
        !repo
            .run(&["-C", &url, "show", "churn"])
            .ok()
            .contains("v0.0.2")
    );
    assert_eq!(
        repo.run(&["-C", &url, "check-ref", "churn#prod#1", "--version"])
            .ok(),
        "v0.0.1\n"
    );

    // The cache can be broken or removed at any time: it is rebuilt.
    std::fs::remove_file(mirror.join("HEAD")).unwrap();
    assert_eq!(repo.run(&["-C", &url, "show"]).ok(), local);
    std::fs::remove_dir_all(&mirrors).unwrap();
    assert_eq!(repo.run(&["-C", &url, "show"]).ok(), local);

    // Writing to a URL pushes.
    let run = repo.run(&["-C", &url, "register", "ranker"]);
    assert!(
        run.ok()
            .contains("Successfully pushed git tag ranker@v0.0.1 on remote."),
        "{}",
        run.transcript()
    );
    assert!(tags_at(&repo, &remote).contains(&"ranker@v0.0.1".to_string()));

    // An unreachable URL is a clear error.
    let run = repo.run(&["-C", "file:///nonexistent/models.git", "show"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .starts_with("error: cannot read the repository at 'file:///nonexistent/models.git'"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hint: check the URL"), "{}", run.stderr);
}

/// `show -C URL --at REV` resolves REV in the URL's mirror, the one repository the session
/// reads (it once tried to open the raw URL as a path, and found no `main` there).
#[test]
fn show_at_a_revision_of_a_url_resolves_it_in_the_mirror() {
    let repo = TestRepo::new();
    let remote = with_remote(&repo);
    repo.run(&["register", "churn", "--push"]).ok();
    repo.commit("second");
    repo.git(&["push", "-q", "origin", "main"]);
    // Tagged after main's last commit: not yet there at `--at main`.
    repo.run(&["register", "churn", "--push"]).ok();
    let url = format!("file://{}", remote.display());
    let local = repo
        .run(&["show", "churn", "--at", "main"])
        .ok()
        .to_string();
    assert!(
        local.contains("v0.0.1") && !local.contains("v0.0.2"),
        "{local}"
    );
    let run = repo.run(&["-C", &url, "show", "churn", "--at", "main"]);
    assert_eq!(run.ok(), local);
    let run = repo.run(&["-C", &url, "show", "--at", "no-such-branch"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .starts_with("error: --at 'no-such-branch' is neither a date nor a revision\n"),
        "{}",
        run.transcript()
    );
}
