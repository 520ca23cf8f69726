//! check-tag, the release's metadata gate, played as the workflow runs it: the version tag
//! passes; a wrong tag, a fork's run, placeholder URLs and a stale pyproject version are refused
//! with one line naming the bad value; and the real pyproject agrees with Cargo.toml.

use std::path::Path;
use std::process::Command;

use super::play::{VERSION, checkout, play, pyproject, stderr, stdout};
use super::{repo_root, step_script, workflow};

#[test]
fn check_tag_passes_the_version_tag_and_refuses_a_wrong_tag_a_fork_and_placeholders() {
    let doc = workflow();
    let script = step_script(&doc, "check-tag", "Tag, version and URLs agree");
    let tag = format!("v{VERSION}");
    let at = |dir: &Path, ref_type: &str, ref_name: &str, repo: &str| {
        play(
            script,
            dir,
            &[
                ("GITHUB_REF_TYPE", ref_type),
                ("GITHUB_REF_NAME", ref_name),
                ("GITHUB_REPOSITORY", repo),
            ],
            None,
        )
    };
    let good = checkout("acme/registry");
    let ok = at(good.path(), "tag", &tag, "acme/registry");
    assert!(ok.status.success(), "{}", stderr(&ok));
    // The dry run (a branch) checks everything but the tag.
    let dry = at(good.path(), "branch", "main", "acme/registry");
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(stdout(&dry).contains("dry run"), "{}", stdout(&dry));

    let wrong = at(good.path(), "tag", "v9.9.9", "acme/registry");
    assert_eq!(wrong.status.code(), Some(1));
    assert_eq!(
        stderr(&wrong),
        format!("check_tag.py: the tag 'v9.9.9' is not '{tag}', the version in Cargo.toml\n")
    );
    // A name with a newline stays one line of the message.
    let newline = at(good.path(), "tag", &format!("{tag}\nx"), "acme/registry");
    assert_eq!(newline.status.code(), Some(1));
    assert_eq!(stderr(&newline).lines().count(), 1, "{}", stderr(&newline));
    assert!(
        stderr(&newline).contains(&format!("'{tag}\\nx'")),
        "{}",
        stderr(&newline)
    );

    // A fork's run: the metadata still names the upstream repository.
    let fork = at(good.path(), "tag", &tag, "someone/registry");
    assert_eq!(fork.status.code(), Some(1));
    let err = stderr(&fork);
    assert!(err.contains("'Homepage' is 'https://github.com/acme/registry', not under https://github.com/someone/registry"), "{err}");
    assert!(err.contains("'Issues'"), "{err}");
    assert!(!err.contains("Documentation"), "not a GitHub URL: {err}");

    // The placeholder metadata of an unpublished checkout never ships, whatever the repository.
    let placeholder = checkout("YOUR-ORG/registry");
    let refused = at(placeholder.path(), "tag", &tag, "YOUR-ORG/registry");
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused)
            .contains("'Homepage' is 'https://github.com/YOUR-ORG/registry', a placeholder"),
        "{}",
        stderr(&refused)
    );
    assert!(
        stderr(&refused).contains(
            "README.md (the wheel's description on PyPI) still names the placeholder YOUR-ORG"
        ),
        "{}",
        stderr(&refused)
    );

    // A pyproject version of its own must be Cargo's.
    pyproject(good.path(), "acme/registry", Some("0.0.1"));
    let stale = at(good.path(), "tag", &tag, "acme/registry");
    assert_eq!(stale.status.code(), Some(1));
    assert!(
        stderr(&stale).contains("version '0.0.1' is not"),
        "{}",
        stderr(&stale)
    );
    std::fs::remove_file(good.path().join("pyproject.toml")).unwrap();
    let missing = at(good.path(), "tag", &tag, "acme/registry");
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("pyproject.toml is missing"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn the_real_pyproject_agrees_with_cargo_on_the_version() {
    assert!(repo_root().join("pyproject.toml").is_file());
    let out = Command::new("python3")
        .arg(repo_root().join("scripts/release/check_tag.py"))
        .args([
            "--repository",
            "YOUR-ORG/registry",
            "--tag",
            &format!("v{VERSION}"),
        ])
        .output()
        .unwrap();
    // Only the placeholders may be refused (the URLs and the README's, until the repository
    // is published).
    for line in stderr(&out).lines() {
        assert!(
            line.contains("[project.urls]") || line.contains("the placeholder YOUR-ORG"),
            "{line}"
        );
    }
}
