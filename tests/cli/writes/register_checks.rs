//! `registry register`: what it refuses, and the deliberate fixes of GTO bugs B8, B10, B11
//! (SPEC §3, §4.2; reference §5.1, §12, §14).

use super::{session, tags};
use crate::fixture::TestRepo;

#[test]
fn version_and_bump_flags_exclude_each_other() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.commit("second");
    insta::assert_snapshot!(session(&repo, &[
        &["register", "churn", "--version", "v1.0.0", "--bump-minor"],
        &["register", "churn", "--bump-major", "--bump-minor"],
    ]), @"
    $ registry register churn --version v1.0.0 --bump-minor
    --- stderr
    error: Need to specify either version or single bump argument
    [exit 1]
    $ registry register churn --bump-major --bump-minor
    --- stderr
    error: Need to specify either version or single bump argument
    [exit 1]
    ");
    insta::assert_snapshot!(tags(&repo), @"churn@v0.0.1 tag -> first");
}

#[test]
fn bump_needs_a_version_to_bump() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(repo.t(&["register", "churn", "--bump-minor"]), @"
    $ registry register churn --bump-minor
    --- stderr
    error: Can't apply bump, because this is the first version being registered
    [exit 1]
    ");
    insta::assert_snapshot!(tags(&repo), @"(no tags)");
}

#[test]
fn a_version_that_is_not_semver_is_refused() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(session(&repo, &[
        &["register", "churn", "--version", "1.0.0"],
        &["register", "churn", "--version", "v1.0"],
    ]), @"
    $ registry register churn --version 1.0.0
    --- stderr
    error: invalid value '1.0.0' for '--version <VERSION>': not a version: versions look like v1.2.3, v1.0.0-rc.1 or v2.0.0+build.5

    For more information, try '--help'.
    [exit 2]
    $ registry register churn --version v1.0
    --- stderr
    error: invalid value 'v1.0' for '--version <VERSION>': not a version: versions look like v1.2.3, v1.0.0-rc.1 or v2.0.0+build.5

    For more information, try '--help'.
    [exit 2]
    ");
    insta::assert_snapshot!(tags(&repo), @"(no tags)");
}

#[test]
fn a_commit_with_an_active_version_is_refused() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    insta::assert_snapshot!(session(&repo, &[
        &["register", "churn"],
        &["register", "churn", "--version", "v2.0.0"],
    ]), @"
    $ registry register churn
    --- stderr
    error: 'churn' is already registered in this commit with version 'v0.0.1'
    hint: register another commit, or deregister this version first
    [exit 1]
    $ registry register churn --version v2.0.0
    --- stderr
    error: 'churn' is already registered in this commit with version 'v0.0.1'
    hint: register another commit, or deregister this version first
    [exit 1]
    ");
    insta::assert_snapshot!(tags(&repo), @"churn@v0.0.1 tag -> first");
}

#[test]
fn b8_force_does_not_write_a_second_registration_of_an_active_version() {
    // GTO writes `churn@v0.0.1#1` next to `churn@v0.0.1`, after which `show churn` fails with
    // "Multiple registrations are not supported currently". We refuse: there is nothing to add.
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    insta::assert_snapshot!(session(&repo, &[
        &["register", "churn", "--force", "--simple", "false"],
        &["register", "churn", "--force"],
    ]), @"
    $ registry register churn --force --simple false
    --- stderr
    error: 'churn' is already registered in this commit with version 'v0.0.1'
    hint: the version is active already; a second registration tag would add nothing
    [exit 1]
    $ registry register churn --force
    --- stderr
    error: 'churn' is already registered in this commit with version 'v0.0.1'
    hint: the version is active already; a second registration tag would add nothing
    [exit 1]
    ");
    insta::assert_snapshot!(tags(&repo), @"churn@v0.0.1 tag -> first");
}

#[test]
fn a_version_name_is_used_once() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn", "--version", "v1.0.0"]).ok();
    repo.commit("second");
    insta::assert_snapshot!(repo.t(&["register", "churn", "--version", "v1.0.0"]), @"
    $ registry register churn --version v1.0.0
    --- stderr
    error: Version 'v1.0.0' already was registered.
    hint: every version name is used once; pick a new one or let registry choose
    [exit 1]
    ");
    insta::assert_snapshot!(tags(&repo), @"churn@v1.0.0 tag -> first");
}

#[test]
fn a_deregistered_commit_can_only_get_its_old_version_back() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["deregister", "churn", "v0.0.1"]).ok();
    // GTO silently ignores a bump flag here; we refuse it like a different --version.
    insta::assert_snapshot!(session(&repo, &[
        &["register", "churn", "--version", "v0.0.2"],
        &["register", "churn", "--bump-minor"],
    ]), @"
    $ registry register churn --version v0.0.2
    --- stderr
    error: For this REF you can only register v0.0.1
    [exit 1]
    $ registry register churn --bump-minor
    --- stderr
    error: For this REF you can only register v0.0.1
    [exit 1]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@v0.0.1! tag -> first
    ");
}

