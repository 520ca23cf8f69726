//! One idea: the tag listing checked against libgit2 and against hostile repositories.

use std::path::Path;

use git2::{ObjectType, Repository};

use super::loose::*;
use super::read_tags::*;
use super::tag_object::*;
use super::tag_refs::*;
use super::Repo;
use crate::registry::event::{RawTag, Target};
use crate::registry::name::ArtifactName;
use crate::registry::time::Timestamp;

/// libgit2's reading of a tag object: the reference our parser is checked against.
fn read_tag_libgit2(repo: &Repository, name: &str, oid: git2::Oid) -> Option<RawTag> {
    let object = repo.find_object(oid, None).ok()?;
    let tag = object.as_tag()?;
    let target = match tag.target_type() {
        Some(ObjectType::Commit) => Target::Commit(tag.target_id().to_string()),
        Some(ObjectType::Tag) => match tag.target().and_then(|t| t.peel(ObjectType::Commit)) {
            Ok(commit) => Target::Commit(commit.id().to_string()),
            Err(_) => Target::Other {
                kind: "tag chain that ends in no commit".into(),
                id: tag.target_id().to_string(),
            },
        },
        other => Target::Other {
            kind: other.map_or("unknown object", |t| t.str()).to_string(),
            id: tag.target_id().to_string(),
        },
    };
    let sig = tag.tagger()?;
    Some(RawTag {
        name: name.to_string(),
        target,
        tagger_name: String::from_utf8_lossy(sig.name_bytes()).into_owned(),
        tagger_email: String::from_utf8_lossy(sig.email_bytes()).into_owned(),
        time: Timestamp::new(sig.when().seconds(), sig.when().offset_minutes()),
        message: String::from_utf8_lossy(tag.message_bytes().unwrap_or_default()).into_owned(),
    })
}

fn read_one(repo: &Repository, oid: git2::Oid) -> TagRead {
    let odb = repo.odb().unwrap();
    read_tag(&odb, &LooseDirs::of(repo), "m@v1.0.0", oid).unwrap()
}

/// A repository with one commit; its id.
fn repo_with_commit() -> (tempfile::TempDir, Repository, git2::Oid) {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    let sig = git2::Signature::new("A U Thor", "a@x", &git2::Time::new(1_700_000_000, 0)).unwrap();
    let tree_id = repo.treebuilder(None).unwrap().write().unwrap();
    let tree = repo.find_tree(tree_id).unwrap();
    let commit = repo.commit(None, &sig, &sig, "first", &tree, &[]).unwrap();
    drop(tree);
    (dir, repo, commit)
}

/// Every well-formed shape of tag object reads the same through our parser as through
/// libgit2's.
#[test]
fn tag_objects_parse_as_libgit2_parses_them() {
    let (_dir, repo, commit) = repo_with_commit();
    let tree_id = repo.find_commit(commit).unwrap().tree_id();
    let odb = repo.odb().unwrap();
    let raw_tag = |body: String| odb.write(ObjectType::Tag, body.as_bytes()).unwrap();
    let head = |kind: &str, id: git2::Oid| format!("object {id}\ntype {kind}\ntag m@v1.0.0\n");
    let mut cases = vec![
        raw_tag(format!(
            "{}tagger A U Thor <a@x> 1700000000 +0000\n\nRegistering artifact m\n",
            head("commit", commit)
        )),
        raw_tag(format!(
            "{}tagger  Spaced  Name  < spaced@x > 1700000001 -0330\n\n  two\n\nlines  \n",
            head("commit", commit)
        )),
        raw_tag(format!(
            "{}tagger Ünï Cödé <u@x> 1700000002 +0545\n\nmsg without newline",
            head("commit", commit)
        )),
        raw_tag(format!(
            "{}tagger A <a@x> 1700000003 +0100\n\n",
            head("commit", commit)
        )),
        raw_tag(format!(
            "{}tagger A <a@x> 1700000004 +0100\n",
            head("commit", commit)
        )),
        raw_tag(format!(
            "{}tagger A <a@x> 1700000005 +0000\n\nsigned\n-----BEGIN PGP SIGNATURE-----\nx\n\
             -----END PGP SIGNATURE-----\n",
            head("commit", commit)
        )),
        raw_tag(format!(
            "{}tagger Odd <name> here <o@x> 1700000006 +0000\n\nodd\n",
            head("commit", commit)
        )),
        raw_tag(format!(
            "{}tagger \tTab\t <\ttab@x\t> 1700000009 -0000\n\nt\n",
            head("commit", commit)
        )),
        // On a tree.
        raw_tag(format!(
            "{}tagger A <a@x> 1700000007 +0000\n\ntree\n",
            head("tree", tree_id)
        )),
    ];
    // A tag of a tag: peeled to the commit.
    let inner = cases[0];
    cases.push(raw_tag(format!(
        "{}tagger A <a@x> 1700000008 +0000\n\nchain\n",
        head("tag", inner)
    )));
    // A tag of a tag of a tree: no commit at the end.
    let on_tree = cases[8];
    cases.push(raw_tag(format!(
        "{}tagger A <a@x> 1700000010 +0000\n\nchain\n",
        head("tag", on_tree)
    )));
    for (i, oid) in cases.iter().enumerate() {
        let ours = read_one(&repo, *oid);
        let theirs = read_tag_libgit2(&repo, "m@v1.0.0", *oid).unwrap();
        assert_eq!(ours, TagRead::Tag(theirs), "case {i}");
    }
    // A lightweight tag (a commit) is no tag object.
    assert_eq!(read_one(&repo, commit), TagRead::NotTag);
}

