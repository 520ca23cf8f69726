//! `show --at WHEN`: the registry as it was at a time or a commit (beyond GTO; SPEC §4.4).

use crate::fixture::{START, TestRepo};
use crate::reads::three_versions_through_prod;

#[test]
fn show_at_a_time_or_a_commit() {
    let repo = TestRepo::new();
    three_versions_through_prod(&repo);
    // Clock: `git init` is tick 0; a commit takes 3 ticks (add, commit, rev-parse); register
    // and promote take 1 each. So the first promotion is at START + 5.
    let after_first_promotion = START + 5;
    let at = format!("@{after_first_promotion} +0000");
    insta::assert_snapshot!(repo.t(&["show", "--at", &at]), @"
    $ registry show --at '@1700000005 +0000'
    ┌───────┬────────┬────────┐
    │ name  ┆ latest ┆ #prod  │
    ╞═══════╪════════╪════════╡
    │ churn ┆ v0.0.1 ┆ v0.0.1 │
    └───────┴────────┴────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn#prod", "--version", "--at", "2023-11-14"]), @"
    $ registry show 'churn#prod' --version --at 2023-11-14
    v0.0.3
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn#prod", "--version", "--at", "2023-11-13"]), @"
    $ registry show 'churn#prod' --version --at 2023-11-13
    --- stderr
    error: Cannot find artifact 'churn'
    hint: `registry show` lists the artifacts in this repository
    [exit 1]
    ");
    // A commit's time: the registry when "model 2" was committed (v0.0.1 in prod).
    let second = repo.git(&["rev-list", "--max-count=1", "--grep", "model 2", "HEAD"]);
    insta::assert_snapshot!(repo.t(&["show", "churn", "--at", &second]), @"
    $ registry show churn --at a1a99d3c240cb800b0447c9e29272a85c7d22970
    ┌──────────┬─────────┬───────┬───────────────────────────┬──────────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref          │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪══════════════╡
    │ churn    ┆ v0.0.1  ┆ prod  ┆ 2023-11-14 22:13:24+00:00 ┆ churn@v0.0.1 │
    └──────────┴─────────┴───────┴───────────────────────────┴──────────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--at", "someday"]), @"
    $ registry show --at someday
    --- stderr
    error: --at 'someday' is neither a date nor a revision
    hint: use 2026-03-01, '2026-03-01 12:00:00 +0100', or a commit, tag or branch
    [exit 1]
    ");
}
