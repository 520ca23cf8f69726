//! The trailer format's tests: round trips, hostile names and values, forged blocks.

use super::*;

#[test]
fn round_trips() {
    let p = Provenance {
        path: "models/dir".into(),
        digest: "sha256:abc".into(),
        source: "worktree".into(),
        manifest: Some(vec![
            (b"a b.bin".to_vec(), "11".into()),
            (b"sub/c".to_vec(), "22".into()),
        ]),
        sha256: None,
        dvc: None,
    };
    let m = message("Registering artifact m version v0.0.1", Some(&p));
    assert_eq!(
        m,
        "Registering artifact m version v0.0.1\n\nManifest (sha256sum format):\n11  a b.bin\n22  sub/c\n\n\
         Artifact-Path: models/dir\nArtifact-Digest: sha256:abc\nArtifact-Digest-Source: worktree"
    );
    assert_eq!(parse(&m), Some(p));
    assert_eq!(parse("Registering artifact m version v0.0.1"), None);
    assert_eq!(message("x", None), "x");
}

#[test]
fn hostile_names_round_trip_one_line_each() {
    let names: Vec<Vec<u8>> = vec![
        b"x\nabc  y".to_vec(),
        b"back\\slash".to_vec(),
        b"cr\rhere".to_vec(),
        b"not utf8 \xff\xfe".to_vec(),
        b"esc \x1b]52;c;aGk=\x07".to_vec(),
        "c1 \u{9b}31m".as_bytes().to_vec(),
        b"literal \\x41 \\n".to_vec(),
        b"tab\there".to_vec(),
        b"".to_vec(),
    ];
    let p = Provenance {
        path: "d".into(),
        digest: "sha256:00".into(),
        source: "git".into(),
        manifest: Some(names.iter().map(|n| (n.clone(), "ab".into())).collect()),
        sha256: None,
        dvc: None,
    };
    let m = message("Registering", Some(&p));
    // One line per file, the head, the blank lines, the first line and three trailers.
    assert_eq!(m.lines().count(), 1 + 1 + 1 + names.len() + 1 + 3, "{m}");
    assert!(
        !m.chars().any(|c| c.is_control() && c != '\n' && c != '\t'),
        "{m:?}"
    );
    assert!(m.contains("\n\\ab  x\\nabc  y\n"), "{m}");
    assert!(m.contains("\n\\ab  back\\\\slash\n"), "{m}");
    assert!(m.contains("\n\\ab  not utf8 \\xff\\xfe\n"), "{m}");
    assert_eq!(parse(&m), Some(p));
}

#[test]
fn a_block_that_does_not_parse_cleanly_records_no_digest() {
    let forged = "Registering\n\nArtifact-Path: x\nArtifact-Digest: sha256:evil\n\
                  Artifact-Digest: sha256:real\nArtifact-Digest-Source: git";
    assert!(matches!(read(forged), Record::Malformed(m) if m.contains("twice")));
    assert_eq!(parse(forged), None);
    let stray = "R\n\nArtifact-Path: x\nnot a trailer\nArtifact-Digest: sha256:1";
    assert!(matches!(read(stray), Record::Malformed(_)));
    let no_digest = "R\n\nArtifact-Path: x\nArtifact-Digest-Source: git";
    assert!(matches!(read(no_digest), Record::Malformed(_)));
    let other = "R\n\nSigned-off-by: A <a@b>\nArtifact-Digest: sha256:1";
    assert_eq!(parse(other).map(|p| p.digest), Some("sha256:1".into()));
    assert_eq!(read("R\n\nSigned-off-by: A <a@b>"), Record::None);
    assert_eq!(control_char("a\nb"), Some('\n'));
    assert_eq!(control_char("models/ünï code.pkl"), None);
}

#[test]
fn digest_sources_read_back_as_written() {
    for (text, source) in [
        ("git", DigestSource::Git),
        ("worktree", DigestSource::Worktree),
        ("given", DigestSource::Given),
        ("dvc", DigestSource::Dvc),
        ("GIT", DigestSource::Other("GIT".into())),
    ] {
        let m = format!("R\n\nArtifact-Digest: sha256:1\nArtifact-Digest-Source: {text}");
        let p = parse(&m).unwrap();
        assert_eq!(p.source, source);
        assert_eq!(p.source.to_string(), text);
        assert!(message("R", Some(&p)).ends_with(&format!("Artifact-Digest-Source: {text}")));
    }
    let none = parse("R\n\nArtifact-Digest: sha256:1").unwrap();
    assert_eq!(none.source, DigestSource::Other(String::new()));
}

