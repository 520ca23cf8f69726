//! `show NAME@VERSION`, `NAME#STAGE`, `NAME@latest`, `NAME@greatest`: the one version a target
//! names (reference §5.4, SPEC §4.4).

use crate::fixture::TestRepo;
use crate::reads::{ok, small_registry};

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
