//! DVC-tracked bytes (issue 12, point 4): `registry get` writes what DVC's md5 names, from DVC's
//! local cache when it holds them (no `dvc` process: these runs have no `dvc` on PATH), else
//! through `dvc get` from the DVC remote at the registered commit (the cache deleted, or a
//! `-C file://` URL, whose repository is the one `dvc get` reads), a file and a directory alike;
//! a tampered cache object is caught and a missing `dvc` named, nothing left.
//!
//! Real DVC is the oracle (found as `dvc_peer` finds it; skipped with a printed reason without
//! it, unless `REGISTRY_REQUIRE_DVC=1`), hermetic as `dvc_peer` runs it; the remote is a local
//! directory. The missing-`dvc` test needs no DVC: its `.dvc` record is written by hand.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::dvc_fixture::{awkward_dir, declare, dvc, dvc_or_skip, dvc_repo, write_bytes};
use crate::fixture::{Run, TestRepo, names_in, run_timed_in_with};

/// DVC's environment as `dvc_peer` sets it (state in the test's HOME, no analytics, no network),
/// and a PATH of `git` and, when given, DVC's own directory.
fn dvc_env(cmd: &mut Command, repo: &TestRepo, dvc_bin: Option<&Path>) {
    crate::dvc_peer::hermetic_env(cmd, repo);
    let mut dirs = vec![git_only(repo)];
    if let Some(bin) = dvc_bin {
        // `dvc get` runs git and a shell too.
        dirs.extend([
            bin.parent().unwrap().to_path_buf(),
            PathBuf::from("/usr/bin"),
            PathBuf::from("/bin"),
        ]);
    }
    cmd.env("PATH", std::env::join_paths(dirs).unwrap());
}

/// A directory holding only a link to `git`.
fn git_only(repo: &TestRepo) -> PathBuf {
    crate::fixture::programs_only(repo.path().parent().unwrap(), "git-only", &["git"]).unwrap()
}

/// Every regular file under `dir`, relative path and bytes, sorted.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// A DVC repository with `churn` (a file) and `imgs` (a directory of awkward names) added,
/// pushed to a local DVC remote, committed and registered.
fn pushed(bin: &Path) -> (TestRepo, PathBuf) {
    let repo = dvc_repo(bin);
    let store = repo.path().parent().unwrap().join("dvc-store");
    write_bytes(&repo, "models/churn.pkl", b"w1\r\nweights\x00\xff\r\n");
    awkward_dir(&repo, "data/imgs");
    dvc(&repo, bin, &["add", "-q", "models/churn.pkl", "data/imgs"]);
    dvc(
        &repo,
        bin,
        &["remote", "add", "-d", "store", store.to_str().unwrap()],
    );
    dvc(&repo, bin, &["push", "-q"]);
    declare(&repo, "churn", "models/churn.pkl");
    declare(&repo, "imgs", "data/imgs");
    repo.commit("train");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["register", "imgs"]).ok();
    (repo, store)
}

/// `registry ARGS` in a fresh directory `out/` beside the repository (`-C` the repository).
fn get_in(repo: &TestRepo, dvc_bin: Option<&Path>, args: &[&str]) -> (Run, PathBuf) {
    let out = repo.path().parent().unwrap().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let root = repo.path();
    let mut full = vec!["-C", root.to_str().unwrap()];
    full.extend_from_slice(args);
    let run = run_timed_in_with(repo, &out, &full, |c| dvc_env(c, repo, dvc_bin));
    (run, out)
}

#[test]
fn get_copies_from_dvc_cache_without_running_dvc() {
    let Some(bin) = dvc_or_skip("get from cache") else {
        return;
    };
    let (repo, store) = pushed(&bin);
    // No remote and no `dvc` on PATH: only the cache can serve these.
    std::fs::remove_dir_all(&store).unwrap();
    let (run, out) = get_in(&repo, None, &["get", "churn", "-o", "m.pkl", "--json"]);
    let json: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(json["source"], "dvc");
    assert_eq!(json["verified"], true);
    assert_eq!(
        std::fs::read(out.join("m.pkl")).unwrap(),
        std::fs::read(repo.path().join("models/churn.pkl")).unwrap()
    );
    let (run, out) = get_in(&repo, None, &["get", "imgs", "-o", "imgs"]);
    run.ok();
    assert_eq!(
        files(&out.join("imgs")),
        files(&repo.path().join("data/imgs"))
    );
}

