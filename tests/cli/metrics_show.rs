//! `registry show NAME --metrics` (issue 14, point 3): one row per version, one column per
//! metric, stage markers; `--sort-by KEY` / `--asc`; `--json`; the versions whose values were
//! not recorded. Versions are made with `register --metric` (recorded trailers); values read
//! from files are the sources' tests.

use crate::fixture::TestRepo;
use crate::reads::{ok, tag};

/// `churn`: v1.0.0 (auc 0.85, latency 30, in prod), v1.1.0 (auc 0.91, latency 45, model
/// "resnet", in staging), v1.2.0 (auc 0.88, no latency), and v0.9.0 tagged by hand (no
/// trailers, as GTO or an older registry writes it).
fn scene() -> TestRepo {
    let repo = TestRepo::new();
    let c0 = repo.commit("c0");
    let c1 = repo.commit("c1");
    let c2 = repo.commit("c2");
    let c3 = repo.commit("c3");
    tag(&repo, "churn@v0.9.0", &c0);
    ok(
        &repo,
        &[
            "register",
            "churn",
            &c1,
            "--version",
            "v1.0.0",
            "--metric",
            "eval.auc=0.85",
            "--metric",
            "latency_ms=30",
        ],
    );
    ok(
        &repo,
        &[
            "register",
            "churn",
            &c2,
            "--version",
            "v1.1.0",
            "--metric",
            "eval.auc=0.91",
            "--metric",
            "latency_ms=45",
            "--metric",
            "model=resnet",
        ],
    );
    ok(
        &repo,
        &[
            "register",
            "churn",
            &c3,
            "--version",
            "v1.2.0",
            "--metric",
            "eval.auc=0.88",
        ],
    );
    ok(&repo, &["promote", "churn@v1.0.0", "prod"]);
    ok(&repo, &["promote", "churn@v1.1.0", "staging"]);
    repo
}

