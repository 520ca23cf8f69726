//! Interop with the real Python GTO 1.10.1: the same repository read by both tools must give
//! the same registry (SPEC §2–3, reference §3–6).
//!
//! (a) `registry` writes a history, GTO and `registry` read it;
//! (b) GTO writes the same kind of history, GTO and `registry` read it;
//! (c) in `interop_signed.rs`: git writes a signed history, both read it (`compare_reads` with
//! `full`, which adds `history --json` and every key GTO prints of `check-ref --json`).
//!
//! Compared: `show --json` (latest version, stage map, `active`, `registered` of every artifact,
//! with and without `-d`), `show NAME --json` (the list of versions: name, `is_active`, stage
//! names; with and without `-d`), and `check-ref TAG --json` (event, artifact, version, stage) for
//! every tag in the repository.
//!
//! GTO is found through `REGISTRY_GTO` (path to the executable), else `gto` on PATH. Without it the
//! tests print `SKIPPED interop: …` and pass, unless `REGISTRY_REQUIRE_GTO=1` (CI), where they
//! fail.
//!
//! Deliberate differences left out of the shared history (reference §14): `--av` (B4), `--ro`
//! (B9), auto-bump after a deregistration (B10), unassigning a stage not held (B6), the
//! `enrichments` of `show NAME`. GTO's duplicate row for an unregistered commit that carries an
//! assignment (B7) is folded before comparing, see `version_rows`.

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::fixture::TestRepo;

pub(crate) const CHURN: &str = "churn";
pub(crate) const RESNET: &str = "models/cv:resnet";
pub(crate) const LEGACY: &str = "legacy";
const ARTIFACTS: [&str; 3] = [CHURN, RESNET, LEGACY];

/// How many GTO read processes run at once (the machine is small and shared).
const PARALLEL: usize = 4;

// ------------------------------------------------------------------------------------------------
// Finding GTO

