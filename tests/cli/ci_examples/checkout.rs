//! The examples' checkout (issue 12, point 3), played for real: the scene's repository is served
//! over `file://` as a partial-clone server, each example's checkout is made the way its CI
//! makes it from what the example says (actions/checkout's `fetch-depth` and `filter`; GitLab's
//! `git init` + `git fetch` with `GIT_FETCH_EXTRA_FLAGS`), the clone is shown to be blobless,
//! and then the check job's script runs there as written, fetches included: it must say what
//! the tag means (type and path from `artifacts.yaml`, the policy from the default branch),
//! reading blobs the checkout never downloaded.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use yaml_serde::Value;

use super::{GITHUB, gitlab_pipeline, load, play_registry_action, run_ok, s, scene, shell_in};
use crate::check_ref_format::{parse_dotenv, parse_github_output};
use crate::fixture::TestRepo;
use crate::gitlab_component::{path_without_registry, play_job};

/// The scene's repository as a server that allows partial clones; its `file://` URL.
pub(super) fn serve(repo: &TestRepo) -> String {
    repo.git(&["config", "uploadpack.allowFilter", "true"]);
    repo.git(&["config", "uploadpack.allowAnySHA1InWant", "true"]);
    format!("file://{}", repo.path().display())
}

/// `git ARGS` in `dir`, with the fixture's environment; its stdout.
#[track_caller]
fn git_in(repo: &TestRepo, dir: &Path, args: &[&str]) -> String {
    let mut cmd = repo.command(Path::new("git"), dir);
    cmd.args(args);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A new empty repository with `origin` at `url`, in the fixture's HOME.
fn empty_checkout(repo: &TestRepo, url: &str, name: &str) -> PathBuf {
    let dir = repo.home().join(format!("{name}-{}", repo.tick()));
    std::fs::create_dir(&dir).unwrap();
    git_in(repo, &dir, &["init", "-q"]);
    git_in(repo, &dir, &["remote", "add", "origin", url]);
    dir
}

/// The checkout is a blobless partial clone: origin is its promisor remote, with the filter
/// every later fetch inherits.
#[track_caller]
fn assert_blobless(repo: &TestRepo, dir: &Path) {
    let config = |key: &str| git_in(repo, dir, &["config", key]).trim().to_string();
    assert_eq!(config("remote.origin.promisor"), "true");
    assert_eq!(config("remote.origin.partialclonefilter"), "blob:none");
}

/// Some object of the history is not in the checkout.
#[track_caller]
fn assert_missing_objects(repo: &TestRepo, dir: &Path) {
    let objects = git_in(
        repo,
        dir,
        &["rev-list", "--objects", "--all", "--missing=print"],
    );
    assert!(
        objects.lines().any(|l| l.starts_with('?')),
        "every object is present: not a blobless clone\n{objects}"
    );
}

/// What actions/checkout does, as `job`'s first step, for a tag push with the example's
/// `with:` (its `fetch-depth: 0` path: one fetch of every branch and tag, no `--depth`,
/// `--filter` from `filter`), then the detached checkout of the tag.
pub(super) fn github_checkout(
    repo: &TestRepo,
    doc: &Value,
    job: &str,
    url: &str,
    tag: &str,
) -> PathBuf {
    let steps = doc["jobs"][job]["steps"].as_sequence().unwrap();
    assert!(
        s(&steps[0]["uses"]).starts_with("actions/checkout@"),
        "{job}"
    );
    let with = &steps[0]["with"];
    assert_eq!(with["fetch-depth"], 0);
    let filter = format!("--filter={}", s(&with["filter"]));
    let dir = empty_checkout(repo, url, "github");
    git_in(
        repo,
        &dir,
        &[
            "fetch",
            "--no-tags",
            "--prune",
            "--no-recurse-submodules",
            &filter,
            "origin",
            "+refs/heads/*:refs/remotes/origin/*",
            "+refs/tags/*:refs/tags/*",
        ],
    );
    git_in(
        repo,
        &dir,
        &["checkout", "-q", "--force", &format!("refs/tags/{tag}")],
    );
    dir
}

/// The steps of `job` as written, in order, in `dir` for a push of `tag`, until one fails:
/// `run:` steps under GitHub's bash (`-eo pipefail`), the registry action's `uses:` step played
/// as a runner plays it (installing from the fake release; what it puts on PATH is on later
/// steps' PATH, and no other `registry` is), the checkout skipped (made by
/// [`github_checkout`]). Returns the outputs of the step `check` and of the `run:` steps, or
/// the failed step and what it printed.
pub(super) fn github_steps(
    repo: &TestRepo,
    doc: &Value,
    job: &str,
    dir: &Path,
    tag: &str,
    env: &[(&str, &str)],
) -> Result<HashMap<String, String>, (String, String)> {
    let runner = repo.home().join(format!("runner-{}", repo.tick()));
    let output_file = repo.home().join(format!("github_output_{}", repo.tick()));
    let mut on_path: Vec<PathBuf> = Vec::new();
    let mut outputs = HashMap::new();
    for step in doc["jobs"][job]["steps"].as_sequence().unwrap() {
        if let Some(uses) = step["uses"].as_str() {
            if uses.starts_with("actions/checkout@") {
                continue;
            }
            let run = play_registry_action(repo, dir, step, tag, &runner);
            if !run.ok {
                return Err((uses.to_string(), run.log));
            }
            // What the action added to PATH: its `registry-path` output.
            on_path.push(PathBuf::from(&run.outputs["registry-path"]));
            if step["id"] == "check" {
                outputs.extend(run.outputs);
            }
            continue;
        }
        let run = s(&step["run"]);
        let path = std::env::join_paths(
            on_path
                .iter()
                .cloned()
                .chain(std::env::split_paths(&path_without_registry())),
        )
        .unwrap();
        let mut cmd = repo.command(Path::new("bash"), dir);
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", run])
            .env("PATH", path)
            .env("GITHUB_REF", format!("refs/tags/{tag}"))
            .env("GITHUB_OUTPUT", &output_file)
            .envs(env.iter().copied());
        let out = cmd.output().unwrap();
        if !out.status.success() {
            let printed = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            return Err((run.to_string(), printed));
        }
    }
    let written = std::fs::read_to_string(&output_file).unwrap_or_default();
    outputs.extend(parse_github_output(&written).unwrap());
    Ok(outputs)
}

#[test]
fn github_blobless_checkout_reads_what_it_never_downloaded() {
    let doc = load(GITHUB);
    let (repo, [_, _, prod, _]) = scene();
    let url = serve(&repo);
    let dir = github_checkout(&repo, &doc, "registry", &url, &prod);
    assert_blobless(&repo, &dir);
    // The default branch's `.registry.yaml` (the policy check-ref reads) is one of them.
    assert_missing_objects(&repo, &dir);
    let outputs = github_steps(&repo, &doc, "registry", &dir, &prod, &[])
        .unwrap_or_else(|(step, printed)| panic!("{step} failed:\n{printed}"));
    for (k, v) in [
        ("name", "churn"),
        ("version", "v0.0.1"),
        ("stage", "prod"),
        ("event", "assignment"),
        ("type", "model"),
        ("path", "models/churn.pkl"),
        ("description", "Churn model"),
    ] {
        assert_eq!(
            outputs.get(k).map(String::as_str),
            Some(v),
            "{k}: {outputs:?}"
        );
    }
}

/// What the GitLab runner does for a tag pipeline with the example's variables: `git init`,
/// one `git fetch` of the tag with `GIT_FETCH_EXTRA_FLAGS` (and no `--depth`: `GIT_DEPTH` is 0),
/// then the checkout of the tag.
pub(super) fn gitlab_checkout(repo: &TestRepo, doc: &Value, url: &str, tag: &str) -> PathBuf {
    assert_eq!(doc["variables"]["GIT_DEPTH"], "0");
    let dir = empty_checkout(repo, url, "gitlab");
    let refspec = format!("+refs/tags/{tag}:refs/tags/{tag}");
    let mut args = vec!["fetch", "origin", &refspec];
    args.extend(s(&doc["variables"]["GIT_FETCH_EXTRA_FLAGS"]).split_whitespace());
    git_in(repo, &dir, &args);
    git_in(
        repo,
        &dir,
        &["checkout", "-q", "-f", &format!("refs/tags/{tag}")],
    );
    dir
}

/// Job `job` of the pipeline as GitLab resolves it (`extends:` merged: the component's
/// install from the fake release runs first), in `dir`, fetches included. Its log, or the log
/// of a failed run.
pub(super) fn gitlab_script(
    repo: &TestRepo,
    doc: &Value,
    job: &str,
    dir: &Path,
    env: &[(String, String)],
) -> Result<String, String> {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (ok, log) = play_job(&doc[job], repo, dir, &env);
    if ok { Ok(log) } else { Err(log) }
}

#[test]
fn gitlab_blobless_checkout_reads_what_it_never_downloaded() {
    let doc = gitlab_pipeline();
    let (repo, [_, _, prod, _]) = scene();
    let url = serve(&repo);
    let dir = gitlab_checkout(&repo, &doc, &url, &prod);
    assert_blobless(&repo, &dir);
    let env = [
        ("CI_COMMIT_TAG".to_string(), prod.clone()),
        ("CI_DEFAULT_BRANCH".to_string(), "main".to_string()),
    ];
    // The script's fetches keep the filter: after them, the default branch's policy is still
    // not in the checkout (check-ref then fetches it).
    let fetches: Vec<&str> = doc["check-ref"]["script"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(s)
        .filter(|l| l.starts_with("git fetch "))
        .collect();
    assert_eq!(fetches.len(), 2, "{fetches:?}");
    let mut cmd = shell_in(&repo, &dir, "sh", &["-e"], &fetches.join("\n"));
    cmd.envs(env.iter().map(|(k, v)| (k, v)));
    run_ok(cmd);
    assert_missing_objects(&repo, &dir);
    gitlab_script(&repo, &doc, "check-ref", &dir, &env).unwrap();
    let report = std::fs::read_to_string(dir.join("registry.env")).unwrap();
    let vars: HashMap<String, String> = parse_dotenv(&report).into_iter().collect();
    for (k, v) in [
        ("REGISTRY_NAME", "churn"),
        ("REGISTRY_VERSION", "v0.0.1"),
        ("REGISTRY_STAGE", "prod"),
        ("REGISTRY_EVENT", "assignment"),
        ("REGISTRY_TYPE", "model"),
        ("REGISTRY_PATH", "models/churn.pkl"),
        ("REGISTRY_DESCRIPTION", "Churn model"),
    ] {
        assert_eq!(vars.get(k).map(String::as_str), Some(v), "{k}: {vars:?}");
    }
}
