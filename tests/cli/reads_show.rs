//! `registry show` (reference §4.2–4.4, §5.4, §6; SPEC §4.4).

use crate::fixture::TestRepo;
use crate::reads::{ok, small_registry, worked_example};

#[test]
fn empty_registry() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    Nothing found in the current workspace
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--json"]), @"
    $ registry show --json
    {}
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--plain"]), @"
    $ registry show --plain
    Nothing found in the current workspace
    [exit 0]
    ");
    // A one-column flag on an empty registry prints nothing (GTO returns before checking).
    insta::assert_snapshot!(repo.t(&["show", "--version"]), @"
    $ registry show --version
    [exit 0]
    ");
}

#[test]
fn empty_repository_without_commits() {
    let repo = TestRepo::new();
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    Nothing found in the current workspace
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--json"]), @"
    $ registry show --json
    {}
    [exit 0]
    ");
}

#[test]
fn registry_table() {
    let repo = small_registry();
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌───────┬────────┬────────┬────────┬──────────┐
    │ name  ┆ latest ┆ #dev   ┆ #prod  ┆ #staging │
    ╞═══════╪════════╪════════╪════════╪══════════╡
    │ churn ┆ v1.1.0 ┆ -      ┆ v1.0.0 ┆ v1.1.0   │
    │ rf    ┆ v0.0.1 ┆ v0.0.1 ┆ -      ┆ -        │
    └───────┴────────┴────────┴────────┴──────────┘
    [exit 0]
    ");
    // The plain form: `plain_tables_are_gtos_plain_tables`.
}

