//! What a registration records about its bytes: git trailers after a blank line at the end of the
//! tag message (`Artifact-Path`, `Artifact-Digest`, `Artifact-Digest-Source`; for bytes DVC
//! tracks also `Artifact-Size`, `Artifact-Files`, `Artifact-Dvc-File` and, when proven,
//! `Artifact-Sha256`), and for a directory whose SHA-256 is recorded its manifest in `sha256sum`
//! format just before them (SPEC §4.2). GTO keeps the message as text and ignores both. Pure:
//! format and parse only.
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
    /// `sha256:<hex>`, or DVC's `md5:<hex>` (a directory: `md5:<hex>.dir`).
    pub digest: String,
    /// Where the digest was computed.
    pub source: DigestSource,
    /// For a directory: `(relative path as raw bytes, sha256 hex)` per regular file, the
    /// manifest of its SHA-256 digest ([`Provenance::sha256_digest`]).
    pub manifest: Option<Vec<(Vec<u8>, String)>>,
    /// `Artifact-Sha256`: the SHA-256 digest of the same bytes, beside a DVC md5, recorded only
    /// when the bytes hashed provably are the ones DVC names.
    pub sha256: Option<String>,
    /// What DVC's record says besides the md5, when the digest is DVC's.
    pub dvc: Option<DvcRecord>,
}

/// DVC's record of an artifact's bytes (`Artifact-Size`, `Artifact-Files`,
/// `Artifact-Dvc-File`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DvcRecord {
    /// The repository-relative `.dvc` or `dvc.lock` file the md5 was read from.
    pub file: String,
    /// Bytes in all, as DVC records it (unknown for a path inside a tracked directory whose
    /// work-tree copy was not proven).
    pub size: Option<u64>,
    /// Files of a directory (DVC's `nfiles`).
    pub nfiles: Option<u64>,
}

impl Provenance {
    /// The SHA-256 digest recorded (`Artifact-Digest` itself, or `Artifact-Sha256`), if any:
    /// the one a recorded manifest belongs to.
    pub(crate) fn sha256_digest(&self) -> Option<&str> {
        self.sha256.as_deref().or_else(|| {
            self.digest
                .starts_with("sha256:")
                .then_some(self.digest.as_str())
        })
    }
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
    /// `dvc`: DVC's md5, read from the `.dvc` or `dvc.lock` file at the registered commit.
    Dvc,
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
            DigestSource::Dvc => "dvc",
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
            "dvc" => DigestSource::Dvc,
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
const SIZE: &str = "Artifact-Size";
const FILES: &str = "Artifact-Files";
const DVC_FILE: &str = "Artifact-Dvc-File";
const SHA256: &str = "Artifact-Sha256";
/// Every key of ours: a block holding any of them is read (and judged) as ours.
const KEYS: [&str; 7] = [PATH, DIGEST, SOURCE, SIZE, FILES, DVC_FILE, SHA256];

/// Whether `c` may not stand in one line of a tag message: a control character, a line or
/// paragraph separator (U+2028, U+2029: Python's `splitlines()`, which GTO-side scripts use,
/// breaks lines there, so a value holding one could start a trailer of its own for them), or a
/// bidirectional override that can make a line read as another. The same set `output` escapes
/// (a module of the core's layer, so it keeps its own copy); the core's messages escape it too.
pub(crate) fn breaks_line(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// The first character of a trailer value that [`breaks_line`], if any (such a value cannot be
/// written: a line break in it would start a trailer of its own).
pub(crate) fn control_char(value: &str) -> Option<char> {
    value.chars().find(|c| breaks_line(*c))
}

/// The first line of a user's message (`-m`) that registry's own provenance block could be read
/// from: a line starting with one of its trailer keys (`Artifact-Metric` included: a message
/// must not forge a version's scores), or the manifest's heading. A message that
/// holds one is refused, or a registration that records no digest itself would carry the
/// message's forged one.
pub(crate) fn claims_provenance(message: &str) -> Option<&str> {
    // Lines as every reader may split them: Python's `str.splitlines()` also breaks at `\r`,
    // U+2028, U+2029 and the other separators below, so a block hidden behind one is found too.
    let python_line_break = |c: char| {
        matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        )
    };
    message.split(python_line_break).find(|l| {
        let l = l.trim_start();
        l.starts_with(MANIFEST_HEAD)
            || KEYS.iter().chain([&super::metrics::TRAILER]).any(|k| {
                l.strip_prefix(k)
                    .is_some_and(|r| r.trim_start().starts_with(':'))
            })
    })
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
                c if breaks_line(c) => {
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
            .into_iter()
            .chain(p.sha256.as_deref())
            .chain(p.dvc.as_ref().map(|d| d.file.as_str()))
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
    if let Some(d) = &p.dvc {
        if let Some(size) = d.size {
            out.push_str(&format!("\n{SIZE}: {size}"));
        }
        if let Some(n) = d.nfiles {
            out.push_str(&format!("\n{FILES}: {n}"));
        }
        out.push_str(&format!("\n{DVC_FILE}: {}", d.file));
    }
    if let Some(sha) = &p.sha256 {
        out.push_str(&format!("\n{SHA256}: {sha}"));
    }
    out
}

/// Reads what a tag message records.
pub(crate) fn read(message: &str) -> Record {
    let text = message.trim_end();
    let (before, last) = text.rsplit_once("\n\n").unwrap_or(("", text));
    let ours = |l: &str| KEYS.iter().any(|k| l.starts_with(k));
    if !last.lines().any(ours) {
        return Record::None;
    }
    let (mut path, mut digest, mut source) = (None, None, None);
    let (mut size, mut files, mut dvc_file, mut sha256) = (None, None, None, None);
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
            SIZE => &mut size,
            FILES => &mut files,
            DVC_FILE => &mut dvc_file,
            SHA256 => &mut sha256,
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
    let dvc = match dvc_parts(size, files, dvc_file) {
        Ok(dvc) => dvc,
        Err(why) => return Record::Malformed(why),
    };
    if let Some(sha) = &sha256
        && !is_sha256_digest(sha)
    {
        return Record::Malformed(format!("{SHA256} '{sha}' is not sha256:<64 hex digits>"));
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
        sha256,
        dvc,
    })
}

/// `sha256:` and 64 lower-case hex digits.
fn is_sha256_digest(s: &str) -> bool {
    s.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// The DVC trailers read together: sizes are decimal numbers, and neither goes without the
/// file they were read from.
fn dvc_parts(
    size: Option<String>,
    files: Option<String>,
    file: Option<String>,
) -> Result<Option<DvcRecord>, String> {
    let number = |key: &str, v: Option<String>| -> Result<Option<u64>, String> {
        v.map(|v| {
            v.parse::<u64>()
                .ok()
                .filter(|_| v.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| format!("{key} '{v}' is not a number of bytes or files"))
        })
        .transpose()
    };
    let (size, nfiles) = (number(SIZE, size)?, number(FILES, files)?);
    match file {
        Some(file) if !file.is_empty() => Ok(Some(DvcRecord { file, size, nfiles })),
        Some(_) => Err(format!("{DVC_FILE} is empty")),
        None if size.is_some() || nfiles.is_some() => {
            Err(format!("{SIZE} or {FILES} is there without {DVC_FILE}"))
        }
        None => Ok(None),
    }
}

/// Reads provenance back from a tag message; `None` when it records none, or none cleanly.
pub(crate) fn parse(message: &str) -> Option<Provenance> {
    match read(message) {
        Record::Clean(p) => Some(p),
        Record::None | Record::Malformed(_) => None,
    }
}

#[cfg(test)]
mod tests;