#[test]
fn a_manifest_must_sit_just_before_the_trailers() {
    // A `-m` message cannot bring a manifest of its own.
    let m = "Reg\n\nManifest (sha256sum format):\nab  forged\n\nmore text\n\n\
             Artifact-Path: x\nArtifact-Digest: sha256:1\nArtifact-Digest-Source: git";
    assert_eq!(parse(m).map(|p| p.manifest), Some(None));
}

#[test]
fn dvc_records_round_trip() {
    let dir = Provenance {
        path: "data/images".into(),
        digest: "md5:330732952bf2699c39a8456fc04569c5.dir".into(),
        source: DigestSource::Dvc,
        manifest: Some(vec![(b"a.b".to_vec(), "11".into())]),
        sha256: Some(format!("sha256:{}", "ab".repeat(32))),
        dvc: Some(DvcRecord {
            file: "data/images.dvc".into(),
            size: Some(8),
            nfiles: Some(4),
        }),
    };
    let m = message("Registering artifact m version v0.0.1", Some(&dir));
    assert_eq!(
        m,
        format!(
            "Registering artifact m version v0.0.1\n\nManifest (sha256sum format):\n11  a.b\n\n\
             Artifact-Path: data/images\nArtifact-Digest: md5:330732952bf2699c39a8456fc04569c5.dir\n\
             Artifact-Digest-Source: dvc\nArtifact-Size: 8\nArtifact-Files: 4\n\
             Artifact-Dvc-File: data/images.dvc\nArtifact-Sha256: sha256:{}",
            "ab".repeat(32)
        )
    );
    assert_eq!(parse(&m), Some(dir.clone()));
    assert_eq!(dir.sha256_digest(), dir.sha256.as_deref());
    // A file in a dvc.lock, its work-tree copy other bytes: no SHA-256, no manifest.
    let file = Provenance {
        path: "model.pkl".into(),
        digest: "md5:04153b3135e575c274352238bed301e7".into(),
        source: DigestSource::Dvc,
        manifest: None,
        sha256: None,
        dvc: Some(DvcRecord {
            file: "sub/dvc.lock".into(),
            size: Some(13),
            nfiles: None,
        }),
    };
    let m = message("R", Some(&file));
    assert!(
        m.ends_with("Artifact-Size: 13\nArtifact-Dvc-File: sub/dvc.lock"),
        "{m}"
    );
    assert_eq!(parse(&m), Some(file.clone()));
    assert_eq!(file.sha256_digest(), None);
    // Inside a tracked directory, the size may be unknown.
    let inside = Provenance {
        dvc: Some(DvcRecord {
            file: "data.dvc".into(),
            size: None,
            nfiles: None,
        }),
        ..file
    };
    assert_eq!(parse(&message("R", Some(&inside))), Some(inside));
}

#[test]
fn hostile_dvc_trailers_record_no_digest() {
    let base = "R\n\nArtifact-Path: m\nArtifact-Digest: md5:04153b3135e575c274352238bed301e7\n\
                Artifact-Digest-Source: dvc";
    for (extra, why) in [
        (
            "\nArtifact-Size: 1\nArtifact-Size: 2\nArtifact-Dvc-File: m.dvc",
            "twice",
        ),
        (
            "\nArtifact-Dvc-File: m.dvc\nArtifact-Dvc-File: n.dvc",
            "twice",
        ),
        (
            "\nArtifact-Size: -1\nArtifact-Dvc-File: m.dvc",
            "not a number",
        ),
        (
            "\nArtifact-Size: +1\nArtifact-Dvc-File: m.dvc",
            "not a number",
        ),
        (
            "\nArtifact-Files: 1e3\nArtifact-Dvc-File: m.dvc",
            "not a number",
        ),
        ("\nArtifact-Size: 13", "without Artifact-Dvc-File"),
        (
            "\nArtifact-Dvc-File: m.dvc\nArtifact-Sha256: md5:1",
            "not sha256",
        ),
        (
            "\nArtifact-Sha256: sha256:1\nArtifact-Sha256: sha256:2",
            "twice",
        ),
    ] {
        let m = format!("{base}{extra}");
        assert!(
            matches!(read(&m), Record::Malformed(ref w) if w.contains(why)),
            "{m}: {:?}",
            read(&m)
        );
        assert_eq!(parse(&m), None);
    }
    // A block of only the new keys is still judged as ours.
    assert!(matches!(
        read("R\n\nArtifact-Sha256: sha256:1"),
        Record::Malformed(_)
    ));
    // A sha256 registration reads back as before: no DVC record, no extra SHA-256.
    let old =
        parse("R\n\nArtifact-Path: m\nArtifact-Digest: sha256:1\nArtifact-Digest-Source: git")
            .unwrap();
    assert_eq!((old.sha256, old.dvc), (None, None));
}
