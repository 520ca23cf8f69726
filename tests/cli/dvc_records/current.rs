//! Records DVC would not serve a path from (security review of issue 11, F1–F5, F7, F10),
//! written by hand as DVC 3 writes them: a `dvc.lock` anywhere in the tree, taken only when DVC
//! reads the entry; records naming a path twice, a `wdir` that leads out or is templated, a git
//! directory holding DVC's pointers, a `P.dvc` naming another path. Each registers with no digest
//! and says why, never the work tree's bytes for the commit; a checkout linking into a cache
//! outside the repository records the md5 from git.

use crate::dvc_fixture::{declare, dvc, dvc_in, dvc_or_skip, dvc_repo, trailers};
use crate::fixture::TestRepo;

const MD5_V1: &str = "4f98f59e877ecb84ff75ef0fab45bac5"; // "v1\n"
const MD5_V2: &str = "e30260020baeb0398ff07b37dd33ed16"; // "v2\n"

/// `dvc.lock` text for one stage `stage` writing `path` (as written, relative to its wdir).
fn lock(stage: &str, path: &str, md5: &str) -> String {
    format!(
        "schema: '2.0'\nstages:\n  {stage}:\n    cmd: c\n    outs:\n    - path: {path}\n      hash: md5\n      md5: {md5}\n      size: 3\n"
    )
}

/// A `P.dvc` with the outs given (YAML list items).
fn dvc_file(outs: &str) -> String {
    format!("outs:\n{outs}")
}

fn out(path: &str, md5: &str) -> String {
    format!("- md5: {md5}\n  size: 3\n  hash: md5\n  path: {path}\n")
}

/// Registers `name` (extra args after it) and asserts it succeeds with no digest, saying `why`.
#[track_caller]
fn no_digest(repo: &TestRepo, args: &[&str], tag: &str, why: &str) {
    let r = repo.run(args);
    r.ok();
    assert!(
        r.stderr.contains(why) && r.stderr.contains("no digest is recorded"),
        "{}",
        r.transcript()
    );
    assert!(!r.stderr.contains("not in commit"), "{}", r.transcript());
    let t = trailers(repo, tag);
    assert!(!t.contains_key("Artifact-Digest"), "{t:?}");
}

/// F1: the usual layout, pipelines in `pipelines/`, models in `models/`; `register m HEAD~1`
/// records the old commit's md5, never the retrained work tree.
#[test]
fn a_lock_in_a_sibling_directory_names_the_bytes() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "/models/m.pkl\n");
    repo.write(
        "pipelines/dvc.yaml",
        "stages:\n  train:\n    cmd: c\n    outs:\n    - ../models/m.pkl\n",
    );
    repo.write(
        "pipelines/dvc.lock",
        &lock("train", "../models/m.pkl", MD5_V1),
    );
    repo.write("models/m.pkl", "v1\n");
    declare(&repo, "m", "models/m.pkl");
    repo.commit("v1");
    repo.write(
        "pipelines/dvc.lock",
        &lock("train", "../models/m.pkl", MD5_V2),
    );
    repo.write("models/m.pkl", "v2\n");
    repo.commit("retrain");
    let r = repo.run(&["register", "m", "HEAD~1"]);
    r.ok();
    assert!(
        r.stderr.contains("from pipelines/dvc.lock") && r.stderr.contains("other bytes"),
        "{}",
        r.transcript()
    );
    let t = trailers(&repo, "m@v0.0.1");
    assert_eq!(t["Artifact-Digest"], format!("md5:{MD5_V1}"), "{t:?}");
    assert_eq!(t["Artifact-Dvc-File"], "pipelines/dvc.lock");
    assert!(!t.contains_key("Artifact-Sha256"), "{t:?}");
    repo.run(&["register", "m"]).ok();
    let t = trailers(&repo, "m@v0.0.2");
    assert_eq!(t["Artifact-Digest"], format!("md5:{MD5_V2}"), "{t:?}");
    assert!(t["Artifact-Sha256"].starts_with("sha256:"), "{t:?}");
}