/// A malformed tag or tagger is a warning naming the tag, with the reason: never an error,
/// never a time of 1970 (issue 8, point 2).
#[test]
fn malformed_tags_are_warnings_that_say_why() {
    let (_dir, repo, commit) = repo_with_commit();
    let odb = repo.odb().unwrap();
    let head = format!("object {commit}\ntype commit\ntag m@v1.0.0\n");
    for (body, why) in [
        (format!("{head}\nno tagger\n"), "has no tagger"),
        (
            format!("{head}tagger A 1700000000 +0000\n\nm\n"),
            "no e-mail",
        ),
        (format!("{head}tagger A <a@x>\n\nm\n"), "no time"),
        (
            format!("{head}tagger A <a@x> notatime +0000\n\nm\n"),
            "not a number",
        ),
        (
            format!("{head}tagger A <a@x> -5 +0000\n\nm\n"),
            "not a number",
        ),
        (
            format!("{head}tagger A <a@x> 99999999999999999999 +0000\n\nm\n"),
            "out of range",
        ),
        (
            format!("{head}tagger A <a@x> 9223372036854775807 +0000\n\nm\n"),
            "out of range",
        ),
        (
            format!("{head}tagger A <a@x> 253402300800 +0000\n\nm\n"),
            "out of range",
        ),
        (
            format!("{head}tagger A <a@x> 253402300799 +0100\n\nm\n"),
            "out of range",
        ),
        (
            format!("{head}tagger A <a@x> 1700000000 +9999\n\nm\n"),
            "zone is out of range",
        ),
        (
            format!("{head}tagger A <a@x> 1700000000 0000\n\nm\n"),
            "not +HHMM",
        ),
        (
            format!("{head}tagger A <a@x> 1700000000\n\nm\n"),
            "no time zone",
        ),
        (
            format!("{head}tagger A <a@x> 1700000000 +0000 x\n\nm\n"),
            "more after",
        ),
        ("type commit\ntag t\n\nm\n".to_string(), "no `object` line"),
        (
            "object 12\ntype commit\n\nm\n".to_string(),
            "holds no object id",
        ),
        (format!("object {commit}\ntag t\n\nm\n"), "no `type` line"),
        (
            format!("object {commit}\ntype spoon\n\nm\n"),
            "no object type",
        ),
    ] {
        let oid = odb.write(ObjectType::Tag, body.as_bytes()).unwrap();
        match read_one(&repo, oid) {
            TagRead::Bad(w) => {
                assert_eq!(w.tag, "m@v1.0.0");
                assert!(w.message.contains("tag 'm@v1.0.0'"), "{}", w.message);
                assert!(w.message.contains(why), "{body:?}: {}", w.message);
                assert!(w.fix.contains("git tag -d m@v1.0.0"), "{}", w.fix);
            }
            other => panic!("{body:?} read as {other:?}"),
        }
    }
    // The edges that are in range read.
    for (time, zone) in [
        ("0", "+0000"),
        ("253402300799", "+0000"),
        ("1700000000", "-2359"),
    ] {
        let body = format!("{head}tagger A <a@x> {time} {zone}\n\nm\n");
        let oid = odb.write(ObjectType::Tag, body.as_bytes()).unwrap();
        assert!(matches!(read_one(&repo, oid), TagRead::Tag(_)), "{body}");
    }
    // A ref to an object that is not there.
    let gone = git2::Oid::from_str("1234567890123456789012345678901234567890").unwrap();
    match read_one(&repo, gone) {
        TagRead::Bad(w) => {
            assert!(w.message.contains("not in the repository"), "{}", w.message)
        }
        other => panic!("{other:?}"),
    }
}

