//! Real DVC 3.67 reads the registry `registry` writes in a DVC user's repository: the same commit
//! and the same bytes for every version and stage, and, after a withdrawal, DVC's own resolver
//! (pinned here, the same for GTO-written tags) where `registry`, as GTO, says the stage is
//! empty or back with its earlier holder and the version gone (issue 11, point 4; reference §9.2).
//!
//! The repository is what a DVC user has: `git init`, `dvc init`, a local directory as the
//! default DVC remote, a model file and a model directory tracked with `dvc add`, artifacts
//! declared by hand under `artifacts:` in `dvc.yaml` (a root `churn`, and `sub:encoder` in
//! `sub/dvc.yaml`, tagged `sub=encoder@…`), and `dvc push` after every version. The local DVC
//! cache is removed before DVC downloads anything, so every byte comes from the remote.
//!
//! DVC answers through `dvc.api.artifacts_show` (one Python process per phase: DVC is slow to
//! start) and `dvc artifacts get`; `registry` through `show TARGET --json`, and `verify TARGET
//! --path` accepts every download of a version or stage it holds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::dvc_peer::Q::{Latest, S, V};
use crate::dvc_peer::{Dvc, Q, dvc_or_skip};
use crate::fixture::TestRepo;
use crate::interop::{Gto, gto_or_skip};

const CHURN: &str = "churn";
const ENCODER: &str = "sub:encoder";

/// One query and the commit (index into the three model commits) each tool answers, `None` for
/// "nothing" (an empty stage, a withdrawn version, a deprecated artifact).
struct Expect {
    name: &'static str,
    q: Q,
    dvc: usize,
    registry: Option<usize>,
}

const fn both(name: &'static str, q: Q, commit: usize) -> Expect {
    split(name, q, commit, Some(commit))
}

const fn split(name: &'static str, q: Q, dvc: usize, registry: Option<usize>) -> Expect {
    Expect {
        name,
        q,
        dvc,
        registry,
    }
}

/// After the registrations and assignments: both tools agree on everything.
const AGREED: [Expect; 12] = [
    both(CHURN, V("v0.0.1"), 0),
    both(CHURN, V("v0.0.2"), 1),
    both(CHURN, V("v1.0.0"), 2),
    both(CHURN, Latest, 2),
    both(CHURN, S("prod"), 1), // moved there from v0.0.1
    both(CHURN, S("staging"), 2),
    both(CHURN, S("dev"), 1),
    both(ENCODER, V("v0.0.1"), 0),
    both(ENCODER, V("v0.1.0"), 1),
    both(ENCODER, Latest, 1),
    both(ENCODER, S("prod"), 1),
    both(ENCODER, S("dev"), 0),
];

/// After `unassign churn prod`, `unassign churn dev`, `deregister churn v1.0.0` (which held
/// staging) and `deprecate sub:encoder`. DVC takes the newest tag that mentions the stage or
/// version, `churn#prod!#…` and `churn@v1.0.0!` included, and SemVer-sorts every tag for
/// "latest"; a deprecation mentions neither, so DVC still serves the deprecated artifact.
/// `registry` (as GTO) says: prod goes back to v0.0.1 (its assignment was never taken away), dev
/// and staging are empty, v1.0.0 is gone, the latest is v0.0.2, `sub:encoder` is deprecated.
const AFTER_WITHDRAWALS: [Expect; 12] = [
    both(CHURN, V("v0.0.1"), 0),
    both(CHURN, V("v0.0.2"), 1),
    split(CHURN, V("v1.0.0"), 2, None),
    split(CHURN, Latest, 2, Some(1)),
    split(CHURN, S("prod"), 1, Some(0)),
    split(CHURN, S("staging"), 2, None),
    split(CHURN, S("dev"), 1, None),
    split(ENCODER, V("v0.0.1"), 0, None),
    split(ENCODER, V("v0.1.0"), 1, None),
    split(ENCODER, Latest, 1, None),
    split(ENCODER, S("prod"), 1, None),
    split(ENCODER, S("dev"), 0, None),
];