/// F2: entries DVC 3 does not read: a renamed stage's leftover, a lock without
/// `schema: '2.0'`, a lock with no `dvc.yaml` beside it, a foreach stage's `NAME@KEY`.
#[test]
fn lock_entries_dvc_does_not_read_give_no_digest() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "/models/m.pkl\n");
    repo.write("models/m.pkl", "v1\n");
    repo.write(
        "dvc.yaml",
        "stages:\n  train2:\n    cmd: c\n    outs:\n    - models/other.pkl\n",
    );
    repo.write("dvc.lock", &lock("train", "models/m.pkl", MD5_V1));
    declare(&repo, "m", "models/m.pkl");
    repo.commit("renamed stage");
    no_digest(
        &repo,
        &["register", "m"],
        "m@v0.0.1",
        "is named by dvc.lock, but dvc.yaml no longer has its stage 'train'",
    );
    repo.write(
        "dvc.yaml",
        "stages:\n  train:\n    cmd: c\n    outs:\n    - models/other.pkl\n",
    );
    repo.commit("out no longer declared");
    no_digest(
        &repo,
        &["register", "m"],
        "m@v0.0.2",
        "no longer declares it",
    );
    repo.write(
        "dvc.yaml",
        "stages:\n  train:\n    cmd: c\n    outs:\n    - models/m.pkl\n",
    );
    repo.write(
        "dvc.lock",
        &format!(
            "train:\n  cmd: c\n  outs:\n  - path: models/m.pkl\n    hash: md5\n    md5: {MD5_V1}\n"
        ),
    );
    repo.commit("DVC 1 lock");
    no_digest(&repo, &["register", "m"], "m@v0.0.3", "no `schema: '2.0'`");
    std::fs::remove_file(repo.path().join("dvc.yaml")).unwrap();
    repo.write("dvc.lock", &lock("train", "models/m.pkl", MD5_V1));
    repo.commit("no dvc.yaml");
    no_digest(
        &repo,
        &["register", "m"],
        "m@v0.0.4",
        "there is no dvc.yaml beside it",
    );
    repo.write(
        "dvc.yaml",
        "stages:\n  train:\n    foreach: [m]\n    do:\n      cmd: c\n      outs:\n      - models/${item}.pkl\n",
    );
    repo.write("dvc.lock", &lock("train@m", "models/m.pkl", MD5_V1));
    repo.commit("foreach");
    no_digest(
        &repo,
        &["register", "m"],
        "m@v0.0.5",
        "foreach/matrix stage",
    );
    // The entry DVC reads is taken.
    repo.write(
        "dvc.yaml",
        "stages:\n  train:\n    cmd: c\n    outs:\n    - models/m.pkl\n",
    );
    repo.commit("no longer foreach");
    no_digest(
        &repo,
        &["register", "m"],
        "m@v0.0.6",
        "no longer has its stage 'train@m'",
    );
    repo.write("dvc.lock", &lock("train", "models/m.pkl", MD5_V1));
    repo.commit("current");
    repo.run(&["register", "m"]).ok();
    assert_eq!(
        trailers(&repo, "m@v0.0.7")["Artifact-Digest"],
        format!("md5:{MD5_V1}")
    );
}

/// F3: a record naming the path twice with different md5s; identical duplicates are accepted.
#[test]
fn records_naming_a_path_twice_must_agree() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "/m.pkl\n/n.pkl\n");
    repo.write("m.pkl", "v1\n");
    repo.write(
        "m.pkl.dvc",
        &dvc_file(&(out("m.pkl", MD5_V2) + &out("m.pkl", MD5_V1))),
    );
    declare(&repo, "m", "m.pkl");
    repo.commit("two outs");
    no_digest(&repo, &["register", "m"], "m@v0.0.1", "they disagree");
    repo.write(
        "m.pkl.dvc",
        &dvc_file(&(out("m.pkl", MD5_V1) + &out("m.pkl", MD5_V1))),
    );
    repo.commit("identical outs");
    repo.run(&["register", "m"]).ok();
    assert_eq!(
        trailers(&repo, "m@v0.0.2")["Artifact-Digest"],
        format!("md5:{MD5_V1}")
    );
    // Two lock stages of one dvc.yaml naming n.pkl, disagreeing.
    repo.write("n.pkl", "v1\n");
    repo.write(
        "dvc.yaml",
        "stages:\n  a:\n    cmd: c\n    outs: [n.pkl]\n  b:\n    cmd: c\n    outs: [n.pkl]\n",
    );
    let two = lock("a", "n.pkl", MD5_V1)
        + &lock("b", "n.pkl", MD5_V2).replace("schema: '2.0'\nstages:\n", "");
    repo.write("dvc.lock", &two);
    declare(&repo, "n", "n.pkl");
    repo.commit("two stages");
    no_digest(&repo, &["register", "n"], "n@v0.0.1", "they disagree");
}

