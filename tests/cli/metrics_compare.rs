//! `registry compare NAME V1 V2 …` (issue 14): versions' metrics side by side.

use crate::metrics_diff::two_versions;

#[test]
fn compare_two_versions_with_changes() {
    let repo = two_versions();
    insta::assert_snapshot!(repo.t(&["compare", "m", "v0.0.1", "#prod", "--plain"]), @r"
    $ registry compare m v0.0.1 '#prod' --plain
    Metric  v0.0.1  v0.0.2 (#prod)  Change  Relative
    auc     0.9     0.913           0.013   1.44%
    gone    3       -               -       -
    loss    0       0.5             0.5     -
    name    a       b               -       -
    new     -       2               -       -
    note    -       \x1b[31m        -       -
    same    1       1               0       0%
    [exit 0]
    ");
    let out = repo
        .run(&["compare", "m", "v0.0.1", "#prod"])
        .ok()
        .to_string();
    assert!(!out.contains('\u{1b}'), "raw escape reached stdout: {out}");
}

#[test]
fn compare_three_versions_against_the_first() {
    let repo = two_versions();
    repo.write("f", "3");
    repo.commit("three");
    repo.run(&["register", "m", "--metric", "auc=1"]).ok();
    insta::assert_snapshot!(repo.t(&["compare", "m", "v0.0.1", "v0.0.2", "latest", "--plain"]), @r"
    $ registry compare m v0.0.1 v0.0.2 latest --plain
    Metric  v0.0.1  v0.0.2          v0.0.3 (latest)
    auc     0.9     0.913 (+0.013)  1 (+0.1)
    gone    3       -               -
    loss    0       0.5 (+0.5)      -
    name    a       b               -
    new     -       2               -
    note    -       \x1b[31m        -
    same    1       1 (0)           -
    [exit 0]
    ");
}

#[test]
fn compare_json_shape() {
    let repo = two_versions();
    let json: serde_json::Value = serde_json::from_str(
        repo.run(&["compare", "m", "#prod", "v0.0.1", "--json"])
            .ok(),
    )
    .unwrap();
    assert_eq!(json["artifact"], "m");
    let v = json["versions"].as_array().unwrap();
    assert_eq!(v[0]["version"], "v0.0.2");
    assert_eq!(v[0]["stage"], "prod");
    assert_eq!(v[0]["recorded"], true);
    assert_eq!(v[0]["metrics"]["note"], "\u{1b}[31m");
    assert_eq!(v[1]["version"], "v0.0.1");
    assert!(v[1].get("stage").is_none());
    assert_eq!(v[1]["commit"].as_str().unwrap().len(), 40);
    let c = &json["changes"][0];
    assert_eq!(c["version"], "v0.0.1");
    assert_eq!(c["against"], "v0.0.2");
    assert_eq!(
        c["metrics"]["name"],
        serde_json::json!({"old": "b", "new": "a"})
    );
    assert_eq!(c["metrics"]["loss"]["diff"], -0.5);
    assert_eq!(c["metrics"]["same"]["relative"], 0.0);
}

#[test]
fn compare_refuses_bad_picks() {
    let repo = two_versions();
    insta::assert_snapshot!(repo.t(&["compare", "m", "v0.0.2", "#prod"]), @"
    $ registry compare m v0.0.2 '#prod'
    --- stderr
    error: 'v0.0.2' and '#prod' are the same version (v0.0.2)
    hint: give each version once
    [exit 1]
    ");
    insta::assert_snapshot!(repo.t(&["compare", "m", "v0.0.1", "#staging"]), @"
    $ registry compare m v0.0.1 '#staging'
    --- stderr
    error: No version in stage 'staging' was found for 'm'
    [exit 1]
    ");
    insta::assert_snapshot!(repo.t(&["compare", "m", "v0.0.1", "v9.9.9"]), @"
    $ registry compare m v0.0.1 v9.9.9
    --- stderr
    error: Version 'v9.9.9' is not registered
    [exit 1]
    ");
    let one = repo.run(&["compare", "m", "v0.0.1"]);
    assert!(
        one.transcript().contains("[exit 2]"),
        "{}",
        one.transcript()
    );
}
