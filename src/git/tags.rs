//! Listing registry tags fast: one pass over `refs/tags` (a binary search of `packed-refs`, and
//! for one artifact only its own ref directory), tag objects read raw and parsed here, on every
//! core when there are many. Unusual shapes fall back to libgit2's own parsing; the tests below
//! check both paths agree. Part of the git seam: nothing outside `git/` names git2.

use std::path::Path;

use anyhow::{Context as _, Result};
use git2::{ObjectType, Repository};

use super::{Repo, TagListing};
use crate::registry::event::{RawTag, Target};
use crate::registry::name::ArtifactName;
use crate::registry::tag::TagName;
use crate::registry::time::Timestamp;

impl Repo {
    /// One pass over `refs/tags`. With `artifact`, only that artifact's refs are listed and only
    /// its tag objects are read, so a command about one artifact costs the same however many
    /// others there are. Many tag objects are read on every core (inflating them is most of
    /// the work).
    pub fn list_tags(&self, artifact: Option<&ArtifactName>) -> Result<TagListing> {
        // Tag objects are read once each: libgit2's object cache would only cost memory, and
        // git itself does not re-hash objects it reads (fsck does that).
        git2::opts::strict_hash_verification(false);
        git2::opts::enable_caching(false);
        let mut listing = TagListing::default();
        let mut wanted: Vec<(String, git2::Oid)> = Vec::new();
        for (name, target) in self.tag_refs(artifact)? {
            let Some(parsed) = TagName::parse(&name) else {
                continue;
            };
            if artifact.is_some_and(|a| &parsed.artifact != a) {
                continue; // another artifact whose name this one's is a prefix of
            }
            // Counters and name clashes are about registry-shaped names (lightweight ones too);
            // any other name can never equal a registry tag's.
            listing.all_names.insert(name.clone());
            let Some(oid) = target else {
                continue; // symbolic ref under refs/tags: not a tag
            };
            wanted.push((name, oid));
        }
        listing.tags.reserve_exact(wanted.len());
        for (found, (name, _)) in self.read_tags(&wanted)?.into_iter().zip(&wanted) {
            match found {
                Some(raw) => listing.tags.push(raw),
                None => listing.lightweight.push(name.clone()),
            }
        }
        Ok(listing)
    }

