//! `registry assign` and `registry promote` (SPEC §4.3; reference §3.3–3.4, §5.2, §12).

use super::{message, session, tags};
use crate::fixture::TestRepo;

#[test]
fn assign_registers_head_then_assigns_in_the_counter_form() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(repo.t(&["assign", "churn", "--stage", "dev"]), @"
    $ registry assign churn --stage dev
    Created git tag 'churn@v0.0.1' that registers version
    To push the changes upstream, run:
        git push origin churn@v0.0.1
    Created git tag 'churn#dev#1' that assigns stage to version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'churn#dev#1'
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn#dev#1 tag -> first
    churn@v0.0.1 tag -> first
    ");
    insta::assert_snapshot!(message(&repo, "churn@v0.0.1"), @"Registering artifact churn version v0.0.1");
    insta::assert_snapshot!(message(&repo, "churn#dev#1"), @"Assigning stage dev to artifact churn version v0.0.1");
}

#[test]
fn assign_at_a_ref_registers_that_commit_with_the_next_version() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.commit("second");
    repo.commit("third");
    insta::assert_snapshot!(repo.t(&["assign", "churn", "HEAD~1", "--stage", "prod"]), @"
    $ registry assign churn 'HEAD~1' --stage prod
    Created git tag 'churn@v0.0.2' that registers version
    To push the changes upstream, run:
        git push origin churn@v0.0.2
    Created git tag 'churn#prod#1' that assigns stage to version 'v0.0.2'
    To push the changes upstream, run:
        git push origin 'churn#prod#1'
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn#prod#1 tag -> second
    churn@v0.0.2 tag -> second
    ");
}

#[test]
fn assign_at_a_ref_with_version_names_the_registration() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(
        repo.t(&["assign", "churn", "HEAD", "--stage", "dev", "--version", "v1.0.0"]),
        @"
    $ registry assign churn HEAD --stage dev --version v1.0.0
    Created git tag 'churn@v1.0.0' that registers version
    To push the changes upstream, run:
        git push origin churn@v1.0.0
    Created git tag 'churn#dev#1' that assigns stage to version 'v1.0.0'
    To push the changes upstream, run:
        git push origin 'churn#dev#1'
    [exit 0]
    "
    );
    insta::assert_snapshot!(tags(&repo), @"
    churn#dev#1 tag -> first
    churn@v1.0.0 tag -> first
    ");
}

#[test]
fn assign_an_existing_version() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.commit("second");
    repo.run(&["register", "churn"]).ok();
    insta::assert_snapshot!(
        repo.t(&["assign", "churn", "--stage", "prod", "--version", "v0.0.1"]),
        @"
    $ registry assign churn --stage prod --version v0.0.1
    Created git tag 'churn#prod#1' that assigns stage to version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'churn#prod#1'
    [exit 0]
    "
    );
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@v0.0.2 tag -> second
    churn#prod#1 tag -> first
    ");
    insta::assert_snapshot!(message(&repo, "churn#prod#1"), @"Assigning stage prod to artifact churn version v0.0.1");
}

#[test]
fn assign_an_already_registered_ref_uses_its_version() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn", "--version", "v2.0.0"]).ok();
    insta::assert_snapshot!(repo.t(&["assign", "churn", "HEAD", "--stage", "dev"]), @"
    $ registry assign churn HEAD --stage dev
    Created git tag 'churn#dev#1' that assigns stage to version 'v2.0.0'
    To push the changes upstream, run:
        git push origin 'churn#dev#1'
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v2.0.0 tag -> first
    churn#dev#1 tag -> first
    ");
}

#[test]
fn skip_registration_assigns_the_bare_commit() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(repo.t(&["assign", "churn", "--stage", "dev", "--sr"]), @"
    $ registry assign churn --stage dev --sr
    Created git tag 'churn#dev#1' that assigns stage to version '2d199a9ae072d4a1c823d06b148adcc4db1e4ade'
    To push the changes upstream, run:
        git push origin 'churn#dev#1'
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"churn#dev#1 tag -> first");
    insta::assert_snapshot!(message(&repo, "churn#dev#1"), @"Assigning stage dev to artifact churn version 2d199a9ae072d4a1c823d06b148adcc4db1e4ade");
    repo.commit("second");
    insta::assert_snapshot!(session(&repo, &[
        &["assign", "churn", "HEAD", "--stage", "dev", "--skip-registration"],
        &["assign", "churn", "HEAD", "--stage", "dev", "--sr"],
    ]),
        @"
    $ registry assign churn HEAD --stage dev --skip-registration
    Created git tag 'churn#dev#2' that assigns stage to version '6deb2c8bd3a078720a4021b567c43da99f0f175b'
    To push the changes upstream, run:
        git push origin 'churn#dev#2'
    [exit 0]
    $ registry assign churn HEAD --stage dev --sr
    --- stderr
    error: Version '6deb2c8bd3a078720a4021b567c43da99f0f175b' is already in stage 'dev'. Use the '--force' flag to create a new Git tag nevertheless.
    [exit 1]
    "
    );
}

