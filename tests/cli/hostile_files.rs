//! Hostile repositories, part "files" (issue 8, points 1, 8 and 10): `.gto`, `.registry.yaml`
//! and `artifacts.yaml` that are FIFOs, symbolic links to `/dev/zero` or out of the repository,
//! or larger than 16 MiB never hang a command or eat memory: each is refused with the file named.
//! `annotate` keeps what it does not edit, edits a linked file's target and keeps its mode.
//! Without a work tree (a bare repository, `-C URL`) the config comes from the default branch.
//!
//! Every run against a hostile repository goes through `run_bounded`, which kills the program
//! after a generous timeout and fails the test: a hang must fail, never block the suite.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fixture::{TestRepo, git_in, run_timed_in};

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A repository with a declared, registered and promoted `churn`.
fn base() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "artifacts.yaml",
        "churn:\n  type: model\n  description: d\n",
    );
    repo.commit("declare churn");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["promote", "churn", "prod"]).ok();
    repo
}

/// The read commands and annotate, as the tests run them.
const COMMANDS: &[&[&str]] = &[
    &["show"],
    &["show", "churn"],
    &["history"],
    &["doctor"],
    &["describe", "churn"],
    &["stages"],
    &["annotate", "churn", "--description", "new"],
];

/// The ways a file is made hostile.
#[derive(Debug, Clone, Copy)]
enum Hostile {
    /// A FIFO in the work tree: a plain open blocks until a writer comes.
    Fifo,
    /// A symbolic link to /dev/zero in the work tree.
    LinkToZero,
    /// A committed symbolic link to /dev/zero, in a plain clone.
    ClonedLinkToZero,
    /// A symbolic link to a file outside the repository.
    LinkOut,
    /// A regular file of 17 MiB (committed, so trees hold it too).
    Oversize,
}

const HOSTILES: &[Hostile] = &[
    Hostile::Fifo,
    Hostile::LinkToZero,
    Hostile::ClonedLinkToZero,
    Hostile::LinkOut,
    Hostile::Oversize,
];

/// Makes `file` hostile in a copy of `base()`; returns the directory to run in.
fn make_hostile(repo: &TestRepo, file: &str, how: Hostile) -> PathBuf {
    let path = repo.path().join(file);
    let _ = std::fs::remove_file(&path);
    match how {
        Hostile::Fifo => mkfifo(&path),
        Hostile::LinkToZero => std::os::unix::fs::symlink("/dev/zero", &path).unwrap(),
        Hostile::ClonedLinkToZero => {
            std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
            repo.commit("a link");
            let clone = repo.path().parent().unwrap().join("clone");
            git_in(
                repo,
                repo.path().parent().unwrap(),
                &["clone", "-q", repo.path().to_str().unwrap(), "clone"],
            );
            assert!(
                clone
                    .join(file)
                    .symlink_metadata()
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
            return clone;
        }
        Hostile::LinkOut => {
            let outside = repo.path().parent().unwrap().join("outside.yaml");
            std::fs::write(&outside, "churn:\n  type: model\n").unwrap();
            std::os::unix::fs::symlink("../outside.yaml", &path).unwrap();
            repo.commit("a link out");
        }
        Hostile::Oversize => {
            let mut text = String::from("# ");
            text.push_str(&"x".repeat(17 << 20));
            text.push('\n');
            std::fs::write(&path, text).unwrap();
            repo.commit("a huge file");
        }
    }
    repo.path()
}

/// What a refusal says about the file.
fn refusal(how: Hostile) -> &'static str {
    match how {
        Hostile::Fifo => "it is a FIFO (named pipe), not a regular file",
        Hostile::LinkToZero | Hostile::ClonedLinkToZero => {
            "it is a symbolic link to '/dev/zero', which leads outside the repository"
        }
        Hostile::LinkOut => {
            "it is a symbolic link to '../outside.yaml', which leads outside the repository"
        }
        Hostile::Oversize => "it is larger than 16 MiB",
    }
}

