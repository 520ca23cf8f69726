//! OpenSSH's allowed-signers file (`man ssh-keygen`, ALLOWED SIGNERS): which principals hold which
//! keys, for which namespaces and when. Parsing and the index by key only; checking a signature
//! against it is `ssh.rs`.
//!
//! A line is `principals [options] keytype base64key [comment]`, read as OpenSSH's `sshsig.c`
//! reads it: blank lines and `#` lines are skipped; the principals are one field (double quotes
//! may hold spaces), a comma-separated pattern list (`*`, `?`, `!`, see `pattern.rs`); the next
//! field is the key when it begins with a key type, otherwise the options (`cert-authority`,
//! `namespaces="…"`, `valid-after="…"`, `valid-before="…"`, names in any case, values in double
//! quotes). Where OpenSSH silently skips a line it cannot read, we report it (`LineError`, so
//! `doctor` can name it) and skip it too: the other lines still count. Stricter than OpenSSH on
//! purpose: an empty principals field, a certificate as a line's key (list the CA with
//! `cert-authority` instead) and an impossible date (`20260231`, which `mktime` would roll over)
//! are errors.
//!
//! Times: OpenSSH reads a time without `Z` in the verifier's local time zone. We read every time
//! as UTC, so a verdict does not depend on the machine that computes it; on a machine set to UTC
//! (our CI) the two agree.

mod options;
mod pattern;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use ssh_key::{HashAlg, PublicKey};

use crate::output::escape;

pub(crate) use pattern::{is_pattern, matches_list};

/// A parsed allowed-signers file, indexed by key so that finding a signature's lines is one hash
/// lookup. Plain data: shared by the threads of `audit` (`Sync`).
#[derive(Debug, Default)]
pub(crate) struct AllowedSigners {
    entries: Vec<Entry>,
    /// A key's wire encoding → its lines (indexes into `entries`, in file order), for the lines
    /// without `cert-authority`.
    keys: HashMap<Vec<u8>, Vec<usize>>,
    /// The same for `cert-authority` lines: a CA's key → its lines.
    cas: HashMap<Vec<u8>, Vec<usize>>,
}

/// One good line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// 1-based line number.
    pub(crate) line: usize,
    /// The principals field as written (unquoted): a comma-separated pattern list.
    pub(crate) principals: String,
    pub(crate) cert_authority: bool,
    /// `namespaces="…"`: a pattern list; `None` allows every namespace.
    pub(crate) namespaces: Option<String>,
    /// `valid-after`, unix seconds: the key is valid from then on.
    pub(crate) valid_after: Option<i64>,
    /// `valid-before`, unix seconds: the key is valid until then, that second included (as
    /// OpenSSH compares, `verify time > valid-before` is expired).
    pub(crate) valid_before: Option<i64>,
    /// The line's key as `ssh-keygen -l` prints it (`SHA256:…`).
    pub(crate) fingerprint: String,
}

impl Entry {
    /// Whether the line's `namespaces` allow `namespace` (no `namespaces` option: all do).
    pub(crate) fn allows_namespace(&self, namespace: &str) -> bool {
        self.namespaces
            .as_deref()
            .is_none_or(|list| matches_list(namespace, list))
    }

    /// The listed principals (the pattern list split at commas, empty items left out).
    pub(crate) fn principal_list(&self) -> impl Iterator<Item = &str> {
        self.principals.split(',').filter(|p| !p.is_empty())
    }
}