/// Why GTO cannot be used, or its path.
fn find_gto() -> Result<PathBuf, String> {
    let (candidate, origin) = match std::env::var_os("REGISTRY_GTO") {
        Some(p) if !p.is_empty() => (PathBuf::from(p), "REGISTRY_GTO"),
        _ => (PathBuf::from("gto"), "PATH"),
    };
    match Command::new(&candidate).arg("--version").output() {
        Ok(out) if out.status.success() => {
            let version = String::from_utf8_lossy(&out.stdout);
            if !version.contains("1.10.1") {
                warn(&format!(
                    "interop: {} reports {:?}, the reference is GTO 1.10.1",
                    candidate.display(),
                    version.trim()
                ));
            }
            Ok(candidate)
        }
        Ok(out) => Err(format!(
            "`{} --version` (from {origin}) failed: {}",
            candidate.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Err(format!(
            "cannot run `{}` (from {origin}): {e}",
            candidate.display()
        )),
    }
}

/// Writes straight to the process's stderr, past the test harness's output capture, so the
/// notice shows in a plain `cargo test` too.
fn warn(msg: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{msg}");
}

/// GTO's path, or `None` after printing a visible notice; panics when `REGISTRY_REQUIRE_GTO=1`.
pub(crate) fn gto_or_skip(test: &str) -> Option<PathBuf> {
    match find_gto() {
        Ok(path) => Some(path),
        Err(why) => {
            let hint = "pip install gto==1.10.1, or set REGISTRY_GTO";
            assert!(
                std::env::var("REGISTRY_REQUIRE_GTO").as_deref() != Ok("1"),
                "REGISTRY_REQUIRE_GTO=1 and gto not found: {why} ({hint})"
            );
            warn(&format!(
                "SKIPPED interop ({test}): gto not found: {why} ({hint})"
            ));
            None
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Running GTO in the test repository

pub(crate) struct Gto<'a> {
    bin: PathBuf,
    repo: &'a TestRepo,
    /// The wall-clock second the last write ended in.
    last_write: std::cell::Cell<Option<u64>>,
}

impl<'a> Gto<'a> {
    pub(crate) fn new(bin: PathBuf, repo: &'a TestRepo) -> Gto<'a> {
        Gto {
            bin,
            repo,
            last_write: std::cell::Cell::new(None),
        }
    }

    /// `gto ARGS` in the repository, with the fixture's hermetic environment (PATH included).
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.repo.command(&self.bin, &self.repo.path());
        cmd.args(args);
        cmd
    }

    /// A GTO write. GTO dates its tags "now" to the second and orders events by that date only,
    /// so two writes must not share a second: a write starts only in a later second than the
    /// one the previous write ended in (half a second's wait on average, where a fixed sleep
    /// took a whole one).
    ///
    /// The fixture's clock cannot stand in for the wait: GTO 1.10.1 does not tag through
    /// `git tag`. scmrepo tries dulwich first, whose `tag_create` dates the tag with the wall
    /// clock, ignoring `GIT_COMMITTER_DATE` (its pygit2 backend refuses the variable outright).
    /// Checked: `GIT_COMMITTER_DATE='@1700000005 +0000' gto register churn` dates the tag now.
    #[track_caller]
    pub(crate) fn write(&self, args: &[&str]) -> String {
        if let Some(last) = self.last_write.get() {
            loop {
                let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
                if now.as_secs() > last {
                    break;
                }
                std::thread::sleep(
                    Duration::from_secs(1)
                        .checked_sub(Duration::from_nanos(now.subsec_nanos().into()))
                        .unwrap(),
                );
            }
        }
        let out = self.command(args).output().expect("gto runs");
        let ended = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        self.last_write.set(Some(ended.as_secs()));
        let line = format!("gto {}", args.join(" "));
        assert!(out.status.success(), "{}", describe(&line, &out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

fn describe(line: &str, out: &Output) -> String {
    format!(
        "$ {line}\n{}--- stderr\n{}[{}]",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        out.status
    )
}

/// Runs the commands, at most `PARALLEL` at a time, and returns their outputs in order.
fn run_all(cmds: Vec<(String, Command)>) -> Vec<(String, Output)> {
    let mut outputs = Vec::with_capacity(cmds.len());
    let mut pending = cmds.into_iter().peekable();
    while pending.peek().is_some() {
        let batch: Vec<(String, Child)> = pending
            .by_ref()
            .take(PARALLEL)
            .map(|(line, mut cmd)| {
                let child = cmd
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap_or_else(|e| panic!("cannot start `{line}`: {e}"));
                (line, child)
            })
            .collect();
        for (line, child) in batch {
            let out = child
                .wait_with_output()
                .unwrap_or_else(|e| panic!("`{line}` did not finish: {e}"));
            outputs.push((line, out));
        }
    }
    outputs
}

#[track_caller]
fn parse_json(line: &str, out: &Output) -> Value {
    assert!(out.status.success(), "{}", describe(line, out));
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{line}: not JSON ({e}):\n{}", describe(line, out)))
}

// ------------------------------------------------------------------------------------------------
// Reading both tools and comparing

/// Every read both tools answer: the argument lists, the same for `gto` and `registry`. `full`
/// adds `history --json` (all and per artifact).
fn queries(tags: &[String], full: bool) -> Vec<Vec<String>> {
    let mut q: Vec<Vec<String>> = vec![
        vec!["show".into(), "--json".into()],
        vec!["show".into(), "--json".into(), "-d".into()],
    ];
    for a in ARTIFACTS {
        q.push(vec!["show".into(), a.into(), "--json".into()]);
        q.push(vec!["show".into(), a.into(), "--json".into(), "-d".into()]);
    }
    for t in tags {
        q.push(vec!["check-ref".into(), t.clone(), "--json".into()]);
    }
    if full {
        q.push(vec!["history".into(), "--json".into()]);
        for a in ARTIFACTS {
            q.push(vec!["history".into(), a.into(), "--json".into()]);
        }
    }
    q
}

fn read_registry(repo: &TestRepo, queries: &[Vec<String>]) -> Vec<Value> {
    queries
        .iter()
        .map(|q| {
            let args: Vec<&str> = q.iter().map(String::as_str).collect();
            let run = repo.run(&args);
            let out = run.ok();
            serde_json::from_str(out)
                .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.transcript()))
        })
        .collect()
}

fn read_gto(gto: &Gto, queries: &[Vec<String>]) -> Vec<Value> {
    let cmds = queries
        .iter()
        .map(|q| {
            let args: Vec<&str> = q.iter().map(String::as_str).collect();
            (format!("gto {}", q.join(" ")), gto.command(&args))
        })
        .collect();
    run_all(cmds)
        .iter()
        .map(|(line, out)| parse_json(line, out))
        .collect()
}

/// One row of `show NAME --json`: version, is_active, stage names.
type Row = (String, bool, Vec<String>);

/// The rows of `show NAME --json`. GTO lists an unregistered commit that carries an assignment
/// twice (bug B7: once from the assignment tag, once from the commit enrichment, same version
/// name and commit); `registry` lists it once, so a row repeating an earlier (version, commit)
/// is folded.
fn version_rows(v: &Value) -> Vec<Row> {
    let list = v.as_array().expect("show NAME --json is an array");
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut rows = Vec::new();
    for item in list {
        let version = item["version"].as_str().expect("version").to_string();
        let commit = item["commit_hexsha"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if seen.contains(&(version.clone(), commit.clone())) {
            continue;
        }
        seen.push((version.clone(), commit));
        let active = item["is_active"].as_bool().expect("is_active");
        let stages = item["stages"]
            .as_array()
            .expect("stages")
            .iter()
            .map(|s| s["stage"].as_str().expect("stage").to_string())
            .collect();
        rows.push((version, active, stages));
    }
    rows
}

fn obj<'v>(v: &'v Value, what: &str) -> &'v serde_json::Map<String, Value> {
    v.as_object()
        .unwrap_or_else(|| panic!("{what}: expected an object, got {v}"))
}

/// Where `registry` differs from GTO on one of GTO's keys of an object (keys registry adds,
/// such as `signature`, are additive and not compared).
fn gto_keys_differ(line: &str, r: &Value, g: &Value, diffs: &mut Vec<String>) {
    let (r, g) = (obj(r, line), obj(g, line));
    for (key, gv) in g {
        if r.get(key) != Some(gv) {
            diffs.push(format!(
                "{line}: {key}: registry {:?}, gto {gv:?}",
                r.get(key)
            ));
        }
    }
}

/// Compares what both tools read in the repository; panics listing every disagreement.
fn compare(repo: &TestRepo, gto: &Gto) {
    let tags: Vec<String> = repo
        .git(&["tag", "-l"])
        .lines()
        .map(str::to_string)
        .collect();
    assert!(tags.len() >= 12, "expected a dozen tags, got {tags:?}");
    let (queries, ours) = compare_reads(repo, gto, &tags, false);
    assert_history_exercised(&queries, &ours);
}

/// Reads `queries(tags, full)` with both tools and panics listing every disagreement; returns
/// the queries and registry's answers. `full` compares every key GTO prints of `check-ref
/// --json` and of each `history --json` event (message, author, dates, commit) too.
pub(crate) fn compare_reads(
    repo: &TestRepo,
    gto: &Gto,
    tags: &[String],
    full: bool,
) -> (Vec<Vec<String>>, Vec<Value>) {
    let queries = queries(tags, full);
    let ours = read_registry(repo, &queries);
    let theirs = read_gto(gto, &queries);

    let mut diffs: Vec<String> = Vec::new();
    for ((q, r), g) in queries.iter().zip(&ours).zip(&theirs) {
        let line = q.join(" ");
        match (q[0].as_str(), q.len()) {
            ("show", 2 | 3) if q[1] == "--json" => {
                let (r, g) = (obj(r, &line), obj(g, &line));
                let mut rk: Vec<&String> = r.keys().collect();
                let mut gk: Vec<&String> = g.keys().collect();
                rk.sort();
                gk.sort();
                if rk != gk {
                    diffs.push(format!("{line}: artifacts: registry {rk:?}, gto {gk:?}"));
                }
                for (name, gv) in g {
                    let Some(rv) = r.get(name) else { continue };
                    for field in ["version", "stage", "active", "registered"] {
                        if rv.get(field) != gv.get(field) {
                            diffs.push(format!(
                                "{line}: {name}.{field}: registry {:?}, gto {:?}",
                                rv.get(field),
                                gv.get(field)
                            ));
                        }
                    }
                }
            }
            ("show", _) => {
                let (rr, gr) = (version_rows(r), version_rows(g));
                if rr != gr {
                    diffs.push(format!(
                        "{line}: (version, is_active, stages):\n  registry {rr:?}\n  gto      {gr:?}"
                    ));
                }
            }
            ("check-ref", _) if full => gto_keys_differ(&line, r, g, &mut diffs),
            ("history", _) => {
                let (ra, ga) = (r.as_array(), g.as_array());
                let (Some(ra), Some(ga)) = (ra, ga) else {
                    diffs.push(format!("{line}: not arrays: registry {r}, gto {g}"));
                    continue;
                };
                if ra.len() != ga.len() {
                    diffs.push(format!("{line}: {} events, gto {}", ra.len(), ga.len()));
                }
                for (i, (re, ge)) in ra.iter().zip(ga).enumerate() {
                    gto_keys_differ(&format!("{line} [{i}]"), re, ge, &mut diffs);
                }
            }
            ("check-ref", _) => {
                let (r, g) = (obj(r, &line), obj(g, &line));
                for field in ["event", "artifact", "version", "stage"] {
                    if r.get(field) != g.get(field) {
                        diffs.push(format!(
                            "{line}: {field}: registry {:?}, gto {:?}",
                            r.get(field),
                            g.get(field)
                        ));
                    }
                }
            }
            _ => unreachable!("unknown query {line}"),
        }
    }
    assert!(
        diffs.is_empty(),
        "registry and GTO disagree on {} point(s):\n{}\ntags:\n{}",
        diffs.len(),
        diffs.join("\n"),
        tags.join("\n")
    );
    (queries, ours)
}

/// The history of the two tests above must have exercised what it claims to (so the comparison
/// is not vacuous).
fn assert_history_exercised(queries: &[Vec<String>], ours: &[Value]) {
    let all = obj(&ours[1], "show --json -d");
    assert_eq!(
        all[LEGACY]["active"],
        Value::Bool(false),
        "{LEGACY} deprecated"
    );
    assert!(
        !obj(&ours[0], "show --json").contains_key(LEGACY),
        "a deprecated artifact is hidden without -d"
    );
    assert_eq!(all[RESNET]["version"], "v1.0.0");
    assert_eq!(all[RESNET]["stage"]["prod"], "v1.0.0");
    assert_eq!(all[CHURN]["version"], "v0.1.1");
    assert_eq!(all[CHURN]["stage"]["prod"], "v0.0.1");
    assert_eq!(all[CHURN]["stage"]["staging"], Value::Null, "unassigned");
    let events: Vec<&str> = ours
        .iter()
        .zip(queries)
        .filter(|(_, q)| q[0] == "check-ref")
        .filter_map(|(v, _)| v["event"].as_str())
        .collect();
    for event in [
        "registration",
        "deregistration",
        "assignment",
        "unassignment",
        "deprecation",
    ] {
        assert!(events.contains(&event), "no {event} among {events:?}");
    }
}

// ------------------------------------------------------------------------------------------------
// The tests

/// `registry` writes, both read.
#[test]
fn gto_reads_what_registry_writes() {
    let Some(bin) = gto_or_skip("gto_reads_what_registry_writes") else {
        return;
    };
    let repo = TestRepo::new();
    let gto = Gto::new(bin, &repo);

    // Declared artifacts with paths, so registrations carry digest trailers GTO must ignore.
    repo.write("models/churn.pkl", "churn weights");
    repo.write("models/cv/weights/resnet.pt", "resnet weights");
    repo.run(&[
        "annotate",
        CHURN,
        "--type",
        "model",
        "--path",
        "models/churn.pkl",
    ])
    .ok();
    repo.run(&[
        "annotate",
        RESNET,
        "--type",
        "model",
        "--path",
        "weights/resnet.pt",
    ])
    .ok();
    repo.commit("first model");
    repo.run(&["register", CHURN]).ok(); // churn@v0.0.1
    let msg = repo.git(&["tag", "-l", "--format=%(contents)", "churn@v0.0.1"]);
    assert!(
        msg.contains("\n\nArtifact-Path: models/churn.pkl\nArtifact-Digest: sha256:"),
        "{msg}"
    );
    repo.run(&["register", RESNET]).ok(); // models/cv=resnet@v0.0.1
    let msg = repo.git(&[
        "tag",
        "-l",
        "--format=%(contents)",
        "models/cv=resnet@v0.0.1",
    ]);
    assert!(msg.contains("Artifact-Digest-Source: git"), "{msg}");
    repo.run(&["register", LEGACY]).ok(); // legacy@v0.0.1

    repo.commit("second model");
    // Metric trailers too (issue 14): GTO must read the tag as it reads any other.
    repo.run(&[
        "register",
        CHURN,
        "--bump-minor",
        "--metric",
        "eval.auc=0.913",
        "--metric",
        "note=\"a b\"",
    ])
    .ok(); // v0.1.0 on the second commit
    repo.run(&["register", RESNET, "HEAD", "--version", "v1.0.0"])
        .ok();
    repo.run(&["assign", CHURN, "--stage", "prod", "--version", "v0.0.1"])
        .ok();
    repo.run(&["promote", CHURN, "staging"]).ok(); // latest: v0.1.0
    repo.run(&["promote", RESNET, "HEAD", "--stage", "dev"])
        .ok(); // GTO's form
    repo.run(&["promote", &format!("{RESNET}@v0.0.1"), "prod"])
        .ok();
    repo.run(&["promote", LEGACY, "dev"]).ok();
    repo.run(&["unassign", CHURN, "staging"]).ok();

    repo.commit("third model");
    repo.run(&["assign", CHURN, "HEAD", "--stage", "dev"]).ok(); // registers v0.1.1
    repo.run(&["deregister", RESNET, "v0.0.1"]).ok(); // resnet loses prod
    repo.run(&["deprecate", LEGACY]).ok();
    repo.run(&["promote", RESNET, "prod"]).ok(); // v1.0.0: dev and prod

    repo.commit("fourth, unregistered");
    repo.run(&["assign", CHURN, "HEAD", "--stage", "qa", "--sr"])
        .ok();

    compare(&repo, &gto);
}

/// GTO writes, both read.
#[test]
fn registry_reads_what_gto_writes() {
    let Some(bin) = gto_or_skip("registry_reads_what_gto_writes") else {
        return;
    };
    let repo = TestRepo::new();
    let gto = Gto::new(bin, &repo);

    let c1 = repo.commit("first model");
    gto.write(&["register", CHURN]);
    gto.write(&["register", RESNET]);
    gto.write(&["register", LEGACY]);

    repo.commit("second model");
    gto.write(&["register", CHURN, "--bump-minor"]);
    gto.write(&["register", RESNET, "HEAD", "--version", "v1.0.0"]);
    gto.write(&["assign", CHURN, "--stage", "prod", "--version", "v0.0.1"]);
    gto.write(&["promote", CHURN, "--stage", "staging"]); // HEAD: v0.1.0
    gto.write(&["promote", RESNET, "HEAD", "--stage", "dev"]);
    gto.write(&["assign", RESNET, &c1, "--stage", "prod"]); // by commit: v0.0.1
    gto.write(&["assign", LEGACY, "--stage", "dev", "--version", "v0.0.1"]);
    gto.write(&["deprecate", CHURN, "v0.1.0", "staging"]); // unassign

    repo.commit("third model");
    gto.write(&["assign", CHURN, "HEAD", "--stage", "dev"]); // registers v0.1.1
    gto.write(&["deprecate", RESNET, "v0.0.1"]); // deregister
    gto.write(&["deprecate", LEGACY]);
    gto.write(&["assign", RESNET, "--stage", "prod", "--version", "v1.0.0"]);

    repo.commit("fourth, unregistered");
    gto.write(&["assign", CHURN, "HEAD", "--stage", "qa", "--sr"]);

    compare(&repo, &gto);
}
