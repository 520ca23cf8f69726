//! What every write command needs from its surroundings: a repository, a git identity, a date
//! (SPEC §2, §4; reference §3.6, §5.8).

use super::{session, tags};
use crate::fixture::TestRepo;

fn tagger(repo: &TestRepo) -> String {
    repo.git(&[
        "for-each-ref",
        "--sort=creatordate",
        "--format=%(refname:strip=2): %(taggername) %(taggeremail) %(taggerdate:iso-strict)",
        "refs/tags",
    ])
}

/// The environment without any git identity (HOME is an empty temp dir: no config either).
fn no_identity(cmd: &mut std::process::Command) {
    for var in [
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "EMAIL",
    ] {
        cmd.env_remove(var);
    }
}

#[test]
fn tagger_and_date_come_from_the_committer_variables() {
    let repo = TestRepo::new();
    repo.commit("first");
    // The fixture passes its clock as GIT_COMMITTER_DATE.
    repo.set_clock(1_700_086_400);
    repo.run(&["register", "churn"]).ok();
    repo.run_with(&["assign", "churn", "--stage", "prod"], |cmd| {
        cmd.env("GIT_COMMITTER_NAME", "Grace Hopper")
            .env("GIT_COMMITTER_EMAIL", "grace@example.org")
            .env("GIT_COMMITTER_DATE", "2024-02-29T12:30:00+01:00");
    })
    .ok();
    repo.run_with(&["unassign", "churn", "prod"], |cmd| {
        cmd.env("GIT_COMMITTER_DATE", "Fri, 1 Mar 2024 08:00:00 +0530");
    })
    .ok();
    repo.run_with(&["deprecate", "churn"], |cmd| {
        cmd.env("GIT_COMMITTER_DATE", "@1710000000 -0500");
    })
    .ok();
    insta::assert_snapshot!(tagger(&repo), @"
    churn@v0.0.1: Ada Tester <ada@example.com> 2023-11-15T22:13:20Z
    churn#prod#1: Grace Hopper <grace@example.org> 2024-02-29T12:30:00+01:00
    churn#prod!#2: Ada Tester <ada@example.com> 2024-03-01T08:00:00+05:30
    churn@deprecated: Ada Tester <ada@example.com> 2024-03-09T11:00:00-05:00
    ");
}

#[test]
fn identity_from_git_config_when_no_variables() {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.git(&["config", "user.name", "Linus Config"]);
    repo.git(&["config", "user.email", "linus@example.net"]);
    repo.run_with(&["register", "churn"], no_identity).ok();
    insta::assert_snapshot!(tagger(&repo), @"churn@v0.0.1: Linus Config <linus@example.net> 2023-11-14T22:13:26Z");
}

#[test]
fn identity_from_the_global_config_in_home() {
    let repo = TestRepo::new();
    repo.commit("first");
    std::fs::write(
        repo.home().join(".gitconfig"),
        "[user]\n\tname = Home Config\n\temail = home@example.com\n",
    )
    .expect("write ~/.gitconfig");
    repo.run_with(&["register", "churn"], |cmd| {
        no_identity(cmd);
        cmd.env_remove("GIT_CONFIG_GLOBAL");
    })
    .ok();
    insta::assert_snapshot!(tagger(&repo), @"churn@v0.0.1: Home Config <home@example.com> 2023-11-14T22:13:24Z");
    // Like git, GIT_CONFIG_GLOBAL=/dev/null (the fixture's default) hides ~/.gitconfig.
    repo.commit("second");
    let run = repo.run_with(&["register", "churn"], no_identity);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(tagger(&repo), @"churn@v0.0.1: Home Config <home@example.com> 2023-11-14T22:13:24Z");
}

#[test]
fn missing_identity_is_a_clear_error_and_writes_nothing() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(repo.run_with(&["register", "churn"], no_identity).transcript(), @r#"
    $ registry register churn
    --- stderr
    error: no git identity to write the tag with
    hint: set one with `git config --global user.name "Your Name"` and `git config --global user.email you@example.com` (or GIT_COMMITTER_NAME and GIT_COMMITTER_EMAIL)
    [exit 1]
    "#);
    insta::assert_snapshot!(
        repo.run_with(&["assign", "churn", "--stage", "dev"], no_identity).transcript(),
        @r#"
    $ registry assign churn --stage dev
    --- stderr
    error: no git identity to write the tag with
    hint: set one with `git config --global user.name "Your Name"` and `git config --global user.email you@example.com` (or GIT_COMMITTER_NAME and GIT_COMMITTER_EMAIL)
    [exit 1]
    "#
    );
    insta::assert_snapshot!(tags(&repo), @"(no tags)");
}

#[test]
fn a_bad_committer_date_is_an_error_and_writes_nothing() {
    let repo = TestRepo::new();
    repo.commit("first");
    let run = repo.run_with(&["register", "churn"], |cmd| {
        cmd.env("GIT_COMMITTER_DATE", "last tuesday");
    });
    insta::assert_snapshot!(run.transcript(), @"
    $ registry register churn
    --- stderr
    error: GIT_COMMITTER_DATE 'last tuesday' is not a date
    hint: use a form git reads, e.g. '2026-03-01T12:00:00+01:00' or '@1772362800 +0000'
    [exit 1]
    ");
    insta::assert_snapshot!(tags(&repo), @"(no tags)");
}

#[test]
fn a_broken_config_stops_every_write() {
    let repo = TestRepo::new();
    repo.write(".gto", "stages: [dev, prod]\nemojis: false\nfrobs: 1\n");
    repo.commit("first");
    let path = repo.path().display().to_string();
    let redact = |s: String| s.replace(&path, "[REPO]");
    insta::assert_snapshot!(redact(session(&repo, &[
        &["register", "churn"],
        &["assign", "churn", "--stage", "dev"],
    ])), @"
    $ registry register churn
    --- stderr
    error: Wrong config file '[REPO]/.gto'
    hint: unknown key 'frobs' (GTO accepts: index, config_file_name, log_level, debug, emojis, types, stages, enrichments, autoload_enrichments)
    [exit 1]
    $ registry assign churn --stage dev
    --- stderr
    error: Wrong config file '[REPO]/.gto'
    hint: unknown key 'frobs' (GTO accepts: index, config_file_name, log_level, debug, emojis, types, stages, enrichments, autoload_enrichments)
    [exit 1]
    ");
    repo.write(".gto", "stages: [dev\n");
    insta::assert_snapshot!(redact(repo.t(&["register", "churn"])), @"
    $ registry register churn
    --- stderr
    error: Wrong config file '[REPO]/.gto'
    hint: invalid YAML: did not find expected ',' or ']' at line 2 column 1, while parsing a flow sequence at line 1 column 9
    [exit 1]
    ");
    insta::assert_snapshot!(tags(&repo), @"(no tags)");
}

#[test]
fn not_a_git_repository() {
    let dir = TestRepo::bare_dir();
    let path = dir.path().display().to_string();
    let redact = |s: String| s.replace(&path, "[DIR]");
    insta::assert_snapshot!(redact(dir.t(&["register", "churn"])), @"
    $ registry register churn
    --- stderr
    error: '[DIR]' is not in a git repository
    hint: run `git init` there first, or point -C at a repository
    [exit 1]
    ");
    insta::assert_snapshot!(redact(dir.t(&["-C", &path, "assign", "churn", "--stage", "dev"])), @"
    $ registry -C [DIR] assign churn --stage dev
    --- stderr
    error: '[DIR]' is not in a git repository
    hint: run `git init` there first, or point -C at a repository
    [exit 1]
    ");
    let missing = format!("{path}/missing");
    insta::assert_snapshot!(redact(dir.t(&["deprecate", "churn", "-C", &missing])), @"
    $ registry deprecate churn -C [DIR]/missing
    --- stderr
    error: '[DIR]/missing' does not exist
    hint: -C takes the path of a git repository
    [exit 1]
    ");
}

#[test]
fn dash_c_points_at_another_repository() {
    let repo = TestRepo::new();
    repo.commit("first");
    let elsewhere = TestRepo::bare_dir();
    let path = repo.path().display().to_string();
    let run = elsewhere.run(&["-C", &path, "register", "churn"]);
    insta::assert_snapshot!(run.transcript().replace(&path, "[REPO]"), @"
    $ registry -C [REPO] register churn
    Created git tag 'churn@v0.0.1' that registers version
    To push the changes upstream, run:
        git push origin churn@v0.0.1
    [exit 0]
    ");
    insta::assert_snapshot!(tags(&repo), @"churn@v0.0.1 tag -> first");
}

#[test]
fn push_hints_quote_tags_the_shell_would_mangle() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(session(&repo, &[
        &["register", "data/sets:churn"],
        &["promote", "data/sets:churn", "prod"],
        &["unassign", "data/sets:churn", "prod"],
        &["deregister", "data/sets:churn", "v0.0.1"],
        &["deprecate", "data/sets:churn"],
    ]), @"
    $ registry register data/sets:churn
    Created git tag 'data/sets=churn@v0.0.1' that registers version
    To push the changes upstream, run:
        git push origin data/sets=churn@v0.0.1
    [exit 0]
    $ registry promote data/sets:churn prod
    Promoting the latest version of 'data/sets:churn': v0.0.1
    Created git tag 'data/sets=churn#prod#1' that assigns stage to version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'data/sets=churn#prod#1'
    [exit 0]
    $ registry unassign data/sets:churn prod
    Created git tag 'data/sets=churn#prod!#2' that unassigns stage from version 'v0.0.1'
    To push the changes upstream, run:
        git push origin 'data/sets=churn#prod!#2'
    [exit 0]
    $ registry deregister data/sets:churn v0.0.1
    Created git tag 'data/sets=churn@v0.0.1!' that deregisters version
    To push the changes upstream, run:
        git push origin 'data/sets=churn@v0.0.1!'
    [exit 0]
    $ registry deprecate data/sets:churn
    Created git tag 'data/sets=churn@deprecated' that deprecates artifact
    To push the changes upstream, run:
        git push origin data/sets=churn@deprecated
    [exit 0]
    ");
}

#[test]
fn usage_errors_exit_2() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(session(&repo, &[
        &["frobnicate", "churn"],
        &["register", "churn", "--simple", "yes"],
        &["register", "churn", "--bump-minor", "--frob"],
        &["register"],
    ]), @"
    $ registry frobnicate churn
    --- stderr
    error: unrecognized subcommand 'frobnicate'

    Usage: registry [OPTIONS] <COMMAND>

    For more information, try '--help'.
    [exit 2]
    $ registry register churn --simple yes
    --- stderr
    error: invalid value 'yes' for '--simple <auto|true|false>'
      [possible values: auto, true, false]

    For more information, try '--help'.
    [exit 2]
    $ registry register churn --bump-minor --frob
    --- stderr
    error: unexpected argument '--frob' found

      tip: to pass '--frob' as a value, use '-- --frob'

    Usage: registry register --bump-minor <NAME> [REF]

    For more information, try '--help'.
    [exit 2]
    $ registry register
    --- stderr
    error: the following required arguments were not provided:
      <NAME>

    Usage: registry register <NAME> [REF]

    For more information, try '--help'.
    [exit 2]
    ");
    insta::assert_snapshot!(tags(&repo), @"(no tags)");
}
