//! `registry deregister`, `registry deprecate NAME`, GTO's `deprecate NAME VERSION`, and the
//! `--delete` forms (SPEC §4.2; reference §3.6, §5.3, §12).

use super::{message, session, tags};
use crate::fixture::TestRepo;

/// `churn` v0.0.1 on "first" (in prod), v0.0.2 on "second"; `other` v0.0.1 on "second".
fn two_versions() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["promote", "churn", "prod"]).ok();
    repo.commit("second");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["register", "other"]).ok();
    repo
}

#[test]
fn deregister_writes_the_simple_form_on_the_versions_commit() {
    let repo = two_versions();
    insta::assert_snapshot!(repo.t(&["deregister", "churn", "v0.0.1"]), @"
    $ registry deregister churn v0.0.1
    Created git tag 'churn@v0.0.1!' that deregisters version
    To push the changes upstream, run:
        git push origin 'churn@v0.0.1!'
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn#prod#1 tag -> first
    churn@v0.0.2 tag -> second
    other@v0.0.1 tag -> second
    churn@v0.0.1! tag -> first
    ");
    insta::assert_snapshot!(message(&repo, "churn@v0.0.1!"), @"Deregistering artifact churn version v0.0.1");
}

#[test]
fn deprecate_name_version_is_gto_deregister() {
    let repo = two_versions();
    insta::assert_snapshot!(
        repo.t(&["deprecate", "churn", "v0.0.2", "-m", "Leaks test data"]),
        @"
    $ registry deprecate churn v0.0.2 -m 'Leaks test data'
    Created git tag 'churn@v0.0.2!' that deregisters version
    To push the changes upstream, run:
        git push origin 'churn@v0.0.2!'
    [exit 0]
    "
    );
    insta::assert_snapshot!(message(&repo, "churn@v0.0.2!"), @"Leaks test data");
}

#[test]
fn deregister_simple_false_writes_the_counter_form() {
    let repo = two_versions();
    insta::assert_snapshot!(
        repo.t(&["deregister", "churn", "v0.0.2", "--simple", "false"]),
        @"
    $ registry deregister churn v0.0.2 --simple false
    Created git tag 'churn@v0.0.2!#2' that deregisters version
    To push the changes upstream, run:
        git push origin 'churn@v0.0.2!#2'
    [exit 0]
    "
    );
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn#prod#1 tag -> first
    churn@v0.0.2 tag -> second
    other@v0.0.1 tag -> second
    churn@v0.0.2!#2 tag -> second
    ");
}

#[test]
fn deregister_errors() {
    let repo = two_versions();
    repo.run(&["deregister", "churn", "v0.0.1"]).ok();
    insta::assert_snapshot!(session(&repo, &[
        &["deregister", "churn", "v0.0.1"],
        &["deprecate", "churn", "v0.0.1"],
        &["deregister", "churn", "v9.9.9"],
        &["deregister", "churn", "0.0.2"],
        &["deregister", "nope", "v0.0.1"],
        &["deregister", "churn"],
    ]), @"
    $ registry deregister churn v0.0.1
    --- stderr
    error: The version at ref '2d199a9ae072d4a1c823d06b148adcc4db1e4ade' was deregistered already
    [exit 1]
    $ registry deprecate churn v0.0.1
    --- stderr
    error: The version at ref '2d199a9ae072d4a1c823d06b148adcc4db1e4ade' was deregistered already
    [exit 1]
    $ registry deregister churn v9.9.9
    --- stderr
    error: No versions found for 'churn'
    hint: version v9.9.9 of 'churn' was never registered
    [exit 1]
    $ registry deregister churn 0.0.2
    --- stderr
    error: invalid value '0.0.2' for '<VERSION>': not a version: versions look like v1.2.3, v1.0.0-rc.1 or v2.0.0+build.5

    For more information, try '--help'.
    [exit 2]
    $ registry deregister nope v0.0.1
    --- stderr
    error: No versions found for 'nope'
    hint: version v0.0.1 of 'nope' was never registered
    [exit 1]
    $ registry deregister churn
    --- stderr
    error: the following required arguments were not provided:
      <VERSION>

    Usage: registry deregister <NAME> <VERSION>

    For more information, try '--help'.
    [exit 2]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn#prod#1 tag -> first
    churn@v0.0.2 tag -> second
    other@v0.0.1 tag -> second
    churn@v0.0.1! tag -> first
    ");
}

#[test]
fn deregister_twice_with_force_writes_a_counter_tag() {
    let repo = two_versions();
    repo.run(&["deregister", "churn", "v0.0.1"]).ok();
    insta::assert_snapshot!(repo.t(&["deregister", "churn", "v0.0.1", "--force"]), @"
    $ registry deregister churn v0.0.1 --force
    Created git tag 'churn@v0.0.1!#2' that deregisters version
    To push the changes upstream, run:
        git push origin 'churn@v0.0.1!#2'
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn#prod#1 tag -> first
    churn@v0.0.2 tag -> second
    other@v0.0.1 tag -> second
    churn@v0.0.1! tag -> first
    churn@v0.0.1!#2 tag -> first
    ");
}

#[test]
fn deregister_a_version_that_was_never_registered() {
    // A hand-made deregistration with no registration before it (reference §12: "is not
    // registered").
    let repo = TestRepo::new();
    repo.commit("first");
    repo.git(&["tag", "-a", "-m", "hand-made", "churn@v1.0.0!"]);
    insta::assert_snapshot!(repo.t(&["deregister", "churn", "v1.0.0"]), @"
    $ registry deregister churn v1.0.0
    --- stderr
    error: The version at ref '2d199a9ae072d4a1c823d06b148adcc4db1e4ade' is not registered
    [exit 1]
    ");
}

#[test]
fn deregister_dry_run_writes_nothing() {
    let repo = two_versions();
    let before = tags(&repo);
    insta::assert_snapshot!(session(&repo, &[
        &["deregister", "churn", "v0.0.1", "--dry-run"],
        &["deprecate", "churn", "v0.0.1", "--dry-run"],
    ]), @"
    $ registry deregister churn v0.0.1 --dry-run
    Would create git tag 'churn@v0.0.1!' on commit 2d199a9: Deregistering artifact churn version v0.0.1
    [exit 0]
    $ registry deprecate churn v0.0.1 --dry-run
    Would create git tag 'churn@v0.0.1!' on commit 2d199a9: Deregistering artifact churn version v0.0.1
    [exit 0]
    ");
    assert_eq!(tags(&repo), before);
}

#[test]
fn deregister_delete_removes_every_tag_of_the_version() {
    let repo = two_versions();
    repo.run(&["deregister", "churn", "v0.0.1"]).ok();
    insta::assert_snapshot!(repo.t(&["deregister", "churn", "v0.0.1", "--delete"]), @"
    $ registry deregister churn v0.0.1 --delete
    Deleted git tag 'churn@v0.0.1'
    To push the changes upstream, run:
        git push --delete origin churn@v0.0.1
    Deleted git tag 'churn#prod#1'
    To push the changes upstream, run:
        git push --delete origin 'churn#prod#1'
    Deleted git tag 'churn@v0.0.1!'
    To push the changes upstream, run:
        git push --delete origin 'churn@v0.0.1!'
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.2 tag -> second
    other@v0.0.1 tag -> second
    ");
}

#[test]
fn deprecate_name_version_delete() {
    let repo = two_versions();
    let before = tags(&repo);
    insta::assert_snapshot!(repo.t(&["deprecate", "churn", "v0.0.1", "--delete", "--dry-run"]), @"
    $ registry deprecate churn v0.0.1 --delete --dry-run
    Would delete git tag 'churn@v0.0.1'
    Would delete git tag 'churn#prod#1'
    [exit 0]
    ");
    assert_eq!(tags(&repo), before);
    insta::assert_snapshot!(repo.t(&["deprecate", "churn", "v0.0.1", "--delete"]), @"
    $ registry deprecate churn v0.0.1 --delete
    Deleted git tag 'churn@v0.0.1'
    To push the changes upstream, run:
        git push --delete origin churn@v0.0.1
    Deleted git tag 'churn#prod#1'
    To push the changes upstream, run:
        git push --delete origin 'churn#prod#1'
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.2 tag -> second
    other@v0.0.1 tag -> second
    ");
}

#[test]
fn deprecate_writes_the_simple_form_on_the_commit_of_the_newest_event() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.commit("second");
    repo.commit("third");
    insta::assert_snapshot!(repo.t(&["deprecate", "churn"]), @"
    $ registry deprecate churn
    Created git tag 'churn@deprecated' that deprecates artifact
    To push the changes upstream, run:
        git push origin churn@deprecated
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@deprecated tag -> first
    ");
    insta::assert_snapshot!(message(&repo, "churn@deprecated"), @"Deprecating artifact 'churn'");
}

#[test]
fn deprecate_at_a_ref_with_a_message() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.commit("second");
    insta::assert_snapshot!(
        repo.t(&["deprecate", "churn", "--ref", "HEAD", "-m", "Replaced by churn2"]),
        @"
    $ registry deprecate churn --ref HEAD -m 'Replaced by churn2'
    Created git tag 'churn@deprecated' that deprecates artifact
    To push the changes upstream, run:
        git push origin churn@deprecated
    [exit 0]
    "
    );
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@deprecated tag -> second
    ");
    insta::assert_snapshot!(message(&repo, "churn@deprecated"), @"Replaced by churn2");
}

#[test]
fn deprecate_twice_needs_force_and_force_writes_the_counter_form() {
    let repo = two_versions();
    repo.run(&["deprecate", "churn"]).ok();
    insta::assert_snapshot!(session(&repo, &[
        &["deprecate", "churn"],
        &["deprecate", "churn", "--force", "--simple", "true"],
        &["deprecate", "churn", "--force"],
    ]), @"
    $ registry deprecate churn
    --- stderr
    error: Artifact was deprecated already
    [exit 1]
    $ registry deprecate churn --force --simple true
    --- stderr
    error: Can't use 'force' with 'simple=True'
    [exit 1]
    $ registry deprecate churn --force
    Created git tag 'churn@deprecated#2' that deprecates artifact
    To push the changes upstream, run:
        git push origin 'churn@deprecated#2'
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn#prod#1 tag -> first
    churn@v0.0.2 tag -> second
    other@v0.0.1 tag -> second
    churn@deprecated tag -> second
    churn@deprecated#2 tag -> second
    ");
}

#[test]
fn a_new_event_undeprecates_and_a_second_deprecation_takes_the_counter_form() {
    // reference §4.1: a later registration "un-deprecates"; the simple name is taken by then.
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["deprecate", "churn"]).ok();
    repo.commit("second");
    insta::assert_snapshot!(session(&repo, &[
        &["register", "churn"],
        &["deprecate", "churn"],
        &["deprecate", "churn"],
    ]), @"
    $ registry register churn
    Created git tag 'churn@v0.0.2' that registers version
    To push the changes upstream, run:
        git push origin churn@v0.0.2
    [exit 0]
    $ registry deprecate churn
    Created git tag 'churn@deprecated#1' that deprecates artifact
    To push the changes upstream, run:
        git push origin 'churn@deprecated#1'
    [exit 0]
    $ registry deprecate churn
    --- stderr
    error: Artifact was deprecated already
    [exit 1]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@deprecated tag -> first
    churn@v0.0.2 tag -> second
    churn@deprecated#1 tag -> second
    ");
}

#[test]
fn deprecate_errors() {
    let repo = two_versions();
    insta::assert_snapshot!(session(&repo, &[
        &["deprecate", "nope"],
        &["deprecate", "nope", "--delete"],
        &["deprecate", "churn", "--ref", "no-such-ref"],
        &["deprecate", "churn", "--simple", "maybe"],
    ]), @"
    $ registry deprecate nope
    --- stderr
    error: Cannot find artifact 'nope'
    hint: `registry show` lists the artifacts in this repository
    [exit 1]
    $ registry deprecate nope --delete
    --- stderr
    error: Cannot find artifact 'nope'
    [exit 1]
    $ registry deprecate churn --ref no-such-ref
    --- stderr
    error: unknown revision 'no-such-ref'
    hint: give a commit id, branch or tag that exists here (`git log --oneline` lists commits)
    [exit 1]
    $ registry deprecate churn --simple maybe
    --- stderr
    error: invalid value 'maybe' for '--simple <auto|true|false>'
      [possible values: auto, true, false]

    For more information, try '--help'.
    [exit 2]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn#prod#1 tag -> first
    churn@v0.0.2 tag -> second
    other@v0.0.1 tag -> second
    ");
}

#[test]
fn deprecate_dry_run_writes_nothing() {
    let repo = two_versions();
    let before = tags(&repo);
    insta::assert_snapshot!(session(&repo, &[
        &["deprecate", "churn", "--dry-run"],
        &["deprecate", "churn", "--delete", "--dry-run"],
    ]), @"
    $ registry deprecate churn --dry-run
    Would create git tag 'churn@deprecated' on commit aa80723: Deprecating artifact 'churn'
    [exit 0]
    $ registry deprecate churn --delete --dry-run
    Would delete git tag 'churn@v0.0.1'
    Would delete git tag 'churn#prod#1'
    Would delete git tag 'churn@v0.0.2'
    [exit 0]
    ");
    assert_eq!(tags(&repo), before);
}

#[test]
fn deprecate_delete_removes_every_tag_of_the_artifact() {
    let repo = two_versions();
    repo.run(&["deprecate", "churn"]).ok();
    insta::assert_snapshot!(repo.t(&["deprecate", "churn", "--delete"]), @"
    $ registry deprecate churn --delete
    --- stderr
    error: Artifact was deprecated already
    hint: use --force to delete its tags anyway
    [exit 1]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn#prod#1 tag -> first
    churn@v0.0.2 tag -> second
    other@v0.0.1 tag -> second
    churn@deprecated tag -> second
    ");
    // As in GTO, --force deletes the tags of a deprecated artifact.
    insta::assert_snapshot!(repo.t(&["deprecate", "churn", "--delete", "--force"]), @"
    $ registry deprecate churn --delete --force
    Deleted git tag 'churn@v0.0.1'
    To push the changes upstream, run:
        git push --delete origin churn@v0.0.1
    Deleted git tag 'churn#prod#1'
    To push the changes upstream, run:
        git push --delete origin 'churn#prod#1'
    Deleted git tag 'churn@v0.0.2'
    To push the changes upstream, run:
        git push --delete origin churn@v0.0.2
    Deleted git tag 'churn@deprecated'
    To push the changes upstream, run:
        git push --delete origin churn@deprecated
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"other@v0.0.1 tag -> second");
}
