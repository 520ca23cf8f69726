//! The component's shape, interpolated: the jobs and keys GitLab acts on (stage, extends, rules,
//! the dotenv report, the image), inputs that reach shell only as variables, and the inputs
//! GitLab refuses when the pipeline is created (wrong type, failing regex, unknown name).

use yaml_serde::Value;

use super::{COMPONENT, component_jobs, component_text, interpolated, resolve_job};
use crate::docs::parses;

#[test]
fn the_check_ref_job_reports_dotenv_on_tags_in_the_stage_given() {
    let jobs = component_jobs(&[("stage", "verify"), ("image", "alpine:3")]);
    let names: Vec<&str> = jobs
        .as_mapping()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(names, [".registry-install", "check-ref"]);
    let raw = &jobs["check-ref"];
    assert_eq!(raw["extends"], ".registry-install");
    let job = resolve_job(&[&jobs], "check-ref");
    assert_eq!(job["stage"], "verify");
    assert_eq!(job["image"], "alpine:3");
    assert_eq!(
        yaml_serde::to_string(&job["rules"]).unwrap(),
        "- if: $CI_COMMIT_TAG\n"
    );
    assert_eq!(job["artifacts"]["reports"]["dotenv"], "registry.env");
    // The clone the registry needs: every commit and tag, blobless.
    assert_eq!(job["variables"]["GIT_DEPTH"], "0");
    assert_eq!(
        job["variables"]["GIT_FETCH_EXTRA_FLAGS"],
        "--prune --quiet --filter=blob:none"
    );
    // Defaults.
    let job = resolve_job(&[&component_jobs(&[])], "check-ref");
    assert_eq!(job["stage"], "check");
    assert_eq!(job["image"], "buildpack-deps:bookworm-scm");
    assert_eq!(job["variables"]["REGISTRY_INSTALL_VERSION"], "latest");
    assert_eq!(job["variables"]["REGISTRY_CHECK_PREFIX"], "REGISTRY_");
    assert_eq!(
        job["variables"]["REGISTRY_CHECK_POLICY_REF"],
        "origin/$CI_DEFAULT_BRANCH"
    );
    assert_eq!(
        job["variables"]["REGISTRY_INSTALL_RELEASE_URL"],
        "https://github.com/YOUR-ORG/registry/releases"
    );
}

/// Every `registry …` line of the scripts parses with the real clap parser, whichever way the
/// policy input goes.
#[test]
fn its_registry_lines_parse() {
    for policy in ["true", "false"] {
        let jobs = component_jobs(&[("policy", policy)]);
        let mut lines = 0;
        for job in [".registry-install", "check-ref"] {
            let job = resolve_job(&[&jobs], job);
            for part in ["before_script", "script"] {
                for entry in job[part].as_sequence().into_iter().flatten() {
                    for line in entry.as_str().unwrap().lines().map(str::trim) {
                        // clap answers `--version` with its own "error" (DisplayVersion).
                        if line.starts_with("registry ") && line != "registry --version" {
                            parses(line).unwrap();
                            lines += 1;
                        }
                    }
                }
            }
        }
        // Both check-ref lines (one runs, per the policy).
        assert_eq!(lines, 2, "policy {policy}");
    }
}

/// Inputs reach the shell as job variables only; the one exception is the boolean `policy`,
/// whose value GitLab type-checks to `true` or `false`.
#[test]
fn no_string_input_is_pasted_into_a_script() {
    let text = component_text();
    let (_, jobs) = text.split_once("\n---\n").unwrap();
    let jobs: Value = yaml_serde::from_str(jobs).unwrap();
    let mut seen = 0;
    for job in jobs.as_mapping().unwrap().values() {
        for part in ["before_script", "script"] {
            for entry in job[part].as_sequence().into_iter().flatten() {
                let entry = entry.as_str().unwrap();
                seen += entry.matches("$[[").count();
                assert_eq!(
                    entry.matches("$[[").count(),
                    entry.matches("\"$[[ inputs.policy ]]\"").count(),
                    "{entry}"
                );
            }
        }
    }
    assert_eq!(seen, 1);
    // And a policy input that is not a boolean is refused.
    let refused = interpolated(&text, &[("policy", "true; rm -rf ~")]).unwrap_err();
    assert!(refused.contains("not a boolean"), "{refused}");
}

#[test]
fn inputs_gitlab_refuses_are_refused() {
    let text = component_text();
    for (given, why) in [
        (("policy", "yes"), "is not a boolean"),
        (("version", "1.2.3"), "does not match its regex"),
        (("version", "v1.2"), "does not match its regex"),
        (("version", "latest\n"), "does not match its regex"),
        (
            ("release_url", "http://example.com/releases"),
            "does not match",
        ),
        (("release_url", "https://x.example/a b"), "does not match"),
        (("release_url", "https://x.example/$(id)"), "does not match"),
        (("release_url", "file:///srv/releases"), "does not match"),
        (("prefix", ""), "does not match"),
        (("prefix", "1X_"), "does not match"),
        (("prefix", "X; id"), "does not match"),
        (("policy_ref", "--upload-pack=id"), "does not match"),
        (("policy_ref", "main branch"), "does not match"),
        (("policy_ref", "$(id)"), "does not match"),
        (("polcy", "true"), "unknown input"),
    ] {
        let e = interpolated(&text, &[given]).unwrap_err();
        assert!(e.contains(why), "{given:?}: {e}");
    }
    // What the regexes admit.
    for given in [
        ("version", "v1.2.3"),
        ("version", "v1.2.3-rc.1"),
        ("release_url", "https://github.com/acme/registry/releases/"),
        ("release_url", "http://127.0.0.1:8080/releases"),
        ("policy_ref", "origin/${CI_DEFAULT_BRANCH}"),
        ("policy_ref", "origin/release-1.x"),
        ("prefix", "ML_"),
    ] {
        interpolated(&text, &[given]).unwrap_or_else(|e| panic!("{given:?}: {e}"));
    }
}

/// The interpolation of this test refuses what it does not model, so a component change to a
/// form GitLab reads differently cannot pass unnoticed.
#[test]
fn the_interpolation_knows_its_limits() {
    let header = "spec:\n  inputs:\n    a:\n      description: A\n      default: x\n    b:\n      type: boolean\n      description: B\n      default: true\n---\n";
    let play = |jobs: &str| interpolated(&format!("{header}{jobs}"), &[]);
    let (_, jobs) =
        play("j:\n  x: $[[ inputs.b ]]\n  y: a-$[[ inputs.b ]]-$[[inputs.a]]\n").unwrap();
    assert_eq!(jobs["j"]["x"], Value::Bool(true));
    assert_eq!(jobs["j"]["y"], "a-true-x");
    for (jobs, why) in [
        ("j: $[[ inputs.c ]]\n", "unknown input"),
        ("j: $[[ inputs.a | expand_vars ]]\n", "does not know"),
        ("j: $[[ component.version ]]\n", "does not know"),
        ("$[[ inputs.a ]]: 1\n", "in a key"),
    ] {
        let e = play(jobs).unwrap_err();
        assert!(e.contains(why), "{jobs}: {e}");
    }
    let e = interpolated("j: 1\n", &[]).unwrap_err();
    assert!(e.contains("1 documents"), "{e}");
    let e = interpolated(
        "spec:\n  inputs:\n    a:\n      description: A\n      defualt: x\n---\nj: 1\n",
        &[],
    )
    .unwrap_err();
    assert!(e.contains("unknown key \"defualt\""), "{e}");
    assert!(COMPONENT.starts_with("templates/"));
}
