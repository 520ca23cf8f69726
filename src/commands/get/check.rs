//! The integrity rule of `get`: what a source wrote, hashed while it was written, against the
//! digest the registration recorded. A SHA-256 (a file, or a directory's sha256sum manifest as
//! `digest.rs` defines it) and DVC's md5 (a file's, or `md5:HEX.dir`: the md5 of DVC's `.dir`
//! listing, built by `digest::dvc_md5`) are both checked when both are recorded. A mismatch
//! names the files that differ, when the recorded manifest can tell them.

use crate::digest::{self, ManifestEntry, dvc_md5};
use crate::error::UserError;
use crate::output::{escape, escape_bytes};
use crate::registry::trailer::Provenance;

use super::written::{Want, Written};

/// The hashes checking against `recorded` needs: DVC's md5 when it records one, the SHA-256
/// when it records one (or records nothing: a SHA-256 is cheap, and nothing else is asked).
pub(super) fn wanted(recorded: Option<&Provenance>) -> Want {
    Want {
        sha256: recorded.is_none_or(|r| r.sha256_digest().is_some()),
        md5: recorded.is_some_and(|r| r.digest.starts_with("md5:")),
    }
}

/// The most differing files a mismatch names, one a line.
const NAMED: usize = 50;

/// Checks `written` against `recorded`; the error says what differs. `what` names the copy
/// ("churn v1.2.0").
pub(super) fn check(recorded: &Provenance, written: &Written, what: &str) -> Result<(), UserError> {
    let md5 = recorded.digest.strip_prefix("md5:");
    let sha256 = recorded.sha256_digest();
    if md5.is_none() && sha256.is_none() {
        return Err(UserError::new(format!(
            "{what} records the digest '{}', which is neither sha256: nor DVC's md5:, so the copy cannot be checked; nothing was written",
            escape(&recorded.digest)
        ))
        .with_hint("a registration written by `registry register` records one of those"));
    }
    let mut problems: Vec<String> = Vec::new();
    if let Some(want) = md5 {
        let found = match written {
            Written::File(h) => h.md5.clone(),
            Written::Dir(files) => {
                let listing: Vec<dvc_md5::ListEntry> = files
                    .iter()
                    .map(|(p, h)| dvc_md5::ListEntry {
                        relpath: p.clone(),
                        md5: h.md5.clone(),
                    })
                    .collect();
                // Sorted and written byte for byte as DVC writes it.
                dvc_md5::dir_md5(&listing)
            }
        };
        if found != want {
            problems.push(format!(
                "recorded DVC's md5:{}, found md5:{found}",
                escape(want)
            ));
        }
    }
    let mut names = String::new();
    if let Some(want) = sha256 {
        let (found, manifest) = match written {
            Written::File(h) => (format!("sha256:{}", h.sha256), None),
            Written::Dir(files) => {
                let entries: Vec<ManifestEntry> = files
                    .iter()
                    .map(|(p, h)| ManifestEntry {
                        path: p.clone(),
                        sha256: h.sha256.clone(),
                    })
                    .collect();
                let d = format!(
                    "sha256:{}",
                    digest::sha256_bytes(&digest::manifest_bytes(&entries))
                );
                (d, Some(entries))
            }
        };
        if found != want {
            problems.push(format!("recorded {}, found {found}", escape(want)));
            if let (Some(expected), Some(found)) = (recorded_manifest(recorded, want), manifest) {
                names = differing(&expected, &found);
            }
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    // A directory's registration always records a manifest (SHA-256) or a `.dir` md5.
    let recorded_dir = recorded.manifest.is_some() || recorded.digest.ends_with(".dir");
    let kind = match (written, recorded_dir) {
        (Written::File(_), true) => " (a directory was recorded, a file was fetched)",
        // A SHA-256 alone does not say it was of a file: only a DVC md5 without `.dir` does.
        (Written::Dir(_), false) if md5.is_some() => {
            " (a file was recorded, a directory was fetched)"
        }
        _ => "",
    };
    Err(UserError::new(format!(
        "the bytes fetched for {what} do not match its recorded digest{kind}: {}; nothing was written{names}",
        problems.join("; ")
    ))
    .with_hint("the source does not hold the registered bytes (changed, or tampered with); `registry describe` and `git tag -n99 TAG` show what was recorded"))
}

/// What git holds (`None`: one file; else a directory's file paths), held to the recorded
/// SHA-256 before anything is written: a directory whose files are not the recorded manifest's,
/// a directory where a file's digest is recorded, or a file where a directory's is, is refused
/// at once, naming what differs. (Contents are checked as they are written.)
pub(super) fn listing(
    recorded: Option<&Provenance>,
    listing: Option<&[&[u8]]>,
    what: &str,
) -> Result<(), UserError> {
    let Some(recorded) = recorded else {
        return Ok(());
    };
    let Some(sha) = recorded.sha256_digest() else {
        return Ok(());
    };
    let mismatch = |why: &str, named: &str| {
        UserError::new(format!(
            "{what}: git holds {why} its registration recorded; nothing was written{named}"
        ))
        .with_hint("the tag or the commit was changed, or tampered with, after registration")
    };
    match (recorded_manifest(recorded, sha), listing) {
        (Some(_), None) => Err(mismatch("a file where", "")),
        (None, Some(_)) if recorded.manifest.is_none() => Err(mismatch("a directory where", "")),
        (Some(entries), Some(paths)) => {
            let by_path: std::collections::HashMap<&[u8], &str> = entries
                .iter()
                .map(|e| (e.path.as_slice(), e.sha256.as_str()))
                .collect();
            let found: Vec<ManifestEntry> = paths
                .iter()
                .map(|p| {
                    // Contents are not known yet: a listed file counts as the recorded one.
                    let sha256 = by_path.get(p).map(|s| (*s).to_string()).unwrap_or_default();
                    ManifestEntry {
                        path: p.to_vec(),
                        sha256,
                    }
                })
                .collect();
            let named = differing(&entries, &found);
            if named.is_empty() {
                Ok(())
            } else {
                Err(mismatch("other files than", &named))
            }
        }
        _ => Ok(()),
    }
}

/// The recorded manifest, when it is the one the SHA-256 digest `want` is of (a manifest
/// anyone could have edited into the message proves nothing otherwise).
fn recorded_manifest(recorded: &Provenance, want: &str) -> Option<Vec<ManifestEntry>> {
    let entries: Vec<ManifestEntry> = recorded
        .manifest
        .as_ref()?
        .iter()
        .map(|(path, sha256)| ManifestEntry {
            path: path.clone(),
            sha256: sha256.clone(),
        })
        .collect();
    let of = format!(
        "sha256:{}",
        digest::sha256_bytes(&digest::manifest_bytes(&entries))
    );
    (of == want).then_some(entries)
}

/// `\nadded: …`, `\nmissing: …`, `\nchanged: …` lines (escaped), at most [`NAMED`].
fn differing(expected: &[ManifestEntry], found: &[ManifestEntry]) -> String {
    let (added, missing, changed) = digest::manifest_diff(expected, found);
    let mut lines = Vec::new();
    for (what, files) in [("added", added), ("missing", missing), ("changed", changed)] {
        for f in files {
            lines.push(format!("\n{what}: {}", escape_bytes(&f)));
        }
    }
    let more = lines.len().saturating_sub(NAMED);
    lines.truncate(NAMED);
    if more > 0 {
        lines.push(format!("\n… and {more} more"));
    }
    lines.concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::get::written::Hashes;
    use crate::registry::trailer::DigestSource;

    fn hashes(sha256: &str, md5: &str) -> Hashes {
        Hashes {
            sha256: sha256.into(),
            md5: md5.into(),
            size: 0,
        }
    }

    fn recorded(digest: &str, sha256: Option<&str>) -> Provenance {
        Provenance {
            path: "m".into(),
            digest: digest.into(),
            source: DigestSource::Git,
            manifest: None,
            sha256: sha256.map(str::to_string),
            dvc: None,
        }
    }

    #[test]
    fn both_recorded_digests_are_checked() {
        let w = Written::File(hashes("aa", "bb"));
        assert!(check(&recorded("md5:bb", Some("sha256:aa")), &w, "x").is_ok());
        let e = check(&recorded("md5:bb", Some("sha256:cc")), &w, "x").unwrap_err();
        assert!(
            e.message.contains("recorded sha256:cc, found sha256:aa"),
            "{e:?}"
        );
        let e = check(&recorded("md5:00", Some("sha256:aa")), &w, "x").unwrap_err();
        assert!(e.message.contains("md5:00"), "{e:?}");
        assert!(check(&recorded("crc:1", None), &w, "x").is_err());
    }

    #[test]
    fn only_the_recorded_hashes_are_computed() {
        let both = Want::BOTH;
        let sha = Want {
            sha256: true,
            md5: false,
        };
        assert_eq!(wanted(None), sha);
        assert_eq!(wanted(Some(&recorded("sha256:aa", None))), sha);
        assert_eq!(wanted(Some(&recorded("md5:bb", Some("sha256:aa")))), both);
        assert_eq!(
            wanted(Some(&recorded("md5:bb", None))),
            Want {
                sha256: false,
                md5: true
            }
        );
    }

    #[test]
    fn a_directory_names_its_differing_files() {
        let files = vec![
            (b"a".to_vec(), hashes("11", "")),
            (b"new\n".to_vec(), hashes("22", "")),
        ];
        let expected = vec![
            (b"a".to_vec(), "10".to_string()),
            (b"gone".to_vec(), "33".into()),
        ];
        let entries: Vec<ManifestEntry> = expected
            .iter()
            .map(|(p, s)| ManifestEntry {
                path: p.clone(),
                sha256: s.clone(),
            })
            .collect();
        let digest = format!(
            "sha256:{}",
            digest::sha256_bytes(&digest::manifest_bytes(&entries))
        );
        let mut r = recorded(&digest, None);
        r.manifest = Some(expected);
        let e = check(&r, &Written::Dir(files), "x").unwrap_err();
        assert!(e.message.contains("\nadded: new\\n"), "{}", e.message);
        assert!(e.message.contains("\nmissing: gone"), "{}", e.message);
        assert!(e.message.contains("\nchanged: a"), "{}", e.message);
    }
}