/// After moves written the way the README advises: `promote churn@v0.0.1 prod --force` (registry
/// already said v0.0.1 held prod, DVC said v0.0.2: only a new assignment tag on v0.0.1 tells
/// DVC, and without `--force` registry refuses, the version holds the stage already), `promote
/// churn@v0.0.1 dev`, then `rollback churn dev` (back to v0.0.2). Both tools agree again.
const AFTER_MOVES: [Expect; 2] = [both(CHURN, S("prod"), 0), both(CHURN, S("dev"), 1)];

// ------------------------------------------------------------------------------------------------
// The repository and its model bytes

/// The bytes of `models/churn.pkl` at model commit `i`.
fn churn_bytes(i: usize) -> String {
    format!("churn weights, generation {}\n", i + 1)
}

/// The files of `sub/encoder/` at model commit `i` (the third commit leaves it unchanged).
fn encoder_files(i: usize) -> BTreeMap<String, String> {
    let mut files = BTreeMap::from([("config.json".to_string(), "{\"layers\": 2}\n".to_string())]);
    if i == 0 {
        files.insert("weights.bin".into(), "encoder weights 1".into());
    } else {
        files.insert("weights.bin".into(), "encoder weights 2".into());
        files.insert("vocab/words.txt".into(), "a b c\n".into());
    }
    files
}

/// Declared by hand, as DVC users write it (DVC's own `stages:` beside it).
const ROOT_DVC_YAML: &str = "\
# Artifacts for DVC and DVC Studio (and registry).
stages: {}
artifacts:
  churn:
    path: models/churn.pkl
    type: model
    desc: Churn classifier
    labels: [tabular]
";
const SUB_DVC_YAML: &str = "\
artifacts:
  encoder:   # DVC names it sub:encoder
    path: encoder
    type: model
    desc: Text encoder
";

/// A DVC repository with three model commits: `dvc init`, a local remote, `dvc add` of the file
/// and the directory at each commit, `on_commit(i)` (the registrations) right after commit `i`,
/// then `dvc push`. Returns the commit ids.
fn build(repo: &TestRepo, dvc: &Dvc, mut on_commit: impl FnMut(usize)) -> Vec<String> {
    let remote = repo.path().parent().unwrap().join("dvc-remote");
    std::fs::create_dir(&remote).unwrap();
    dvc.run(&["init", "-q"]);
    dvc.run(&[
        "remote",
        "add",
        "-q",
        "-d",
        "store",
        remote.to_str().unwrap(),
    ]);
    repo.write("dvc.yaml", ROOT_DVC_YAML);
    repo.write("sub/dvc.yaml", SUB_DVC_YAML);
    let mut commits = Vec::new();
    for i in 0..3 {
        repo.write("models/churn.pkl", &churn_bytes(i));
        for (rel, text) in encoder_files(i) {
            repo.write(&format!("sub/encoder/{rel}"), &text);
        }
        dvc.run(&["add", "-q", "models/churn.pkl", "sub/encoder"]);
        commits.push(repo.commit(&format!("model generation {}", i + 1)));
        on_commit(i);
        dvc.run(&["push", "-q"]);
    }
    let tracked = repo.git(&["show", "HEAD:sub/encoder.dvc"]);
    assert!(
        tracked.contains(".dir") && tracked.contains("nfiles: 3"),
        "{tracked}"
    );
    // Every download below must come from the remote.
    std::fs::remove_dir_all(repo.path().join(".dvc/cache")).unwrap();
    commits
}

// ------------------------------------------------------------------------------------------------
// Asking both tools

/// The query as a `registry` target: `NAME@V`, `NAME#S`, `NAME@latest`.
fn target(name: &str, q: Q) -> String {
    match q {
        V(v) => format!("{name}@{v}"),
        S(s) => format!("{name}#{s}"),
        Latest => format!("{name}@latest"),
    }
}

/// The commit `registry show TARGET --json` gives, `None` when it lists nothing.
fn registry_commit(repo: &TestRepo, name: &str, q: Q) -> Option<String> {
    let target = target(name, q);
    let run = repo.run(&["show", &target, "--json"]);
    let rows: Value = serde_json::from_str(run.ok()).expect("show --json prints JSON");
    let rows = rows.as_array().expect("show TARGET --json is an array");
    assert!(rows.len() <= 1, "{}", run.transcript());
    rows.first().map(|row| {
        row["commit_hexsha"]
            .as_str()
            .expect("commit_hexsha")
            .to_string()
    })
}

