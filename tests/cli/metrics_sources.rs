//! Where metrics come from (issue 14, points 1, 2 and 7): the files an `artifacts.yaml` entry or
//! a `dvc.yaml` declares, read from git at the registered commit (JSON, YAML, TOML, nested keys
//! flattened with `.`), recorded as `Artifact-Metric` trailers; bad files are warnings naming the
//! file, the commit and the line, and a key a trailer cannot hold refuses the registration.

use crate::fixture::TestRepo;

/// The `Artifact-Metric` lines of a tag's message.
pub(crate) fn trailers(repo: &TestRepo, tag: &str) -> Vec<String> {
    repo.git(&["cat-file", "-p", tag])
        .lines()
        .filter(|l| l.starts_with("Artifact-Metric: "))
        .map(str::to_string)
        .collect()
}

fn short(commit: &str) -> &str {
    &commit[..7]
}

const DECLARED: &str = "churn:\n  type: model\n  path: model.pkl\n  virtual: false\n  metrics:\n  - eval/metrics.json\n  - eval/more.yaml\n  - eval/t.toml\n";

fn repo_with_metrics() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("artifacts.yaml", DECLARED);
    repo.write("model.pkl", "weights 1\n");
    repo.write(
        "eval/metrics.json",
        r#"{"eval": {"auc": 0.913, "n": 1200, "ok": true, "model": "resnet", "curve": [1, 2]}}"#,
    );
    repo.write("eval/more.yaml", "latency_ms: 41\ntrain:\n  loss: 0.25\n");
    repo.write("eval/t.toml", "[size]\nmb = 12.5\n");
    repo
}

