//! Hostile repositories: broken objects, bad taggers, odd refs and repositories libgit2 cannot
//! open (issue 8, points 1, 2, 3, 9 and 13). Every read runs with a timeout, so a hang fails
//! the test instead of blocking CI.

use std::path::Path;

use crate::fixture::{TestRepo, run_timed, run_timed_in};
use crate::reads::ok;

/// `good` (v1.0.0 in prod) and `churn@v1.0.0`, whose tag object is big enough to be cut to any
/// length up to 159 bytes; the path of churn's loose tag object, and its bytes.
fn with_a_loose_tag() -> (TestRepo, std::path::PathBuf, Vec<u8>) {
    let repo = TestRepo::new();
    repo.commit("c1");
    ok(&repo, &["register", "good", "--version", "v1.0.0"]);
    ok(&repo, &["promote", "good", "prod"]);
    let message = "Registering churn: a message long enough that the compressed tag object \
                   has well over 160 bytes, so every cut from 2 to 159 bytes is a truncation.";
    ok(
        &repo,
        &["register", "churn", "--version", "v1.0.0", "-m", message],
    );
    let oid = repo.git(&["rev-parse", "refs/tags/churn@v1.0.0"]);
    let path = repo
        .path()
        .join(".git/objects")
        .join(&oid[..2])
        .join(&oid[2..]);
    let bytes = std::fs::read(&path).expect("a loose tag object");
    assert!(bytes.len() >= 160, "{} bytes", bytes.len());
    make_writable(&path);
    (repo, path, bytes)
}

fn make_writable(path: &Path) {
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    #[allow(
        clippy::permissions_set_readonly_false,
        reason = "the test makes a file writable again to clean up after itself"
    )]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms).unwrap();
}

