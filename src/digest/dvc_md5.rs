//! DVC's own content identity, computed exactly as DVC 3 computes it (iterative/dvc-data,
//! `hashfile/tree.py`): a file is the MD5 of its bytes (no normalization: DVC 2's dos2unix MD5
//! is not this); a directory is the MD5 of its `.dir` listing, with `.dir` appended.
//!
//! The listing is what Python's `json.dumps(sorted(entries, key=relpath), sort_keys=True)`
//! writes for `[{"md5": …, "relpath": "a/b"}, …]`: separators `", "` and `": "`, every character
//! outside printable ASCII escaped as `\uXXXX` (lower-case hex, a surrogate pair above U+FFFF),
//! sorted by the relpath's code points. A name that is not UTF-8 is what Python's
//! `surrogateescape` makes of it (each bad byte `b` is U+DC00+b). The listing holds regular files
//! only (empty directories are not in it) and a symbolic link to a regular file counts as that
//! file, as DVC's walk counts it. What DVC's ignore rules leave out (`.dvcignore`, `.git/`, a
//! nested DVC repository: `dvcignore.rs`) is in neither the listing nor the SHA-256 beside it,
//! which is of the same files. Work-tree files are streamed; with a SHA-256 asked for, both
//! digests come from the one read.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::AtomicU64;

use anyhow::{Context, Result};
use md5::{Digest as _, Md5};
use sha2::Sha256;

use super::walk::Progress;
use super::{Hashed, ManifestEntry, hex, manifest_bytes, sha256_bytes};

/// One line of a `.dir` listing: a file's path under the directory and its MD5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListEntry {
    /// Relative path with `/`, as raw bytes.
    pub relpath: Vec<u8>,
    /// MD5 hex of the file.
    pub md5: String,
}

/// What hashing a path as DVC does found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DvcHashed {
    /// MD5 hex of a file, or `<hex>.dir` for a directory: what `md5:` in a `.dvc` file says.
    pub md5: String,
    /// Bytes in all (DVC's `size`).
    pub size: u64,
    /// For a directory, how many files its listing holds (DVC's `nfiles`).
    pub nfiles: Option<u64>,
    /// For a directory, its listing (sorted as DVC sorts it).
    pub listing: Option<Vec<ListEntry>>,
    /// The SHA-256 digest of the same bytes (a directory: of the sha256sum manifest of the
    /// files in its listing), when asked for.
    pub sha256: Option<Hashed>,
    /// What neither digest covers: entries of a directory that are neither regular files nor
    /// links to one (links to directories, FIFOs, sockets, devices), sorted.
    pub left_out: Vec<Vec<u8>>,
    /// Files of a directory reached through a symbolic link (in both digests, as DVC counts
    /// them; `digest::hash_path` and `find -type f` leave them out), sorted.
    pub links: Vec<Vec<u8>>,
    /// What DVC's ignore rules leave out of a directory, in neither digest, sorted: files, and
    /// directories with a `/` after the name (not walked).
    pub ignored: Vec<Vec<u8>>,
}

impl DvcHashed {
    /// A note naming what DVC's ignore rules left out of `shown` (a directory), when anything:
    /// a check says what it did not look at.
    pub(crate) fn ignored_note(&self, shown: &str) -> Option<String> {
        const SHOWN: usize = 10;
        if self.ignored.is_empty() {
            return None;
        }
        let mut names: Vec<String> = self
            .ignored
            .iter()
            .take(SHOWN)
            .map(|n| crate::output::escape_bytes(n))
            .collect();
        if self.ignored.len() > SHOWN {
            names.push(format!("and {} more", self.ignored.len() - SHOWN));
        }
        let n = self.ignored.len();
        let entries = if n == 1 { "entry is" } else { "entries are" };
        Some(format!(
            "'{shown}': {n} {entries} left out as DVC leaves them out (.dvcignore, .git, .hg, .dvc, nested DVC repositories): {}",
            names.join(", ")
        ))
    }
}

/// MD5 hex of bytes in memory.
pub(crate) fn md5_bytes(bytes: &[u8]) -> String {
    hex(&Md5::digest(bytes))
}

/// One file's sums, read once.
#[derive(Debug, Clone, Default)]
struct Sums {
    md5: String,
    sha256: Option<String>,
    size: u64,
}

