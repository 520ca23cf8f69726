//! Read commands (`show`, `history`, `check-ref`, `stages`): shared scenes, `stages`, and a closed
//! pipe. The other read tests live in `reads_show/` (listed in `reads_show.rs`),
//! `reads_history.rs`, `reads_check_ref.rs` and `reads_oddities.rs`.
//!
//! Every snapshot states what GTO 1.10.1 prints for the same repository (reference
//! `gto-behaviour.md` §4–6), or the documented divergence (reference §14, SPEC §3–4).

use std::io::Read;
use std::process::Stdio;

use crate::fixture::{TestRepo, registry_bin};

/// Runs `registry ARGS` and asserts success (the scene-building steps of a test).
#[track_caller]
pub(crate) fn ok(repo: &TestRepo, args: &[&str]) {
    repo.run(args).ok();
}

/// Makes an annotated tag by hand, as a user or another tool would.
#[track_caller]
pub(crate) fn tag(repo: &TestRepo, name: &str, target: &str) {
    repo.git(&["tag", "-a", name, "-m", name, target]);
}

/// The worked example of reference §4.3: v1 at c1, v2 at c2; dev→v1, staging→v2, prod→v1,
/// dev→v2 — each event one second after the one before.
pub(crate) fn worked_example() -> TestRepo {
    let repo = TestRepo::new();
    let c1 = repo.commit("c1");
    let c2 = repo.commit("c2");
    ok(&repo, &["register", "m", &c1, "--version", "v1.0.0"]);
    ok(&repo, &["register", "m", &c2, "--version", "v2.0.0"]);
    ok(&repo, &["promote", "m@v1.0.0", "dev"]);
    ok(&repo, &["promote", "m@v2.0.0", "staging"]);
    ok(&repo, &["promote", "m@v1.0.0", "prod"]);
    ok(&repo, &["promote", "m@v2.0.0", "dev"]);
    repo
}

/// Two artifacts with a few versions and stages: `churn` (v1.0.0, v1.1.0; prod→v1.0.0,
/// staging→v1.1.0) and `rf` (v0.0.1; dev).
pub(crate) fn small_registry() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit("first");
    ok(&repo, &["register", "churn", "--version", "v1.0.0"]);
    ok(&repo, &["register", "rf"]);
    repo.commit("second");
    ok(&repo, &["register", "churn", "--bump-minor"]);
    ok(&repo, &["promote", "churn@v1.0.0", "prod"]);
    ok(&repo, &["promote", "churn@v1.1.0", "staging"]);
    ok(&repo, &["promote", "rf", "dev"]);
    repo
}

/// `churn` registered at three commits, each version promoted to `prod` in turn (v0.0.3 holds
/// it).
pub(crate) fn three_versions_through_prod(repo: &TestRepo) {
    for i in 1..=3 {
        repo.commit(&format!("model {i}"));
        repo.run(&["register", "churn"]).ok();
        repo.run(&["promote", "churn", "prod"]).ok();
    }
}

// ---------------------------------------------------------------------------------------------
// `stages` (reference §5.7, §4.4)

#[test]
fn stages_without_config_are_the_used_ones() {
    let repo = small_registry();
    insta::assert_snapshot!(repo.t(&["stages"]), @"
    $ registry stages
    dev
    prod
    staging
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["stages", "--used"]), @"
    $ registry stages --used
    dev
    prod
    staging
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["stages", "--json"]), @r#"
    $ registry stages --json
    [
        "dev",
        "prod",
        "staging"
    ]
    [exit 0]
    "#);
    // No config: nothing is "allowed" (GTO prints nothing, and `null` as JSON).
    insta::assert_snapshot!(repo.t(&["stages", "--allowed"]), @"
    $ registry stages --allowed
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["stages", "--allowed", "--json"]), @"
    $ registry stages --allowed --json
    null
    [exit 0]
    ");
}

