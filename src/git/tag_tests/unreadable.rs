//! Tag objects that cannot be read safely (truncated, damaged, in an alternate, a loose header
//! claiming too much, a packed one too big, one under another tag's name) are warnings naming
//! the tag, and libgit2 is never asked to read them.

use super::*;

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
    #[allow(
        clippy::permissions_set_readonly_false,
        reason = "the test makes a file writable again to clean up after itself"
    )]
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
                assert!(
                    w.fix
                        .contains(&format!("objects/{}/{}", &hex[..2], &hex[2..]))
                );
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
    assert!(
        !dir.path()
            .join(".git/objects")
            .join(&hex[..2])
            .join(&hex[2..])
            .exists()
    );
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
