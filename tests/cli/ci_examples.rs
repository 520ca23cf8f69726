//! The CI examples cannot rot (SPEC §6): `examples/github-actions/registry.yml` and
//! `examples/gitlab-ci/.gitlab-ci.yml` are parsed as YAML with what they use (the action at the
//! repository's root, the component in templates/), every `registry …` line in their scripts and
//! commented fallbacks goes through the real clap parser, the structure they rely on is
//! asserted, and then they are played: the check step (the action, or the component's job)
//! installs registry from a fake release and runs against a repository, and the jobs'
//! conditions are evaluated on what it wrote, for a registration, an assignment to prod, an
//! assignment to staging and a tag that is not a registry tag. When the check fails, the jobs
//! that need it do not run: that is the gate, played in `ci_examples/gate.rs`.

mod checkout;
mod deploy;
mod files;
mod gate;
mod metrics;
mod structure;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use yaml_serde::Value;

use crate::action::{self, ActionRun, Runner};
use crate::check_ref_format::{KEYS, parse_dotenv};
use crate::docs::parses;
use crate::fixture::{TestRepo, registry_bin};
use crate::gitlab_component::{play_job, release_url};
use crate::reads::{ok, tag};
use files::{fallback, github_workflow, gitlab_pipeline};

const GITHUB: &str = "examples/github-actions/registry.yml";
const GITLAB: &str = "examples/gitlab-ci/.gitlab-ci.yml";