/// F4: a `wdir` leading out of the repository is never the root; a templated one is not read.
#[test]
fn wdirs_that_lead_out_or_are_templated_give_no_digest() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "/models/m.pkl\n/m.pkl\n/sub/m.pkl\n");
    repo.write("models/m.pkl", "v1\n");
    repo.write(
        "models/m.pkl.dvc",
        &format!("wdir: ../..\n{}", dvc_file(&out("models/m.pkl", MD5_V1))),
    );
    declare(&repo, "m", "models/m.pkl");
    repo.commit("wdir out");
    no_digest(
        &repo,
        &["register", "m"],
        "m@v0.0.1",
        "whose out is 'models/m.pkl (outside the repository)'",
    );
    repo.write("m.pkl", "root bytes\n");
    repo.write("sub/m.pkl", "v1\n");
    repo.write(
        "dvc.yaml",
        "vars:\n  - d: sub\nstages:\n  train:\n    wdir: ${d}\n    cmd: c\n    outs:\n    - m.pkl\n",
    );
    repo.write("dvc.lock", &lock("train", "m.pkl", MD5_V1));
    declare(&repo, "r", "m.pkl");
    repo.commit("templated wdir");
    no_digest(
        &repo,
        &["register", "r"],
        "r@v0.0.1",
        "is templated ('${d}')",
    );
}

/// F5: a directory git holds with DVC-tracked files inside: git's copy is DVC's pointers.
#[test]
fn a_git_directory_holding_dvc_records_gets_no_git_digest() {
    let repo = TestRepo::new();
    repo.write("models/.gitignore", "/m.pkl\n/n.pkl\n");
    repo.write("models/m.pkl", "v1\n");
    repo.write("models/m.pkl.dvc", &dvc_file(&out("m.pkl", MD5_V1)));
    declare(&repo, "mdir", "models");
    repo.commit("pointers");
    let r = repo.run(&["register", "mdir"]);
    r.ok();
    assert!(
        r.stderr.contains("holds DVC's record 'm.pkl.dvc'")
            && r.stderr
                .contains("declare each DVC-tracked file as its own artifact"),
        "{}",
        r.transcript()
    );
    assert!(trailers(&repo, "mdir@v0.0.1").is_empty());
    // Outs of a lock elsewhere inside it.
    std::fs::remove_file(repo.path().join("models/m.pkl.dvc")).unwrap();
    repo.write(
        "dvc.yaml",
        "stages:\n  t:\n    cmd: c\n    outs: [models/n.pkl]\n",
    );
    repo.write("dvc.lock", &lock("t", "models/n.pkl", MD5_V1));
    repo.commit("lock out inside");
    let r = repo.run(&["register", "mdir"]);
    r.ok();
    assert!(
        r.stderr
            .contains("holds 'models/n.pkl', an out of dvc.lock"),
        "{}",
        r.transcript()
    );
    assert!(trailers(&repo, "mdir@v0.0.2").is_empty());
}

/// F7: a symlink checkout from a DVC cache outside the repository: the md5 from git, no SHA-256.
#[test]
fn a_checkout_linking_to_an_outside_cache_records_the_md5() {
    let repo = TestRepo::new();
    let cache = tempfile::tempdir().unwrap();
    std::fs::write(cache.path().join("blob"), "v1\n").unwrap();
    repo.write(".gitignore", "/m.pkl\n");
    declare(&repo, "m", "m.pkl");
    std::os::unix::fs::symlink(cache.path().join("blob"), repo.path().join("m.pkl")).unwrap();
    repo.write("m.pkl.dvc", &dvc_file(&out("m.pkl", MD5_V1)));
    repo.commit("linked checkout");
    let r = repo.run(&["register", "m"]);
    r.ok();
    assert!(
        r.stderr.contains("a link out of the repository"),
        "{}",
        r.transcript()
    );
    let t = trailers(&repo, "m@v0.0.1");
    assert_eq!(t["Artifact-Digest"], format!("md5:{MD5_V1}"));
    assert!(!t.contains_key("Artifact-Sha256"), "{t:?}");
}