/// A line that could not be read: which (1-based) and why, naming the bad field and value
/// (escaped, so a hostile file cannot fake output lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LineError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl AllowedSigners {
    /// Reads the file's text. Bad lines are reported and skipped; the good ones still count.
    pub(crate) fn parse(text: &str) -> (AllowedSigners, Vec<LineError>) {
        let mut signers = AllowedSigners::default();
        let mut errors = Vec::new();
        for (i, line) in text.split('\n').enumerate() {
            match parse_line(line) {
                Ok(None) => {}
                Ok(Some((mut entry, wire))) => {
                    entry.line = i + 1;
                    let index = if entry.cert_authority {
                        &mut signers.cas
                    } else {
                        &mut signers.keys
                    };
                    index.entry(wire).or_default().push(signers.entries.len());
                    signers.entries.push(entry);
                }
                Err(message) => errors.push(LineError {
                    line: i + 1,
                    message,
                }),
            }
        }
        (signers, errors)
    }

    /// Every principal pattern listed, in file order, each once (as written: `*@example.com`,
    /// `!mallory@example.com`).
    #[cfg(test)]
    pub(crate) fn principals(&self) -> Vec<&str> {
        let mut seen = std::collections::HashSet::new();
        self.entries
            .iter()
            .flat_map(Entry::principal_list)
            .filter(|p| seen.insert(*p))
            .collect()
    }

    /// Whether some line's principals accept `principal` (patterns applied, as OpenSSH matches
    /// `-I`): `alice@example.com` is known to a file that lists `*@example.com`.
    pub(crate) fn knows(&self, principal: &str) -> bool {
        self.entries
            .iter()
            .any(|e| matches_list(principal, &e.principals))
    }

    /// Every principal the lines holding the key with this fingerprint (`SHA256:…`) list, as
    /// written: the names its holder can claim, so the two-person rule can tell one person
    /// behind two names.
    pub(crate) fn names_of_key(&self, fingerprint: &str) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| e.fingerprint == fingerprint)
            .flat_map(Entry::principal_list)
            .map(str::to_string)
            .collect()
    }

    /// No good line at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The lines (without `cert-authority`) that hold the key whose wire encoding is `wire`.
    pub(crate) fn lines_with_key(&self, wire: &[u8]) -> impl Iterator<Item = &Entry> {
        self.lookup(&self.keys, wire)
    }

    /// The `cert-authority` lines that hold the CA key whose wire encoding is `wire`.
    pub(crate) fn lines_with_ca(&self, wire: &[u8]) -> impl Iterator<Item = &Entry> {
        self.lookup(&self.cas, wire)
    }

    fn lookup<'a>(
        &'a self,
        index: &'a HashMap<Vec<u8>, Vec<usize>>,
        wire: &[u8],
    ) -> impl Iterator<Item = &'a Entry> {
        index
            .get(wire)
            .into_iter()
            .flatten()
            .map(|&i| &self.entries[i])
    }
}

/// What OpenSSH's `strdelimw` splits at.
const WHITESPACE: &[char] = &[' ', '\t', '\r', '\n'];
/// What separates the options from the key, and the key from its comment (`sshkey_read`).
const SPACE: &[char] = &[' ', '\t'];

/// The key type names OpenSSH reads at the start of a key (`sshkey.c`). A field that begins with
/// none of them is the options field.
const KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "sk-ssh-ed25519@openssh.com",
    "ssh-rsa",
    "ssh-dss",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-xmss@openssh.com",
];
const CERT_SUFFIX: &str = "-cert-v01@openssh.com";

fn is_key_type(word: &str) -> bool {
    let plain = |name: &str| KEY_TYPES.contains(&name);
    // A certificate type: `ssh-ed25519-cert-v01@openssh.com`, and for the `…@openssh.com` types
    // `sk-ssh-ed25519-cert-v01@openssh.com`.
    plain(word)
        || word
            .strip_suffix(CERT_SUFFIX)
            .is_some_and(|base| plain(base) || plain(&format!("{base}@openssh.com")))
}

/// `value` escaped and quoted, for a message.
fn quoted(value: &str) -> String {
    format!("\"{}\"", escape(value))
}

