//! `registry history` (reference §5.5, §6; SPEC §4.4: registry adds an `author` column).

use crate::fixture::TestRepo;
use crate::reads::{ok, small_registry};

/// Every kind of event, one second apart: registration, assignment, unassignment,
/// deregistration, deprecation.
fn every_event() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit("first");
    ok(&repo, &["register", "m"]);
    ok(&repo, &["promote", "m", "dev"]);
    ok(&repo, &["unassign", "m", "dev"]);
    ok(&repo, &["register", "other"]);
    ok(&repo, &["deregister", "m", "v0.0.1"]);
    ok(&repo, &["deprecate", "m"]);
    repo
}

#[test]
fn table_newest_first() {
    let repo = every_event();
    insta::assert_snapshot!(repo.t(&["history"]), @"
    $ registry history
    ┌───────────────────────────┬──────────┬────────────────┬─────────┬───────┬─────────┬────────────┬──────────────┐
    │ timestamp                 ┆ artifact ┆ event          ┆ version ┆ stage ┆ commit  ┆ author     ┆ ref          │
    ╞═══════════════════════════╪══════════╪════════════════╪═════════╪═══════╪═════════╪════════════╪══════════════╡
    │ 2023-11-14 22:13:29+00:00 ┆ m        ┆ deprecation    ┆ -       ┆ -     ┆ 2d199a9 ┆ Ada Tester ┆ m@deprecated │
    │ 2023-11-14 22:13:28+00:00 ┆ m        ┆ deregistration ┆ v0.0.1  ┆ -     ┆ 2d199a9 ┆ Ada Tester ┆ m@v0.0.1!    │
    │ 2023-11-14 22:13:27+00:00 ┆ other    ┆ registration   ┆ v0.0.1  ┆ -     ┆ 2d199a9 ┆ Ada Tester ┆ other@v0.0.1 │
    │ 2023-11-14 22:13:26+00:00 ┆ m        ┆ unassignment   ┆ v0.0.1  ┆ dev   ┆ 2d199a9 ┆ Ada Tester ┆ m#dev!#2     │
    │ 2023-11-14 22:13:25+00:00 ┆ m        ┆ assignment     ┆ v0.0.1  ┆ dev   ┆ 2d199a9 ┆ Ada Tester ┆ m#dev#1      │
    │ 2023-11-14 22:13:24+00:00 ┆ m        ┆ registration   ┆ v0.0.1  ┆ -     ┆ 2d199a9 ┆ Ada Tester ┆ m@v0.0.1     │
    └───────────────────────────┴──────────┴────────────────┴─────────┴───────┴─────────┴────────────┴──────────────┘
    [exit 0]
    ");
    // The plain form: `plain_table_is_gtos_plain_table`.
}

#[test]
fn ascending() {
    let repo = every_event();
    insta::assert_snapshot!(repo.t(&["history", "--asc"]), @"
    $ registry history --asc
    ┌───────────────────────────┬──────────┬────────────────┬─────────┬───────┬─────────┬────────────┬──────────────┐
    │ timestamp                 ┆ artifact ┆ event          ┆ version ┆ stage ┆ commit  ┆ author     ┆ ref          │
    ╞═══════════════════════════╪══════════╪════════════════╪═════════╪═══════╪═════════╪════════════╪══════════════╡
    │ 2023-11-14 22:13:24+00:00 ┆ m        ┆ registration   ┆ v0.0.1  ┆ -     ┆ 2d199a9 ┆ Ada Tester ┆ m@v0.0.1     │
    │ 2023-11-14 22:13:25+00:00 ┆ m        ┆ assignment     ┆ v0.0.1  ┆ dev   ┆ 2d199a9 ┆ Ada Tester ┆ m#dev#1      │
    │ 2023-11-14 22:13:26+00:00 ┆ m        ┆ unassignment   ┆ v0.0.1  ┆ dev   ┆ 2d199a9 ┆ Ada Tester ┆ m#dev!#2     │
    │ 2023-11-14 22:13:27+00:00 ┆ other    ┆ registration   ┆ v0.0.1  ┆ -     ┆ 2d199a9 ┆ Ada Tester ┆ other@v0.0.1 │
    │ 2023-11-14 22:13:28+00:00 ┆ m        ┆ deregistration ┆ v0.0.1  ┆ -     ┆ 2d199a9 ┆ Ada Tester ┆ m@v0.0.1!    │
    │ 2023-11-14 22:13:29+00:00 ┆ m        ┆ deprecation    ┆ -       ┆ -     ┆ 2d199a9 ┆ Ada Tester ┆ m@deprecated │
    └───────────────────────────┴──────────┴────────────────┴─────────┴───────┴─────────┴────────────┴──────────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["history", "other", "--ascending"]), @"
    $ registry history other --ascending
    ┌───────────────────────────┬──────────┬──────────────┬─────────┬───────┬─────────┬────────────┬──────────────┐
    │ timestamp                 ┆ artifact ┆ event        ┆ version ┆ stage ┆ commit  ┆ author     ┆ ref          │
    ╞═══════════════════════════╪══════════╪══════════════╪═════════╪═══════╪═════════╪════════════╪══════════════╡
    │ 2023-11-14 22:13:27+00:00 ┆ other    ┆ registration ┆ v0.0.1  ┆ -     ┆ 2d199a9 ┆ Ada Tester ┆ other@v0.0.1 │
    └───────────────────────────┴──────────┴──────────────┴─────────┴───────┴─────────┴────────────┴──────────────┘
    [exit 0]
    ");
}

#[test]
fn name_filter() {
    let repo = small_registry();
    insta::assert_snapshot!(repo.t(&["history", "rf"]), @"
    $ registry history rf
    ┌───────────────────────────┬──────────┬──────────────┬─────────┬───────┬─────────┬────────────┬───────────┐
    │ timestamp                 ┆ artifact ┆ event        ┆ version ┆ stage ┆ commit  ┆ author     ┆ ref       │
    ╞═══════════════════════════╪══════════╪══════════════╪═════════╪═══════╪═════════╪════════════╪═══════════╡
    │ 2023-11-14 22:13:32+00:00 ┆ rf       ┆ assignment   ┆ v0.0.1  ┆ dev   ┆ 2d199a9 ┆ Ada Tester ┆ rf#dev#1  │
    │ 2023-11-14 22:13:25+00:00 ┆ rf       ┆ registration ┆ v0.0.1  ┆ -     ┆ 2d199a9 ┆ Ada Tester ┆ rf@v0.0.1 │
    └───────────────────────────┴──────────┴──────────────┴─────────┴───────┴─────────┴────────────┴───────────┘
    [exit 0]
    ");
    // The filter is exact: `r` is not a prefix match for `rf`.
    insta::assert_snapshot!(repo.t(&["history", "r"]), @"
    $ registry history r
    Nothing found in the current workspace
    [exit 0]
    ");
}

#[test]
fn json_shape() {
    let repo = every_event();
    insta::assert_snapshot!(repo.t(&["history", "m", "--json"]), @r#"
    $ registry history m --json
    [
        {
            "timestamp": "2023-11-14T22:13:29+00:00",
            "artifact": "m",
            "event": "deprecation",
            "priority": 2,
            "version": null,
            "stage": null,
            "commit": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
            "author": "Ada Tester",
            "author_email": "ada@example.com",
            "message": "Deprecating artifact 'm'",
            "ref": "m@deprecated",
            "digest": null,
            "signature": {
                "status": "unsigned",
                "format": null,
                "principal": null,
                "fingerprint": null,
                "reason": null
            }
        },
        {
            "timestamp": "2023-11-14T22:13:28+00:00",
            "artifact": "m",
            "event": "deregistration",
            "priority": 4,
            "version": "v0.0.1",
            "stage": null,
            "commit": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
            "author": "Ada Tester",
            "author_email": "ada@example.com",
            "message": "Deregistering artifact m version v0.0.1",
            "ref": "m@v0.0.1!",
            "digest": null,
            "signature": {
                "status": "unsigned",
                "format": null,
                "principal": null,
                "fingerprint": null,
                "reason": null
            }
        },
        {
            "timestamp": "2023-11-14T22:13:26+00:00",
            "artifact": "m",
            "event": "unassignment",
            "priority": 6,
            "version": "v0.0.1",
            "stage": "dev",
            "commit": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
            "author": "Ada Tester",
            "author_email": "ada@example.com",
            "message": "Unassigning stage 'dev' to artifact 'm' version 'v0.0.1'",
            "ref": "m#dev!#2",
            "digest": null,
            "signature": {
                "status": "unsigned",
                "format": null,
                "principal": null,
                "fingerprint": null,
                "reason": null
            }
        },
        {
            "timestamp": "2023-11-14T22:13:25+00:00",
            "artifact": "m",
            "event": "assignment",
            "priority": 5,
            "version": "v0.0.1",
            "stage": "dev",
            "commit": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
            "author": "Ada Tester",
            "author_email": "ada@example.com",
            "message": "Assigning stage dev to artifact m version v0.0.1",
            "ref": "m#dev#1",
            "digest": null,
            "signature": {
                "status": "unsigned",
                "format": null,
                "principal": null,
                "fingerprint": null,
                "reason": null
            }
        },
        {
            "timestamp": "2023-11-14T22:13:24+00:00",
            "artifact": "m",
            "event": "registration",
            "priority": 3,
            "version": "v0.0.1",
            "stage": null,
            "commit": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
            "author": "Ada Tester",
            "author_email": "ada@example.com",
            "message": "Registering artifact m version v0.0.1",
            "ref": "m@v0.0.1",
            "digest": null,
            "signature": {
                "status": "unsigned",
                "format": null,
                "principal": null,
                "fingerprint": null,
                "reason": null
            }
        }
    ]
    [exit 0]
    "#);
}

#[test]
fn json_of_an_unregistered_version_names_its_commit() {
    let repo = TestRepo::new();
    repo.commit("first");
    ok(
        &repo,
        &[
            "assign",
            "m",
            "HEAD",
            "--stage",
            "dev",
            "--skip-registration",
        ],
    );
    insta::assert_snapshot!(repo.t(&["history"]), @"
    $ registry history
    ┌───────────────────────────┬──────────┬────────────┬─────────┬───────┬─────────┬────────────┬─────────┐
    │ timestamp                 ┆ artifact ┆ event      ┆ version ┆ stage ┆ commit  ┆ author     ┆ ref     │
    ╞═══════════════════════════╪══════════╪════════════╪═════════╪═══════╪═════════╪════════════╪═════════╡
    │ 2023-11-14 22:13:24+00:00 ┆ m        ┆ assignment ┆ 2d199a9 ┆ dev   ┆ 2d199a9 ┆ Ada Tester ┆ m#dev#1 │
    └───────────────────────────┴──────────┴────────────┴─────────┴───────┴─────────┴────────────┴─────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["history", "--json"]), @r#"
    $ registry history --json
    [
        {
            "timestamp": "2023-11-14T22:13:24+00:00",
            "artifact": "m",
            "event": "assignment",
            "priority": 5,
            "version": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
            "stage": "dev",
            "commit": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
            "author": "Ada Tester",
            "author_email": "ada@example.com",
            "message": "Assigning stage dev to artifact m version 2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
            "ref": "m#dev#1",
            "digest": null,
            "signature": {
                "status": "unsigned",
                "format": null,
                "principal": null,
                "fingerprint": null,
                "reason": null
            }
        }
    ]
    [exit 0]
    "#);
}

#[test]
fn empty() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(repo.t(&["history"]), @"
    $ registry history
    Nothing found in the current workspace
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["history", "--json"]), @"
    $ registry history --json
    []
    [exit 0]
    ");
    let repo = small_registry();
    insta::assert_snapshot!(repo.t(&["history", "nope", "--json"]), @"
    $ registry history nope --json
    []
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["history", "nope"]), @"
    $ registry history nope
    Nothing found in the current workspace
    [exit 0]
    ");
}

#[test]
fn only_one_output_format() {
    let repo = small_registry();
    insta::assert_snapshot!(repo.t(&["history", "--json", "--plain"]), @"
    $ registry history --json --plain
    --- stderr
    error: the argument '--json' cannot be used with '--plain'

    Usage: registry history --json [NAME]

    For more information, try '--help'.
    [exit 2]
    ");
}

#[test]
fn equal_seconds_order_by_priority() {
    // Registration and assignment in the same second: GTO sorts by (timestamp, priority), so
    // newest-first shows the assignment (priority 5) above the registration (priority 3).
    let repo = TestRepo::new();
    let c = repo.commit("first");
    repo.set_clock(1_700_001_000);
    crate::reads::tag(&repo, "m#dev#1", &c);
    repo.set_clock(1_700_001_000);
    crate::reads::tag(&repo, "m@v1.0.0", &c);
    insta::assert_snapshot!(repo.t(&["history"]), @"
    $ registry history
    ┌───────────────────────────┬──────────┬──────────────┬─────────┬───────┬─────────┬────────────┬──────────┐
    │ timestamp                 ┆ artifact ┆ event        ┆ version ┆ stage ┆ commit  ┆ author     ┆ ref      │
    ╞═══════════════════════════╪══════════╪══════════════╪═════════╪═══════╪═════════╪════════════╪══════════╡
    │ 2023-11-14 22:30:00+00:00 ┆ m        ┆ assignment   ┆ v1.0.0  ┆ dev   ┆ 2d199a9 ┆ Ada Tester ┆ m#dev#1  │
    │ 2023-11-14 22:30:00+00:00 ┆ m        ┆ registration ┆ v1.0.0  ┆ -     ┆ 2d199a9 ┆ Ada Tester ┆ m@v1.0.0 │
    └───────────────────────────┴──────────┴──────────────┴─────────┴───────┴─────────┴────────────┴──────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["history", "--asc"]), @"
    $ registry history --asc
    ┌───────────────────────────┬──────────┬──────────────┬─────────┬───────┬─────────┬────────────┬──────────┐
    │ timestamp                 ┆ artifact ┆ event        ┆ version ┆ stage ┆ commit  ┆ author     ┆ ref      │
    ╞═══════════════════════════╪══════════╪══════════════╪═════════╪═══════╪═════════╪════════════╪══════════╡
    │ 2023-11-14 22:30:00+00:00 ┆ m        ┆ registration ┆ v1.0.0  ┆ -     ┆ 2d199a9 ┆ Ada Tester ┆ m@v1.0.0 │
    │ 2023-11-14 22:30:00+00:00 ┆ m        ┆ assignment   ┆ v1.0.0  ┆ dev   ┆ 2d199a9 ┆ Ada Tester ┆ m#dev#1  │
    └───────────────────────────┴──────────┴──────────────┴─────────┴───────┴─────────┴────────────┴──────────┘
    [exit 0]
    ");
}

#[test]
fn plain_table_is_gtos_plain_table() {
    // GTO's `--plain` is tabulate's "plain" format: rows start at column 0, so `cut`/`awk` see
    // the same fields as in GTO.
    let repo = every_event();
    insta::assert_snapshot!(repo.t(&["history", "--plain"]), @"
    $ registry history --plain
    timestamp                  artifact  event           version  stage  commit   author      ref
    2023-11-14 22:13:29+00:00  m         deprecation     -        -      2d199a9  Ada Tester  m@deprecated
    2023-11-14 22:13:28+00:00  m         deregistration  v0.0.1   -      2d199a9  Ada Tester  m@v0.0.1!
    2023-11-14 22:13:27+00:00  other     registration    v0.0.1   -      2d199a9  Ada Tester  other@v0.0.1
    2023-11-14 22:13:26+00:00  m         unassignment    v0.0.1   dev    2d199a9  Ada Tester  m#dev!#2
    2023-11-14 22:13:25+00:00  m         assignment      v0.0.1   dev    2d199a9  Ada Tester  m#dev#1
    2023-11-14 22:13:24+00:00  m         registration    v0.0.1   -      2d199a9  Ada Tester  m@v0.0.1
    [exit 0]
    ");
}
