//! The GitLab CI/CD component (templates/check-ref.yml) as GitLab reads it: its two documents
//! (the `spec:` header, then the jobs), `$[[ inputs.X ]]` interpolated as GitLab does (defaults,
//! given values checked against their type, `options:` and `regex:`), `extends:` merged, and a
//! job's `before_script` + `script` played in `sh -e`. Its tests: the shape and the refused
//! inputs in gitlab_component/structure.rs, GitLab's schema in schema.rs, the played jobs in
//! play.rs and hostile.rs (their world in runner.rs). `ci_examples` plays the example pipeline with
//! [`component_jobs`], [`resolve_job`] and [`play_job`].

mod hostile;
mod play;
mod runner;
mod schema;
mod structure;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use yaml_serde::{Mapping, Value};

use crate::fixture::TestRepo;

/// The component's file, from the repository root.
pub(crate) const COMPONENT: &str = "templates/check-ref.yml";

/// The component's text.
pub(crate) fn component_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(COMPONENT)).unwrap()
}

/// The YAML documents of `text`, in order (GitLab's header is the first of two).
fn documents(text: &str) -> Result<Vec<Value>, String> {
    yaml_serde::Deserializer::from_str(text)
        .map(|doc| Value::deserialize(doc).map_err(|e| e.to_string()))
        .collect()
}

/// One input of the header, as GitLab's `spec:inputs:` declares it.
struct Input {
    kind: String,
    default: Option<Value>,
    options: Option<Vec<Value>>,
    regex: Option<regex::Regex>,
}

/// The header's inputs. Only the keys GitLab knows are allowed (GitLab's schema does not reject
/// others, so a typo such as `defualt:` would silently make an input required).
fn inputs(header: &Value) -> Result<BTreeMap<String, Input>, String> {
    let spec = header
        .as_mapping()
        .filter(|m| m.len() == 1)
        .and_then(|m| m.get("spec"))
        .ok_or("the first document must be exactly `spec:`")?;
    let mut out = BTreeMap::new();
    for (name, decl) in spec["inputs"].as_mapping().ok_or("spec has no inputs")? {
        let name = name.as_str().ok_or("an input name is not a string")?;
        let decl = decl
            .as_mapping()
            .ok_or(format!("input {name}: not a mapping"))?;
        for key in decl.keys() {
            let key = key.as_str().unwrap_or("?");
            if !["type", "description", "default", "options", "regex"].contains(&key) {
                return Err(format!("input {name}: unknown key {key:?}"));
            }
        }
        let kind = decl.get("type").and_then(Value::as_str).unwrap_or("string");
        if !["string", "boolean"].contains(&kind) {
            return Err(format!(
                "input {name}: type {kind:?} is not one this test knows"
            ));
        }
        if decl.get("description").and_then(Value::as_str).is_none() {
            return Err(format!("input {name}: no description"));
        }
        let regex = match decl.get("regex") {
            None => None,
            Some(_) if kind != "string" => {
                return Err(format!("input {name}: regex is for strings only"));
            }
            Some(r) => Some(
                regex::Regex::new(r.as_str().ok_or(format!("input {name}: regex"))?)
                    .map_err(|e| format!("input {name}: {e}"))?,
            ),
        };
        let options = decl
            .get("options")
            .map(|o| {
                o.as_sequence()
                    .cloned()
                    .ok_or(format!("input {name}: options"))
            })
            .transpose()?;
        let input = Input {
            kind: kind.to_string(),
            default: decl.get("default").cloned(),
            options,
            regex,
        };
        out.insert(name.to_string(), input);
    }
    Ok(out)
}

