//! Virtual artifacts (issue 12, point 4): `registry get` downloads an `http://` URL from a server
//! the test starts on 127.0.0.1 (a 404, a body cut short, a redirect loop, a wrong digest and a
//! SIGINT mid-body leave nothing behind, credentials never shown), copies `file://` files and
//! directories, and streams `s3://`/`gs://`/`azure://` through the provider's CLI: a missing
//! CLI is named, and a fake `aws` on PATH shows the stream is hashed and checked.

use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::fixture::{Run, TestRepo, names_in, request_path, run_timed_with};

/// The model the server serves: bytes that are no text.
fn model() -> Vec<u8> {
    (0..100_000u32)
        .map(|i| u8::try_from(i % 251).unwrap() ^ 0x5a)
        .collect()
}

/// SHA-256 of `bytes`, by `sha256sum` (the oracle).
fn sha256(bytes: &[u8]) -> String {
    let mut child = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.split_whitespace().next().unwrap().to_string()
}

/// A server on 127.0.0.1 for the test's life: `/model.bin` (200, the model), `/cut` (promises
/// the model's length, sends 1000 bytes and closes), `/stall` (sends half the model, then waits
/// half a minute), `/loop` (redirects to itself), `/moved` (redirects to `/model.bin`), anything
/// else 404. One thread per connection. Returns its base URL.
fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            std::thread::spawn(move || answer(stream));
        }
    });
    base
}

/// One request of [`serve`].
fn answer(mut stream: std::net::TcpStream) {
    let path = request_path(&stream);
    let body = model();
    let head = |status: &str, extra: &str, len: usize| {
        format!("HTTP/1.1 {status}\r\nContent-Length: {len}\r\nConnection: close\r\n{extra}\r\n")
    };
    let _ = match path.as_str() {
        "/model.bin" => stream
            .write_all(head("200 OK", "", body.len()).as_bytes())
            .and_then(|()| stream.write_all(&body)),
        "/cut" => stream
            .write_all(head("200 OK", "", body.len()).as_bytes())
            .and_then(|()| stream.write_all(&body[..1000])),
        "/stall" => stream
            .write_all(head("200 OK", "", body.len()).as_bytes())
            .and_then(|()| stream.write_all(&body[..body.len() / 2]))
            .map(|()| std::thread::sleep(std::time::Duration::from_secs(30))),
        "/loop" => stream.write_all(head("302 Found", "Location: /loop\r\n", 0).as_bytes()),
        "/moved" => stream
            .write_all(head("301 Moved Permanently", "Location: /model.bin\r\n", 0).as_bytes()),
        _ => stream.write_all(head("404 Not Found", "", 0).as_bytes()),
    };
}

/// A repository where `churn` is a virtual artifact at `url`, registered with `digest`.
fn virtual_at(url: &str, digest: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.run(&["annotate", "churn", "--virtual", "--path", url])
        .ok();
    repo.commit("declare");
    repo.run(&["register", "churn", "--digest", digest]).ok();
    repo
}

/// `registry get churn -o out.bin` that must fail with exit 1, leaving nothing.
#[track_caller]
fn fails_leaving_nothing(repo: &TestRepo, tweak: impl FnOnce(&mut std::process::Command)) -> Run {
    let before = names_in(&repo.path());
    let run = run_timed_with(repo, &["get", "churn", "-o", "out.bin"], tweak);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(names_in(&repo.path()), before, "{}", run.transcript());
    run
}

#[test]
fn http_downloads_are_streamed_and_checked() {
    let base = serve();
    let digest = format!("sha256:{}", sha256(&model()));
    let repo = virtual_at(&format!("{base}/model.bin"), &digest);
    let run = run_timed_with(&repo, &["get", "churn", "--json"], |_| {});
    let json: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(json["source"], "url");
    assert_eq!(json["verified"], true);
    assert_eq!(json["digest"], digest);
    // The default -o is the URL's last component.
    assert_eq!(
        std::fs::read(repo.path().join("model.bin")).unwrap(),
        model()
    );

    // A redirect is followed.
    let repo = virtual_at(&format!("{base}/moved"), &digest);
    run_timed_with(&repo, &["get", "churn", "-o", "m.bin"], |_| {}).ok();
    assert_eq!(std::fs::read(repo.path().join("m.bin")).unwrap(), model());

    // Bytes that are not the registered ones.
    let other = format!("sha256:{}", "0".repeat(64));
    let repo = virtual_at(&format!("{base}/model.bin"), &other);
    fails_leaving_nothing(&repo, |_| {});
}

