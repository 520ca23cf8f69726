//! `registry register`: the tags it writes (SPEC §2, §4.2; reference §3, §5.1).

use super::{message, session, tags};
use crate::fixture::TestRepo;

#[test]
fn first_version_is_v0_0_1_in_the_simple_form() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(repo.t(&["register", "churn"]), @"
    $ registry register churn
    Created git tag 'churn@v0.0.1' that registers version
    To push the changes upstream, run:
        git push origin churn@v0.0.1
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"churn@v0.0.1 tag -> first");
    insta::assert_snapshot!(message(&repo, "churn@v0.0.1"), @"Registering artifact churn version v0.0.1");
}

#[test]
fn next_version_bumps_the_highest_one() {
    let repo = TestRepo::new();
    repo.commit("one");
    repo.run(&["register", "churn", "--version", "v1.2.3"]).ok();
    repo.commit("two");
    let patch = repo.t(&["register", "churn"]);
    repo.commit("three");
    let minor = repo.t(&["register", "churn", "--bump-minor"]);
    repo.commit("four");
    let major = repo.t(&["register", "churn", "--bump-major"]);
    repo.commit("five");
    let explicit_patch = repo.t(&["register", "churn", "--bump-patch"]);
    insta::assert_snapshot!([patch, minor, major, explicit_patch].join("\n"), @"
    $ registry register churn
    Created git tag 'churn@v1.2.4' that registers version
    To push the changes upstream, run:
        git push origin churn@v1.2.4
    [exit 0]
    $ registry register churn --bump-minor
    Created git tag 'churn@v1.3.0' that registers version
    To push the changes upstream, run:
        git push origin churn@v1.3.0
    [exit 0]
    $ registry register churn --bump-major
    Created git tag 'churn@v2.0.0' that registers version
    To push the changes upstream, run:
        git push origin churn@v2.0.0
    [exit 0]
    $ registry register churn --bump-patch
    Created git tag 'churn@v2.0.1' that registers version
    To push the changes upstream, run:
        git push origin churn@v2.0.1
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v1.2.3 tag -> one
    churn@v1.2.4 tag -> two
    churn@v1.3.0 tag -> three
    churn@v2.0.0 tag -> four
    churn@v2.0.1 tag -> five
    ");
}

#[test]
fn a_lower_version_can_be_registered_explicitly_and_does_not_change_the_bump_base() {
    let repo = TestRepo::new();
    repo.commit("one");
    repo.run(&["register", "churn", "--version", "v0.1.1"]).ok();
    repo.commit("two");
    repo.run(&["register", "churn", "--ver", "v0.0.5"]).ok();
    repo.commit("three");
    insta::assert_snapshot!(repo.t(&["register", "churn"]), @"
    $ registry register churn
    Created git tag 'churn@v0.1.2' that registers version
    To push the changes upstream, run:
        git push origin churn@v0.1.2
    [exit 0]
    ");
}

#[test]
fn a_prerelease_is_bumped_like_python_semver_does() {
    // reference §5.1: `v1.0.0-rc.1` → patch bump `v1.0.1`.
    let repo = TestRepo::new();
    repo.commit("one");
    repo.run(&["register", "churn", "--version", "v1.0.0-rc.1"])
        .ok();
    repo.commit("two");
    insta::assert_snapshot!(repo.t(&["register", "churn"]), @"
    $ registry register churn
    Created git tag 'churn@v1.0.1' that registers version
    To push the changes upstream, run:
        git push origin churn@v1.0.1
    [exit 0]
    ");
}

#[test]
fn prerelease_and_build_metadata_are_kept_in_the_tag_name() {
    let repo = TestRepo::new();
    repo.commit("one");
    repo.commit("two");
    repo.commit("three");
    insta::assert_snapshot!(session(&repo, &[
        &["register", "churn", "HEAD~2", "--version", "v2.0.0-rc.1"],
        &["register", "churn", "HEAD~1", "--version", "v2.0.0+build.7"],
        &["register", "churn", "--bump-minor"],
    ]), @"
    $ registry register churn 'HEAD~2' --version v2.0.0-rc.1
    Created git tag 'churn@v2.0.0-rc.1' that registers version
    To push the changes upstream, run:
        git push origin churn@v2.0.0-rc.1
    [exit 0]
    $ registry register churn 'HEAD~1' --version v2.0.0+build.7
    Created git tag 'churn@v2.0.0+build.7' that registers version
    To push the changes upstream, run:
        git push origin churn@v2.0.0+build.7
    [exit 0]
    $ registry register churn --bump-minor
    Created git tag 'churn@v2.1.0' that registers version
    To push the changes upstream, run:
        git push origin churn@v2.1.0
    [exit 0]
    ");
}

#[test]
fn registers_the_commit_a_tag_points_at() {
    // An annotated git tag (a release tag, or another artifact's registry tag) names its commit.
    let repo = TestRepo::new();
    repo.commit("first");
    repo.git(&["tag", "-a", "-m", "release", "release-1"]);
    repo.run(&["register", "other"]).ok();
    repo.commit("second");
    insta::assert_snapshot!(session(&repo, &[
        &["register", "churn", "release-1"],
        &["register", "third", "other@v0.0.1"],
    ]), @"
    $ registry register churn release-1
    Created git tag 'churn@v0.0.1' that registers version
    To push the changes upstream, run:
        git push origin churn@v0.0.1
    [exit 0]
    $ registry register third other@v0.0.1
    Created git tag 'third@v0.0.1' that registers version
    To push the changes upstream, run:
        git push origin third@v0.0.1
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    release-1 tag -> first
    other@v0.0.1 tag -> first
    churn@v0.0.1 tag -> first
    third@v0.0.1 tag -> first
    ");
}

#[test]
fn registers_the_given_ref() {
    let repo = TestRepo::new();
    let first = repo.commit("first");
    repo.commit("second");
    repo.commit("third");
    insta::assert_snapshot!(session(&repo, &[
        &["register", "churn", "HEAD~2"],
        &["register", "churn", "main~1"],
        &["register", "other", &first[..7]],
    ]), @"
    $ registry register churn 'HEAD~2'
    Created git tag 'churn@v0.0.1' that registers version
    To push the changes upstream, run:
        git push origin churn@v0.0.1
    [exit 0]
    $ registry register churn 'main~1'
    Created git tag 'churn@v0.0.2' that registers version
    To push the changes upstream, run:
        git push origin churn@v0.0.2
    [exit 0]
    $ registry register other 2d199a9
    Created git tag 'other@v0.0.1' that registers version
    To push the changes upstream, run:
        git push origin other@v0.0.1
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@v0.0.2 tag -> second
    other@v0.0.1 tag -> first
    ");
}

#[test]
fn monorepo_names_write_dir_equals_name() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(repo.t(&["register", "models/cv:resnet"]), @"
    $ registry register models/cv:resnet
    Created git tag 'models/cv=resnet@v0.0.1' that registers version
    To push the changes upstream, run:
        git push origin models/cv=resnet@v0.0.1
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"models/cv=resnet@v0.0.1 tag -> first");
    insta::assert_snapshot!(message(&repo, "models/cv=resnet@v0.0.1"), @"Registering artifact models/cv:resnet version v0.0.1");
}

#[test]
fn simple_false_writes_the_counter_form_and_simple_true_the_simple_form() {
    let repo = TestRepo::new();
    repo.commit("first");
    let counter = repo.t(&["register", "churn", "--simple", "false"]);
    repo.commit("second");
    let simple = repo.t(&["register", "churn", "--simple", "true"]);
    repo.commit("third");
    let auto = repo.t(&["register", "churn", "--simple", "auto"]);
    insta::assert_snapshot!([counter, simple, auto].join("\n"), @"
    $ registry register churn --simple false
    Created git tag 'churn@v0.0.1#1' that registers version
    To push the changes upstream, run:
        git push origin 'churn@v0.0.1#1'
    [exit 0]
    $ registry register churn --simple true
    Created git tag 'churn@v0.0.2' that registers version
    To push the changes upstream, run:
        git push origin churn@v0.0.2
    [exit 0]
    $ registry register churn --simple auto
    Created git tag 'churn@v0.0.3' that registers version
    To push the changes upstream, run:
        git push origin churn@v0.0.3
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1#1 tag -> first
    churn@v0.0.2 tag -> second
    churn@v0.0.3 tag -> third
    ");
}

#[test]
fn message_replaces_the_default() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn", "-m", "Ship the Q3 model"])
        .ok();
    repo.commit("second");
    repo.run(&["register", "churn", "--message", "Retrained on March data"])
        .ok();
    insta::assert_snapshot!(message(&repo, "churn@v0.0.1"), @"Ship the Q3 model");
    insta::assert_snapshot!(message(&repo, "churn@v0.0.2"), @"Retrained on March data");
}

#[test]
fn an_empty_message_means_the_default_one() {
    // GTO: `message or default`, so `-m ''` writes the default message.
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn", "-m", ""]).ok();
    assert_eq!(
        message(&repo, "churn@v0.0.1"),
        "Registering artifact churn version v0.0.1"
    );
}

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(repo.t(&["register", "churn", "--dry-run", "-m", "Ship it"]), @"
    $ registry register churn --dry-run -m 'Ship it'
    Would create git tag 'churn@v0.0.1' on commit 2d199a9: Ship it
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"(no tags)");
}
