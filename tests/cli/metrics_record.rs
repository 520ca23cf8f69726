//! `register --metric KEY=VALUE` (issue 14, points 2 and 7): the scores a registration records
//! as `Artifact-Metric` trailers, and the names and values it refuses with nothing written.

use crate::fixture::TestRepo;

fn message(repo: &TestRepo, tag: &str) -> String {
    repo.git(&["tag", "-l", "--format=%(contents)", tag])
}

#[test]
fn given_metrics_are_recorded_as_trailers_after_the_provenance() {
    let repo = TestRepo::new();
    repo.write("model.pkl", "weights");
    repo.run(&["annotate", "churn", "--path", "model.pkl"]).ok();
    repo.commit("model");
    repo.run(&[
        "register",
        "churn",
        "--metric",
        "eval.auc=0.913",
        "--metric",
        "latency_ms=41",
        "--metric",
        "model=\"0.9\"",
        "--metric",
        "tag=resnet",
    ])
    .ok();
    let msg = message(&repo, "churn@v0.0.1");
    let trailers: Vec<&str> = msg
        .lines()
        .skip_while(|l| !l.starts_with("Artifact-"))
        .collect();
    assert_eq!(trailers[..3].len(), 3, "{msg}");
    assert!(trailers[0].starts_with("Artifact-Path: model.pkl"), "{msg}");
    assert_eq!(
        trailers[3..],
        [
            "Artifact-Metric: eval.auc=0.913",
            "Artifact-Metric: latency_ms=41",
            "Artifact-Metric: model=\"0.9\"",
            "Artifact-Metric: tag=\"resnet\"",
        ],
        "{msg}"
    );
    // A string holding an escape sequence is recorded JSON-escaped: still one line.
    repo.commit("second");
    repo.run(&["register", "churn", "--metric", "note=\"\\u001b[31mred\""])
        .ok();
    let msg = message(&repo, "churn@v0.0.2");
    assert!(
        msg.trim_end()
            .ends_with("Artifact-Metric: note=\"\\u001b[31mred\""),
        "{msg:?}"
    );
    assert!(!msg.contains('\u{1b}'));
}

#[test]
fn a_bad_name_or_value_is_refused_naming_it_and_nothing_is_written() {
    let repo = TestRepo::new();
    repo.commit("first");
    for (arg, want) in [
        ("a=b=1", ""),
        ("eval\nauc=1", "holds the control character \\u{a}"),
        ("x\u{1b}[2J=1", "holds the control character \\u{1b}"),
        ("=1", "may not be empty"),
        ("auc", "is not KEY=VALUE"),
        (
            "auc=0.9\rArtifact-Metric: x=1",
            "holds the control character \\u{d}",
        ),
        (" auc=1", "starts or ends with a space"),
    ] {
        let run = repo.run(&["register", "churn", "--metric", arg, "--dry-run"]);
        if want.is_empty() {
            assert_eq!(run.code, 0, "{}", run.transcript());
            continue;
        }
        assert_eq!(run.code, 2, "{}", run.transcript());
        assert!(run.stderr.contains(want), "{}", run.transcript());
        assert!(!run.stderr.contains('\u{1b}'), "{}", run.transcript());
    }
    assert_eq!(repo.git(&["tag", "-l"]), "");
}

#[test]
fn a_message_forging_a_metric_is_refused() {
    let repo = TestRepo::new();
    repo.commit("first");
    let run = repo.run(&[
        "register",
        "churn",
        "-m",
        "looks fine\n\nArtifact-Metric: eval.auc=0.99",
    ]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("Artifact-Metric: eval.auc=0.99"),
        "{}",
        run.transcript()
    );
    assert_eq!(repo.git(&["tag", "-l"]), "");
}
