//! DVC-tracked bytes (issue 11, point 3): `register` records DVC's own md5, size and `nfiles` as
//! the registered commit's `.dvc` or `dvc.lock` says, a SHA-256 only when the work-tree copy is
//! provably those bytes, and never the work tree's bytes for a commit whose record names others;
//! `verify` accepts what DVC itself checks out or downloads, and `diff` shows the md5 change.
//!
//! Real DVC is the oracle (tests/cli/dvc_fixture.rs finds and runs it; without it these tests
//! are skipped with a printed reason, unless `REGISTRY_REQUIRE_DVC=1`). Only DVC's local cache
//! is used, never a network.

use crate::dvc_fixture::{
    awkward_dir, declare, dvc, dvc_in, dvc_or_skip, dvc_out, dvc_repo, trailers, write_bytes,
};

#[test]
fn registrations_record_what_dvc_records_for_files_and_directories() {
    let Some(bin) = dvc_or_skip("records") else {
        return;
    };
    let repo = dvc_repo(&bin);
    write_bytes(&repo, "models/churn model.pkl", b"w1\r\nweights\r\n");
    awkward_dir(&repo, "data/imgs dir");
    dvc(
        &repo,
        &bin,
        &["add", "-q", "models/churn model.pkl", "data/imgs dir"],
    );
    declare(&repo, "churn", "models/churn model.pkl");
    declare(&repo, "imgs", "data/imgs dir");
    repo.commit("train");
    let file = repo.run(&["register", "churn"]);
    file.ok();
    assert!(
        file.stderr.contains(
            "recorded DVC's md5 of models/churn model.pkl from models/churn model.pkl.dvc at"
        ) && file
            .stderr
            .contains("the work-tree copy matches it, so its SHA-256 is recorded too"),
        "{}",
        file.transcript()
    );
    repo.run(&["register", "imgs"]).ok();

    for (tag, dvc_file, artifact_path) in [
        (
            "churn@v0.0.1",
            "models/churn model.pkl.dvc",
            "models/churn model.pkl",
        ),
        ("imgs@v0.0.1", "data/imgs dir.dvc", "data/imgs dir"),
    ] {
        let text = std::fs::read_to_string(repo.path().join(dvc_file)).unwrap();
        let (md5, size, nfiles) = dvc_out(&text);
        let t = trailers(&repo, tag);
        assert_eq!(t["Artifact-Path"], artifact_path);
        assert_eq!(t["Artifact-Digest"], format!("md5:{md5}"), "{t:?}");
        assert_eq!(t["Artifact-Digest-Source"], "dvc");
        assert_eq!(t["Artifact-Size"], size.to_string());
        assert_eq!(
            t.get("Artifact-Files").cloned(),
            nfiles.map(|n| n.to_string())
        );
        assert_eq!(t["Artifact-Dvc-File"], dvc_file);
        assert!(t["Artifact-Sha256"].starts_with("sha256:"), "{t:?}");
    }
    // The directory: five files (the empty directory holds none), a SHA-256 and its manifest.
    let t = trailers(&repo, "imgs@v0.0.1");
    assert_eq!(t["Artifact-Files"], "5");
    let message = repo.git(&["tag", "-l", "--format=%(contents)", "imgs@v0.0.1"]);
    assert!(
        message.contains("Manifest (sha256sum format):"),
        "{message}"
    );
    // The SHA-256 is the one a plain sha256 registration of the same bytes records.
    let plain = repo.run(&["verify", "imgs"]);
    assert!(
        plain.ok().contains(&t["Artifact-Sha256"]) && plain.stdout.contains("DVC's md5:"),
        "{}",
        plain.transcript()
    );
    repo.run(&["verify", "churn"]).ok();
    // Other bytes are refused, naming the file (from the recorded manifest).
    write_bytes(&repo, "data/imgs dir/crlf.txt", b"a\nb\n");
    let bad = repo.run(&["verify", "imgs"]);
    assert_eq!(bad.code, 1, "{}", bad.transcript());
    assert!(
        bad.stderr.contains("recorded DVC's md5:") && bad.stderr.contains("changed: crlf.txt"),
        "{}",
        bad.transcript()
    );
    // DVC's symlink checkout (every file a link into the cache) is the same bytes.
    dvc(&repo, &bin, &["config", "cache.type", "symlink"]);
    dvc(&repo, &bin, &["checkout", "-q", "--relink", "--force"]);
    let linked = repo.path().join("data/imgs dir/crlf.txt");
    assert!(linked.symlink_metadata().unwrap().file_type().is_symlink());
    let ok = repo.run(&["verify", "imgs"]);
    assert!(
        ok.ok().contains(&t["Artifact-Sha256"]),
        "{}",
        ok.transcript()
    );
    // Registered from links, the md5 is proven but no sha256sum-checkable SHA-256 is recorded.
    repo.commit("symlink cache");
    let r = repo.run(&["register", "imgs"]);
    assert!(
        r.ok().contains("imgs@v0.0.2")
            && r.stderr
                .contains("holds symbolic links or other entries that are not regular files"),
        "{}",
        r.transcript()
    );
    let t2 = trailers(&repo, "imgs@v0.0.2");
    assert_eq!(t2["Artifact-Digest"], t["Artifact-Digest"]);
    assert!(!t2.contains_key("Artifact-Sha256"), "{t2:?}");
}

