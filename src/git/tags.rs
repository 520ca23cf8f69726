//! Listing registry tags fast: one pass over `refs/tags` (a binary search of `packed-refs`, and
//! for one artifact only its own ref directory), tag objects read raw and parsed here, on every
//! core when there are many; the tests below check that the parse agrees with libgit2's. Loose
//! objects are inflated here too, bounded and checked, so a corrupt one is a warning, never a
//! hang; a tag that cannot count is a warning naming it. Part of the git seam: nothing outside
//! `git/` names git2.

use std::path::Path;

use anyhow::{Context as _, Result};
use git2::{ObjectType, Repository};

use super::{plain, Repo, TagListing};
use crate::registry::event::{RawTag, Target, Warning};
use crate::registry::name::ArtifactName;
use crate::registry::tag::{shell_quote, TagName};
use crate::registry::time::Timestamp;

impl Repo {
    /// One pass over `refs/tags`. With `artifact`, only that artifact's refs are listed and only
    /// its tag objects are read, so a command about one artifact costs the same however many
    /// others there are. Many tag objects are read on every core (inflating them is most of
    /// the work).
    pub fn list_tags(&self, artifact: Option<&ArtifactName>) -> Result<TagListing> {
        // Tag objects are read once each: libgit2's object cache would only cost memory, and
        // git itself does not re-hash objects it reads (fsck does that). Loose tag objects are
        // inflated here, not by libgit2 (see `read_object`): zlib's own check, the header's
        // length and the end of the stream catch a truncated or damaged file, which hashing
        // could only catch after libgit2's reader had spun on it.
        git2::opts::strict_hash_verification(false);
        git2::opts::enable_caching(false);
        let mut listing = TagListing::default();
        let mut wanted: Vec<(String, git2::Oid)> = Vec::new();
        let mut odd = Vec::new();
        let refs = self.tag_refs_with(artifact, &mut || {}, &mut odd)?;
        listing.unreadable.extend(odd);
        for (name, target) in refs {
            let Some(parsed) = TagName::parse(&name) else {
                continue;
            };
            if artifact.is_some_and(|a| &parsed.artifact != a) {
                continue; // another artifact whose name this one's is a prefix of
            }
            // Names git itself refuses (`.hidden=m@v1.0.0`, `a..b=m@v1.0.0`) are no tags to
            // git, so none to the registry either; `doctor` names them.
            if name.contains('\0') || !git2::Reference::is_valid_name(&format!("refs/tags/{name}"))
            {
                listing.refused.push(name);
                continue;
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
                TagRead::Tag(raw) => listing.tags.push(raw),
                TagRead::NotTag => listing.lightweight.push(name.clone()),
                TagRead::Bad(warning) => listing.unreadable.push(warning),
            }
        }
        Ok(listing)
    }

    /// Whether `oid`, the target of tag ref `name`, is a tag object, read as the listing reads
    /// it (never by libgit2's loose reader); `Err(warning)` when it is corrupt or missing.
    pub(super) fn is_tag_object(
        &self,
        name: &str,
        oid: git2::Oid,
    ) -> Result<std::result::Result<bool, Warning>> {
        let odb = self
            .repo
            .odb()
            .map_err(plain)
            .context("cannot open the object database")?;
        Ok(
            match read_object(&odb, &LooseDirs::of(&self.repo), oid, name)? {
                Obj::Found(kind, _) => Ok(kind == ObjectType::Tag),
                Obj::Missing => Err(missing_object(name, oid)),
                Obj::Corrupt(why, loose) => Err(corrupt_object(name, oid, &why, loose)),
                Obj::TooLarge(size) => Err(too_large_tag(name, size)),
            },
        )
    }

    /// The tag refs in scope, sorted by name: name without `refs/tags/`, and the id it points
    /// at (`None` for a symbolic ref). Read from the files-backend directly, as `git` does for a
    /// prefix: `packed-refs` is scanned for lines with the prefix, and only the one directory
    /// of loose refs the artifact's tags live in is listed (names only, by `readdir`): libgit2's
    /// ref iterator parses and copies all of `packed-refs` and `lstat`s every loose ref, so
    /// listing one artifact's 40 tags cost 0.1 s packed and 0.4 s loose at 100,000 tags.
    /// (A reftable repository is refused when opened: see `Repo::open`.)
    #[cfg(test)]
    fn tag_refs(
        &self,
        artifact: Option<&ArtifactName>,
    ) -> Result<Vec<(String, Option<git2::Oid>)>> {
        self.tag_refs_with(artifact, &mut || {}, &mut Vec::new())
    }