/// A loose tag object cut to any length, or damaged, is a warning naming the tag, and
/// libgit2 is never asked to read it (it spins forever on some); a whole one reads.
#[test]
fn truncated_or_damaged_loose_tags_are_warnings() {
    let (dir, repo, commit) = repo_with_commit();
    let odb = repo.odb().unwrap();
    let body = format!(
        "object {commit}\ntype commit\ntag m@v1.0.0\ntagger A U Thor <a@x> 1700000000 +0000\n\n{}\n",
        "Registering artifact m version v1.0.0, with a message long enough. ".repeat(3)
    );
    let oid = odb.write(ObjectType::Tag, body.as_bytes()).unwrap();
    let hex = oid.to_string();
    let path = dir
        .path()
        .join(".git/objects")
        .join(&hex[..2])
        .join(&hex[2..]);
    let whole = std::fs::read(&path).unwrap();
    assert!(whole.len() >= 160, "{}", whole.len());
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    let mut variants: Vec<(String, Vec<u8>)> = (0..whole.len())
        .map(|n| (format!("cut to {n}"), whole[..n].to_vec()))
        .collect();
    let mut flipped = whole.clone();
    flipped[whole.len() / 2] ^= 0x55;
    variants.push(("a flipped byte".into(), flipped));
    let mut longer = whole.clone();
    longer.extend_from_slice(b"garbage");
    variants.push(("garbage after the end".into(), longer));
    variants.push(("not zlib".into(), b"tag 5\0hello".to_vec()));
    for (what, bytes) in variants {
        std::fs::write(&path, &bytes).unwrap();
        match read_one(&repo, oid) {
            TagRead::Bad(w) => {
                assert!(
                    w.message.contains("tag 'm@v1.0.0' cannot be read"),
                    "{what}: {}",
                    w.message
                );
                assert!(w.message.contains("corrupt"), "{what}: {}", w.message);
                assert!(!w.message.contains("class="), "{what}: {}", w.message);
                assert!(w
                    .fix
                    .contains(&format!("objects/{}/{}", &hex[..2], &hex[2..])));
            }
            other => panic!("{what}: read as {other:?}"),
        }
    }
    std::fs::write(&path, &whole).unwrap();
    assert!(matches!(read_one(&repo, oid), TagRead::Tag(_)));
}

/// A corrupt loose object in an alternate object directory is caught as well (libgit2 would
/// read it through the alternate).
#[test]
fn corrupt_objects_in_alternates_are_caught() {
    let (dir, repo, commit) = repo_with_commit();
    let odb = repo.odb().unwrap();
    let body = format!("object {commit}\ntype commit\ntag m@v1.0.0\ntagger A <a@x> 1 +0000\n\nm\n");
    let oid = odb.write(ObjectType::Tag, body.as_bytes()).unwrap();
    let hex = oid.to_string();
    let path = dir
        .path()
        .join(".git/objects")
        .join(&hex[..2])
        .join(&hex[2..]);
    let whole = std::fs::read(&path).unwrap();
    let other = tempfile::tempdir().unwrap();
    let borrower = Repository::init(other.path()).unwrap();
    std::fs::write(
        other.path().join(".git/objects/info/alternates"),
        format!("{}\n", dir.path().join(".git/objects").display()),
    )
    .unwrap();
    assert!(matches!(read_one(&borrower, oid), TagRead::Tag(_)));
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, &whole[..whole.len() / 2]).unwrap();
    match read_one(&borrower, oid) {
        TagRead::Bad(w) => assert!(w.message.contains("is corrupt"), "{}", w.message),
        other => panic!("{other:?}"),
    }
}

/// The header of a loose object claims its length: a claim of more than a tag can be is
/// refused before anything that size is allocated.
#[test]
fn a_loose_header_cannot_make_us_allocate() {
    use std::io::Write as _;
    let (dir, repo, _) = repo_with_commit();
    let oid = git2::Oid::from_str("00000000000000000000000000000000000000ab").unwrap();
    let path = dir
        .path()
        .join(".git/objects/00/000000000000000000000000000000000000ab");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(b"tag 99999999999999\0object").unwrap();
    std::fs::write(&path, z.finish().unwrap()).unwrap();
    match read_one(&repo, oid) {
        TagRead::Bad(w) => assert!(w.message.contains("16 MiB"), "{}", w.message),
        other => panic!("{other:?}"),
    }
}

