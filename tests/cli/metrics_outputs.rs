//! Metrics in the machine outputs (issue 14, point 3): `history --json` (a registration's
//! recorded trailers), `check-ref --json` (the metrics of the event's version, with
//! `metrics_recorded`) and `check-ref --format github|gitlab` (one `metric_KEY` output each,
//! names sanitised, read back the way each CI system reads its file). Without metrics every
//! shape is the earlier one (reads_history.rs, reads_check_ref.rs, check_ref_format.rs).

use crate::check_ref_format::{KEYS, parse_dotenv, parse_github_output};
use crate::fixture::TestRepo;
use crate::reads::ok;

/// `m` v1.0.0 with hostile but legal metric keys, promoted to prod; v2.0.0 without metrics.
fn scene() -> TestRepo {
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
            "eval.auc=0.913",
            "--metric",
            "$(touch x)=1",
            "--metric",
            "it's=2",
            "--metric",
            "précision=0.5",
            "--metric",
            "a.b=3",
            "--metric",
            "a_b=4",
            "--metric",
            "note=\"two\\nevent=deploy\"",
        ],
    );
    ok(&repo, &["register", "m", &c2, "--version", "v2.0.0"]);
    ok(&repo, &["promote", "m@v1.0.0", "prod"]);
    repo
}

