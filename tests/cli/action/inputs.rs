//! The action's inputs, checked before any download: a bad `version`, `policy`, `check` or
//! `release-url` fails naming the input and its value (control characters shown as `?`, so a
//! value cannot write workflow commands into the log); and where the release is found when
//! `release-url` is empty: the action's own repository, from GITHUB_ACTION_REPOSITORY or else
//! from the runner's `_actions/OWNER/REPO/REF` path, or an error asking for the input.

use std::path::Path;
use std::process::Command;

use super::{Runner, play};
use crate::fixture::TestRepo;

#[test]
fn a_bad_input_fails_naming_it_before_any_download() {
    let repo = TestRepo::new();
    let dir = tempfile::tempdir().unwrap();
    let runner = Runner::linux(dir.path());
    let nowhere = "file:///nonexistent/releases";
    for (input, value, message) in [
        (
            "version",
            "1.2",
            "input version '1.2' is not latest, vX.Y.Z or X.Y.Z",
        ),
        (
            "version",
            "v1.2.3/../x",
            "input version 'v1.2.3/../x' is not",
        ),
        // A newline would start a workflow command in the log: shown as `?`.
        (
            "version",
            "x\n::add-mask::y",
            "input version 'x?::add-mask::y' is not",
        ),
        ("policy", "yes", "input policy is 'yes', not true or false"),
        ("check", "TRUE", "input check is 'TRUE', not true or false"),
        (
            "release-url",
            "http://example.com/r",
            "input release-url 'http://example.com/r' is not",
        ),
        (
            "release-url",
            "http://127.0.0.1@evil.example/r",
            "input release-url 'http://127.0.0.1@evil.example/r'",
        ),
        (
            "release-url",
            "ftp://127.0.0.1/r",
            "input release-url 'ftp://127.0.0.1/r'",
        ),
        (
            "release-url",
            "https://a b/r",
            "input release-url 'https://a b/r'",
        ),
    ] {
        let mut with = vec![("release-url", nowhere), ("check", "false")];
        with.retain(|(k, _)| *k != input);
        with.push((input, value));
        let run = play(&repo, &repo.path(), &runner, &with, &[]);
        assert!(!run.ok, "{input}={value:?}");
        assert!(
            run.log.contains(&format!("error: {message}")),
            "{input}={value:?}:\n{}",
            run.log
        );
        assert!(!run.log.contains("cannot download"), "{}", run.log);
    }
}

/// `install.sh release-url` with these variables: its stdout, or its stderr when it fails.
fn release_url(vars: &[(&str, &str)]) -> Result<String, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/action/install.sh");
    let out = Command::new("sh")
        .arg(script)
        .arg("release-url")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(vars.iter().copied())
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    if out.status.success() {
        Ok(text(out.stdout))
    } else {
        Err(text(out.stderr))
    }
}

#[test]
fn the_release_is_the_actions_own_repository_unless_given() {
    let github = Ok("https://github.com/acme/registry/releases\n".to_string());
    assert_eq!(
        release_url(&[("GITHUB_ACTION_REPOSITORY", "acme/registry")]),
        github
    );
    // An empty GITHUB_ACTION_REPOSITORY (composite actions, some runners): the action's path.
    for path in [
        "/home/runner/work/_actions/acme/registry/v1",
        r"D:\a\_actions\acme\registry\v1",
    ] {
        let vars = [
            ("GITHUB_ACTION_REPOSITORY", ""),
            ("GITHUB_ACTION_PATH", path),
        ];
        assert_eq!(release_url(&vars), github, "{path}");
    }
    assert_eq!(
        release_url(&[
            ("INPUT_RELEASE_URL", "https://mirror.example/r/"),
            ("GITHUB_ACTION_REPOSITORY", "acme/registry")
        ]),
        Ok("https://mirror.example/r\n".to_string())
    );
    // A local action (`uses: ./`), or a name that is not OWNER/REPO: the input is needed.
    for vars in [
        &[("GITHUB_ACTION_PATH", "/home/runner/work/repo/repo")][..],
        &[("GITHUB_ACTION_REPOSITORY", "acme/registry/../x")],
        &[("GITHUB_ACTION_PATH", "/w/_actions/acme")],
    ] {
        let err = release_url(vars).unwrap_err();
        assert!(
            err.contains("cannot tell which repository this action comes from"),
            "{err}"
        );
        assert!(err.contains("hint: set the input release-url"), "{err}");
    }
}