#[test]
fn skip_registration_and_a_version_name_exclude_each_other() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(
        repo.t(&["assign", "churn", "HEAD", "--stage", "dev", "--sr", "--version", "v1.0.0"]),
        @"
    $ registry assign churn HEAD --stage dev --sr --version v1.0.0
    --- stderr
    error: You either need to supply version name or skip registration
    [exit 1]
    "
    );
    insta::assert_snapshot!(tags(&repo), @"(no tags)");
}

#[test]
fn counters_are_one_more_than_the_highest_of_the_artifact() {
    // reference §3.3: per artifact, shared across event kinds, lightweight tags included.
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["assign", "churn", "--stage", "dev"]).ok();
    repo.run(&["assign", "churn", "--stage", "prod"]).ok();
    repo.run(&["unassign", "churn", "dev"]).ok();
    repo.commit("second");
    repo.run(&["register", "churn", "--simple", "false"]).ok();
    // Another artifact's counters do not count; a lightweight tag of this one does.
    repo.git(&["tag", "-a", "-m", "hand-made", "other#dev#40"]);
    repo.git(&["tag", "churn#qa#9"]);
    repo.run(&["assign", "churn", "--stage", "staging"]).ok();
    repo.run(&["deprecate", "churn", "--force"]).ok();
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn#dev#1 tag -> first
    churn#prod#2 tag -> first
    churn#dev!#3 tag -> first
    churn#qa#9 commit -> second
    churn@v0.0.2#4 tag -> second
    other#dev#40 tag -> second
    churn#staging#10 tag -> second
    churn@deprecated#11 tag -> second
    ");
}

#[test]
fn simple_true_writes_the_simple_form_once() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.commit("second");
    repo.run(&["register", "churn"]).ok();
    insta::assert_snapshot!(session(&repo, &[
        &["assign", "churn", "--stage", "prod", "--version", "v0.0.1", "--simple", "true"],
        &["assign", "churn", "--stage", "prod", "--version", "v0.0.2", "--simple", "true"],
        &["assign", "churn", "--stage", "prod", "--version", "v0.0.2", "--simple", "false"],
    ]), @"
    $ registry assign churn --stage prod --version v0.0.1 --simple true
    Created git tag 'churn#prod' that assigns stage to version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'churn#prod'
    [exit 0]
    $ registry assign churn --stage prod --version v0.0.2 --simple true
    --- stderr
    error: tag 'churn#prod' already exists
    hint: leave out `--simple true` to write the counter form (churn#prod#N)
    [exit 1]
    $ registry assign churn --stage prod --version v0.0.2 --simple false
    Created git tag 'churn#prod#1' that assigns stage to version 'v0.0.2'
    To push the changes upstream, run:
        git push origin 'churn#prod#1'
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn@v0.0.2 tag -> second
    churn#prod tag -> first
    churn#prod#1 tag -> second
    ");
}

#[test]
fn message_replaces_the_assignment_message_only() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["assign", "churn", "--stage", "dev", "-m", "Canary for EU"])
        .ok();
    insta::assert_snapshot!(message(&repo, "churn#dev#1"), @"Canary for EU");
    insta::assert_snapshot!(message(&repo, "churn@v0.0.1"), @"Registering artifact churn version v0.0.1");
}

#[test]
fn a_version_already_in_the_stage_needs_force() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["assign", "churn", "--stage", "prod"]).ok();
    insta::assert_snapshot!(session(&repo, &[
        &["assign", "churn", "--stage", "prod"],
        &["promote", "churn", "prod"],
        &["assign", "churn", "--stage", "prod", "--force"],
    ]), @"
    $ registry assign churn --stage prod
    --- stderr
    error: Version 'v0.0.1' is already in stage 'prod'. Use the '--force' flag to create a new Git tag nevertheless.
    [exit 1]
    $ registry promote churn prod
    --- stderr
    error: Version 'v0.0.1' is already in stage 'prod'. Use the '--force' flag to create a new Git tag nevertheless.
    [exit 1]
    $ registry assign churn --stage prod --force
    Created git tag 'churn#prod#2' that assigns stage to version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'churn#prod#2'
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn#prod#1 tag -> first
    churn@v0.0.1 tag -> first
    churn#prod#2 tag -> first
    ");
}

