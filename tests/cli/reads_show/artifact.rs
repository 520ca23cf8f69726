//! `show NAME`: one artifact's versions and the stages they hold, as a table, as JSON and
//! as one column (reference §4.3, §5.4).

use crate::reads::{ok, small_registry};

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
