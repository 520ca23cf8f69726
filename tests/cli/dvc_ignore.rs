//! DVC's ignore rules in the md5 of a directory (review F9): `.dvcignore` files from the DVC
//! root down, DVC's built-in `.git`/`.hg`/`.dvc`, and nested DVC repositories are left out as
//! `dvc add` leaves them out, so a fresh `dvc add` is the work-tree copy `register` proves and
//! `verify` accepts, and so is what `dvc get` downloads.
//!
//! Real DVC is the oracle: its `.dvc` record is what registry must record (tests/cli/dvc_peer.rs
//! finds it; without it these tests are skipped with a printed reason, unless
//! `REGISTRY_REQUIRE_DVC=1`). Only local directories, never a network.

use std::path::Path;

use crate::dvc_fixture::{
    declare, dvc, dvc_in, dvc_or_skip, dvc_out, dvc_repo, trailers, write_bytes,
};
use crate::fixture::TestRepo;

/// Registers `name` and checks its trailers against DVC's record in `dvc_file`: the same md5,
/// size and nfiles, and a SHA-256 because the work-tree copy is those bytes.
#[track_caller]
fn registers_as_dvc_records(repo: &TestRepo, name: &str, dvc_file: &str) {
    let run = repo.run(&["register", name]);
    run.ok();
    assert!(
        run.stderr
            .contains("the work-tree copy matches it, so its SHA-256 is recorded too"),
        "{}",
        run.transcript()
    );
    let text = std::fs::read_to_string(repo.path().join(dvc_file)).unwrap();
    let (md5, size, nfiles) = dvc_out(&text);
    let t = trailers(repo, &format!("{name}@v0.0.1"));
    assert_eq!(t["Artifact-Digest"], format!("md5:{md5}"), "{t:?}\n{text}");
    assert_eq!(t["Artifact-Size"], size.to_string(), "{t:?}");
    assert_eq!(
        t.get("Artifact-Files").cloned(),
        nfiles.map(|n| n.to_string())
    );
    assert!(t["Artifact-Sha256"].starts_with("sha256:"), "{t:?}");
}

