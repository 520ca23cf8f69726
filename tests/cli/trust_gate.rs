//! The gate's trust in where the policy comes from, and in which tags it passes: the second
//! security review's findings 8, 9 and 12 (and the second's N3), each played through the real
//! binary (5, replay, is `trust_replay.rs`).

use crate::fixture::{Run, TestRepo, run_timed};
use crate::hostile_ci::{BROKEN, policy_bypass};

/// `registry check-ref churn#prod#1 --policy --policy-ref REV` (plus `pre`, e.g. `-C DIR`).
fn gate(repo: &TestRepo, pre: &[&str], rev: &str) -> Run {
    let mut args = pre.to_vec();
    args.extend(["check-ref", "churn#prod#1", "--policy", "--policy-ref", rev]);
    run_timed(repo, &args)
}

#[track_caller]
pub(crate) fn refused(run: &Run, why: &str) {
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains(why), "{}", run.transcript());
    assert!(run.stdout.is_empty(), "{}", run.transcript());
}

// --- 8: `--policy-ref NAME` reads a branch, never a ref a pusher could create ------------------

/// On a server anyone who may push can create `refs/remotes/main` or `refs/remotes/origin/main`
/// (branch protection covers `refs/heads/*` only): there `--policy-ref NAME` is
/// `refs/heads/NAME`, and no other full ref name is read.
#[test]
fn a_bare_repository_reads_policy_ref_only_from_its_branches() {
    let repo = policy_bypass();
    let bare = repo.home().join("server.git");
    let bare = bare.to_str().unwrap();
    repo.git(&["clone", "-q", "--bare", ".", bare]);
    for pushed in ["refs/remotes/main", "refs/remotes/origin/main"] {
        repo.git(&["--git-dir", bare, "update-ref", pushed, "evil"]);
    }
    repo.git(&["--git-dir", bare, "tag", "-a", "-m", "x", "evil2", "evil"]);
    let c = ["-C", bare];
    // `main` is the server's branch, whatever `refs/remotes/main` says.
    refused(&gate(&repo, &c, "main"), BROKEN);
    let run = gate(&repo, &c, "origin/main");
    refused(
        &run,
        "--policy-ref 'origin/main' is no branch here (no refs/heads/origin/main; a bare repository's refs/remotes/* is never read",
    );
    assert!(
        run.stderr
            .contains("hint: name one of the repository's own branches (`--policy-ref main`)"),
        "{}",
        run.transcript()
    );
    refused(
        &gate(&repo, &c, "refs/remotes/origin/main"),
        "--policy-ref 'refs/remotes/origin/main' is not a branch: only refs/heads/… in a bare repository",
    );
    refused(&gate(&repo, &c, "refs/heads/main"), BROKEN);
    for tag in ["refs/tags/evil2", "evil2"] {
        refused(
            &gate(&repo, &c, tag),
            &format!("--policy-ref '{tag}' names a tag, not a branch"),
        );
    }
}

/// In a work tree both a local branch and a remote-tracking branch may carry a name: a
/// `git branch origin/main TAG` made at the pushed tag must not stand in for the fetched one.
/// Both existing is refused; the full names are read as given; a tag never is.
#[test]
fn a_name_that_is_both_a_branch_and_a_remote_branch_is_ambiguous() {
    let repo = policy_bypass();
    repo.git(&["checkout", "-q", "--detach", "churn#prod#1"]);
    repo.git(&["update-ref", "refs/remotes/origin/main", "main"]);
    repo.git(&["branch", "origin/main", "evil"]);
    let run = gate(&repo, &[], "origin/main");
    refused(
        &run,
        "--policy-ref 'origin/main' is ambiguous: both the branch refs/heads/origin/main and the remote-tracking branch refs/remotes/origin/main exist",
    );
    assert!(
        run.stderr
            .contains("`--policy-ref refs/remotes/origin/main`"),
        "{}",
        run.transcript()
    );
    refused(&gate(&repo, &[], "refs/remotes/origin/main"), BROKEN);
    refused(&gate(&repo, &[], "refs/heads/main"), BROKEN);
    // The attacker's branch, named in full, is what was asked for: it has no policy.
    let run = gate(&repo, &[], "refs/heads/origin/main");
    assert_eq!(run.code, 0, "{}", run.transcript());
    repo.git(&["tag", "-a", "-m", "x", "trusted", "main"]);
    refused(
        &gate(&repo, &[], "refs/tags/trusted"),
        "--policy-ref 'refs/tags/trusted' names a tag, not a branch",
    );
    refused(
        &gate(&repo, &[], "refs/notes/commits"),
        "--policy-ref 'refs/notes/commits' is not a branch: only refs/heads/… or refs/remotes/… is read",
    );
    // The refusals of before stay: an abbreviated id, a revision suffix.
    let main = repo.git(&["rev-parse", "main"]);
    for rev in [&main[..12], "refs/remotes/origin/main~0"] {
        refused(
            &gate(&repo, &[], rev),
            "is not a branch or a full commit id",
        );
    }
}