#[test]
fn registry_json() {
    let repo = small_registry();
    insta::assert_snapshot!(repo.t(&["show", "--json"]), @r#"
    $ registry show --json
    {
        "churn": {
            "version": "v1.1.0",
            "stage": {
                "dev": null,
                "prod": "v1.0.0",
                "staging": "v1.1.0"
            },
            "registered": true,
            "active": true
        },
        "rf": {
            "version": "v0.0.1",
            "stage": {
                "dev": "v0.0.1",
                "prod": null,
                "staging": null
            },
            "registered": true,
            "active": true
        }
    }
    [exit 0]
    "#);
    // With --vs other than 1 the stage values are ", "-joined strings.
    ok(&repo, &["promote", "churn@v1.1.0", "prod"]);
    insta::assert_snapshot!(repo.t(&["show", "--json", "--vs", "-1"]), @r#"
    $ registry show --json --vs -1
    {
        "churn": {
            "version": "v1.1.0",
            "stage": {
                "dev": null,
                "prod": "v1.1.0, v1.0.0",
                "staging": "v1.1.0"
            },
            "registered": true,
            "active": true
        },
        "rf": {
            "version": "v0.0.1",
            "stage": {
                "dev": "v0.0.1",
                "prod": null,
                "staging": null
            },
            "registered": true,
            "active": true
        }
    }
    [exit 0]
    "#);
}

#[test]
fn artifact_table_and_json() {
    let repo = small_registry();
    insta::assert_snapshot!(repo.t(&["show", "churn"]), @"
    $ registry show churn
    ┌──────────┬─────────┬─────────┬───────────────────────────┬──────────────┐
    │ artifact ┆ version ┆ stage   ┆ created_at                ┆ ref          │
    ╞══════════╪═════════╪═════════╪═══════════════════════════╪══════════════╡
    │ churn    ┆ v1.1.0  ┆ staging ┆ 2023-11-14 22:13:29+00:00 ┆ churn@v1.1.0 │
    │ churn    ┆ v1.0.0  ┆ prod    ┆ 2023-11-14 22:13:24+00:00 ┆ churn@v1.0.0 │
    └──────────┴─────────┴─────────┴───────────────────────────┴──────────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "rf", "--json"]), @r#"
    $ registry show rf --json
    [
        {
            "artifact": "rf",
            "commit_hexsha": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
            "version": "v0.0.1",
            "enrichments": [],
            "registrations": [
                {
                    "priority": 3,
                    "addition": true,
                    "artifact": "rf",
                    "created_at": "2023-11-14T22:13:25+00:00",
                    "author": "Ada Tester",
                    "author_email": "ada@example.com",
                    "message": "Registering artifact rf version v0.0.1",
                    "commit_hexsha": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
                    "tag": "rf@v0.0.1",
                    "version": "v0.0.1"
                }
            ],
            "deregistrations": [],
            "stages": [
                {
                    "artifact": "rf",
                    "commit_hexsha": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
                    "version": "v0.0.1",
                    "stage": "dev",
                    "assignments": [
                        {
                            "priority": 5,
                            "addition": true,
                            "artifact": "rf",
                            "created_at": "2023-11-14T22:13:32+00:00",
                            "author": "Ada Tester",
                            "author_email": "ada@example.com",
                            "message": "Assigning stage dev to artifact rf version v0.0.1",
                            "commit_hexsha": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
                            "tag": "rf#dev#1",
                            "version": "v0.0.1",
                            "stage": "dev",
                            "event": "assignment"
                        }
                    ],
                    "unassignments": [],
                    "is_active": true,
                    "activated_at": "2023-11-14T22:13:32+00:00",
                    "created_at": "2023-11-14T22:13:32+00:00",
                    "author": "Ada Tester",
                    "author_email": "ada@example.com",
                    "message": "Assigning stage dev to artifact rf version v0.0.1",
                    "ref": "rf#dev#1"
                }
            ],
            "is_active": true,
            "activated_at": "2023-11-14T22:13:25+00:00",
            "created_at": "2023-11-14T22:13:25+00:00",
            "author": "Ada Tester",
            "author_email": "ada@example.com",
            "message": "Registering artifact rf version v0.0.1",
            "ref": "rf@v0.0.1",
            "discovered": false,
            "digest": null,
            "artifact_path": null
        }
    ]
    [exit 0]
    "#);
}

#[test]
fn artifact_json_lists_only_the_selected_stages() {
    let repo = small_registry();
    // v1.1.0 takes prod from v1.0.0: v1.0.0's prod pair is no longer selected (reference §6).
    ok(&repo, &["promote", "churn@v1.1.0", "prod"]);
    insta::assert_snapshot!(repo.t(&["show", "churn", "--json"]), @r#"
    $ registry show churn --json
    [
        {
            "artifact": "churn",
            "commit_hexsha": "aa80723036dbf7b7b4c0a090d5ab44756cd67285",
            "version": "v1.1.0",
            "enrichments": [],
            "registrations": [
                {
                    "priority": 3,
                    "addition": true,
                    "artifact": "churn",
                    "created_at": "2023-11-14T22:13:29+00:00",
                    "author": "Ada Tester",
                    "author_email": "ada@example.com",
                    "message": "Registering artifact churn version v1.1.0",
                    "commit_hexsha": "aa80723036dbf7b7b4c0a090d5ab44756cd67285",
                    "tag": "churn@v1.1.0",
                    "version": "v1.1.0"
                }
            ],
            "deregistrations": [],
            "stages": [
                {
                    "artifact": "churn",
                    "commit_hexsha": "aa80723036dbf7b7b4c0a090d5ab44756cd67285",
                    "version": "v1.1.0",
                    "stage": "prod",
                    "assignments": [
                        {
                            "priority": 5,
                            "addition": true,
                            "artifact": "churn",
                            "created_at": "2023-11-14T22:13:33+00:00",
                            "author": "Ada Tester",
                            "author_email": "ada@example.com",
                            "message": "Assigning stage prod to artifact churn version v1.1.0",
                            "commit_hexsha": "aa80723036dbf7b7b4c0a090d5ab44756cd67285",
                            "tag": "churn#prod#3",
                            "version": "v1.1.0",
                            "stage": "prod",
                            "event": "assignment"
                        }
                    ],
                    "unassignments": [],
                    "is_active": true,
                    "activated_at": "2023-11-14T22:13:33+00:00",
                    "created_at": "2023-11-14T22:13:33+00:00",
                    "author": "Ada Tester",
                    "author_email": "ada@example.com",
                    "message": "Assigning stage prod to artifact churn version v1.1.0",
                    "ref": "churn#prod#3"
                },
                {
                    "artifact": "churn",
                    "commit_hexsha": "aa80723036dbf7b7b4c0a090d5ab44756cd67285",
                    "version": "v1.1.0",
                    "stage": "staging",
                    "assignments": [
                        {
                            "priority": 5,
                            "addition": true,
                            "artifact": "churn",
                            "created_at": "2023-11-14T22:13:31+00:00",
                            "author": "Ada Tester",
                            "author_email": "ada@example.com",
                            "message": "Assigning stage staging to artifact churn version v1.1.0",
                            "commit_hexsha": "aa80723036dbf7b7b4c0a090d5ab44756cd67285",
                            "tag": "churn#staging#2",
                            "version": "v1.1.0",
                            "stage": "staging",
                            "event": "assignment"
                        }
                    ],
                    "unassignments": [],
                    "is_active": true,
                    "activated_at": "2023-11-14T22:13:31+00:00",
                    "created_at": "2023-11-14T22:13:31+00:00",
                    "author": "Ada Tester",
                    "author_email": "ada@example.com",
                    "message": "Assigning stage staging to artifact churn version v1.1.0",
                    "ref": "churn#staging#2"
                }
            ],
            "is_active": true,
            "activated_at": "2023-11-14T22:13:29+00:00",
            "created_at": "2023-11-14T22:13:29+00:00",
            "author": "Ada Tester",
            "author_email": "ada@example.com",
            "message": "Registering artifact churn version v1.1.0",
            "ref": "churn@v1.1.0",
            "discovered": false,
            "digest": null,
            "artifact_path": null
        },
        {
            "artifact": "churn",
            "commit_hexsha": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
            "version": "v1.0.0",
            "enrichments": [],
            "registrations": [
                {
                    "priority": 3,
                    "addition": true,
                    "artifact": "churn",
                    "created_at": "2023-11-14T22:13:24+00:00",
                    "author": "Ada Tester",
                    "author_email": "ada@example.com",
                    "message": "Registering artifact churn version v1.0.0",
                    "commit_hexsha": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
                    "tag": "churn@v1.0.0",
                    "version": "v1.0.0"
                }
            ],
            "deregistrations": [],
            "stages": [],
            "is_active": true,
            "activated_at": "2023-11-14T22:13:24+00:00",
            "created_at": "2023-11-14T22:13:24+00:00",
            "author": "Ada Tester",
            "author_email": "ada@example.com",
            "message": "Registering artifact churn version v1.0.0",
            "ref": "churn@v1.0.0",
            "discovered": false,
            "digest": null,
            "artifact_path": null
        }
    ]
    [exit 0]
    "#);
}

#[test]
fn shortcuts() {
    let repo = small_registry();
    insta::assert_snapshot!(repo.t(&["show", "churn@v1.0.0"]), @"
    $ registry show churn@v1.0.0
    ┌──────────┬─────────┬───────┬───────────────────────────┬──────────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref          │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪══════════════╡
    │ churn    ┆ v1.0.0  ┆ prod  ┆ 2023-11-14 22:13:24+00:00 ┆ churn@v1.0.0 │
    └──────────┴─────────┴───────┴───────────────────────────┴──────────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn@latest"]), @"
    $ registry show churn@latest
    ┌──────────┬─────────┬─────────┬───────────────────────────┬──────────────┐
    │ artifact ┆ version ┆ stage   ┆ created_at                ┆ ref          │
    ╞══════════╪═════════╪═════════╪═══════════════════════════╪══════════════╡
    │ churn    ┆ v1.1.0  ┆ staging ┆ 2023-11-14 22:13:29+00:00 ┆ churn@v1.1.0 │
    └──────────┴─────────┴─────────┴───────────────────────────┴──────────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn@greatest"]), @"
    $ registry show churn@greatest
    ┌──────────┬─────────┬─────────┬───────────────────────────┬──────────────┐
    │ artifact ┆ version ┆ stage   ┆ created_at                ┆ ref          │
    ╞══════════╪═════════╪═════════╪═══════════════════════════╪══════════════╡
    │ churn    ┆ v1.1.0  ┆ staging ┆ 2023-11-14 22:13:29+00:00 ┆ churn@v1.1.0 │
    └──────────┴─────────┴─────────┴───────────────────────────┴──────────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn#prod"]), @"
    $ registry show 'churn#prod'
    ┌──────────┬─────────┬───────┬───────────────────────────┬──────────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref          │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪══════════════╡
    │ churn    ┆ v1.0.0  ┆ prod  ┆ 2023-11-14 22:13:24+00:00 ┆ churn@v1.0.0 │
    └──────────┴─────────┴───────┴───────────────────────────┴──────────────┘
    [exit 0]
    ");
    // Idioms of reference §5.4: the ref is the *registration* tag, not the assignment tag.
    insta::assert_snapshot!(repo.t(&["show", "churn@latest", "--ref"]), @"
    $ registry show churn@latest --ref
    churn@v1.1.0
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn#prod", "--ref"]), @"
    $ registry show 'churn#prod' --ref
    churn@v1.0.0
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn#prod", "--version"]), @"
    $ registry show 'churn#prod' --version
    v1.0.0
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn#staging", "--json"]), @r#"
    $ registry show 'churn#staging' --json
    [
        {
            "artifact": "churn",
            "commit_hexsha": "aa80723036dbf7b7b4c0a090d5ab44756cd67285",
            "version": "v1.1.0",
            "enrichments": [],
            "registrations": [
                {
                    "priority": 3,
                    "addition": true,
                    "artifact": "churn",
                    "created_at": "2023-11-14T22:13:29+00:00",
                    "author": "Ada Tester",
                    "author_email": "ada@example.com",
                    "message": "Registering artifact churn version v1.1.0",
                    "commit_hexsha": "aa80723036dbf7b7b4c0a090d5ab44756cd67285",
                    "tag": "churn@v1.1.0",
                    "version": "v1.1.0"
                }
            ],
            "deregistrations": [],
            "stages": [
                {
                    "artifact": "churn",
                    "commit_hexsha": "aa80723036dbf7b7b4c0a090d5ab44756cd67285",
                    "version": "v1.1.0",
                    "stage": "staging",
                    "assignments": [
                        {
                            "priority": 5,
                            "addition": true,
                            "artifact": "churn",
                            "created_at": "2023-11-14T22:13:31+00:00",
                            "author": "Ada Tester",
                            "author_email": "ada@example.com",
                            "message": "Assigning stage staging to artifact churn version v1.1.0",
                            "commit_hexsha": "aa80723036dbf7b7b4c0a090d5ab44756cd67285",
                            "tag": "churn#staging#2",
                            "version": "v1.1.0",
                            "stage": "staging",
                            "event": "assignment"
                        }
                    ],
                    "unassignments": [],
                    "is_active": true,
                    "activated_at": "2023-11-14T22:13:31+00:00",
                    "created_at": "2023-11-14T22:13:31+00:00",
                    "author": "Ada Tester",
                    "author_email": "ada@example.com",
                    "message": "Assigning stage staging to artifact churn version v1.1.0",
                    "ref": "churn#staging#2"
                }
            ],
            "is_active": true,
            "activated_at": "2023-11-14T22:13:29+00:00",
            "created_at": "2023-11-14T22:13:29+00:00",
            "author": "Ada Tester",
            "author_email": "ada@example.com",
            "message": "Registering artifact churn version v1.1.0",
            "ref": "churn@v1.1.0",
            "discovered": false,
            "digest": null,
            "artifact_path": null
        }
    ]
    [exit 0]
    "#);
    // A shortcut that matches nothing is an empty result, not an error.
    insta::assert_snapshot!(repo.t(&["show", "churn@v9.9.9"]), @"
    $ registry show churn@v9.9.9
    Nothing found in the current workspace
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn#qa"]), @"
    $ registry show 'churn#qa'
    Nothing found in the current workspace
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn#qa", "--version"]), @"
    $ registry show 'churn#qa' --version
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn#qa", "--json"]), @"
    $ registry show 'churn#qa' --json
    []
    [exit 0]
    ");
}

#[test]
fn latest_is_highest_semver_not_newest() {
    let repo = TestRepo::new();
    let c1 = repo.commit("c1");
    let c2 = repo.commit("c2");
    ok(&repo, &["register", "m", &c2, "--version", "v2.0.0"]);
    ok(&repo, &["register", "m", &c1, "--version", "v1.5.0"]);
    insta::assert_snapshot!(repo.t(&["show", "m@latest", "--version"]), @"
    $ registry show m@latest --version
    v2.0.0
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌──────┬────────┐
    │ name ┆ latest │
    ╞══════╪════════╡
    │ m    ┆ v2.0.0 │
    └──────┴────────┘
    [exit 0]
    ");
}

#[test]
fn one_column_flags_in_registry_mode() {
    let repo = small_registry();
    insta::assert_snapshot!(repo.t(&["show", "--name"]), @"
    $ registry show --name
    churn
    rf
    [exit 0]
    ");
    // The registry table has no version, stage or ref column.
    insta::assert_snapshot!(repo.t(&["show", "--version"]), @"
    $ registry show --version
    --- stderr
    error: Cannot apply --version
    hint: the registry table has the columns name, latest and one per stage; give an artifact name for the others
    [exit 1]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--stage"]), @"
    $ registry show --stage
    --- stderr
    error: Cannot apply --stage
    hint: the registry table has the columns name, latest and one per stage; give an artifact name for the others
    [exit 1]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--ref"]), @"
    $ registry show --ref
    --- stderr
    error: Cannot apply --ref
    hint: the registry table has the columns name, latest and one per stage; give an artifact name for the others
    [exit 1]
    ");
}

#[test]
fn one_column_flags_in_name_mode() {
    let repo = small_registry();
    insta::assert_snapshot!(repo.t(&["show", "churn", "--version"]), @"
    $ registry show churn --version
    v1.1.0
    v1.0.0
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn", "--stage"]), @"
    $ registry show churn --stage
    staging
    prod
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn", "--ref"]), @"
    $ registry show churn --ref
    churn@v1.1.0
    churn@v1.0.0
    [exit 0]
    ");
    // `show NAME` has an `artifact` column, not a `name` one.
    insta::assert_snapshot!(repo.t(&["show", "churn", "--name"]), @"
    $ registry show churn --name
    --- stderr
    error: Cannot apply --name
    hint: the columns of `show NAME` are artifact, version, stage, created_at and ref
    [exit 1]
    ");
}

#[test]
fn only_one_output_format() {
    let repo = small_registry();
    insta::assert_snapshot!(repo.t(&["show", "--json", "--plain"]), @"
    $ registry show --json --plain
    --- stderr
    error: the argument '--json' cannot be used with '--plain'

    Usage: registry show --json [TARGET]

    For more information, try '--help'.
    [exit 2]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn", "--version", "--ref"]), @"
    $ registry show churn --version --ref
    --- stderr
    error: the argument '--version' cannot be used with '--ref'

    Usage: registry show --version <TARGET>

    For more information, try '--help'.
    [exit 2]
    ");
}

#[test]
fn unknown_artifact() {
    let repo = small_registry();
    insta::assert_snapshot!(repo.t(&["show", "nope"]), @"
    $ registry show nope
    --- stderr
    error: Cannot find artifact 'nope'
    hint: `registry show` lists the artifacts in this repository
    [exit 1]
    ");
    insta::assert_snapshot!(repo.t(&["show", "nope", "--json"]), @"
    $ registry show nope --json
    --- stderr
    error: Cannot find artifact 'nope'
    hint: `registry show` lists the artifacts in this repository
    [exit 1]
    ");
    insta::assert_snapshot!(repo.t(&["show", "nope@latest"]), @"
    $ registry show nope@latest
    --- stderr
    error: Cannot find artifact 'nope'
    hint: `registry show` lists the artifacts in this repository
    [exit 1]
    ");
}

#[test]
fn bad_options() {
    let repo = small_registry();
    insta::assert_snapshot!(repo.t(&["show", "--sort", "newest"]), @"
    $ registry show --sort newest
    --- stderr
    error: invalid value 'newest' for '--sort <SORT>'
      [possible values: timestamp, semver]

    For more information, try '--help'.
    [exit 2]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--av", "-2"]), @"
    $ registry show --av -2
    --- stderr
    error: invalid value '-2' for '--av <ASSIGNMENTS_PER_VERSION>': give a count of 0 or more, or -1 for all

    For more information, try '--help'.
    [exit 2]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--vs", "-2"]), @"
    $ registry show --vs -2
    --- stderr
    error: invalid value '-2' for '--vs <VERSIONS_PER_STAGE>': give a count of 0 or more, or -1 for all

    For more information, try '--help'.
    [exit 2]
    ");
}

/// Reference §4.3's worked example, end to end.
#[test]
fn worked_example_of_stage_resolution() {
    let repo = worked_example();
    // Default: each stage shows the version whose assignment to it is most recent.
    insta::assert_snapshot!(repo.t(&["show", "m"]), @"
    $ registry show m
    ┌──────────┬─────────┬──────────────┬───────────────────────────┬──────────┐
    │ artifact ┆ version ┆ stage        ┆ created_at                ┆ ref      │
    ╞══════════╪═════════╪══════════════╪═══════════════════════════╪══════════╡
    │ m        ┆ v2.0.0  ┆ dev, staging ┆ 2023-11-14 22:13:28+00:00 ┆ m@v2.0.0 │
    │ m        ┆ v1.0.0  ┆ prod         ┆ 2023-11-14 22:13:27+00:00 ┆ m@v1.0.0 │
    └──────────┴─────────┴──────────────┴───────────────────────────┴──────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌──────┬────────┬────────┬────────┬──────────┐
    │ name ┆ latest ┆ #dev   ┆ #prod  ┆ #staging │
    ╞══════╪════════╪════════╪════════╪══════════╡
    │ m    ┆ v2.0.0 ┆ v2.0.0 ┆ v1.0.0 ┆ v2.0.0   │
    └──────┴────────┴────────┴────────┴──────────┘
    [exit 0]
    ");
    // --vs -1: every version still holding a stage is listed in it.
    insta::assert_snapshot!(repo.t(&["show", "m", "--vs", "-1"]), @"
    $ registry show m --vs -1
    ┌──────────┬─────────┬──────────────┬───────────────────────────┬──────────┐
    │ artifact ┆ version ┆ stage        ┆ created_at                ┆ ref      │
    ╞══════════╪═════════╪══════════════╪═══════════════════════════╪══════════╡
    │ m        ┆ v2.0.0  ┆ dev, staging ┆ 2023-11-14 22:13:28+00:00 ┆ m@v2.0.0 │
    │ m        ┆ v1.0.0  ┆ dev, prod    ┆ 2023-11-14 22:13:27+00:00 ┆ m@v1.0.0 │
    └──────────┴─────────┴──────────────┴───────────────────────────┴──────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--vs", "-1"]), @"
    $ registry show --vs -1
    ┌──────┬────────┬────────────────┬────────┬──────────┐
    │ name ┆ latest ┆ #dev           ┆ #prod  ┆ #staging │
    ╞══════╪════════╪════════════════╪════════╪══════════╡
    │ m    ┆ v2.0.0 ┆ v2.0.0, v1.0.0 ┆ v1.0.0 ┆ v2.0.0   │
    └──────┴────────┴────────────────┴────────┴──────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "m#dev", "--vs", "-1", "--version"]), @"
    $ registry show 'm#dev' --vs -1 --version
    v2.0.0
    v1.0.0
    [exit 0]
    ");
    // --av 1 keeps each version's NEWEST stage (B4 fixed; GTO keeps the oldest: v2 staging,
    // v1 dev).
    insta::assert_snapshot!(repo.t(&["show", "m", "--av", "1", "--vs", "-1"]), @"
    $ registry show m --av 1 --vs -1
    ┌──────────┬─────────┬───────┬───────────────────────────┬──────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref      │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪══════════╡
    │ m        ┆ v2.0.0  ┆ dev   ┆ 2023-11-14 22:13:28+00:00 ┆ m@v2.0.0 │
    │ m        ┆ v1.0.0  ┆ prod  ┆ 2023-11-14 22:13:27+00:00 ┆ m@v1.0.0 │
    └──────────┴─────────┴───────┴───────────────────────────┴──────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--av", "1", "--vs", "-1", "--json"]), @r#"
    $ registry show --av 1 --vs -1 --json
    {
        "m": {
            "version": "v2.0.0",
            "stage": {
                "dev": "v2.0.0",
                "prod": "v1.0.0",
                "staging": null
            },
            "registered": true,
            "active": true
        }
    }
    [exit 0]
    "#);
    // --av 0: no version keeps a stage.
    insta::assert_snapshot!(repo.t(&["show", "--av", "0"]), @"
    $ registry show --av 0
    ┌──────┬────────┬──────┬───────┬──────────┐
    │ name ┆ latest ┆ #dev ┆ #prod ┆ #staging │
    ╞══════╪════════╪══════╪═══════╪══════════╡
    │ m    ┆ v2.0.0 ┆ -    ┆ -     ┆ -        │
    └──────┴────────┴──────┴───────┴──────────┘
    [exit 0]
    ");
}

#[test]
fn sort_semver_vs_timestamp() {
    // v2 took dev first, then v1 took it back: by time v1 is in dev, by SemVer v2 is.
    let repo = TestRepo::new();
    let c1 = repo.commit("c1");
    let c2 = repo.commit("c2");
    ok(&repo, &["register", "m", &c1, "--version", "v1.0.0"]);
    ok(&repo, &["register", "m", &c2, "--version", "v2.0.0"]);
    ok(&repo, &["promote", "m@v2.0.0", "dev"]);
    ok(&repo, &["promote", "m@v1.0.0", "dev"]);
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌──────┬────────┬────────┐
    │ name ┆ latest ┆ #dev   │
    ╞══════╪════════╪════════╡
    │ m    ┆ v2.0.0 ┆ v1.0.0 │
    └──────┴────────┴────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--sort", "timestamp"]), @"
    $ registry show --sort timestamp
    ┌──────┬────────┬────────┐
    │ name ┆ latest ┆ #dev   │
    ╞══════╪════════╪════════╡
    │ m    ┆ v2.0.0 ┆ v1.0.0 │
    └──────┴────────┴────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--sort", "semver"]), @"
    $ registry show --sort semver
    ┌──────┬────────┬────────┐
    │ name ┆ latest ┆ #dev   │
    ╞══════╪════════╪════════╡
    │ m    ┆ v2.0.0 ┆ v2.0.0 │
    └──────┴────────┴────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "m#dev", "--sort", "semver", "--version"]), @"
    $ registry show 'm#dev' --sort semver --version
    v2.0.0
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "m", "--vs", "-1", "--sort", "semver"]), @"
    $ registry show m --vs -1 --sort semver
    ┌──────────┬─────────┬───────┬───────────────────────────┬──────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref      │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪══════════╡
    │ m        ┆ v2.0.0  ┆ dev   ┆ 2023-11-14 22:13:28+00:00 ┆ m@v2.0.0 │
    │ m        ┆ v1.0.0  ┆ dev   ┆ 2023-11-14 22:13:27+00:00 ┆ m@v1.0.0 │
    └──────────┴─────────┴───────┴───────────────────────────┴──────────┘
    [exit 0]
    ");
}

#[test]
fn registered_only_hides_unregistered_versions_b9() {
    let repo = TestRepo::new();
    let c1 = repo.commit("c1");
    let c2 = repo.commit("c2");
    ok(&repo, &["register", "m", &c1, "--version", "v1.0.0"]);
    ok(&repo, &["promote", "m@v1.0.0", "prod"]);
    // c2 gets a stage without a registration: a version named by its commit.
    ok(
        &repo,
        &["assign", "m", &c2, "--stage", "dev", "--skip-registration"],
    );
    insta::assert_snapshot!(repo.t(&["show", "m"]), @"
    $ registry show m
    ┌──────────┬─────────┬───────┬───────────────────────────┬──────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref      │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪══════════╡
    │ m        ┆ v1.0.0  ┆ prod  ┆ 2023-11-14 22:13:27+00:00 ┆ m@v1.0.0 │
    │ m        ┆ 94406c6 ┆ dev   ┆ 2023-11-14 22:13:29+00:00 ┆ m#dev#2  │
    └──────────┴─────────┴───────┴───────────────────────────┴──────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌──────┬────────┬─────────┬────────┐
    │ name ┆ latest ┆ #dev    ┆ #prod  │
    ╞══════╪════════╪═════════╪════════╡
    │ m    ┆ v1.0.0 ┆ 94406c6 ┆ v1.0.0 │
    └──────┴────────┴─────────┴────────┘
    [exit 0]
    ");
    // --ro: the unregistered version is hidden (GTO keeps its row, B9) and holds no stage.
    insta::assert_snapshot!(repo.t(&["show", "m", "--ro"]), @"
    $ registry show m --ro
    ┌──────────┬─────────┬───────┬───────────────────────────┬──────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref      │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪══════════╡
    │ m        ┆ v1.0.0  ┆ prod  ┆ 2023-11-14 22:13:27+00:00 ┆ m@v1.0.0 │
    └──────────┴─────────┴───────┴───────────────────────────┴──────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--ro"]), @"
    $ registry show --ro
    ┌──────┬────────┬──────┬────────┐
    │ name ┆ latest ┆ #dev ┆ #prod  │
    ╞══════╪════════╪══════╪════════╡
    │ m    ┆ v1.0.0 ┆ -    ┆ v1.0.0 │
    └──────┴────────┴──────┴────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "m#dev", "--ro"]), @"
    $ registry show 'm#dev' --ro
    Nothing found in the current workspace
    [exit 0]
    ");
    // -d does not lift --ro (B9: in GTO -d short-circuits every other filter).
    insta::assert_snapshot!(repo.t(&["show", "m", "--ro", "-d"]), @"
    $ registry show m --ro -d
    ┌──────────┬─────────┬───────┬───────────────────────────┬──────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref      │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪══════════╡
    │ m        ┆ v1.0.0  ┆ prod  ┆ 2023-11-14 22:13:27+00:00 ┆ m@v1.0.0 │
    └──────────┴─────────┴───────┴───────────────────────────┴──────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "m", "--registered-only", "--json"]), @r#"
    $ registry show m --registered-only --json
    [
        {
            "artifact": "m",
            "commit_hexsha": "33efecf150638d4dca9a3785af466b3945139798",
            "version": "v1.0.0",
            "enrichments": [],
            "registrations": [
                {
                    "priority": 3,
                    "addition": true,
                    "artifact": "m",
                    "created_at": "2023-11-14T22:13:27+00:00",
                    "author": "Ada Tester",
                    "author_email": "ada@example.com",
                    "message": "Registering artifact m version v1.0.0",
                    "commit_hexsha": "33efecf150638d4dca9a3785af466b3945139798",
                    "tag": "m@v1.0.0",
                    "version": "v1.0.0"
                }
            ],
            "deregistrations": [],
            "stages": [
                {
                    "artifact": "m",
                    "commit_hexsha": "33efecf150638d4dca9a3785af466b3945139798",
                    "version": "v1.0.0",
                    "stage": "prod",
                    "assignments": [
                        {
                            "priority": 5,
                            "addition": true,
                            "artifact": "m",
                            "created_at": "2023-11-14T22:13:28+00:00",
                            "author": "Ada Tester",
                            "author_email": "ada@example.com",
                            "message": "Assigning stage prod to artifact m version v1.0.0",
                            "commit_hexsha": "33efecf150638d4dca9a3785af466b3945139798",
                            "tag": "m#prod#1",
                            "version": "v1.0.0",
                            "stage": "prod",
                            "event": "assignment"
                        }
                    ],
                    "unassignments": [],
                    "is_active": true,
                    "activated_at": "2023-11-14T22:13:28+00:00",
                    "created_at": "2023-11-14T22:13:28+00:00",
                    "author": "Ada Tester",
                    "author_email": "ada@example.com",
                    "message": "Assigning stage prod to artifact m version v1.0.0",
                    "ref": "m#prod#1"
                }
            ],
            "is_active": true,
            "activated_at": "2023-11-14T22:13:27+00:00",
            "created_at": "2023-11-14T22:13:27+00:00",
            "author": "Ada Tester",
            "author_email": "ada@example.com",
            "message": "Registering artifact m version v1.0.0",
            "ref": "m@v1.0.0",
            "discovered": false,
            "digest": null,
            "artifact_path": null
        }
    ]
    [exit 0]
    "#);
}

#[test]
fn deprecated_flag_shows_deprecated_artifacts_and_deregistered_versions() {
    let repo = TestRepo::new();
    let c1 = repo.commit("c1");
    let c2 = repo.commit("c2");
    ok(&repo, &["register", "m", &c1, "--version", "v1.0.0"]);
    ok(&repo, &["register", "m", &c2, "--version", "v2.0.0"]);
    ok(&repo, &["promote", "m@v2.0.0", "prod"]);
    ok(&repo, &["register", "old", &c1]);
    ok(&repo, &["deregister", "m", "v2.0.0"]);
    ok(&repo, &["deprecate", "old"]);
    // The deregistered version loses its stage and its row; the deprecated artifact its row.
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌──────┬────────┐
    │ name ┆ latest │
    ╞══════╪════════╡
    │ m    ┆ v1.0.0 │
    └──────┴────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "m"]), @"
    $ registry show m
    ┌──────────┬─────────┬───────┬───────────────────────────┬──────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref      │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪══════════╡
    │ m        ┆ v1.0.0  ┆ -     ┆ 2023-11-14 22:13:27+00:00 ┆ m@v1.0.0 │
    └──────────┴─────────┴───────┴───────────────────────────┴──────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "old"]), @"
    $ registry show old
    Nothing found in the current workspace
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--json"]), @r#"
    $ registry show --json
    {
        "m": {
            "version": "v1.0.0",
            "stage": {},
            "registered": true,
            "active": true
        }
    }
    [exit 0]
    "#);
    insta::assert_snapshot!(repo.t(&["show", "m@v2.0.0"]), @"
    $ registry show m@v2.0.0
    Nothing found in the current workspace
    [exit 0]
    ");
    // -d brings both back.
    insta::assert_snapshot!(repo.t(&["show", "-d"]), @"
    $ registry show -d
    ┌──────┬────────┐
    │ name ┆ latest │
    ╞══════╪════════╡
    │ m    ┆ v1.0.0 │
    │ old  ┆ v0.0.1 │
    └──────┴────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "m", "-d"]), @"
    $ registry show m -d
    ┌──────────┬─────────┬───────┬───────────────────────────┬──────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref      │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪══════════╡
    │ m        ┆ v2.0.0  ┆ -     ┆ 2023-11-14 22:13:28+00:00 ┆ m@v2.0.0 │
    │ m        ┆ v1.0.0  ┆ -     ┆ 2023-11-14 22:13:27+00:00 ┆ m@v1.0.0 │
    └──────────┴─────────┴───────┴───────────────────────────┴──────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "m@v2.0.0", "-d", "--ref"]), @"
    $ registry show m@v2.0.0 -d --ref
    m@v2.0.0
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "old", "--deprecated"]), @"
    $ registry show old --deprecated
    ┌──────────┬─────────┬───────┬───────────────────────────┬────────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref        │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪════════════╡
    │ old      ┆ v0.0.1  ┆ -     ┆ 2023-11-14 22:13:30+00:00 ┆ old@v0.0.1 │
    └──────────┴─────────┴───────┴───────────────────────────┴────────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "-d", "--json"]), @r#"
    $ registry show -d --json
    {
        "old": {
            "version": "v0.0.1",
            "stage": {},
            "registered": true,
            "active": false
        },
        "m": {
            "version": "v1.0.0",
            "stage": {},
            "registered": true,
            "active": true
        }
    }
    [exit 0]
    "#);
}

#[test]
fn a_later_event_undeprecates() {
    let repo = TestRepo::new();
    repo.commit("c1");
    ok(&repo, &["register", "m"]);
    ok(&repo, &["deprecate", "m"]);
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    Nothing found in the current workspace
    [exit 0]
    ");
    repo.commit("c2");
    ok(&repo, &["register", "m"]);
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌──────┬────────┐
    │ name ┆ latest │
    ╞══════╪════════╡
    │ m    ┆ v0.0.2 │
    └──────┴────────┘
    [exit 0]
    ");
}

#[test]
fn gto_config_stages_give_the_columns() {
    let repo = small_registry();
    repo.write(".gto", "stages: [dev, staging, prod, archive]\n");
    // Config order, and a column for a stage nobody holds.
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌───────┬────────┬────────┬──────────┬────────┬──────────┐
    │ name  ┆ latest ┆ #dev   ┆ #staging ┆ #prod  ┆ #archive │
    ╞═══════╪════════╪════════╪══════════╪════════╪══════════╡
    │ churn ┆ v1.1.0 ┆ -      ┆ v1.1.0   ┆ v1.0.0 ┆ -        │
    │ rf    ┆ v0.0.1 ┆ v0.0.1 ┆ -        ┆ -      ┆ -        │
    └───────┴────────┴────────┴──────────┴────────┴──────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--json"]), @r#"
    $ registry show --json
    {
        "churn": {
            "version": "v1.1.0",
            "stage": {
                "dev": null,
                "staging": "v1.1.0",
                "prod": "v1.0.0",
                "archive": null
            },
            "registered": true,
            "active": true
        },
        "rf": {
            "version": "v0.0.1",
            "stage": {
                "dev": "v0.0.1",
                "staging": null,
                "prod": null,
                "archive": null
            },
            "registered": true,
            "active": true
        }
    }
    [exit 0]
    "#);
}

#[test]
fn gto_config_stages_hide_other_columns() {
    let repo = small_registry();
    repo.write(".gto", "stages: [prod, dev]\n");
    // `staging` is held but not configured: no column for it (GTO takes the config as is).
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌───────┬────────┬────────┬────────┐
    │ name  ┆ latest ┆ #prod  ┆ #dev   │
    ╞═══════╪════════╪════════╪════════╡
    │ churn ┆ v1.1.0 ┆ v1.0.0 ┆ -      │
    │ rf    ┆ v0.0.1 ┆ -      ┆ v0.0.1 │
    └───────┴────────┴────────┴────────┘
    [exit 0]
    ");
    // An empty `.gto` configures nothing: the used stages again.
    repo.write(".gto", "");
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌───────┬────────┬────────┬────────┬──────────┐
    │ name  ┆ latest ┆ #dev   ┆ #prod  ┆ #staging │
    ╞═══════╪════════╪════════╪════════╪══════════╡
    │ churn ┆ v1.1.0 ┆ -      ┆ v1.0.0 ┆ v1.1.0   │
    │ rf    ┆ v0.0.1 ┆ v0.0.1 ┆ -      ┆ -        │
    └───────┴────────┴────────┴────────┴──────────┘
    [exit 0]
    ");
}

#[test]
fn monorepo_artifact() {
    let repo = TestRepo::new();
    repo.commit("first");
    ok(&repo, &["register", "models:resnet"]);
    ok(&repo, &["promote", "models:resnet", "prod"]);
    insta::assert_snapshot!(repo.git(&["tag", "-l"]), @"
    models=resnet#prod#1
    models=resnet@v0.0.1
    ");
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌───────────────┬────────┬────────┐
    │ name          ┆ latest ┆ #prod  │
    ╞═══════════════╪════════╪════════╡
    │ models:resnet ┆ v0.0.1 ┆ v0.0.1 │
    └───────────────┴────────┴────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--json"]), @r#"
    $ registry show --json
    {
        "models:resnet": {
            "version": "v0.0.1",
            "stage": {
                "prod": "v0.0.1"
            },
            "registered": true,
            "active": true
        }
    }
    [exit 0]
    "#);
    insta::assert_snapshot!(repo.t(&["show", "models:resnet"]), @"
    $ registry show models:resnet
    ┌───────────────┬─────────┬───────┬───────────────────────────┬──────────────────────┐
    │ artifact      ┆ version ┆ stage ┆ created_at                ┆ ref                  │
    ╞═══════════════╪═════════╪═══════╪═══════════════════════════╪══════════════════════╡
    │ models:resnet ┆ v0.0.1  ┆ prod  ┆ 2023-11-14 22:13:24+00:00 ┆ models=resnet@v0.0.1 │
    └───────────────┴─────────┴───────┴───────────────────────────┴──────────────────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "models:resnet#prod", "--ref"]), @"
    $ registry show 'models:resnet#prod' --ref
    models=resnet@v0.0.1
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "models:resnet@latest", "--version"]), @"
    $ registry show models:resnet@latest --version
    v0.0.1
    [exit 0]
    ");
}