#[test]
fn hostile_config_files_are_refused_by_every_command_naming_the_file() {
    for file in [".gto", ".registry.yaml"] {
        for &how in HOSTILES {
            let repo = base();
            let dir = make_hostile(&repo, file, how);
            for args in COMMANDS {
                let run = run_timed_in(&repo, &dir, args);
                let context = format!("{file} as {how:?}\n{}", run.transcript());
                assert_eq!(run.code, 1, "{context}");
                let said = format!("{}{}", run.stdout, run.stderr);
                assert!(
                    said.contains(&format!("cannot read '{}", dir.join(file).display())),
                    "{context}"
                );
                assert!(said.contains(refusal(how)), "{context}");
                assert!(!run.stderr.contains("panicked"), "{context}");
            }
        }
    }
}

#[test]
fn hostile_artifacts_yaml_is_refused_where_it_is_read_and_never_hangs_a_read() {
    for &how in HOSTILES {
        let repo = base();
        let dir = make_hostile(&repo, "artifacts.yaml", how);
        // A FIFO cannot be committed: at HEAD the declarations are still fine.
        let at_head_is_hostile = !matches!(how, Hostile::Fifo | Hostile::LinkToZero);
        for args in COMMANDS {
            let run = run_timed_in(&repo, &dir, args);
            let context = format!("artifacts.yaml as {how:?}\n{}", run.transcript());
            assert!(!run.stderr.contains("panicked"), "{context}");
            let said = format!("{}{}", run.stdout, run.stderr);
            let named =
                said.contains("cannot read 'artifacts.yaml'") && said.contains(refusal(how));
            match args[0] {
                // annotate reads the work tree's file.
                "annotate" => {
                    assert_eq!(run.code, 1, "{context}");
                    assert!(named, "{context}");
                }
                // Read from HEAD's tree: an error (describe, doctor) or a warning (show, whose
                // registry lives in tags and must not be hidden by a bad declaration file).
                "describe" | "doctor" if at_head_is_hostile => {
                    assert_eq!(run.code, 1, "{context}");
                    assert!(named, "{context}");
                }
                "show" if at_head_is_hostile && args.len() == 1 => {
                    assert_eq!(run.code, 0, "{context}");
                    assert!(
                        run.stderr
                            .contains("warning: cannot read 'artifacts.yaml' at "),
                        "{context}"
                    );
                    assert!(named, "{context}");
                }
                // Commands that do not read declarations are untouched.
                _ => assert_eq!(run.code, 0, "{context}"),
            }
        }
    }
}