#[test]
fn stages_with_gto_config() {
    let repo = small_registry();
    repo.write(".gto", "stages: [dev, staging, prod, archive]\n");
    // Config order, and stages nobody holds are listed too.
    insta::assert_snapshot!(repo.t(&["stages"]), @"
    $ registry stages
    dev
    staging
    prod
    archive
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["stages", "--allowed"]), @"
    $ registry stages --allowed
    dev
    staging
    prod
    archive
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["stages", "--allowed", "--json"]), @r#"
    $ registry stages --allowed --json
    [
        "dev",
        "staging",
        "prod",
        "archive"
    ]
    [exit 0]
    "#);
    // --used ignores the config.
    insta::assert_snapshot!(repo.t(&["stages", "--used", "--json"]), @r#"
    $ registry stages --used --json
    [
        "dev",
        "prod",
        "staging"
    ]
    [exit 0]
    "#);
}

#[test]
fn stages_used_drops_an_unassigned_stage() {
    let repo = small_registry();
    ok(&repo, &["unassign", "churn", "staging"]);
    insta::assert_snapshot!(repo.t(&["stages", "--used"]), @"
    $ registry stages --used
    dev
    prod
    [exit 0]
    ");
    // A stage whose only holder is deregistered is no longer in use either.
    ok(&repo, &["deregister", "rf", "v0.0.1"]);
    insta::assert_snapshot!(repo.t(&["stages", "--used", "--json"]), @r#"
    $ registry stages --used --json
    [
        "prod"
    ]
    [exit 0]
    "#);
}

#[test]
fn stages_empty_registry() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(repo.t(&["stages"]), @"
    $ registry stages
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["stages", "--json"]), @"
    $ registry stages --json
    []
    [exit 0]
    ");
}

#[test]
fn stages_allowed_and_used_together_is_a_usage_error() {
    let repo = small_registry();
    insta::assert_snapshot!(repo.t(&["stages", "--allowed", "--used"]), @"
    $ registry stages --allowed --used
    --- stderr
    error: the argument '--allowed' cannot be used with '--used'

    Usage: registry stages --allowed

    For more information, try '--help'.
    [exit 2]
    ");
}

// ---------------------------------------------------------------------------------------------
// A closed pipe is not an error (SPEC §4): `registry history | head -1`.

/// Runs `registry ARGS` with stdout to a pipe that is closed after the first few bytes.
fn run_into_closed_pipe(repo: &TestRepo, args: &[&str]) -> (i32, String) {
    let mut child = repo
        .command(&registry_bin(), &repo.path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("registry starts");
    {
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let mut first = [0u8; 16];
        // Like `head -1`: read a little, then go away.
        let _ = stdout.read(&mut first);
    }
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr is piped")
        .read_to_string(&mut stderr)
        .expect("stderr reads");
    let status = child.wait().expect("registry exits");
    (status.code().unwrap_or(-1), stderr)
}

/// Writes annotated tags in one `git fast-import` run: `(name, commit, seconds)`.
fn fast_tags(repo: &TestRepo, tags: &[(String, String, i64)]) {
    use std::io::Write;
    let mut stream = String::new();
    for (name, commit, seconds) in tags {
        let msg = format!("hand-made {name}");
        stream.push_str(&format!(
            "tag {name}\nfrom {commit}\ntagger Ada Tester <ada@example.com> {seconds} +0000\ndata {}\n{msg}\n",
            msg.len()
        ));
    }
    let mut child = repo
        .command(std::path::Path::new("git"), &repo.path())
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import starts");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stream.as_bytes())
        .expect("stream written");
    assert!(child.wait().expect("git fast-import exits").success());
}

#[test]
fn closed_pipe_is_success() {
    let repo = TestRepo::new();
    let c = repo.commit("first");
    // 400 artifacts, 1200 events: every output below is far larger than a pipe buffer (64 KiB).
    let mut tags = Vec::new();
    for i in 0..400 {
        let t = crate::fixture::START + 100 + 3 * i;
        tags.push((format!("a{i:03}@v0.0.1"), c.clone(), t));
        tags.push((format!("a{i:03}#dev#1"), c.clone(), t + 1));
        tags.push((format!("a{i:03}#prod#2"), c.clone(), t + 2));
    }
    fast_tags(&repo, &tags);
    assert_eq!(
        repo.run(&["show", "a399#prod", "--ref"]).ok(),
        "a399@v0.0.1\n"
    );
    for args in [
        &["history"][..],
        &["history", "--json"],
        &["show", "--json"],
    ] {
        let (code, stderr) = run_into_closed_pipe(&repo, args);
        assert_eq!((code, stderr.as_str()), (0, ""), "registry {args:?}");
    }
}