    /// [`Repo::tag_refs`], running `between` after the loose refs are read and before
    /// `packed-refs` is (tests put a `git pack-refs` there). Loose refs that are not regular
    /// files are left out, each with a warning in `odd`.
    fn tag_refs_with(
        &self,
        artifact: Option<&ArtifactName>,
        between: &mut dyn FnMut(),
        odd: &mut Vec<Warning>,
    ) -> Result<Vec<(String, Option<git2::Oid>)>> {
        let common = self.repo.commondir();
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
        let mut loose: std::collections::HashSet<String> = std::collections::HashSet::new();
        // Loose refs first, then `packed-refs`, as git reads them: `git pack-refs` writes the
        // packed file before it deletes the loose refs, so a ref it moves meanwhile is seen in
        // one place or the other, never in neither. A loose ref wins over a packed one of the
        // same name (also a broken loose ref, which git then reports as broken).
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
                // Only a regular file is a ref: a FIFO would block, a link to /dev/zero
                // never end. Read without blocking, and at most 4 KiB (a ref is 41 bytes).
                let content = match read_loose_ref(&entry.path()) {
                    Ok(LooseRef::Bytes(content)) => content,
                    Ok(LooseRef::NotAFile(what)) => {
                        // Named when it would be a registry tag; any other is none of ours.
                        if TagName::parse(&name).is_some() {
                            odd.push(not_a_ref_file(&name, what));
                        }
                        continue;
                    }
                    Err(_) => continue, // gone since listed (deleted by another git), or unreadable
                };
                loose.insert(name.clone());
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
        between();
        let packed_path = common.join("packed-refs");
        let prefix = match artifact {
            Some(a) => format!("refs/tags/{}", a.to_tag_part()),
            None => "refs/tags/".to_string(),
        };
        let packed = match packed_refs_with_prefix(&packed_path, prefix.as_bytes()) {
            Ok(packed) => packed,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                let shown = packed_path.display();
                return Err(crate::error::UserError::new(format!("{shown}: {e}"))
                    .with_hint(format!(
                        "git writes packed-refs as a regular file; git cannot read this one \
                         either: remove it (`rm {}`, after checking what it is) and \
                         fetch the tags again (`git fetch origin --tags`)",
                        crate::registry::tag::shell_quote(&shown.to_string())
                    ))
                    .into());
            }
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read {}", packed_path.display()))
            }
        };
        for (refname, hex) in packed {
            let (Ok(refname), Ok(hex)) = (String::from_utf8(refname), std::str::from_utf8(&hex))
            else {
                continue; // not UTF-8: cannot be a registry tag
            };
            let name = &refname["refs/tags/".len()..];
            if !in_scope(name) {
                continue;
            }
            if loose.contains(name) {
                continue;
            }
            if let Ok(oid) = git2::Oid::from_str(hex) {
                found.insert(name.to_string(), Some(oid));
            }
        }
        Ok(found.into_iter().collect())
    }

    /// [`Repo::tag_refs`] through libgit2's ref iterator (the reference the tests check against).
    #[cfg(test)]
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
        .map_err(plain)
        .context("cannot list the repository's references")?;
        let mut out = Vec::new();
        for reference in refs {
            let reference = reference
                .map_err(plain)
                .context("cannot read a reference")?;
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
    fn read_tags(&self, wanted: &[(String, git2::Oid)]) -> Result<Vec<TagRead>> {
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
        let parts: Vec<Option<Vec<TagRead>>> = std::thread::scope(|s| {
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
fn read_tags_with(repo: &Repository, wanted: &[(String, git2::Oid)]) -> Result<Vec<TagRead>> {
    let odb = repo
        .odb()
        .map_err(plain)
        .context("cannot open the object database")?;
    let dirs = LooseDirs::of(repo);
    wanted
        .iter()
        .map(|(name, oid)| read_tag(&odb, &dirs, name, *oid))
        .collect()
}

/// What reading one tag ref's object gave.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum TagRead {
    /// An annotated tag that reads well.
    Tag(RawTag),
    /// Not a tag object: a lightweight tag.
    NotTag,
    /// A tag that cannot count (corrupt or missing object, malformed tagger, …): why, and the
    /// fix. One such tag never takes the registry down.
    Bad(Warning),
}

/// Reads one tag ref's object. The tag object is parsed here (git's tag format is a few header
/// lines and a message), never by libgit2, so what is accepted is decided in one place.
fn read_tag(odb: &git2::Odb<'_>, dirs: &LooseDirs, name: &str, oid: git2::Oid) -> Result<TagRead> {
    let data = match read_object(odb, dirs, oid, name)? {
        Obj::Found(ObjectType::Tag, data) => data,
        Obj::Found(..) => return Ok(TagRead::NotTag),
        Obj::Missing => return Ok(TagRead::Bad(missing_object(name, oid))),
        Obj::Corrupt(why, loose) => {
            return Ok(TagRead::Bad(corrupt_object(name, oid, &why, loose)))
        }
        Obj::TooLarge(size) => return Ok(TagRead::Bad(too_large_tag(name, size))),
    };
    let head = match parse_tag_object(&data) {
        Ok(head) => head,
        Err(why) => return Ok(TagRead::Bad(malformed_tag(name, why))),
    };
    let target = match head.kind {
        b"commit" => Target::Commit(head.object.clone()),
        b"tree" | b"blob" => Target::Other {
            kind: String::from_utf8_lossy(head.kind).into_owned(),
            id: head.object.clone(),
        },
        // A tag of a tag: what counts is the commit at the end of the chain.
        b"tag" => match peel_chain(odb, dirs, name, &head.object)? {
            Ok(target) => target,
            Err(bad) => return Ok(TagRead::Bad(bad)),
        },
        _ => {
            return Ok(TagRead::Bad(malformed_tag(
                name,
                "its `type` is no object type",
            )))
        }
    };
    let Some(tagger) = head.tagger else {
        return Ok(TagRead::Bad(no_tagger(name)));
    };
    let (tagger_name, tagger_email, time) = match parse_signature(tagger) {
        Ok(sig) => sig,
        Err(why) => return Ok(TagRead::Bad(malformed_tagger(name, why))),
    };
    // A tag object is the event it was made as: found under another name (`git update-ref
    // refs/tags/OTHER <its id>`), it is no event of that name (git describe warns of it as
    // "externally known as").
    if let Some(own) = head.tag {
        if own != name.as_bytes() {
            return Ok(TagRead::Bad(renamed_tag(
                name,
                &String::from_utf8_lossy(own),
            )));
        }
    }
    Ok(TagRead::Tag(RawTag {
        name: name.to_string(),
        target,
        tagger_name,
        tagger_email,
        time,
        message: String::from_utf8_lossy(head.message).into_owned(),
    }))
}

/// Follows a chain of tags from `first` to the object at its end (at most 32 links, as git
/// peels). A chain that ends in something other than a commit, or in nothing, is a target that
/// is no commit (a warning later); a corrupt link is a bad tag.
fn peel_chain(
    odb: &git2::Odb<'_>,
    dirs: &LooseDirs,
    name: &str,
    first: &str,
) -> Result<Result<Target, Warning>> {
    let no_commit = || Target::Other {
        kind: "tag chain that ends in no commit".into(),
        id: first.to_string(),
    };
    let mut id = first.to_string();
    for _ in 0..32 {
        let Ok(oid) = git2::Oid::from_str(&id) else {
            return Ok(Ok(no_commit()));
        };
        match read_object(odb, dirs, oid, name)? {
            Obj::Found(ObjectType::Commit, _) => return Ok(Ok(Target::Commit(id))),
            Obj::Found(ObjectType::Tag, data) => match parse_tag_object(&data) {
                Ok(head) => id = head.object,
                Err(_) => return Ok(Ok(no_commit())),
            },
            Obj::Found(..) | Obj::Missing => return Ok(Ok(no_commit())),
            Obj::Corrupt(why, loose) => return Ok(Err(corrupt_object(name, oid, &why, loose))),
            Obj::TooLarge(size) => return Ok(Err(too_large_tag(name, size))),
        }
    }
    Ok(Ok(no_commit()))
}

/// An object as read here.
#[derive(Debug)]
enum Obj {
    /// Its type, and its bytes (for tags; other objects' bytes are not needed).
    Found(ObjectType, Vec<u8>),
    Missing,
    /// Why it cannot be read, in plain words, and whether it is a loose file (else in a pack).
    Corrupt(String, bool),
    /// A packed tag object larger than [`MAX_TAG_OBJECT`]: its size (it is not read).
    TooLarge(usize),
}

/// The largest tag object read (a tag message is a few lines; a signed one a few more).
const MAX_TAG_OBJECT: usize = 16 << 20;

/// The directories loose objects are read from: the repository's `objects`, and the ones its
/// `objects/info/alternates` names (as libgit2 would read them), each with the fan-out
/// directories (`objects/xx`) it has: where there is none, no file is opened to find out
/// (a packed repository has few or none; 100,000 failed opens cost a tenth of `show`).
pub(super) struct LooseDirs(Vec<(std::path::PathBuf, [bool; 256])>);

impl LooseDirs {
    /// Each objects directory, with the fan-out directories it has.
    pub(super) fn dirs(&self) -> &[(std::path::PathBuf, [bool; 256])] {
        &self.0
    }

    pub(super) fn of(repo: &Repository) -> LooseDirs {
        let main = repo.commondir().join("objects");
        let mut dirs = vec![main.clone()];
        if let Ok(text) = std::fs::read_to_string(main.join("info").join("alternates")) {
            for line in text.lines().map(str::trim) {
                if !line.is_empty() && !line.starts_with('#') {
                    dirs.push(main.join(line)); // `join` keeps an absolute path as it is
                }
            }
        }
        LooseDirs(
            dirs.into_iter()
                .map(|dir| {
                    let fan_outs = fan_outs(&dir);
                    (dir, fan_outs)
                })
                .collect(),
        )
    }
}

/// Which `xx` directories an objects directory has (all, when it cannot be listed).
fn fan_outs(dir: &Path) -> [bool; 256] {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return [true; 256];
    };
    let mut found = [false; 256];
    for entry in entries.flatten() {
        let name = entry.file_name();
        if let Some(i) = name
            .to_str()
            .filter(|n| n.len() == 2)
            .and_then(|n| u8::from_str_radix(n, 16).ok())
        {
            found[usize::from(i)] = true;
        }
    }
    found
}

/// Reads an object. A loose one is inflated here, bounded, with its header and length checked
/// (as git checks them): libgit2's loose reader spins forever on a truncated file, so it is
/// never given one. A packed one (or one that is nowhere) goes through libgit2. `name` is the
/// tag being read, for errors.
fn read_object(odb: &git2::Odb<'_>, dirs: &LooseDirs, oid: git2::Oid, name: &str) -> Result<Obj> {
    let hex = oid.to_string();
    let fan_out = usize::from(oid.as_bytes()[0]);
    for (dir, fan_outs) in &dirs.0 {
        if !fan_outs[fan_out] {
            continue;
        }
        let path = dir.join(&hex[..2]).join(&hex[2..]);
        if let Some(obj) = read_loose(&path)
            .with_context(|| format!("cannot read the object of tag '{name}' ({hex})"))?
        {
            return Ok(obj);
        }
    }
    // Only the header first: a lightweight tag may name a huge blob, and a tag object in a
    // pack is read (whole, by libgit2) only when its size is one a tag may have.
    match odb.read_header(oid) {
        Ok((_, kind)) if kind != ObjectType::Tag => Ok(Obj::Found(kind, Vec::new())),
        Ok((size, _)) if size > MAX_TAG_OBJECT => Ok(Obj::TooLarge(size)),
        Ok(_) => match odb.read(oid) {
            Ok(object) => Ok(Obj::Found(object.kind(), object.data().to_vec())),
            Err(_) => Ok(Obj::Corrupt(
                "git cannot read it from the repository's packs".into(),
                false,
            )),
        },
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(Obj::Missing),
        Err(_) => Ok(Obj::Corrupt(
            "git cannot read it from the repository's packs".into(),
            false,
        )),
    }
}

/// Reads the loose object file at `path`; `None` if there is none. A tag object is read whole;
/// of any other object only its header is inflated (a lightweight tag may name a huge blob).
fn read_loose(path: &Path) -> std::io::Result<Option<Obj>> {
    use std::io::Read as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    // Without blocking: a FIFO in place of an object must not hang us.
    let mut file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let corrupt = |why: &str| Ok(Some(Obj::Corrupt(why.to_string(), true)));
    if !file.metadata()?.is_file() {
        return corrupt("its loose file is not a regular file");
    }
    let mut input = Vec::new();
    (&mut file).take(8192).read_to_end(&mut input)?;
    // git's object headers are `<type> <size>\0`, at most 32 bytes.
    let Ok((head, _)) = inflate(&input, 32) else {
        return corrupt("its loose file is damaged (not zlib data)");
    };
    let Some(nul) = head.iter().position(|&b| b == 0) else {
        return if head.len() == 32 {
            corrupt("its loose file has a malformed header")
        } else {
            corrupt("its loose file is truncated")
        };
    };
    let header = &head[..nul];
    let (kind, size) = match header.iter().position(|&b| b == b' ') {
        Some(sp) => (&header[..sp], &header[sp + 1..]),
        None => return corrupt("its loose file has a malformed header"),
    };
    let kind = match kind {
        b"commit" => ObjectType::Commit,
        b"tree" => ObjectType::Tree,
        b"blob" => ObjectType::Blob,
        b"tag" => ObjectType::Tag,
        _ => return corrupt("its loose file has a malformed header"),
    };
    let size: Option<usize> = std::str::from_utf8(size)
        .ok()
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse().ok());
    let Some(size) = size else {
        return corrupt("its loose file has a malformed header");
    };
    if kind != ObjectType::Tag {
        return Ok(Some(Obj::Found(kind, Vec::new())));
    }
    if size > MAX_TAG_OBJECT {
        return corrupt("its header claims a tag object of more than 16 MiB");
    }
    // A compressed tag is hardly larger than the tag; read a little more to see what is beyond.
    (&mut file)
        .take((MAX_TAG_OBJECT + 4096) as u64)
        .read_to_end(&mut input)?;
    let whole = nul + 1 + size;
    let Ok((mut data, end)) = inflate(&input, whole + 1) else {
        return corrupt("its loose file is damaged (not zlib data)");
    };
    match end {
        _ if data.len() > whole => corrupt("its loose file is longer than its header says"),
        None => corrupt("its loose file is truncated"),
        Some(_) if data.len() < whole => corrupt("its loose file is shorter than its header says"),
        Some(used) if used < input.len() => corrupt("its loose file has garbage after its end"),
        Some(_) => {
            data.drain(..=nul);
            Ok(Some(Obj::Found(kind, data)))
        }
    }
}

/// Inflates the zlib stream `input` into at most `limit` bytes: the bytes, and the input used
/// when the stream ended within them (`None`: input or room ran out first). Stops when no
/// progress is made, so a truncated stream ends the loop.
fn inflate(
    input: &[u8],
    limit: usize,
) -> Result<(Vec<u8>, Option<usize>), flate2::DecompressError> {
    let mut z = flate2::Decompress::new(true);
    let mut out = vec![0u8; limit];
    loop {
        let (used, made) = (z.total_in() as usize, z.total_out() as usize);
        let status = z.decompress(
            &input[used..],
            &mut out[made..],
            flate2::FlushDecompress::None,
        )?;
        let now = (z.total_in() as usize, z.total_out() as usize);
        if status == flate2::Status::StreamEnd {
            out.truncate(now.1);
            return Ok((out, Some(now.0)));
        }
        if now == (used, made) {
            out.truncate(now.1);
            return Ok((out, None));
        }
    }
}

/// The header of an annotated tag object, as parsed here.
struct TagHead<'a> {
    /// The target's id, lower-case hex.
    object: String,
    kind: &'a [u8],
    /// The name it was made as (`tag` line).
    tag: Option<&'a [u8]>,
    tagger: Option<&'a [u8]>,
    message: &'a [u8],
}