/// The built repository, DVC, and the three model commits.
struct World<'a> {
    repo: &'a TestRepo,
    dvc: &'a Dvc<'a>,
    commits: Vec<String>,
}

impl World<'_> {
    /// Asks both tools every query of `expected`; panics listing every answer that differs from it.
    fn check(&self, expected: &[Expect], phase: &str) {
        let (repo, dvc, commits) = (self.repo, self.dvc, &self.commits);
        let label = |c: Option<&str>| match c.and_then(|c| commits.iter().position(|x| x == c)) {
            Some(i) => format!("commit {}", i + 1),
            None => c.map_or("nothing".to_string(), |c| format!("unknown {c}")),
        };
        let mut diffs = Vec::new();
        let queries: Vec<(&str, Q)> = expected.iter().map(|e| (e.name, e.q)).collect();
        for (e, answer) in expected.iter().zip(dvc.artifacts_show(&queries)) {
            let what = format!("{} {:?}", e.name, e.q);
            let want_path = if e.name == CHURN {
                "models/churn.pkl"
            } else {
                "sub/encoder"
            };
            let (rev, path) = (answer["rev"].as_str(), answer["path"].as_str());
            if rev != Some(commits[e.dvc].as_str()) || path != Some(want_path) {
                diffs.push(format!(
                    "{what}: dvc.api gives {} {answer}, expected commit {} at {want_path}",
                    label(rev),
                    e.dvc + 1
                ));
            }
            let ours = registry_commit(repo, e.name, e.q);
            if ours.as_deref() != e.registry.map(|i| commits[i].as_str()) {
                let want = e.registry.map(|i| commits[i].as_str());
                diffs.push(format!(
                    "{what}: registry gives {}, expected {}",
                    label(ours.as_deref()),
                    label(want)
                ));
            }
        }
        assert!(diffs.is_empty(), "{phase}:\n{}", diffs.join("\n"));
    }

    /// `dvc artifacts get . NAME [--rev V | --stage S] -o OUT`, then OUT must hold exactly the bytes
    /// of model commit `commit`. Returns OUT.
    fn get(&self, name: &str, q: Q, commit: usize) -> PathBuf {
        let (repo, dvc) = (self.repo, self.dvc);
        // A fresh destination each time (DVC refuses to overwrite without `-f`).
        let downloads = repo.path().parent().unwrap().join("downloads");
        std::fs::create_dir_all(&downloads).unwrap();
        let n = std::fs::read_dir(&downloads).unwrap().count();
        let out = downloads.join(format!("{n}-{}", name.replace([':', '/'], "_")));
        let line = dvc.artifacts_get(name, q, &out);
        let expected = if name == CHURN {
            BTreeMap::from([(String::new(), churn_bytes(commit))])
        } else {
            encoder_files(commit)
        };
        assert_eq!(
            read_tree(&out),
            expected,
            "`{line}` downloaded other bytes than model commit {}'s",
            commit + 1
        );
        out
    }
}

