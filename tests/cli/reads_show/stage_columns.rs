//! The stage columns come from `.gto`'s `stages` when it lists them (reference §4.4).

use crate::reads::small_registry;

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