#[test]
fn an_older_commit_gets_its_own_md5_and_no_work_tree_sha256() {
    let Some(bin) = dvc_or_skip("older commit") else {
        return;
    };
    let repo = dvc_repo(&bin);
    write_bytes(&repo, "models/churn.pkl", b"old weights\r\n");
    dvc(&repo, &bin, &["add", "-q", "models/churn.pkl"]);
    declare(&repo, "churn", "models/churn.pkl");
    repo.commit("train v1");
    let old_dvc = repo.git(&["show", "HEAD:models/churn.pkl.dvc"]);
    write_bytes(&repo, "models/churn.pkl", b"new weights, retrained\n");
    dvc(&repo, &bin, &["add", "-q", "models/churn.pkl"]);
    repo.commit("train v2");
    let new_dvc = repo.git(&["show", "HEAD:models/churn.pkl.dvc"]);
    let (old_md5, old_size, _) = dvc_out(&old_dvc);
    let (new_md5, _, _) = dvc_out(&new_dvc);
    assert_ne!(old_md5, new_md5);

    let old = repo.run(&["register", "churn", "HEAD~1"]);
    old.ok();
    let t = trailers(&repo, "churn@v0.0.1");
    assert_eq!(t["Artifact-Digest"], format!("md5:{old_md5}"), "{t:?}");
    assert_eq!(t["Artifact-Size"], old_size.to_string());
    assert!(!t.contains_key("Artifact-Sha256"), "{t:?}");
    assert!(
        old.stderr.contains(&format!(
            "the work-tree copy is other bytes (md5 {new_md5}), so no SHA-256 is recorded"
        )),
        "{}",
        old.transcript()
    );
    repo.run(&["register", "churn"]).ok();
    assert!(trailers(&repo, "churn@v0.0.2").contains_key("Artifact-Sha256"));

    // The work tree holds v2's bytes: v1 refuses them, v2 takes them.
    let bad = repo.run(&["verify", "churn@v0.0.1"]);
    assert_eq!(bad.code, 1, "{}", bad.transcript());
    assert!(
        bad.stderr.contains(&format!(
            "recorded DVC's md5:{old_md5}, found md5:{new_md5}"
        )),
        "{}",
        bad.transcript()
    );
    repo.run(&["verify", "churn@v0.0.2"]).ok();
    // What DVC itself downloads for v1's commit is what v1 recorded.
    let dl = repo.home().join("dl-v1.pkl");
    let dl_arg = dl.to_str().unwrap();
    dvc(
        &repo,
        &bin,
        &[
            "get",
            ".",
            "models/churn.pkl",
            "--rev",
            "HEAD~1",
            "-o",
            dl_arg,
        ],
    );
    let ok = repo.run(&["verify", "churn@v0.0.1", "--path", dl_arg]);
    assert!(ok.ok().starts_with("OK: "), "{}", ok.transcript());
    let refused = repo.run(&["verify", "churn@v0.0.2", "--path", dl_arg]);
    assert_eq!(refused.code, 1, "{}", refused.transcript());

    // diff shows the md5 change, in text and JSON.
    let text = repo.run(&["diff", "churn", "v0.0.1", "v0.0.2"]);
    assert!(
        text.ok().contains(&format!(
            "digest: md5:{old_md5} (dvc) -> md5:{new_md5} (dvc)"
        )),
        "{}",
        text.transcript()
    );
    let json: serde_json::Value = serde_json::from_str(
        repo.run(&["diff", "churn", "v0.0.1", "v0.0.2", "--json"])
            .ok(),
    )
    .unwrap();
    assert_eq!(json["digest"]["from"], format!("md5:{old_md5}"));
    assert_eq!(json["digest"]["to"], format!("md5:{new_md5}"));
    assert_eq!(json["digest"]["changed"], true);
    // git holds DVC's record, not the model: the commits touching the record are counted.
    assert!(
        text.stdout.contains(
            "commits: 1 in between, 1 touch models/churn.pkl.dvc (DVC's record of models/churn.pkl)\n"
        ),
        "{}",
        text.transcript()
    );
    assert_eq!(json["path"], "models/churn.pkl.dvc");
}