/// A file as `{"": text}`, a directory as `{relative path: text}`.
fn read_tree(path: &Path) -> BTreeMap<String, String> {
    if path.is_file() {
        return BTreeMap::from([(String::new(), std::fs::read_to_string(path).unwrap())]);
    }
    walkdir::WalkDir::new(path)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(path).unwrap();
            (
                rel.to_str().unwrap().to_string(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect()
}

// ------------------------------------------------------------------------------------------------
// The tests

/// `registry` writes the history; DVC and `registry` read the same commits and bytes for every
/// version and stage, and after the withdrawals DVC's resolver is the pinned one.
#[test]
fn dvc_reads_what_registry_writes() {
    let Some(bin) = dvc_or_skip("dvc_reads_what_registry_writes") else {
        return;
    };
    let repo = TestRepo::new();
    let dvc = Dvc::new(bin, &repo);
    let commits = build(&repo, &dvc, |i| match i {
        0 => {
            repo.run(&["register", CHURN]).ok(); // v0.0.1
            repo.run(&["register", ENCODER]).ok(); // sub=encoder@v0.0.1
        }
        1 => {
            repo.run(&["register", CHURN]).ok(); // v0.0.2
            repo.run(&["register", ENCODER, "--bump-minor"]).ok(); // v0.1.0
        }
        _ => {
            repo.run(&["register", CHURN, "--version", "v1.0.0"]).ok();
        }
    });
    let w = World {
        repo: &repo,
        dvc: &dvc,
        commits,
    };
    assert!(repo.git(&["tag", "-l"]).contains("sub=encoder@v0.1.0"));
    repo.run(&["promote", "churn@v0.0.1", "prod"]).ok();
    repo.run(&["promote", CHURN, "staging"]).ok(); // the latest: v1.0.0
    repo.run(&["assign", CHURN, "--stage", "dev", "--version", "v0.0.2"])
        .ok(); // GTO's form
    repo.run(&["promote", "churn@v0.0.2", "prod"]).ok(); // prod moves
    repo.run(&["promote", ENCODER, "prod"]).ok();
    repo.run(&["promote", "sub:encoder@v0.0.1", "dev"]).ok();

    w.check(&AGREED, "registrations and assignments");
    for e in &AGREED {
        let out = w.get(e.name, e.q, e.dvc);
        // What DVC downloaded is what was registered.
        let verify = repo.run(&[
            "verify",
            &target(e.name, e.q),
            "--path",
            out.to_str().unwrap(),
        ]);
        assert!(verify.ok().starts_with("OK"), "{}", verify.transcript());
    }

    repo.run(&["unassign", CHURN, "prod"]).ok();
    repo.run(&["unassign", CHURN, "dev"]).ok();
    repo.run(&["deregister", CHURN, "v1.0.0"]).ok();
    repo.run(&["deprecate", ENCODER]).ok();
    w.check(&AFTER_WITHDRAWALS, "after the withdrawals");
    // DVC downloads what registry calls withdrawn.
    w.get(CHURN, S("prod"), 1);
    w.get(CHURN, S("dev"), 1);
    w.get(CHURN, V("v1.0.0"), 2);
    w.get(ENCODER, S("prod"), 1);

    repo.run(&["promote", "churn@v0.0.1", "prod", "--force"])
        .ok();
    repo.run(&["promote", "churn@v0.0.1", "dev"]).ok();
    repo.run(&["rollback", CHURN, "dev"]).ok();
    w.check(&AFTER_MOVES, "after moves by promote and rollback");
}

/// GTO writes the same history: DVC gives the same answers after the same withdrawals (its
/// resolver is its own, not registry's), and `registry` reads GTO's tags as it reads its own.
#[test]
fn dvc_reads_gto_written_withdrawals_the_same() {
    let Some(bin) = dvc_or_skip("dvc_reads_gto_written_withdrawals_the_same") else {
        return;
    };
    let Some(gto_bin) = gto_or_skip("dvc_reads_gto_written_withdrawals_the_same") else {
        return;
    };
    let repo = TestRepo::new();
    let dvc = Dvc::new(bin, &repo);
    let gto = Gto::new(gto_bin, &repo);
    let commits = build(&repo, &dvc, |i| match i {
        0 => {
            gto.write(&["register", CHURN]);
            gto.write(&["register", ENCODER]);
        }
        1 => {
            gto.write(&["register", CHURN]);
            gto.write(&["register", ENCODER, "--bump-minor"]);
        }
        _ => {
            gto.write(&["register", CHURN, "--version", "v1.0.0"]);
        }
    });
    let w = World {
        repo: &repo,
        dvc: &dvc,
        commits,
    };
    for (name, stage, version) in [
        (CHURN, "prod", "v0.0.1"),
        (CHURN, "staging", "v1.0.0"),
        (CHURN, "dev", "v0.0.2"),
        (CHURN, "prod", "v0.0.2"),
        (ENCODER, "prod", "v0.1.0"),
        (ENCODER, "dev", "v0.0.1"),
    ] {
        gto.write(&["assign", name, "--stage", stage, "--version", version]);
    }
    w.check(&AGREED, "GTO: registrations and assignments");

    gto.write(&["deprecate", CHURN, "v0.0.2", "prod"]); // unassign
    gto.write(&["deprecate", CHURN, "v0.0.2", "dev"]);
    gto.write(&["deprecate", CHURN, "v1.0.0"]); // deregister
    gto.write(&["deprecate", ENCODER]);
    w.check(&AFTER_WITHDRAWALS, "GTO: after the withdrawals");
}
