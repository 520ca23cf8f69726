//! Hostile repositories, part 2: corrupt commits, trees and blobs (not only tag objects), loose
//! refs and `packed-refs` that are no regular files, tag objects found under another tag's
//! name, trees nested too deep (issue 8, points 1 and 9). Every read runs with a timeout, so a
//! hang fails the test instead of blocking CI.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::fixture::{Run, TestRepo, run_timed, run_timed_in};
use crate::reads::ok;

/// churn v0.0.1 (c1) and v0.0.2 (c2, another model file), then c3 changing only a README:
/// HEAD shares artifacts.yaml and the model blob with c2.
fn registry_with_history() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "artifacts.yaml",
        "churn:\n  type: model\n  path: models/churn.pkl\n  description: churn model\n",
    );
    repo.write("models/churn.pkl", "weights one\n");
    repo.commit("c1");
    ok(&repo, &["register", "churn"]);
    repo.write(
        "models/churn.pkl",
        "weights two, a longer file than the first one\n",
    );
    repo.commit("c2");
    ok(&repo, &["register", "churn"]);
    repo.write("README", "readme\n");
    repo.commit("c3");
    repo
}

/// The loose file of the object `rev` names, made writable; its id and bytes.
fn loose_file(repo: &TestRepo, rev: &str) -> (String, PathBuf, Vec<u8>) {
    let oid = repo.git(&["rev-parse", rev]);
    let path = repo
        .path()
        .join(".git/objects")
        .join(&oid[..2])
        .join(&oid[2..]);
    let bytes = std::fs::read(&path).expect("a loose object");
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(
        clippy::permissions_set_readonly_false,
        reason = "the test makes a file writable again to clean up after itself"
    )]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    (oid, path, bytes)
}

/// Point 1: a truncated loose blob, tree or commit made libgit2 (1.9.7) spin forever in every
/// read command. Now each command ends at once; one that needs the object fails naming it
/// (what it is and its id) with the fix, and libgit2's internals stay out of the words.
#[test]
fn truncated_commits_trees_and_blobs_fail_clearly_and_never_hang() {
    let repo = registry_with_history();
    repo.skip_fsck(); // broken on purpose
    let outside = tempfile::tempdir().unwrap();
    let top = repo.path();
    let top = top.to_str().unwrap();
    let commands: Vec<Vec<&str>> = vec![
        vec!["show"],
        vec!["show", "--json"],
        vec!["describe", "churn"],
        vec!["describe", "churn", "--path"],
        vec!["doctor"],
        vec!["diff", "churn", "v0.0.1", "v0.0.2"],
        vec!["verify", "churn"],
        vec!["register", "churn"],
    ];
    // (what is cut, the words naming it, the commands that must fail on it)
    for (rev, named, must_fail) in [
        (
            "HEAD:artifacts.yaml",
            "artifacts.yaml at ",
            &["show", "describe", "doctor"][..],
        ),
        (
            "HEAD^{tree}",
            "the tree of commit ",
            &["show", "describe", "doctor", "register"],
        ),
        ("HEAD", "", &["show", "describe", "doctor", "register"]),
        (
            "HEAD:models/churn.pkl",
            "models/churn.pkl at ",
            &["register"],
        ),
    ] {
        let (oid, path, whole) = loose_file(&repo, rev);
        let len = whole.len();
        let cuts: Vec<usize> = if rev == "HEAD:artifacts.yaml" {
            (2..len).collect()
        } else {
            vec![2, 10, len / 2, len - 1]
        };
        for n in cuts {
            std::fs::write(&path, &whole[..n]).unwrap();
            let mut runs: Vec<Run> = commands.iter().map(|a| run_timed(&repo, a)).collect();
            if n == 2 || n == len - 1 {
                // check-ref writes registry.env where it runs: outside the repository.
                runs.push(run_timed_in(
                    &repo,
                    outside.path(),
                    &["-C", top, "check-ref", "churn@v0.0.2", "--format", "gitlab"],
                ));
            }
            for run in &runs {
                let all = format!("{}{}", run.stdout, run.stderr);
                let t = || format!("{rev} cut to {n}: {}", run.transcript());
                assert!(run.code == 0 || run.code == 1, "{}", t());
                assert!(!all.contains("class="), "{}", t());
                let needs = must_fail
                    .iter()
                    .any(|c| run.line.starts_with(&format!("registry {c}")));
                if needs || run.code == 1 {
                    assert_eq!(run.code, 1, "{}", t());
                    assert!(
                        all.contains(named) && all.contains(&format!("object {oid} is corrupt")),
                        "{}",
                        t()
                    );
                    assert!(
                        all.contains(&format!(
                            "remove the damaged file objects/{}/{}",
                            &oid[..2],
                            &oid[2..]
                        )),
                        "{}",
                        t()
                    );
                }
            }
        }
        std::fs::write(&path, &whole).unwrap();
    }
    // Repaired, everything reads again.
    for args in &commands[..7] {
        let run = run_timed(&repo, args);
        assert_eq!(run.code, 0, "{}", run.transcript());
    }
}

