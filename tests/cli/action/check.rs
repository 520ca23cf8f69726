//! The action's check, with the real binary: installed from a fake release over file://, it
//! runs `check-ref --format github` on a repository with a registration and an assignment,
//! and the action's outputs, read back from GITHUB_OUTPUT as GitHub reads it (a multi-line
//! description comes in the heredoc form), are the seven values; with `policy: true` a tag
//! breaking the policy of the default branch fails the step, and no output is written.

use std::collections::HashMap;

use super::play_action;
use crate::fixture::{TestRepo, fake_release, registry_bin};
use crate::reads::ok;

/// A description that tries to add outputs of its own, one per line.
const DESCRIPTION: &str = "Churn model\nevent=deploy\nstage<<EOF\nprod\nEOF";

/// `churn` v0.0.1 registered, then given staging and prod, within the policy
/// (`promotion_order: [staging, prod]`, on main, fetched as `origin/main`). Returns the
/// repository and the prod tag.
fn scene() -> (TestRepo, String) {
    let repo = TestRepo::new();
    repo.write("models/churn.pkl", "weights\n");
    repo.write(
        "artifacts.yaml",
        &format!(
            "churn:\n  type: model\n  path: models/churn.pkl\n  description: {}\n",
            serde_json::to_string(DESCRIPTION).unwrap()
        ),
    );
    repo.write(".registry.yaml", "promotion_order: [staging, prod]\n");
    repo.commit("first");
    ok(&repo, &["register", "churn"]);
    ok(&repo, &["promote", "churn", "staging"]);
    ok(&repo, &["promote", "churn", "prod"]);
    repo.git(&["update-ref", "refs/remotes/origin/main", "main"]);
    let prod = newest_prod(&repo);
    (repo, prod)
}

/// v0.0.2 registered and given prod straight away, without staging: its prod tag.
fn break_policy(repo: &TestRepo) -> String {
    repo.write("models/churn.pkl", "weights 2\n");
    repo.commit("second");
    ok(repo, &["register", "churn"]);
    ok(repo, &["promote", "churn", "prod"]);
    repo.git(&["update-ref", "refs/remotes/origin/main", "main"]);
    newest_prod(repo)
}

fn newest_prod(repo: &TestRepo) -> String {
    let tags = repo.git(&["tag", "-l", "churn#prod#*", "--sort=-creatordate"]);
    tags.lines().next().unwrap().to_string()
}

fn outputs(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

#[test]
fn the_outputs_are_check_refs_and_a_tag_breaking_the_policy_fails() {
    let (repo, within) = scene();
    let root = tempfile::tempdir().unwrap();
    // The real binary is the Linux X64 archive's: the runner play_action plays.
    let releases = fake_release(root.path(), "v0.1.0", &registry_bin());
    let url = format!("file://{}", releases.display());
    let play = |with: &[(&str, &str)], tag: &str| {
        let pushed = format!("refs/tags/{tag}");
        let github = [
            ("ref", pushed.as_str()),
            ("event.repository.default_branch", "main"),
        ];
        play_action(&repo, &repo.path(), &url, with, &github)
    };

    // A registration pushed: `ref` defaults to github.ref.
    let run = play(&[("version", "v0.1.0")], "churn@v0.0.1");
    assert!(run.ok, "{}", run.log);
    let dir = run.outputs["registry-path"].clone();
    assert!(run.log.contains("registry "), "{}", run.log);
    assert_eq!(
        run.outputs,
        outputs(&[
            ("name", "churn"),
            ("version", "v0.0.1"),
            ("stage", ""),
            ("event", "registration"),
            ("type", "model"),
            ("path", "models/churn.pkl"),
            ("description", DESCRIPTION),
            ("registry-path", &dir),
        ])
    );

    // An assignment within the policy (read from origin/<default branch>), `ref` given.
    let with = [("ref", within.as_str()), ("policy", "true")];
    let run = play(&with, "churn@v0.0.1");
    assert!(run.ok, "{}", run.log);
    assert_eq!(
        (
            run.outputs["event"].as_str(),
            run.outputs["stage"].as_str(),
            run.outputs["version"].as_str()
        ),
        ("assignment", "prod", "v0.0.1")
    );

    // Breaking it: the check step fails, says why, and writes no output.
    let breaking = break_policy(&repo);
    let run = play(&[("policy", "true")], &breaking);
    assert!(!run.ok, "{}", run.log);
    assert!(
        run.log.contains(&format!(
            "policy: '{breaking}' gives prod to churn v0.0.2, which never held staging before"
        )),
        "{}",
        run.log
    );
    for key in crate::check_ref_format::KEYS {
        assert_eq!(run.outputs[key], "", "{key}");
    }
    // Without the policy the same tag reads as usual.
    let run = play(&[], &breaking);
    assert!(run.ok && run.outputs["version"] == "v0.0.2", "{}", run.log);
}
