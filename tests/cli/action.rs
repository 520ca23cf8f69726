//! The GitHub Action (action.yml) played as a runner plays a composite action: its inputs'
//! defaults, each step's `if:`, `env:` and `with:` evaluated from the contexts, each `run:` under
//! `bash --noprofile --norc -eo pipefail`, with the runner's GITHUB_OUTPUT/GITHUB_PATH/GITHUB_ENV
//! files, and `actions/cache` as a content-addressed store; the action's outputs are then read
//! back through its `outputs:` as GitHub does. The evaluator knows only the expression forms the
//! file uses (action/expr.rs): any other fails the test, so the file cannot drift from what is
//! played. The steps run in action/job.rs; the scenarios are in action/install.rs (the
//! installer), action/inputs.rs (its inputs) and action/check.rs (the check).

mod check;
mod expr;
mod inputs;
mod install;
mod job;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use yaml_serde::Value;

use crate::fixture::TestRepo;
use expr::Contexts;
use job::{Job, copy_dir};

/// The one action the composite runs besides its own scripts (the shared contract's pin).
const CACHE: &str = "actions/cache@5a3ec84eff668545956fd18022155c47e93e2684";

/// What playing the action did.
pub(crate) struct ActionRun {
    /// Whether every step that ran succeeded (the action's step in the caller's job passed).
    pub ok: bool,
    /// The action's outputs (`steps.ID.outputs.KEY` of the caller), each one evaluated from its
    /// `outputs.KEY.value`; a step that wrote nothing leaves the empty string, as on GitHub.
    pub outputs: HashMap<String, String>,
    /// Each step's name, then what it printed, or why it was skipped.
    pub log: String,
    /// The directories the action added to PATH (GITHUB_PATH), newest first: a caller's later
    /// steps find the installed `registry` there.
    pub path: Vec<PathBuf>,
}

/// The runner a play runs on.
pub(crate) struct Runner {
    /// `RUNNER_OS` and `RUNNER_ARCH` (`Linux`/`X64`, `Windows`/`X64`, …).
    pub os: String,
    pub arch: String,
    /// `RUNNER_TOOL_CACHE`: a fresh directory is a fresh hosted runner.
    pub tool_cache: PathBuf,
    /// Where `actions/cache` keeps what it saved, one directory per key, across plays.
    pub cache_store: PathBuf,
    /// `GITHUB_ACTION_REPOSITORY`, which some runners leave empty for composite actions.
    pub action_repository: String,
    /// `RUNNER_TEMP`: the job's temporary directory, where the action unpacks registry; it
    /// outlives the play, as it outlives the action's step in a job.
    pub temp: PathBuf,
}

impl Runner {
    /// A Linux X64 runner (the `HOST` archive's) with a fresh tool cache and cache store in `dir`.
    pub(crate) fn linux(dir: &Path) -> Runner {
        Runner {
            os: "Linux".into(),
            arch: "X64".into(),
            tool_cache: dir.join("toolcache"),
            cache_store: dir.join("cache-store"),
            action_repository: "YOUR-ORG/registry".into(),
            // A backslash, as in a Windows runner's `D:\a\_temp`: tools must not trip on one.
            temp: dir.join(r"runner\temp"),
        }
    }
}