/// Parses an annotated tag object: `object <id>`, `type`, `tag`, `tagger` headers (the first of
/// each counts), a blank line, the message. The error says what is wrong, in plain words.
fn parse_tag_object(data: &[u8]) -> std::result::Result<TagHead<'_>, &'static str> {
    let (header, message) = match find(data, b"\n\n") {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data.strip_suffix(b"\n").unwrap_or(data), &b""[..]),
    };
    let mut object = None;
    let mut kind = None;
    let mut tagger = None;
    let mut tag = None;
    for line in header.split(|&b| b == b'\n') {
        if let Some(v) = line.strip_prefix(b"object ") {
            object = object.or(Some(v));
        } else if let Some(v) = line.strip_prefix(b"tag ") {
            tag = tag.or(Some(v));
        } else if let Some(v) = line.strip_prefix(b"type ") {
            kind = kind.or(Some(v));
        } else if let Some(v) = line.strip_prefix(b"tagger ") {
            tagger = tagger.or(Some(v));
        }
    }
    let object = object.ok_or("it has no `object` line")?;
    if object.len() != 40 || !object.iter().all(u8::is_ascii_hexdigit) {
        return Err("its `object` line holds no object id");
    }
    Ok(TagHead {
        object: String::from_utf8_lossy(object).to_ascii_lowercase(),
        kind: kind.ok_or("it has no `type` line")?,
        tag,
        tagger,
        message,
    })
}

