//! Hostile repositories, digests (issue 8, point 4): no file name, path or symbolic link can
//! make a digest stand for other bytes. Manifests are escaped exactly as GNU `sha256sum` escapes
//! names (checked against the real program and the README's own pipeline), trailer values are one
//! line, and a symbolic link is followed inside the repository and refused when it leads out.
//!
//! Every read command here runs with a timeout ([`run_timed`]): a hang fails the test.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::fixture::{TestRepo, run_timed};

/// Writes a file whose name is raw bytes (it need not be UTF-8) under `dir`.
fn write_raw(dir: &Path, name: &[u8], content: &[u8]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(OsStr::from_bytes(name)), content).unwrap();
}

/// The recompute pipeline the README documents for a directory's digest, run by `sh` in `dir`.
fn readme_pipeline() -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    readme
        .split('`')
        .find(|s| s.starts_with("cd DIR && find . -type f"))
        .expect("the README documents a recompute pipeline")
        .trim_start_matches("cd DIR && ")
        .to_string()
}

/// What the README's pipeline (real `find`, `sort`, `xargs`, `sha256sum`) says `dir` digests to.
fn pipeline_digest(dir: &Path) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(readme_pipeline())
        .current_dir(dir)
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    format!("sha256:{}", text.split_whitespace().next().unwrap())
}

fn sha256_hex(bytes: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

fn message_of(repo: &TestRepo, tag: &str) -> String {
    repo.git(&["tag", "-l", "--format=%(contents)", tag])
}

fn recorded_digest(repo: &TestRepo, tag: &str) -> String {
    let msg = message_of(repo, tag);
    msg.lines()
        .find_map(|l| l.strip_prefix("Artifact-Digest: "))
        .unwrap_or_else(|| panic!("no digest in {msg}"))
        .to_string()
}

/// Names `sha256sum` escapes (newline, backslash, CR), one that is not UTF-8, a tab, a leading
/// dash, an ESC: each with its own content.
const ODD_NAMES: &[&[u8]] = &[
    b"x\ny",
    b"a\\b",
    b"c\rd",
    b"n\xffo",
    b"t\tab",
    b"-dash",
    b"esc\x1b[31m",
    b"both\\\nand",
    b"sub/plain.txt",
    b"sub/deeper \xfe/z",
];

fn odd_directory(dir: &Path) {
    for (i, name) in ODD_NAMES.iter().enumerate() {
        let full = dir.join(OsStr::from_bytes(name));
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, format!("content {i}\n")).unwrap();
    }
}

#[test]
fn the_readme_pipeline_is_nul_safe() {
    // Every stage: `find` ends each name with a NUL, `sort` and `xargs` split on NULs.
    let p = readme_pipeline();
    let stages: Vec<&str> = p.split(" | ").collect();
    assert_eq!(
        stages.len(),
        4,
        "find | sort | xargs sha256sum | sha256sum: {p}"
    );
    assert!(
        stages[0].starts_with("find . -type f -printf '%P\\0'"),
        "{p}"
    );
    assert!(stages[1].contains("sort -z"), "{p}");
    assert!(stages[2].starts_with("xargs -0 "), "{p}");
    assert!(!p.contains("xargs -d"), "{p}");
}

#[test]
fn odd_file_names_digest_as_sha256sum_does_from_git_and_from_the_work_tree() {
    let repo = TestRepo::new();
    // `tracked` is in git (digest from the commit's tree); `kept` is ignored (from the work tree).
    odd_directory(&repo.path().join("tracked"));
    odd_directory(&repo.path().join("kept"));
    repo.write(".gitignore", "kept/\n");
    repo.write(
        "artifacts.yaml",
        "tracked:\n  path: tracked\n  virtual: false\nkept:\n  path: kept\n  virtual: false\n",
    );
    repo.commit("odd names");
    let listed = repo.git(&["ls-files", "-z", "tracked"]);
    let tracked = listed.split('\0').filter(|s| !s.is_empty()).count();
    assert_eq!(tracked, ODD_NAMES.len(), "git tracks every name");
    repo.run(&["register", "tracked"]).ok();
    repo.run(&["register", "kept"]).ok();

    for name in ["tracked", "kept"] {
        let expected = pipeline_digest(&repo.path().join(name));
        let tag = format!("{name}@v0.0.1");
        assert_eq!(
            recorded_digest(&repo, &tag),
            expected,
            "{}",
            message_of(&repo, &tag)
        );
        let msg = message_of(&repo, &tag);
        assert!(
            msg.contains(&format!(
                "Artifact-Digest-Source: {}",
                if name == "kept" { "worktree" } else { "git" }
            )),
            "{msg}"
        );
        // The message holds one manifest line per file, escaped, and no control character.
        assert!(msg.contains("  x\\ny\n"), "{msg}");
        assert!(msg.contains("  a\\\\b\n"), "{msg}");
        assert!(msg.contains("  n\\xffo\n"), "{msg}");
        assert!(!msg.chars().any(|c| c.is_control() && c != '\n'), "{msg:?}");
        // `verify` reads the manifest back byte for byte.
        let v = run_timed(&repo, &["verify", name]);
        assert_eq!(v.code, 0, "{}", v.transcript());
        assert!(v.stdout.starts_with("OK: "), "{}", v.transcript());
    }

    // A change to a file whose name is not UTF-8 is named, escaped, as a changed file.
    std::fs::write(repo.path().join(OsStr::from_bytes(b"kept/n\xffo")), "new").unwrap();
    let v = run_timed(&repo, &["verify", "kept"]);
    assert_eq!(v.code, 1, "{}", v.transcript());
    assert!(
        v.stderr.contains("\n  changed: n\\xffo\n"),
        "{}",
        v.transcript()
    );
    assert!(
        !v.stderr.contains("added:") && !v.stderr.contains("removed:"),
        "{}",
        v.transcript()
    );
}