/// A packed tag object of more than 16 MiB is sized from its header and never read: the
/// tag is unreadable, a warning naming it (F8). A tag object found under another tag's name
/// is no tag of that name (F12).
#[test]
fn huge_packed_tags_and_renamed_tags_are_warnings() {
    let (dir, repo, commit) = repo_with_commit();
    let odb = repo.odb().unwrap();
    let body = format!(
        "object {commit}\ntype commit\ntag m@v1.0.0\ntagger A <a@x> 1700000000 +0000\n\n{}\n",
        "x".repeat(17 << 20)
    );
    let oid = odb.write(ObjectType::Tag, body.as_bytes()).unwrap();
    repo.reference("refs/tags/m@v1.0.0", oid, false, "")
        .unwrap();
    let status = std::process::Command::new("git")
        .args(["repack", "-a", "-d", "-q"])
        .current_dir(dir.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .unwrap();
    assert!(status.success());
    let hex = oid.to_string();
    assert!(!dir
        .path()
        .join(".git/objects")
        .join(&hex[..2])
        .join(&hex[2..])
        .exists());
    match read_one(&repo, oid) {
        TagRead::Bad(w) => assert!(w.message.contains("more than the 16 MiB"), "{}", w.message),
        other => panic!("{other:?}"),
    }
    let small = odb
        .write(
            ObjectType::Tag,
            format!(
                "object {commit}\ntype commit\ntag other@v2.0.0\ntagger A <a@x> 1 +0000\n\nm\n"
            )
            .as_bytes(),
        )
        .unwrap();
    match read_one(&repo, small) {
        TagRead::Bad(w) => {
            assert!(
                w.message
                    .contains("tag 'm@v1.0.0' is the tag object of 'other@v2.0.0'"),
                "{}",
                w.message
            );
            assert!(w.fix.contains("git tag -d m@v1.0.0"), "{}", w.fix);
        }
        other => panic!("{other:?}"),
    }
}

/// Reading on several threads gives what one thread gives, in the same order.
#[test]
fn many_tags_read_on_threads_as_on_one() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    let sig = git2::Signature::new("A", "a@x", &git2::Time::new(1_700_000_000, 60)).unwrap();
    let tree_id = repo.treebuilder(None).unwrap().write().unwrap();
    let tree = repo.find_tree(tree_id).unwrap();
    let commit = repo.commit(None, &sig, &sig, "c", &tree, &[]).unwrap();
    let object = repo.find_object(commit, None).unwrap();
    for i in 0..4100 {
        let name = format!("m{}@v0.0.{i}", i % 7);
        let sig = git2::Signature::new("A", "a@x", &git2::Time::new(1_700_000_000 + i, 0)).unwrap();
        repo.tag(&name, &object, &sig, &format!("tag {i}\n"), false)
            .unwrap();
    }
    repo.reference("refs/tags/m1@v9.9.9", commit, false, "lightweight")
        .unwrap();
    let opened = Repo::open(Some(dir.path())).unwrap();
    let listing = opened.list_tags(None).unwrap();
    assert_eq!(listing.tags.len(), 4100);
    assert_eq!(listing.lightweight, vec!["m1@v9.9.9".to_string()]);
    assert_eq!(listing.all_names.len(), 4101);
    let names: Vec<(String, git2::Oid)> = listing
        .tags
        .iter()
        .map(|t| {
            let oid = repo
                .find_reference(&format!("refs/tags/{}", t.name))
                .unwrap()
                .target()
                .unwrap();
            (t.name.clone(), oid)
        })
        .collect();
    let one_thread: Vec<RawTag> = read_tags_with(&repo, &names)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            TagRead::Tag(raw) => Some(raw),
            _ => None,
        })
        .collect();
    assert_eq!(listing.tags, one_thread);
    let m3 = "m3".parse().unwrap();
    let scoped = opened.list_tags(Some(&m3)).unwrap();
    assert_eq!(scoped.tags.len(), 586);
    assert!(scoped.tags.iter().all(|t| t.name.starts_with("m3@")));
}

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
    assert!(packed_refs_with_prefix(&dir.path().join("none"), b"refs/")
        .unwrap()
        .is_empty());
}