/// F10: `P.dvc` at the commit is P's record or no usable one: another path (a case typo), no
/// outs, several outs. Never the work tree, never "not in commit".
#[test]
fn a_record_beside_the_path_naming_another_is_no_record() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "/models/m.pkl\n");
    repo.write("models/m.pkl", "v1\n");
    repo.write("models/m.pkl.dvc", &dvc_file(&out("M.pkl", MD5_V1)));
    declare(&repo, "m", "models/m.pkl");
    repo.commit("case typo");
    repo.write("models/m.pkl", "v2\n");
    repo.commit("later");
    no_digest(
        &repo,
        &["register", "m", "HEAD~1"],
        "m@v0.0.1",
        "whose out is 'models/M.pkl', not this path",
    );
    repo.write("models/m.pkl.dvc", "");
    repo.commit("empty");
    no_digest(&repo, &["register", "m"], "m@v0.0.2", "with no outs");
    repo.write(
        "models/m.pkl.dvc",
        &dvc_file(&(out("m.pkl", MD5_V1) + &out("n.pkl", MD5_V2))),
    );
    repo.commit("several");
    no_digest(&repo, &["register", "m"], "m@v0.0.3", "with 2 outs");
}

/// F1 and F2 against real DVC: a pipeline in `pipelines/` writing `../models/m.pkl`, retrained;
/// `register m HEAD~1` records what `dvc get --rev HEAD~1` serves. Then the stage is renamed
/// (DVC keeps the old lock entry): no digest, as DVC no longer tracks the path.
#[test]
fn real_dvc_sibling_pipelines_and_renamed_stages() {
    let Some(bin) = dvc_or_skip("sibling dvc.lock") else {
        return;
    };
    let repo = dvc_repo(&bin);
    std::fs::create_dir_all(repo.path().join("pipelines")).unwrap();
    std::fs::create_dir_all(repo.path().join("models")).unwrap();
    let pipelines = repo.path().join("pipelines");
    let add = [
        "stage",
        "add",
        "-q",
        "-n",
        "train",
        "-o",
        "../models/m.pkl",
        "cat ../seed > ../models/m.pkl",
    ];
    dvc_in(&repo, &bin, &pipelines, &add);
    repo.write("seed", "v1\n");
    dvc_in(&repo, &bin, &pipelines, &["repro", "-q"]);
    declare(&repo, "m", "models/m.pkl");
    repo.commit("v1");
    repo.write("seed", "v2\n");
    dvc_in(&repo, &bin, &pipelines, &["repro", "-q"]);
    repo.commit("retrain");
    repo.run(&["register", "m", "HEAD~1"]).ok();
    let t = trailers(&repo, "m@v0.0.1");
    assert_eq!(t["Artifact-Digest"], format!("md5:{MD5_V1}"), "{t:?}");
    assert_eq!(t["Artifact-Dvc-File"], "pipelines/dvc.lock");
    let dl = repo.home().join("m-v1.pkl");
    let dl_arg = dl.to_str().unwrap();
    dvc(
        &repo,
        &bin,
        &["get", ".", "models/m.pkl", "--rev", "HEAD~1", "-o", dl_arg],
    );
    repo.run(&["verify", "m", "--path", dl_arg]).ok();
    // Rename the stage: DVC leaves `train` in the lock, but no longer tracks models/m.pkl.
    repo.write(
        "pipelines/dvc.yaml",
        "stages:\n  train2:\n    cmd: cat ../seed > ../models/o.pkl\n    outs:\n    - ../models/o.pkl\n",
    );
    dvc_in(&repo, &bin, &pipelines, &["repro", "-q"]);
    let lock = std::fs::read_to_string(pipelines.join("dvc.lock")).unwrap();
    assert!(
        lock.contains("  train:\n"),
        "DVC keeps the old entry: {lock}"
    );
    repo.commit("rename");
    no_digest(
        &repo,
        &["register", "m"],
        "m@v0.0.2",
        "no longer has its stage 'train'",
    );
}