/// The value of every input: the given one (a string, as a caller writes it in `include:
/// inputs:`; a boolean must be `true` or `false`), else the default. Each is checked as GitLab
/// checks it when the pipeline is created: its type, `options:`, and `regex:` (unanchored, as
/// GitLab matches it; the component anchors its own).
fn values(
    declared: &BTreeMap<String, Input>,
    given: &[(&str, &str)],
) -> Result<BTreeMap<String, Value>, String> {
    for (name, _) in given {
        if !declared.contains_key(*name) {
            return Err(format!("unknown input {name:?}"));
        }
    }
    let mut out = BTreeMap::new();
    for (name, input) in declared {
        let value = match given.iter().find(|(n, _)| n == name) {
            Some((_, v)) if input.kind == "boolean" => match *v {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => return Err(format!("input {name}: {v:?} is not a boolean")),
            },
            Some((_, v)) => Value::String((*v).to_string()),
            None => input
                .default
                .clone()
                .ok_or(format!("input {name} is required"))?,
        };
        match (&value, input.kind.as_str()) {
            (Value::Bool(_), "boolean") => {}
            (Value::String(s), "string") => {
                if input.regex.as_ref().is_some_and(|r| !r.is_match(s)) {
                    return Err(format!("input {name}: {s:?} does not match its regex"));
                }
            }
            _ => return Err(format!("input {name}: {value:?} is not a {}", input.kind)),
        }
        if input.options.as_ref().is_some_and(|o| !o.contains(&value)) {
            return Err(format!("input {name}: {value:?} is not one of its options"));
        }
        out.insert(name.clone(), value);
    }
    Ok(out)
}

/// `$[[ inputs.X ]]` replaced everywhere in `v`, as GitLab does: a string that is one whole
/// interpolation block becomes the input's value with its type; a block inside a longer string
/// is replaced by the value's text. Any other `$[[ ... ]]` form (functions such as
/// `expand_vars`, `component.*` context), an unknown input, or a block in a key is an error.
fn interpolate(v: &Value, values: &BTreeMap<String, Value>) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => interpolate_str(s, values)?,
        Value::Sequence(seq) => Value::Sequence(
            seq.iter()
                .map(|e| interpolate(e, values))
                .collect::<Result<_, _>>()?,
        ),
        Value::Mapping(m) => {
            let mut out = Mapping::new();
            for (k, v) in m {
                if k.as_str().is_some_and(|k| k.contains("$[[")) {
                    return Err(format!("interpolation in a key: {k:?}"));
                }
                out.insert(k.clone(), interpolate(v, values)?);
            }
            Value::Mapping(out)
        }
        other => other.clone(),
    })
}

fn interpolate_str(s: &str, values: &BTreeMap<String, Value>) -> Result<Value, String> {
    let block = regex::Regex::new(r"\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]").unwrap();
    let value_of = |name: &str| {
        values
            .get(name)
            .ok_or(format!("unknown input {name:?} in {s:?}"))
    };
    if let Some(c) = block.captures(s)
        && c.get(0).unwrap().as_str() == s
    {
        return value_of(&c[1]).cloned();
    }
    let mut out = String::new();
    let mut rest = 0;
    for c in block.captures_iter(s) {
        let whole = c.get(0).unwrap();
        out.push_str(&s[rest..whole.start()]);
        match value_of(&c[1])? {
            Value::String(v) => out.push_str(v),
            Value::Bool(b) => out.push_str(&b.to_string()),
            other => return Err(format!("cannot put {other:?} in a string")),
        }
        rest = whole.end();
    }
    out.push_str(&s[rest..]);
    if out.contains("$[[") {
        return Err(format!(
            "an interpolation form this test does not know in {s:?}"
        ));
    }
    Ok(Value::String(out))
}

/// The header and the jobs document of a component `text`, interpolated with `given`.
fn interpolated(text: &str, given: &[(&str, &str)]) -> Result<(Value, Value), String> {
    let docs = documents(text)?;
    let [header, jobs]: [Value; 2] = docs
        .try_into()
        .map_err(|d: Vec<Value>| format!("{} documents, not 2", d.len()))?;
    let values = values(&inputs(&header)?, given)?;
    let jobs = interpolate(&jobs, &values)?;
    Ok((header, jobs))
}

/// The URL (`http://127.0.0.1:PORT/releases`) of a fake release v1.2.3 (also `latest`), packed
/// once per test process with the real binary for x86_64 Linux: the `release_url` input for a
/// played job.
pub(crate) fn release_url() -> &'static str {
    runner::release().1.as_str()
}

/// The component's jobs document, interpolated with `inputs` (name, value as written in
/// `include: inputs:`; the rest take their defaults). Panics on an input GitLab would refuse.
pub(crate) fn component_jobs(inputs: &[(&str, &str)]) -> Value {
    interpolated(&component_text(), inputs)
        .unwrap_or_else(|e| panic!("{COMPONENT}: {e}"))
        .1
}