/// One line: `None` for a blank or comment line; the entry (its `line` not yet set) and the key's
/// wire encoding; or why the line is bad.
fn parse_line(line: &str) -> Result<Option<(Entry, Vec<u8>)>, String> {
    let rest = line.trim_start_matches(WHITESPACE);
    if rest.is_empty() || rest.starts_with('#') {
        return Ok(None);
    }
    let (principals, rest) = principals_field(rest)?;
    if principals.split(',').all(str::is_empty) {
        return Err("the principals field is empty".to_string());
    }
    let first = rest
        .split(SPACE)
        .next()
        .unwrap_or("")
        .trim_end_matches(WHITESPACE);
    let (options, key) = if is_key_type(first) {
        (options::Options::default(), rest)
    } else {
        let (field, key) = options_field(rest)?;
        if key.is_empty() {
            return Err(format!(
                "no key after {}: expected a key type such as ssh-ed25519, then the key",
                quoted(field)
            ));
        }
        (options::parse(field)?, key)
    };
    let (fingerprint, wire) = parse_key(key)?;
    Ok(Some((
        Entry {
            line: 0,
            principals,
            cert_authority: options.cert_authority,
            namespaces: options.namespaces,
            valid_after: options.valid_after,
            valid_before: options.valid_before,
            fingerprint,
        },
        wire,
    )))
}

/// The principals field and what follows it, as `strdelimw` splits: up to whitespace, or a
/// double-quoted part that may hold spaces.
fn principals_field(line: &str) -> Result<(String, &str), String> {
    let Some(at) = line.find(|c| WHITESPACE.contains(&c) || c == '"') else {
        return Err(format!("no key after the principals {}", quoted(line)));
    };
    if line[at..].starts_with('"') {
        let inside = &line[at + 1..];
        let Some(end) = inside.find('"') else {
            return Err(format!(
                "the principals {} have no closing double quote",
                quoted(line.trim_end_matches(WHITESPACE))
            ));
        };
        let field = format!("{}{}", &line[..at], &inside[..end]);
        Ok((field, inside[end + 1..].trim_start_matches(WHITESPACE)))
    } else {
        Ok((
            line[..at].to_string(),
            line[at + 1..].trim_start_matches(WHITESPACE),
        ))
    }
}

/// The options field (up to a space or tab outside double quotes, `\"` escaping a quote, as
/// `sshkey_advance_past_options`) and the rest of the line after it.
fn options_field(rest: &str) -> Result<(&str, &str), String> {
    let bytes = rest.as_bytes();
    let mut quoted_part = false;
    let mut i = 0;
    while i < bytes.len() && (quoted_part || !matches!(bytes[i], b' ' | b'\t')) {
        if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'"') {
            i += 1;
        } else if bytes[i] == b'"' {
            quoted_part = !quoted_part;
        }
        i += 1;
    }
    if quoted_part {
        return Err(format!(
            "the options {} have no closing double quote",
            quoted(rest.trim_end_matches(WHITESPACE))
        ));
    }
    Ok((&rest[..i], rest[i..].trim_start_matches(SPACE)))
}

/// `keytype base64 [comment]`: the key's fingerprint and wire encoding.
fn parse_key(text: &str) -> Result<(String, Vec<u8>), String> {
    let mut words = text.split(SPACE).filter(|w| !w.is_empty());
    let kind = words.next().unwrap_or("").trim_end_matches(WHITESPACE);
    let blob = words.next().unwrap_or("").trim_end_matches(WHITESPACE);
    if !is_key_type(kind) {
        return Err(format!(
            "unknown key type {} (expected one such as ssh-ed25519)",
            quoted(kind)
        ));
    }
    if kind.ends_with(CERT_SUFFIX) {
        return Err(format!(
            "the key is a certificate ({}): list its CA's key with cert-authority instead",
            quoted(kind)
        ));
    }
    if blob.is_empty() {
        return Err(format!("the {} key has no base64 data", quoted(kind)));
    }
    let key = PublicKey::from_openssh(&format!("{kind} {blob}")).map_err(|e| {
        format!(
            "the {} key {} does not read: {e}",
            quoted(kind),
            quoted(blob)
        )
    })?;
    let wire = key
        .to_bytes()
        .map_err(|e| format!("the {} key does not encode: {e}", quoted(kind)))?;
    Ok((key.fingerprint(HashAlg::Sha256).to_string(), wire))
}
