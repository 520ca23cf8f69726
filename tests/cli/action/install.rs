//! The action's installer, played against a fake release (fixture/release.rs) whose archives
//! hold stand-ins printing `registry for TARGET`: each runner gets its own archive, over
//! file:// and HTTP, for `latest` and a pinned version; an unsupported runner, a changed
//! archive, a missing file and a bad input each fail naming what is wrong, installing nothing;
//! actions/cache restores what an earlier job saved; a job cancelled mid-download leaves
//! nothing. Bad inputs: action/inputs.rs.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{ActionRun, Runner, play};
use crate::fixture::{HOST, TARGETS, TestRepo, fake_release, serve_dir};

const PAIRS: [(&str, &str); 5] = [
    ("Linux", "X64"),
    ("Linux", "ARM64"),
    ("macOS", "X64"),
    ("macOS", "ARM64"),
    ("Windows", "X64"),
];

/// A release of stand-ins only (the real binary is the check's, action/check.rs).
fn release(root: &Path) -> PathBuf {
    let stand_in = root.join("host-stand-in");
    std::fs::write(
        &stand_in,
        format!("#!/bin/sh\necho 'registry for {HOST}'\n"),
    )
    .unwrap();
    fake_release(root, "v0.1.0", &stand_in)
}

fn file_url(releases: &Path) -> String {
    format!("file://{}", releases.display())
}