/// The latest time accepted: 9999-12-31T23:59:59Z, the last second a four-digit year holds
/// (and the tables and JSON print).
const MAX_TIME: i64 = 253_402_300_799;

/// `Name <email> 1700000000 +0100`: the email is between the last `<` and the last `>`, both
/// trimmed (as libgit2 reads it). The time is digits (git writes no sign) within years
/// 1970–9999, also in the tagger's zone; the zone `+HHMM` with `MM` under 60. The error says
/// what is wrong.
fn parse_signature(line: &[u8]) -> std::result::Result<(String, String, Timestamp), &'static str> {
    let no_email = "it has no e-mail in <>";
    let gt = line.iter().rposition(|&b| b == b'>').ok_or(no_email)?;
    let lt = line[..gt]
        .iter()
        .rposition(|&b| b == b'<')
        .ok_or(no_email)?;
    let name = line[..lt].trim_ascii();
    let email = line[lt + 1..gt].trim_ascii();
    let mut parts = line[gt + 1..]
        .split(u8::is_ascii_whitespace)
        .filter(|p| !p.is_empty());
    let seconds = parts.next().ok_or("it has no time")?;
    if !seconds.iter().all(u8::is_ascii_digit) {
        return Err("its time is not a number");
    }
    let seconds: i64 = std::str::from_utf8(seconds)
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|s| *s <= MAX_TIME)
        .ok_or("its time is out of range")?;
    let tz = parts.next().ok_or("it has no time zone")?;
    if parts.next().is_some() {
        return Err("it has more after the time zone");
    }
    if tz.len() != 5 || !tz[1..].iter().all(u8::is_ascii_digit) {
        return Err("its time zone is not +HHMM or -HHMM");
    }
    let sign = match tz[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return Err("its time zone is not +HHMM or -HHMM"),
    };
    let digit = |i: usize| i32::from(tz[i] - b'0');
    if digit(3) >= 6 {
        return Err("its time zone is out of range");
    }
    let offset = sign * ((digit(1) * 10 + digit(2)) * 60 + digit(3) * 10 + digit(4));
    let local = seconds + i64::from(offset) * 60;
    if !(0..=MAX_TIME).contains(&local) {
        return Err("its time is out of range");
    }
    Ok((
        String::from_utf8_lossy(name).into_owned(),
        String::from_utf8_lossy(email).into_owned(),
        Timestamp::new(seconds, offset),
    ))
}

