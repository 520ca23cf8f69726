//! `registry check-ref` (reference §5.6, §6; SPEC §4.4; B13 divergence for missing tags).

use crate::fixture::TestRepo;
use crate::reads::{ok, tag};

/// One tag of each kind: `m@v0.0.1`, `m#dev#1`, `m#dev!#2`, `m@v0.0.1!`, `m@deprecated`.
fn every_event() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit("first");
    ok(&repo, &["register", "m"]);
    ok(&repo, &["promote", "m", "dev"]);
    ok(&repo, &["unassign", "m", "dev"]);
    ok(&repo, &["deregister", "m", "v0.0.1"]);
    ok(&repo, &["deprecate", "m"]);
    repo
}

#[test]
fn the_tags_of_the_scene() {
    let repo = every_event();
    insta::assert_snapshot!(repo.git(&["tag", "-l"]), @"
    m#dev!#2
    m#dev#1
    m@deprecated
    m@v0.0.1
    m@v0.0.1!
    ");
}

#[test]
fn sentence_of_each_event() {
    let repo = every_event();
    insta::assert_snapshot!(repo.t(&["check-ref", "m@v0.0.1"]), @r#"
    $ registry check-ref m@v0.0.1
    Version "v0.0.1" of artifact "m" was registered
    [exit 0]
    "#);
    insta::assert_snapshot!(repo.t(&["check-ref", "m#dev#1"]), @r#"
    $ registry check-ref 'm#dev#1'
    Stage "dev" was assigned to version "v0.0.1" of artifact "m"
    [exit 0]
    "#);
    insta::assert_snapshot!(repo.t(&["check-ref", "m#dev!#2"]), @r#"
    $ registry check-ref 'm#dev!#2'
    Stage "dev" was unassigned from version "v0.0.1" of artifact "m"
    [exit 0]
    "#);
    insta::assert_snapshot!(repo.t(&["check-ref", "m@v0.0.1!"]), @r#"
    $ registry check-ref 'm@v0.0.1!'
    Version "v0.0.1" of artifact "m" was deregistered
    [exit 0]
    "#);
    insta::assert_snapshot!(repo.t(&["check-ref", "m@deprecated"]), @r#"
    $ registry check-ref m@deprecated
    Artifact "m" was deprecated
    [exit 0]
    "#);
}

#[test]
fn json_of_each_event() {
    let repo = every_event();
    insta::assert_snapshot!(repo.t(&["check-ref", "m@v0.0.1", "--json"]), @r#"
    $ registry check-ref m@v0.0.1 --json
    {
        "artifact": "m",
        "created_at": "2023-11-14T22:13:24+00:00",
        "author": "Ada Tester",
        "author_email": "ada@example.com",
        "message": "Registering artifact m version v0.0.1",
        "commit_hexsha": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
        "tag": "m@v0.0.1",
        "version": "v0.0.1",
        "event": "registration",
        "signature": {
            "status": "unsigned",
            "format": null,
            "principal": null,
            "fingerprint": null,
            "reason": null
        },
        "type": null,
        "path": null,
        "description": null
    }
    [exit 0]
    "#);
    insta::assert_snapshot!(repo.t(&["check-ref", "m#dev#1", "--json"]), @r#"
    $ registry check-ref 'm#dev#1' --json
    {
        "artifact": "m",
        "created_at": "2023-11-14T22:13:25+00:00",
        "author": "Ada Tester",
        "author_email": "ada@example.com",
        "message": "Assigning stage dev to artifact m version v0.0.1",
        "commit_hexsha": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
        "tag": "m#dev#1",
        "version": "v0.0.1",
        "stage": "dev",
        "event": "assignment",
        "signature": {
            "status": "unsigned",
            "format": null,
            "principal": null,
            "fingerprint": null,
            "reason": null
        },
        "type": null,
        "path": null,
        "description": null
    }
    [exit 0]
    "#);
    insta::assert_snapshot!(repo.t(&["check-ref", "m#dev!#2", "--json"]), @r#"
    $ registry check-ref 'm#dev!#2' --json
    {
        "artifact": "m",
        "created_at": "2023-11-14T22:13:26+00:00",
        "author": "Ada Tester",
        "author_email": "ada@example.com",
        "message": "Unassigning stage 'dev' to artifact 'm' version 'v0.0.1'",
        "commit_hexsha": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
        "tag": "m#dev!#2",
        "version": "v0.0.1",
        "stage": "dev",
        "event": "unassignment",
        "signature": {
            "status": "unsigned",
            "format": null,
            "principal": null,
            "fingerprint": null,
            "reason": null
        },
        "type": null,
        "path": null,
        "description": null
    }
    [exit 0]
    "#);
    insta::assert_snapshot!(repo.t(&["check-ref", "m@v0.0.1!", "--json"]), @r#"
    $ registry check-ref 'm@v0.0.1!' --json
    {
        "artifact": "m",
        "created_at": "2023-11-14T22:13:27+00:00",
        "author": "Ada Tester",
        "author_email": "ada@example.com",
        "message": "Deregistering artifact m version v0.0.1",
        "commit_hexsha": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
        "tag": "m@v0.0.1!",
        "version": "v0.0.1",
        "event": "deregistration",
        "signature": {
            "status": "unsigned",
            "format": null,
            "principal": null,
            "fingerprint": null,
            "reason": null
        },
        "type": null,
        "path": null,
        "description": null
    }
    [exit 0]
    "#);
    // No `version` key for a deprecation.
    insta::assert_snapshot!(repo.t(&["check-ref", "m@deprecated", "--json"]), @r#"
    $ registry check-ref m@deprecated --json
    {
        "artifact": "m",
        "created_at": "2023-11-14T22:13:28+00:00",
        "author": "Ada Tester",
        "author_email": "ada@example.com",
        "message": "Deprecating artifact 'm'",
        "commit_hexsha": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
        "tag": "m@deprecated",
        "event": "deprecation",
        "signature": {
            "status": "unsigned",
            "format": null,
            "principal": null,
            "fingerprint": null,
            "reason": null
        },
        "type": null,
        "path": null,
        "description": null
    }
    [exit 0]
    "#);
}

#[test]
fn one_field_flags() {
    let repo = every_event();
    let mut t = String::new();
    for tag in [
        "m@v0.0.1",
        "m#dev#1",
        "m#dev!#2",
        "m@v0.0.1!",
        "m@deprecated",
    ] {
        for flag in ["--name", "--version", "--stage", "--event"] {
            t.push_str(&repo.t(&["check-ref", tag, flag]));
            t.push('\n');
        }
    }
    insta::assert_snapshot!(t, @"
    $ registry check-ref m@v0.0.1 --name
    m
    [exit 0]
    $ registry check-ref m@v0.0.1 --version
    v0.0.1
    [exit 0]
    $ registry check-ref m@v0.0.1 --stage
    [exit 0]
    $ registry check-ref m@v0.0.1 --event
    registration
    [exit 0]
    $ registry check-ref 'm#dev#1' --name
    m
    [exit 0]
    $ registry check-ref 'm#dev#1' --version
    v0.0.1
    [exit 0]
    $ registry check-ref 'm#dev#1' --stage
    dev
    [exit 0]
    $ registry check-ref 'm#dev#1' --event
    assignment
    [exit 0]
    $ registry check-ref 'm#dev!#2' --name
    m
    [exit 0]
    $ registry check-ref 'm#dev!#2' --version
    v0.0.1
    [exit 0]
    $ registry check-ref 'm#dev!#2' --stage
    dev
    [exit 0]
    $ registry check-ref 'm#dev!#2' --event
    unassignment
    [exit 0]
    $ registry check-ref 'm@v0.0.1!' --name
    m
    [exit 0]
    $ registry check-ref 'm@v0.0.1!' --version
    v0.0.1
    [exit 0]
    $ registry check-ref 'm@v0.0.1!' --stage
    [exit 0]
    $ registry check-ref 'm@v0.0.1!' --event
    deregistration
    [exit 0]
    $ registry check-ref m@deprecated --name
    m
    [exit 0]
    $ registry check-ref m@deprecated --version
    [exit 0]
    $ registry check-ref m@deprecated --stage
    [exit 0]
    $ registry check-ref m@deprecated --event
    deprecation
    [exit 0]
    ");
}

#[test]
fn only_one_output_format() {
    let repo = every_event();
    insta::assert_snapshot!(repo.t(&["check-ref", "m@v0.0.1", "--json", "--name"]), @"
    $ registry check-ref m@v0.0.1 --json --name
    --- stderr
    error: the argument '--json' cannot be used with '--name'

    Usage: registry check-ref --json <REF>

    For more information, try '--help'.
    [exit 2]
    ");
}

#[test]
fn refs_tags_prefix() {
    let repo = every_event();
    insta::assert_snapshot!(repo.t(&["check-ref", "refs/tags/m#dev#1"]), @r#"
    $ registry check-ref 'refs/tags/m#dev#1'
    Stage "dev" was assigned to version "v0.0.1" of artifact "m"
    [exit 0]
    "#);
    insta::assert_snapshot!(repo.t(&["check-ref", "refs/tags/m@v0.0.1", "--event"]), @"
    $ registry check-ref refs/tags/m@v0.0.1 --event
    registration
    [exit 0]
    ");
}

#[test]
fn monorepo_name() {
    let repo = TestRepo::new();
    repo.commit("first");
    ok(&repo, &["register", "models:resnet"]);
    insta::assert_snapshot!(repo.t(&["check-ref", "models=resnet@v0.0.1"]), @r#"
    $ registry check-ref models=resnet@v0.0.1
    Version "v0.0.1" of artifact "models:resnet" was registered
    [exit 0]
    "#);
    insta::assert_snapshot!(repo.t(&["check-ref", "models=resnet@v0.0.1", "--name"]), @"
    $ registry check-ref models=resnet@v0.0.1 --name
    models:resnet
    [exit 0]
    ");
}

#[test]
fn not_a_registry_ref_is_silent_success() {
    let repo = every_event();
    let head = repo.git(&["rev-parse", "HEAD"]);
    tag(&repo, "v1.2.3", "HEAD");
    let mut t = String::new();
    for r in [
        "main",
        "refs/heads/main",
        head.as_str(),
        "v1.2.3",
        "refs/tags/v1.2.3",
        "model-prod",
    ] {
        t.push_str(&repo.t(&["check-ref", r]));
        t.push('\n');
        t.push_str(&repo.t(&["check-ref", r, "--json"]));
        t.push('\n');
    }
    insta::assert_snapshot!(t, @"
    $ registry check-ref main
    [exit 0]
    $ registry check-ref main --json
    [exit 0]
    $ registry check-ref refs/heads/main
    [exit 0]
    $ registry check-ref refs/heads/main --json
    [exit 0]
    $ registry check-ref 2d199a9ae072d4a1c823d06b148adcc4db1e4ade
    [exit 0]
    $ registry check-ref 2d199a9ae072d4a1c823d06b148adcc4db1e4ade --json
    [exit 0]
    $ registry check-ref v1.2.3
    [exit 0]
    $ registry check-ref v1.2.3 --json
    [exit 0]
    $ registry check-ref refs/tags/v1.2.3
    [exit 0]
    $ registry check-ref refs/tags/v1.2.3 --json
    [exit 0]
    $ registry check-ref model-prod
    [exit 0]
    $ registry check-ref model-prod --json
    [exit 0]
    ");
}

#[test]
fn missing_registry_tag_is_an_error_b13() {
    // Deliberate divergence (B13): GTO prints nothing; in CI that means the tags were not fetched.
    let repo = every_event();
    insta::assert_snapshot!(repo.t(&["check-ref", "m@v9.9.9"]), @"
    $ registry check-ref m@v9.9.9
    --- stderr
    error: tag 'm@v9.9.9' is not found in this repository
    hint: fetch the tags first (`git fetch --tags`; a shallow CI checkout has none)
    [exit 1]
    ");
    insta::assert_snapshot!(repo.t(&["check-ref", "refs/tags/m#prod#7", "--json"]), @"
    $ registry check-ref 'refs/tags/m#prod#7' --json
    --- stderr
    error: tag 'm#prod#7' is not found in this repository
    hint: fetch the tags first (`git fetch --tags`; a shallow CI checkout has none)
    [exit 1]
    ");
    insta::assert_snapshot!(repo.t(&["check-ref", "nope@v0.0.1"]), @"
    $ registry check-ref nope@v0.0.1
    --- stderr
    error: tag 'nope@v0.0.1' is not found in this repository
    hint: fetch the tags first (`git fetch --tags`; a shallow CI checkout has none)
    [exit 1]
    ");
}

#[test]
fn lightweight_registry_tag_means_nothing() {
    let repo = TestRepo::new();
    repo.commit("first");
    ok(&repo, &["register", "m"]);
    repo.git(&["tag", "m#prod"]);
    insta::assert_snapshot!(repo.t(&["check-ref", "m#prod"]), @"
    $ registry check-ref 'm#prod'
    --- stderr
    warning: tag 'm#prod' is a lightweight tag; registry tags must be annotated (`git tag -a`), so it means nothing
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["check-ref", "m#prod", "--json"]), @"
    $ registry check-ref 'm#prod' --json
    --- stderr
    warning: tag 'm#prod' is a lightweight tag; registry tags must be annotated (`git tag -a`), so it means nothing
    [exit 0]
    ");
}

#[test]
fn assignment_version_is_the_version_at_its_commit() {
    let repo = TestRepo::new();
    let c1 = repo.commit("c1");
    repo.commit("c2");
    ok(
        &repo,
        &["assign", "m", &c1, "--stage", "dev", "--skip-registration"],
    );
    // No version at c1 yet: the assignment belongs to a version named by the commit.
    insta::assert_snapshot!(repo.t(&["check-ref", "m#dev#1", "--version"]), @"
    $ registry check-ref 'm#dev#1' --version
    33efecf150638d4dca9a3785af466b3945139798
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["check-ref", "m#dev#1"]), @r#"
    $ registry check-ref 'm#dev#1'
    Stage "dev" was assigned to version "33efecf150638d4dca9a3785af466b3945139798" of artifact "m"
    [exit 0]
    "#);
    // A registration at c1 made later takes it over (reference §4 step 2, B17).
    ok(&repo, &["register", "m", &c1, "--version", "v1.0.0"]);
    insta::assert_snapshot!(repo.t(&["check-ref", "m#dev#1", "--version"]), @"
    $ registry check-ref 'm#dev#1' --version
    v1.0.0
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["check-ref", "m#dev#1", "--json"]), @r#"
    $ registry check-ref 'm#dev#1' --json
    {
        "artifact": "m",
        "created_at": "2023-11-14T22:13:27+00:00",
        "author": "Ada Tester",
        "author_email": "ada@example.com",
        "message": "Assigning stage dev to artifact m version 33efecf150638d4dca9a3785af466b3945139798",
        "commit_hexsha": "33efecf150638d4dca9a3785af466b3945139798",
        "tag": "m#dev#1",
        "version": "v1.0.0",
        "stage": "dev",
        "event": "assignment",
        "signature": {
            "status": "unsigned",
            "format": null,
            "principal": null,
            "fingerprint": null,
            "reason": null
        },
        "type": null,
        "path": null,
        "description": null
    }
    [exit 0]
    "#);
}

#[test]
fn hand_made_simple_assignment() {
    let repo = TestRepo::new();
    let c1 = repo.commit("c1");
    ok(&repo, &["register", "m", &c1, "--version", "v1.0.0"]);
    tag(&repo, "m#prod", &c1);
    insta::assert_snapshot!(repo.t(&["check-ref", "m#prod"]), @r#"
    $ registry check-ref 'm#prod'
    Stage "prod" was assigned to version "v1.0.0" of artifact "m"
    [exit 0]
    "#);
    insta::assert_snapshot!(repo.t(&["check-ref", "m#prod", "--json"]), @r#"
    $ registry check-ref 'm#prod' --json
    {
        "artifact": "m",
        "created_at": "2023-11-14T22:13:25+00:00",
        "author": "Ada Tester",
        "author_email": "ada@example.com",
        "message": "m#prod",
        "commit_hexsha": "33efecf150638d4dca9a3785af466b3945139798",
        "tag": "m#prod",
        "version": "v1.0.0",
        "stage": "prod",
        "event": "assignment",
        "signature": {
            "status": "unsigned",
            "format": null,
            "principal": null,
            "fingerprint": null,
            "reason": null
        },
        "type": null,
        "path": null,
        "description": null
    }
    [exit 0]
    "#);
}