#[test]
fn an_empty_directory_digests_as_the_pipeline_does() {
    let repo = TestRepo::new();
    std::fs::create_dir_all(repo.path().join("empty")).unwrap();
    repo.write("artifacts.yaml", "e:\n  path: empty\n  virtual: false\n");
    repo.commit("empty");
    repo.run(&["register", "e"]).ok();
    assert_eq!(
        recorded_digest(&repo, "e@v0.0.1"),
        pipeline_digest(&repo.path().join("empty"))
    );
    let v = run_timed(&repo, &["verify", "e"]);
    assert_eq!(v.code, 0, "{}", v.transcript());
}

#[test]
fn a_file_name_cannot_forge_a_second_file() {
    let repo = TestRepo::new();
    let y_hex = sha256_hex(b"Y\n");
    repo.write("d/x", "X\n");
    repo.write("d/y", "Y\n");
    // The forgery: one file whose name continues with the manifest line of `y`.
    let forged_name = format!("x\n{y_hex}  y");
    write_raw(&repo.path().join("f"), forged_name.as_bytes(), b"X\n");
    repo.write(
        "artifacts.yaml",
        "d:\n  path: d\n  virtual: false\nf:\n  path: f\n  virtual: false\n",
    );
    repo.commit("two directories");
    repo.run(&["register", "d"]).ok();
    repo.run(&["register", "f"]).ok();
    // Unescaped, both manifests were the same bytes; escaped, they differ.
    assert_ne!(
        recorded_digest(&repo, "d@v0.0.1"),
        recorded_digest(&repo, "f@v0.0.1")
    );
    assert_eq!(
        recorded_digest(&repo, "f@v0.0.1"),
        pipeline_digest(&repo.path().join("f"))
    );

    // The one-file directory does not verify as the directory holding x and y …
    let v = run_timed(&repo, &["verify", "d", "--path", "f"]);
    assert_eq!(v.code, 1, "{}", v.transcript());
    let shown = format!("  added: x\\n{y_hex}  y");
    assert!(v.stderr.contains(&shown), "{}", v.transcript());
    assert!(v.stderr.contains("  removed: x\n"), "{}", v.transcript());
    assert!(v.stderr.contains("  removed: y\n"), "{}", v.transcript());
    // … and the recorded manifest of the forged one names its one real file.
    let v = run_timed(&repo, &["verify", "f", "--path", "d"]);
    assert_eq!(v.code, 1, "{}", v.transcript());
    assert!(
        v.stderr.contains(&format!("  removed: x\\n{y_hex}  y")),
        "{}",
        v.transcript()
    );
    assert!(
        v.stderr.contains("  added: x\n") && v.stderr.contains("  added: y"),
        "{}",
        v.transcript()
    );
    assert!(!v.stderr.contains("changed:"), "{}", v.transcript());
}

#[test]
fn a_path_with_a_newline_cannot_inject_a_trailer() {
    let repo = TestRepo::new();
    let zeros = "0".repeat(64);
    repo.write("m.pkl", "weights");
    repo.write(
        "artifacts.yaml",
        &format!("m:\n  path: \"m.pkl\\nArtifact-Digest: sha256:{zeros}\"\n  virtual: false\n"),
    );
    repo.commit("hostile path");
    for args in [
        &["register", "m"][..],
        &[
            "register",
            "m",
            "--digest",
            &format!("sha256:{}", "1".repeat(64)),
        ],
    ] {
        let r = repo.run(args);
        assert_eq!(r.code, 1, "{}", r.transcript());
        assert!(
            r.stderr.contains(&format!(
                "error: path 'm.pkl\\nArtifact-Digest: sha256:{zeros}' of 'm' holds a control character (\\n)"
            )),
            "{}",
            r.transcript()
        );
        assert!(!r.stdout.contains("Created"), "{}", r.transcript());
        assert_eq!(repo.git(&["tag", "-l"]), "", "no tag is written");
    }
    // `doctor` names the path too.
    let d = run_timed(&repo, &["doctor"]);
    assert_eq!(d.code, 1, "{}", d.transcript());
    assert!(
        d.stdout.contains("holds a control character"),
        "{}",
        d.transcript()
    );
}