#[test]
fn http_failures_name_the_status_and_leave_nothing() {
    let base = serve();
    let digest = format!("sha256:{}", sha256(&model()));
    let repo = virtual_at(&format!("{base}/nothing-here"), &digest);
    let run = fails_leaving_nothing(&repo, |_| {});
    assert!(
        run.stderr.contains("404") && run.stderr.contains("/nothing-here"),
        "{}",
        run.transcript()
    );

    // A body cut short of its Content-Length.
    let repo = virtual_at(&format!("{base}/cut"), &digest);
    let run = fails_leaving_nothing(&repo, |_| {});
    assert!(run.stderr.contains("/cut"), "{}", run.transcript());

    // A redirect loop ends.
    let repo = virtual_at(&format!("{base}/loop"), &digest);
    fails_leaving_nothing(&repo, |_| {});

    // Credentials in the URL are never shown.
    let with_token = base.replace("http://", "http://deploy:s3cr3t-token@");
    let repo = virtual_at(&format!("{with_token}/nothing-here"), &digest);
    let run = fails_leaving_nothing(&repo, |_| {});
    assert!(!run.stderr.contains("s3cr3t"), "{}", run.transcript());
    assert!(run.stderr.contains("***@"), "{}", run.transcript());

    // Nothing listening.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let repo = virtual_at(&format!("http://127.0.0.1:{port}/m.bin"), &digest);
    let run = fails_leaving_nothing(&repo, |_| {});
    assert!(
        run.stderr.contains("cannot download"),
        "{}",
        run.transcript()
    );
}

#[test]
fn file_urls_copy_a_file_or_a_directory() {
    let src = tempfile::tempdir().unwrap();
    std::fs::write(src.path().join("m.bin"), model()).unwrap();
    let digest = format!("sha256:{}", sha256(&model()));
    let url = format!("file://{}/m.bin", src.path().display());
    let repo = virtual_at(&url, &digest);
    run_timed_with(&repo, &["get", "churn", "-o", "out.bin"], |_| {}).ok();
    assert_eq!(std::fs::read(repo.path().join("out.bin")).unwrap(), model());

    // A directory: its digest is the manifest's (registry's own digest of the directory).
    let dir = src.path().join("imgs");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("a.txt"), "a\n").unwrap();
    std::fs::write(dir.join("sub/b.bin"), model()).unwrap();
    let hashed = TestRepo::new();
    let dir_digest = dir_digest(&hashed, &dir);
    let repo = virtual_at(&format!("file://{}", dir.display()), &dir_digest);
    run_timed_with(&repo, &["get", "churn", "-o", "imgs-out"], |_| {}).ok();
    assert_eq!(
        std::fs::read(repo.path().join("imgs-out/sub/b.bin")).unwrap(),
        model()
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join("imgs-out/a.txt")).unwrap(),
        "a\n"
    );

    // A copy into the directory it copies is refused before anything is written.
    let inner = dir.join("copy");
    let run = run_timed_with(
        &repo,
        &["get", "churn", "-o", inner.to_str().unwrap()],
        |_| {},
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("into itself"), "{}", run.transcript());
    assert_eq!(names_in(&dir), ["a.txt", "sub"]);

    // Changed since it was registered: caught, nothing left.
    std::fs::write(dir.join("a.txt"), "changed\n").unwrap();
    std::fs::remove_dir_all(repo.path().join("imgs-out")).unwrap();
    fails_leaving_nothing(&repo, |_| {});
}