/// MD5 (and SHA-256 when `both`) of a reader, streamed in 64 KiB blocks ([`super::each_block`]).
fn sums_reader(r: impl Read, both: bool, done: &AtomicU64) -> io::Result<Sums> {
    let mut md5 = Md5::new();
    let mut sha = both.then(Sha256::new);
    let mut size = 0u64;
    super::each_block(r, done, |block| {
        md5.update(block);
        if let Some(sha) = &mut sha {
            sha2::Digest::update(sha, block);
        }
        size += block.len() as u64;
    })?;
    Ok(Sums {
        md5: hex(&md5.finalize()),
        sha256: sha.map(|s| hex(&sha2::Digest::finalize(s))),
        size,
    })
}

/// The code points Python sees in a file name: UTF-8 decoded, each byte that is not UTF-8
/// mapped to U+DC00+byte (`surrogateescape`, how `os.walk` hands DVC such a name).
fn code_points(name: &[u8]) -> Vec<u32> {
    let mut out = Vec::with_capacity(name.len());
    for chunk in name.utf8_chunks() {
        out.extend(chunk.valid().chars().map(u32::from));
        out.extend(chunk.invalid().iter().map(|&b| 0xDC00 + u32::from(b)));
    }
    out
}

/// Appends a string as Python's `json.dumps(..., ensure_ascii=True)` writes it, quotes included.
fn push_json_str(out: &mut String, points: &[u32]) {
    out.push('"');
    for &c in points {
        match c {
            0x22 => out.push_str("\\\""),
            0x5C => out.push_str("\\\\"),
            0x0A => out.push_str("\\n"),
            0x0D => out.push_str("\\r"),
            0x09 => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0C => out.push_str("\\f"),
            // Printable ASCII (space to `~`) as it is; everything else escaped.
            0x20..=0x7E => out.push(char::from_u32(c).unwrap_or('?')),
            0x10000.. => {
                let v = c - 0x10000;
                let hi = 0xD800 | (v >> 10);
                let lo = 0xDC00 | (v & 0x3FF);
                out.push_str(&format!("\\u{hi:04x}\\u{lo:04x}"));
            }
            _ => out.push_str(&format!("\\u{c:04x}")),
        }
    }
    out.push('"');
}

/// The `.dir` listing's bytes for entries (sorted here, by code points, as Python sorts).
pub(crate) fn listing_bytes(entries: &[ListEntry]) -> Vec<u8> {
    let mut sorted: Vec<(Vec<u32>, &ListEntry)> = entries
        .iter()
        .map(|e| (code_points(&e.relpath), e))
        .collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::from("[");
    for (i, (points, e)) in sorted.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str("{\"md5\": ");
        push_json_str(&mut out, &e.md5.chars().map(u32::from).collect::<Vec<_>>());
        out.push_str(", \"relpath\": ");
        push_json_str(&mut out, points);
        out.push('}');
    }
    out.push(']');
    out.into_bytes()
}

/// A directory's DVC md5: `<md5 of its listing>.dir`.
pub(crate) fn dir_md5(entries: &[ListEntry]) -> String {
    format!("{}.dir", md5_bytes(&listing_bytes(entries)))
}

/// Reads a `.dir` listing from DVC's cache: a JSON list of `{"md5", "relpath", …}` objects
/// (other keys, such as `size` in a listing written with meta, are ignored). `None` when it is
/// not one.
pub(crate) fn parse_listing(bytes: &[u8]) -> Option<Vec<ListEntry>> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    value
        .as_array()?
        .iter()
        .map(|e| {
            let md5 = e.get("md5")?.as_str()?;
            let relpath = e.get("relpath")?.as_str()?;
            is_md5_hex(md5).then(|| ListEntry {
                relpath: relpath.as_bytes().to_vec(),
                md5: md5.to_string(),
            })
        })
        .collect()
}