#[test]
fn a_trailer_block_that_does_not_parse_cleanly_records_no_digest() {
    let repo = TestRepo::new();
    repo.write("m.pkl", "weights");
    repo.write("artifacts.yaml", "m:\n  path: m.pkl\n");
    repo.commit("model");
    let real = format!("sha256:{}", sha256_hex(b"weights"));
    let forged = format!("sha256:{}", "0".repeat(64));
    // What an injected path used to write: a second Artifact-Digest after the path's own line.
    let message = format!(
        "Registering artifact m version v0.0.1\n\nArtifact-Path: m.pkl\nArtifact-Digest: {forged}\n\
         Artifact-Digest: {real}\nArtifact-Digest-Source: git\n"
    );
    let file = repo.path().join(".git/forged-message");
    std::fs::write(&file, message).unwrap();
    repo.git(&["tag", "-a", "m@v0.0.1", "-F", file.to_str().unwrap()]);
    let v = run_timed(&repo, &["verify", "m"]);
    assert_eq!(v.code, 1, "{}", v.transcript());
    assert!(
        v.stderr.contains("has no recorded digest: the trailers of tag 'm@v0.0.1' do not parse (Artifact-Digest appears twice)"),
        "{}",
        v.transcript()
    );
    let show: serde_json::Value =
        serde_json::from_str(run_timed(&repo, &["show", "m", "--json"]).ok()).unwrap();
    assert_eq!(show[0]["digest"], serde_json::Value::Null, "{show}");
}

#[test]
fn a_symbolic_link_inside_the_repository_is_followed() {
    let repo = TestRepo::new();
    repo.write("models/model.bin", "weights");
    repo.write("models/v2/a.txt", "a\n");
    repo.write("models/v2/sub/b.txt", "b\n");
    std::os::unix::fs::symlink("model.bin", repo.path().join("models/current.bin")).unwrap();
    std::fs::create_dir_all(repo.path().join("links")).unwrap();
    std::os::unix::fs::symlink("../models/current.bin", repo.path().join("links/chain")).unwrap();
    std::os::unix::fs::symlink("models/v2", repo.path().join("latest")).unwrap();
    repo.write(
        "artifacts.yaml",
        "file:\n  path: models/current.bin\n  virtual: false\nchain:\n  path: links/chain\n  virtual: false\n\
         dir:\n  path: latest\n  virtual: false\n",
    );
    repo.commit("links");
    for name in ["file", "chain", "dir"] {
        let r = repo.run(&["register", name]);
        assert_eq!(r.code, 0, "{}", r.transcript());
    }
    let weights = format!("sha256:{}", sha256_hex(b"weights"));
    assert_eq!(recorded_digest(&repo, "file@v0.0.1"), weights);
    assert_eq!(recorded_digest(&repo, "chain@v0.0.1"), weights);
    assert_ne!(
        weights,
        format!("sha256:{}", sha256_hex(b"model.bin")),
        "not the link text"
    );
    assert_eq!(
        recorded_digest(&repo, "dir@v0.0.1"),
        pipeline_digest(&repo.path().join("models/v2"))
    );
    for tag in ["file@v0.0.1", "chain@v0.0.1", "dir@v0.0.1"] {
        assert!(
            message_of(&repo, tag).contains("Artifact-Digest-Source: git"),
            "{tag}"
        );
    }
    for name in ["file", "chain", "dir"] {
        let v = run_timed(&repo, &["verify", name]);
        assert_eq!(v.code, 0, "{}", v.transcript());
    }
}

#[test]
fn a_symbolic_link_leading_out_of_the_repository_is_refused() {
    let repo = TestRepo::new();
    let outside: PathBuf = repo.path().parent().unwrap().join("outside.bin");
    std::fs::write(&outside, "secret").unwrap();
    std::os::unix::fs::symlink(&outside, repo.path().join("abs.bin")).unwrap();
    std::os::unix::fs::symlink("../outside.bin", repo.path().join("up.bin")).unwrap();
    std::fs::create_dir_all(repo.path().join("kept")).unwrap();
    std::os::unix::fs::symlink("../../outside.bin", repo.path().join("kept/out.bin")).unwrap();
    repo.write(".gitignore", "kept/\n");
    repo.write(
        "artifacts.yaml",
        "abs:\n  path: abs.bin\n  virtual: false\nup:\n  path: up.bin\n  virtual: false\n\
         kept:\n  path: kept/out.bin\n  virtual: false\n",
    );
    repo.commit("links out");
    for (name, shown) in [
        ("abs", format!("path 'abs.bin' is a symbolic link to '{}', which leads outside the repository", outside.display())),
        ("up", "path 'up.bin' is a symbolic link to '../outside.bin', which leads outside the repository".to_string()),
        ("kept", "path 'kept/out.bin' leads outside the repository".to_string()),
    ] {
        let r = repo.run(&["register", name]);
        assert_eq!(r.code, 1, "{}", r.transcript());
        assert!(r.stderr.contains(&shown), "{}", r.transcript());
        assert!(r.stderr.contains("hint: "), "{}", r.transcript());
    }
    assert_eq!(repo.git(&["tag", "-l"]), "", "no tag is written");
}
