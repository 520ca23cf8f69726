//! `registry get` against a source that does not hold the registered bytes, a hostile tree, and
//! an interrupted get: nothing is ever left at `-o` (nor a temporary beside it), the exit code
//! is 1 and a directory's differing files are named.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::repo_with_artifacts;
use crate::fixture::{HANG, TestRepo, names_in, registry_bin, wait_within};

/// Tags `tag` at HEAD with the message of `like` (its trailers and manifest): a registration
/// that records bytes HEAD does not hold.
fn forge(repo: &TestRepo, tag: &str, like: &str) {
    let message = repo.git(&["tag", "-l", "--format=%(contents)", like]);
    repo.git(&["tag", "-a", tag, "-m", &message]);
}

#[test]
fn a_tampered_directory_is_caught_naming_its_files_and_nothing_is_left() {
    let repo = repo_with_artifacts();
    // Other files than recorded: refused from the listing, before a file is written (a small
    // push can hold a tree that expands to millions of files).
    repo.write("data/new.bin", "extra");
    std::fs::remove_file(repo.path().join("data/sub/b.sh")).unwrap();
    repo.commit("tamper the listing");
    forge(&repo, "data@v0.0.3", "data@v0.0.1");
    let run = repo.run(&["get", "data@v0.0.3", "-o", "d"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    for line in [
        "error: data v0.0.3: git holds other files than its registration recorded; nothing was written",
        "\n  added: new.bin\n",
        "\n  missing: sub/b.sh\n",
    ] {
        assert!(run.stderr.contains(line), "{line:?} in {}", run.stderr);
    }
    assert!(
        !names_in(&repo.path())
            .iter()
            .any(|n| n == "d" || n.contains("registry-get"))
    );
    // The same files with other contents: caught as they are written.
    repo.write("data/sub/b.sh", "#!/bin/sh\necho b\n");
    repo.git(&["rm", "-q", "data/new.bin"]);
    repo.write("data/a.txt", "tampered\n");
    repo.commit("tamper a file");
    forge(&repo, "data@v0.0.2", "data@v0.0.1");
    let run = repo.run(&["get", "data@v0.0.2", "-o", "d"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    for line in [
        "error: the bytes fetched for data v0.0.2 do not match its recorded digest: recorded sha256:",
        "nothing was written",
        "\n  changed: a.txt\n",
    ] {
        assert!(run.stderr.contains(line), "{line:?} in {}", run.stderr);
    }
    assert!(
        !names_in(&repo.path())
            .iter()
            .any(|n| n == "d" || n.contains("registry-get"))
    );
    // With --force the old copy stays when the new one fails.
    repo.run(&["get", "data@v0.0.1", "-o", "d"]).ok();
    let before = super::listing(&repo.path().join("d"));
    assert_eq!(
        repo.run(&["get", "data@v0.0.2", "-o", "d", "--force"]).code,
        1
    );
    assert_eq!(super::listing(&repo.path().join("d")), before);
    assert!(
        !names_in(&repo.path())
            .iter()
            .any(|n| n.contains("registry-get"))
    );
}

#[test]
fn a_tampered_file_is_caught() {
    let repo = repo_with_artifacts();
    repo.write("models/churn.pkl", "other weights");
    repo.commit("tamper");
    forge(&repo, "churn@v0.0.2", "churn@v0.0.1");
    let run = repo.run(&["get", "churn@v0.0.2", "-o", "m.pkl"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("do not match its recorded digest: recorded sha256:"),
        "{}",
        run.stderr
    );
    assert!(
        !names_in(&repo.path())
            .iter()
            .any(|n| n == "m.pkl" || n.contains("registry-get"))
    );
}

/// `git hash-object -t tree --literally` of raw tree bytes: a tree git itself would not write.
fn raw_tree(repo: &TestRepo, entries: &[(&str, &[u8], &str)]) -> String {
    let mut bytes = Vec::new();
    for (mode, name, oid) in entries {
        bytes.extend_from_slice(mode.as_bytes());
        bytes.push(b' ');
        bytes.extend_from_slice(name);
        bytes.push(0);
        for i in (0..oid.len()).step_by(2) {
            bytes.push(u8::from_str_radix(&oid[i..i + 2], 16).unwrap());
        }
    }
    let mut child = repo
        .command(Path::new("git"), &repo.path())
        .args(["hash-object", "-t", "tree", "-w", "--literally", "--stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn a_hostile_tree_name_is_refused_and_nothing_is_written() {
    for bad in [&b".."[..], b"a/b", b".git", b"."] {
        let repo = TestRepo::new();
        repo.write("artifacts.yaml", "data:\n  path: data\n  virtual: false\n");
        repo.commit("declare");
        let yaml = repo.git(&["rev-parse", "HEAD:artifacts.yaml"]);
        let file = repo.git(&["hash-object", "-w", "artifacts.yaml"]);
        let inner = raw_tree(&repo, &[("100644", b"ok", &file), ("100644", bad, &file)]);
        let root = raw_tree(
            &repo,
            &[
                ("100644", b"artifacts.yaml", &yaml),
                ("40000", b"data", &inner),
            ],
        );
        let commit = repo.git(&["commit-tree", &root, "-m", "hostile"]);
        repo.git(&[
            "tag",
            "-a",
            "data@v0.0.1",
            "-m",
            "Registering artifact data version v0.0.1",
            &commit,
        ]);
        let run = crate::fixture::run_timed(&repo, &["get", "data", "-o", "d"]);
        assert_eq!(run.code, 1, "{bad:?}: {}", run.transcript());
        assert!(
            run.stderr.contains("hostile tree"),
            "{bad:?}: {}",
            run.stderr
        );
        assert!(
            !names_in(&repo.path())
                .iter()
                .any(|n| n == "d" || n.contains("registry-get")),
            "{bad:?}"
        );
    }
}

/// A `git` on PATH that runs the real one, but whose `cat-file` stops after its first MiB for
/// as long as the test needs (until killed): a get caught mid-stream, every time.
fn slow_git(dir: &Path) -> std::ffi::OsString {
    let real = String::from_utf8(
        Command::new("sh")
            .args(["-c", "command -v git"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let bin = dir.join("slow-bin");
    std::fs::create_dir(&bin).unwrap();
    let script = format!(
        "#!/bin/sh\ncase \" $* \" in\n  *' cat-file '*) '{}' \"$@\" | {{ head -c 1048576; sleep 20; cat; }} ;;\n  *) exec '{}' \"$@\" ;;\nesac\n",
        real.trim(),
        real.trim()
    );
    let path = bin.join("git");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let mut p = bin.into_os_string();
    p.push(":");
    p.push(std::env::var_os("PATH").unwrap_or_default());
    p
}

#[test]
fn an_interrupted_get_leaves_no_partial_file() {
    let repo = TestRepo::new();
    repo.write(
        "artifacts.yaml",
        "big:\n  path: big.bin\n  virtual: false\n",
    );
    let big: Vec<u8> = (0..8u32 << 20).map(|i| (i % 253) as u8).collect();
    std::fs::write(repo.path().join("big.bin"), &big).unwrap();
    repo.commit_with_git("big");
    repo.run(&["register", "big"]).ok();
    let path = slow_git(repo.path().parent().unwrap());
    for signal in ["INT", "TERM"] {
        let mut child = repo
            .command(&registry_bin(), &repo.path())
            .env("PATH", &path)
            .args(["get", "big", "-o", "out.bin"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait for the temporary to hold half a MiB: the get is mid-stream.
        let start = Instant::now();
        let temp = loop {
            let found = names_in(&repo.path())
                .into_iter()
                .find(|n| n.starts_with(".out.bin.registry-get-"));
            if let Some(t) = found
                && std::fs::metadata(repo.path().join(&t)).is_ok_and(|m| m.len() >= 512 << 10)
            {
                break t;
            }
            assert!(start.elapsed() < HANG, "the get never started writing");
            std::thread::sleep(Duration::from_millis(5));
        };
        let kill = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let status = wait_within(&mut child, HANG, "registry get big");
        // Dies of the signal (the caller sees an interrupt), not of an error of its own.
        use std::os::unix::process::ExitStatusExt as _;
        let number = if signal == "INT" { 2 } else { 15 };
        assert_eq!(status.signal(), Some(number), "{signal}: {status:?}");
        assert!(
            !repo.path().join(&temp).exists(),
            "{signal}: {temp} left behind"
        );
        assert!(
            !repo.path().join("out.bin").exists(),
            "{signal}: a partial out.bin"
        );
    }
    // The slow git's `sleep` may outlive the get; it holds nothing of ours.
}

#[test]
fn a_fifo_at_out_never_blocks_and_is_replaced_with_force() {
    let repo = repo_with_artifacts();
    let fifo = repo.path().join("m.pkl");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let run = crate::fixture::run_timed(&repo, &["get", "churn", "-o", "m.pkl"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("'m.pkl' already exists"),
        "{}",
        run.stderr
    );
    let run = crate::fixture::run_timed(&repo, &["get", "churn", "-o", "m.pkl", "--force"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(
        std::fs::read(&fifo).unwrap(),
        super::blob(&repo, "HEAD:models/churn.pkl")
    );
}

#[test]
fn a_linked_path_is_followed_inside_the_repository_and_refused_out_of_it() {
    let repo = TestRepo::new();
    repo.write(
        "artifacts.yaml",
        "cur:\n  path: models/current.pkl\n  virtual: false\nout:\n  path: models/out.pkl\n  virtual: false\n",
    );
    repo.write("models/v2.pkl", "v2 weights");
    std::os::unix::fs::symlink("v2.pkl", repo.path().join("models/current.pkl")).unwrap();
    std::os::unix::fs::symlink("../../elsewhere", repo.path().join("models/out.pkl")).unwrap();
    repo.commit_with_git("links");
    repo.run(&["register", "cur"]).ok();
    repo.git(&[
        "tag",
        "-a",
        "out@v0.0.1",
        "-m",
        "Registering artifact out version v0.0.1",
    ]);
    let run = repo.run(&["get", "cur"]);
    assert!(
        run.ok().contains("to current.pkl: sha256:"),
        "{}",
        run.transcript()
    );
    assert_eq!(
        std::fs::read(repo.path().join("current.pkl")).unwrap(),
        b"v2 weights"
    );
    let run = crate::fixture::run_timed(&repo, &["get", "out", "-o", "o.pkl"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("leads outside the repository"),
        "{}",
        run.stderr
    );
    assert!(!repo.path().join("o.pkl").exists());
}

/// A path through `.git` (a tree git never writes, but a push can hold) is never written: in
/// the operator's directory it would be a repository whose config runs the attacker's commands.
/// A hidden name is not chosen as the default `-o` either.
#[test]
fn a_path_through_dot_git_is_refused_and_hidden_names_need_an_explicit_out() {
    let repo = TestRepo::new();
    repo.write("artifacts.yaml", "evil:\n  path: .git\n  virtual: false\n");
    repo.commit("declare");
    let yaml = repo.git(&["rev-parse", "HEAD:artifacts.yaml"]);
    let config = repo.git(&["hash-object", "-w", "artifacts.yaml"]);
    let dot_git = raw_tree(&repo, &[("100644", b"config", &config)]);
    let root = raw_tree(
        &repo,
        &[
            ("40000", b".git", &dot_git),
            ("100644", b"artifacts.yaml", &yaml),
        ],
    );
    let commit = repo.git(&["commit-tree", &root, "-m", "hostile"]);
    repo.git(&[
        "tag",
        "-a",
        "evil@v0.0.1",
        "-m",
        "Registering artifact evil version v0.0.1",
        &commit,
    ]);
    let elsewhere = repo.path().parent().unwrap().join("deploy");
    std::fs::create_dir(&elsewhere).unwrap();
    for out in [None, Some(elsewhere.join("copy"))] {
        let mut args = vec![
            "-C".to_string(),
            repo.path().display().to_string(),
            "get".into(),
            "evil".into(),
        ];
        if let Some(o) = &out {
            args.extend(["-o".to_string(), o.display().to_string()]);
        }
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = repo.run_with(&argv, |c| {
            c.current_dir(&elsewhere);
        });
        assert_eq!(run.code, 1, "{}", run.transcript());
        let why = if out.is_some() {
            "goes through '.git'"
        } else {
            "hidden name '.git'"
        };
        assert!(run.stderr.contains(why), "{}", run.stderr);
        assert_eq!(
            std::fs::read_dir(&elsewhere).unwrap().count(),
            0,
            "nothing written"
        );
    }
    // A hidden file name: written only where -o says. (The hostile tree stays in this
    // repository's history, so git fsck would flag every later write: not checked here.)
    repo.skip_fsck();
    repo.write("artifacts.yaml", "env:\n  path: .envrc\n  virtual: false\n");
    repo.write(".envrc", "export A=1\n");
    repo.commit("envrc");
    repo.run(&["register", "env"]).ok();
    let run = repo.run(&["get", "env"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("hidden name '.envrc'"),
        "{}",
        run.stderr
    );
    repo.run(&["get", "env", "-o", "env.sh"]).ok();
    assert_eq!(
        std::fs::read_to_string(repo.path().join("env.sh")).unwrap(),
        "export A=1\n"
    );
}