/// Whether `s` is 32 lower-case hex digits.
pub(crate) fn is_md5_hex(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Hashes a file or a directory of the work tree as DVC does; with `sha256`, its SHA-256 digest
/// too, from the same read.
pub(crate) fn hash_path(path: &Path, sha256: bool) -> Result<DvcHashed> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    let label = path.display().to_string();
    if meta.is_file() {
        let progress = Progress::new(&label, meta.len());
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let sums = progress
            .run(|| sums_reader(file, sha256, &progress.done))
            .with_context(|| format!("cannot read {}", path.display()))?;
        return Ok(DvcHashed {
            md5: sums.md5,
            size: sums.size,
            nfiles: None,
            listing: None,
            sha256: sums.sha256.map(|hex| Hashed {
                digest: format!("sha256:{hex}"),
                manifest: None,
                left_out: Vec::new(),
            }),
            left_out: Vec::new(),
            links: Vec::new(),
            ignored: Vec::new(),
        });
    }
    if !meta.is_dir() {
        anyhow::bail!("{} is neither a file nor a directory", path.display());
    }
    let walked = super::walk::walk(path, true, true)?;
    let progress = Progress::new(&label, walked.total());
    let sums = progress.run(|| {
        super::walk::hash_parallel(&walked.files, &progress.done, |f, done| {
            sums_reader(f, sha256, done)
        })
    })?;
    let listing: Vec<ListEntry> = walked
        .files
        .iter()
        .zip(&sums)
        .map(|(f, s)| ListEntry {
            relpath: f.rel.clone(),
            md5: s.md5.clone(),
        })
        .collect();
    // The SHA-256 manifest is over the same files as the md5 listing, links to files included
    // (a `dvc checkout` with `cache.type = symlink` makes every file one): the SHA-256 of the
    // same bytes, whatever DVC's link type.
    let sha = sha256.then(|| {
        let manifest: Vec<ManifestEntry> = walked
            .files
            .iter()
            .zip(&sums)
            .map(|(f, s)| ManifestEntry {
                path: f.rel.clone(),
                sha256: s.sha256.clone().unwrap_or_default(),
            })
            .collect();
        Hashed {
            digest: format!("sha256:{}", sha256_bytes(&manifest_bytes(&manifest))),
            manifest: Some(manifest),
            left_out: walked.left_out.clone(),
        }
    });
    let links = walked
        .files
        .iter()
        .filter(|f| f.link)
        .map(|f| f.rel.clone())
        .collect();
    let mut sorted = listing;
    sorted.sort_by_cached_key(|e| code_points(&e.relpath));
    Ok(DvcHashed {
        md5: dir_md5(&sorted),
        size: sums.iter().map(|s| s.size).sum(),
        nfiles: Some(sorted.len() as u64),
        listing: Some(sorted),
        sha256: sha,
        left_out: walked.left_out,
        links,
        ignored: walked.ignored,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(relpath: &[u8], md5: &str) -> ListEntry {
        ListEntry {
            relpath: relpath.to_vec(),
            md5: md5.to_string(),
        }
    }

    #[test]
    fn file_md5_is_of_the_raw_bytes() {
        assert_eq!(md5_bytes(b""), "d41d8cd98f00b204e9800998ecf8427e");
        // CRLF stays CRLF (DVC 2's dos2unix would have hashed "a\nb\n").
        assert_eq!(md5_bytes(b"a\r\nb\r\n"), "59b0d7772f0561efb95518f3cb8abc60");
    }

    /// The listing real DVC 3.67 wrote to its cache for a.b ("z\n"), b.txt ("x\n"), sub/c
    /// ("y\n") and sub/ü (bytes "é"), out of order here.
    #[test]
    fn the_listing_is_byte_for_byte_dvcs() {
        let entries = [
            entry("sub/ü".as_bytes(), "66ddcd97cfdeabb2f6fb8a999b4bc76f"),
            entry(b"b.txt", "401b30e3b8b5d629635a5c613cdb7919"),
            entry(b"sub/c", "009520053b00386d1173f3988c55d192"),
            entry(b"a.b", "a8a78d0ff555c931f045b6f448129846"),
        ];
        assert_eq!(
            String::from_utf8(listing_bytes(&entries)).unwrap(),
            r#"[{"md5": "a8a78d0ff555c931f045b6f448129846", "relpath": "a.b"}, {"md5": "401b30e3b8b5d629635a5c613cdb7919", "relpath": "b.txt"}, {"md5": "009520053b00386d1173f3988c55d192", "relpath": "sub/c"}, {"md5": "66ddcd97cfdeabb2f6fb8a999b4bc76f", "relpath": "sub/\u00fc"}]"#
        );
        assert_eq!(dir_md5(&entries), "330732952bf2699c39a8456fc04569c5.dir");
        // An empty directory, as DVC records it.
        assert_eq!(dir_md5(&[]), "d751713988987e9331980363e24189ce.dir");
    }

    #[test]
    fn strings_are_escaped_as_python_escapes_them() {
        let mut s = String::new();
        push_json_str(
            &mut s,
            &code_points("q\"b\\\n\r\t\u{8}\u{c}\u{1}\u{7f}é😀~ ".as_bytes()),
        );
        assert_eq!(s, r#""q\"b\\\n\r\t\b\f\u0001\u007f\u00e9\ud83d\ude00~ ""#);
        s.clear();
        push_json_str(&mut s, &code_points(b"bad\xff"));
        assert_eq!(s, r#""bad\udcff""#);
    }

    #[test]
    fn sorting_is_by_code_points_as_python_sorts() {
        // Bytewise, "\xff" (a surrogate escape, U+DCFF) would sort after "ü"'s UTF-8; by
        // code points U+00FC < U+DCFF < U+E000.
        let entries = [
            entry("\u{e000}".as_bytes(), "00000000000000000000000000000003"),
            entry(b"\xff", "00000000000000000000000000000002"),
            entry("ü".as_bytes(), "00000000000000000000000000000001"),
        ];
        let text = String::from_utf8(listing_bytes(&entries)).unwrap();
        let at = |needle: &str| text.find(needle).unwrap();
        assert!(
            at("\\u00fc") < at("\\udcff") && at("\\udcff") < at("\\ue000"),
            "{text}"
        );
    }

    #[test]
    fn a_directory_hashes_as_dvc_and_sha256_in_one_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::create_dir_all(root.join("empty dir")).unwrap();
        std::fs::write(root.join("a.b"), "z\n").unwrap();
        std::fs::write(root.join("b.txt"), "x\n").unwrap();
        std::fs::write(root.join("sub/c"), "y\n").unwrap();
        std::fs::write(root.join("sub/ü"), "é").unwrap();
        let h = hash_path(root, true).unwrap();
        assert_eq!(h.md5, "330732952bf2699c39a8456fc04569c5.dir");
        assert_eq!((h.size, h.nfiles), (8, Some(4)));
        assert_eq!(
            h.sha256.as_ref().unwrap().digest,
            crate::digest::hash_path(root).unwrap().digest
        );
        let file = hash_path(&root.join("a.b"), false).unwrap();
        assert_eq!(
            (file.md5.as_str(), file.size, file.sha256),
            ("a8a78d0ff555c931f045b6f448129846", 2, None)
        );
        // A link to a file counts as the file (DVC's walk); a link to a directory is left out.
        std::os::unix::fs::symlink("a.b", root.join("link")).unwrap();
        std::os::unix::fs::symlink("sub", root.join("dirlink")).unwrap();
        let h = hash_path(root, true).unwrap();
        assert_eq!(h.nfiles, Some(5));
        assert_eq!(h.left_out, [b"dirlink".to_vec()]);
        assert_eq!(h.links, [b"link".to_vec()]);
        assert_eq!(h.sha256.as_ref().unwrap().left_out, h.left_out);
        // The same bytes as a copy, not a link: the same md5 and SHA-256 (as a symlink
        // checkout and a copy checkout of DVC give).
        std::fs::remove_file(root.join("link")).unwrap();
        std::fs::write(root.join("link"), "z\n").unwrap();
        let copy = hash_path(root, true).unwrap();
        assert_eq!((&copy.md5, copy.links.len()), (&h.md5, 0));
        assert_eq!(copy.sha256.unwrap().digest, h.sha256.unwrap().digest);
    }

    #[test]
    fn cache_listings_parse_and_refuse_what_is_not_one() {
        let text = br#"[{"md5": "a8a78d0ff555c931f045b6f448129846", "relpath": "a.b", "size": 2}]"#;
        assert_eq!(
            parse_listing(text),
            Some(vec![entry(b"a.b", "a8a78d0ff555c931f045b6f448129846")])
        );
        for bad in [
            &b"{}"[..],
            b"[{\"md5\": \"x\", \"relpath\": \"a\"}]",
            b"not json",
            b"[1]",
        ] {
            assert_eq!(parse_listing(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }
}
