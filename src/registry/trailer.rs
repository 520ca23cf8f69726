//! What a registration records about its bytes: git trailers after a blank line at the end of the
//! tag message (`Artifact-Path`, `Artifact-Digest`, `Artifact-Digest-Source`), and for a
//! directory its manifest in `sha256sum` format just before them (SPEC §4.2). GTO keeps the
//! message as text and ignores both. Pure: format and parse only.
//!
//! Every trailer value is one line: writers refuse values holding control characters
//! ([`control_char`]), and a trailer block that does not parse cleanly (a key twice, a line that
//! is not `Key: value`) records no digest, so no value can smuggle in a trailer of its own.
//! Manifest lines are those GNU `sha256sum` prints; a name holding a control character or a byte
//! that is not UTF-8 is written with `\xNN` escapes (its line starts with `\`, as sha256sum's
//! escaped lines do), so the message stays text and every name reads back byte for byte.

/// The recorded content of a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Provenance {
    /// The artifact's path as declared (relative to its artifacts.yaml), or a URL.
    pub path: String,
    /// `sha256:<hex>`.
    pub digest: String,
    /// Where the digest was computed.
    pub source: DigestSource,
    /// For a directory: `(relative path as raw bytes, sha256 hex)` per regular file.
    pub manifest: Option<Vec<(Vec<u8>, String)>>,
}

/// Where a recorded digest was computed: the `Artifact-Digest-Source` trailer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DigestSource {
    /// `git`: the content at the registered commit, read from git.
    Git,
    /// `worktree`: the working copy (files git does not hold: DVC, LFS, `.gitignore`).
    Worktree,
    /// `given`: given with `register --digest` (a virtual artifact).
    Given,
    /// Anything else a tag records, kept as written: another writer's word, or nothing at all
    /// (no trailer). Shown, never trusted to mean one of the above.
    Other(String),
}

impl DigestSource {
    /// The trailer's value.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            DigestSource::Git => "git",
            DigestSource::Worktree => "worktree",
            DigestSource::Given => "given",
            DigestSource::Other(s) => s,
        }
    }
}

impl From<&str> for DigestSource {
    fn from(value: &str) -> Self {
        match value {
            "git" => DigestSource::Git,
            "worktree" => DigestSource::Worktree,
            "given" => DigestSource::Given,
            other => DigestSource::Other(other.to_string()),
        }
    }
}

impl std::fmt::Display for DigestSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a tag message records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Record {
    /// No trailer block of ours.
    None,
    /// A clean trailer block.
    Clean(Provenance),
    /// A block with our keys that does not parse cleanly: why. Treated as no digest.
    Malformed(String),
}

const MANIFEST_HEAD: &str = "Manifest (sha256sum format):";
const PATH: &str = "Artifact-Path";
const DIGEST: &str = "Artifact-Digest";
const SOURCE: &str = "Artifact-Digest-Source";

/// The first control character of a trailer value, if any (such a value cannot be written: a
/// line break in it would start a trailer of its own).
pub(crate) fn control_char(value: &str) -> Option<char> {
    value.chars().find(|c| c.is_control())
}

/// A manifest line as the tag message holds it: `sha256sum`'s line for a name that is UTF-8 and
/// free of control characters other than those sha256sum escapes; otherwise escaped further
/// with `\xNN` for each byte of a control character and each byte that is not UTF-8.
fn manifest_line(hex: &str, name: &[u8]) -> String {
    let mut escaped = String::with_capacity(name.len());
    let mut any = false;
    for chunk in name.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => escaped.push_str("\\\\"),
                '\n' => escaped.push_str("\\n"),
                '\r' => escaped.push_str("\\r"),
                c if c.is_control() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        escaped.push_str(&format!("\\x{b:02x}"));
                    }
                }
                c => {
                    escaped.push(c);
                    continue;
                }
            }
            any = true;
        }
        for b in chunk.invalid() {
            escaped.push_str(&format!("\\x{b:02x}"));
            any = true;
        }
    }
    format!("{}{hex}  {escaped}", if any { "\\" } else { "" })
}

