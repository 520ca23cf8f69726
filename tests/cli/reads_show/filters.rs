//! What `-r` (registered only) and `-d` (deprecated too) hide and show, and how a later
//! event undoes a deprecation (reference §4.4, §14 B9).

use crate::fixture::TestRepo;
use crate::reads::ok;

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