/// Job `name` with its `extends:` merged in, as GitLab merges them: hashes deeply, anything else
/// (scripts, rules) replaced by the extending job's. `docs` are the configuration's documents
/// (a pipeline's own and the jobs of the components it includes); a job in a later one
/// overrides one of the same name in an earlier one.
pub(crate) fn resolve_job(docs: &[&Value], name: &str) -> Value {
    let job = docs
        .iter()
        .rev()
        .find_map(|d| d.get(name))
        .unwrap_or_else(|| panic!("no job {name:?}"))
        .clone();
    let parents = match job.get("extends") {
        None => Vec::new(),
        Some(Value::String(p)) => vec![p.clone()],
        Some(Value::Sequence(ps)) => ps.iter().map(|p| p.as_str().unwrap().to_string()).collect(),
        Some(other) => panic!("{name}: extends {other:?}"),
    };
    let mut merged = Value::Mapping(Mapping::new());
    for parent in parents {
        merge(&mut merged, resolve_job(docs, &parent));
    }
    merge(&mut merged, job);
    merged.as_mapping_mut().unwrap().remove("extends");
    merged
}

fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Mapping(b), Value::Mapping(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (base, over) => *base = over,
    }
}

/// Runs a resolved `job`'s `before_script` then `script` in one `sh -e`, as a GitLab runner does
/// (one shell, so what before_script exports, script sees), in `dir`, with the fixture's
/// hermetic environment plus `env` (the CI_* variables GitLab sets; a `PATH` given here replaces
/// the default) and the job's `variables:` on top, each with its `$NAME` / `${NAME}` references
/// expanded as GitLab expands them (an unknown one panics: the test names every variable). By
/// default PATH is the test process's without any directory holding a `registry`, so the job
/// must install its own, and TMPDIR is a fresh directory in the fixture's HOME. Returns whether
/// the script succeeded and its stdout and stderr, interleaved.
pub(crate) fn play_job(
    job: &Value,
    repo: &TestRepo,
    dir: &Path,
    env: &[(&str, &str)],
) -> (bool, String) {
    let mut vars: Vec<(String, String)> = vec![
        ("PATH".into(), path_without_registry()),
        ("TMPDIR".into(), temp_dir(repo).display().to_string()),
    ];
    for (k, v) in env {
        set(&mut vars, k, v);
    }
    if let Some(m) = job.get("variables").and_then(Value::as_mapping) {
        for (k, v) in m {
            let k = k.as_str().unwrap();
            let v = match v {
                Value::String(s) => expand(s, &vars),
                Value::Number(n) => n.to_string(),
                other => panic!("variable {k}: GitLab wants a string, not {other:?}"),
            };
            set(&mut vars, k, &v);
        }
    }
    let mut script = String::from("exec 2>&1\n");
    for part in ["before_script", "script"] {
        for line in job
            .get(part)
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            script.push_str(line.as_str().unwrap());
            script.push('\n');
        }
    }
    let out = repo
        .command(Path::new("sh"), dir)
        .envs(vars)
        .args(["-e", "-c", &script])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (
        out.status.success(),
        text + &String::from_utf8_lossy(&out.stderr),
    )
}

fn set(vars: &mut Vec<(String, String)>, k: &str, v: &str) {
    vars.retain(|(n, _)| n != k);
    vars.push((k.to_string(), v.to_string()));
}

/// `$NAME` and `${NAME}` in a variable's value replaced by the variables known so far.
fn expand(s: &str, vars: &[(String, String)]) -> String {
    let reference =
        regex::Regex::new(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))").unwrap();
    let out = reference.replace_all(s, |c: &regex::Captures| {
        let name = c.get(1).or_else(|| c.get(2)).unwrap().as_str();
        vars.iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{s:?} names ${name}, which the test did not set"))
            .1
            .clone()
    });
    out.into_owned()
}

/// The test process's PATH less every directory holding a `registry` (cargo's target dir may
/// be on it), so only the registry a job installs can answer.
pub(crate) fn path_without_registry() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|d| !d.join("registry").exists())
        .collect();
    std::env::join_paths(dirs).unwrap().into_string().unwrap()
}

/// A fresh, empty directory for one job's temporary files.
fn temp_dir(repo: &TestRepo) -> PathBuf {
    let root = repo.home().join("job-tmp");
    std::fs::create_dir_all(&root).unwrap();
    tempfile::tempdir_in(root).unwrap().keep()
}
