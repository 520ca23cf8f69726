//! Hostile repositories and CI: what a pushed tag, a committed file or a special file can do to
//! `check-ref` and the writers (issue 8; red-team findings F2, F5, F6, F11, F15, F16, F17).
//! Every run that could hang runs with a timeout, so a hang fails the test instead of blocking CI.

use std::path::Path;
use std::process::Command;

use crate::fixture::{TestRepo, run_timed, run_timed_with};

fn mkfifo(path: &Path) {
    let out = Command::new("mkfifo")
        .arg(path)
        .output()
        .expect("mkfifo runs");
    assert!(out.status.success(), "{out:?}");
}

/// `churn` registered on main.
fn registered() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("models/churn.pkl", "weights\n");
    repo.write(
        "artifacts.yaml",
        "churn:\n  type: model\n  path: models/churn.pkl\n  description: Churn model\n",
    );
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo
}

// --- F2: the policy comes from the default branch, not from the pushed tag's commit ------------

/// The red team's bypass: main has a policy; a branch drops it in its own commit, registers and
/// promotes straight to prod. A CI checkout of that tag (detached at the tag's commit) passed.
pub(crate) fn policy_bypass() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("m.bin", "a\n");
    repo.write("artifacts.yaml", "churn:\n  path: m.bin\n");
    repo.write(
        ".registry.yaml",
        "stages: [dev, staging, prod]\npromotion_order: [dev, staging, prod]\nrequire_digest: true\n",
    );
    repo.commit("policy");
    repo.run(&["register", "churn"]).ok();
    repo.git(&["checkout", "-q", "-b", "evil"]);
    repo.git(&["rm", "-q", ".registry.yaml"]);
    repo.write("m.bin", "b\n");
    repo.commit("drop the policy");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["promote", "churn", "prod"]).ok();
    repo
}

pub(crate) const BROKEN: &str =
    "policy: 'churn#prod#1' gives prod to churn v0.0.2, which never held staging before";

