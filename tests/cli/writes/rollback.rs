//! `registry rollback`: gives a stage back to the version that held it before (beyond GTO;
//! SPEC §4.3).

use crate::fixture::TestRepo;
use crate::reads::three_versions_through_prod;

#[test]
fn rollback_gives_the_stage_back_to_the_previous_holder() {
    let repo = TestRepo::new();
    three_versions_through_prod(&repo);
    insta::assert_snapshot!(repo.t(&["rollback", "churn", "prod"]), @"
    $ registry rollback churn prod
    Rolling back 'churn' prod: v0.0.3 -> v0.0.2
    Created git tag 'churn#prod#4' that assigns stage to version 'v0.0.2'
    To push the changes upstream, run:
        git push origin 'churn#prod#4'
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn#prod", "--version"]), @"
    $ registry show 'churn#prod' --version
    v0.0.2
    [exit 0]
    ");
    // The rollback is an ordinary assignment; its message says what it was.
    let msg = repo.git(&["tag", "-l", "--format=%(contents)", "churn#prod#4"]);
    assert_eq!(
        msg,
        "Rolling back stage prod of artifact churn to version v0.0.2 (from v0.0.3)"
    );
    assert_eq!(
        repo.run(&["check-ref", "churn#prod#4", "--event"]).ok(),
        "assignment\n"
    );
    // Rolling back again goes to the holder before that: v0.0.3 held prod most recently
    // among the others.
    insta::assert_snapshot!(repo.t(&["rollback", "churn", "prod", "--dry-run"]), @"
    $ registry rollback churn prod --dry-run
    Rolling back 'churn' prod: v0.0.2 -> v0.0.3
    Would create git tag 'churn#prod#5' on commit 0f174f0: Rolling back stage prod of artifact churn to version v0.0.3 (from v0.0.2)
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["rollback", "churn", "prod", "--to", "v0.0.1"]), @"
    $ registry rollback churn prod --to v0.0.1
    Rolling back 'churn' prod: v0.0.2 -> v0.0.1
    Created git tag 'churn#prod#5' that assigns stage to version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'churn#prod#5'
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn#prod", "--version"]), @"
    $ registry show 'churn#prod' --version
    v0.0.1
    [exit 0]
    ");
}

#[test]
fn rollback_refuses_what_it_cannot_do() {
    let repo = TestRepo::new();
    repo.commit("one");
    repo.run(&["register", "churn"]).ok();
    insta::assert_snapshot!(repo.t(&["rollback", "churn", "prod"]), @"
    $ registry rollback churn prod
    --- stderr
    error: Stage 'prod' of 'churn' is not held by any version: nothing to roll back
    hint: promote a version instead: `registry promote churn@VERSION prod`
    [exit 1]
    ");
    repo.run(&["promote", "churn", "prod"]).ok();
    insta::assert_snapshot!(repo.t(&["rollback", "churn", "prod"]), @"
    $ registry rollback churn prod
    --- stderr
    error: no earlier version of 'churn' held 'prod' and is still registered
    hint: name the version to go back to with --to VERSION
    [exit 1]
    ");
    insta::assert_snapshot!(repo.t(&["rollback", "churn", "prod", "--to", "v0.0.1"]), @"
    $ registry rollback churn prod --to v0.0.1
    --- stderr
    error: Version 'v0.0.1' holds 'prod' already: nothing to roll back
    [exit 1]
    ");
    repo.commit("two");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["promote", "churn", "prod"]).ok();
    repo.run(&["deregister", "churn", "v0.0.1"]).ok();
    insta::assert_snapshot!(repo.t(&["rollback", "churn", "prod"]), @"
    $ registry rollback churn prod
    --- stderr
    error: no earlier version of 'churn' held 'prod' and is still registered
    hint: name the version to go back to with --to VERSION
    [exit 1]
    ");
    insta::assert_snapshot!(repo.t(&["rollback", "nope", "prod"]), @"
    $ registry rollback nope prod
    --- stderr
    error: Cannot find artifact 'nope'
    hint: `registry show` lists the artifacts in this repository
    [exit 1]
    ");
}

#[test]
fn a_bad_to_is_a_usage_error_before_any_repository_is_opened() {
    // `--to` is parsed by clap, as every version argument is: outside a repository the usage
    // error still comes first (it used to be exit 1, and only once the stage had a holder).
    let dir = TestRepo::bare_dir();
    insta::assert_snapshot!(dir.t(&["rollback", "churn", "prod", "--to", "1.0"]), @"
    $ registry rollback churn prod --to 1.0
    --- stderr
    error: invalid value '1.0' for '--to <VERSION>': not a version: versions look like v1.2.3, v1.0.0-rc.1 or v2.0.0+build.5

    For more information, try '--help'.
    [exit 2]
    ");
}