#[test]
fn get_runs_dvc_get_when_the_cache_is_gone() {
    let Some(bin) = dvc_or_skip("get through dvc get") else {
        return;
    };
    let (repo, _store) = pushed(&bin);
    let expected_file = std::fs::read(repo.path().join("models/churn.pkl")).unwrap();
    let expected_dir = files(&repo.path().join("data/imgs"));
    std::fs::remove_dir_all(repo.path().join(".dvc/cache")).unwrap();
    let (run, out) = get_in(&repo, Some(&bin), &["get", "churn", "-o", "m.pkl"]);
    assert!(run.ok().contains("verified"), "{}", run.transcript());
    assert_eq!(std::fs::read(out.join("m.pkl")).unwrap(), expected_file);
    let (run, out) = get_in(&repo, Some(&bin), &["get", "imgs", "-o", "imgs", "--json"]);
    let json: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(json["source"], "dvc");
    assert_eq!(files(&out.join("imgs")), expected_dir);
}

#[test]
fn a_tampered_cache_object_is_caught_and_nothing_is_left() {
    let Some(bin) = dvc_or_skip("tampered cache") else {
        return;
    };
    let (repo, _store) = pushed(&bin);
    let md5 = dvc_md5_of(&repo, "models/churn.pkl.dvc");
    let object = repo
        .path()
        .join(".dvc/cache/files/md5")
        .join(&md5[..2])
        .join(&md5[2..]);
    let mut perms = std::fs::metadata(&object).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o644);
    std::fs::set_permissions(&object, perms).unwrap();
    std::fs::write(&object, b"tampered").unwrap();
    let (run, out) = get_in(&repo, None, &["get", "churn", "-o", "m.pkl"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("is not the one its name says"),
        "{}",
        run.transcript()
    );
    assert!(names_in(&out).is_empty(), "{:?}", names_in(&out));
}

/// The md5 of the one out of a `.dvc` file in the work tree.
fn dvc_md5_of(repo: &TestRepo, file: &str) -> String {
    let text = std::fs::read_to_string(repo.path().join(file)).unwrap();
    text.lines()
        .find_map(|l| l.trim_start_matches(['-', ' ']).strip_prefix("md5: "))
        .unwrap()
        .to_string()
}