#[test]
fn dvcignore_files_and_builtin_ignores_are_left_out_as_dvc_leaves_them_out() {
    let Some(bin) = dvc_or_skip("dvcignore") else {
        return;
    };
    let repo = dvc_repo(&bin);
    // The root's rules: a wildcard, an anchored path, `**`, a directory pattern, `X/**`.
    repo.write(
        ".dvcignore",
        "# scratch files\n*.tmp\n  /data/d/anchored.bin  \n**/cache\nscratch/\n**/logs/**\n",
    );
    // A nested file between the root and the directory: negations, its own anchoring (`/d/…`
    // is under data/), `?`.
    repo.write(
        "data/.dvcignore",
        "!keep.tmp\n*.log\n!important.log\n/d/sub/only-here.txt\nx?.bin\n",
    );
    let kept = [
        "a.bin",
        "sp ace.txt",
        "ünï 😀.bin",
        "sub/keep.tmp",
        "sub/anchored.bin",
        "sub/scratch",
        "important.log",
        "only-here.txt",
        "x12.bin",
        "sub2/other.txt",
    ];
    let left_out = [
        "x.tmp",
        "anchored.bin",
        "cache/c",
        "sub/cache/c",
        "scratch/s",
        "logs/l",
        "run.log",
        "sub/only-here.txt",
        "x1.bin",
        ".git/HEAD",
        ".hg/store",
        "sub/.git",
        "nested/.dvc/config",
        "nested/f",
        // A `.dvcignore` inside the directory is DVC's only when it leaves itself out.
        "sub2/.dvcignore",
        "sub2/local.txt",
    ];
    for rel in kept.iter().chain(&left_out) {
        write_bytes(
            &repo,
            &format!("data/d/{rel}"),
            format!("{rel}\n").as_bytes(),
        );
    }
    repo.write("data/d/sub2/.dvcignore", ".dvcignore\nlocal.txt\n");
    dvc(&repo, &bin, &["add", "-q", "data/d"]);
    let (_, _, nfiles) = dvc_out(&std::fs::read_to_string(repo.path().join("data/d.dvc")).unwrap());
    assert_eq!(nfiles, Some(kept.len() as u64), "DVC itself keeps these");
    declare(&repo, "d", "data/d");
    repo.commit("data");
    registers_as_dvc_records(&repo, "d", "data/d.dvc");

    // The SHA-256 manifest is of the same files as the md5: none left out is in it.
    let message = repo.git(&["tag", "-l", "--format=%(contents)", "d@v0.0.1"]);
    for rel in kept {
        assert!(message.contains(&format!("  {rel}\n")), "{rel}: {message}");
    }
    for rel in left_out {
        assert!(!message.contains(&format!("  {rel}\n")), "{rel}: {message}");
    }

    // verify accepts the work tree, and says what it left out (directories once, not walked).
    let ok = repo.run(&["verify", "d"]);
    assert!(ok.ok().starts_with("OK: "), "{}", ok.transcript());
    assert!(
        ok.stderr.contains("left out as DVC leaves them out")
            && ok.stderr.contains(".git/")
            && ok.stderr.contains("nested/")
            && !ok.stderr.contains("nested/f"),
        "{}",
        ok.transcript()
    );

    // What DVC downloads (outside any repository) is accepted too.
    let dl = repo.home().join("dl");
    let dl_arg = dl.to_str().unwrap();
    dvc(&repo, &bin, &["get", ".", "data/d", "-o", dl_arg]);
    let ok = repo.run(&["verify", "d", "--path", dl_arg]);
    assert!(ok.ok().starts_with("OK: "), "{}", ok.transcript());
    // Outside any DVC repository no ignore rule applies (review G4): `dvc get` writes exactly
    // the listing, so the copy cannot hide an extra entry with its own `.dvcignore`, a `.git/`,
    // or a file named `.dvc` making a directory a "nested repository": each is named.
    put(&dl, ".dvcignore", b".dvcignore\nevil.py\n");
    put(&dl, "evil.py", b"import os\n");
    put(&dl, "plugins/.dvc", b"");
    put(&dl, "plugins/hook.py", b"pwn\n");
    put(&dl, ".git/config", b"x\n");
    let bad = repo.run(&["verify", "d", "--path", dl_arg]);
    assert_eq!(bad.code, 1, "{}", bad.transcript());
    for added in [
        ".dvcignore",
        "evil.py",
        "plugins/.dvc",
        "plugins/hook.py",
        ".git/config",
    ] {
        assert!(
            bad.stderr.contains(&format!("added: {added}")),
            "{added}: {}",
            bad.transcript()
        );
    }
    assert!(
        !bad.stderr.contains("left out as DVC leaves them out"),
        "{}",
        bad.transcript()
    );
    // Each alone is enough.
    for extra in [".dvcignore", "evil.py", "plugins", ".git"] {
        let dl = repo.home().join(format!("dl-{extra}"));
        let dl_arg = dl.to_str().unwrap();
        dvc(&repo, &bin, &["get", ".", "data/d", "-o", dl_arg]);
        match extra {
            "plugins" => put(&dl, "plugins/.dvc", b""),
            ".git" => put(&dl, ".git/HEAD", b"ref\n"),
            name => put(&dl, name, b".dvcignore\n"),
        }
        let bad = repo.run(&["verify", "d", "--path", dl_arg]);
        assert!(
            bad.code == 1 && bad.stderr.contains("added: "),
            "{extra}: {}",
            bad.transcript()
        );
    }
}

#[test]
fn nested_repositories_git_dirs_and_a_subdir_dvc_root_agree_with_dvc() {
    let Some(bin) = dvc_or_skip("dvcignore nested") else {
        return;
    };
    let repo = dvc_repo(&bin);
    // A directory holding `.git` keeps its other files; one holding `.dvc` (a directory or a
    // file) is another DVC repository, of which DVC keeps nothing.
    write_bytes(&repo, "data/g/a", b"a\n");
    write_bytes(&repo, "data/g/.git/HEAD", b"ref\n");
    write_bytes(&repo, "data/h/a", b"a\n");
    write_bytes(&repo, "data/h/.dvc/config", b"");
    write_bytes(&repo, "data/i/a", b"a\n");
    write_bytes(&repo, "data/i/.dvc", b"");
    dvc(&repo, &bin, &["add", "-q", "data/g", "data/h", "data/i"]);
    for name in ["g", "h", "i"] {
        declare(&repo, name, &format!("data/{name}"));
    }
    repo.commit("data");
    for name in ["g", "h", "i"] {
        registers_as_dvc_records(&repo, name, &format!("data/{name}.dvc"));
        repo.run(&["verify", name]).ok();
    }

    // `dvc init --subdir`: DVC's root is proj/, so the git root's `.dvcignore` is not DVC's.
    let repo = TestRepo::new();
    repo.write("README", "x\n");
    repo.commit("init");
    let proj = repo.path().join("proj");
    std::fs::create_dir_all(&proj).unwrap();
    dvc_in(&repo, &bin, &proj, &["init", "--subdir", "-q"]);
    repo.write(".dvcignore", "*.bin\n");
    repo.write("proj/.dvcignore", "*.tmp\n");
    for rel in ["m.bin", "x.tmp", "w.txt"] {
        write_bytes(&repo, &format!("proj/data/m/{rel}"), rel.as_bytes());
    }
    dvc_in(&repo, &bin, &proj, &["add", "-q", "data/m"]);
    let (_, _, nfiles) = dvc_out(&read(&proj.join("data/m.dvc")));
    assert_eq!(nfiles, Some(2), "DVC keeps m.bin and w.txt");
    declare(&repo, "m", "proj/data/m");
    repo.commit("data");
    registers_as_dvc_records(&repo, "m", "proj/data/m.dvc");
    repo.run(&["verify", "m"]).ok();
}