/// Plays action.yml as `uses: YOUR-ORG/registry@v1` in a job on a Linux X64 runner, in
/// `workdir` (the job's checkout of `repo`; `repo`'s hermetic environment is the job's).
///
/// - `release_url`: the `releases` URL of a `crate::fixture::fake_release` (made with
///   `registry_bin()` for the check to run the real binary), `file://…` or a `serve_dir` URL;
///   it is the input `release-url`, replacing any in `with`: a play never downloads from GitHub.
/// - `with`: the step's other inputs (`ref`, `policy`, `version`, …); one the action does not
///   declare fails the test, as GitHub warns.
/// - `github`: the `github` context as dotted paths, e.g. `("ref", "refs/tags/churn@v0.0.1")`
///   and `("event.repository.default_branch", "main")` (the defaults of `ref` and `policy-ref`
///   read them); a top-level key is also the runner's `GITHUB_<KEY>` variable. A context value
///   the action reads but `github` lacks fails the test.
///
/// The runner's tool cache is fresh and `actions/cache` misses, as on a first hosted run. The
/// caller's later steps find `registry` in [`ActionRun::path`], and read [`ActionRun::outputs`]
/// as `steps.<id>.outputs.<key>`.
pub(crate) fn play_action(
    repo: &TestRepo,
    workdir: &Path,
    release_url: &str,
    with: &[(&str, &str)],
    github: &[(&str, &str)],
) -> ActionRun {
    // In the fixture's HOME, so what the action unpacked outlives the play for the caller's
    // later steps (removed with the repository).
    let dir = tempfile::tempdir_in(repo.home()).unwrap().keep();
    // The fake release, whatever the caller's `with` says (a play never downloads from GitHub).
    let inputs: Vec<(&str, &str)> = std::iter::once(("release-url", release_url))
        .chain(with.iter().copied().filter(|(k, _)| *k != "release-url"))
        .collect();
    play(repo, workdir, &Runner::linux(&dir), &inputs, github)
}

/// action.yml, as a runner downloads it: the repository's files at `_actions/OWNER/REPO/REF`.
fn unpack_action(runner_dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let action = runner_dir.join("_actions/YOUR-ORG/registry/v1");
    std::fs::create_dir_all(action.join("scripts/action")).unwrap();
    for file in ["action.yml", "scripts/action/install.sh"] {
        std::fs::copy(root.join(file), action.join(file)).unwrap();
    }
    action
}

fn text_of(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("action.yml: expected a string, found {v:?}"))
}