#[test]
fn check_ref_policy_never_trusts_the_tags_own_commit() {
    let repo = policy_bypass();
    // What `actions/checkout` of the tag gives: HEAD detached at the tag's commit, whose
    // work tree has no policy, and no branch fetched.
    repo.git(&["checkout", "-q", "--detach", "churn#prod#1"]);
    let run = run_timed(&repo, &["check-ref", "refs/tags/churn#prod#1", "--policy"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("found no branch to read the policy from")
            && run.stderr.contains("--policy-ref origin/main"),
        "{}",
        run.transcript()
    );
    assert!(run.stdout.is_empty(), "{}", run.transcript());

    // Naming the trusted branch, the tag is rejected.
    let run = run_timed(
        &repo,
        &[
            "check-ref",
            "refs/tags/churn#prod#1",
            "--policy",
            "--policy-from",
            "main",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains(BROKEN), "{}", run.transcript());

    // A fetched origin/main is not guessed to be the default branch (where it is called
    // `trunk`, whoever can push a branch named `main` would pick the policy), and a direct
    // ref named origin/HEAD (what a pushed branch named `HEAD` becomes) is not origin's HEAD.
    repo.git(&["update-ref", "refs/remotes/origin/main", "main"]);
    repo.git(&["update-ref", "refs/remotes/origin/HEAD", "evil"]);
    let run = run_timed(&repo, &["check-ref", "refs/tags/churn#prod#1", "--policy"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("found no branch to read the policy from"),
        "{}",
        run.transcript()
    );
    repo.git(&["update-ref", "-d", "refs/remotes/origin/HEAD"]);
    // origin's HEAD as `git clone` or `git remote set-head` records it (a symbolic ref) counts.
    repo.git(&["update-ref", "refs/remotes/origin/trunk", "main"]);
    repo.git(&["update-ref", "refs/remotes/origin/main", "evil"]);
    repo.git(&[
        "symbolic-ref",
        "refs/remotes/origin/HEAD",
        "refs/remotes/origin/trunk",
    ]);
    let run = run_timed(&repo, &["check-ref", "refs/tags/churn#prod#1", "--policy"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains(BROKEN), "{}", run.transcript());

    // A pushed tag named like the branch does not stand in for it (git itself would prefer
    // the tag to `refs/remotes/origin/main`), and a name that is only a tag is refused.
    repo.git(&["update-ref", "refs/remotes/origin/main", "main"]);
    repo.git(&["tag", "-a", "-m", "x", "origin/main", "evil"]);
    repo.git(&["tag", "-a", "-m", "x", "origin/trusted", "evil"]);
    let run = run_timed(
        &repo,
        &[
            "check-ref",
            "churn#prod#1",
            "--policy",
            "--policy-from",
            "origin/main",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains(BROKEN), "{}", run.transcript());
    let run = run_timed(
        &repo,
        &[
            "check-ref",
            "churn#prod#1",
            "--policy",
            "--policy-from",
            "origin/trusted",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("--policy-ref 'origin/trusted' names a tag, not a branch"),
        "{}",
        run.transcript()
    );

    // An unknown --policy-from is an error naming it. Without --policy it only says where the
    // allowed signers of --json's signature status come from, so it is accepted.
    let run = run_timed(
        &repo,
        &[
            "check-ref",
            "churn#prod#1",
            "--policy",
            "--policy-from",
            "nope",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("'nope'"), "{}", run.transcript());
    let run = run_timed(
        &repo,
        &["check-ref", "churn#prod#1", "--policy-from", "main"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
}

#[test]
fn check_ref_policy_on_a_branch_reads_that_branch() {
    // A developer's own checkout on main (no origin): main's committed policy holds, whatever
    // the work tree of another commit says.
    let repo = policy_bypass();
    repo.git(&["checkout", "-q", "main"]);
    let run = run_timed(&repo, &["check-ref", "churn#prod#1", "--policy"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains(BROKEN), "{}", run.transcript());
    // A policy the default branch does not have does not hold: the tag passes there.
    let run = run_timed(
        &repo,
        &[
            "check-ref",
            "churn#prod#1",
            "--policy",
            "--policy-from",
            "evil",
            "--event",
        ],
    );
    assert_eq!(run.stdout, "assignment\n", "{}", run.transcript());
}

// --- F5: a committed registry.env symlink is replaced, never followed --------------------------

#[test]
fn gitlab_report_replaces_a_committed_symlink_and_leaves_its_target_alone() {
    let repo = registered();
    let victim = repo.home().join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    std::os::unix::fs::symlink(&victim, repo.path().join("registry.env")).unwrap();
    repo.git(&["add", "registry.env"]);
    repo.commit("a link");
    let run = run_timed(&repo, &["check-ref", "churn@v0.0.1", "--format", "gitlab"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    let report = repo.path().join("registry.env");
    assert!(report.symlink_metadata().unwrap().is_file());
    assert!(
        std::fs::read_to_string(&report)
            .unwrap()
            .starts_with("name=churn\nversion=v0.0.1\n"),
    );
    // No temporary file is left beside it.
    let left: Vec<_> = std::fs::read_dir(repo.path())
        .unwrap()
        .filter_map(std::result::Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn gitlab_report_refuses_a_fifo_or_a_directory_in_its_place() {
    let repo = registered();
    let fifo = repo.home().join("fifo.env");
    mkfifo(&fifo);
    let dir = repo.home().join("dir.env");
    std::fs::create_dir(&dir).unwrap();
    for (target, kind) in [(&fifo, "a FIFO (named pipe)"), (&dir, "a directory")] {
        let out = target.to_str().unwrap();
        let run = run_timed(
            &repo,
            &[
                "check-ref",
                "churn@v0.0.1",
                "--format",
                "gitlab",
                "--output",
                out,
            ],
        );
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(
            run.stderr.contains(&format!(
                "{out} is {kind}, not a regular file: refusing to replace it"
            )),
            "{}",
            run.transcript()
        );
        assert!(run.stdout.is_empty(), "{}", run.transcript());
    }
    assert!(std::fs::read_dir(&dir).unwrap().next().is_none());
}

// --- F6: $GITHUB_OUTPUT and registry.lock as FIFOs or endless files ---------------------------

#[test]
fn github_output_must_be_a_regular_file() {
    let repo = registered();
    let fifo = repo.home().join("github_output");
    mkfifo(&fifo);
    for target in [fifo.as_path(), Path::new("/dev/zero")] {
        let run = run_timed_with(
            &repo,
            &["check-ref", "churn@v0.0.1", "--format", "github"],
            |c| {
                c.env("GITHUB_OUTPUT", target);
            },
        );
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(
            run.stderr
                .contains(&format!("$GITHUB_OUTPUT ({})", target.display()))
                && run.stderr.contains("not a regular file"),
            "{}",
            run.transcript()
        );
        assert!(run.stdout.is_empty(), "{}", run.transcript());
    }
    // A regular file is appended to, as before.
    let file = repo.home().join("out");
    std::fs::write(&file, "earlier=1\n").unwrap();
    let run = run_timed_with(
        &repo,
        &["check-ref", "churn@v0.0.1", "--format", "github"],
        |c| {
            c.env("GITHUB_OUTPUT", &file);
        },
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("earlier=1\nname<<ghadelimiter_"), "{text}");
}

#[test]
fn a_lock_file_that_is_a_fifo_or_a_link_to_dev_zero_still_times_out() {
    let repo = registered();
    let lock = repo.path().join(".git/registry.lock");
    for make in [(|p: &Path| mkfifo(p)) as fn(&Path), |p: &Path| {
        std::os::unix::fs::symlink("/dev/zero", p).unwrap();
    }] {
        make(&lock);
        let run = run_timed_with(&repo, &["register", "churn"], |c| {
            c.env("REGISTRY_LOCK_TIMEOUT", "0.5");
        });
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(
            run.stderr
                .contains(&format!("is locked by {}", lock.display())),
            "{}",
            run.transcript()
        );
        std::fs::remove_file(&lock).unwrap();
    }
}

// --- F15: an unreadable artifacts.yaml entry is an error, and nothing is written ---------------

#[test]
fn check_ref_format_fails_on_an_entry_it_cannot_read_and_writes_nothing() {
    let repo = registered();
    repo.write("artifacts.yaml", "churn: [\n");
    repo.commit("broken");
    repo.git(&["tag", "-a", "-m", "x", "churn@v0.0.2", "HEAD"]);
    let report = repo.path().join("registry.env");
    let github = repo.home().join("github_output");
    let run = run_timed(&repo, &["check-ref", "churn@v0.0.2", "--format", "gitlab"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("cannot read the declaration of 'churn' at")
            && run.stderr.contains("no outputs were written"),
        "{}",
        run.transcript()
    );
    assert!(run.stdout.is_empty(), "{}", run.transcript());
    assert!(!report.exists());
    let run = run_timed_with(
        &repo,
        &["check-ref", "churn@v0.0.2", "--format", "github"],
        |c| {
            c.env("GITHUB_OUTPUT", &github);
        },
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(!github.exists());
    // An artifact the commit does not declare still gives empty values.
    repo.git(&["tag", "-a", "-m", "x", "other@v0.0.1", "HEAD~1"]);
    let run = run_timed(&repo, &["check-ref", "other@v0.0.1", "--format", "gitlab"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        std::fs::read_to_string(&report)
            .unwrap()
            .contains("\ntype=\npath=\ndescription=\n")
    );
}

// --- F16: a writer whose push loses prints no success line ------------------------------------

#[test]
fn a_refused_push_prints_no_created_line() {
    use std::os::unix::fs::PermissionsExt;
    let repo = registered();
    let remote = repo.path().parent().unwrap().join("remote.git");
    repo.git(&[
        "init",
        "-q",
        "--bare",
        "-b",
        "main",
        remote.to_str().unwrap(),
    ]);
    repo.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main", "--tags"]);
    // The remote refuses (as it does for the writer that loses a race for the tag name).
    let hook = remote.join("hooks/pre-receive");
    std::fs::write(&hook, "#!/bin/sh\necho 'tag taken' >&2\nexit 1\n").unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = run_timed(&repo, &["promote", "churn", "staging", "--push"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        !run.stdout.contains("Created git tag") && !run.stdout.contains("Successfully"),
        "{}",
        run.transcript()
    );
    assert_eq!(repo.git(&["tag", "-l", "churn#*"]), "");
    // Once the remote takes it, the lines come after the push, in order.
    std::fs::remove_file(&hook).unwrap();
    let run = run_timed(&repo, &["promote", "churn", "staging", "--push"]);
    assert_eq!(
        run.stdout,
        "Promoting the latest version of 'churn': v0.0.1\n\
         Running `git push origin churn#staging#1`\n\
         Created git tag 'churn#staging#1' that assigns stage to version 'v0.0.1'\n\
         Successfully pushed git tag churn#staging#1 on remote.\n",
        "{}",
        run.transcript()
    );
}

// --- F17: a dry run writes nothing and takes no lock ------------------------------------------

#[test]
fn a_dry_run_is_not_blocked_by_a_stale_lock() {
    let repo = registered();
    let lock = repo.path().join(".git/registry.lock");
    std::fs::write(&lock, "pid 99999999\nhost elsewhere\n").unwrap();
    for args in [
        &["register", "other", "--dry-run"][..],
        &["promote", "churn", "prod", "--dry-run"],
    ] {
        let run = run_timed_with(&repo, args, |c| {
            c.env("REGISTRY_LOCK_TIMEOUT", "0");
        });
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert!(
            run.stdout.contains("Would create git tag"),
            "{}",
            run.transcript()
        );
    }
    // The lock is left as it was (the real write still waits for it, then fails).
    assert_eq!(
        std::fs::read_to_string(&lock).unwrap(),
        "pid 99999999\nhost elsewhere\n"
    );
    let run = run_timed_with(&repo, &["register", "other"], |c| {
        c.env("REGISTRY_LOCK_TIMEOUT", "0");
    });
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("is locked by"), "{}", run.transcript());
}

// --- F11: a tag dated in the future pins a stage; writes say so instead of "succeeding" ------

#[test]
fn a_future_dated_tag_is_a_doctor_finding_and_writes_it_outranks_refuse() {
    let repo = registered();
    repo.commit("second");
    repo.run(&["register", "churn"]).ok();
    // A tagger whose clock says 2100 gives v0.0.2 prod.
    let out = repo
        .command(Path::new("git"), &repo.path())
        .env("GIT_COMMITTER_DATE", "@4102444800 +0000")
        .args(["tag", "-a", "-m", "prod", "churn#prod#7", "churn@v0.0.2^{}"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let tags_before = repo.git(&["tag", "-l"]);
    for args in [
        &["promote", "churn@v0.0.1", "prod"][..],
        &["promote", "churn@v0.0.1", "prod", "--dry-run"],
        &["assign", "churn", "--version", "v0.0.1", "--stage", "prod"],
        &["rollback", "churn", "prod", "--to", "v0.0.1"],
        &["unassign", "churn", "prod"],
    ] {
        let run = run_timed(&repo, args);
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(
            run.stderr
                .contains("would not take effect: 'churn#prod#7' is dated 2100-01-01")
                && run.stderr.contains("nothing was written")
                && run.stderr.contains("git tag -d 'churn#prod#7'"),
            "{}",
            run.transcript()
        );
        assert!(
            !run.stdout.contains("Created git tag"),
            "{}",
            run.transcript()
        );
        assert!(!run.stdout.contains("Would create"), "{}", run.transcript());
    }
    assert_eq!(repo.git(&["tag", "-l"]), tags_before);
    let run = run_timed(&repo, &["doctor"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout
            .contains("problem: tag 'churn#prod#7' is dated 2100-01-01")
            && run.stdout.contains("fix: if the date is wrong"),
        "{}",
        run.transcript()
    );
    // Other stages are not pinned, and writes there go on.
    let run = run_timed(&repo, &["promote", "churn@v0.0.1", "staging"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    // Once the bad tag is gone, the promotion goes through.
    repo.git(&["tag", "-d", "churn#prod#7"]);
    let run = run_timed(&repo, &["promote", "churn@v0.0.1", "prod"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
}

/// A second review: names an attacker can push must not stand in for the trusted branch.
/// A revision suffix would send git's lookup to the tags first again, an abbreviated id may be
/// a pushed branch's name, and a full id is the commit even when a branch is named like it.
#[test]
fn policy_from_takes_only_a_branch_or_a_full_commit_id() {
    let repo = policy_bypass();
    repo.git(&["checkout", "-q", "--detach", "churn#prod#1"]);
    let main = repo.git(&["rev-parse", "main"]);
    repo.git(&["update-ref", "refs/remotes/origin/main", "main"]);
    repo.git(&["tag", "-a", "-m", "x", "origin/main", "evil"]);
    for rev in [
        "origin/main~0",
        "origin/main^{commit}",
        "origin/main@{0}",
        &main[..7],
    ] {
        let run = run_timed(
            &repo,
            &[
                "check-ref",
                "churn#prod#1",
                "--policy",
                "--policy-from",
                rev,
            ],
        );
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(
            run.stderr.contains("is not a branch or a full commit id"),
            "{}",
            run.transcript()
        );
    }
    // A branch named like main's commit id, pointing at the attacker's commit, does not win.
    repo.git(&["branch", &main, "evil"]);
    let run = run_timed(
        &repo,
        &[
            "check-ref",
            "churn#prod#1",
            "--policy",
            "--policy-from",
            &main,
        ],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains(BROKEN), "{}", run.transcript());
}

/// In a bare repository (a server running the check in a hook, or a `-C URL` mirror) the
/// policy is the branch HEAD names; a pushed `refs/remotes/origin/master` does not count.
#[test]
fn a_bare_repository_takes_the_policy_from_head_not_from_pushed_remote_refs() {
    let repo = policy_bypass();
    repo.git(&["checkout", "-q", "main"]);
    let bare = repo.home().join("server.git");
    repo.git(&["clone", "-q", "--bare", ".", bare.to_str().unwrap()]);
    let git_bare = |args: &[&str]| {
        let mut full = vec!["--git-dir", bare.to_str().unwrap()];
        full.extend_from_slice(args);
        repo.git(&full);
    };
    git_bare(&["update-ref", "refs/remotes/origin/master", "evil"]);
    git_bare(&["update-ref", "refs/remotes/origin/HEAD", "evil"]);
    let run = run_timed(
        &repo,
        &[
            "-C",
            bare.to_str().unwrap(),
            "check-ref",
            "churn#prod#1",
            "--policy",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains(BROKEN), "{}", run.transcript());
}
