//! Listing tag refs: packed and loose refs as libgit2 lists them, through a concurrent
//! `git pack-refs`, and the binary search of a sorted `packed-refs`.

use super::*;

/// Our reading of packed and loose refs lists what libgit2's iterator lists.
#[test]
fn tag_refs_match_libgit2() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    let sig = git2::Signature::new("A", "a@x", &git2::Time::new(1_700_000_000, 0)).unwrap();
    let tree_id = repo.treebuilder(None).unwrap().write().unwrap();
    let tree = repo.find_tree(tree_id).unwrap();
    let c1 = repo
        .commit(Some("HEAD"), &sig, &sig, "1", &tree, &[])
        .unwrap();
    let first = repo.find_commit(c1).unwrap();
    let c2 = repo
        .commit(Some("HEAD"), &sig, &sig, "2", &tree, &[&first])
        .unwrap();
    let object = repo.find_object(c1, None).unwrap();
    for name in [
        "m@v1.0.0",
        "m#prod#1",
        "m2@v1.0.0",
        "dir/x=m@v1.0.0",
        "dir/x=m#dev#2",
    ] {
        repo.tag(name, &object, &sig, "t\n", false).unwrap();
    }
    repo.reference("refs/tags/v1.2.3", c1, false, "").unwrap();
    repo.reference("refs/tags/m@v2.0.0", c1, false, "").unwrap();
    repo.reference_symbolic("refs/tags/m@v4.0.0", "refs/heads/master", false, "")
        .unwrap();
    // Packed: one only there (with its peeled line), one that a loose ref overrides.
    std::fs::write(
        dir.path().join(".git/packed-refs"),
        format!(
            "# pack-refs with: peeled fully-peeled sorted \n\
             {c2} refs/tags/dir/x=m@v3.0.0\n\
             {c2} refs/tags/m@v1.0.0\n\
             {c2} refs/tags/m@v3.0.0\n^{c1}\n\
             {c2} refs/tags/m@v3.0.0-rc.1\n"
        ),
    )
    .unwrap();
    let opened = Repo::open(Some(dir.path())).unwrap();
    let names: Vec<ArtifactName> = ["m", "m2", "dir/x:m", "x", "dir:m"]
        .iter()
        .map(|n| n.parse().unwrap())
        .collect();
    let all = opened.tag_refs(None).unwrap();
    assert_eq!(all, opened.tag_refs_libgit2(None).unwrap());
    assert_eq!(all.len(), 11);
    for name in &names {
        assert_eq!(
            opened.tag_refs(Some(name)).unwrap(),
            opened.tag_refs_libgit2(Some(name)).unwrap(),
            "{name}"
        );
    }
    let m = opened.tag_refs(Some(&names[0])).unwrap();
    let m_names: Vec<&str> = m.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        m_names,
        [
            "m#prod#1",
            "m@v1.0.0",
            "m@v2.0.0",
            "m@v3.0.0",
            "m@v3.0.0-rc.1",
            "m@v4.0.0"
        ]
    );
}

/// A `git pack-refs` between our reading of the loose refs and of `packed-refs` moves the
/// tags from one to the other; none vanishes, as none does for git (issue 8, point 9).
#[test]
fn tags_packed_while_listed_do_not_vanish() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    let sig = git2::Signature::new("A", "a@x", &git2::Time::new(1_700_000_000, 0)).unwrap();
    let tree_id = repo.treebuilder(None).unwrap().write().unwrap();
    let tree = repo.find_tree(tree_id).unwrap();
    let c1 = repo
        .commit(Some("HEAD"), &sig, &sig, "1", &tree, &[])
        .unwrap();
    let object = repo.find_object(c1, None).unwrap();
    for name in ["m@v1.0.0", "m#prod#1", "n@v1.0.0"] {
        repo.tag(name, &object, &sig, "t\n", false).unwrap();
    }
    let opened = Repo::open(Some(dir.path())).unwrap();
    let before = opened.tag_refs(None).unwrap();
    assert_eq!(before.len(), 3);
    let m: ArtifactName = "m".parse().unwrap();
    let before_m = opened.tag_refs(Some(&m)).unwrap();
    assert_eq!(before_m.len(), 2);
    let pack = |dir: &Path| {
        let status = std::process::Command::new("git")
            .args(["pack-refs", "--all"])
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .status()
            .unwrap();
        assert!(status.success());
    };
    let during = opened
        .tag_refs_with(None, &mut || pack(dir.path()), &mut Vec::new())
        .unwrap();
    assert_eq!(during, before);
    assert!(
        !dir.path().join(".git/refs/tags/m@v1.0.0").exists(),
        "packed"
    );
    // And the other way round: loose again (a new loose ref over a packed one wins).
    let c2 = repo
        .commit(
            Some("HEAD"),
            &sig,
            &sig,
            "2",
            &tree,
            &[&repo.find_commit(c1).unwrap()],
        )
        .unwrap();
    repo.reference("refs/tags/m@v1.0.0", c2, true, "").unwrap();
    let after = opened.tag_refs(Some(&m)).unwrap();
    assert_eq!(after[1], ("m@v1.0.0".to_string(), Some(c2)));
    assert_eq!(after, opened.tag_refs_libgit2(Some(&m)).unwrap());
}

/// The binary search over a sorted `packed-refs` finds exactly what a full scan finds.
#[test]
fn packed_refs_binary_search_finds_what_a_scan_finds() {
    let dir = tempfile::tempdir().unwrap();
    let mut names: Vec<String> = (0..3000)
        .map(|i| format!("refs/tags/a{}-{}@v0.0.{i}", i % 13, i % 5))
        .chain((0..50).map(|i| format!("refs/heads/b{i}")))
        .chain(["refs/tags/a1#prod#1".into(), "refs/tags/zz".into()])
        .collect();
    names.sort();
    let mut text = String::from("# pack-refs with: peeled fully-peeled sorted \n");
    for (i, n) in names.iter().enumerate() {
        text.push_str(&format!("{:040x} {n}\n", i + 1));
        if i % 3 == 0 {
            text.push_str(&format!("^{:040x}\n", i + 7));
        }
    }
    assert!(text.len() > 65536, "big enough for the binary search");
    let sorted = dir.path().join("sorted");
    std::fs::write(&sorted, &text).unwrap();
    let unsorted = dir.path().join("unsorted");
    std::fs::write(&unsorted, text.replace(" sorted ", " ")).unwrap();
    for prefix in [
        "refs/tags/",
        "refs/tags/a1",
        "refs/tags/a1-1",
        "refs/tags/a12-4",
        "refs/tags/a7-2@",
        "refs/tags/zz",
        "refs/tags/zzz",
        "refs/tags/0",
        "refs/heads/b1",
        "refs/",
    ] {
        let expected: Vec<(Vec<u8>, Vec<u8>)> = names
            .iter()
            .enumerate()
            .filter(|(_, n)| n.starts_with(prefix))
            .map(|(i, n)| {
                (
                    n.as_bytes().to_vec(),
                    format!("{:040x}", i + 1).into_bytes(),
                )
            })
            .collect();
        assert_eq!(
            packed_refs_with_prefix(&sorted, prefix.as_bytes()).unwrap(),
            expected,
            "{prefix}"
        );
        assert_eq!(
            packed_refs_with_prefix(&unsorted, prefix.as_bytes()).unwrap(),
            expected,
            "{prefix} (unsorted)"
        );
    }
    assert!(
        packed_refs_with_prefix(&dir.path().join("none"), b"refs/")
            .unwrap()
            .is_empty()
    );
}