#[test]
fn re_registering_a_deregistered_version_falls_back_to_the_counter_form() {
    // In `auto` mode GTO tries `churn@v0.0.1` again and fails with "tag already exists".
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["deregister", "churn", "v0.0.1"]).ok();
    insta::assert_snapshot!(session(&repo, &[
        &["register", "churn"],
        &["deregister", "churn", "v0.0.1"],
        &["register", "churn", "--version", "v0.0.1"],
    ]), @"
    $ registry register churn
    Created git tag 'churn@v0.0.1#1' that registers version
    To push the changes upstream, run:
        git push origin 'churn@v0.0.1#1'
    [exit 0]
    $ registry deregister churn v0.0.1
    Created git tag 'churn@v0.0.1!#2' that deregisters version
    To push the changes upstream, run:
        git push origin 'churn@v0.0.1!#2'
    [exit 0]
    $ registry register churn --version v0.0.1
    Created git tag 'churn@v0.0.1#3' that registers version
    To push the changes upstream, run:
        git push origin 'churn@v0.0.1#3'
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@v0.0.1! tag -> first
    churn@v0.0.1#1 tag -> first
    churn@v0.0.1!#2 tag -> first
    churn@v0.0.1#3 tag -> first
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn"]), @"
    $ registry show churn
    ┌──────────┬─────────┬───────┬───────────────────────────┬────────────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref            │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪════════════════╡
    │ churn    ┆ v0.0.1  ┆ -     ┆ 2023-11-14 22:13:28+00:00 ┆ churn@v0.0.1#3 │
    └──────────┴─────────┴───────┴───────────────────────────┴────────────────┘
    [exit 0]
    ");
}

