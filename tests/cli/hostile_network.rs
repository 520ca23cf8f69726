//! Hostile and interrupted network work (issue 8, points 7, 12 and 1): a `--push` killed while
//! the remote holds it never leaves a local tag the remote lacks; git runs with only the
//! documented protocols (`ext::` refused whatever the user's config says); `-C` takes only the
//! URL forms the README lists (`fd::17` is a usage error, not a hang); credentials in a URL are
//! refused and never echoed; a refused tag fetch shows git's reason. Every run is bounded.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::concurrent::{finish_within, fsck, spawn, spawn_with};
use crate::fixture::{Run, TestRepo};

const BOUND: Duration = Duration::from_mins(1);

/// A bare remote beside the repository, with `main` pushed and set as `origin`.
fn with_remote(repo: &TestRepo) -> PathBuf {
    let remote = repo.path().parent().unwrap().join("remote.git");
    repo.git(&[
        "init",
        "-q",
        "--bare",
        "-b",
        "main",
        remote.to_str().unwrap(),
    ]);
    repo.commit("first");
    repo.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main"]);
    remote
}

fn tags_at(repo: &TestRepo, git_dir: &Path) -> Vec<String> {
    let out = repo
        .command(Path::new("git"), git_dir)
        .args(["tag", "-l"])
        .output()
        .unwrap();
    let mut tags: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    tags.sort();
    tags
}