#[test]
fn assign_errors_about_versions() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    insta::assert_snapshot!(session(&repo, &[
        &["assign", "churn", "--stage", "prod", "--version", "v9.9.9"],
        &["assign", "churn", "--stage", "prod", "--version", "9.9.9"],
        &["assign", "churn", "HEAD", "--stage", "prod", "--version", "v0.0.5"],
        &["assign", "churn", "HEAD", "--stage", "prod", "--version", "latest"],
        &["assign", "churn", "no-such-ref", "--stage", "prod"],
    ]), @"
    $ registry assign churn --stage prod --version v9.9.9
    --- stderr
    error: Version 'v9.9.9' is not registered
    hint: `registry show churn` lists its versions
    [exit 1]
    $ registry assign churn --stage prod --version 9.9.9
    --- stderr
    error: invalid value '9.9.9' for '--version <VERSION>': not a version: versions look like v1.2.3, v1.0.0-rc.1 or v2.0.0+build.5

    For more information, try '--help'.
    [exit 2]
    $ registry assign churn HEAD --stage prod --version v0.0.5
    --- stderr
    error: Can't register 'v0.0.5', since 'v0.0.1' is registered already at this ref
    [exit 1]
    $ registry assign churn HEAD --stage prod --version latest
    --- stderr
    error: invalid value 'latest' for '--version <VERSION>': not a version: versions look like v1.2.3, v1.0.0-rc.1 or v2.0.0+build.5

    For more information, try '--help'.
    [exit 2]
    $ registry assign churn no-such-ref --stage prod
    --- stderr
    error: unknown revision 'no-such-ref'
    hint: give a commit id, branch or tag that exists here (`git log --oneline` lists commits)
    [exit 1]
    ");
    insta::assert_snapshot!(tags(&repo), @"churn@v0.0.1 tag -> first");
}

#[test]
fn assign_a_version_name_taken_on_another_commit_is_refused_before_writing() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn", "--version", "v1.0.0"]).ok();
    repo.commit("second");
    insta::assert_snapshot!(
        repo.t(&["assign", "churn", "HEAD", "--stage", "dev", "--version", "v1.0.0"]),
        @"
    $ registry assign churn HEAD --stage dev --version v1.0.0
    --- stderr
    error: Version 'v1.0.0' already was registered.
    hint: every version name is used once; pick a new one or let registry choose
    [exit 1]
    "
    );
    insta::assert_snapshot!(tags(&repo), @"churn@v1.0.0 tag -> first");
}

