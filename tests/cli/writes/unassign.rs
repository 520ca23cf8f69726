//! `registry unassign` and GTO's `deprecate NAME VERSION STAGE` (SPEC §4.3; reference §5.3;
//! bug B6).

use super::{message, session, tags};
use crate::fixture::TestRepo;

/// `churn` v0.0.1 on "first", v0.0.2 on "second"; v0.0.1 in prod (`churn#prod#1`).
fn churn_in_prod() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.commit("second");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["promote", "churn@v0.0.1", "prod"]).ok();
    repo
}

#[test]
fn unassign_takes_the_stage_from_the_version_that_holds_it() {
    let repo = churn_in_prod();
    insta::assert_snapshot!(repo.t(&["unassign", "churn", "prod"]), @"
    $ registry unassign churn prod
    Created git tag 'churn#prod!#2' that unassigns stage from version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'churn#prod!#2'
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@v0.0.2 tag -> second
    churn#prod#1 tag -> first
    churn#prod!#2 tag -> first
    ");
    insta::assert_snapshot!(message(&repo, "churn#prod!#2"), @"Unassigning stage 'prod' to artifact 'churn' version 'v0.0.1'");
}

#[test]
fn unassign_without_version_takes_from_the_newest_holder() {
    // reference §4.3: each stage shows the version whose active assignment is newest; taking
    // prod from v0.0.2 leaves v0.0.1's older, still active assignment in view.
    let repo = churn_in_prod();
    repo.run(&["promote", "churn@v0.0.2", "prod"]).ok();
    insta::assert_snapshot!(session(&repo, &[
        &["unassign", "churn", "prod"],
        &["show", "churn#prod", "--version"],
        &["unassign", "churn", "prod"],
        &["show", "churn#prod", "--version"],
    ]), @"
    $ registry unassign churn prod
    Created git tag 'churn#prod!#3' that unassigns stage from version 'v0.0.2'
    To push the changes upstream, run:
        git push origin 'churn#prod!#3'
    [exit 0]
    $ registry show 'churn#prod' --version
    v0.0.1
    [exit 0]
    $ registry unassign churn prod
    Created git tag 'churn#prod!#4' that unassigns stage from version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'churn#prod!#4'
    [exit 0]
    $ registry show 'churn#prod' --version
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@v0.0.2 tag -> second
    churn#prod#1 tag -> first
    churn#prod#2 tag -> second
    churn#prod!#3 tag -> second
    churn#prod!#4 tag -> first
    ");
}

#[test]
fn unassign_a_named_version_with_a_message() {
    let repo = churn_in_prod();
    insta::assert_snapshot!(
        repo.t(&["unassign", "churn", "prod", "--version", "v0.0.1", "-m", "Rolled back: bad AUC"]),
        @"
    $ registry unassign churn prod --version v0.0.1 -m 'Rolled back: bad AUC'
    Created git tag 'churn#prod!#2' that unassigns stage from version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'churn#prod!#2'
    [exit 0]
    "
    );
    insta::assert_snapshot!(message(&repo, "churn#prod!#2"), @"Rolled back: bad AUC");
}

#[test]
fn deprecate_name_version_stage_is_gto_unassign() {
    let repo = churn_in_prod();
    insta::assert_snapshot!(repo.t(&["deprecate", "churn", "v0.0.1", "prod"]), @"
    $ registry deprecate churn v0.0.1 prod
    Created git tag 'churn#prod!#2' that unassigns stage from version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'churn#prod!#2'
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@v0.0.2 tag -> second
    churn#prod#1 tag -> first
    churn#prod!#2 tag -> first
    ");
}

#[test]
fn unassign_simple_forms() {
    let repo = churn_in_prod();
    repo.run(&["promote", "churn@v0.0.2", "dev"]).ok();
    insta::assert_snapshot!(session(&repo, &[
        &["unassign", "churn", "prod", "--simple", "true"],
        &["unassign", "churn", "dev", "--simple", "false"],
    ]), @"
    $ registry unassign churn prod --simple true
    Created git tag 'churn#prod!' that unassigns stage from version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'churn#prod!'
    [exit 0]
    $ registry unassign churn dev --simple false
    Created git tag 'churn#dev!#3' that unassigns stage from version 'v0.0.2'
    To push the changes upstream, run:
        git push origin 'churn#dev!#3'
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@v0.0.2 tag -> second
    churn#prod#1 tag -> first
    churn#dev#2 tag -> second
    churn#prod! tag -> first
    churn#dev!#3 tag -> second
    ");
}

#[test]
fn b6_unassigning_a_stage_the_version_does_not_hold_is_refused_without_force() {
    // GTO only checks that the stage was *ever* assigned, so a second unassign writes a
    // second tag. We refuse unless --force.
    let repo = churn_in_prod();
    repo.run(&["unassign", "churn", "prod"]).ok();
    insta::assert_snapshot!(session(&repo, &[
        &["unassign", "churn", "prod", "--version", "v0.0.1"],
        &["deprecate", "churn", "v0.0.1", "prod"],
        &["unassign", "churn", "prod"],
        &["unassign", "churn", "dev", "--version", "v0.0.2"],
    ]), @"
    $ registry unassign churn prod --version v0.0.1
    --- stderr
    error: Stage 'prod' is not assigned to a version 'v0.0.1'
    hint: use --force to write the unassignment tag anyway
    [exit 1]
    $ registry deprecate churn v0.0.1 prod
    --- stderr
    error: Stage 'prod' is not assigned to a version 'v0.0.1'
    hint: use --force to write the unassignment tag anyway
    [exit 1]
    $ registry unassign churn prod
    --- stderr
    error: Stage 'prod' is not assigned to any version of 'churn'
    [exit 1]
    $ registry unassign churn dev --version v0.0.2
    --- stderr
    error: Stage 'dev' is not assigned to a version 'v0.0.2'
    hint: use --force to write the unassignment tag anyway
    [exit 1]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@v0.0.2 tag -> second
    churn#prod#1 tag -> first
    churn#prod!#2 tag -> first
    ");
    insta::assert_snapshot!(
        repo.t(&["unassign", "churn", "prod", "--version", "v0.0.1", "--force"]),
        @"
    $ registry unassign churn prod --version v0.0.1 --force
    Created git tag 'churn#prod!#3' that unassigns stage from version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'churn#prod!#3'
    [exit 0]
    "
    );
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@v0.0.2 tag -> second
    churn#prod#1 tag -> first
    churn#prod!#2 tag -> first
    churn#prod!#3 tag -> first
    ");
}

#[test]
fn b6_an_assignment_and_an_unassignment_in_the_same_second() {
    // reference §4.1: at equal tagger seconds the unassignment wins, so the stage is not held
    // and a second unassignment is refused, as `show` agrees.
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.set_clock(1_700_050_000);
    repo.run(&["promote", "churn", "prod"]).ok();
    repo.set_clock(1_700_050_000);
    repo.run(&["unassign", "churn", "prod"]).ok();
    insta::assert_snapshot!(session(&repo, &[
        &["show", "churn#prod", "--version"],
        &["unassign", "churn", "prod", "--version", "v0.0.1"],
    ]), @"
    $ registry show 'churn#prod' --version
    [exit 0]
    $ registry unassign churn prod --version v0.0.1
    --- stderr
    error: Stage 'prod' is not assigned to a version 'v0.0.1'
    hint: use --force to write the unassignment tag anyway
    [exit 1]
    ");
}

#[test]
fn unassign_errors() {
    let repo = TestRepo::new();
    repo.write(".gto", "stages: [dev, prod]\n");
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["promote", "churn", "prod"]).ok();
    insta::assert_snapshot!(session(&repo, &[
        &["unassign", "nope", "prod"],
        &["unassign", "churn", "prod", "--version", "v9.9.9"],
        &["unassign", "churn", "prod", "--version", "0.0.1"],
        &["unassign", "churn", "qa"],
        &["deprecate", "churn", "v0.0.1", "qa"],
        &["unassign", "churn"],
        &["unassign", "churn", "v1.0.0"],
    ]), @"
    $ registry unassign nope prod
    --- stderr
    error: Cannot find artifact 'nope'
    hint: `registry show` lists the artifacts in this repository
    [exit 1]
    $ registry unassign churn prod --version v9.9.9
    --- stderr
    error: No versions found for 'churn'
    [exit 1]
    $ registry unassign churn prod --version 0.0.1
    --- stderr
    error: invalid value '0.0.1' for '--version <VERSION>': not a version: versions look like v1.2.3, v1.0.0-rc.1 or v2.0.0+build.5

    For more information, try '--help'.
    [exit 2]
    $ registry unassign churn qa
    --- stderr
    error: Allowed stages are: '['dev', 'prod']'
    hint: stage 'qa' is not in the `stages` list of the config (.gto or .registry.yaml)
    [exit 1]
    $ registry deprecate churn v0.0.1 qa
    --- stderr
    error: Allowed stages are: '['dev', 'prod']'
    hint: stage 'qa' is not in the `stages` list of the config (.gto or .registry.yaml)
    [exit 1]
    $ registry unassign churn
    --- stderr
    error: the following required arguments were not provided:
      <STAGE>

    Usage: registry unassign <NAME> <STAGE>

    For more information, try '--help'.
    [exit 2]
    $ registry unassign churn v1.0.0
    --- stderr
    error: invalid value 'v1.0.0' for '<STAGE>': Invalid value 'v1.0.0'. Only letters, numbers, '_', '-', '/' are allowed. Value must be of len >= 2 and must start and end with a letter or a number.

    For more information, try '--help'.
    [exit 2]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn#prod#1 tag -> first
    ");
}

#[test]
fn unassign_dry_run_writes_nothing() {
    let repo = churn_in_prod();
    let before = tags(&repo);
    insta::assert_snapshot!(session(&repo, &[
        &["unassign", "churn", "prod", "--dry-run"],
        &["deprecate", "churn", "v0.0.1", "prod", "--dry-run"],
    ]), @"
    $ registry unassign churn prod --dry-run
    Would create git tag 'churn#prod!#2' on commit 2d199a9: Unassigning stage 'prod' to artifact 'churn' version 'v0.0.1'
    [exit 0]
    $ registry deprecate churn v0.0.1 prod --dry-run
    Would create git tag 'churn#prod!#2' on commit 2d199a9: Unassigning stage 'prod' to artifact 'churn' version 'v0.0.1'
    [exit 0]
    ");
    assert_eq!(tags(&repo), before);
}

#[test]
fn delete_removes_the_versions_tags_for_that_stage() {
    let repo = churn_in_prod();
    repo.run(&["unassign", "churn", "prod"]).ok();
    repo.run(&["promote", "churn@v0.0.2", "prod"]).ok();
    repo.run(&["promote", "churn@v0.0.1", "dev"]).ok();
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@v0.0.2 tag -> second
    churn#prod#1 tag -> first
    churn#prod!#2 tag -> first
    churn#prod#3 tag -> second
    churn#dev#4 tag -> first
    ");
    insta::assert_snapshot!(
        repo.t(&["unassign", "churn", "prod", "--version", "v0.0.1", "--delete", "--dry-run"]),
        @"
    $ registry unassign churn prod --version v0.0.1 --delete --dry-run
    Would delete git tag 'churn#prod#1'
    Would delete git tag 'churn#prod!#2'
    [exit 0]
    "
    );
    insta::assert_snapshot!(
        repo.t(&["unassign", "churn", "prod", "--version", "v0.0.1", "--delete"]),
        @"
    $ registry unassign churn prod --version v0.0.1 --delete
    Deleted git tag 'churn#prod#1'
    To push the changes upstream, run:
        git push --delete origin 'churn#prod#1'
    Deleted git tag 'churn#prod!#2'
    To push the changes upstream, run:
        git push --delete origin 'churn#prod!#2'
    [exit 0]
    "
    );
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@v0.0.2 tag -> second
    churn#prod#3 tag -> second
    churn#dev#4 tag -> first
    ");
}

#[test]
fn delete_of_a_stage_the_version_never_had_is_an_error() {
    // GTO checks "ever assigned" before deleting: `Stage 'dev' is not assigned to a version
    // 'v0.0.1'`, exit 1. Succeeding with nothing deleted hides a typo in the stage or version.
    let repo = churn_in_prod();
    let before = tags(&repo);
    for args in [
        &[
            "unassign",
            "churn",
            "dev",
            "--version",
            "v0.0.1",
            "--delete",
        ][..],
        &["deprecate", "churn", "v0.0.1", "dev", "--delete"][..],
    ] {
        let run = repo.run(args);
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(
            run.stderr
                .starts_with("error: Stage 'dev' is not assigned to a version 'v0.0.1'\n"),
            "{}",
            run.transcript()
        );
        assert_eq!(run.stdout, "", "{}", run.transcript());
    }
    assert_eq!(tags(&repo), before);
}

#[test]
fn deprecate_name_version_stage_delete() {
    let repo = churn_in_prod();
    insta::assert_snapshot!(repo.t(&["deprecate", "churn", "v0.0.1", "prod", "-d"]), @"
    $ registry deprecate churn v0.0.1 prod -d
    Deleted git tag 'churn#prod#1'
    To push the changes upstream, run:
        git push --delete origin 'churn#prod#1'
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@v0.0.2 tag -> second
    ");
}
