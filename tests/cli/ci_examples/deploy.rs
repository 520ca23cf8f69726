//! The examples' deploy job (issue 12, "Done means"): in a blobless checkout made as each CI
//! makes it, the job's steps run as written and `registry get NAME#prod` writes the bytes that
//! were registered; when a prod version's bytes do not match its recorded digest, the get step
//! fails, nothing is left at `-o`, and the deploy step never runs.

use std::path::Path;

use super::checkout::{github_checkout, github_steps, gitlab_checkout, gitlab_script, serve};
use super::{GITHUB, gitlab_pipeline, load, scene};
use crate::fixture::TestRepo;
use crate::reads::ok;

/// What the deploy job prints when it deploys.
const DEPLOYED: &str = "Deploy churn v0.0";

/// A second version whose tag carries v0.0.1's digest over other bytes (as if the registered
/// bytes were swapped after registration), put into prod. Returns its prod tag.
fn tampered_prod(repo: &TestRepo) -> String {
    let message = repo.git(&["tag", "-l", "--format=%(contents)", "churn@v0.0.1"]);
    assert!(message.contains("Artifact-Digest: sha256:"), "{message}");
    repo.write("models/churn.pkl", "tampered weights\n");
    repo.commit("swap the weights");
    let message = message.replacen("v0.0.1", "v0.0.2", 1);
    repo.git(&[
        "tag",
        "-a",
        "churn@v0.0.2",
        "-m",
        message.trim_end(),
        "HEAD",
    ]);
    ok(
        repo,
        &["assign", "churn", "--version", "v0.0.2", "--stage", "prod"],
    );
    let tags = repo.git(&["tag", "-l", "churn#prod#*", "--sort=-creatordate"]);
    tags.lines().next().unwrap().to_string()
}

#[track_caller]
fn assert_got_the_registered_bytes(dir: &Path) {
    assert_eq!(
        std::fs::read_to_string(dir.join("deploy/artifact")).unwrap(),
        "weights\n"
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("deploy/registry-get.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["version"], "v0.0.1", "{json}");
    assert!(
        json["digest"]
            .as_str()
            .is_some_and(|d| d.starts_with("sha256:")),
        "{json}"
    );
}

#[track_caller]
fn assert_nothing_deployed(dir: &Path, printed: &str) {
    assert!(
        printed.contains("do not match its recorded digest"),
        "{printed}"
    );
    assert!(!printed.contains(DEPLOYED), "{printed}");
    assert!(
        !dir.join("deploy/artifact").exists(),
        "a partial or unverified artifact was left: {printed}"
    );
}

#[test]
fn github_deploy_job_gets_the_registered_bytes_and_refuses_tampered_ones() {
    let doc = load(GITHUB);
    let (repo, [_, _, prod, _]) = scene();
    let url = serve(&repo);
    let env = [("NAME", "churn"), ("VERSION", "v0.0.1")];
    let dir = github_checkout(&repo, &doc, "deploy", &url, &prod);
    github_steps(&repo, &doc, "deploy", &dir, &prod, &env)
        .unwrap_or_else(|(step, printed)| panic!("{step} failed:\n{printed}"));
    assert_got_the_registered_bytes(&dir);

    let bad = tampered_prod(&repo);
    let dir = github_checkout(&repo, &doc, "deploy", &url, &bad);
    let (step, printed) = github_steps(&repo, &doc, "deploy", &dir, &bad, &env)
        .expect_err("the tampered version deployed");
    assert!(step.contains("registry get "), "{step}");
    assert_nothing_deployed(&dir, &printed);
}

#[test]
fn gitlab_deploy_job_gets_the_registered_bytes_and_refuses_tampered_ones() {
    let doc = gitlab_pipeline();
    let (repo, [_, _, prod, _]) = scene();
    let url = serve(&repo);
    let env = |tag: &str, version: &str| {
        [
            ("CI_COMMIT_TAG", tag),
            ("CI_DEFAULT_BRANCH", "main"),
            ("REGISTRY_EVENT", "assignment"),
            ("REGISTRY_STAGE", "prod"),
            ("REGISTRY_NAME", "churn"),
            ("REGISTRY_VERSION", version),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
    };
    let dir = gitlab_checkout(&repo, &doc, &url, &prod);
    let printed = gitlab_script(&repo, &doc, "deploy", &dir, &env(&prod, "v0.0.1")).unwrap();
    assert!(printed.contains(DEPLOYED), "{printed}");
    assert_got_the_registered_bytes(&dir);

    let bad = tampered_prod(&repo);
    let dir = gitlab_checkout(&repo, &doc, &url, &bad);
    let printed = gitlab_script(&repo, &doc, "deploy", &dir, &env(&bad, "v0.0.2"))
        .expect_err("the tampered version deployed");
    assert_nothing_deployed(&dir, &printed);
}