#[test]
fn stages_outside_the_allow_list_are_refused() {
    let repo = TestRepo::new();
    repo.write(".gto", "stages: [dev, prod]\n");
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    insta::assert_snapshot!(session(&repo, &[
        &["assign", "churn", "--stage", "qa"],
        &["promote", "churn", "qa"],
        &["promote", "churn@v0.0.1", "qa"],
        &["promote", "churn", "--stage", "qa"],
        &["assign", "churn", "--stage", "dev"],
    ]), @"
    $ registry assign churn --stage qa
    --- stderr
    error: Allowed stages are: '['dev', 'prod']'
    hint: stage 'qa' is not in the `stages` list of the config (.gto or .registry.yaml)
    [exit 1]
    $ registry promote churn qa
    --- stderr
    error: Allowed stages are: '['dev', 'prod']'
    hint: stage 'qa' is not in the `stages` list of the config (.gto or .registry.yaml)
    [exit 1]
    $ registry promote churn@v0.0.1 qa
    --- stderr
    error: Allowed stages are: '['dev', 'prod']'
    hint: stage 'qa' is not in the `stages` list of the config (.gto or .registry.yaml)
    [exit 1]
    $ registry promote churn --stage qa
    --- stderr
    error: Allowed stages are: '['dev', 'prod']'
    hint: stage 'qa' is not in the `stages` list of the config (.gto or .registry.yaml)
    [exit 1]
    $ registry assign churn --stage dev
    Created git tag 'churn#dev#1' that assigns stage to version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'churn#dev#1'
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"
    churn@v0.0.1 tag -> first
    churn#dev#1 tag -> first
    ");
}

#[test]
fn stages_from_registry_yaml_are_an_allow_list_too() {
    let repo = TestRepo::new();
    repo.write(".registry.yaml", "stages: [dev, staging, prod]\n");
    repo.commit("first");
    insta::assert_snapshot!(session(&repo, &[
        &["assign", "churn", "--stage", "qa"],
        &["assign", "churn", "--stage", "staging"],
    ]), @"
    $ registry assign churn --stage qa
    --- stderr
    error: Allowed stages are: '['dev', 'staging', 'prod']'
    hint: stage 'qa' is not in the `stages` list of the config (.gto or .registry.yaml)
    [exit 1]
    $ registry assign churn --stage staging
    Created git tag 'churn@v0.0.1' that registers version
    To push the changes upstream, run:
        git push origin churn@v0.0.1
    Created git tag 'churn#staging#1' that assigns stage to version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'churn#staging#1'
    [exit 0]
    ");
}

#[test]
fn a_deregistered_version_can_still_be_assigned_by_name() {
    // reference §5.2: "deregistered versions are accepted".
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["deregister", "churn", "v0.0.1"]).ok();
    insta::assert_snapshot!(
        repo.t(&["assign", "churn", "--stage", "dev", "--version", "v0.0.1"]),
        @"
    $ registry assign churn --stage dev --version v0.0.1
    Created git tag 'churn#dev#1' that assigns stage to version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'churn#dev#1'
    [exit 0]
    "
    );
}

#[test]
fn assign_usage_errors_exit_2() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(session(&repo, &[
        &["assign", "churn"],
        &["assign", "churn", "--stage", "v1.0.0"],
        &["assign", "churn", "--stage", "a//b"],
        &["assign", "churn", "--stage", "dev", "--simple", "yes"],
        &["assign", "-churn", "--stage", "dev"],
    ]), @"
    $ registry assign churn
    --- stderr
    error: the following required arguments were not provided:
      --stage <STAGE>

    Usage: registry assign --stage <STAGE> <NAME> [REF]

    For more information, try '--help'.
    [exit 2]
    $ registry assign churn --stage v1.0.0
    --- stderr
    error: invalid value 'v1.0.0' for '--stage <STAGE>': Invalid value 'v1.0.0'. Only letters, numbers, '_', '-', '/' are allowed. Value must be of len >= 2 and must start and end with a letter or a number.

    For more information, try '--help'.
    [exit 2]
    $ registry assign churn --stage a//b
    --- stderr
    error: invalid value 'a//b' for '--stage <STAGE>': Invalid stage 'a//b': git refs cannot contain an empty path component ('//', or '/' at either end)

    For more information, try '--help'.
    [exit 2]
    $ registry assign churn --stage dev --simple yes
    --- stderr
    error: invalid value 'yes' for '--simple <auto|true|false>'
      [possible values: auto, true, false]

    For more information, try '--help'.
    [exit 2]
    $ registry assign -churn --stage dev
    --- stderr
    error: unexpected argument '-c' found

      tip: to pass '-c' as a value, use '-- -c'

    Usage: registry assign [OPTIONS] --stage <STAGE> <NAME> [REF]

    For more information, try '--help'.
    [exit 2]
    ");
    insta::assert_snapshot!(tags(&repo), @"(no tags)");
}

#[test]
fn assign_dry_run_shows_both_tags_and_writes_none() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(repo.t(&["assign", "churn", "--stage", "dev", "--dry-run"]), @"
    $ registry assign churn --stage dev --dry-run
    Would create git tag 'churn@v0.0.1' on commit 2d199a9: Registering artifact churn version v0.0.1
    Would create git tag 'churn#dev#1' on commit 2d199a9: Assigning stage dev to artifact churn version v0.0.1
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"(no tags)");
}

#[test]
fn a_failed_assignment_leaves_no_registration_behind() {
    // The assignment would be `m#dev#1`. A lightweight tag of that exact name would not make
    // the write fail: counters count lightweight tags, so the plan would pick `m#dev#2`. A ref
    // *below* that name (`m#dev#1/x`, not a registry tag, so it moves no counter) makes git
    // refuse `refs/tags/m#dev#1` when it is written, after `m@v0.0.1` was created.
    let repo = TestRepo::new();
    repo.commit("first");
    repo.git(&["tag", "m#dev#1/x"]);
    insta::assert_snapshot!(repo.t(&["assign", "m", "--stage", "dev"]), @"
    $ registry assign m --stage dev
    --- stderr
    error: cannot create tag 'm#dev#1': cannot lock ref 'refs/tags/m#dev#1', there are refs beneath that folder
    hint: another ref may be in the way (`git tag -l` lists the tags)
    [exit 1]
    ");
    insta::assert_snapshot!(tags(&repo), @"m#dev#1/x commit -> first");
}
