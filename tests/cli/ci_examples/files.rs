//! The example files as their CI reads them: the GitLab pipeline with the component it includes
//! resolved, the GitHub workflow beside the action it uses, and the commented fallback each
//! keeps for building registry from source.

use yaml_serde::Value;

use super::{GITHUB, GITLAB, load, s, text};
use crate::gitlab_component::{component_jobs, release_url, resolve_job};

/// The GitLab example as GitLab reads it: its own document plus the jobs of the component it
/// includes (templates/check-ref.yml, interpolated with the include's inputs), every job with
/// its `extends:` merged. The include's `release_url` and `version` (placeholders a user
/// replaces) point at the test's fake release.
pub(super) fn gitlab_pipeline() -> Value {
    let example = load(GITLAB);
    let include = &example["include"][0];
    let component = s(&include["component"]);
    assert!(
        component.starts_with("$CI_SERVER_FQDN/") && component.contains("/check-ref@"),
        "{component}"
    );
    let inputs: Vec<(String, String)> = include["inputs"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let value = match (s(k), v) {
                ("release_url", _) => release_url().to_string(),
                ("version", _) => "v1.2.3".to_string(), // the fake release's tag
                (_, Value::Bool(b)) => b.to_string(),
                (_, v) => s(v).to_string(),
            };
            (s(k).to_string(), value)
        })
        .collect();
    let pairs: Vec<(&str, &str)> = inputs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let jobs = component_jobs(&pairs);
    let mut pipeline = example.as_mapping().unwrap().clone();
    let names: Vec<String> = jobs
        .as_mapping()
        .unwrap()
        .keys()
        .chain(example.as_mapping().unwrap().keys())
        .map(|k| s(k).to_string())
        .filter(|k| !GITLAB_GLOBALS.contains(&k.as_str()))
        .collect();
    for name in names {
        let job = resolve_job(&[&jobs, &example], &name);
        pipeline.insert(Value::String(name), job);
    }
    Value::Mapping(pipeline)
}

/// The top-level keys of a GitLab pipeline that are no job.
const GITLAB_GLOBALS: [&str; 5] = ["include", "stages", "variables", "workflow", "default"];

/// The GitHub example and the action it uses (action.yml), whose steps run in its jobs.
pub(super) fn github_workflow() -> Value {
    Value::Sequence(vec![load(GITHUB), load("action.yml")])
}

/// The commented fallback of an example (between `# --- fallback` and `# --- end fallback`),
/// uncommented: the YAML a user gets by deleting the `# ` of each line.
pub(super) fn fallback(rel: &str) -> Value {
    let raw = text(rel);
    let (_, rest) = raw
        .split_once("# --- fallback")
        .unwrap_or_else(|| panic!("{rel}: no `# --- fallback` block"));
    let (_, block) = rest.split_once('\n').unwrap();
    let (block, _) = block.split_once("# --- end fallback").unwrap();
    let mut yaml = String::new();
    for l in block.lines().filter(|l| !l.trim().is_empty()) {
        let l = l
            .trim_start()
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{rel}: {l:?} is not commented"));
        yaml.push_str(l.strip_prefix(' ').unwrap_or(l));
        yaml.push('\n');
    }
    yaml_serde::from_str(&yaml).unwrap_or_else(|e| panic!("{rel}'s fallback: {e}\n{yaml}"))
}
