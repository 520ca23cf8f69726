//! A first end-to-end check of the fixture itself.

use crate::fixture::TestRepo;

#[test]
fn register_then_show() {
    let repo = TestRepo::new();
    repo.commit("first");
    insta::assert_snapshot!(repo.t(&["register", "churn"]), @"
    $ registry register churn
    Created git tag 'churn@v0.0.1' that registers version
    To push the changes upstream, run:
        git push origin churn@v0.0.1
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌───────┬────────┐
    │ name  ┆ latest │
    ╞═══════╪════════╡
    │ churn ┆ v0.0.1 │
    └───────┴────────┘
    [exit 0]
    ");
}