#[test]
fn links_that_stay_inside_the_repository_are_followed() {
    let repo = TestRepo::new();
    repo.write("conf/registry.yaml", "stages: [dev, prod]\n");
    std::os::unix::fs::symlink("conf/registry.yaml", repo.path().join(".registry.yaml")).unwrap();
    repo.write("decl/artifacts.yaml", "churn:\n  type: model\n");
    std::os::unix::fs::symlink("decl/artifacts.yaml", repo.path().join("artifacts.yaml")).unwrap();
    repo.commit("linked config");
    repo.run(&["register", "churn"]).ok();
    let run = run_timed_in(&repo, &repo.path(), &["promote", "churn", "staging"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("Allowed stages are: '['dev', 'prod']'"),
        "{}",
        run.transcript()
    );
    let run = run_timed_in(&repo, &repo.path(), &["describe", "churn", "--type"]);
    assert_eq!(run.stdout, "model\n", "{}", run.transcript());
    // The same through a bare clone: links are followed inside the tree.
    let bare = bare_clone(&repo);
    let run = run_timed_in(&repo, &bare, &["promote", "churn", "staging"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("Allowed stages are"),
        "{}",
        run.transcript()
    );
    let run = run_timed_in(&repo, &bare, &["describe", "churn", "--type"]);
    assert_eq!(run.stdout, "model\n", "{}", run.transcript());
}

// ---------------------------------------------------------------------------------------------
// annotate keeps what it does not edit (point 8)

#[test]
fn annotate_replaces_a_block_scalar_with_blank_lines_whole() {
    let repo = TestRepo::new();
    let text = "\
churn:
  type: model
  description: |
    First paragraph.

    Second paragraph.
  path: models/churn.pkl

forecast:
  type: model
";
    repo.write("artifacts.yaml", text);
    repo.write("models/churn.pkl", "x");
    let run = run_timed_in(
        &repo,
        &repo.path(),
        &["annotate", "churn", "--description", "new"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let after = std::fs::read_to_string(repo.path().join("artifacts.yaml")).unwrap();
    assert_eq!(
        after,
        "\
churn:
  type: model
  description: new
  path: models/churn.pkl

forecast:
  type: model
"
    );
}

#[test]
fn annotate_edits_the_target_of_a_link_inside_and_keeps_the_link_and_the_mode() {
    let repo = TestRepo::new();
    repo.write("decl/artifacts.yaml", "churn:\n  type: model\n");
    let target = repo.path().join("decl/artifacts.yaml");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = repo.path().join("artifacts.yaml");
    std::os::unix::fs::symlink("decl/artifacts.yaml", &link).unwrap();
    let run = run_timed_in(
        &repo,
        &repo.path(),
        &["annotate", "churn", "--description", "new"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("decl/artifacts.yaml")
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "churn:\n  type: model\n  description: new\n"
    );
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o600, "the mode is kept");
    // No temp file is left anywhere.
    for dir in [repo.path(), repo.path().join("decl")] {
        for e in std::fs::read_dir(dir).unwrap() {
            let name = e.unwrap().file_name();
            assert!(!name.to_string_lossy().ends_with(".tmp"), "{name:?}");
        }
    }
    // `remove` too.
    let run = run_timed_in(&repo, &repo.path(), &["remove", "churn"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o600);
}

#[test]
fn annotate_refuses_a_link_out_and_leaves_it_and_its_target_alone() {
    let repo = TestRepo::new();
    let outside = repo.path().parent().unwrap().join("outside.yaml");
    std::fs::write(&outside, "churn:\n  type: model\n").unwrap();
    let link = repo.path().join("artifacts.yaml");
    std::os::unix::fs::symlink(&outside, &link).unwrap();
    let run = run_timed_in(
        &repo,
        &repo.path(),
        &["annotate", "churn", "--description", "new"],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("cannot read 'artifacts.yaml': it is a symbolic link to")
            && run.stderr.contains("which leads outside the repository"),
        "{}",
        run.transcript()
    );
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    assert_eq!(
        std::fs::read_to_string(&outside).unwrap(),
        "churn:\n  type: model\n"
    );
    // A directory that leads out is refused as well.
    let elsewhere = repo.path().parent().unwrap().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, repo.path().join("models")).unwrap();
    let run = run_timed_in(
        &repo,
        &repo.path(),
        &["annotate", "models:churn", "--type", "model"],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("cannot read 'models/artifacts.yaml'"),
        "{}",
        run.transcript()
    );
    assert!(std::fs::read_dir(&elsewhere).unwrap().next().is_none());
    // Also when the directories below the link do not exist yet.
    let run = run_timed_in(
        &repo,
        &repo.path(),
        &["annotate", "models/cv:resnet", "--type", "model"],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("cannot read 'models/cv/artifacts.yaml': its directory leads to"),
        "{}",
        run.transcript()
    );
    assert!(std::fs::read_dir(&elsewhere).unwrap().next().is_none());
}

// ---------------------------------------------------------------------------------------------
// Config without a work tree comes from the default branch (point 10)

fn bare_clone(repo: &TestRepo) -> PathBuf {
    let parent = repo.path().parent().unwrap().to_path_buf();
    let _ = std::fs::remove_dir_all(parent.join("bare.git"));
    git_in(
        repo,
        &parent,
        &[
            "clone",
            "-q",
            "--bare",
            repo.path().to_str().unwrap(),
            "bare.git",
        ],
    );
    parent.join("bare.git")
}

/// A repository whose config limits stages and orders promotions, with `churn#prod#1` (which
/// breaks the order: v0.0.1 never held dev).
fn with_policy() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        ".registry.yaml",
        "stages: [dev, prod]\npromotion_order: [dev, prod]\n",
    );
    repo.write(".gto", "types: [model]\n");
    repo.commit("config");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["promote", "churn", "prod"]).ok();
    repo
}

/// What every repository without a work tree must still enforce.
fn assert_policy_is_read(repo: &TestRepo, dir: &Path, at: &str) {
    let c = |args: &[&str]| {
        let mut all = vec!["-C", at];
        all.extend_from_slice(args);
        run_timed_in(repo, dir, &all)
    };
    let run = c(&["promote", "churn", "badstage", "--dry-run"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("Allowed stages are: '['dev', 'prod']'"),
        "{}",
        run.transcript()
    );
    // A bare repository's HEAD branch is its own default branch: read even at the tag's
    // commit (a tag of the tip is the common case).
    let run = c(&["check-ref", "churn#prod#1", "--policy"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains(
            "policy: 'churn#prod#1' gives prod to churn v0.0.1, which never held dev before"
        ),
        "{}",
        run.transcript()
    );
    let run = c(&["doctor"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout.contains("which never held dev before"),
        "{}",
        run.transcript()
    );
    assert!(
        !run.stdout.contains("no commits yet"),
        "{}",
        run.transcript()
    );
    let run = c(&["stages", "--allowed"]);
    assert_eq!(run.stdout, "dev\nprod\n", "{}", run.transcript());
}

#[test]
fn a_bare_repository_reads_its_config_from_head() {
    let repo = with_policy();
    let bare = bare_clone(&repo);
    assert_policy_is_read(&repo, &repo.path(), bare.to_str().unwrap());
}

#[test]
fn a_url_reads_its_config_from_the_remotes_default_branch() {
    let repo = with_policy();
    let bare = bare_clone(&repo);
    let url = format!("file://{}", bare.display());
    assert_policy_is_read(&repo, &repo.path(), &url);
}

#[test]
fn a_bare_repository_whose_head_names_a_missing_branch_uses_its_only_branch_and_doctor_says_why() {
    let repo = with_policy();
    let parent = repo.path().parent().unwrap().to_path_buf();
    // What `git init --bare` and a push of `main` leave: HEAD names `master`, which never comes.
    git_in(&repo, &parent, &["init", "-q", "--bare", "pushed.git"]);
    git_in(
        &repo,
        &parent.join("pushed.git"),
        &["symbolic-ref", "HEAD", "refs/heads/master"],
    );
    let pushed = parent.join("pushed.git");
    repo.git(&["push", "-q", pushed.to_str().unwrap(), "main", "--tags"]);
    let at = pushed.to_str().unwrap();
    let run = run_timed_in(&repo, &repo.path(), &["-C", at, "doctor"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        !run.stdout.contains("no commits yet"),
        "{}",
        run.transcript()
    );
    assert!(
        run.stdout.contains(
            "problem: HEAD names the branch 'master', which does not exist (the branches are: main)"
        ) && run.stdout.contains(
            "fix: point HEAD at the default branch: `git symbolic-ref HEAD refs/heads/main`"
        ),
        "{}",
        run.transcript()
    );
    assert_policy_is_read(&repo, &repo.path(), at);
    assert_policy_is_read(&repo, &repo.path(), &format!("file://{at}"));

    // With two branches and no HEAD, which one holds the config cannot be told: a clear error.
    repo.git(&["push", "-q", at, "main:other"]);
    let run = run_timed_in(
        &repo,
        &repo.path(),
        &["-C", at, "promote", "churn", "badstage"],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("error: HEAD names 'refs/heads/master', which does not exist, and the repository has several branches (main, other)"),
        "{}",
        run.transcript()
    );
    assert!(
        run.stderr.contains("symbolic-ref HEAD refs/heads/main"),
        "{}",
        run.transcript()
    );
}

#[test]
fn hostile_config_files_in_a_bare_repository_are_refused_too() {
    for how in [
        Hostile::ClonedLinkToZero,
        Hostile::LinkOut,
        Hostile::Oversize,
    ] {
        for file in [".gto", ".registry.yaml"] {
            let repo = base();
            make_hostile(&repo, file, how);
            let bare = bare_clone(&repo);
            for args in COMMANDS.iter().filter(|a| a[0] != "annotate") {
                let mut all = vec!["-C", bare.to_str().unwrap()];
                all.extend_from_slice(args);
                let run = run_timed_in(&repo, &repo.path(), &all);
                let context = format!("{file} as {how:?}\n{}", run.transcript());
                assert_eq!(run.code, 1, "{context}");
                let said = format!("{}{}", run.stdout, run.stderr);
                assert!(
                    said.contains(&format!("cannot read '{file}' at HEAD (")),
                    "{context}"
                );
                assert!(said.contains(refusal(how)), "{context}");
            }
        }
    }
}