// --- 9: a work tree that fetches from origin never trusts the branch HEAD names ----------------

/// A CI job that checks out a local branch at the pushed tag (`git checkout -B build TAG`,
/// Jenkins' "check out to a local branch") has HEAD on a branch whose commit the pusher chose:
/// with a remote `origin`, only a symbolic origin/HEAD or `--policy-ref` says where the policy is.
#[test]
fn a_ci_branch_made_at_the_tag_is_not_the_policy() {
    let repo = policy_bypass();
    let server = repo.home().join("server.git");
    repo.git(&["clone", "-q", "--bare", ".", server.to_str().unwrap()]);
    repo.git(&["remote", "add", "origin", server.to_str().unwrap()]);
    repo.git(&["checkout", "-q", "-B", "build", "churn#prod#1"]);
    let run = run_timed(&repo, &["check-ref", "churn#prod#1", "--policy"]);
    refused(
        &run,
        "found no branch to read the policy from: HEAD names the branch 'build', which is not trusted in a repository that fetches from origin",
    );
    assert!(
        run.stderr.contains("--policy-ref origin/main"),
        "{}",
        run.transcript()
    );
    // Even on `main` itself: which branch a CI job checked out is not known.
    repo.git(&["checkout", "-q", "main"]);
    let run = run_timed(&repo, &["check-ref", "churn#prod#1", "--policy"]);
    refused(&run, "HEAD names the branch 'main', which is not trusted");
    // origin's default branch, as `git clone` records it, is.
    repo.git(&["checkout", "-q", "build"]);
    repo.git(&["fetch", "-q", "origin"]);
    repo.git(&["remote", "set-head", "origin", "main"]);
    let main = repo.git(&["rev-parse", "--short=7", "main"]);
    let run = run_timed(&repo, &["check-ref", "churn#prod#1", "--policy"]);
    refused(&run, BROKEN);
    assert!(
        run.stderr
            .starts_with(&format!("policy from 'origin/main' ({main})\n")),
        "{}",
        run.transcript()
    );
    // And so is --policy-ref, named in the note as given.
    let evil = repo.git(&["rev-parse", "--short=7", "evil"]);
    let run = gate(&repo, &[], "evil");
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(
        run.stderr,
        format!("policy from 'evil' ({evil})\n"),
        "{}",
        run.transcript()
    );
    // Without --policy nothing is enforced, and nothing is noted.
    let run = run_timed(
        &repo,
        &[
            "check-ref",
            "churn#prod#1",
            "--policy-ref",
            "main",
            "--event",
        ],
    );
    assert_eq!(run.stdout, "assignment\n", "{}", run.transcript());
    assert_eq!(run.stderr, "", "{}", run.transcript());
}

/// The second review's N3: a remote of any name, not only `origin`, makes the branch HEAD names
/// untrusted; and with no remote at all (the tag fetched by URL, `git checkout -B deploy
/// FETCH_HEAD`) HEAD's branch is never trusted at the judged tag's own commit.
#[test]
fn a_branch_at_the_tag_is_not_the_policy_whatever_the_remote() {
    let repo = policy_bypass();
    let server = repo.home().join("server.git");
    let server = server.to_str().unwrap();
    repo.git(&["clone", "-q", "--bare", ".", server]);
    repo.git(&["remote", "add", "upstream", server]);
    repo.git(&["checkout", "-q", "-B", "build", "churn#prod#1"]);
    let run = run_timed(&repo, &["check-ref", "churn#prod#1", "--policy"]);
    refused(
        &run,
        "HEAD names the branch 'build', which is not trusted in a repository that fetches from upstream",
    );
    assert!(
        run.stderr.contains("--policy-ref upstream/main"),
        "{}",
        run.transcript()
    );
    repo.git(&["remote", "remove", "upstream"]);
    repo.git(&["checkout", "-q", "-B", "deploy", "churn#prod#1"]);
    let evil = repo.git(&["rev-parse", "--short=7", "evil"]);
    let run = run_timed(&repo, &["check-ref", "churn#prod#1", "--policy"]);
    refused(
        &run,
        &format!(
            "found no branch to read the policy from: HEAD's branch 'deploy' is at the judged tag's own commit ({evil}), which is not trusted"
        ),
    );
    assert!(
        run.stderr
            .contains("hint: name the branch that holds the policy: `--policy-ref main`"),
        "{}",
        run.transcript()
    );
    // Named, the branch is read; and HEAD's branch elsewhere still is (see below).
    refused(&gate(&repo, &[], "main"), BROKEN);
    // A bare repository's HEAD branch is the server's own default branch, trusted even at the
    // tag (a tag of the tip is the common case); whoever sets a server's default branch to
    // their own has the server already.
    let run = run_timed(
        &repo,
        &["-C", server, "check-ref", "churn#prod#1", "--policy"],
    );
    assert!(
        run.stderr.contains("policy from 'evil'"),
        "{}",
        run.transcript()
    );
}