/// Registry's SHA-256 digest of a directory, as `verify` computes it for a git registration.
fn dir_digest(repo: &TestRepo, dir: &Path) -> String {
    let dest = repo.path().join("d");
    std::fs::create_dir_all(&dest).unwrap();
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = entry.unwrap();
        let to = dest.join(entry.path().strip_prefix(dir).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    repo.run(&["annotate", "d", "--path", "d"]).ok();
    repo.commit("d");
    repo.run(&["register", "d"]).ok();
    let text = repo.git(&["tag", "-l", "--format=%(contents)", "d@v0.0.1"]);
    text.lines()
        .find_map(|l| l.strip_prefix("Artifact-Digest: "))
        .unwrap()
        .to_string()
}

/// A directory holding `git` only, for a PATH without any cloud CLI.
fn bin_with_git(repo: &TestRepo) -> PathBuf {
    crate::fixture::programs_only(repo.path().parent().unwrap(), "bin", &["git"]).unwrap()
}

#[test]
fn cloud_urls_need_their_cli_and_name_it() {
    let digest = format!("sha256:{}", sha256(&model()));
    for (url, program) in [
        ("s3://bucket/models/m.bin", "`aws`"),
        ("gs://bucket/m.bin", "`gcloud` or `gsutil`"),
        ("azure://container/m.bin", "`az`"),
    ] {
        let repo = virtual_at(url, &digest);
        let bin = bin_with_git(&repo);
        let run = fails_leaving_nothing(&repo, |c| {
            c.env("PATH", &bin);
        });
        assert!(
            run.stderr
                .contains(&format!("it needs {program}, which is not installed")),
            "{}",
            run.transcript()
        );
    }
}

#[test]
fn a_cloud_cli_stream_is_hashed_and_checked() {
    let src = tempfile::tempdir().unwrap();
    std::fs::write(src.path().join("m.bin"), model()).unwrap();
    let digest = format!("sha256:{}", sha256(&model()));
    let repo = virtual_at("s3://bucket/models/m.bin", &digest);
    let bin = bin_with_git(&repo);
    // A fake `aws`: `aws s3 cp URL -` prints the object; it records its arguments.
    let aws = bin.join("aws");
    std::fs::write(
        &aws,
        format!(
            "#!/bin/sh\necho \"$@\" > '{args}'\nexec cat '{file}'\n",
            args = src.path().join("args").display(),
            file = src.path().join("m.bin").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:/bin:/usr/bin", bin.display());
    run_timed_with(&repo, &["get", "churn", "-o", "m.bin"], |c| {
        c.env("PATH", &path);
    })
    .ok();
    assert_eq!(std::fs::read(repo.path().join("m.bin")).unwrap(), model());
    assert_eq!(
        std::fs::read_to_string(src.path().join("args")).unwrap(),
        "s3 cp --only-show-errors s3://bucket/models/m.bin -\n"
    );

    // The object changed: caught, nothing left.
    std::fs::write(src.path().join("m.bin"), b"other bytes").unwrap();
    std::fs::remove_file(repo.path().join("m.bin")).unwrap();
    fails_leaving_nothing(&repo, |c| {
        c.env("PATH", &path);
    });

    // The CLI failing: its message is shown.
    std::fs::write(
        &aws,
        "#!/bin/sh\necho 'An error occurred (403) Forbidden' >&2\nexit 1\n",
    )
    .unwrap();
    let run = fails_leaving_nothing(&repo, |c| {
        c.env("PATH", &path);
    });
    assert!(
        run.stderr.contains("(403) Forbidden"),
        "{}",
        run.transcript()
    );
}

#[test]
fn an_interrupted_download_leaves_no_partial_file() {
    let base = serve();
    let digest = format!("sha256:{}", sha256(&model()));
    let repo = virtual_at(&format!("{base}/stall"), &digest);
    let before = names_in(&repo.path());
    let mut child = repo
        .command(&crate::fixture::registry_bin(), &repo.path())
        .args(["get", "churn", "-o", "out.bin"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the temporary to hold the half the server sends: the download is mid-body.
    let start = std::time::Instant::now();
    loop {
        let temp = names_in(&repo.path())
            .into_iter()
            .find(|n| n.starts_with(".out.bin.registry-get-"));
        if let Some(t) = temp
            && std::fs::metadata(repo.path().join(&t)).is_ok_and(|m| m.len() >= 50_000)
        {
            break;
        }
        assert!(
            start.elapsed() < crate::fixture::HANG,
            "the download never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = crate::fixture::wait_within(&mut child, crate::fixture::HANG, "registry get");
    assert!(!status.success(), "{status:?}");
    assert_eq!(names_in(&repo.path()), before);
}

/// A tag's URL may not point at the kernel's views (a CI job's environment, devices): the
/// mismatch error would print their digest into the job's log.
#[test]
fn file_urls_into_proc_sys_or_dev_are_refused() {
    let zero = format!("sha256:{}", "0".repeat(64));
    for url in [
        "file:///proc/self/environ",
        "file:///dev/zero",
        "file:///sys/kernel/mm",
    ] {
        let repo = virtual_at(url, &zero);
        let run = fails_leaving_nothing(&repo, |_| {});
        assert!(
            run.stderr.contains("is in /proc, /sys or /dev"),
            "{url}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("found sha256"), "{}", run.stderr);
    }
}