/// Where DVC's matcher differs from git's, registry follows DVC (the differences found by a
/// differential run against `dvc add`, see src/digest/dvcignore/lines.rs).
#[test]
fn where_dvc_differs_from_git_registry_follows_dvc() {
    let Some(bin) = dvc_or_skip("dvcignore quirks") else {
        return;
    };
    let repo = dvc_repo(&bin);
    // In the root's file `*/` matches nothing; `X/**` leaves out `X` itself, so `!…/k` cannot
    // let `logs/k` in.
    // `**/cc` leaves out the files of `cc/` even once `!cc/` has let the directory in again.
    repo.write(".dvcignore", "*/\n**/logs/**\n!**/logs/k\n**/cc\n");
    // A negation lets in what is below what it matches: `keep/m.bin` despite `*.bin`.
    repo.write("data/.dvcignore", "*.bin\n!keep\n!cc/\n");
    // Below the root, `*/` leaves out the directories below the file's own.
    repo.write("data/d/sub2/.dvcignore", ".dvcignore\n*/\n");
    let kept = ["a/f", "keep/m.bin", "m.txt", "sub2/top.txt"];
    for rel in kept.iter().chain(&["m.bin", "logs/k", "sub2/z/f", "cc/f"]) {
        write_bytes(&repo, &format!("data/d/{rel}"), rel.as_bytes());
    }
    dvc(&repo, &bin, &["add", "-q", "data/d"]);
    let (_, _, nfiles) = dvc_out(&read(&repo.path().join("data/d.dvc")));
    assert_eq!(nfiles, Some(kept.len() as u64), "DVC itself keeps these");
    declare(&repo, "d", "data/d");
    repo.commit("data");
    registers_as_dvc_records(&repo, "d", "data/d.dvc");
    repo.run(&["verify", "d"]).ok();
}

/// Review G10: ripgrep's globset reads `{a,b}` as alternation and `[[:alpha:]]` as a POSIX
/// class (and refuses a lone `}`), none of which DVC's pathspec or git's wildmatch has: to
/// DVC they are literal text, and registry must read them so.
#[test]
fn braces_and_posix_classes_are_literal_text_as_dvc_reads_them() {
    let Some(bin) = dvc_or_skip("dvcignore braces") else {
        return;
    };
    let repo = dvc_repo(&bin);
    repo.write(
        ".dvcignore",
        "{a,b}\nc}\n[[:alpha:]]\n[{]x\n{evil.py,README}\n",
    );
    // DVC leaves out `{a,b}`, `c}`, `h]` (the class `[[:alph` then `]`) and `{x`, not the rest.
    let kept = ["a", "b", "sub/a", "c", "z", "evil.py", "README", "x"];
    for rel in kept.iter().chain(&["{a,b}", "c}", "h]", "{x"]) {
        write_bytes(&repo, &format!("data/d/{rel}"), rel.as_bytes());
    }
    dvc(&repo, &bin, &["add", "-q", "data/d"]);
    let (_, _, nfiles) = dvc_out(&read(&repo.path().join("data/d.dvc")));
    assert_eq!(nfiles, Some(kept.len() as u64), "DVC itself keeps these");
    declare(&repo, "d", "data/d");
    repo.commit("data");
    registers_as_dvc_records(&repo, "d", "data/d.dvc");
    repo.run(&["verify", "d"]).ok();
}

/// Writes `bytes` at `rel` under `dir` (a copy outside the repository).
fn put(dir: &Path, rel: &str, bytes: &[u8]) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}
