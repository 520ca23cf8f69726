//! `registry promote`: the short form `promote NAME[@VERSION] STAGE` and GTO's
//! `promote NAME [REF] --stage STAGE` (SPEC §4.3; reference §5.2).

use super::{session, tags};
use crate::fixture::TestRepo;

#[test]
fn promote_the_latest_version_says_which_it_chose() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.commit("second");
    repo.run(&["register", "churn", "--bump-minor"]).ok();
    repo.commit("third");
    repo.run(&["register", "churn", "--version", "v0.0.9"]).ok();
    insta::assert_snapshot!(repo.t(&["promote", "churn", "prod"]), @"
    $ registry promote churn prod
    Promoting the latest version of 'churn': v0.1.0
    Created git tag 'churn#prod#1' that assigns stage to version 'v0.1.0'
    To push the changes upstream, run:
        git push origin 'churn#prod#1'
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@v0.1.0 tag -> second
    churn@v0.0.9 tag -> third
    churn#prod#1 tag -> second
    ");
}

#[test]
fn promote_skips_deregistered_versions_when_choosing_the_latest() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.commit("second");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["deregister", "churn", "v0.0.2"]).ok();
    insta::assert_snapshot!(repo.t(&["promote", "churn", "prod"]), @"
    $ registry promote churn prod
    Promoting the latest version of 'churn': v0.0.1
    Created git tag 'churn#prod#1' that assigns stage to version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'churn#prod#1'
    [exit 0]
    ");
}

#[test]
fn promote_a_named_version() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.commit("second");
    repo.run(&["register", "churn"]).ok();
    insta::assert_snapshot!(session(&repo, &[
        &["promote", "churn@v0.0.1", "staging"],
        &["promote", "churn@latest", "prod"],
        &["promote", "churn", "dev", "--version", "v0.0.1"],
        &["promote", "churn@v0.0.7", "dev"],
    ]), @"
    $ registry promote churn@v0.0.1 staging
    Created git tag 'churn#staging#1' that assigns stage to version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'churn#staging#1'
    [exit 0]
    $ registry promote churn@latest prod
    Promoting the latest version of 'churn': v0.0.2
    Created git tag 'churn#prod#2' that assigns stage to version 'v0.0.2'
    To push the changes upstream, run:
        git push origin 'churn#prod#2'
    [exit 0]
    $ registry promote churn dev --version v0.0.1
    Created git tag 'churn#dev#3' that assigns stage to version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'churn#dev#3'
    [exit 0]
    $ registry promote churn@v0.0.7 dev
    --- stderr
    error: Version 'v0.0.7' is not registered
    hint: `registry show churn` lists its versions
    [exit 1]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@v0.0.2 tag -> second
    churn#staging#1 tag -> first
    churn#prod#2 tag -> second
    churn#dev#3 tag -> first
    ");
}

#[test]
fn promote_with_gto_signature() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.commit("second");
    insta::assert_snapshot!(session(&repo, &[
        &["promote", "churn", "HEAD~1", "--stage", "dev"],
        &["promote", "churn", "--stage", "prod"],
        &["promote", "churn", "--stage", "qa", "--version", "v0.0.1"],
    ]), @"
    $ registry promote churn 'HEAD~1' --stage dev
    Created git tag 'churn@v0.0.1' that registers version
    To push the changes upstream, run:
        git push origin churn@v0.0.1
    Created git tag 'churn#dev#1' that assigns stage to version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'churn#dev#1'
    [exit 0]
    $ registry promote churn --stage prod
    Created git tag 'churn@v0.0.2' that registers version
    To push the changes upstream, run:
        git push origin churn@v0.0.2
    Created git tag 'churn#prod#2' that assigns stage to version 'v0.0.2'
    To push the changes upstream, run:
        git push origin 'churn#prod#2'
    [exit 0]
    $ registry promote churn --stage qa --version v0.0.1
    Created git tag 'churn#qa#3' that assigns stage to version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'churn#qa#3'
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn#dev#1 tag -> first
    churn@v0.0.1 tag -> first
    churn#prod#2 tag -> second
    churn@v0.0.2 tag -> second
    churn#qa#3 tag -> first
    ");
}

#[test]
fn promote_errors() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["deregister", "churn", "v0.0.1"]).ok();
    insta::assert_snapshot!(session(&repo, &[
        &["promote", "nope", "prod"],
        &["promote", "churn", "prod"],
        &["promote", "churn"],
        &["promote", "churn@v0.0.1", "--stage", "prod"],
        &["promote", "churn@v0.0.1", "prod", "--version", "v0.0.1"],
        &["promote", "churn", "p.x"],
    ]), @"
    $ registry promote nope prod
    --- stderr
    error: Cannot find artifact 'nope'
    hint: register a version first: `registry register nope`
    [exit 1]
    $ registry promote churn prod
    --- stderr
    error: No versions found for 'churn'
    hint: register a version first: `registry register churn`
    [exit 1]
    $ registry promote churn
    --- stderr
    error: missing STAGE: use `registry promote NAME[@VERSION] STAGE` or `registry promote NAME [REF] --stage STAGE`

    For more information, try '--help'.
    [exit 2]
    $ registry promote churn@v0.0.1 --stage prod
    --- stderr
    error: give the version either as NAME@VERSION (short form) or with --version, not with --stage

    For more information, try '--help'.
    [exit 2]
    $ registry promote churn@v0.0.1 prod --version v0.0.1
    --- stderr
    error: give the version once: NAME@VERSION or --version

    For more information, try '--help'.
    [exit 2]
    $ registry promote churn p.x
    --- stderr
    error: Invalid value 'p.x'. Only letters, numbers, '_', '-', '/' are allowed. Value must be of len >= 2 and must start and end with a letter or a number.

    For more information, try '--help'.
    [exit 2]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@v0.0.1! tag -> first
    ");
}

#[test]
fn promote_dry_run_writes_nothing() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    let before = tags(&repo);
    insta::assert_snapshot!(repo.t(&["promote", "churn", "prod", "--dry-run"]), @"
    $ registry promote churn prod --dry-run
    Promoting the latest version of 'churn': v0.0.1
    Would create git tag 'churn#prod#1' on commit 2d199a9: Assigning stage prod to artifact churn version v0.0.1
    [exit 0]
    ");
    assert_eq!(tags(&repo), before);
}