#[test]
fn plain_tables_are_gtos_plain_tables() {
    // GTO's `--plain` is tabulate's "plain" format: rows start at column 0, so `cut`/`awk` see
    // the same fields as in GTO (`name    latest ...`, not ` name ...`).
    let repo = small_registry();
    insta::assert_snapshot!(repo.t(&["show", "--plain"]), @"
    $ registry show --plain
    name   latest  #dev    #prod   #staging
    churn  v1.1.0  -       v1.0.0  v1.1.0
    rf     v0.0.1  v0.0.1  -       -
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn", "--plain"]), @"
    $ registry show churn --plain
    artifact  version  stage    created_at                 ref
    churn     v1.1.0   staging  2023-11-14 22:13:29+00:00  churn@v1.1.0
    churn     v1.0.0   prod     2023-11-14 22:13:24+00:00  churn@v1.0.0
    [exit 0]
    ");
}

#[test]
fn reads_from_a_subdirectory_and_with_dash_c() {
    let repo = small_registry();
    repo.write("sub/dir/file.txt", "x\n");
    let sub = repo.path().join("sub/dir");
    let run = repo.run_with(&["show", "--name"], |c| {
        c.current_dir(&sub);
    });
    insta::assert_snapshot!(run.transcript(), @"
    $ registry show --name
    churn
    rf
    [exit 0]
    ");
    let outside = repo
        .path()
        .parent()
        .expect("repo has a parent")
        .to_path_buf();
    let run = repo.run_with(&["-C", "repo", "history", "rf", "--json"], |c| {
        c.current_dir(&outside);
    });
    insta::assert_snapshot!(run.transcript(), @r#"
    $ registry -C repo history rf --json
    [
        {
            "timestamp": "2023-11-14T22:13:32+00:00",
            "artifact": "rf",
            "event": "assignment",
            "priority": 5,
            "version": "v0.0.1",
            "stage": "dev",
            "commit": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
            "author": "Ada Tester",
            "author_email": "ada@example.com",
            "message": "Assigning stage dev to artifact rf version v0.0.1",
            "ref": "rf#dev#1",
            "digest": null
        },
        {
            "timestamp": "2023-11-14T22:13:25+00:00",
            "artifact": "rf",
            "event": "registration",
            "priority": 3,
            "version": "v0.0.1",
            "stage": null,
            "commit": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
            "author": "Ada Tester",
            "author_email": "ada@example.com",
            "message": "Registering artifact rf version v0.0.1",
            "ref": "rf@v0.0.1",
            "digest": null
        }
    ]
    [exit 0]
    "#);
}