    /// The tag refs in scope, sorted by name: name without `refs/tags/`, and the id it points
    /// at (`None` for a symbolic ref). Read from the files-backend directly, as `git` does for a
    /// prefix: `packed-refs` is scanned for lines with the prefix, and only the one directory
    /// of loose refs the artifact's tags live in is listed (names only, by `readdir`): libgit2's
    /// ref iterator parses and copies all of `packed-refs` and `lstat`s every loose ref, so
    /// listing one artifact's 40 tags cost 0.1 s packed and 0.4 s loose at 100,000 tags.
    /// A repository with another ref storage (reftable) goes through libgit2.
    fn tag_refs(
        &self,
        artifact: Option<&ArtifactName>,
    ) -> Result<Vec<(String, Option<git2::Oid>)>> {
        let common = self.repo.commondir();
        if common.join("reftable").is_dir() {
            return self.tag_refs_libgit2(artifact);
        }
        // Tags live in `refs/tags/<dir>` with the artifact's directory part (monorepo names
        // carry '/'); their file names start with the rest of the name and `@` or `#`.
        let (dir, stems) = match artifact {
            Some(a) => {
                let part = a.to_tag_part();
                let split = part.rfind('/').map_or(0, |i| i + 1);
                let base = &part[split..];
                (
                    part[..split].to_string(),
                    Some([format!("{base}@"), format!("{base}#")]),
                )
            }
            None => (String::new(), None),
        };
        let in_scope = |name: &str| match &stems {
            None => true,
            Some(stems) => name
                .strip_prefix(dir.as_str())
                .is_some_and(|rest| stems.iter().any(|s| rest.starts_with(s.as_str()))),
        };
        let mut found: std::collections::BTreeMap<String, Option<git2::Oid>> =
            std::collections::BTreeMap::new();
        let packed_path = common.join("packed-refs");
        let prefix = match artifact {
            Some(a) => format!("refs/tags/{}", a.to_tag_part()),
            None => "refs/tags/".to_string(),
        };
        let packed = packed_refs_with_prefix(&packed_path, prefix.as_bytes())
            .with_context(|| format!("cannot read {}", packed_path.display()))?;
        for (refname, hex) in packed {
            let (Ok(refname), Ok(hex)) = (String::from_utf8(refname), std::str::from_utf8(&hex))
            else {
                continue; // not UTF-8: cannot be a registry tag
            };
            let name = &refname["refs/tags/".len()..];
            if !in_scope(name) {
                continue;
            }
            if let Ok(oid) = git2::Oid::from_str(hex) {
                found.insert(name.to_string(), Some(oid));
            }
        }
        // Loose refs override packed ones of the same name.
        let tags_dir = common.join("refs").join("tags");
        let recurse = artifact.is_none();
        let mut pending = vec![dir.clone()];
        while let Some(rel) = pending.pop() {
            let entries = match std::fs::read_dir(tags_dir.join(&rel)) {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("cannot list {}", tags_dir.join(&rel).display()))
                }
            };
            for entry in entries {
                let entry = entry.context("cannot list the tags")?;
                let Ok(file_name) = entry.file_name().into_string() else {
                    continue; // not UTF-8: cannot be a registry tag
                };
                let name = format!("{rel}{file_name}");
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    if recurse {
                        pending.push(format!("{name}/"));
                    }
                    continue;
                }
                if name.ends_with(".lock") || !in_scope(&name) {
                    continue;
                }
                let Ok(content) = std::fs::read(entry.path()) else {
                    continue; // gone since listed (deleted by another git), or unreadable
                };
                let content = content.trim_ascii();
                if content.starts_with(b"ref:") {
                    found.insert(name, None);
                } else if let Some(oid) = std::str::from_utf8(content)
                    .ok()
                    .and_then(|hex| git2::Oid::from_str(hex).ok())
                {
                    found.insert(name, Some(oid));
                }
            }
        }
        Ok(found.into_iter().collect())
    }

    /// [`Repo::tag_refs`] through libgit2's ref iterator.
    fn tag_refs_libgit2(
        &self,
        artifact: Option<&ArtifactName>,
    ) -> Result<Vec<(String, Option<git2::Oid>)>> {
        let refs = match artifact {
            // Names hold no glob characters (`is_name`/`is_dirname`), so the glob is literal up
            // to `[@#]`.
            Some(name) => self
                .repo
                .references_glob(&format!("refs/tags/{}[@#]*", name.to_tag_part())),
            None => self.repo.references_glob("refs/tags/*"),
        }
        .context("cannot list the repository's references")?;
        let mut out = Vec::new();
        for reference in refs {
            let reference = reference.context("cannot read a reference")?;
            let Some(name) = reference.name().and_then(|n| n.strip_prefix("refs/tags/")) else {
                continue; // not UTF-8: cannot be a registry tag
            };
            out.push((name.to_string(), reference.target()));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// Reads the tag objects of `wanted`, in order: on one thread for a few, else split over
    /// the cores, each thread with its own handle on the repository (libgit2 handles are not
    /// shared between threads). If a thread cannot do its part, that part is read here again,
    /// so errors are the ones a single thread reports.
    fn read_tags(&self, wanted: &[(String, git2::Oid)]) -> Result<Vec<Option<RawTag>>> {
        const PER_THREAD: usize = 2048;
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(wanted.len() / PER_THREAD)
            .max(1);
        if threads == 1 {
            return read_tags_with(&self.repo, wanted);
        }
        let git_dir = self.repo.path().to_path_buf();
        let chunk = wanted.len().div_ceil(threads);
        let parts: Vec<Option<Vec<Option<RawTag>>>> = std::thread::scope(|s| {
            let handles: Vec<_> = wanted
                .chunks(chunk)
                .map(|part| {
                    let git_dir = &git_dir;
                    s.spawn(move || {
                        let repo = Repository::open(git_dir).ok()?;
                        read_tags_with(&repo, part).ok()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().ok().flatten())
                .collect()
        });
        let mut out = Vec::with_capacity(wanted.len());
        for (part, got) in wanted.chunks(chunk).zip(parts) {
            match got {
                Some(tags) => out.extend(tags),
                None => out.extend(read_tags_with(&self.repo, part)?),
            }
        }
        Ok(out)
    }
}

/// Reads the tag objects of `wanted` through one repository handle, in order.
fn read_tags_with(
    repo: &Repository,
    wanted: &[(String, git2::Oid)],
) -> Result<Vec<Option<RawTag>>> {
    let odb = repo.odb().context("cannot open the object database")?;
    wanted
        .iter()
        .map(|(name, oid)| read_tag(repo, &odb, name, *oid))
        .collect()
}

/// Reads one annotated tag object; `None` when `oid` is not a tag object (a lightweight tag).
/// The object's bytes are parsed here (git's tag format is four header lines and a message),
/// which spares libgit2's object parsing and cache; anything unusual goes the long way.
fn read_tag(
    repo: &Repository,
    odb: &git2::Odb<'_>,
    name: &str,
    oid: git2::Oid,
) -> Result<Option<RawTag>> {
    let object = odb
        .read(oid)
        .with_context(|| format!("cannot read the object of tag '{name}'"))?;
    if object.kind() != ObjectType::Tag {
        return Ok(None);
    }
    if let Some(raw) = parse_tag_object(name, object.data()) {
        return Ok(Some(raw));
    }
    read_tag_slowly(repo, name, oid)
}

/// The long way: libgit2's own parsing, for tags of tags and malformed tag objects.
fn read_tag_slowly(repo: &Repository, name: &str, oid: git2::Oid) -> Result<Option<RawTag>> {
    let object = repo
        .find_object(oid, None)
        .with_context(|| format!("cannot read the object of tag '{name}'"))?;
    let Some(tag) = object.as_tag() else {
        return Ok(None);
    };
    let target = match tag.target_type() {
        Some(ObjectType::Commit) => Target::Commit(tag.target_id().to_string()),
        Some(ObjectType::Tag) => {
            // A tag of a tag: what counts is the commit at the end of the chain.
            match tag.target().and_then(|t| t.peel(ObjectType::Commit)) {
                Ok(commit) => Target::Commit(commit.id().to_string()),
                Err(_) => Target::Other {
                    kind: "tag chain that ends in no commit".into(),
                    id: tag.target_id().to_string(),
                },
            }
        }
        other => Target::Other {
            kind: other.map_or("unknown object", |t| t.str()).to_string(),
            id: tag.target_id().to_string(),
        },
    };
    let (tagger_name, tagger_email, time) = match tag.tagger() {
        Some(sig) => (
            String::from_utf8_lossy(sig.name_bytes()).into_owned(),
            String::from_utf8_lossy(sig.email_bytes()).into_owned(),
            Timestamp::new(sig.when().seconds(), sig.when().offset_minutes()),
        ),
        None => (String::new(), String::new(), Timestamp::new(0, 0)),
    };
    let message = tag
        .message_bytes()
        .map(|m| String::from_utf8_lossy(m).into_owned())
        .unwrap_or_default();
    Ok(Some(RawTag {
        name: name.to_string(),
        target,
        tagger_name,
        tagger_email,
        time,
        message,
    }))
}

/// Parses an annotated tag object of the common shape: `object <id>`, `type`, `tag`, `tagger`
/// headers, a blank line, the message. `None` for anything else (a tag of a tag, a tag without
/// a tagger, a malformed object): the caller then asks libgit2, so odd tags read as before.
fn parse_tag_object(name: &str, data: &[u8]) -> Option<RawTag> {
    let (header, message) = match find(data, b"\n\n") {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data.strip_suffix(b"\n").unwrap_or(data), &b""[..]),
    };
    let mut object = None;
    let mut kind = None;
    let mut tagger = None;
    for line in header.split(|&b| b == b'\n') {
        if let Some(v) = line.strip_prefix(b"object ") {
            object = Some(v);
        } else if let Some(v) = line.strip_prefix(b"type ") {
            kind = Some(v);
        } else if let Some(v) = line.strip_prefix(b"tagger ") {
            tagger = Some(v);
        }
    }
    let object = std::str::from_utf8(object?).ok()?;
    if object.len() != 40 || !object.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let target = match kind? {
        b"commit" => Target::Commit(object.to_ascii_lowercase()),
        b"tree" | b"blob" => Target::Other {
            kind: String::from_utf8_lossy(kind?).into_owned(),
            id: object.to_ascii_lowercase(),
        },
        _ => return None, // a tag of a tag, or unknown: libgit2 peels it
    };
    let (tagger_name, tagger_email, time) = parse_signature(tagger?)?;
    Some(RawTag {
        name: name.to_string(),
        target,
        tagger_name,
        tagger_email,
        time,
        message: String::from_utf8_lossy(message).into_owned(),
    })
}

/// `Name <email> 1700000000 +0100` as libgit2 reads it: the email is between the last `<` and
/// the last `>`, both trimmed.
fn parse_signature(line: &[u8]) -> Option<(String, String, Timestamp)> {
    let gt = line.iter().rposition(|&b| b == b'>')?;
    let lt = line[..gt].iter().rposition(|&b| b == b'<')?;
    let name = line[..lt].trim_ascii();
    let email = line[lt + 1..gt].trim_ascii();
    let rest = std::str::from_utf8(&line[gt + 1..]).ok()?;
    let mut parts = rest.split_ascii_whitespace();
    let seconds: i64 = parts.next()?.parse().ok()?;
    let tz = parts.next()?.as_bytes();
    if parts.next().is_some() || tz.len() != 5 || !tz[1..].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sign = match tz[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digit = |i: usize| i32::from(tz[i] - b'0');
    let offset = sign * ((digit(1) * 10 + digit(2)) * 60 + digit(3) * 10 + digit(4));
    Some((
        String::from_utf8_lossy(name).into_owned(),
        String::from_utf8_lossy(email).into_owned(),
        Timestamp::new(seconds, offset),
    ))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The `(refname, hex id)` records of a `packed-refs` file whose ref names start with `prefix`
/// (none if there is no file). git writes the file sorted and says so in its header; then the
/// records are found by binary search, reading a few blocks rather than the whole file (8 MB at
/// 100,000 tags). Otherwise, or for a short file, the whole file is scanned.
fn packed_refs_with_prefix(path: &Path, prefix: &[u8]) -> std::io::Result<Vec<(Vec<u8>, Vec<u8>)>> {
    use std::io::{BufRead, BufReader, Seek, SeekFrom};
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    let mut r = BufReader::with_capacity(16 * 1024, file);
    let mut header = Vec::new();
    r.read_until(b'\n', &mut header)?;
    let sorted = header.starts_with(b"# pack-refs with:")
        && header
            .split(u8::is_ascii_whitespace)
            .any(|t| t == b"sorted");
    let records_start = if header.starts_with(b"#") {
        header.len() as u64
    } else {
        0
    };
    let refname = |line: &[u8]| -> Option<(Vec<u8>, Vec<u8>)> {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let space = line.iter().position(|&b| b == b' ')?;
        Some((line[space + 1..].to_vec(), line[..space].to_vec()))
    };
    let mut start = records_start;
    if sorted && len > 65536 {
        // Smallest record start whose ref name is >= prefix: every record before `lo` is less.
        let (mut lo, mut hi) = (records_start, len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match record_at_or_after(&mut r, mid, lo)? {
                Some((at, line)) if at < hi => {
                    let name = refname(&line).map(|(n, _)| n).unwrap_or_default();
                    if name.as_slice() < prefix {
                        lo = at + line.len() as u64;
                    } else {
                        hi = at;
                    }
                }
                _ => hi = mid,
            }
        }
        start = lo;
    }
    r.seek(SeekFrom::Start(start))?;
    let mut out = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        if line.starts_with(b"#") || line.starts_with(b"^") {
            continue;
        }
        let Some((name, hex)) = refname(&line) else {
            continue;
        };
        if name.starts_with(prefix) {
            out.push((name, hex));
        } else if sorted && name.as_slice() > prefix {
            break;
        }
    }
    Ok(out)
}

/// The first record line (not a `^` peeled line) that starts at or after `pos`, with its
/// offset; `min` is a known line start at or before `pos`.
fn record_at_or_after(
    r: &mut std::io::BufReader<std::fs::File>,
    pos: u64,
    min: u64,
) -> std::io::Result<Option<(u64, Vec<u8>)>> {
    use std::io::{BufRead, Seek, SeekFrom};
    let mut at = pos;
    if pos > min {
        // Finish the line that holds the byte before `pos`.
        r.seek(SeekFrom::Start(pos - 1))?;
        let mut rest = Vec::new();
        at = pos - 1 + r.read_until(b'\n', &mut rest)? as u64;
    } else {
        r.seek(SeekFrom::Start(pos))?;
    }
    loop {
        let mut line = Vec::new();
        let n = r.read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(None);
        }
        if !line.starts_with(b"^") {
            return Ok(Some((at, line)));
        }
        at += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shape of tag object reads the same through our parser as through libgit2's.
    #[test]
    fn tag_objects_parse_as_libgit2_parses_them() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let sig =
            git2::Signature::new("A U Thor", "a@x", &git2::Time::new(1_700_000_000, 0)).unwrap();
        let tree_id = repo.treebuilder(None).unwrap().write().unwrap();
        let tree = repo.find_tree(tree_id).unwrap();
        let commit = repo.commit(None, &sig, &sig, "first", &tree, &[]).unwrap();
        let odb = repo.odb().unwrap();
        let raw_tag = |body: String| odb.write(ObjectType::Tag, body.as_bytes()).unwrap();
        let head = |kind: &str, id: git2::Oid| format!("object {id}\ntype {kind}\ntag t\n");
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
            raw_tag(format!(
                "{}tagger A <a@x> notatime +0000\n\nbad time\n",
                head("commit", commit)
            )),
            // No tagger at all (very old tags): libgit2's way.
            raw_tag(format!("{}\nno tagger\n", head("commit", commit))),
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
        for (i, oid) in cases.iter().enumerate() {
            // Errors too must be the same (a bad tagger date is libgit2's error either way).
            let fast = read_tag(&repo, &odb, "m@v1.0.0", *oid).map_err(|e| format!("{e:#}"));
            let slow = read_tag_slowly(&repo, "m@v1.0.0", *oid).map_err(|e| format!("{e:#}"));
            assert_eq!(fast, slow, "case {i}");
        }
        // A lightweight tag (a commit) is no tag object.
        assert_eq!(read_tag(&repo, &odb, "m@v1.0.0", commit).unwrap(), None);
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
            let sig =
                git2::Signature::new("A", "a@x", &git2::Time::new(1_700_000_000 + i, 0)).unwrap();
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
            .flatten()
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
}
