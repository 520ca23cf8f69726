//! The release workflow (.github/workflows/release.yml, issue 13) read as data: its matrix builds
//! every wheel platform of the issue and every archive target of the release layout, nothing
//! publishes unless the gates pass, each job holds only the permissions it needs, and its scripts
//! take untrusted values through the environment only. Its script steps are played here:
//! check-tag (`check_tag.rs`), the builds, archives and GitHub release (`play.rs`), the PyPI
//! upload (`publish.rs`); and the CI-file linter that checks it is run too (`lint.rs`).

mod check_tag;
mod lint;
mod play;
mod publish;

use std::collections::BTreeSet;
use std::path::Path;

use yaml_serde::Value;

use crate::fixture::TARGETS;

const WORKFLOW: &str = ".github/workflows/release.yml";

/// The actions the shared contract pins (zizmor wants hashes); no other may appear.
const PINNED: [&str; 4] = [
    "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683",
    "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02",
    "actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093",
    "actions/cache@5a3ec84eff668545956fd18022155c47e93e2684",
];

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn workflow() -> Value {
    let text = std::fs::read_to_string(repo_root().join(WORKFLOW)).unwrap();
    yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("{WORKFLOW}: {e}"))
}

fn job<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["jobs"]
        .get(name)
        .unwrap_or_else(|| panic!("{WORKFLOW} has no job {name:?}"))
}

fn steps(job: &Value) -> &[Value] {
    job["steps"].as_sequence().unwrap()
}

/// The `run:` script of the step called `name` in `job`.
fn step_script<'a>(doc: &'a Value, job_name: &str, name: &str) -> &'a str {
    steps(job(doc, job_name))
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .and_then(|s| s["run"].as_str())
        .unwrap_or_else(|| panic!("{job_name} has no step {name:?} with a run script"))
}

/// Every `(job, step name or uses, run script)` of the workflow.
fn all_scripts(doc: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (name, job) in doc["jobs"].as_mapping().unwrap() {
        for step in steps(job) {
            if let Some(run) = step["run"].as_str() {
                let label = step["name"].as_str().unwrap_or("(unnamed)").to_string();
                out.push((name.as_str().unwrap().to_string(), label, run.to_string()));
            }
        }
    }
    out
}

/// The wheels job's matrix entries.
fn matrix(doc: &Value) -> &[Value] {
    job(doc, "wheels")["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap()
}

#[test]
fn the_matrix_builds_every_wheel_platform_and_every_archive_target() {
    let doc = workflow();
    let entries = matrix(&doc);
    let wheel_platforms: BTreeSet<(&str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["target"].as_str().unwrap(),
                e["compatibility"].as_str().unwrap(),
            )
        })
        .collect();
    // Issue 13: Linux x86_64 and aarch64 for manylinux and musllinux, macOS x86_64 and arm64,
    // Windows x86_64.
    let want: BTreeSet<(&str, &str)> = [
        ("x86_64-unknown-linux-gnu", "manylinux2014"),
        ("x86_64-unknown-linux-musl", "musllinux_1_2"),
        ("aarch64-unknown-linux-gnu", "manylinux2014"),
        ("aarch64-unknown-linux-musl", "musllinux_1_2"),
        ("x86_64-apple-darwin", ""),
        ("aarch64-apple-darwin", ""),
        ("x86_64-pc-windows-msvc", ""),
    ]
    .into_iter()
    .collect();
    assert_eq!(wheel_platforms, want);
    assert_eq!(entries.len(), want.len(), "one build per platform");
    // The archives are exactly the release layout's targets, the static musl ones among them.
    let archived: BTreeSet<&str> = entries
        .iter()
        .filter(|e| e["archive"].as_bool().unwrap())
        .map(|e| e["target"].as_str().unwrap())
        .collect();
    assert_eq!(archived, TARGETS.into_iter().collect());
    for e in entries {
        let target = e["target"].as_str().unwrap();
        let os = e["os"].as_str().unwrap();
        let family = if target.contains("linux") {
            "ubuntu-"
        } else if target.contains("darwin") {
            "macos-"
        } else {
            "windows-"
        };
        assert!(os.starts_with(family), "{target} builds on {os}");
        // Linux builds go through zig: it pins the manylinux glibc floor and is the musl C
        // toolchain. Nothing else needs it.
        assert_eq!(
            e["zig"].as_bool(),
            Some(target.contains("linux")),
            "{target}"
        );
        assert_eq!(
            e["exe"].as_str(),
            Some(if target.contains("windows") {
                ".exe"
            } else {
                ""
            })
        );
        // A build that runs its binary runs on its own architecture (`-arm` runners are
        // aarch64, macOS runners are arm64, the rest x86_64).
        if e["run"].as_bool().unwrap() {
            let arm = os.ends_with("-arm") || os.starts_with("macos-");
            assert_eq!(target.starts_with("aarch64"), arm, "{target} runs on {os}");
        }
    }
    // Every build must succeed before anything publishes; one failed leg stops the others.
    assert_eq!(
        job(&doc, "wheels")["strategy"]["fail-fast"].as_bool(),
        Some(true)
    );
}