/// A developer's own repository (no remote) and a bare repository still read the branch HEAD
/// names, and say so. A symbolic origin/HEAD in a bare repository is not read: anyone who may
/// push can move the `refs/remotes/origin/*` branch it names.
#[test]
fn without_a_remote_and_in_a_bare_repository_the_head_branch_is_the_policy() {
    let repo = policy_bypass();
    repo.git(&["checkout", "-q", "main"]);
    let main = repo.git(&["rev-parse", "--short=7", "main"]);
    let run = run_timed(&repo, &["check-ref", "churn#prod#1", "--policy"]);
    refused(&run, BROKEN);
    assert!(
        run.stderr
            .starts_with(&format!("policy from 'main' ({main})\n")),
        "{}",
        run.transcript()
    );
    let bare = repo.home().join("server.git");
    let bare = bare.to_str().unwrap();
    repo.git(&["clone", "-q", "--bare", ".", bare]);
    repo.git(&[
        "--git-dir",
        bare,
        "update-ref",
        "refs/remotes/origin/evil",
        "evil",
    ]);
    repo.git(&[
        "--git-dir",
        bare,
        "symbolic-ref",
        "refs/remotes/origin/HEAD",
        "refs/remotes/origin/evil",
    ]);
    let run = run_timed(
        &repo,
        &["-C", bare, "check-ref", "churn#prod#1", "--policy"],
    );
    refused(&run, BROKEN);
    assert!(
        run.stderr
            .starts_with(&format!("policy from 'main' ({main})\n")),
        "{}",
        run.transcript()
    );
}

// --- 12: under --policy a registry-shaped tag that is no counted event fails ------------------

/// Each of these exits 0 with a warning without `--policy` (a CI job runs on every push). Under
/// it each fails, naming the tag and why, and writes no step output: a pipeline keyed on the
/// pushed ref after a green gate would deploy it.
#[test]
fn the_gate_fails_closed_on_a_tag_that_records_no_event() {
    let repo = policy_bypass();
    repo.git(&["checkout", "-q", "main"]);
    let prod = repo.git(&["rev-parse", "churn#prod#1"]);
    let registration = repo.git(&["rev-parse", "churn@v0.0.1"]);
    repo.git(&["update-ref", "refs/tags/churn#prod#7", &prod]);
    repo.git(&["update-ref", "refs/tags/other@v1.0.0", &registration]);
    repo.git(&["tag", "churn#prod#5"]);
    repo.git(&["tag", "-a", "-m", "x", "churn#prod#8", "HEAD^{tree}"]);
    repo.git(&["tag", "-a", "-m", "x", "other#prod#1", "HEAD^{tree}"]);
    repo.git(&["tag", "-a", "-m", "x", "churn@created"]);
    let renamed = "(its `tag` line says so), not a tag of its own";
    for (tag, why) in [
        ("churn#prod#7", renamed),
        ("other@v1.0.0", renamed),
        ("churn#prod#5", "it is a lightweight tag"),
        ("churn#prod#8", "points at a tree"),
        ("other#prod#1", "points at a tree"),
        ("churn@created", "an `@created` tag records nothing"),
    ] {
        let outputs = repo.home().join("github_output");
        std::fs::write(&outputs, "").unwrap();
        let env = |c: &mut std::process::Command| {
            c.env("GITHUB_OUTPUT", &outputs);
        };
        let policy = ["check-ref", tag, "--policy", "--policy-ref", "main"];
        let run = crate::fixture::run_timed_with(
            &repo,
            &[&policy[..], &["--format", "github"]].concat(),
            env,
        );
        refused(
            &run,
            &format!(
                "error: policy: tag '{tag}' is no registry event, and --policy passes only an event: "
            ),
        );
        assert!(run.stderr.contains(why), "{}", run.transcript());
        assert_eq!(
            std::fs::read_to_string(&outputs).unwrap(),
            "",
            "{}",
            run.transcript()
        );
        // Without --policy: a warning, nothing written, exit 0, as before.
        let run =
            crate::fixture::run_timed_with(&repo, &["check-ref", tag, "--format", "github"], env);
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert!(run.stdout.is_empty(), "{}", run.transcript());
        assert!(run.stderr.contains("warning: "), "{}", run.transcript());
        assert_eq!(
            std::fs::read_to_string(&outputs).unwrap(),
            "",
            "{}",
            run.transcript()
        );
    }
}
