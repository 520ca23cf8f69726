//! Fetching only what a command needs (issue 12, points 1 and 2): the `-C URL` mirror is a
//! blobless partial clone with packed refs, fetched incrementally; in any partial clone a
//! missing blob comes from the promisor remote in one batch; with no promisor remote, or past a
//! shallow clone's cut, a missing object is an error with the fetch that brings it, never empty
//! output with exit 0. The served repositories allow filters and objects by id, as GitHub and
//! GitLab do; the fetches a run starts are counted from git's own trace (`GIT_TRACE2_EVENT`).

use std::path::{Path, PathBuf};

pub(crate) use crate::fixture::git_in;
use crate::fixture::{Run, TestRepo, files_under};

/// A repository with `churn` registered twice (its description and model changing) and
/// pushed, with its tags, to a bare remote that serves partial clones. Returns the remote.
pub(crate) fn served(repo: &TestRepo) -> PathBuf {
    let parent = repo.path().parent().unwrap().to_path_buf();
    let remote = parent.join("served.git");
    git_in(
        repo,
        &parent,
        &["init", "-q", "--bare", "-b", "main", "served.git"],
    );
    // A commit below the first version: a shallow clone's walk must not need it.
    repo.write("README", "models\n");
    repo.commit("start");
    git_in(repo, &remote, &["config", "uploadpack.allowFilter", "true"]);
    git_in(
        repo,
        &remote,
        &["config", "uploadpack.allowAnySHA1InWant", "true"],
    );
    for (i, what) in ["first", "second"].iter().enumerate() {
        repo.write(
            "artifacts.yaml",
            &format!("churn:\n  type: model\n  path: models/churn.pkl\n  description: {what}\n"),
        );
        repo.write("models/churn.pkl", &format!("weights {i}\n").repeat(1000));
        repo.write("models/extra/a.bin", &format!("a{i}"));
        repo.commit(what);
        repo.run(&["register", "churn"]).ok();
    }
    repo.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main", "--tags"]);
    remote
}