/// Point 1: a loose tag object cut to any length from 2 to 159 bytes made every read command
/// spin forever inside libgit2. Now each read warns (or fails) at once, naming the tag, and the
/// rest of the registry still shows; libgit2's internals stay out of the words.
#[test]
fn truncated_loose_tag_objects_warn_and_never_hang() {
    let (repo, path, bytes) = with_a_loose_tag();
    repo.skip_fsck(); // broken on purpose
    for n in 2..160 {
        std::fs::write(&path, &bytes[..n]).unwrap();
        // Reads warn and go on; `show churn` finds no churn left, doctor reports a problem.
        for (args, code) in [
            (&["show"][..], 0),
            (&["history"], 0),
            (&["show", "churn"], 1),
            (&["history", "churn"], 0),
            (&["check-ref", "churn@v1.0.0"], 0),
            (&["doctor"], 1),
        ] {
            let run = run_timed(&repo, args);
            let all = format!("{}{}", run.stdout, run.stderr);
            assert!(
                all.contains("tag 'churn@v1.0.0' cannot be read") && all.contains("is corrupt"),
                "cut to {n}: {}",
                run.transcript()
            );
            assert!(!all.contains("class="), "cut to {n}: {}", run.transcript());
            assert_eq!(run.code, code, "cut to {n}: {}", run.transcript());
        }
        // The rest still shows.
        let run = run_timed(&repo, &["show"]);
        assert!(
            run.stdout.contains("good"),
            "cut to {n}: {}",
            run.transcript()
        );
        assert_eq!(run.code, 0, "cut to {n}: {}", run.transcript());
    }
    // Every other command, reads and writes, ends too (a few cuts suffice: the reader is the
    // same), and none prints libgit2's internals.
    // Each ends as it would without the broken tag, but for the warning: churn has no version
    // left, `good` is registered already, and its promotion happens once.
    const UNREADABLE: &str = "warning: tag 'churn@v1.0.0' cannot be read: ";
    for n in [2, 11, 40, 100, 159] {
        std::fs::write(&path, &bytes[..n]).unwrap();
        let promoted = if n == 2 {
            (0, "Created git tag 'good#staging#2'")
        } else {
            (1, "error: Version 'v1.0.0' is already in stage 'staging'.")
        };
        for (args, (code, said)) in [
            (&["stages"][..], (0, UNREADABLE)),
            (
                &["describe", "churn"],
                (
                    1,
                    "error: No entry for 'churn' in dvc.yaml or artifacts.yaml at commit ",
                ),
            ),
            (
                &["verify", "churn"],
                (1, "error: Cannot find artifact 'churn'"),
            ),
            (&["diff", "churn", "v1.0.0", "v1.0.0"], (1, UNREADABLE)),
            (&["show", "--json"], (0, UNREADABLE)),
            (&["history", "--json"], (0, UNREADABLE)),
            (&["check-ref", "churn@v1.0.0", "--json"], (0, UNREADABLE)),
            (
                &["register", "good"],
                (1, "error: 'good' is already registered in this commit"),
            ),
            (&["promote", "good", "staging"], promoted),
            (
                &["deprecate", "ranker"],
                (1, "error: Cannot find artifact 'ranker'"),
            ),
        ] {
            let run = run_timed(&repo, args);
            assert_eq!(run.code, code, "cut to {n}: {}", run.transcript());
            let all = format!("{}{}", run.stdout, run.stderr);
            assert!(all.contains(said), "cut to {n}: {}", run.transcript());
            assert!(!run.stderr.contains("class="), "{}", run.transcript());
        }
    }
    // doctor says how to repair it, and a revision naming the tag is refused, not spun on.
    std::fs::write(&path, &bytes[..40]).unwrap();
    let run = run_timed(&repo, &["doctor"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout.contains("fix: remove the damaged file objects/"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("git tag -d churn@v1.0.0"),
        "{}",
        run.stdout
    );
    let run = run_timed(&repo, &["register", "ranker", "churn@v1.0.0"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("tag 'churn@v1.0.0' cannot be read"),
        "{}",
        run.stderr
    );
    // Repaired, it reads again.
    std::fs::write(&path, &bytes).unwrap();
    let run = run_timed(&repo, &["show", "churn"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

/// A damaged pack is no hang either: the tag whose object cannot be read is named, with a fix
/// that fits a pack (there is no loose file to remove).
#[test]
fn a_damaged_pack_names_the_tag() {
    let repo = TestRepo::new();
    repo.commit("c1");
    let message = "Registering churn, with a message long enough to be worth damaging. ".repeat(4);
    ok(
        &repo,
        &["register", "churn", "--version", "v1.0.0", "-m", &message],
    );
    repo.git(&["gc", "-q"]);
    repo.skip_fsck(); // broken on purpose
    let packs = repo.path().join(".git/objects/pack");
    let pack = std::fs::read_dir(&packs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pack"))
        .unwrap();
    make_writable(&pack);
    let mut bytes = std::fs::read(&pack).unwrap();
    let end = bytes.len() - 20;
    for b in bytes[12..end].iter_mut().step_by(7) {
        *b ^= 0x5a;
    }
    std::fs::write(&pack, bytes).unwrap();
    for (args, code) in [
        (&["show"][..], 0),
        (&["history"], 0),
        (&["show", "churn"], 1),
        (&["doctor"], 1),
    ] {
        let run = run_timed(&repo, args);
        assert_eq!(run.code, code, "{}", run.transcript());
        assert!(!run.stderr.contains("class="), "{}", run.transcript());
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(
            all.contains("tag 'churn@v1.0.0' cannot be read"),
            "{}",
            run.transcript()
        );
    }
    let run = run_timed(&repo, &["doctor"]);
    assert!(
        run.stdout
            .contains("fix: a pack of the repository is damaged"),
        "{}",
        run.stdout
    );
}

/// Writes a tag object as given (git's `--literally`: no checks) and points `refs/tags/NAME`
/// at it.
fn raw_tag(repo: &TestRepo, name: &str, body: &str) {
    let file = repo.home().join("tag-object");
    std::fs::write(&file, body).unwrap();
    let oid = repo.git(&[
        "hash-object",
        "-t",
        "tag",
        "-w",
        "--literally",
        file.to_str().unwrap(),
    ]);
    repo.git(&["update-ref", &format!("refs/tags/{name}"), &oid]);
}

/// Point 2: one tag with a malformed tagger (no e-mail, a time that is not a number, a time out
/// of range, no tagger at all) made `show` and `history` of the whole registry exit 1. Now it is
/// a warning naming the tag, a `doctor` finding with the fix, and the rest still shows. A tag
/// with no tagger is skipped, never taken as the newest or oldest (it has no time).
#[test]
fn malformed_taggers_are_warnings_and_the_rest_still_shows() {
    let repo = TestRepo::new();
    let c1 = repo.commit("c1");
    ok(&repo, &["register", "churn", "--version", "v1.0.0"]);
    ok(&repo, &["promote", "churn", "prod"]);
    repo.skip_fsck(); // broken on purpose
    let head = |tag: &str| format!("object {c1}\ntype commit\ntag {tag}\n");
    let cases = [
        (
            "churn@v2.0.0",
            "tagger Eve 1700000100 +0000\n",
            "malformed tagger line (it has no e-mail in <>)",
        ),
        (
            "churn@v3.0.0",
            "tagger Eve <eve@x> soon +0000\n",
            "malformed tagger line (its time is not a number)",
        ),
        (
            "churn@v4.0.0",
            "tagger Eve <eve@x> 9223372036854775807 +9959\n",
            "malformed tagger line (its time is out of range)",
        ),
        (
            "churn@v5.0.0",
            "tagger Eve <eve@x> 99999999999999999999 +0000\n",
            "malformed tagger line (its time is out of range)",
        ),
        ("churn@v9.0.0", "", "has no tagger"),
        (
            "churn#prod#2",
            "tagger Eve <eve@x> 1700000200 +0000\n",
            "", // well-formed: points the control case at v1.0.0 again
        ),
    ];
    for (name, tagger, _) in &cases {
        raw_tag(&repo, name, &format!("{}{tagger}\nhand-made\n", head(name)));
    }
    for args in [
        &["show"][..],
        &["history"],
        &["show", "churn"],
        &["history", "churn"],
    ] {
        let run = run_timed(&repo, args);
        assert_eq!(run.code, 0, "{}", run.transcript());
        for (name, _, why) in cases.iter().filter(|c| !c.2.is_empty()) {
            let warning = run
                .stderr
                .lines()
                .find(|l| l.starts_with(&format!("warning: tag '{name}' ")))
                .unwrap_or_else(|| panic!("{name}: {}", run.transcript()));
            assert!(warning.contains(why), "{why}: {}", run.transcript());
            assert!(warning.contains("; it is ignored"), "{}", run.transcript());
            let version = name.split('@').nth(1).unwrap();
            assert!(
                !run.stdout.contains(version),
                "{name}: {}",
                run.transcript()
            );
        }
        assert!(run.stdout.contains("v1.0.0"), "{}", run.transcript());
        assert!(!run.stdout.contains("1970"), "{}", run.transcript());
        assert!(!run.stdout.contains("+100:"), "{}", run.transcript());
    }
    // The newest version is still v1.0.0: the undated v9.0.0 is not a version at all.
    let run = run_timed(&repo, &["show", "churn", "--json"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(!run.stdout.contains("v9.0.0"), "{}", run.stdout);
    let run = run_timed(&repo, &["doctor"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    for (name, _, why) in cases.iter().filter(|c| !c.2.is_empty()) {
        assert!(
            run.stdout.contains(&format!("problem: tag '{name}'")) && run.stdout.contains(why),
            "{name}: {}",
            run.stdout
        );
        // Names such as `churn@v2.0.0` need no quotes in a shell.
        assert!(
            run.stdout
                .contains(&format!("fix: delete it (`git tag -d {name}`")),
            "{name}: {}",
            run.stdout
        );
    }
    // check-ref of a bad tag warns and says nothing more; of a good one, works.
    let run = run_timed(&repo, &["check-ref", "churn@v2.0.0"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stderr.contains("tag 'churn@v2.0.0'"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let run = run_timed(&repo, &["check-ref", "churn#prod#2", "--version"]);
    assert_eq!(run.stdout, "v1.0.0\n", "{}", run.transcript());
}

/// The `tagger NAME <EMAIL>` part of a tag object.
fn tagger_of(repo: &TestRepo, tag: &str) -> String {
    let object = repo.git(&["cat-file", "tag", tag]);
    let line = object
        .lines()
        .find_map(|l| l.strip_prefix("tagger "))
        .unwrap()
        .to_string();
    line[..=line.rfind('>').unwrap()].to_string()
}

/// Point 3: `GIT_COMMITTER_NAME=$'A\nB'` wrote a tag `git fsck` rejects. Names and e-mails are
/// cleaned as git cleans them (crud stripped from the ends, `<`, `>` and newlines dropped), so
/// each tag has the tagger `git tag -a` gives it, and the fixture's `git fsck --strict` after
/// every write passes. An identity git refuses (nothing left) is refused.
#[test]
fn identities_are_cleaned_as_git_cleans_them() {
    let repo = TestRepo::new();
    repo.commit("c1");
    let identities = [
        ("A\nB", "ada@example.com"),
        ("  <Ada> Tester ,;", " <ada@example.com> "),
        ("Ada \"The\" Tester", "\"ada@example.com\""),
        ("Ada\tTab", "ada@exa\nmple.com"),
        ("Ünï Cödé:", "u@x;"),
    ];
    for (i, (name, email)) in identities.iter().enumerate() {
        let artifact = format!("m{i}");
        let env = |c: &mut std::process::Command| {
            c.env("GIT_COMMITTER_NAME", name)
                .env("GIT_COMMITTER_EMAIL", email);
        };
        // The fixture runs `git fsck --strict` after this write.
        repo.run_with(&["register", &artifact], env).ok();
        let git_tag = format!("git-{i}");
        let mut git = repo.command(Path::new("git"), &repo.path());
        env(&mut git);
        let out = git
            .args(["tag", "-a", &git_tag, "-m", "m"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            tagger_of(&repo, &format!("{artifact}@v0.0.1")),
            tagger_of(&repo, &git_tag),
            "{name:?} <{email:?}>"
        );
    }
    assert_eq!(tagger_of(&repo, "m0@v0.0.1"), "AB <ada@example.com>");
    // Nothing left of the name: git refuses, and so does registry, writing nothing.
    let run = repo.run_with(&["register", "m9"], |c| {
        c.env("GIT_COMMITTER_NAME", "<>");
    });
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("the git identity's name '<>' consists only of characters git removes"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.git(&["tag", "-l", "m9*"]), "");
}

/// Point 9: names git itself refuses are no registry tags (git lists none of them); `doctor`
/// names them with the fix.
#[test]
fn names_git_refuses_are_not_tags() {
    let repo = TestRepo::new();
    repo.commit("c1");
    ok(&repo, &["register", "churn", "--version", "v1.0.0"]);
    let good = repo.git(&["rev-parse", "refs/tags/churn@v1.0.0"]);
    let tags = repo.path().join(".git/refs/tags");
    std::fs::write(tags.join(".hidden=churn@v2.0.0"), format!("{good}\n")).unwrap();
    std::fs::write(tags.join("churn@v3.0.0.lock"), format!("{good}\n")).unwrap();
    std::fs::write(tags.join("a..b=churn@v4.0.0"), format!("{good}\n")).unwrap();
    std::fs::create_dir_all(tags.join("x")).unwrap();
    std::fs::write(tags.join("x/.y=churn@v6.0.0"), format!("{good}\n")).unwrap();
    // Also in packed-refs.
    std::fs::write(
        repo.path().join(".git/packed-refs"),
        format!(
            "# pack-refs with: peeled fully-peeled sorted \n{good} refs/tags/.p=churn@v5.0.0\n"
        ),
    )
    .unwrap();
    assert_eq!(repo.git(&["tag", "-l"]), "churn@v1.0.0");
    for args in [&["show"][..], &["history"], &["show", "churn"]] {
        let run = run_timed(&repo, args);
        assert_eq!(run.code, 0, "{}", run.transcript());
        for v in [
            "v2.0.0", "v3.0.0", "v4.0.0", "v5.0.0", "v6.0.0", "hidden", "a..b",
        ] {
            assert!(!run.stdout.contains(v), "{v}: {}", run.transcript());
        }
    }
    let run = run_timed(&repo, &["doctor"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    for name in [
        ".hidden=churn@v2.0.0",
        "a..b=churn@v4.0.0",
        ".p=churn@v5.0.0",
        "x/.y=churn@v6.0.0",
    ] {
        assert!(
            run.stdout.contains(&format!(
                "problem: ref 'refs/tags/{name}' has a name git refuses"
            )),
            "{name}: {}",
            run.stdout
        );
    }
    assert!(
        run.stdout
            .contains("fix: remove it: `git update-ref -d refs/tags/.hidden=churn@v2.0.0`"),
        "{}",
        run.stdout
    );
    // The fix works, for loose and packed refs alike.
    for name in [
        ".hidden=churn@v2.0.0",
        "a..b=churn@v4.0.0",
        ".p=churn@v5.0.0",
        "x/.y=churn@v6.0.0",
    ] {
        repo.git(&["update-ref", "-d", &format!("refs/tags/{name}")]);
    }
    let run = run_timed(&repo, &["doctor"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
}

/// Point 9: a reftable repository was "not in a git repository". The error names the format
/// and says how to get one registry reads.
#[test]
fn a_reftable_repository_is_named_as_such() {
    let repo = TestRepo::bare_dir();
    repo.git(&["init", "-q", "--ref-format=reftable", "-b", "main", "."]);
    repo.commit("c1");
    repo.git(&["tag", "-a", "churn@v1.0.0", "-m", "r"]);
    std::fs::create_dir(repo.path().join("sub")).unwrap();
    for (dir, args) in [
        (repo.path(), &["show"][..]),
        (repo.path().join("sub"), &["history"]),
        (repo.home(), &["-C", repo.path().to_str().unwrap(), "show"]),
    ] {
        let run = run_timed_in(&repo, &dir, args);
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(
            run.stderr.contains(
                "stores its refs in the reftable format (extensions.refstorage = reftable)"
            ),
            "{}",
            run.transcript()
        );
        assert!(
            run.stderr.contains("git clone --ref-format=files"),
            "{}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("not in a git repository"),
            "{}",
            run.stderr
        );
    }
    // The hint works: a files-format clone reads.
    let copy = repo.home().join("copy");
    repo.git(&[
        "clone",
        "-q",
        "--ref-format=files",
        ".",
        copy.to_str().unwrap(),
    ]);
    let run = run_timed_in(&repo, &copy, &["show"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("churn"), "{}", run.stdout);
}

/// Whether the tests run as root (only root can give a directory to another user).
fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Point 9: a repository owned by another user gets git's "dubious ownership" words and its
/// `safe.directory` hint, not "not a git repository"; with the exception, it reads.
#[test]
#[allow(
    clippy::print_stderr,
    reason = "the reason the test is skipped belongs in its output"
)]
fn another_users_repository_is_dubious_ownership() {
    if !is_root() {
        eprintln!("skipped: only root can chown the repository to another user");
        return;
    }
    let repo = TestRepo::new();
    repo.commit("c1");
    ok(&repo, &["register", "churn"]);
    let status = std::process::Command::new("chown")
        .args(["-R", "12345:12345"])
        .arg(repo.path())
        .status()
        .unwrap();
    assert!(status.success());
    let shown = repo.path().display().to_string();
    for args in [&["show"][..], &["-C", shown.as_str(), "history"]] {
        let run = run_timed(&repo, args);
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(
            run.stderr.contains(&format!(
                "error: detected dubious ownership in repository at '{shown}'"
            )),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains(&format!("git config --global --add safe.directory {shown}")),
            "{}",
            run.stderr
        );
    }
    // What `git config --global --add safe.directory` writes (the fixture's global config is
    // /dev/null, so point GIT_CONFIG_GLOBAL at it).
    let global = repo.home().join(".gitconfig");
    std::fs::write(&global, format!("[safe]\n\tdirectory = {shown}\n")).unwrap();
    let run = repo.run_with(&["show"], |c| {
        c.env("GIT_CONFIG_GLOBAL", &global);
    });
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("churn"), "{}", run.stdout);
}

/// A writer does not plan around a tag it cannot read: with `churn@v1.0.0` corrupt, the next
/// version would be v0.0.1 and v1.0.0 would be hidden. Writes to that artifact are refused,
/// naming the tag and the fix, and nothing is written; other artifacts still take writes.
#[test]
fn writes_refuse_to_plan_around_a_tag_they_cannot_read() {
    let (repo, path, bytes) = with_a_loose_tag();
    repo.skip_fsck(); // broken on purpose
    std::fs::write(&path, &bytes[..40]).unwrap();
    let before = repo.git(&["tag", "-l"]);
    for args in [
        &["register", "churn"][..],
        &["register", "churn", "--dry-run"],
        &["promote", "churn", "prod"],
        &["deprecate", "churn"],
    ] {
        let run = run_timed(&repo, args);
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(
            run.stderr.contains("tag 'churn@v1.0.0' cannot be read")
                && run.stderr.contains("nothing was written")
                && run.stderr.contains("registry doctor"),
            "{}",
            run.transcript()
        );
    }
    assert_eq!(repo.git(&["tag", "-l"]), before);
    ok(&repo, &["promote", "good", "staging"]);
    // A malformed tagger blocks writes the same way.
    let c = repo.git(&["rev-parse", "HEAD"]);
    raw_tag(
        &repo,
        "ranker@v1.0.0",
        &format!("object {c}\ntype commit\ntag ranker@v1.0.0\ntagger Eve 1700000100 +0000\n\nx\n"),
    );
    let run = run_timed(&repo, &["register", "ranker"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("ranker@v1.0.0"), "{}", run.stderr);
}