#[test]
fn a_changed_directory_is_named_file_by_file() {
    let Some(bin) = dvc_or_skip("directories") else {
        return;
    };
    let repo = dvc_repo(&bin);
    awkward_dir(&repo, "data/imgs");
    dvc(&repo, &bin, &["add", "-q", "data/imgs"]);
    declare(&repo, "imgs", "data/imgs");
    repo.commit("v1");
    write_bytes(&repo, "data/imgs/crlf.txt", b"changed\r\n");
    write_bytes(&repo, "data/imgs/new one.txt", b"new\n");
    std::fs::remove_file(repo.path().join("data/imgs/sub/b.txt")).unwrap();
    dvc(&repo, &bin, &["add", "-q", "data/imgs"]);
    repo.commit("v2");
    // v1 registered after the change: no SHA-256, no manifest; the DVC cache still lists v1.
    let r = repo.run(&["register", "imgs", "HEAD~1"]);
    assert!(r.ok().contains("imgs@v0.0.1"), "{}", r.transcript());
    let message = repo.git(&["tag", "-l", "--format=%(contents)", "imgs@v0.0.1"]);
    assert!(!message.contains("Manifest"), "{message}");
    let bad = repo.run(&["verify", "imgs@v0.0.1"]);
    assert_eq!(bad.code, 1, "{}", bad.transcript());
    for line in [
        "added: new one.txt",
        "removed: sub/b.txt",
        "changed: crlf.txt",
    ] {
        assert!(bad.stderr.contains(line), "{line}: {}", bad.transcript());
    }
    // DVC's own checkout of v1 is accepted, and nfiles/size are DVC's.
    let dl = repo.home().join("imgs-v1");
    let dl_arg = dl.to_str().unwrap();
    dvc(
        &repo,
        &bin,
        &["get", ".", "data/imgs", "--rev", "HEAD~1", "-o", dl_arg],
    );
    repo.run(&["verify", "imgs@v0.0.1", "--path", dl_arg]).ok();
    let (_, size, nfiles) = dvc_out(&repo.git(&["show", "HEAD~1:data/imgs.dvc"]));
    let t = trailers(&repo, "imgs@v0.0.1");
    assert_eq!(t["Artifact-Size"], size.to_string());
    assert_eq!(t["Artifact-Files"], nfiles.unwrap().to_string());
}

