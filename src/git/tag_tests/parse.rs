//! Tag objects read through our parser as libgit2 reads them, and malformed ones are
//! warnings that say why, never errors nor times of 1970.

use super::*;

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
            assert!(w.message.contains("not in the repository"), "{}", w.message);
        }
        other => panic!("{other:?}"),
    }
}