#[test]
fn table_has_a_row_per_version_and_a_column_per_metric() {
    let repo = scene();
    insta::assert_snapshot!(repo.t(&["show", "churn", "--metrics"]), @"
    $ registry show churn --metrics
    ┌─────────┬─────────┬──────────┬────────────┬────────┐
    │ version ┆ stage   ┆ eval.auc ┆ latency_ms ┆ model  │
    ╞═════════╪═════════╪══════════╪════════════╪════════╡
    │ v1.2.0  ┆ -       ┆ 0.88     ┆ -          ┆ -      │
    │ v1.1.0  ┆ staging ┆ 0.91     ┆ 45         ┆ resnet │
    │ v1.0.0  ┆ prod    ┆ 0.85     ┆ 30         ┆ -      │
    │ v0.9.0  ┆ -       ┆ -        ┆ -          ┆ -      │
    └─────────┴─────────┴──────────┴────────────┴────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn", "--metrics", "--plain"]), @"
    $ registry show churn --metrics --plain
    version  stage    eval.auc  latency_ms  model
    v1.2.0   -        0.88      -           -
    v1.1.0   staging  0.91      45          resnet
    v1.0.0   prod     0.85      30          -
    v0.9.0   -        -         -           -
    [exit 0]
    ");
}

#[test]
fn sort_by_highest_first_and_asc_lowest_first() {
    let repo = scene();
    insta::assert_snapshot!(repo.t(&["show", "churn", "--metrics", "--sort-by", "eval.auc"]), @"
    $ registry show churn --metrics --sort-by eval.auc
    ┌─────────┬─────────┬──────────┬────────────┬────────┐
    │ version ┆ stage   ┆ eval.auc ┆ latency_ms ┆ model  │
    ╞═════════╪═════════╪══════════╪════════════╪════════╡
    │ v1.1.0  ┆ staging ┆ 0.91     ┆ 45         ┆ resnet │
    │ v1.2.0  ┆ -       ┆ 0.88     ┆ -          ┆ -      │
    │ v1.0.0  ┆ prod    ┆ 0.85     ┆ 30         ┆ -      │
    │ v0.9.0  ┆ -       ┆ -        ┆ -          ┆ -      │
    └─────────┴─────────┴──────────┴────────────┴────────┘
    --- stderr
    listed last, without a number for 'eval.auc': v0.9.0
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn", "--metrics", "--sort-by", "latency_ms", "--asc", "--plain"]), @"
    $ registry show churn --metrics --sort-by latency_ms --asc --plain
    version  stage    eval.auc  latency_ms  model
    v1.0.0   prod     0.85      30          -
    v1.1.0   staging  0.91      45          resnet
    v1.2.0   -        0.88      -           -
    v0.9.0   -        -         -           -
    --- stderr
    listed last, without a number for 'latency_ms': v1.2.0, v0.9.0
    [exit 0]
    ");
    // A text value is never compared: that version goes last, with the ones without the key.
    insta::assert_snapshot!(repo.t(&["show", "churn", "--metrics", "--sort-by", "model", "--plain"]), @"
    $ registry show churn --metrics --sort-by model --plain
    version  stage    eval.auc  latency_ms  model
    v1.2.0   -        0.88      -           -
    v1.1.0   staging  0.91      45          resnet
    v1.0.0   prod     0.85      30          -
    v0.9.0   -        -         -           -
    --- stderr
    listed last, without a number for 'model': v1.2.0, v1.1.0, v1.0.0, v0.9.0
    [exit 0]
    ");
}

#[test]
fn sort_by_an_unknown_key_names_it_and_lists_the_keys() {
    let repo = scene();
    insta::assert_snapshot!(repo.t(&["show", "churn", "--metrics", "--sort-by", "eval.f1"]), @"
    $ registry show churn --metrics --sort-by eval.f1
    --- stderr
    error: --sort-by 'eval.f1': no version shown has this metric
    hint: the metrics are: eval.auc, latency_ms, model
    [exit 1]
    ");
}

#[test]
fn sort_flags_without_metrics_are_usage_errors() {
    let repo = scene();
    let r = repo.run(&["show", "churn", "--sort-by", "eval.auc"]);
    assert_eq!(r.code, 2, "{}", r.transcript());
    let r = repo.run(&["show", "churn", "--metrics", "--asc"]);
    assert_eq!(r.code, 2, "{}", r.transcript());
    let r = repo.run(&["show", "--metrics"]);
    assert_eq!(r.code, 2, "{}", r.transcript());
    let r = repo.run(&["show", "churn", "--metrics", "--version"]);
    assert_eq!(r.code, 2, "{}", r.transcript());
}

#[test]
fn json_carries_the_same_rows() {
    let repo = scene();
    insta::assert_snapshot!(repo.t(&["show", "churn", "--metrics", "--json", "--sort-by", "eval.auc"]), @r#"
    $ registry show churn --metrics --json --sort-by eval.auc
    [
        {
            "artifact": "churn",
            "version": "v1.1.0",
            "commit": "bc1bdb84013f68cbe240f7201690140e8ac3afaa",
            "stages": [
                "staging"
            ],
            "recorded": true,
            "metrics": {
                "eval.auc": 0.91,
                "latency_ms": 45,
                "model": "resnet"
            }
        },
        {
            "artifact": "churn",
            "version": "v1.2.0",
            "commit": "d4b934891de4807f751aecdb67ef3d77a9d377fd",
            "stages": [],
            "recorded": true,
            "metrics": {
                "eval.auc": 0.88
            }
        },
        {
            "artifact": "churn",
            "version": "v1.0.0",
            "commit": "8dfaf787906d14a81d6b782e006d7e60592b1676",
            "stages": [
                "prod"
            ],
            "recorded": true,
            "metrics": {
                "eval.auc": 0.85,
                "latency_ms": 30
            }
        },
        {
            "artifact": "churn",
            "version": "v0.9.0",
            "commit": "daa127c67592046b0c36234b2a4367a076f103e0",
            "stages": [],
            "recorded": false,
            "metrics": {}
        }
    ]
    --- stderr
    listed last, without a number for 'eval.auc': v0.9.0
    [exit 0]
    "#);
}

#[test]
fn a_picked_target_keeps_its_rows() {
    let repo = scene();
    insta::assert_snapshot!(repo.t(&["show", "churn#prod", "--metrics", "--plain"]), @"
    $ registry show 'churn#prod' --metrics --plain
    version  stage  eval.auc  latency_ms
    v1.0.0   prod   0.85      30
    [exit 0]
    ");
}

#[test]
fn hostile_values_are_escaped() {
    // A key cannot hold a control character (refused at registration and when read back), but
    // a JSON string value can: the table shows it escaped.
    let repo = TestRepo::new();
    let c = repo.commit("c");
    ok(
        &repo,
        &[
            "register",
            "evil",
            &c,
            "--metric",
            "$(x)'=1",
            "--metric",
            "note=\"a\\u001b[2Jb\\u202ec\"",
        ],
    );
    insta::assert_snapshot!(repo.t(&["show", "evil", "--metrics", "--plain"]), @r"
    $ registry show evil --metrics --plain
    version  stage  $(x)'  note
    v0.0.1   -      1      a\x1b[2Jb\u{202e}c
    [exit 0]
    ");
    // The key given is shown escaped (the command line echoed here would hold it raw).
    let r = repo.run(&["show", "evil", "--metrics", "--sort-by", "\u{202e}x"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        "error: --sort-by '\\u{202e}x': no version shown has this metric\nhint: the metrics are: $(x)', note\n"
    );
}

#[test]
fn unreadable_trailers_are_a_warning_and_the_version_still_shows() {
    let repo = TestRepo::new();
    let c1 = repo.commit("c1");
    let c2 = repo.commit("c2");
    ok(
        &repo,
        &[
            "register",
            "m",
            &c1,
            "--version",
            "v1.0.0",
            "--metric",
            "auc=0.8",
        ],
    );
    repo.git(&[
        "tag",
        "-a",
        "m@v2.0.0",
        "-m",
        "Registering m v2.0.0\n\nArtifact-Metric: auc=0.9\nArtifact-Metric: auc=0.7",
        &c2,
    ]);
    insta::assert_snapshot!(repo.t(&["show", "m", "--metrics", "--plain"]), @"
    $ registry show m --metrics --plain
    version  stage  auc
    v2.0.0   -      -
    v1.0.0   -      0.8
    --- stderr
    warning: tag 'm@v2.0.0' records metrics that do not read: metric 'auc' is recorded twice; its metrics are read from the files at its commit instead
    [exit 0]
    ");
}