fn write_hook(remote: &Path, name: &str, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = remote.join("hooks").join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Waits (bounded) until `path` exists.
fn wait_for(path: &Path) {
    let start = Instant::now();
    while !path.exists() {
        assert!(start.elapsed() < BOUND, "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs `registry ARGS` bounded, with extra environment.
fn run_bounded(
    repo: &TestRepo,
    args: &[&str],
    tweak: impl FnOnce(&mut std::process::Command),
) -> Run {
    let child = spawn_with(repo, args, tweak);
    finish_within(child, BOUND, &format!("registry {}", args.join(" ")))
}

/// A `register churn --push` killed by `signal` while the remote's pre-receive hook holds it;
/// then the hook lets the orphaned push end with `exit HOOK_EXIT`. Returns the paths.
fn kill_a_push(repo: &TestRepo, remote: &Path, signal: &str, hook_exit: i32) {
    let gate = repo.path().parent().unwrap().join("gate");
    std::fs::create_dir_all(&gate).unwrap();
    write_hook(
        remote,
        "pre-receive",
        &format!(
            "g='{g}'\ntouch \"$g/entered\"\ni=0\nwhile [ ! -f \"$g/release\" ]; do sleep 0.05; i=$((i+1)); [ $i -gt 1200 ] && break; done\ntouch \"$g/done\"\nexit {hook_exit}\n",
            g = gate.display()
        ),
    );
    let writer = spawn(repo, &["register", "churn", "--push"]);
    wait_for(&gate.join("entered"));
    let killed = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &writer.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let run = finish_within(writer, BOUND, "registry register churn --push");
    // The writer dies of the signal (SIGTERM too, once its handler has removed the lock): no
    // exit code at all, which `Run` shows as -1.
    assert_eq!(run.code, -1, "the writer was killed: {}", run.transcript());
    // While the remote still holds the push: no local tag the remote lacks.
    assert_eq!(tags_at(repo, &repo.path()), vec!["churn@v0.0.1"]);
    // Let the orphaned `git push` end the way the test chose, and wait for it.
    std::fs::write(gate.join("release"), "").unwrap();
    wait_for(&gate.join("done"));
    std::fs::remove_file(remote.join("hooks/pre-receive")).unwrap();
    // Give the receiving side time to finish its ref update once its hook is done.
    let start = Instant::now();
    while hook_exit == 0 && !tags_at(repo, remote).contains(&"churn@v0.0.2".to_string()) {
        assert!(start.elapsed() < BOUND, "the remote never got the tag");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sigterm_during_push_leaves_no_local_tag_and_no_lock() {
    let repo = TestRepo::new();
    let remote = with_remote(&repo);
    repo.run(&["register", "churn", "--push"]).ok();
    repo.commit("second");
    repo.git(&["push", "-q", "origin", "main"]);
    // The remote refuses the interrupted push in the end: nobody has v0.0.2.
    kill_a_push(&repo, &remote, "TERM", 1);
    assert_eq!(tags_at(&repo, &remote), vec!["churn@v0.0.1"]);
    assert!(
        !repo.path().join(".git/registry.lock").exists(),
        "SIGTERM removes the writers' lock on the way out"
    );
    // The next write takes the version the interrupted one did not get: none is skipped.
    let run = run_bounded(&repo, &["register", "churn", "--push"], |_| {});
    assert!(
        run.ok()
            .starts_with("Running `git push origin churn@v0.0.2`\nCreated git tag 'churn@v0.0.2' that registers version"),
        "{}",
        run.transcript()
    );
    assert_eq!(tags_at(&repo, &repo.path()), tags_at(&repo, &remote));
    fsck(&repo, &repo.path());
    fsck(&repo, &remote);
}

#[test]
fn sigkill_during_push_leaves_no_local_tag_and_a_named_lock() {
    let repo = TestRepo::new();
    let remote = with_remote(&repo);
    repo.run(&["register", "churn", "--push"]).ok();
    repo.commit("second");
    repo.git(&["push", "-q", "origin", "main"]);
    // The remote accepts the orphaned push after the writer died: the remote is ahead, which a
    // fetch repairs; the local side never is.
    kill_a_push(&repo, &remote, "KILL", 0);
    assert_eq!(
        tags_at(&repo, &remote),
        vec!["churn@v0.0.1", "churn@v0.0.2"]
    );
    assert_eq!(tags_at(&repo, &repo.path()), vec!["churn@v0.0.1"]);
    // SIGKILL cannot be caught: the lock stays, and the next writer names it.
    let lock = repo.path().join(".git/registry.lock");
    assert!(lock.exists());
    let run = run_bounded(&repo, &["register", "churn", "--push"], |c| {
        c.env("REGISTRY_LOCK_TIMEOUT", "0.5");
    });
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains(&format!(
            "if no registry process is running, remove {}",
            lock.display()
        )),
        "{}",
        run.stderr
    );
    std::fs::remove_file(&lock).unwrap();
    // The next write fetches v0.0.2 and takes v0.0.3 for the new commit.
    repo.commit("third");
    repo.git(&["push", "-q", "origin", "main"]);
    let run = run_bounded(&repo, &["register", "churn", "--push"], |_| {});
    assert!(
        run.ok()
            .starts_with("Running `git push origin churn@v0.0.3`\nCreated git tag 'churn@v0.0.3' that registers version"),
        "{}",
        run.transcript()
    );
    assert_eq!(tags_at(&repo, &repo.path()), tags_at(&repo, &remote));
    fsck(&repo, &repo.path());
    fsck(&repo, &remote);
}

#[test]
fn ext_urls_stay_refused_even_when_git_config_allows_them() {
    let repo = TestRepo::new();
    repo.commit("first");
    let base = repo.path().parent().unwrap().to_path_buf();
    let marker = base.join("pwned");
    let config = base.join("gitconfig");
    std::fs::write(
        &config,
        "[protocol \"ext\"]\n\tallow = always\n[protocol]\n\tallow = always\n",
    )
    .unwrap();
    let ext = format!("ext::sh -c touch% {}", marker.display());
    repo.git(&["remote", "add", "origin", &ext]);
    let allow = |c: &mut std::process::Command| {
        c.env("GIT_CONFIG_GLOBAL", &config);
    };
    let run = run_bounded(&repo, &["register", "churn", "--push"], allow);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("transport 'ext' not allowed"),
        "git's reason: {}",
        run.stderr
    );
    assert!(!marker.exists(), "the ext:: command ran");
    assert_eq!(repo.git(&["tag", "-l"]), "");

    // As -C: a usage error naming the value, before git is asked.
    let run = run_bounded(&repo, &["-C", &ext, "show"], allow);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains(&format!("-C '{ext}'")),
        "{}",
        run.stderr
    );
    assert!(!marker.exists());
}

#[test]
fn only_the_documented_url_forms_are_accepted() {
    let repo = TestRepo::new();
    repo.commit("first");
    for value in [
        "fd::17",
        "ext::true",
        "http://127.0.0.1:1/x.git",
        "foo://host/x",
        "--upload-pack=x:y",
    ] {
        let run = run_bounded(&repo, &[&format!("--repo={value}"), "show"], |_| {});
        assert_eq!(run.code, 2, "{}", run.transcript());
        assert!(
            run.stderr.starts_with(&format!(
                "error: -C '{value}' is neither a local repository nor a supported URL"
            )),
            "{}",
            run.stderr
        );
    }
    assert!(
        !repo.home().join(".cache/registry/mirrors").exists(),
        "nothing was cached"
    );
}

#[test]
fn credentials_in_a_url_are_never_stored_or_echoed() {
    let repo = TestRepo::new();
    let remote = with_remote(&repo);
    let secret = "s3cr3t-t0ken";
    // -C URL with credentials: refused, redacted, nothing stored.
    let url = format!("https://ada:{secret}@127.0.0.1:1/models.git");
    let run = run_bounded(&repo, &["-C", &url, "show"], |_| {});
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(!run.stderr.contains(secret), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the URL 'https://***@127.0.0.1:1/models.git' carries credentials"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("credential helper"), "{}", run.stderr);
    let cache = repo.home().join(".cache/registry/mirrors");
    assert!(!cache.exists(), "nothing was cached");
    // A token as the user part, git's favourite way of passing one, too.
    let run = run_bounded(
        &repo,
        &["-C", &format!("https://{secret}@127.0.0.1:1/m.git"), "show"],
        |_| {},
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(!run.stderr.contains(secret), "{}", run.stderr);

    // A clone whose origin carries them (the user's choice): errors never show them.
    repo.git(&["remote", "set-url", "origin", &url]);
    let run = run_bounded(&repo, &["register", "churn", "--push"], |_| {});
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(!run.stderr.contains(secret), "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot fetch the tags of 'origin'"),
        "{}",
        run.stderr
    );
    assert_eq!(tags_at(&repo, &remote), Vec::<String>::new());
}

#[test]
fn a_fetch_refused_for_a_clobbered_tag_shows_gits_reason() {
    let repo = TestRepo::new();
    let remote = with_remote(&repo);
    repo.run(&["register", "churn", "--push"]).ok();
    // The local tag and the remote's of the same name drift apart.
    repo.git(&["tag", "-d", "churn@v0.0.1"]);
    repo.commit("second");
    repo.git(&["tag", "-a", "-m", "other", "churn@v0.0.1"]);
    let run = run_bounded(&repo, &["register", "churn", "--push"], |_| {});
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("would clobber existing tag"),
        "git's reason, not an empty one: {}",
        run.stderr
    );
    assert_eq!(tags_at(&repo, &remote), vec!["churn@v0.0.1"]);
    fsck(&repo, &repo.path());
}