/// Runs registry in `dir` with git's event trace on; returns the run and the git commands it
/// started at top level (`fetch`, `clone`, `ls-remote`…), in order.
pub(crate) fn traced(repo: &TestRepo, dir: &Path, args: &[&str]) -> (Run, Vec<String>) {
    let trace = repo.path().parent().unwrap().join("trace.json");
    let _ = std::fs::remove_file(&trace);
    let out = repo
        .command(&crate::fixture::registry_bin(), dir)
        .env("GIT_TRACE2_EVENT", &trace)
        .args(args)
        .output()
        .unwrap();
    let run = Run {
        line: format!("registry {}", args.join(" ")),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    };
    let events = std::fs::read_to_string(&trace).unwrap_or_default();
    let commands = events
        .lines()
        .filter(|l| l.contains(r#""event":"cmd_name""#))
        .filter_map(|l| {
            let h = l.split(r#""hierarchy":""#).nth(1)?;
            let h = &h[..h.find('"')?];
            (!h.contains('/')).then(|| h.to_string())
        })
        .collect();
    (run, commands)
}

/// `check-ref REF --format github` in `dir`: the run and what it wrote to `$GITHUB_OUTPUT`.
fn github_outputs(repo: &TestRepo, dir: &Path, reference: &str) -> (Run, String) {
    let out_file = dir.parent().unwrap().join("gh-out");
    std::fs::write(&out_file, "").unwrap();
    let dir = dir.to_str().unwrap();
    let run = repo.run_with(
        &["-C", dir, "check-ref", reference, "--format", "github"],
        |c| {
            c.env("GITHUB_OUTPUT", &out_file);
        },
    );
    let written = std::fs::read_to_string(&out_file).unwrap();
    (run, written)
}

pub(crate) fn count(commands: &[String], name: &str) -> usize {
    commands.iter().filter(|c| *c == name).count()
}

/// The blobs a repository lacks (what a partial clone left out), by git's own listing.
pub(crate) fn missing_blobs(repo: &TestRepo, git_dir: &Path) -> usize {
    git_in(
        repo,
        git_dir,
        &["rev-list", "--objects", "--all", "--missing=print"],
    )
    .lines()
    .filter(|l| l.starts_with('?'))
    .count()
}

pub(crate) fn the_mirror(repo: &TestRepo) -> PathBuf {
    let mirrors = repo.home().join(".cache/registry/mirrors");
    let found: Vec<PathBuf> = std::fs::read_dir(&mirrors)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

#[test]
fn the_url_mirror_is_a_blobless_clone_fetched_only_when_the_remote_changed() {
    let repo = TestRepo::new();
    let remote = served(&repo);
    let url = format!("file://{}", remote.display());
    let local_history = repo.run(&["history", "churn"]).ok().to_string();
    repo.git(&["push", "-q", "origin", "HEAD~1:refs/heads/feature"]);

    // First call: one blobless clone of the default branch and the tags, refs packed, no
    // model blob fetched.
    let (run, git) = traced(&repo, &repo.path(), &["-C", &url, "history", "churn"]);
    assert_eq!(run.ok(), local_history, "{}", run.transcript());
    assert_eq!(count(&git, "clone"), 1, "{git:?}");
    let mirror = the_mirror(&repo);
    assert_eq!(
        git_in(&repo, &mirror, &["config", "remote.origin.promisor"]),
        "true"
    );
    assert_eq!(
        git_in(
            &repo,
            &mirror,
            &["config", "remote.origin.partialclonefilter"]
        ),
        "blob:none"
    );
    assert!(
        files_under(&mirror.join("refs")).is_empty(),
        "{:?}",
        files_under(&mirror.join("refs"))
    );
    assert_eq!(
        git_in(
            &repo,
            &mirror,
            &["for-each-ref", "--format=%(refname)", "refs/heads"]
        ),
        "refs/heads/feature\nrefs/heads/main",
        "what the clone's one round trip brings"
    );
    let model = repo.git(&["rev-parse", "HEAD:models/churn.pkl"]);
    let listed = git_in(
        &repo,
        &mirror,
        &["rev-list", "--objects", "--all", "--missing=print"],
    );
    assert!(listed.contains(&format!("?{model}")), "{listed}");

    // Nothing changed: one ls-remote, no fetch.
    let (run, git) = traced(&repo, &repo.path(), &["-C", &url, "history", "churn"]);
    assert_eq!(run.ok(), local_history);
    assert_eq!(count(&git, "fetch") + count(&git, "clone"), 0, "{git:?}");
    assert_eq!(count(&git, "ls-remote"), 1, "{git:?}");

    // A new tag on the remote: fetched, refs packed again.
    repo.run(&["assign", "churn", "--stage", "prod", "--version", "v0.0.1"])
        .ok();
    repo.git(&["push", "-q", "origin", "--tags"]);
    let (run, git) = traced(&repo, &repo.path(), &["-C", &url, "show", "churn"]);
    assert!(run.ok().contains("prod"), "{}", run.transcript());
    assert_eq!(count(&git, "fetch"), 1, "{git:?}");
    assert_eq!(count(&git, "clone"), 0, "{git:?}");
    assert!(
        files_under(&mirror.join("refs")).is_empty(),
        "{:?}",
        files_under(&mirror.join("refs"))
    );

    // A tag deleted on the remote is gone from the mirror.
    git_in(&repo, &remote, &["tag", "-d", "churn#prod#1"]);
    let run = repo.run(&["-C", &url, "show", "churn"]);
    assert!(!run.ok().contains("prod"), "{}", run.transcript());
    assert_eq!(
        git_in(&repo, &mirror, &["tag", "-l", "churn#*"]),
        "",
        "the deleted tag is pruned"
    );
}

#[test]
fn blobs_a_command_needs_later_come_in_one_batch() {
    let repo = TestRepo::new();
    let remote = served(&repo);
    let url = format!("file://{}", remote.display());
    let local = repo
        .run(&["check-ref", "churn@v0.0.1", "--json"])
        .ok()
        .to_string();
    let local_diff = repo
        .run(&["diff", "churn", "v0.0.1", "v0.0.2"])
        .ok()
        .to_string();
    repo.run(&["-C", &url, "show"]).ok();
    let mirror = the_mirror(&repo);
    let before = missing_blobs(&repo, &mirror);

    // The older version's declaration: fetched (one fetch), read, and the same as local.
    let (run, git) = traced(
        &repo,
        &repo.path(),
        &["-C", &url, "check-ref", "churn@v0.0.1", "--json"],
    );
    assert_eq!(run.ok(), local, "{}", run.transcript());
    assert!(
        run.stdout.contains(r#""description": "first""#),
        "{}",
        run.stdout
    );
    assert_eq!(count(&git, "fetch"), 1, "{git:?}");
    assert!(missing_blobs(&repo, &mirror) < before);

    // diff reads two commits' declarations and the history between: one batch at most.
    let (run, git) = traced(
        &repo,
        &repo.path(),
        &["-C", &url, "diff", "churn", "v0.0.1", "v0.0.2"],
    );
    assert_eq!(run.ok(), local_diff, "{}", run.transcript());
    assert!(count(&git, "fetch") <= 1, "{git:?}");
    // Read again: everything is there now, nothing is fetched.
    let (run, git) = traced(
        &repo,
        &repo.path(),
        &["-C", &url, "diff", "churn", "v0.0.1", "v0.0.2"],
    );
    assert_eq!(run.ok(), local_diff);
    assert_eq!(count(&git, "fetch"), 0, "{git:?}");
}

/// A CI checkout: a blobless clone with every tag. Reads of an older version fetch its files
/// through the promisor remote instead of failing, and agree with the full repository.
#[test]
fn a_blobless_ci_checkout_reads_older_versions_as_a_full_clone_does() {
    let repo = TestRepo::new();
    let remote = served(&repo);
    let parent = repo.path().parent().unwrap().to_path_buf();
    let url = format!("file://{}", remote.display());
    git_in(
        &repo,
        &parent,
        &["clone", "-q", "--filter=blob:none", &url, "ci"],
    );
    let ci = parent.join("ci");
    git_in(&repo, &ci, &["fetch", "-q", "--force", "--tags"]);
    assert!(missing_blobs(&repo, &ci) > 0, "the clone is partial");
    for args in [
        &["check-ref", "churn@v0.0.1", "--json"][..],
        &["describe", "churn@v0.0.1"],
        &["diff", "churn", "v0.0.1", "v0.0.2"],
        &["doctor"],
    ] {
        let full = repo.run(args);
        let (run, git) = traced(&repo, &ci, args);
        assert_eq!(
            run.code,
            full.code,
            "{}\n{}",
            run.transcript(),
            full.transcript()
        );
        assert_eq!(run.stdout, full.stdout, "{}", run.transcript());
        assert!(count(&git, "fetch") <= 1, "{args:?}: {git:?}");
    }
    // check-ref --format github writes the older version's fields, not empty ones.
    let (run, written) = github_outputs(&repo, &ci, "churn@v0.0.1");
    assert_eq!(run.code, 0, "{}", run.transcript());
    for value in ["model", "models/churn.pkl", "first"] {
        assert!(
            written.contains(&format!("\n{value}\n")),
            "{value}: {written}"
        );
    }
}

/// No promisor remote to fetch from: the missing blob is an error naming it, with the fetch
/// that brings it, and nothing is written; a promisor that cannot be reached says so too.
#[test]
fn a_missing_object_without_a_way_to_fetch_it_is_an_error_never_empty_output() {
    let repo = TestRepo::new();
    let remote = served(&repo);
    let parent = repo.path().parent().unwrap().to_path_buf();
    let url = format!("file://{}", remote.display());
    git_in(
        &repo,
        &parent,
        &["clone", "-q", "--filter=blob:none", &url, "ci"],
    );
    let ci = parent.join("ci");
    git_in(&repo, &ci, &["config", "--unset", "remote.origin.promisor"]);
    let _ = repo
        .command(Path::new("git"), &ci)
        .args(["config", "--unset", "extensions.partialclone"])
        .output();
    let (run, written) = github_outputs(&repo, &ci, "churn@v0.0.1");
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("is not in the repository"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("git fetch --filter=blob:none --tags origin"),
        "{}",
        run.stderr
    );
    assert_eq!(written, "", "no outputs");
    for args in [
        &["describe", "churn@v0.0.1"][..],
        &["diff", "churn", "v0.0.1", "v0.0.2"],
    ] {
        let mut full = vec!["-C", ci.to_str().unwrap()];
        full.extend_from_slice(args);
        let run = repo.run(&full);
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(
            run.stderr.contains("is not in the repository"),
            "{}",
            run.stderr
        );
    }

    // A promisor remote that is gone: git's reason, and exit 1.
    git_in(&repo, &ci, &["config", "remote.origin.promisor", "true"]);
    std::fs::rename(&remote, parent.join("moved.git")).unwrap();
    let run = repo.run(&["-C", ci.to_str().unwrap(), "describe", "churn@v0.0.1"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("cannot fetch object")
            && run.stderr.contains("promisor remote 'origin'"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

/// `git clone --depth 1` then `git fetch --tags`: the tags' commits are there, so reads agree
/// with the full clone; a walk past the cut follows the commits' recorded parents where they
/// are here, and where they are not it fails naming the shallow clone, never listing too few.
#[test]
fn a_shallow_ci_checkout_with_tags_reads_right_or_names_the_cut() {
    let repo = TestRepo::new();
    let remote = served(&repo);
    // Two more commits and a third version, so the shallow tip's parents are not all tagged.
    for i in 0..2 {
        repo.write("notes.txt", &format!("{i}"));
        repo.commit(&format!("work {i}"));
    }
    repo.run(&["register", "churn"]).ok();
    repo.git(&["push", "-q", "origin", "main", "--tags"]);
    let parent = repo.path().parent().unwrap().to_path_buf();
    let url = format!("file://{}", remote.display());
    git_in(&repo, &parent, &["clone", "-q", "--depth", "1", &url, "ci"]);
    let ci = parent.join("ci");
    let ci_arg = ci.to_str().unwrap().to_string();
    // Tags pointing at the cut-off commits: what `git fetch --tags` does in a shallow clone.
    git_in(&repo, &ci, &["fetch", "-q", "--depth", "1", "--tags"]);
    assert!(ci.join(".git/shallow").is_file());
    for args in [
        &["check-ref", "churn@v0.0.1", "--json"][..],
        &["describe", "churn@v0.0.2"],
    ] {
        let full = repo.run(args);
        let mut with_c = vec!["-C", ci_arg.as_str()];
        with_c.extend_from_slice(args);
        assert_eq!(repo.run(&with_c).ok(), full.ok());
    }
    // v0.0.1 -> v0.0.2: both cut commits are here; the commit below v0.0.1 is not needed.
    assert_eq!(
        repo.run(&["-C", &ci_arg, "diff", "churn", "v0.0.1", "v0.0.2"])
            .ok(),
        repo.run(&["diff", "churn", "v0.0.1", "v0.0.2"]).ok()
    );
    // v0.0.2 -> v0.0.3 crosses commits this clone does not have.
    let run = repo.run(&["-C", &ci_arg, "diff", "churn", "v0.0.2", "v0.0.3"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("is not in the repository"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("shallow clone"), "{}", run.stderr);
    assert!(
        run.stderr.contains("git fetch --unshallow --tags origin"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
    // Unshallowed, the same diff lists what the full repository lists.
    git_in(&repo, &ci, &["fetch", "-q", "--unshallow", "--tags"]);
    assert_eq!(
        repo.run(&["-C", &ci_arg, "diff", "churn", "v0.0.2", "v0.0.3"])
            .ok(),
        repo.run(&["diff", "churn", "v0.0.2", "v0.0.3"]).ok()
    );
}
