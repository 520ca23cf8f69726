//! The fixture's shortcuts are exact: `TestRepo::new` and `TestRepo::commit` build in this
//! process what `git init`, `git add -A` and `git commit` build, byte for byte (the same commit
//! ids, index entries, reflog lines and files in `.git`), and move the clock as far.

use std::os::unix::fs::PermissionsExt as _;

use crate::fixture::TestRepo;

/// Commits a history that touches what `git add -A` cares about (ignored files, an executable,
/// a link, a deletion, an untidy message, a tag between commits) and describes what is left.
fn history(repo: &TestRepo, commit: impl Fn(&str) -> String) -> Vec<String> {
    let mut seen = vec![commit("an empty first commit")];
    repo.write("artifacts.yaml", "churn:\n  type: model\n");
    repo.write("sub/dir/x.txt", "x\r\ny\n");
    repo.write(".gitignore", "*.pkl\nkept/\n");
    repo.write("a.pkl", "ignored");
    repo.write("kept/z", "ignored");
    repo.write("run.sh", "#!/bin/sh\n");
    let run_sh = repo.path().join("run.sh");
    std::fs::set_permissions(&run_sh, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink("artifacts.yaml", repo.path().join("link")).unwrap();
    seen.push(commit("  second  \n\n\nbody line   \n\n"));
    std::fs::remove_file(repo.path().join("sub/dir/x.txt")).unwrap();
    repo.write("new.txt", "n");
    seen.push(commit("third\n  a second line\n\nbody"));
    repo.git(&["tag", "-a", "-m", "t", "v1"]);
    seen.push(commit("fourth"));
    seen.push(repo.git(&["log", "--format=%H %T %P%n%an %ae %at%n%cn %ce %ct%n%B"]));
    seen.push(repo.git(&["ls-files", "-s"]));
    seen.push(repo.git(&["status", "--porcelain", "--ignored"]));
    let git_dir = repo.path().join(".git");
    for entry in walkdir::WalkDir::new(&git_dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(&git_dir)
            .unwrap()
            .display()
            .to_string();
        if rel == "index" || rel.starts_with("objects/") {
            continue; // the same entries (above), the same ids (above)
        }
        let mode = entry.metadata().unwrap().permissions().mode();
        seen.push(format!("{rel} {mode:o}"));
        if entry.file_type().is_file() {
            seen.push(std::fs::read_to_string(entry.path()).unwrap());
        }
    }
    seen.push(format!("clock at {}", repo.tick()));
    seen
}

#[test]
fn new_and_commit_leave_what_git_init_add_and_commit_leave() {
    let by_git = TestRepo::new_with_git();
    let by_fixture = TestRepo::new();
    let expected = history(&by_git, |m| by_git.commit_with_git(m));
    let got = history(&by_fixture, |m| by_fixture.commit(m));
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (got, expected) in got.iter().zip(&expected) {
        assert_eq!(got, expected);
    }
}