#[test]
fn without_dvc_and_its_cache_get_names_the_program() {
    // DVC's record written by hand (DVC 3's format): no DVC needed.
    let repo = TestRepo::new();
    std::fs::create_dir_all(repo.path().join(".dvc")).unwrap();
    repo.write(".dvc/config", "");
    repo.write(".dvc/.gitignore", "/cache\n");
    repo.write(
        "models/churn.pkl.dvc",
        "outs:\n- md5: 0cc175b9c0f1b6a831c399e269772661\n  size: 1\n  hash: md5\n  path: churn.pkl\n",
    );
    repo.write("models/.gitignore", "/churn.pkl\n");
    declare(&repo, "churn", "models/churn.pkl");
    repo.commit("dvc add");
    repo.run(&["register", "churn"]).ok();
    let (run, out) = get_in(&repo, None, &["get", "churn", "-o", "m.pkl"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("the `dvc` program that fetches it is not installed")
            && run.stderr.contains("pip install dvc"),
        "{}",
        run.transcript()
    );
    assert!(names_in(&out).is_empty(), "{:?}", names_in(&out));
}

#[test]
fn get_with_a_url_runs_dvc_get_on_that_url() {
    let Some(bin) = dvc_or_skip("get -C URL") else {
        return;
    };
    let (repo, _store) = pushed(&bin);
    let top = repo.path().parent().unwrap().to_path_buf();
    let bare = top.join("remote.git");
    let ok = |out: std::process::Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    ok(repo
        .command(Path::new("git"), &top)
        .args(["init", "-q", "--bare", "-b", "main", "remote.git"])
        .output()
        .unwrap());
    for (k, v) in [
        ("uploadpack.allowFilter", "true"),
        ("uploadpack.allowAnySHA1InWant", "true"),
    ] {
        ok(repo
            .command(Path::new("git"), &bare)
            .args(["config", k, v])
            .output()
            .unwrap());
    }
    let url = format!("file://{}", bare.display());
    repo.git(&["push", "-q", &url, "main", "--tags"]);
    let expected = std::fs::read(repo.path().join("models/churn.pkl")).unwrap();
    // The local cache is not the URL's: only the DVC remote can serve these.
    std::fs::remove_dir_all(repo.path().join(".dvc/cache")).unwrap();
    let out = top.join("deploy");
    std::fs::create_dir(&out).unwrap();
    let run = run_timed_in_with(
        &repo,
        &out,
        &["-C", &url, "get", "churn", "-o", "m.pkl"],
        |c| {
            dvc_env(c, &repo, Some(&bin));
        },
    );
    assert!(run.ok().contains("verified"), "{}", run.transcript());
    assert_eq!(std::fs::read(out.join("m.pkl")).unwrap(), expected);
    assert_eq!(names_in(&out), ["m.pkl"]);
}

/// A tag GTO wrote (no digest recorded) of bytes DVC tracks: the commit's `.dvc` file pins
/// them, so a tampered DVC remote is caught all the same (DVC itself does not check what its
/// remote serves), and good bytes are verified against that record.
#[test]
fn a_gto_tag_of_dvc_bytes_is_held_to_the_commits_dvc_record() {
    let Some(bin) = dvc_or_skip("GTO tag of DVC bytes") else {
        return;
    };
    let (repo, store) = pushed(&bin);
    repo.git(&[
        "tag",
        "-a",
        "churn@v0.0.5",
        "-m",
        "Registering artifact churn version v0.0.5",
    ]);
    std::fs::remove_dir_all(repo.path().join(".dvc/cache")).unwrap();
    let (run, out) = get_in(
        &repo,
        Some(&bin),
        &["get", "churn@v0.0.5", "-o", "m.pkl", "--json"],
    );
    let json: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(json["verified"], true, "{}", run.transcript());
    std::fs::remove_file(out.join("m.pkl")).unwrap();
    // The remote's object tampered with.
    let md5 = dvc_md5_of(&repo, "models/churn.pkl.dvc");
    let object = store.join("files/md5").join(&md5[..2]).join(&md5[2..]);
    let mut perms = std::fs::metadata(&object).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o644);
    std::fs::set_permissions(&object, perms).unwrap();
    std::fs::write(&object, b"tampered").unwrap();
    let (run, out) = get_in(&repo, Some(&bin), &["get", "churn@v0.0.5", "-o", "m.pkl"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("do not match"), "{}", run.transcript());
    assert!(names_in(&out).is_empty(), "{:?}", names_in(&out));
}

/// SIGTERM sent to registry alone (a supervisor, `kill PID`): the `dvc get` it runs is stopped
/// with it, so nothing writes into the staging path once it is removed.
#[test]
fn a_signal_to_registry_alone_stops_the_dvc_get_it_runs() {
    let Some(bin) = dvc_or_skip("signal during dvc get") else {
        return;
    };
    let (repo, _store) = pushed(&bin);
    std::fs::remove_dir_all(repo.path().join(".dvc/cache")).unwrap();
    // A `dvc` that says nothing for a while, then writes where it was told (`-o` is its 4th
    // argument), and leaves a mark that it ran to the end.
    let fake = repo.path().parent().unwrap().join("fake-dvc");
    std::fs::create_dir_all(&fake).unwrap();
    let mark = repo.path().parent().unwrap().join("finished");
    std::fs::write(
        fake.join("dvc"),
        format!(
            "#!/bin/sh\nsleep 3\nprintf late > \"$4\"\ntouch '{}'\n",
            mark.display()
        ),
    )
    .unwrap();
    let mut perms = std::fs::metadata(fake.join("dvc")).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(fake.join("dvc"), perms).unwrap();
    let out = repo.path().parent().unwrap().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let mut cmd = repo.command(&crate::fixture::registry_bin(), &out);
    dvc_env(&mut cmd, &repo, Some(&fake.join("dvc")));
    let mut child = cmd
        .args([
            "-C",
            repo.path().to_str().unwrap(),
            "get",
            "churn",
            "-o",
            "m.pkl",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(800));
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = crate::fixture::wait_within(&mut child, crate::fixture::HANG, "registry get");
    use std::os::unix::process::ExitStatusExt as _;
    assert_eq!(status.signal(), Some(15), "{status:?}");
    std::thread::sleep(std::time::Duration::from_secs(4));
    assert!(!mark.exists(), "the dvc get ran on after registry died");
    assert!(names_in(&out).is_empty(), "{:?}", names_in(&out));
}
