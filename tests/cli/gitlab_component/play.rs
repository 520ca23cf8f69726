//! The component played: its install and check-ref scripts run in `sh -e`, as a runner runs
//! them, against a fake release served over HTTP (the release workflow's own packaging, with the
//! real binary for x86_64 Linux) and a runner-like checkout of a repository holding a
//! registration and an assignment. The report has the seven keys; a changed archive, a missing
//! SHA256SUMS or an unknown machine install nothing; the policy gate writes no report.

use std::path::{Path, PathBuf};

use yaml_serde::Value;

use super::runner::{checkout, fake_uname, only_tools, own_release, scene};
use super::{component_jobs, play_job, resolve_job};
use crate::check_ref_format::parse_dotenv;
use crate::fixture::{HOST, TestRepo, files_under};

/// One played check-ref job.
pub(super) struct Played {
    pub(super) ok: bool,
    pub(super) log: String,
    /// The dotenv report, if the job wrote one.
    pub(super) report: Option<Vec<(String, String)>>,
    /// What the job left in its TMPDIR (the install directory, when it installed).
    pub(super) left: Vec<PathBuf>,
}

/// The check-ref job of the component with `inputs`, played for a push of `tag`, with `path` as
/// PATH when given.
pub(super) fn play(
    repo: &TestRepo,
    tag: &str,
    inputs: &[(&str, &str)],
    path: Option<String>,
) -> Played {
    let jobs = component_jobs(inputs);
    play_named(repo, tag, &resolve_job(&[&jobs], "check-ref"), path)
}

pub(super) fn play_named(repo: &TestRepo, tag: &str, job: &Value, path: Option<String>) -> Played {
    let dir = checkout(repo, tag);
    let tmp = dir.with_extension("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let tmp_s = tmp.display().to_string();
    let mut env = vec![
        ("CI_COMMIT_TAG", tag),
        ("CI_DEFAULT_BRANCH", "main"),
        ("CI_PIPELINE_SOURCE", "push"),
        ("TMPDIR", &tmp_s),
    ];
    if let Some(path) = &path {
        env.push(("PATH", path));
    }
    let (ok, log) = play_job(job, repo, &dir, &env);
    let report = dir.join("registry.env");
    Played {
        ok,
        log,
        report: report
            .exists()
            .then(|| parse_dotenv(&std::fs::read_to_string(report).unwrap())),
        left: files_under(&tmp),
    }
}

/// `dir`, then the PATH [`play_job`] gives by default.
fn first_on_path(dir: &Path) -> String {
    format!("{}:{}", dir.display(), super::path_without_registry())
}

fn tag_named(repo: &TestRepo, pattern: &str) -> String {
    repo.git(&["tag", "-l", pattern])
        .lines()
        .next()
        .unwrap()
        .to_string()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

#[test]
fn an_assignment_reports_its_seven_keys_with_the_installed_binary() {
    let (repo, url) = scene();
    let prod = tag_named(&repo, "churn#prod#*");
    let played = play(&repo, &prod, &[("release_url", &url)], None);
    assert!(played.ok, "{}", played.log);
    assert!(
        played
            .log
            .contains("registry-x86_64-unknown-linux-musl.tar.gz: OK"),
        "{}",
        played.log
    );
    assert!(played.log.contains("registry 0.1.0"), "{}", played.log);
    let installed = format!("registry-{HOST}/registry");
    assert!(
        played.left.iter().any(|f| f.ends_with(&installed)),
        "{:?}",
        played.left
    );
    assert_eq!(
        played.report.unwrap(),
        pairs(&[
            ("REGISTRY_NAME", "churn"),
            ("REGISTRY_VERSION", "v0.0.1"),
            ("REGISTRY_STAGE", "prod"),
            ("REGISTRY_EVENT", "assignment"),
            ("REGISTRY_TYPE", "model"),
            ("REGISTRY_PATH", "models/churn.pkl"),
            ("REGISTRY_DESCRIPTION", "Churn model"),
        ])
    );
}

/// A pinned version downloads from `download/vX.Y.Z/`; the prefix names the keys; the policy,
/// which allows a registration, passes it.
#[test]
fn a_pinned_registration_passes_the_policy_under_its_prefix() {
    let (repo, url) = scene();
    let inputs = [
        ("release_url", url.as_str()),
        ("version", "v1.2.3"),
        ("prefix", "ML_"),
        ("policy", "true"),
    ];
    let played = play(&repo, "churn@v0.0.1", &inputs, None);
    assert!(played.ok, "{}", played.log);
    let report = played.report.unwrap();
    let keys: Vec<&str> = report.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "ML_NAME",
            "ML_VERSION",
            "ML_STAGE",
            "ML_EVENT",
            "ML_TYPE",
            "ML_PATH",
            "ML_DESCRIPTION"
        ]
    );
    assert_eq!(report[3].1, "registration");
    // Nothing at `latest` for a pinned version: a missing v9.9.9 fails to download.
    let inputs = [("release_url", url.as_str()), ("version", "v9.9.9")];
    let played = play(&repo, "churn@v0.0.1", &inputs, None);
    failed_leaving_nothing(&played, "/download/v9.9.9/SHA256SUMS");
}

