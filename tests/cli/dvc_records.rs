//! DVC records `registry` cannot take, written by hand (no DVC needed): a DVC 2 record (its md5
//! is of dos2unix'd text, not of the bytes) records no digest and says why; a malformed `.dvc` is
//! an error naming the file and line, and nothing is written; a path git tracks is hashed from
//! git whatever a `.dvc` beside it says.

use crate::dvc_fixture::{declare, trailers};
use crate::fixture::TestRepo;

#[test]
fn dvc_2_records_and_malformed_records() {
    let repo = TestRepo::new();
    repo.write("m.pkl", "bytes");
    repo.write(".gitignore", "/m.pkl\n");
    // DVC 2's record: no `hash: md5`.
    repo.write(
        "m.pkl.dvc",
        "outs:\n- md5: 04153b3135e575c274352238bed301e7\n  size: 5\n  path: m.pkl\n",
    );
    declare(&repo, "m", "m.pkl");
    repo.commit("dvc 2");
    let r = repo.run(&["register", "m"]);
    r.ok();
    assert!(
        r.stderr.contains("by DVC 2 (no `hash: md5`)")
            && r.stderr.contains("no digest is recorded"),
        "{}",
        r.transcript()
    );
    assert!(trailers(&repo, "m@v0.0.1").is_empty());
    // A malformed record: an error naming the file and line, no tag.
    repo.write(
        "m.pkl.dvc",
        "outs:\n- md5: 04153b3135e575c274352238bed301e7\n  size: lots\n  hash: md5\n  path: m.pkl\n",
    );
    repo.commit("broken");
    let r = repo.run(&["register", "m"]);
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stderr.contains("m.pkl.dvc at ")
            && r.stderr
                .contains("line 3: outs[0].size of 'm.pkl' is not a number"),
        "{}",
        r.transcript()
    );
    assert_eq!(repo.git(&["tag", "-l", "m@v0.0.2"]), "");
    // A path git tracks is hashed from git, whatever a .dvc beside it says.
    repo.write(".gitignore", "");
    repo.commit("m.pkl in git");
    repo.run(&["register", "m"]).ok();
    assert_eq!(trailers(&repo, "m@v0.0.2")["Artifact-Digest-Source"], "git");
}

/// A record file that is a link out of the repository is never read (it could be /dev/zero).
#[test]
fn a_record_that_links_out_is_refused() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "/m.pkl\n");
    repo.write("m.pkl", "bytes");
    std::os::unix::fs::symlink("/dev/zero", repo.path().join("m.pkl.dvc")).unwrap();
    declare(&repo, "m", "m.pkl");
    repo.commit("linked record");
    let r = repo.run(&["register", "m"]);
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stderr.contains("cannot read 'm.pkl.dvc' at ")
            && r.stderr.contains("leads outside the repository"),
        "{}",
        r.transcript()
    );
    assert_eq!(repo.git(&["tag", "-l"]), "");
}

/// `dvc add` ran but its record was not committed: the work tree is hashed (as for any file git
/// does not hold), and the warning says how to record DVC's md5 instead.
#[test]
fn an_uncommitted_record_is_named() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "/m.pkl\n/m.pkl.dvc\n");
    repo.write("m.pkl", "bytes");
    declare(&repo, "m", "m.pkl");
    repo.commit("model, record not committed");
    repo.write(
        "m.pkl.dvc",
        "outs:\n- md5: 04153b3135e575c274352238bed301e7\n  size: 5\n  hash: md5\n  path: m.pkl\n",
    );
    let r = repo.run(&["register", "m"]);
    r.ok();
    assert!(
        r.stderr
            .contains("'m.pkl.dvc' is in the work tree but not in commit"),
        "{}",
        r.transcript()
    );
    assert_eq!(
        trailers(&repo, "m@v0.0.1")["Artifact-Digest-Source"],
        "worktree"
    );
}

/// A link in git may lead to a name holding a line break; DVC's record of it would be a trailer
/// line of its own, so the registration is refused and nothing is written.
#[test]
fn a_record_name_that_is_not_one_line_is_refused() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "/x*y\n");
    repo.write("x\ny", "bytes");
    repo.write(
        "x\ny.dvc",
        "outs:\n- md5: 04153b3135e575c274352238bed301e7\n  size: 5\n  hash: md5\n  path: \"x\\ny\"\n",
    );
    std::os::unix::fs::symlink("x\ny", repo.path().join("m.pkl")).unwrap();
    declare(&repo, "m", "m.pkl");
    repo.commit("a link to an odd name");
    let r = repo.run(&["register", "m"]);
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stderr.contains(
            r"DVC's record of 'x\ny' is 'x\ny.dvc', whose name holds a control character"
        ),
        "{}",
        r.transcript()
    );
    assert_eq!(repo.git(&["tag", "-l"]), "");
}

mod current;
mod review2;
