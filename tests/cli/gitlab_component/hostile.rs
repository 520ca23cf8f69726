//! The component's scripts against what an attacker controls: the pushed tag's name (any name
//! git allows, shell syntax included) and CI/CD variables of a project or pipeline, which
//! outrank the job's own variables and so bypass the inputs' regexes.

use yaml_serde::Value;

use super::play::{play, play_named};
use super::runner::scene;
use super::{component_jobs, resolve_job};

/// A tag named like a command substitution is data: quoted everywhere, it is not a registry
/// tag, the job passes with an empty report, and nothing ran.
#[test]
fn a_tag_named_like_shell_runs_nothing() {
    let (repo, url) = scene();
    let name = "x$(touch${IFS}pwned)`touch${IFS}pwned2`;touch${IFS}pwned3";
    repo.git(&["tag", "-a", name, "-m", "hostile", "main"]);
    let played = play(
        &repo,
        name,
        &[("release_url", &url), ("policy", "true")],
        None,
    );
    assert!(played.ok, "{}", played.log);
    assert_eq!(played.report.unwrap(), []);
    for pwned in ["pwned", "pwned2", "pwned3"] {
        assert!(
            !crate::fixture::files_under(&repo.home())
                .iter()
                .any(|f| f.ends_with(pwned)),
            "{pwned} was made"
        );
    }
}

/// A project variable REGISTRY_INSTALL_RELEASE_URL (or _VERSION) replaces the input's value
/// unchecked by its regex: the script checks it again and downloads nothing.
#[test]
fn a_variable_overriding_the_release_url_is_checked_again() {
    let (repo, _) = scene();
    let jobs = component_jobs(&[]);
    for (var, value, why) in [
        (
            "REGISTRY_INSTALL_RELEASE_URL",
            "http://example.com/releases",
            "must start with https://",
        ),
        (
            "REGISTRY_INSTALL_RELEASE_URL",
            "file:///srv/releases",
            "must start with https://",
        ),
        (
            "REGISTRY_INSTALL_RELEASE_URL",
            "ftp://127.0.0.1:21/r",
            "must start with https://",
        ),
        (
            "REGISTRY_INSTALL_VERSION",
            "../../evil",
            "must be latest or vX.Y.Z",
        ),
    ] {
        let mut job = resolve_job(&[&jobs], "check-ref");
        job["variables"][var] = Value::String(value.to_string());
        if var == "REGISTRY_INSTALL_VERSION" {
            // Past the placeholder check, to reach the version's.
            job["variables"]["REGISTRY_INSTALL_RELEASE_URL"] =
                Value::String("https://github.com/acme/registry/releases".into());
        }
        let played = play_named(&repo, "churn@v0.0.1", &job, None);
        assert!(!played.ok, "{value}: {}", played.log);
        assert!(played.log.contains(why), "{value}: {}", played.log);
        assert!(
            played.left.is_empty() && played.report.is_none(),
            "{:?}",
            played.left
        );
    }
}
