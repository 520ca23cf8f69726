//! `show` without a target: the registry of every artifact, as a table, as JSON, as
//! plain text and as one column (reference §4.2, §5.4).

use crate::fixture::TestRepo;
use crate::reads::{ok, small_registry};

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