fn sha256(file: &Path) -> String {
    let out = Command::new("sha256sum").arg(file).output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

/// Installs only (`check: false`), on `runner`.
fn install(repo: &TestRepo, runner: &Runner, url: &str, version: &str) -> ActionRun {
    let with = [
        ("release-url", url),
        ("version", version),
        ("check", "false"),
    ];
    play(repo, &repo.path(), runner, &with, &[])
}

/// What the tool cache holds, every file and directory below `git-model-registry/` (which
/// the installer may make before it fails), sorted: empty when nothing was installed.
fn cached(runner: &Runner) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![runner.tool_cache.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(&runner.tool_cache).unwrap();
            if rel != Path::new("git-model-registry") {
                out.push(rel.display().to_string());
            }
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn each_runner_gets_the_archive_of_its_os_and_architecture() {
    let repo = TestRepo::new();
    let root = tempfile::tempdir().unwrap();
    let releases = release(root.path());
    for ((os, arch), target) in PAIRS.into_iter().zip(TARGETS) {
        let dir = tempfile::tempdir().unwrap();
        let runner = Runner {
            os: os.into(),
            arch: arch.into(),
            // Windows' is `C:\hostedtoolcache\windows`.
            tool_cache: dir.path().join(r"hosted\toolcache"),
            ..Runner::linux(dir.path())
        };
        let run = install(&repo, &runner, &file_url(&releases), "v0.1.0");
        assert!(run.ok, "{os}/{arch}:\n{}", run.log);
        // The `--version` of the step that puts it on PATH ran the stand-in of that target.
        assert!(
            run.log.contains(&format!("registry for {target}\n")),
            "{}",
            run.log
        );
        let archive = if os == "Windows" {
            format!("registry-{target}.zip")
        } else {
            format!("registry-{target}.tar.gz")
        };
        let digest = sha256(&releases.join("download/v0.1.0").join(&archive));
        // The verified archive is what the cache keeps; the binary is unpacked in the job's
        // own temporary directory.
        let cached_archive = runner
            .tool_cache
            .join("git-model-registry")
            .join(&digest)
            .join(&archive);
        assert_eq!(
            std::fs::read(&cached_archive).unwrap(),
            std::fs::read(releases.join("download/v0.1.0").join(&archive)).unwrap()
        );
        let installed = PathBuf::from(&run.outputs["registry-path"]);
        assert!(
            installed.starts_with(&runner.temp),
            "{}",
            installed.display()
        );
        let exe = if os == "Windows" {
            "registry.exe"
        } else {
            "registry"
        };
        assert!(installed.join(exe).is_file(), "{}", run.log);
        assert_eq!(run.path, std::slice::from_ref(&installed), "added to PATH");
        assert!(
            run.log.contains(&format!(
                "Cache not found for key: registry-{os}-{arch}-{digest}\n"
            )),
            "{}",
            run.log
        );
        // No check asked: its outputs are empty, and nothing but the install ran.
        assert_eq!(run.outputs["event"], "");
        assert!(run.log.contains("(skipped: if inputs.check == 'true')"));
    }
}

#[test]
fn a_runner_without_a_release_fails_naming_its_os_and_architecture() {
    let repo = TestRepo::new();
    let root = tempfile::tempdir().unwrap();
    let releases = release(root.path());
    for (os, arch) in [("Linux", "ARM"), ("Windows", "ARM64"), ("FreeBSD", "X64")] {
        let dir = tempfile::tempdir().unwrap();
        let runner = Runner {
            os: os.into(),
            arch: arch.into(),
            ..Runner::linux(dir.path())
        };
        let run = install(&repo, &runner, &file_url(&releases), "latest");
        assert!(!run.ok);
        assert!(
            run.log.contains(&format!(
                "error: no registry release for RUNNER_OS '{os}' and RUNNER_ARCH '{arch}'"
            )),
            "{}",
            run.log
        );
        assert!(cached(&runner).is_empty(), "{:?}", cached(&runner));
    }
}

#[test]
fn a_changed_archive_fails_with_both_digests_and_installs_nothing() {
    let repo = TestRepo::new();
    let root = tempfile::tempdir().unwrap();
    let releases = release(root.path());
    let archive = releases.join(format!("latest/download/registry-{HOST}.tar.gz"));
    let listed = sha256(&archive);
    // Another release's archive under this name: what SHA256SUMS lists is not what is served.
    let other = root.path().join("other");
    std::fs::write(&other, "#!/bin/sh\necho substituted\n").unwrap();
    crate::fixture::package(
        &["archive", "--target", HOST, "--binary"],
        &other,
        &root.path().join("o"),
    );
    std::fs::copy(
        root.path().join(format!("o/registry-{HOST}.tar.gz")),
        &archive,
    )
    .unwrap();
    let served = sha256(&archive);
    let dir = tempfile::tempdir().unwrap();
    let runner = Runner::linux(dir.path());
    let run = install(&repo, &runner, &file_url(&releases), "latest");
    assert!(!run.ok);
    let url = file_url(&releases.join(format!("latest/download/registry-{HOST}.tar.gz")));
    assert!(
        run.log.contains(&format!(
            "error: registry-{HOST}.tar.gz from {url} has sha256 {served}, but SHA256SUMS says {listed}\n"
        )),
        "{}",
        run.log
    );
    // The directories above the install dir may exist; nothing in them, no half-unpacked dir.
    assert_eq!(cached(&runner), Vec::<String>::new());
    assert!(
        run.log
            .contains("▶ Put registry on PATH\n  (skipped: an earlier step failed)")
    );
    assert!(!run.log.contains("substituted"));
}

#[test]
fn a_missing_file_fails_naming_its_url_over_file_and_http() {
    let repo = TestRepo::new();
    let root = tempfile::tempdir().unwrap();
    let releases = release(root.path());
    let http = format!("{}/releases", serve_dir(root.path()));
    for base in [file_url(&releases), http] {
        let dir = tempfile::tempdir().unwrap();
        let runner = Runner::linux(dir.path());
        // No such release: its SHA256SUMS is missing (a 404 over HTTP).
        let run = install(&repo, &runner, &base, "9.9.9");
        assert!(!run.ok);
        assert!(
            run.log.contains(&format!(
                "error: cannot download {base}/download/v9.9.9/SHA256SUMS\n"
            )),
            "{}",
            run.log
        );
        assert!(cached(&runner).is_empty());
    }
    // SHA256SUMS lists an archive the release lacks: the install step names the archive's URL.
    let archive = format!("download/v0.1.0/registry-{HOST}.tar.gz");
    std::fs::remove_file(releases.join(&archive)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let runner = Runner::linux(dir.path());
    let run = install(&repo, &runner, &file_url(&releases), "v0.1.0");
    assert!(!run.ok);
    let url = file_url(&releases.join(&archive));
    assert!(
        run.log.contains(&format!("error: cannot download {url}\n")),
        "{}",
        run.log
    );
    assert_eq!(cached(&runner), Vec::<String>::new());
}

#[test]
fn latest_and_a_pinned_version_install_over_http_and_file() {
    let repo = TestRepo::new();
    let root = tempfile::tempdir().unwrap();
    let releases = release(root.path());
    let http = format!("{}/releases/", serve_dir(root.path())); // a trailing slash is fine
    for base in [http, file_url(&releases)] {
        for version in ["latest", "v0.1.0", "0.1.0"] {
            let dir = tempfile::tempdir().unwrap();
            let run = install(&repo, &Runner::linux(dir.path()), &base, version);
            assert!(run.ok, "{base} {version}:\n{}", run.log);
            assert!(run.log.contains(&format!("registry for {HOST}\n")));
            let from = if version == "latest" {
                "latest/download"
            } else {
                "download/v0.1.0"
            };
            assert!(
                run.log
                    .contains(&format!("from {}/{from}\n", base.trim_end_matches('/'))),
                "{}",
                run.log
            );
        }
    }
}

#[test]
fn a_later_job_restores_the_install_from_the_cache() {
    let repo = TestRepo::new();
    let root = tempfile::tempdir().unwrap();
    let releases = release(root.path());
    let url = file_url(&releases);
    let dir = tempfile::tempdir().unwrap();
    let first = Runner::linux(dir.path());
    let run = install(&repo, &first, &url, "latest");
    assert!(
        run.ok && run.log.contains("Installed registry-"),
        "{}",
        run.log
    );
    // A fresh runner, the same cache: restored, not downloaded — even with the release gone
    // but for its SHA256SUMS (the key is its sha256, so `latest` hits while it is the same).
    for entry in std::fs::read_dir(releases.join("latest/download")).unwrap() {
        let path = entry.unwrap().path();
        if !path.ends_with("SHA256SUMS") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let second = Runner {
        tool_cache: dir.path().join("toolcache-2"),
        ..Runner::linux(dir.path())
    };
    let run = install(&repo, &second, &url, "latest");
    assert!(run.ok, "{}", run.log);
    assert!(
        run.log
            .contains("Cache restored from key: registry-Linux-X64-")
    );
    // Restored, the archive is still hashed against this job's SHA256SUMS before it is used.
    assert!(
        run.log.contains("Using the cached registry-") && run.log.contains(", checked)"),
        "{}",
        run.log
    );
    assert!(run.log.contains(&format!("registry for {HOST}\n")));
    // A self-hosted runner keeps its tool cache: a miss finds the archive there, checked too.
    let third = Runner {
        cache_store: dir.path().join("cache-store-2"),
        ..Runner::linux(dir.path())
    };
    let run = install(&repo, &third, &url, "latest");
    assert!(
        run.ok && run.log.contains("Using the cached registry-"),
        "{}",
        run.log
    );
}

/// The review's attack: caches are shared by every workflow of a repository, so whoever can run
/// one on any branch can save an entry under the key a tag's job will restore (the key is
/// public: the archive's sha256). What the cache restores is never run unchecked: a changed
/// archive is replaced by a fresh, verified download, and a binary planted beside it is not
/// what goes on PATH.
#[test]
fn a_poisoned_cache_entry_is_caught_and_never_run() {
    let repo = TestRepo::new();
    let root = tempfile::tempdir().unwrap();
    let releases = release(root.path());
    let url = file_url(&releases);
    let dir = tempfile::tempdir().unwrap();
    let runner = Runner::linux(dir.path());
    let archive = format!("registry-{HOST}.tar.gz");
    let digest = sha256(&releases.join("latest/download").join(&archive));
    let key = format!("registry-Linux-X64-{digest}");
    // The planted entry: another target's archive under this one's name, and a binary.
    let planted = runner.cache_store.join(&key);
    std::fs::create_dir_all(&planted).unwrap();
    std::fs::copy(
        releases
            .join("latest/download")
            .join(format!("registry-{}.tar.gz", TARGETS[1])),
        planted.join(&archive),
    )
    .unwrap();
    std::fs::write(planted.join("registry"), "#!/bin/sh\necho POISONED\n").unwrap();
    let run = install(&repo, &runner, &url, "latest");
    assert!(run.ok, "{}", run.log);
    assert!(run.log.contains("Cache restored from key: "), "{}", run.log);
    assert!(
        run.log
            .contains(&format!("warning: the cached {archive} has sha256 "))
            && run.log.contains("downloading it again"),
        "{}",
        run.log
    );
    assert!(!run.log.contains("POISONED"), "{}", run.log);
    assert!(
        !run.log.contains(&format!("registry for {}", TARGETS[1])),
        "{}",
        run.log
    );
    assert!(
        run.log.contains(&format!("registry for {HOST}\n")),
        "{}",
        run.log
    );
    // The tool cache now holds the verified archive again.
    let cached_archive = runner
        .tool_cache
        .join("git-model-registry")
        .join(&digest)
        .join(&archive);
    assert_eq!(sha256(&cached_archive), digest);
}

#[test]
fn an_install_killed_halfway_leaves_nothing_behind() {
    use std::os::unix::process::CommandExt;
    let root = tempfile::tempdir().unwrap();
    let download = root.path().join("releases/latest/download");
    std::fs::create_dir_all(&download).unwrap();
    // A FIFO nobody writes: the download blocks there, after the staging dirs exist.
    let archive = format!("registry-{HOST}.tar.gz");
    let fifo = Command::new("mkfifo")
        .arg(download.join(&archive))
        .status()
        .unwrap();
    assert!(fifo.success());
    let [cache, temp] = ["toolcache", "temp"].map(|d| root.path().join(d));
    std::fs::create_dir_all(&temp).unwrap();
    let dir = cache.join("git-model-registry").join("0".repeat(64));
    let output = root.path().join("github_output");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/action/install.sh");
    let mut child = Command::new("sh")
        .arg(script)
        .arg("install")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("INPUT_RELEASE_URL", file_url(&root.path().join("releases")))
        .env("RUNNER_TEMP", &temp)
        .envs([
            ("ARCHIVE", archive.as_str()),
            ("TARGET", HOST),
            ("EXE", "registry"),
        ])
        .env("SHA256", "0".repeat(64))
        .env("CACHE", &dir)
        .env("GITHUB_OUTPUT", &output)
        .process_group(0)
        .spawn()
        .unwrap();
    // Opening the FIFO to write returns once curl has opened it to read: the download runs.
    let (tx, rx) = std::sync::mpsc::channel();
    let path = download.join(&archive);
    std::thread::spawn(move || tx.send(std::fs::OpenOptions::new().write(true).open(path)));
    let writer = rx
        .recv_timeout(crate::fixture::HANG)
        .expect("curl opens the archive");
    let staging = || std::fs::read_dir(&temp).map_or(0, Iterator::count);
    assert_eq!(
        staging(),
        1,
        "downloading into the job's temporary directory"
    );
    // A cancelled job: the runner signals the step's processes.
    let pgid = format!("-{}", child.id());
    let kill = Command::new("kill")
        .args(["-TERM", "--", &pgid])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = crate::fixture::wait_within(&mut child, crate::fixture::HANG, "install.sh");
    drop(writer);
    assert!(!status.success());
    assert_eq!(staging(), 0, "left in RUNNER_TEMP");
    assert!(!cache.exists(), "left in the tool cache");
    assert!(!output.exists(), "wrote an output");
}