#[test]
fn dvc_lock_outs_and_paths_inside_a_tracked_directory() {
    let Some(bin) = dvc_or_skip("dvc.lock") else {
        return;
    };
    let repo = dvc_repo(&bin);
    // A pipeline in a subdirectory writes sub/dvc.lock (paths relative to sub/).
    std::fs::create_dir_all(repo.path().join("sub")).unwrap();
    let stage = [
        "stage",
        "add",
        "-q",
        "-n",
        "train",
        "-o",
        "model.bin",
        "printf 'w\\r\\n' > model.bin",
    ];
    dvc_in(&repo, &bin, &repo.path().join("sub"), &stage);
    // A stage with a wdir: its lock paths are relative to sub/w, not to sub/.
    std::fs::create_dir_all(repo.path().join("sub/w")).unwrap();
    let in_wdir = [
        "stage",
        "add",
        "-q",
        "-n",
        "inw",
        "-w",
        "w",
        "-o",
        "out.bin",
        "printf 'in w' > out.bin",
    ];
    dvc_in(&repo, &bin, &repo.path().join("sub"), &in_wdir);
    dvc_in(&repo, &bin, &repo.path().join("sub"), &["repro", "-q"]);
    awkward_dir(&repo, "data/imgs");
    dvc(&repo, &bin, &["add", "-q", "data/imgs"]);
    declare(&repo, "model", "sub/model.bin");
    declare(&repo, "inw", "sub/w/out.bin");
    declare(&repo, "one", "data/imgs/ünï/cödé 😀.bin");
    declare(&repo, "part", "data/imgs/nested");
    repo.commit("pipeline");
    repo.run(&["register", "model"]).ok();
    let t = trailers(&repo, "model@v0.0.1");
    let lock: yaml_serde::Value =
        yaml_serde::from_str(&std::fs::read_to_string(repo.path().join("sub/dvc.lock")).unwrap())
            .unwrap();
    let lock_out = &lock["stages"]["train"]["outs"][0];
    assert_eq!(
        t["Artifact-Digest"],
        format!("md5:{}", lock_out["md5"].as_str().unwrap())
    );
    assert_eq!(
        t["Artifact-Size"],
        lock_out["size"].as_u64().unwrap().to_string()
    );
    assert_eq!(t["Artifact-Dvc-File"], "sub/dvc.lock");
    repo.run(&["register", "inw"]).ok();
    let t = trailers(&repo, "inw@v0.0.1");
    let w_out = &lock["stages"]["inw"]["outs"][0];
    assert_eq!(w_out["path"].as_str(), Some("out.bin"));
    assert_eq!(
        t["Artifact-Digest"],
        format!("md5:{}", w_out["md5"].as_str().unwrap())
    );
    assert!(t.contains_key("Artifact-Sha256"), "{t:?}");

    // Inside a tracked directory: the md5 of its line of the listing in DVC's cache.
    repo.run(&["register", "one"]).ok();
    let t = trailers(&repo, "one@v0.0.1");
    assert_eq!(t["Artifact-Digest"], "md5:66ddcd97cfdeabb2f6fb8a999b4bc76f");
    assert_eq!(t["Artifact-Dvc-File"], "data/imgs.dvc");
    assert_eq!(t["Artifact-Size"], "2"); // proven by the matching work-tree copy
    repo.run(&["register", "part"]).ok();
    assert_eq!(trailers(&repo, "part@v0.0.1")["Artifact-Files"], "1");
    repo.run(&["verify", "part"]).ok();
    // Without the cache there is no listing to trust: nothing is recorded, and it says why.
    std::fs::remove_dir_all(repo.path().join(".dvc/cache")).unwrap();
    repo.commit("another commit");
    let r = repo.run(&["register", "one"]);
    r.ok();
    assert!(
        r.stderr.contains("is not in DVC's local cache")
            && r.stderr.contains("no digest is recorded"),
        "{}",
        r.transcript()
    );
    assert!(!trailers(&repo, "one@v0.0.2").contains_key("Artifact-Digest"));
}