#[test]
fn the_policy_rejects_a_tag_breaking_it_and_writes_no_report() {
    let (repo, url) = scene();
    let prod = tag_named(&repo, "churn#prod#*");
    let played = play(
        &repo,
        &prod,
        &[("release_url", &url), ("policy", "true")],
        None,
    );
    assert!(!played.ok, "{}", played.log);
    assert!(
        played.log.contains("which never held staging before"),
        "{}",
        played.log
    );
    assert!(played.report.is_none());
}

/// A tag that is not a registry tag passes with an empty report (`touch`).
#[test]
fn another_tag_leaves_an_empty_report() {
    let (repo, url) = scene();
    repo.git(&["tag", "-a", "v1.0.0", "-m", "a release", "main"]);
    let played = play(&repo, "v1.0.0", &[("release_url", &url)], None);
    assert!(played.ok, "{}", played.log);
    assert_eq!(played.report.unwrap(), []);
}

/// A changed archive, or no SHA256SUMS at all: the job fails saying so, and nothing is left
/// installed (the temporary directory is gone, no report).
#[test]
fn a_changed_archive_or_missing_sums_install_nothing() {
    let (repo, _) = scene();
    let (latest, url) = own_release(&repo);
    let archive = latest.join(format!("registry-{HOST}.tar.gz"));
    let other = latest.join("registry-aarch64-unknown-linux-musl.tar.gz");
    let good = std::fs::read(&archive).unwrap();
    std::fs::copy(&other, &archive).unwrap();
    let played = play(&repo, "churn@v0.0.1", &[("release_url", &url)], None);
    failed_leaving_nothing(
        &played,
        &format!("registry-{HOST}.tar.gz does not match its line in SHA256SUMS: not installed"),
    );
    std::fs::write(&archive, good).unwrap();
    std::fs::remove_file(latest.join("SHA256SUMS")).unwrap();
    let played = play(&repo, "churn@v0.0.1", &[("release_url", &url)], None);
    assert!(
        played.log.contains("cannot download http://127.0.0.1:"),
        "{}",
        played.log
    );
    failed_leaving_nothing(&played, "/releases/latest/download/SHA256SUMS");
}

/// On an aarch64 runner the aarch64 archive is installed (its stand-in answers), by a job that
/// extends `.registry-install` as a user's deploy job does.
#[test]
fn an_aarch64_runner_gets_the_aarch64_binary() {
    let (repo, url) = scene();
    let jobs = component_jobs(&[("release_url", &url)]);
    let mine: Value = yaml_serde::from_str(
        "deploy:\n  extends: .registry-install\n  script:\n    - registry get x\n",
    )
    .unwrap();
    let job = resolve_job(&[&jobs, &mine], "deploy");
    let played = play_named(
        &repo,
        "churn@v0.0.1",
        &job,
        Some(first_on_path(&fake_uname(&repo, "aarch64"))),
    );
    assert!(played.ok, "{}", played.log);
    assert!(
        played
            .log
            .contains("registry-aarch64-unknown-linux-musl.tar.gz: OK"),
        "{}",
        played.log
    );
    assert!(
        played
            .log
            .contains("registry for aarch64-unknown-linux-musl"),
        "{}",
        played.log
    );
}

#[test]
fn an_unsupported_machine_fails_naming_it() {
    let (repo, url) = scene();
    let uname = fake_uname(&repo, "riscv64");
    let played = play(
        &repo,
        "churn@v0.0.1",
        &[("release_url", &url)],
        Some(first_on_path(&uname)),
    );
    failed_leaving_nothing(
        &played,
        "no release binary for machine 'riscv64' (uname -m)",
    );
}

/// The placeholder release URL fails at once, saying which input to set.
#[test]
fn the_placeholder_release_url_says_to_set_it() {
    let (repo, _) = scene();
    let played = play(&repo, "churn@v0.0.1", &[], None);
    failed_leaving_nothing(&played, "is the placeholder: set the input release_url");
}

/// An image without curl: wget downloads (and the job passes); without either, the job fails
/// saying so. PATH is a directory of links to the programs the scripts run, and no other.
#[test]
fn wget_stands_in_for_curl_and_neither_fails_clearly() {
    let (repo, url) = scene();
    let tools = [
        "sh",
        "uname",
        "mktemp",
        "rm",
        "awk",
        "wc",
        "sha256sum",
        "tar",
        "gzip",
        "git",
        "touch",
    ];
    let Some(with_wget) = only_tools(&repo, "with-wget", &[&tools[..], &["wget"]].concat()) else {
        return;
    };
    let prod = tag_named(&repo, "churn#prod#*");
    let played = play(&repo, &prod, &[("release_url", &url)], Some(with_wget));
    assert!(played.ok, "{}", played.log);
    assert_eq!(played.report.unwrap().len(), 7);
    let bare = only_tools(&repo, "bare", &tools).unwrap();
    let played = play(&repo, &prod, &[("release_url", &url)], Some(bare));
    failed_leaving_nothing(&played, "the image has neither curl nor wget");
}

/// The job failed saying `why`, and left nothing: no install in its TMPDIR, no report.
#[track_caller]
fn failed_leaving_nothing(played: &Played, why: &str) {
    assert!(!played.ok, "{}", played.log);
    assert!(played.log.contains(why), "{}", played.log);
    assert!(
        played.left.is_empty() && played.report.is_none(),
        "{:?}",
        played.left
    );
}