#[test]
fn registration_records_the_declared_files_values_and_they_stay() {
    let repo = repo_with_metrics();
    repo.commit("model 1");
    repo.run(&["register", "churn"]).ok();
    let recorded = [
        "Artifact-Metric: eval.auc=0.913",
        "Artifact-Metric: eval.model=\"resnet\"",
        "Artifact-Metric: eval.n=1200",
        "Artifact-Metric: eval.ok=true",
        "Artifact-Metric: latency_ms=41",
        "Artifact-Metric: size.mb=12.5",
        "Artifact-Metric: train.loss=0.25",
    ];
    assert_eq!(trailers(&repo, "churn@v0.0.1"), recorded);
    // A later change of the files records new values for the new version only: the first
    // version's scores are fixed with its tag.
    repo.write("eval/metrics.json", r#"{"eval": {"auc": 0.95}}"#);
    repo.write("model.pkl", "weights 2\n");
    repo.commit("model 2");
    // `--metric` may not contradict a file's value (review H2): refused, nothing written.
    let run = repo.run(&["register", "churn", "--metric", "latency_ms=39"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("--metric latency_ms=39 contradicts the metrics files of 'churn' at")
            && run.stderr.contains("which hold latency_ms = 41"),
        "{}",
        run.transcript()
    );
    assert_eq!(repo.git(&["tag", "-l", "churn@v0.0.2"]), "");
    repo.write("eval/more.yaml", "latency_ms: 39\ntrain:\n  loss: 0.25\n");
    repo.commit("latency measured again");
    repo.run(&["register", "churn"]).ok();
    assert_eq!(trailers(&repo, "churn@v0.0.1"), recorded);
    assert_eq!(
        trailers(&repo, "churn@v0.0.2"),
        [
            "Artifact-Metric: eval.auc=0.95",
            "Artifact-Metric: latency_ms=39",
            "Artifact-Metric: size.mb=12.5",
            "Artifact-Metric: train.loss=0.25",
        ]
    );
}

#[test]
fn a_malformed_file_is_a_warning_naming_file_commit_and_line() {
    let repo = repo_with_metrics();
    repo.write("eval/metrics.json", "{\n  \"auc\": 0.9,\n  oops\n}\n");
    repo.write("eval/t.toml", "[size]\nmb = \n");
    let commit = repo.commit("broken metrics");
    let run = repo.run(&["register", "churn"]);
    run.ok();
    let at = short(&commit);
    assert!(
        run.stderr
            .contains(&format!("eval/metrics.json at {at}, line 3: ")),
        "{}",
        run.transcript()
    );
    assert!(
        run.stderr
            .contains(&format!("eval/t.toml at {at}, line 2: ")),
        "{}",
        run.transcript()
    );
    // The other file still counts.
    assert_eq!(
        trailers(&repo, "churn@v0.0.1"),
        [
            "Artifact-Metric: latency_ms=41",
            "Artifact-Metric: train.loss=0.25"
        ]
    );
}

#[test]
fn the_same_key_in_two_files_takes_the_first_listed() {
    let repo = repo_with_metrics();
    repo.write("eval/more.yaml", "eval:\n  auc: 0.5\n");
    let commit = repo.commit("twice");
    let run = repo.run(&["register", "churn"]);
    run.ok();
    assert!(
        run.stderr.contains(&format!(
            "metric 'eval.auc' is in both eval/metrics.json and eval/more.yaml at {}; the value of eval/metrics.json, listed first, counts",
            short(&commit)
        )),
        "{}",
        run.transcript()
    );
    assert!(trailers(&repo, "churn@v0.0.1").contains(&"Artifact-Metric: eval.auc=0.913".into()));
}

#[test]
fn missing_files_directories_and_links_out_are_warnings() {
    let repo = repo_with_metrics();
    std::fs::remove_file(repo.path().join("eval/more.yaml")).unwrap();
    std::fs::remove_file(repo.path().join("eval/t.toml")).unwrap();
    std::fs::create_dir_all(repo.path().join("eval/t.toml")).unwrap();
    repo.write("eval/t.toml/x", "a = 1\n");
    std::fs::remove_file(repo.path().join("eval/metrics.json")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", repo.path().join("eval/metrics.json")).unwrap();
    let commit = repo.commit("odd files");
    let run = repo.run(&["register", "churn"]);
    run.ok();
    let at = short(&commit);
    for expected in [
        format!(
            "metrics file eval/metrics.json at {at} is not read: it is a symbolic link to '/etc/passwd', which leads outside the repository"
        ),
        format!("metrics file eval/more.yaml of 'churn' is not in commit {at}"),
        format!(
            "metrics file eval/t.toml at {at} is not read: it is a directory, not a regular file"
        ),
    ] {
        assert!(
            run.stderr.contains(&expected),
            "{expected}\n{}",
            run.transcript()
        );
    }
    assert!(trailers(&repo, "churn@v0.0.1").is_empty());
}

#[test]
fn a_key_no_trailer_can_hold_refuses_the_registration_naming_the_file() {
    let repo = repo_with_metrics();
    repo.write("eval/more.yaml", "\"a=b\": 1\n");
    repo.commit("bad key");
    let run = repo.run(&["register", "churn"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("eval/more.yaml: metric name 'a=b' holds '='"),
        "{}",
        run.transcript()
    );
    assert!(repo.git(&["tag", "-l"]).is_empty());
}

#[test]
fn paths_out_of_the_repository_are_left_out() {
    let repo = repo_with_metrics();
    repo.write(
        "artifacts.yaml",
        "churn:\n  path: model.pkl\n  virtual: false\n  metrics: [../x.json, /etc/passwd, eval/more.yaml]\n",
    );
    repo.commit("outside");
    let run = repo.run(&["register", "churn"]);
    run.ok();
    for bad in ["'../x.json'", "'/etc/passwd'"] {
        assert!(
            run.stderr.contains(&format!(
                "metrics file {bad} is not a path inside the repository"
            )),
            "{bad}\n{}",
            run.transcript()
        );
    }
    assert_eq!(
        trailers(&repo, "churn@v0.0.1"),
        [
            "Artifact-Metric: latency_ms=41",
            "Artifact-Metric: train.loss=0.25"
        ]
    );
}

#[test]
fn a_dvc_yaml_top_level_metrics_apply_relative_to_it() {
    let repo = TestRepo::new();
    repo.write(
        "models/dvc.yaml",
        "metrics:\n- eval/m.json\nartifacts:\n  cv:\n    path: cv.pt\n    type: model\n",
    );
    repo.write("models/cv.pt", "w\n");
    repo.write("models/eval/m.json", r#"{"acc": 0.8}"#);
    repo.commit("cv");
    repo.run(&["register", "models:cv"]).ok();
    assert_eq!(
        trailers(&repo, "models=cv@v0.0.1"),
        ["Artifact-Metric: acc=0.8"]
    );
}