/// [`play_action`] on any runner.
pub(crate) fn play(
    repo: &TestRepo,
    workdir: &Path,
    runner: &Runner,
    with: &[(&str, &str)],
    github: &[(&str, &str)],
) -> ActionRun {
    let scratch = tempfile::tempdir().unwrap();
    let action_path = unpack_action(scratch.path());
    let doc: Value =
        yaml_serde::from_str(&std::fs::read_to_string(action_path.join("action.yml")).unwrap())
            .unwrap();
    assert_eq!(doc["runs"]["using"], "composite");
    let temp = runner.temp.clone();
    std::fs::create_dir_all(&temp).unwrap();
    std::fs::create_dir_all(&runner.tool_cache).unwrap();
    let mut cx = Contexts {
        inputs: inputs(&doc, with),
        github: github
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect(),
        runner: [
            ("os", runner.os.clone()),
            ("arch", runner.arch.clone()),
            ("temp", path_text(&temp)),
            ("tool_cache", path_text(&runner.tool_cache)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
        steps: HashMap::new(),
    };
    let mut env: Vec<(String, String)> = vec![
        ("CI".into(), "true".into()),
        ("GITHUB_ACTIONS".into(), "true".into()),
        ("GITHUB_ACTION_PATH".into(), path_text(&action_path)),
        (
            "GITHUB_ACTION_REPOSITORY".into(),
            runner.action_repository.clone(),
        ),
        ("GITHUB_WORKSPACE".into(), path_text(workdir)),
        ("RUNNER_OS".into(), runner.os.clone()),
        ("RUNNER_ARCH".into(), runner.arch.clone()),
        ("RUNNER_TEMP".into(), path_text(&temp)),
        ("RUNNER_TOOL_CACHE".into(), path_text(&runner.tool_cache)),
    ];
    for (k, v) in github.iter().filter(|(k, _)| !k.contains('.')) {
        env.push((format!("GITHUB_{}", k.to_uppercase()), (*v).to_string()));
    }
    let mut job = Job {
        env,
        path: Vec::new(),
        saves: Vec::new(),
        log: String::new(),
    };
    let steps = doc["runs"]["steps"].as_sequence().unwrap();
    let mut ok = true;
    for (n, step) in steps.iter().enumerate() {
        let name = step["name"].as_str().unwrap_or("(unnamed)").to_string();
        for key in step.as_mapping().unwrap().keys() {
            let known = ["name", "id", "if", "shell", "env", "run", "uses", "with"];
            assert!(
                known.contains(&text_of(key)),
                "action.yml: step key {key:?} is not played"
            );
        }
        job.log.push_str(&format!("▶ {name}\n"));
        if !ok {
            job.log.push_str("  (skipped: an earlier step failed)\n");
            continue;
        }
        if let Some(cond) = step["if"].as_str()
            && !cx.condition(cond)
        {
            job.log.push_str(&format!("  (skipped: if {cond})\n"));
            continue;
        }
        let (passed, outputs) = if step["run"].is_string() {
            let dir = scratch.path().join(format!("step{n}"));
            job.run(&cx, step, workdir, &dir, repo)
        } else {
            assert_eq!(
                text_of(&step["uses"]),
                CACHE,
                "action.yml: only {CACHE} is played"
            );
            (true, job.cache(&cx, step, runner))
        };
        // What a failed step wrote is still its outputs, as on GitHub.
        if let Some(id) = step["id"].as_str() {
            cx.steps.insert(id.to_string(), outputs);
        }
        ok &= passed;
    }
    // actions/cache saves in its post step, when the job succeeded and the key missed.
    if ok {
        for (path, key) in job.saves {
            let saved = runner.cache_store.join(&key);
            if path.is_dir() && !saved.exists() {
                std::fs::create_dir_all(&runner.cache_store).unwrap();
                copy_dir(&path, &saved);
            }
        }
    }
    let outputs = doc["outputs"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| (text_of(k).to_string(), cx.interpolate(text_of(&v["value"]))))
        .collect();
    ActionRun {
        ok,
        outputs,
        log: job.log,
        path: job.path.iter().map(PathBuf::from).collect(),
    }
}

/// The inputs: `with`, else each declared input's default (evaluated: `${{ github.ref }}`).
/// An input the action does not declare fails the test, as it warns on GitHub.
fn inputs(doc: &Value, with: &[(&str, &str)]) -> HashMap<String, expr::Input> {
    let declared = doc["inputs"].as_mapping().unwrap();
    for (k, _) in with {
        assert!(
            declared.contains_key(*k),
            "action.yml declares no input {k:?}"
        );
    }
    declared
        .iter()
        .map(|(k, v)| {
            let given = with.iter().find(|(w, _)| w == &text_of(k)).map(|(_, v)| *v);
            let input = match given {
                Some(value) => expr::Input::Given(value.to_string()),
                None => expr::Input::Default(text_of(&v["default"]).to_string()),
            };
            (text_of(k).to_string(), input)
        })
        .collect()
}

/// A path as the runner's variables hold it.
fn path_text(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

#[test]
fn the_action_pastes_no_expression_into_a_script_and_pins_what_it_uses() {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).unwrap();
    let doc: Value = yaml_serde::from_str(&text).unwrap();
    for step in doc["runs"]["steps"].as_sequence().unwrap() {
        if let Some(script) = step["run"].as_str() {
            // Inputs and outputs reach scripts through `env:` only (zizmor: template-injection).
            assert!(
                !script.contains("${{"),
                "an expression inside run: {script}"
            );
        } else {
            assert_eq!(text_of(&step["uses"]), CACHE);
        }
    }
    // The seven outputs of check-ref, and where registry was installed.
    let outputs: Vec<&str> = doc["outputs"]
        .as_mapping()
        .unwrap()
        .keys()
        .map(text_of)
        .collect();
    assert_eq!(
        outputs,
        crate::check_ref_format::KEYS
            .iter()
            .copied()
            .chain(["registry-path"])
            .collect::<Vec<_>>()
    );
}