/// How to repair a tag whose object is wrong: make it again.
fn recreate(name: &str) -> String {
    format!(
        "delete it (`git tag -d {0}`, and `git push --delete origin {0}` if it was pushed) and \
         tag again with `registry` or `git tag -a`",
        shell_quote(name)
    )
}

fn malformed_tag(name: &str, why: &str) -> Warning {
    Warning {
        tag: name.to_string(),
        message: format!("tag '{name}' is a malformed tag object ({why}); it is ignored"),
        fix: recreate(name),
    }
}

fn no_tagger(name: &str) -> Warning {
    Warning {
        tag: name.to_string(),
        message: format!(
            "tag '{name}' has no tagger, so it has no time to be ordered by; it is ignored"
        ),
        fix: recreate(name),
    }
}

fn malformed_tagger(name: &str, why: &str) -> Warning {
    Warning {
        tag: name.to_string(),
        message: format!("tag '{name}' has a malformed tagger line ({why}); it is ignored"),
        fix: recreate(name),
    }
}

fn missing_object(name: &str, oid: git2::Oid) -> Warning {
    Warning {
        tag: name.to_string(),
        message: format!(
            "tag '{name}' points at object {oid}, which is not in the repository; it is ignored"
        ),
        fix: format!(
            "fetch it again (`git fetch origin tag {0}`), or delete it (`git tag -d {0}`)",
            shell_quote(name)
        ),
    }
}