#[test]
fn history_json_carries_recorded_metrics_on_registrations_only() {
    let repo = scene();
    let r = repo.run(&["history", "m", "--json"]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    let items: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let items = items.as_array().unwrap();
    let by_ref = |t: &str| items.iter().find(|i| i["ref"] == t).unwrap();
    insta::assert_snapshot!(serde_json::to_string_pretty(&by_ref("m@v1.0.0")["metrics"]).unwrap(), @r#"
    {
      "$(touch x)": 1,
      "a.b": 3,
      "a_b": 4,
      "eval.auc": 0.913,
      "it's": 2,
      "note": "two\nevent=deploy",
      "précision": 0.5
    }
    "#);
    // A registration recording none, and a stage event: no field (the shape GTO prints).
    assert!(by_ref("m@v2.0.0").get("metrics").is_none());
    assert!(by_ref("m#prod#1").get("metrics").is_none());
}

#[test]
fn check_ref_json_carries_the_versions_metrics() {
    let repo = scene();
    let json = |tag: &str| -> serde_json::Value {
        let r = repo.run(&["check-ref", tag, "--json"]);
        assert_eq!(r.code, 0, "{}", r.transcript());
        serde_json::from_str(&r.stdout).unwrap()
    };
    let reg = json("m@v1.0.0");
    assert_eq!(reg["metrics"]["eval.auc"], serde_json::json!(0.913));
    assert_eq!(reg["metrics_recorded"], true);
    // The stage tag carries the metrics of the version it attaches to.
    let prod = json("m#prod#1");
    assert_eq!(prod["metrics"], reg["metrics"]);
    assert_eq!(prod["metrics_recorded"], true);
    // No metrics: neither field.
    let bare = json("m@v2.0.0");
    assert!(bare.get("metrics").is_none() && bare.get("metrics_recorded").is_none());
    insta::assert_snapshot!(repo.t(&["check-ref", "m#prod#1", "--json"]), @r#"
    $ registry check-ref 'm#prod#1' --json
    {
        "artifact": "m",
        "created_at": "2023-11-14T22:13:29+00:00",
        "author": "Ada Tester",
        "author_email": "ada@example.com",
        "message": "Assigning stage prod to artifact m version v1.0.0",
        "commit_hexsha": "33efecf150638d4dca9a3785af466b3945139798",
        "tag": "m#prod#1",
        "version": "v1.0.0",
        "stage": "prod",
        "event": "assignment",
        "signature": {
            "status": "unsigned",
            "format": null,
            "principal": null,
            "fingerprint": null,
            "reason": null
        },
        "type": null,
        "path": null,
        "description": null,
        "metrics": {
            "$(touch x)": 1,
            "a.b": 3,
            "a_b": 4,
            "eval.auc": 0.913,
            "it's": 2,
            "note": "two\nevent=deploy",
            "précision": 0.5
        },
        "metrics_recorded": true
    }
    [exit 0]
    "#);
}

#[test]
fn github_outputs_carry_sanitised_metric_keys() {
    let repo = scene();
    let file = repo.home().join("github_output");
    let r = repo.run_with(&["check-ref", "m#prod#1", "--format", "github"], |c| {
        c.env("GITHUB_OUTPUT", &file);
    });
    insta::assert_snapshot!(r.transcript(), @r#"
    $ registry check-ref 'm#prod#1' --format github
    Stage "prod" was assigned to version "v1.0.0" of artifact "m"
    --- stderr
    warning: metrics 'a.b', 'a_b' would all be the output metric_a_b; none of them is written (rename one so the names differ in more than punctuation and case)
    [exit 0]
    "#);
    let parsed = parse_github_output(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let keys: Vec<&str> = parsed.iter().map(|(k, _)| k.as_str()).collect();
    // The seven as before, then the metrics; `a.b` and `a_b` would share a name: neither.
    let mut expected: Vec<&str> = KEYS.to_vec();
    expected.extend([
        "metric___touch_x_",
        "metric_eval_auc",
        "metric_it_s",
        "metric_note",
        "metric_pr_cision",
    ]);
    assert_eq!(keys, expected);
    let value = |k: &str| parsed.iter().find(|(key, _)| key == k).unwrap().1.clone();
    assert_eq!(value("metric_eval_auc"), "0.913");
    assert_eq!(value("metric___touch_x_"), "1");
    // A line break in a text value cannot start a key of its own.
    assert_eq!(value("metric_note"), "two event=deploy");
    assert_eq!(value("stage"), "prod");
    assert!(
        parsed
            .iter()
            .all(|(k, _)| k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
    );
}

#[test]
fn gitlab_dotenv_carries_metrics_under_the_prefix() {
    let repo = scene();
    let r = repo.run(&[
        "check-ref",
        "m@v1.0.0",
        "--format",
        "gitlab",
        "--prefix",
        "REGISTRY_",
    ]);
    insta::assert_snapshot!(r.transcript(), @r#"
    $ registry check-ref m@v1.0.0 --format gitlab --prefix REGISTRY_
    Version "v1.0.0" of artifact "m" was registered
    --- stderr
    warning: metrics 'a.b', 'a_b' would all be the output metric_a_b; none of them is written (rename one so the names differ in more than punctuation and case)
    [exit 0]
    "#);
    let text = std::fs::read_to_string(repo.path().join("registry.env")).unwrap();
    insta::assert_snapshot!(text, @"
    REGISTRY_NAME=m
    REGISTRY_VERSION=v1.0.0
    REGISTRY_STAGE=
    REGISTRY_EVENT=registration
    REGISTRY_TYPE=
    REGISTRY_PATH=
    REGISTRY_DESCRIPTION=
    REGISTRY_METRIC___TOUCH_X_=1
    REGISTRY_METRIC_EVAL_AUC=0.913
    REGISTRY_METRIC_IT_S=2
    REGISTRY_METRIC_NOTE=two event=deploy
    REGISTRY_METRIC_PR_CISION=0.5
    ");
    let parsed = parse_dotenv(&text);
    assert_eq!(parsed.len(), 12);
    assert!(parsed.contains(&("REGISTRY_METRIC_EVAL_AUC".into(), "0.913".into())));
}

#[test]
fn gitlab_dotenv_leaves_out_metrics_beyond_gitlabs_limits() {
    let repo = TestRepo::new();
    let c = repo.commit("c");
    let mut args: Vec<String> = ["register", "m", c.as_str()].map(String::from).to_vec();
    for i in 0..15 {
        args.push("--metric".into());
        args.push(format!("m{i:02}={i}"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(&repo, &args);
    let r = repo.run(&["check-ref", "m@v0.0.1", "--format", "gitlab"]);
    insta::assert_snapshot!(r.transcript(), @r#"
    $ registry check-ref m@v0.0.1 --format gitlab
    Version "v0.0.1" of artifact "m" was registered
    --- stderr
    warning: metric_m13, metric_m14 left out of the dotenv report: GitLab refuses a report of more than 20 variables or 5120 bytes
    [exit 0]
    "#);
    let text = std::fs::read_to_string(repo.path().join("registry.env")).unwrap();
    assert_eq!(parse_dotenv(&text).len(), 20);
}

#[test]
fn history_json_warns_of_trailers_that_do_not_read() {
    let repo = TestRepo::new();
    let c = repo.commit("c");
    repo.git(&[
        "tag",
        "-a",
        "m@v1.0.0",
        "-m",
        "Registering m\n\nArtifact-Metric: auc=0.9\nArtifact-Metric: auc=0.7",
        &c,
    ]);
    let r = repo.run(&["history", "m", "--json"]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    insta::assert_snapshot!(r.stderr, @"warning: tag 'm@v1.0.0' records metrics that do not read: metric 'auc' is recorded twice; its history item carries none");
    let items: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(items[0].get("metrics").is_none());
}