#[test]
fn simple_true_on_a_taken_name_fails_with_tag_exists() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["deregister", "churn", "v0.0.1"]).ok();
    let run = repo.run(&["register", "churn", "--simple", "true"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(run.stdout, "", "{}", run.transcript());
    assert!(
        run.stderr
            .starts_with("error: tag 'churn@v0.0.1' already exists\n"),
        "{}",
        run.transcript()
    );
    // A hint, if any, must describe a registration's counter form (churn@v0.0.1#N), not a
    // stage's (NAME#STAGE#N).
    assert!(!run.stderr.contains("#STAGE"), "{}", run.transcript());
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@v0.0.1! tag -> first
    ");
}

#[test]
fn b10_auto_bump_never_reissues_a_deregistered_version() {
    // GTO bumps from the highest *active* version and would register `v0.0.2` again.
    let repo = TestRepo::new();
    repo.commit("one");
    repo.run(&["register", "churn"]).ok();
    repo.commit("two");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["deregister", "churn", "v0.0.2"]).ok();
    repo.commit("three");
    insta::assert_snapshot!(session(&repo, &[
        &["register", "churn", "--version", "v0.0.2"],
        &["register", "churn", "--version", "v0.0.2", "--simple", "false"],
        &["register", "churn"],
    ]), @"
    $ registry register churn --version v0.0.2
    --- stderr
    error: Version 'v0.0.2' already was registered.
    hint: every version name is used once; pick a new one or let registry choose
    [exit 1]
    $ registry register churn --version v0.0.2 --simple false
    --- stderr
    error: Version 'v0.0.2' already was registered.
    hint: every version name is used once; pick a new one or let registry choose
    [exit 1]
    $ registry register churn
    Created git tag 'churn@v0.0.3' that registers version
    To push the changes upstream, run:
        git push origin churn@v0.0.3
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> one
    churn@v0.0.2 tag -> two
    churn@v0.0.2! tag -> two
    churn@v0.0.3 tag -> three
    ");
}

#[test]
fn unknown_revision_is_a_clear_error() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(repo.t(&["register", "churn", "no-such-branch"]), @"
    $ registry register churn no-such-branch
    --- stderr
    error: unknown revision 'no-such-branch'
    hint: give a commit id, branch or tag that exists here (`git log --oneline` lists commits)
    [exit 1]
    ");
    insta::assert_snapshot!(tags(&repo), @"(no tags)");
}

#[test]
fn a_repository_without_commits_says_so() {
    let repo = TestRepo::new();
    insta::assert_snapshot!(repo.t(&["register", "churn"]), @"
    $ registry register churn
    --- stderr
    error: unknown revision 'HEAD'
    hint: the repository has no commits yet: commit something first
    [exit 1]
    ");
}

#[test]
fn invalid_names_are_usage_errors() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(session(&repo, &[
        &["register", "churn.pkl"],
        &["register", "_churn"],
        &["register", "a:b:c"],
    ]), @"
    $ registry register churn.pkl
    --- stderr
    error: invalid value 'churn.pkl' for '<NAME>': Invalid value 'churn.pkl'. Only letters, numbers, '_', '-', '/' are allowed. Value must be of len >= 2 and must start and end with a letter or a number.

    For more information, try '--help'.
    [exit 2]
    $ registry register _churn
    --- stderr
    error: invalid value '_churn' for '<NAME>': Invalid value '_churn'. Only letters, numbers, '_', '-', '/' are allowed. Value must be of len >= 2 and must start and end with a letter or a number.

    For more information, try '--help'.
    [exit 2]
    $ registry register a:b:c
    --- stderr
    error: invalid value 'a:b:c' for '<NAME>': Invalid value 'a:b:c'. Only letters, numbers, '_', '-', '/' are allowed. Value must be of len >= 2 and must start and end with a letter or a number.

    For more information, try '--help'.
    [exit 2]
    ");
    insta::assert_snapshot!(tags(&repo), @"(no tags)");
}

#[test]
fn b11_names_git_would_refuse_or_rewrite_are_refused_before_writing() {
    // GTO lets `./x:m` through and then fails with "Unexpected error: Failed to create tag";
    // `a//b` it lets git store as `a/b`.
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(session(&repo, &[
        &["register", "./x:m"],
        &["register", "a//b"],
        &["register", "x.lock/:m"],
    ]), @"
    $ registry register ./x:m
    --- stderr
    error: invalid value './x:m' for '<NAME>': Invalid artifact name './x:m': git refs cannot have a path component starting with '.'

    For more information, try '--help'.
    [exit 2]
    $ registry register a//b
    --- stderr
    error: invalid value 'a//b' for '<NAME>': Invalid artifact name 'a//b': git refs cannot contain an empty path component ('//', or '/' at either end)

    For more information, try '--help'.
    [exit 2]
    $ registry register x.lock/:m
    --- stderr
    error: invalid value 'x.lock/:m' for '<NAME>': Invalid artifact name 'x.lock/:m': git refs cannot have a path component ending with '.lock'

    For more information, try '--help'.
    [exit 2]
    ");
    insta::assert_snapshot!(tags(&repo), @"(no tags)");
}