pub(super) fn corrupt_object(name: &str, oid: git2::Oid, why: &str, loose: bool) -> Warning {
    let hex = oid.to_string();
    let quoted = shell_quote(name);
    let fix = if loose {
        format!(
            "remove the damaged file objects/{}/{} in the git directory and fetch the tag again \
             (`git fetch origin tag {quoted}`), or delete the tag (`git tag -d {quoted}`)",
            &hex[..2],
            &hex[2..],
        )
    } else {
        format!(
            "a pack of the repository is damaged (`git fsck` shows what else is): clone the \
             repository again, or delete the tag (`git tag -d {quoted}`)"
        )
    };
    Warning {
        tag: name.to_string(),
        message: format!(
            "tag '{name}' cannot be read: object {hex} is corrupt ({why}); it is ignored"
        ),
        fix,
    }
}

/// A loose ref file as read: its bytes (at most 4 KiB), or what it is instead of a file.
enum LooseRef {
    Bytes(Vec<u8>),
    NotAFile(&'static str),
}

/// Reads a loose ref only if it is a regular file (not following a symbolic link), opened
/// without blocking, at most 4 KiB.
fn read_loose_ref(path: &Path) -> std::io::Result<LooseRef> {
    use std::io::Read as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.is_file() {
        return Ok(LooseRef::NotAFile(file_kind(&meta.file_type())));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(LooseRef::NotAFile(file_kind(&meta.file_type())));
    }
    let mut content = Vec::new();
    file.take(4096).read_to_end(&mut content)?;
    Ok(LooseRef::Bytes(content))
}

/// What a file that is not a regular file is, in words.
pub(super) fn file_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

fn not_a_ref_file(name: &str, what: &str) -> Warning {
    let path = format!(".git/refs/tags/{name}");
    Warning {
        tag: name.to_string(),
        message: format!(
            "tag ref '{name}' is {what}, not a file git wrote; it is not read and is ignored"
        ),
        fix: format!(
            "remove it (`rm {}`, in the repository's top directory), and fetch the tag again \
             if it is a real one (`git fetch origin tag {}`)",
            shell_quote(&path),
            shell_quote(name)
        ),
    }
}

/// A tag object found under another tag's name (issue 8 / F12): its own `tag` line names the
/// tag it was made as.
fn renamed_tag(name: &str, own: &str) -> Warning {
    Warning {
        tag: name.to_string(),
        message: format!(
            "tag '{name}' is the tag object of '{own}' (its `tag` line says so), not a tag of \
             its own; it is ignored"
        ),
        fix: format!(
            "delete it (`git tag -d {0}`, and `git push --delete origin {0}` if it was pushed); \
             to record the event, use registry",
            shell_quote(name)
        ),
    }
}

fn too_large_tag(name: &str, size: usize) -> Warning {
    Warning {
        tag: name.to_string(),
        message: format!(
            "tag '{name}' cannot be read: its tag object has {size} bytes, more than the 16 MiB \
             a tag object may have here; it is ignored"
        ),
        fix: recreate(name),
    }
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
    use std::os::unix::fs::OpenOptionsExt as _;
    // Opened without blocking (a FIFO would hang us), and read only if a regular file.
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("it is {}, not a regular file", file_kind(&meta.file_type())),
        ));
    }
    let len = meta.len();
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
        let sig =
            git2::Signature::new("A U Thor", "a@x", &git2::Time::new(1_700_000_000, 0)).unwrap();
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
        let body =
            format!("object {commit}\ntype commit\ntag m@v1.0.0\ntagger A <a@x> 1 +0000\n\nm\n");
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
}
