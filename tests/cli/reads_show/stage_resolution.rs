//! Which version holds a stage: the latest assignment by time, or by SemVer with
//! `--sort semver` (reference §4.3, §6).

use crate::fixture::TestRepo;
use crate::reads::{ok, worked_example};

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
