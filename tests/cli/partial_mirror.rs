//! The `-C URL` mirror and partial clones against hostile caches and tired operators (review of
//! issue 12): a cache entry of another URL or a link, a killed first call (its lock and its
//! temporary clone), git's reftable default, a hook's `GIT_OBJECT_DIRECTORY`, a server's
//! pull-request refs, a treeless clone, and an older git's `extensions.partialClone`.

use crate::fixture::{TestRepo, files_under};
use crate::partial_clones::{count, git_in, served, the_mirror, traced};

#[test]
fn a_cache_entry_of_another_url_or_a_link_is_rebuilt_never_answered_from() {
    let repo = TestRepo::new();
    let remote = served(&repo);
    let parent = repo.path().parent().unwrap().to_path_buf();
    let url = format!("file://{}", remote.display());
    let local = repo.run(&["show", "churn"]).ok().to_string();
    repo.run(&["-C", &url, "show", "churn"]).ok();
    let mirror = the_mirror(&repo);
    // Another repository's mirror put in this URL's place (a CI cache restored from another
    // job): its origin is not this URL.
    let other = TestRepo::new();
    other.commit("other");
    other.run(&["register", "ranker"]).ok();
    std::fs::remove_dir_all(&mirror).unwrap();
    git_in(
        &repo,
        &parent,
        &[
            "clone",
            "-q",
            "--bare",
            "--filter=blob:none",
            other.path().to_str().unwrap(),
            mirror.to_str().unwrap(),
        ],
    );
    let run = repo.run(&["-C", &url, "show", "churn"]);
    assert_eq!(run.ok(), local, "{}", run.transcript());
    // A link to another entry: removed (not followed), the mirror made again.
    let elsewhere = parent.join("elsewhere.git");
    std::fs::rename(&mirror, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &mirror).unwrap();
    assert_eq!(repo.run(&["-C", &url, "show", "churn"]).ok(), local);
    assert!(std::fs::symlink_metadata(&mirror).unwrap().is_dir());
    assert!(
        elsewhere.join("HEAD").is_file(),
        "the link's target is left alone"
    );
}

#[test]
fn a_killed_first_call_leaves_nothing_that_blocks_the_next() {
    let repo = TestRepo::new();
    let remote = served(&repo);
    let url = format!("file://{}", remote.display());
    repo.run(&["-C", &url, "show"]).ok();
    let mirror = the_mirror(&repo);
    let root = mirror.parent().unwrap().to_path_buf();
    let name = mirror.file_name().unwrap().to_str().unwrap().to_string();
    std::fs::remove_dir_all(&mirror).unwrap();
    // What a SIGKILLed first call leaves: its lock (a pid that is gone) and its clone.
    let lock = root.join(format!("{name}.lock"));
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap_or_default()
        .trim()
        .to_string();
    std::fs::write(
        &lock,
        format!("pid 4194301\nhost {host}\ntime 1\ncommand registry\n"),
    )
    .unwrap();
    let tmp = root.join(format!(".{name}.tmp-4194301"));
    std::fs::create_dir_all(tmp.join("objects")).unwrap();
    let run = repo.run(&["-C", &url, "show", "churn"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("v0.0.2"), "{}", run.stdout);
    assert!(!tmp.exists(), "the stale temporary clone is removed");
    assert!(!lock.exists(), "the lock is released");
}

#[test]
fn the_mirror_is_made_in_the_files_format_and_outside_a_hooks_repository() {
    let repo = TestRepo::new();
    let remote = served(&repo);
    let parent = repo.path().parent().unwrap().to_path_buf();
    let url = format!("file://{}", remote.display());
    let local = repo.run(&["show", "churn"]).ok().to_string();
    // git's default ref format set to reftable (git 3.0's plan): the mirror still opens.
    let run = repo.run_with(&["-C", &url, "show", "churn"], |c| {
        c.env("GIT_DEFAULT_REF_FORMAT", "reftable");
    });
    assert_eq!(run.ok(), local, "{}", run.transcript());
    let (run, git) = traced(&repo, &repo.path(), &["-C", &url, "show", "churn"]);
    assert_eq!(run.ok(), local);
    assert_eq!(count(&git, "clone"), 0, "made once: {git:?}");
    // Run from a hook whose git points objects elsewhere: nothing is written there.
    std::fs::remove_dir_all(the_mirror(&repo)).unwrap();
    git_in(&repo, &parent, &["init", "-q", "--bare", "hooked.git"]);
    let objects = parent.join("hooked.git/objects");
    let run = repo.run_with(&["-C", &url, "show", "churn"], |c| {
        c.env("GIT_OBJECT_DIRECTORY", &objects);
    });
    assert_eq!(run.ok(), local, "{}", run.transcript());
    let written = files_under(&objects);
    assert!(written.is_empty(), "{written:?}");
}

/// A warm call asks the server for branches and tags only: the refs GitHub and GitLab keep per
/// pull or merge request are not listed on every call.
#[test]
fn a_warm_call_lists_only_branches_and_tags() {
    let repo = TestRepo::new();
    let remote = served(&repo);
    let url = format!("file://{}", remote.display());
    let head = repo.git(&["rev-parse", "HEAD"]);
    for i in 0..50 {
        git_in(
            &repo,
            &remote,
            &["update-ref", &format!("refs/pull/{i}/head"), &head],
        );
    }
    repo.run(&["-C", &url, "show"]).ok();
    let packets = repo.path().parent().unwrap().join("packets");
    let run = repo.run_with(&["-C", &url, "show"], |c| {
        c.env("GIT_TRACE_PACKET", &packets);
    });
    assert_eq!(run.code, 0, "{}", run.transcript());
    let trace = std::fs::read_to_string(&packets).unwrap();
    assert!(trace.contains("ref-prefix refs/tags/"), "{trace}");
    assert!(!trace.contains("refs/pull/"), "{trace}");
}

/// A treeless clone (`--filter=tree:0`): the trees a diff compares come in one batch, not one
/// fetch per commit; an older git's `extensions.partialClone` is named with the fix.
#[test]
fn a_treeless_clone_batches_its_trees_and_an_old_partial_clone_mark_is_named() {
    let repo = TestRepo::new();
    let remote = served(&repo);
    for i in 0..12 {
        repo.write(&format!("d{i}/f"), &format!("{i}"));
        repo.commit(&format!("n{i}"));
    }
    repo.write("models/churn.pkl", "weights 3\n");
    repo.commit("third");
    repo.run(&["register", "churn"]).ok();
    repo.git(&["push", "-q", "origin", "main", "--tags"]);
    let parent = repo.path().parent().unwrap().to_path_buf();
    let url = format!("file://{}", remote.display());
    git_in(
        &repo,
        &parent,
        &[
            "clone",
            "-q",
            "--filter=tree:0",
            "--no-checkout",
            &url,
            "tl",
        ],
    );
    let tl = parent.join("tl");
    let full = repo
        .run(&["diff", "churn", "v0.0.2", "v0.0.3"])
        .ok()
        .to_string();
    let (run, git) = traced(&repo, &tl, &["diff", "churn", "v0.0.2", "v0.0.3"]);
    assert_eq!(run.ok(), full, "{}", run.transcript());
    assert!(count(&git, "fetch") <= 3, "{git:?}");

    git_in(&repo, &tl, &["config", "extensions.partialClone", "origin"]);
    let run = repo.run(&["-C", tl.to_str().unwrap(), "show"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("uses the repository extension 'extensions.partialclone'"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("git config remote.origin.promisor true"),
        "{}",
        run.stderr
    );
}