/// Reads a name escaped by [`manifest_line`] back to its bytes; `None` for a bad escape.
fn unescape_name(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        match bytes.get(i + 1)? {
            b'\\' => out.push(b'\\'),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b'x' => {
                let hex = std::str::from_utf8(bytes.get(i + 2..i + 4)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            _ => return None,
        }
        i += 2;
    }
    Some(out)
}

fn parse_manifest_line(line: &str) -> Option<(Vec<u8>, String)> {
    let (escaped, rest) = match line.strip_prefix('\\') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let (hex, name) = rest.split_once("  ")?;
    if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let name = if escaped {
        unescape_name(name)?
    } else {
        name.as_bytes().to_vec()
    };
    Some((name, hex.to_string()))
}

/// The tag message: `first` (GTO's default or `-m`), then the manifest and trailers if any.
/// The trailer values must be one line each (checked by the caller with [`control_char`]).
pub(crate) fn message(first: &str, p: Option<&Provenance>) -> String {
    let Some(p) = p else {
        return first.to_string();
    };
    debug_assert!(
        [p.path.as_str(), p.digest.as_str(), p.source.as_str()]
            .iter()
            .all(|v| control_char(v).is_none())
    );
    let mut out = first.trim_end().to_string();
    if let Some(files) = &p.manifest {
        out.push_str("\n\n");
        out.push_str(MANIFEST_HEAD);
        for (path, hex) in files {
            out.push('\n');
            out.push_str(&manifest_line(hex, path));
        }
    }
    out.push_str(&format!(
        "\n\n{PATH}: {}\n{DIGEST}: {}\n{SOURCE}: {}",
        p.path, p.digest, p.source
    ));
    out
}

/// Reads what a tag message records.
pub(crate) fn read(message: &str) -> Record {
    let text = message.trim_end();
    let (before, last) = text.rsplit_once("\n\n").unwrap_or(("", text));
    let ours = |l: &str| [PATH, DIGEST, SOURCE].iter().any(|k| l.starts_with(k));
    if !last.lines().any(ours) {
        return Record::None;
    }
    let (mut path, mut digest, mut source) = (None, None, None);
    for line in last.lines() {
        let Some((key, value)) = line.split_once(": ") else {
            return Record::Malformed(format!("trailer line '{line}' is not `Key: value`"));
        };
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Record::Malformed(format!("trailer line '{line}' is not `Key: value`"));
        }
        let slot = match key {
            PATH => &mut path,
            DIGEST => &mut digest,
            SOURCE => &mut source,
            _ => continue, // another trailer (`Signed-off-by: …`) is not ours to judge
        };
        if slot.is_some() {
            return Record::Malformed(format!("{key} appears twice"));
        }
        *slot = Some(value.trim().to_string());
    }
    let Some(digest) = digest else {
        return Record::Malformed(format!("the trailers have no {DIGEST}"));
    };
    if digest.is_empty() || digest.contains(char::is_whitespace) {
        return Record::Malformed(format!("{DIGEST} '{digest}' is not one digest"));
    }
    // The manifest is the paragraph just before the trailers, if it is one; a line that does not
    // parse makes it unknown (the digest still stands).
    let paragraph = before.rsplit_once("\n\n").map_or(before, |(_, p)| p);
    let manifest = paragraph
        .strip_prefix(MANIFEST_HEAD)
        .filter(|rest| rest.is_empty() || rest.starts_with('\n'))
        .and_then(|rest| {
            rest.lines()
                .skip(1)
                .map(parse_manifest_line)
                .collect::<Option<Vec<_>>>()
        });
    Record::Clean(Provenance {
        path: path.unwrap_or_default(),
        digest,
        source: source.as_deref().unwrap_or_default().into(),
        manifest,
    })
}

/// Reads provenance back from a tag message; `None` when it records none, or none cleanly.
pub(crate) fn parse(message: &str) -> Option<Provenance> {
    match read(message) {
        Record::Clean(p) => Some(p),
        Record::None | Record::Malformed(_) => None,
    }
}

#[cfg(test)]
mod tests {
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
}