/// `git mktree` with `lines` on its stdin; the tree's id.
fn mktree(repo: &TestRepo, lines: &str) -> String {
    use std::io::Write as _;
    let mut child = repo
        .command(Path::new("git"), &repo.path())
        .args(["mktree"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(lines.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// F9: a tree nested 100,000 levels deep at HEAD overflowed doctor's stack (libgit2's
/// recursive tree walk). Now a tree nested deeper than git's 4096 is a clear error.
#[test]
fn a_very_deep_tree_is_an_error_not_a_stack_overflow() {
    let repo = TestRepo::new();
    repo.write("artifacts.yaml", "churn:\n  path: m.bin\n");
    repo.write("m.bin", "m\n");
    repo.commit("c1");
    let mut id = repo.git(&["hash-object", "-w", "m.bin"]);
    let mut mode_kind = "100644 blob";
    for _ in 0..4200 {
        id = mktree(&repo, &format!("{mode_kind} {id}\td\n"));
        mode_kind = "040000 tree";
    }
    let yaml = repo.git(&["hash-object", "-w", "artifacts.yaml"]);
    let top = mktree(
        &repo,
        &format!("100644 blob {yaml}\tartifacts.yaml\n040000 tree {id}\tdeep\n"),
    );
    let commit = repo.git(&["commit-tree", &top, "-p", "HEAD", "-m", "deep"]);
    repo.git(&["update-ref", "refs/heads/main", &commit]);
    let run = run_timed(&repo, &["doctor"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("nested deeper than 4096"),
        "{}",
        run.transcript()
    );
}

/// F6: a loose tag ref that is a FIFO or a symbolic link to /dev/zero blocked every read or
/// grew without bound. Now it is skipped with a warning naming it (and a doctor finding).
#[test]
fn loose_refs_that_are_no_files_are_skipped_with_a_warning() {
    let repo = registry_with_history();
    let tags = repo.path().join(".git/refs/tags");
    std::os::unix::fs::symlink("/dev/zero", tags.join("churn@v9.9.9")).unwrap();
    for fifo in ["churn@v9.9.8", "v1.0"] {
        let status = std::process::Command::new("mkfifo")
            .arg(tags.join(fifo))
            .status()
            .unwrap();
        assert!(status.success());
    }
    for args in [
        &["show"][..],
        &["show", "churn"],
        &["history"],
        &["history", "churn"],
        &["check-ref", "churn@v0.0.1"],
        &["check-ref", "churn@v9.9.9"],
        &["check-ref", "churn@v9.9.8"],
        &["describe", "churn@v9.9.8"],
        &["register", "churn", "churn@v9.9.8"],
        &["doctor"],
    ] {
        let run = run_timed(&repo, args);
        assert!(run.code == 0 || run.code == 1, "{}", run.transcript());
        let all = format!("{}{}", run.stdout, run.stderr);
        if args.len() == 1 || args[1] == "churn" && args.len() == 2 {
            assert!(
                all.contains("tag ref 'churn@v9.9.9' is a symbolic link")
                    && all.contains("tag ref 'churn@v9.9.8' is a FIFO"),
                "{}",
                run.transcript()
            );
        }
        if args[0] == "check-ref" && args[1] != "churn@v0.0.1" {
            // Named directly: an error naming it, never nothing and exit 0.
            assert_eq!(run.code, 1, "{}", run.transcript());
            assert!(
                run.stderr.contains(&format!("tag ref '{}' is a", args[1])),
                "{}",
                run.transcript()
            );
        }
        // A FIFO that is no registry tag by name is none of ours: not read, not named.
        assert!(!all.contains("'v1.0'"), "{}", run.transcript());
        if args[0] == "show" || args[0] == "history" {
            assert!(all.contains("v0.0.2"), "{}", run.transcript());
            assert_eq!(run.code, 0, "{}", run.transcript());
        }
    }
    let run = run_timed(&repo, &["doctor"]);
    assert!(
        run.stdout.contains("rm .git/refs/tags/churn@v9.9.8"),
        "{}",
        run.transcript()
    );
}

/// F6: `packed-refs` that is a FIFO hung every read; a link to /dev/zero grew without bound.
/// Now it is a clear error naming it (git cannot read it either).
#[test]
fn packed_refs_that_is_no_file_is_a_clear_error() {
    let repo = registry_with_history();
    let packed = repo.path().join(".git/packed-refs");
    for make in ["fifo", "zero"] {
        let _ = std::fs::remove_file(&packed);
        if make == "fifo" {
            let status = std::process::Command::new("mkfifo")
                .arg(&packed)
                .status()
                .unwrap();
            assert!(status.success());
        } else {
            std::os::unix::fs::symlink("/dev/zero", &packed).unwrap();
        }
        for args in [&["show"][..], &["show", "churn"], &["history"], &["doctor"]] {
            let run = run_timed(&repo, args);
            assert_eq!(run.code, 1, "{}", run.transcript());
            assert!(
                run.stderr.contains("packed-refs: it is a")
                    && run.stderr.contains("not a regular file"),
                "{}",
                run.transcript()
            );
        }
    }
    std::fs::remove_file(&packed).unwrap();
}

/// F12: a tag object found under another tag's name (`git update-ref refs/tags/OTHER <id>`)
/// read as a new event. Its own `tag` line names the tag it was made as: now it is an unreadable
/// tag, warned about with both names, and doctor gives the fix.
#[test]
fn a_tag_object_under_another_name_is_no_event() {
    let repo = registry_with_history();
    let object = repo.git(&["rev-parse", "refs/tags/churn@v0.0.1"]);
    repo.git(&["update-ref", "refs/tags/churn#staging#9", &object]);
    let run = run_timed(&repo, &["history", "churn"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("tag 'churn#staging#9' is the tag object of 'churn@v0.0.1'"),
        "{}",
        run.transcript()
    );
    assert!(!run.stdout.contains("staging"), "{}", run.transcript());
    let run = run_timed(&repo, &["show", "churn"]);
    assert!(!run.stdout.contains("staging"), "{}", run.transcript());
    let run = run_timed(&repo, &["doctor"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout.contains("git tag -d 'churn#staging#9'"),
        "{}",
        run.transcript()
    );
}

/// A FIFO in place of a loose object (a commit, or a tag object) blocks no read: it is a
/// corrupt object, named.
#[test]
fn a_fifo_in_place_of_an_object_is_corrupt_not_a_hang() {
    let repo = registry_with_history();
    repo.skip_fsck(); // broken on purpose
    for rev in ["HEAD", "refs/tags/churn@v0.0.2"] {
        let (oid, path, whole) = loose_file(&repo, rev);
        std::fs::remove_file(&path).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap();
        assert!(status.success());
        for args in [&["show"][..], &["show", "churn"], &["doctor"]] {
            let run = run_timed(&repo, args);
            assert!(run.code == 0 || run.code == 1, "{}", run.transcript());
            let all = format!("{}{}", run.stdout, run.stderr);
            if rev == "HEAD" && args.len() == 2 {
                continue; // `show churn` reads no commit
            }
            assert!(
                all.contains(&format!(
                    "object {oid} is corrupt (its loose file is not a regular file)"
                )),
                "{rev}: {}",
                run.transcript()
            );
        }
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, &whole).unwrap();
    }
}

/// A revision with an ancestry suffix (`HEAD~1`) is walked with checked reads too: a truncated
/// commit on the way is named, never spun on.
#[test]
fn ancestry_revisions_walk_checked_commits() {
    let repo = registry_with_history();
    repo.skip_fsck(); // broken on purpose
    let (oid, path, whole) = loose_file(&repo, "HEAD~1");
    std::fs::write(&path, &whole[..whole.len() / 2]).unwrap();
    for args in [
        &["register", "churn", "HEAD~1", "--dry-run"][..],
        &["register", "churn", "HEAD^", "--dry-run"],
        &["register", "churn", "HEAD~2", "--dry-run"],
    ] {
        let run = run_timed(&repo, args);
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(
            run.stderr.contains(&format!("object {oid} is corrupt")),
            "{}",
            run.transcript()
        );
    }
    std::fs::write(&path, &whole).unwrap();
}

/// Revisions the seam does not walk itself (`^{commit}`, `@{0}`, `:path`, `:/text`) went to
/// libgit2's revparse, which read the truncated commit unchecked and spun. git itself resolves
/// them now, and the commit it names is read with checked reads: a clear error, never a hang.
#[test]
fn other_revision_forms_never_hang_on_a_truncated_commit() {
    let repo = registry_with_history();
    repo.skip_fsck(); // broken on purpose
    let (_, path, whole) = loose_file(&repo, "HEAD");
    std::fs::write(&path, &whole[..30]).unwrap();
    for rev in ["HEAD^{commit}", "main@{0}", "HEAD:artifacts.yaml", ":/c3"] {
        for args in [
            vec!["show", "--at", rev],
            vec!["register", "churn", rev, "--dry-run"],
        ] {
            let run = run_timed(&repo, &args);
            assert_eq!(run.code, 1, "{}", run.transcript());
            assert!(!run.stderr.contains("class="), "{}", run.transcript());
        }
    }
    std::fs::write(&path, &whole).unwrap();
    // Whole again, the same forms resolve as git resolves them.
    let head = repo.git(&["rev-parse", "HEAD"]);
    let run = run_timed(&repo, &["register", "churn", "HEAD^{commit}", "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains(&head[..7]), "{}", run.transcript());
}

/// `show --at REV` names a damaged commit instead of calling it "neither a date nor a
/// revision"; an unknown one is still that.
#[test]
fn show_at_a_damaged_commit_says_it_is_damaged() {
    let repo = registry_with_history();
    repo.skip_fsck(); // broken on purpose
    let (oid, path, whole) = loose_file(&repo, "HEAD");
    std::fs::write(&path, &whole[..30]).unwrap();
    let run = run_timed(&repo, &["show", "--at", "HEAD"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains(&format!("object {oid} is corrupt")),
        "{}",
        run.transcript()
    );
    let run = run_timed(&repo, &["show", "--at", "nosuch"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("is neither a date nor a revision"),
        "{}",
        run.transcript()
    );
}