fn text(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

fn load(rel: &str) -> Value {
    yaml_serde::from_str(&text(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn s(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, found {v:?}"))
}

/// Every shell script in the file: `run:` values (GitHub) and the entries of `script:`,
/// `before_script:` and `after_script:` (GitLab), wherever they are.
fn scripts(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match v {
        Value::Mapping(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    (Some("run"), Value::String(s)) => out.push(s.clone()),
                    (Some("script" | "before_script" | "after_script"), Value::Sequence(seq)) => {
                        out.extend(seq.iter().map(|e| s(e).to_string()));
                    }
                    _ => out.extend(scripts(v)),
                }
            }
        }
        Value::Sequence(seq) => seq.iter().for_each(|e| out.extend(scripts(e))),
        _ => {}
    }
    out
}

/// The `registry …` command lines of the scripts.
fn registry_lines(doc: &Value) -> Vec<String> {
    scripts(doc)
        .iter()
        .flat_map(|s| {
            s.lines()
                .map(str::trim)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|l| l.starts_with("registry "))
        .collect()
}

#[test]
fn every_registry_line_of_the_examples_parses() {
    // The examples as their CI reads them (with what they include), and their fallbacks.
    let gitlab = gitlab_pipeline();
    let github = github_workflow();
    for (file, doc, format) in [
        (GITHUB, &github, "--format github"),
        (GITLAB, &gitlab, "--format gitlab"),
        (GITHUB, &fallback(GITHUB), "--format github"),
        (GITLAB, &fallback(GITLAB), "--format gitlab"),
    ] {
        let lines = registry_lines(doc);
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("registry check-ref ") && l.contains(format)),
            "{file}: no `registry check-ref … {format}` in {lines:?}"
        );
        // An artifact name from check-ref's outputs is parsed as a name: give it one, as CI does.
        let errors: Vec<String> = lines
            .iter()
            .map(|l| {
                l.replace("$REGISTRY_NAME", "churn")
                    .replace("$NAME", "churn")
            })
            // clap's own flag, which the installers run to show what they installed: it
            // prints the version, and clap reports that as an early exit.
            .filter(|l| l != "registry --version")
            .filter_map(|l| parses(&l).err())
            .collect();
        assert!(errors.is_empty(), "{file}:\n{}", errors.join("\n"));
    }
    // The fallbacks install from source, pinned to a release tag.
    for file in [GITHUB, GITLAB] {
        let installs: Vec<String> = scripts(&fallback(file))
            .into_iter()
            .flat_map(|s| {
                s.lines()
                    .map(str::trim)
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .filter(|l| l.starts_with("cargo install "))
            .collect();
        assert!(
            installs
                .iter()
                .any(|l| l.starts_with("cargo install --locked --git ") && l.contains(" --tag v")),
            "{file}: {installs:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Playing the examples

/// `churn` declared in artifacts.yaml; v0.0.1 registered, promoted to staging then prod; and a
/// tag that is not a registry tag. Returns the repository and the four tags.
fn scene() -> (TestRepo, [String; 4]) {
    let repo = TestRepo::new();
    repo.write("models/churn.pkl", "weights\n");
    repo.write(
        "artifacts.yaml",
        "churn:\n  type: model\n  path: models/churn.pkl\n  description: Churn model\n",
    );
    repo.commit("first");
    ok(&repo, &["register", "churn"]);
    ok(&repo, &["promote", "churn", "staging"]);
    ok(&repo, &["promote", "churn", "prod"]);
    tag(&repo, "v1.2.3", "HEAD");
    // As a CI job sees it: HEAD detached at the pushed tag's commit, the default branch
    // fetched as origin's (what the examples' fetches leave), and the policy on it.
    repo.write(".registry.yaml", "promotion_order: [staging, prod]\n");
    repo.commit("policy");
    repo.git(&["update-ref", "refs/remotes/origin/main", "main"]);
    repo.git(&["checkout", "-q", "--detach", "churn@v0.0.1"]);
    let tags = repo.git(&["tag", "-l"]);
    let find = |prefix: &str| {
        tags.lines()
            .find(|t| t.starts_with(prefix))
            .unwrap_or_else(|| panic!("no tag {prefix}… in {tags}"))
            .to_string()
    };
    let names = [
        find("churn@v0.0.1"),
        find("churn#staging"),
        find("churn#prod"),
        "v1.2.3".to_string(),
    ];
    (repo, names)
}

/// `program OPTIONS -c SCRIPT` in `dir` (a checkout of the repository), with the `registry` under
/// test first on PATH.
fn shell_in(repo: &TestRepo, dir: &Path, program: &str, options: &[&str], script: &str) -> Command {
    let bin_dir = registry_bin().parent().unwrap().to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let mut cmd = repo.command(Path::new(program), dir);
    cmd.env("PATH", path).args(options).arg("-c").arg(script);
    cmd
}

#[track_caller]
fn run_ok(mut cmd: Command) -> String {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

// --- GitHub Actions ---------------------------------------------------------------------------

/// `success() && a == 'b' && c == 'd'`, the only forms the example's conditions use, evaluated
/// as GitHub does: `success()` holds when every job in `needs` succeeded, a missing output is
/// the empty string, and string comparison ignores case.
fn github_if(expr: &str, needs_passed: bool, outputs: &HashMap<String, String>) -> bool {
    expr.split("&&").all(|clause| {
        if clause.trim() == "success()" {
            return needs_passed;
        }
        let (lhs, rhs) = clause
            .split_once("==")
            .unwrap_or_else(|| panic!("only `==` conditions are understood: {expr}"));
        let key = lhs
            .trim()
            .strip_prefix("needs.registry.outputs.")
            .unwrap_or_else(|| panic!("only needs.registry.outputs.KEY is understood: {expr}"));
        let want = rhs
            .trim()
            .strip_prefix('\'')
            .and_then(|r| r.strip_suffix('\''))
            .unwrap_or_else(|| panic!("only quoted strings are understood: {expr}"));
        outputs
            .get(key)
            .map_or("", String::as_str)
            .eq_ignore_ascii_case(want)
    })
}

/// What playing a pipeline for one tag push did.
struct Played {
    /// The check step's exit code, and what it printed.
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// Whether stdout and stderr are one log (GitLab's job log), not kept apart.
    interleaved: bool,
    /// Whether it left any output for later jobs (GitHub's outputs file, GitLab's report).
    wrote: bool,
    /// The later jobs that ran: GitHub's whose `if:` held, GitLab's that went past their guard.
    jobs: Vec<String>,
}

impl Played {
    /// The jobs, after checking that the check step passed.
    #[track_caller]
    fn passed(self) -> Vec<String> {
        assert_eq!(self.code, Some(0), "{}{}", self.stdout, self.stderr);
        self.jobs
    }
}

/// The example's `uses: YOUR-ORG/registry@…` step (the action at the repository's root),
/// played as a Linux runner plays it for a push of `tag` in `workdir`, the runner's tool cache
/// and cache store in `runner_dir`: the step's `with:`, its placeholder release pointed at the
/// test's fake release (v1.2.3), the default branch `main`.
pub(super) fn play_registry_action(
    repo: &TestRepo,
    workdir: &Path,
    step: &Value,
    tag: &str,
    runner_dir: &Path,
) -> ActionRun {
    let uses = s(&step["uses"]);
    assert!(uses.starts_with("YOUR-ORG/registry@"), "{uses}");
    let mut with: Vec<(String, String)> = step["with"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let value = match (s(k), v) {
                ("version", _) => "v1.2.3".to_string(),
                (_, Value::Bool(b)) => b.to_string(),
                (_, v) => s(v).to_string(),
            };
            (s(k).to_string(), value)
        })
        .collect();
    with.push(("release-url".into(), release_url().to_string()));
    let with: Vec<(&str, &str)> = with.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let github_ref = format!("refs/tags/{tag}");
    let github = [
        ("ref", github_ref.as_str()),
        ("event.repository.default_branch", "main"),
    ];
    action::play(repo, workdir, &Runner::linux(runner_dir), &with, &github)
}

/// Plays the check job's action step for a push of `tag` in the scene's repository (whose
/// `origin/main` is the default branch), then decides each job's `if:` on the job's outputs;
/// when the step fails, so does its job, and every job that needs it is skipped. The action's
/// log interleaves stdout and stderr: `stdout` and `stderr` both hold it.
fn github_play(doc: &Value, repo: &TestRepo, tag: &str) -> Played {
    let steps = doc["jobs"]["registry"]["steps"].as_sequence().unwrap();
    let step = steps.iter().find(|st| st["id"] == "check").unwrap();
    let runner = tempfile::tempdir().unwrap();
    let run = play_registry_action(repo, &repo.path(), step, tag, runner.path());
    let passed = run.ok;
    let wrote = KEYS
        .iter()
        .any(|k| run.outputs.get(*k).is_some_and(|v| !v.is_empty()));
    // The job's outputs, through its `steps.check.outputs.KEY` mapping.
    let job_outputs: HashMap<String, String> = doc["jobs"]["registry"]["outputs"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let key = s(v)
                .trim_start_matches("${{ steps.check.outputs.")
                .trim_end_matches(" }}");
            let value = run.outputs.get(key).cloned().unwrap_or_default();
            (s(k).to_string(), value)
        })
        .collect();
    let jobs = doc["jobs"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, job)| {
            // Every later job needs the check job (the structure test pins it), so a failed
            // check skips it: its `if` calls no always()/failure()/cancelled() to override that.
            (passed || job["needs"].is_null())
                && job["if"]
                    .as_str()
                    .is_some_and(|e| github_if(e, passed, &job_outputs))
        })
        .map(|(name, _)| s(name).to_string())
        .collect();
    Played {
        code: Some(i32::from(!passed)),
        stdout: run.log.clone(),
        stderr: run.log,
        interleaved: true,
        wrote,
        jobs,
    }
}

#[test]
fn github_workflow_runs_the_right_jobs() {
    let doc = load(GITHUB);
    let (repo, [registration, staging, prod, other]) = scene();
    let jobs = |tag: &str| github_play(&doc, &repo, tag).passed();
    assert_eq!(jobs(&registration), ["build"]);
    assert_eq!(jobs(&prod), ["deploy"]);
    assert!(jobs(&staging).is_empty());
    assert!(jobs(&other).is_empty());
}

// --- GitLab CI --------------------------------------------------------------------------------

/// The `/regex/` of a `$CI_COMMIT_TAG =~ /regex/` rule.
fn tag_rule(job: &Value) -> Option<String> {
    let rule = job["rules"][0]["if"].as_str()?;
    let re = rule
        .strip_prefix("$CI_COMMIT_TAG =~ /")?
        .strip_suffix('/')?;
    Some(re.to_string())
}

/// Whether `tag` matches a rule's regex. GitLab's RE2 and POSIX ERE read these simple patterns
/// alike, so `grep -E` decides.
fn matches(re: &str, tag: &str) -> bool {
    Command::new("grep")
        .args(["-Eq", re])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(format!("{tag}\n").as_bytes())?;
            child.wait()
        })
        .unwrap()
        .success()
}

/// Plays the pipeline for a push of `tag` in a checkout made as the runner makes it: the check
/// job as GitLab resolves it (the component's install from the fake release, its fetches, its
/// check-ref), then, if it passed, each later job that its rules create, with the report's
/// variables (jobs that need a failed job do not run). A job's log interleaves stdout and
/// stderr, as GitLab's does: `stdout` and `stderr` both hold it.
fn gitlab_play(doc: &Value, repo: &TestRepo, tag: &str) -> Played {
    let url = checkout::serve(repo);
    let dir = checkout::gitlab_checkout(repo, doc, &url, tag);
    let env = [("CI_COMMIT_TAG", tag), ("CI_DEFAULT_BRANCH", "main")];
    let (passed, log) = play_job(&doc["check-ref"], repo, &dir, &env);
    let report = dir.join("registry.env");
    let mut played = Played {
        code: Some(i32::from(!passed)),
        stdout: log.clone(),
        stderr: log,
        interleaved: true,
        wrote: report.exists(),
        jobs: Vec::new(),
    };
    if !passed {
        return played;
    }
    let variables = parse_dotenv(&std::fs::read_to_string(&report).unwrap());
    for job in ["build", "deploy"] {
        if tag_rule(&doc[job]).is_some_and(|re| !matches(&re, tag)) {
            continue; // no such job in this pipeline
        }
        let mut job_def = doc[job].clone();
        let script = job_def["script"].as_sequence_mut().unwrap();
        script.push(Value::String("echo __WENT_ON__".into()));
        let mut env: Vec<(&str, &str)> = env.to_vec();
        env.extend(variables.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let (ok, log) = play_job(&job_def, repo, &dir, &env);
        assert!(ok, "{job} failed:\n{log}");
        if log.contains("__WENT_ON__") {
            played.jobs.push(job.to_string());
        }
    }
    played
}

#[test]
fn gitlab_pipeline_runs_the_right_jobs() {
    let doc = gitlab_pipeline();
    let (repo, [registration, staging, prod, other]) = scene();
    let jobs = |tag: &str| gitlab_play(&doc, &repo, tag).passed();
    assert_eq!(jobs(&registration), ["build"]);
    assert_eq!(jobs(&prod), ["deploy"]);
    assert!(jobs(&staging).is_empty());
    assert!(jobs(&other).is_empty());
}
