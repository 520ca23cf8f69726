//! Records DVC reads that registry did not see, or read where DVC does not (second security
//! review of issue 11, G1, G2, G9, G13), written by hand as DVC 3 writes them: a `.dvc` away from
//! its out in a DVC repository (at HEAD, and in a `dvc init --subdir` root), a DVC-tracked
//! directory git holds a file of, a record git holds as a symbolic link, a record `.dvcignore`
//! leaves out. Each registers with no digest and says why, never git's or the work tree's bytes.

use crate::dvc_fixture::{declare, trailers};
use crate::fixture::TestRepo;

const MD5_V1: &str = "4f98f59e877ecb84ff75ef0fab45bac5"; // "v1\n"

fn record(path: &str, md5: &str) -> String {
    format!("outs:\n- md5: {md5}\n  size: 3\n  hash: md5\n  path: {path}\n")
}

/// Registers with `args`, asserting success, no digest, and `why` in the warning.
#[track_caller]
fn no_digest(repo: &TestRepo, args: &[&str], tag: &str, why: &str) -> String {
    let r = repo.run(args);
    r.ok();
    assert!(
        r.stderr.contains(why) && r.stderr.contains("no digest"),
        "{}",
        r.transcript()
    );
    assert!(trailers(repo, tag).is_empty(), "{}", r.transcript());
    r.stderr
}

/// G2: `meta/m.dvc` names `../models/m.pkl`; the work tree holds other (retrained) bytes.
#[test]
fn a_record_away_from_its_out_leaves_the_work_tree_unbound_at_head() {
    let repo = TestRepo::new();
    repo.write(".dvc/config", "");
    repo.write("models/.gitignore", "/m.pkl\n");
    repo.write("meta/m.dvc", &record("../models/m.pkl", MD5_V1));
    repo.write("models/m.pkl", "v2\n");
    declare(&repo, "m", "models/m.pkl");
    repo.commit("v1");
    let said = no_digest(
        &repo,
        &["register", "m"],
        "m@v0.0.1",
        "this is a DVC repository",
    );
    assert!(said.contains("`dvc add` the path"), "{said}");
}

/// G2: a DVC repository in `sub/` (`dvc init --subdir`): its root is not the git root.
#[test]
fn a_subdir_dvc_root_is_a_dvc_repository_at_any_commit() {
    let repo = TestRepo::new();
    repo.write("sub/.dvc/config", "");
    repo.write("sub/models/.gitignore", "/m.pkl\n");
    repo.write("sub/meta/m.dvc", &record("../models/m.pkl", MD5_V1));
    repo.write(
        "sub/artifacts.yaml",
        "m:\n  type: model\n  path: models/m.pkl\n",
    );
    repo.write("sub/models/m.pkl", "v1\n");
    repo.commit("v1");
    repo.write("sub/models/m.pkl", "v2\n");
    repo.write(
        "sub/meta/m.dvc",
        &record("../models/m.pkl", "e30260020baeb0398ff07b37dd33ed16"),
    );
    repo.commit("v2");
    for (rev, tag) in [("HEAD~1", "sub=m@v0.0.1"), ("HEAD", "sub=m@v0.0.2")] {
        let said = no_digest(&repo, &["register", "sub:m", rev], tag, "DVC root 'sub'");
        assert!(said.contains("no digest is recorded"), "{said}");
    }
}

/// G13: DVC tracks `data/d` (`data/d.dvc`); git holds only its model card.
#[test]
fn a_dvc_tracked_directory_git_holds_a_file_of_gets_no_git_digest() {
    let repo = TestRepo::new();
    repo.write(".dvc/config", "");
    repo.write("data/.gitignore", "/d\n");
    repo.write("data/d/weights.bin", "w1\n");
    repo.write(
        "data/d.dvc",
        "outs:\n- md5: 0123456789abcdef0123456789abcdef.dir\n  size: 3\n  nfiles: 1\n  hash: md5\n  path: d\n",
    );
    repo.write("data/d/README.md", "# model card\n");
    repo.git(&["add", "-f", "data/d/README.md"]);
    declare(&repo, "d", "data/d");
    repo.commit("v1");
    let said = no_digest(
        &repo,
        &["register", "d"],
        "d@v0.0.1",
        "is tracked by DVC (data/d.dvc)",
    );
    assert!(
        said.contains("git's copy of it is not what DVC serves"),
        "{said}"
    );
}

/// G9: `models/m.pkl.dvc` is a link to `../records/m.pkl.dvc`; a `dvc.lock` that is a link.
#[test]
fn a_record_git_holds_as_a_link_is_no_record() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "/models/m.pkl\n/models/n.pkl\n");
    repo.write("models/m.pkl", "v1\n");
    repo.write("records/m.pkl.dvc", &record("m.pkl", MD5_V1));
    std::os::unix::fs::symlink("../records/m.pkl.dvc", repo.path().join("models/m.pkl.dvc"))
        .unwrap();
    declare(&repo, "m", "models/m.pkl");
    repo.commit("linked .dvc");
    no_digest(
        &repo,
        &["register", "m"],
        "m@v0.0.1",
        "models/m.pkl.dvc, which git holds as a symbolic link",
    );
    // A lock (and the dvc.yaml beside it) held as links.
    repo.write("models/n.pkl", "v1\n");
    repo.write(
        "real/dvc.lock",
        &format!("schema: '2.0'\nstages:\n  t:\n    cmd: c\n    outs:\n    - path: models/n.pkl\n      hash: md5\n      md5: {MD5_V1}\n      size: 3\n"),
    );
    repo.write(
        "dvc.yaml",
        "stages:\n  t:\n    cmd: c\n    outs: [models/n.pkl]\n",
    );
    std::os::unix::fs::symlink("real/dvc.lock", repo.path().join("dvc.lock")).unwrap();
    declare(&repo, "n", "models/n.pkl");
    repo.commit("linked lock");
    no_digest(
        &repo,
        &["register", "n"],
        "n@v0.0.1",
        "DVC does not read dvc.lock, which git holds as a symbolic link",
    );
}

/// G1: a `dvc.lock` in a directory `.dvcignore` leaves out, and a `.dvc` a pattern matches.
#[test]
fn a_record_dvcignore_leaves_out_is_no_record() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "/models/\n");
    repo.write("models/m.pkl", "v1\n");
    repo.write(
        "legacy/dvc.lock",
        &format!("schema: '2.0'\nstages:\n  train:\n    cmd: c\n    outs:\n    - path: ../models/m.pkl\n      hash: md5\n      md5: {MD5_V1}\n      size: 3\n"),
    );
    repo.write(
        "legacy/dvc.yaml",
        "stages:\n  train:\n    cmd: c\n    outs: [../models/m.pkl]\n",
    );
    repo.write(".dvcignore", "legacy/\n");
    declare(&repo, "m", "models/m.pkl");
    repo.commit("ignored pipeline");
    no_digest(
        &repo,
        &["register", "m"],
        "m@v0.0.1",
        "DVC does not read legacy/dvc.lock: it is left out by .dvcignore",
    );
    // The path's own record, matched by a pattern.
    std::fs::remove_dir_all(repo.path().join("legacy")).unwrap();
    repo.write(".dvcignore", "*.dvc\n");
    repo.write("models/m.pkl.dvc", &record("m.pkl", MD5_V1));
    repo.git(&["add", "-f", "models/m.pkl.dvc"]);
    repo.commit("ignored .dvc");
    no_digest(
        &repo,
        &["register", "m"],
        "m@v0.0.2",
        "has a DVC record models/m.pkl.dvc, but DVC does not read it: it is left out by .dvcignore",
    );
}
