//! `registry diff NAME A B`: entry, digest, commits in between, stage histories.

use crate::fixture::TestRepo;

#[test]
fn diff_shows_what_changed_between_two_versions() {
    let repo = TestRepo::new();
    repo.write("models/churn.pkl", "v1 weights");
    repo.run(&[
        "annotate",
        "churn",
        "--type",
        "model",
        "--path",
        "models/churn.pkl",
    ])
    .ok();
    repo.commit("train v1");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["promote", "churn", "prod"]).ok();
    repo.write("README", "docs");
    repo.commit("unrelated docs");
    repo.write("models/churn.pkl", "v2 weights");
    repo.run(&["annotate", "churn", "--description", "retrained"])
        .ok();
    repo.commit("retrain");
    repo.run(&["register", "churn", "--bump-minor"]).ok();
    repo.run(&["promote", "churn", "staging"]).ok();
    insta::assert_snapshot!(repo.t(&["diff", "churn", "v0.0.1", "v0.1.0"]), @r#"
    $ registry diff churn v0.0.1 v0.1.0
    churn v0.0.1 (3bf94e6) -> v0.1.0 (38d58f3)
    artifacts.yaml entry:
      description: null -> "retrained"
    digest: sha256:ffc160aa4f604c825c7eb298bf9f9b9efbddd46ad02a49996a619450832ab4d9 (git) -> sha256:557be13ccd19971c4a9ba5f4813a87bbcba5e150f81d50970b392ecc6c283f88 (git)
    commits: 2 in between, 1 touch models/churn.pkl
      38d58f3 retrain
    stages of v0.0.1:
      2023-11-14 22:13:26+00:00 assignment prod by Ada Tester (churn#prod#1)
    stages of v0.1.0:
      2023-11-14 22:13:35+00:00 assignment staging by Ada Tester (churn#staging#2)
    [exit 0]
    "#);
    let json: serde_json::Value = serde_json::from_str(
        repo.run(&["diff", "churn", "v0.0.1", "latest", "--json"])
            .ok(),
    )
    .unwrap();
    assert_eq!(json["digest"]["changed"], true);
    assert_eq!(json["commits"].as_array().unwrap().len(), 2);
    assert_eq!(json["entry"]["description"]["to"], "retrained");
    insta::assert_snapshot!(repo.t(&["diff", "churn", "#prod", "#staging", "--json"]).lines().take(12).collect::<Vec<_>>().join("\n"), @r#"
    $ registry diff churn '#prod' '#staging' --json
    {
        "artifact": "churn",
        "from": {
            "version": "v0.0.1",
            "commit": "3bf94e643a6d923448aa118f0682d1ec463541af"
        },
        "to": {
            "version": "v0.1.0",
            "commit": "38d58f3ad3c52b0a1d9f9968cf3c776a1ff86315"
        },
        "entry": {
    "#);
    insta::assert_snapshot!(repo.t(&["diff", "churn", "v0.0.1", "v0.0.1"]), @"
    $ registry diff churn v0.0.1 v0.0.1
    --- stderr
    error: 'v0.0.1' and 'v0.0.1' are the same version (v0.0.1)
    [exit 1]
    ");
    insta::assert_snapshot!(repo.t(&["diff", "churn", "v0.0.1", "v9.9.9"]), @"
    $ registry diff churn v0.0.1 v9.9.9
    --- stderr
    error: Version 'v9.9.9' is not registered
    [exit 1]
    ");
    insta::assert_snapshot!(repo.t(&["diff", "churn", "v0.0.1", "nonsense"]), @"
    $ registry diff churn v0.0.1 nonsense
    --- stderr
    error: invalid value 'nonsense' for '<B>': 'nonsense' is not a version: use vX.Y.Z, latest or #STAGE

    For more information, try '--help'.
    [exit 2]
    ");
}

/// `latest` and `greatest` are one pick (GTO §4.2), but the message echoes the word typed.
#[test]
fn same_version_error_echoes_the_words_typed() {
    let repo = TestRepo::new();
    repo.write("f", "x");
    repo.commit("one");
    repo.run(&["register", "m"]).ok();
    insta::assert_snapshot!(repo.t(&["diff", "m", "latest", "greatest"]), @"
    $ registry diff m latest greatest
    --- stderr
    error: 'latest' and 'greatest' are the same version (v0.0.1)
    [exit 1]
    ");
    insta::assert_snapshot!(repo.t(&["diff", "m", "@greatest", "v0.0.1"]), @"
    $ registry diff m @greatest v0.0.1
    --- stderr
    error: 'greatest' and 'v0.0.1' are the same version (v0.0.1)
    [exit 1]
    ");
}