#[test]
fn publishing_needs_the_gates_and_each_job_holds_the_least_permissions() {
    let doc = workflow();
    assert_eq!(doc["on"]["push"]["tags"][0], "v*");
    assert!(doc["on"].get("workflow_dispatch").is_some(), "the dry run");
    assert_eq!(
        doc["permissions"],
        Value::Mapping(yaml_serde::Mapping::new())
    );
    let gates = steps(job(&doc, "gates"));
    assert!(
        gates
            .iter()
            .any(|s| s["run"].as_str() == Some("bash .ci/run"))
    );
    let perms = |name: &str| yaml_serde::to_string(&job(&doc, name)["permissions"]).unwrap();
    for name in ["gates", "check-tag", "wheels"] {
        assert_eq!(perms(name), "contents: read\n", "{name}");
    }
    assert_eq!(perms("publish-pypi"), "id-token: write\n");
    assert_eq!(perms("release"), "contents: write\n");
    for name in ["publish-pypi", "release"] {
        let j = job(&doc, name);
        let needs: BTreeSet<&str> = j["needs"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        assert_eq!(
            needs,
            ["check-tag", "gates", "wheels"].into_iter().collect(),
            "{name}"
        );
        // Never on the dry run; and no always()/failure() that would run it past a failed need.
        let cond = j["if"].as_str().unwrap();
        assert!(
            cond.contains("github.event_name == 'push'"),
            "{name}: {cond}"
        );
        assert!(cond.contains("github.ref_type == 'tag'"), "{name}: {cond}");
        for escape in ["always()", "failure()", "cancelled()"] {
            assert!(!cond.contains(escape), "{name}: {cond}");
        }
    }
    assert_eq!(job(&doc, "publish-pypi")["environment"]["name"], "pypi");
    let publish = step_script(&doc, "publish-pypi", "Publish to PyPI");
    assert!(publish.contains("uv==0.13.9"), "{publish}");
    assert!(
        publish.contains("uv\" publish --trusted-publishing always"),
        "{publish}"
    );
    assert!(
        publish.contains(&format!("-eq {}", matrix(&doc).len())),
        "every wheel: {publish}"
    );
}

#[test]
fn actions_are_the_pinned_ones_checkouts_keep_no_token_and_nothing_is_cached() {
    let doc = workflow();
    for (name, job) in doc["jobs"].as_mapping().unwrap() {
        for step in steps(job) {
            let Some(uses) = step["uses"].as_str() else {
                continue;
            };
            assert!(PINNED.contains(&uses), "{name:?} uses {uses}");
            // Cache poisoning: a cache any branch can write must not feed a release.
            assert!(!uses.starts_with("actions/cache@"), "{name:?} uses a cache");
            if uses.starts_with("actions/checkout@") {
                assert_eq!(
                    step["with"]["persist-credentials"].as_bool(),
                    Some(false),
                    "{name:?}"
                );
            }
        }
    }
}

#[test]
fn run_scripts_take_values_through_env_and_name_scripts_that_exist() {
    let doc = workflow();
    let scripts = all_scripts(&doc);
    assert!(scripts.len() >= 10, "{scripts:?}");
    let mut named = BTreeSet::new();
    for (job, step, run) in &scripts {
        // A `${{ }}` in a script is pasted into it before bash parses it: text becomes code.
        assert!(!run.contains("${{"), "{job} / {step}: {run}");
        for word in run.split(|c: char| c.is_whitespace() || "\"'();|&".contains(c)) {
            if word.starts_with("scripts/") || word.starts_with(".ci/") {
                named.insert(word.to_string());
            }
        }
    }
    assert_eq!(
        named,
        [
            ".ci/run",
            "scripts/release/check_tag.py",
            "scripts/release/package.py"
        ]
        .map(String::from)
        .into_iter()
        .collect()
    );
    for rel in &named {
        assert!(repo_root().join(rel).is_file(), "{rel} is missing");
    }
}
