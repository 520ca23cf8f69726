//! One idea: reading an object without trusting it. Loose objects are inflated here, bounded,
//! with header and length checked, so a corrupt one is a warning, never a hang (libgit2's loose
//! reader spins on a truncated file); packed ones are sized first, then read by libgit2. One
//! streaming inflater (`inflate_loose`) serves the listing and `objects.rs`'s checked reads.

use std::path::Path;

use anyhow::{Context as _, Result};
use git2::{ObjectType, Repository};

/// An object as read here.
#[derive(Debug)]
pub(super) enum Obj {
    /// Its type, and its bytes (for tags; other objects' bytes are not needed).
    Found(ObjectType, Vec<u8>),
    Missing,
    /// Why it cannot be read, in plain words, and whether it is a loose file (else in a pack).
    Corrupt(String, bool),
    /// A packed tag object larger than [`MAX_TAG_OBJECT`]: its size (it is not read).
    TooLarge(usize),
}

/// The largest tag object read (a tag message is a few lines; a signed one a few more).
pub(super) const MAX_TAG_OBJECT: usize = 16 << 20;

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
pub(super) fn fan_outs(dir: &Path) -> [bool; 256] {
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
pub(super) fn read_object(
    odb: &git2::Odb<'_>,
    dirs: &LooseDirs,
    oid: git2::Oid,
    name: &str,
) -> Result<Obj> {
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
pub(super) fn read_loose(path: &Path) -> std::io::Result<Option<Obj>> {
    Ok(inflate_loose(
        path,
        Want::TagBody {
            cap: MAX_TAG_OBJECT,
        },
    )?
    .map(|read| match read {
        Ok((kind, data)) => Obj::Found(kind, data),
        Err(why) => Obj::Corrupt(why.to_string(), true),
    }))
}

/// A loose object as [`inflate_loose`] read it: its type and body (empty unless kept), or why
/// it is corrupt.
pub(super) type Inflated = Result<(ObjectType, Vec<u8>), &'static str>;

/// How much of a loose object [`inflate_loose`] inflates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Want {
    /// A tag object whole, checked to the end (its body returned); of any other object only
    /// its header, nothing checked beyond it (the listing's hot path: a lightweight tag may
    /// name a huge blob). A tag claiming more than `cap` bytes is refused before it is read.
    TagBody { cap: usize },
    /// All of it, streamed through fixed buffers and checked to the end; no body kept.
    Check,
}

/// Inflates the loose object file at `path`, bounded, as `want` says: `None` if there is no
/// such file; else its type and (for [`Want::TagBody`] of a tag) its body, or why it is
/// corrupt (a header git would refuse, a length other than the header's, a truncated or
/// damaged stream, garbage after its end, not a regular file). Opened without blocking, so a
/// FIFO cannot hang us; the one streaming inflater both the listing and checked reads use.
pub(super) fn inflate_loose(path: &Path, want: Want) -> std::io::Result<Option<Inflated>> {
    use std::io::Read as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if !file.metadata()?.is_file() {
        return Ok(Some(Err("its loose file is not a regular file")));
    }
    let mut z = flate2::Decompress::new(true);
    // A tag or a header fits the first 8 KiB read; a checked blob is streamed 64 KiB at a time.
    let chunk = if want == Want::Check { 1 << 16 } else { 8192 };
    let mut input = vec![0u8; chunk];
    let mut out = vec![0u8; chunk];
    let (mut pos, mut len, mut eof) = (0usize, 0usize, false);
    let mut header: Vec<u8> = Vec::with_capacity(33);
    let mut expected: Option<(ObjectType, u64)> = None;
    let mut keep = false;
    let mut body: Vec<u8> = Vec::new();
    let mut seen: u64 = 0;
    loop {
        if pos == len && !eof {
            len = loop {
                match file.read(&mut input) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            };
            pos = 0;
            eof = len == 0;
        }
        // Until the header is read, no more than the header is inflated (git's headers are at
        // most 32 bytes and a NUL).
        let room = if expected.is_none() {
            33 - header.len()
        } else {
            out.len()
        };
        let (in_before, out_before) = (z.total_in(), z.total_out());
        let Ok(status) = z.decompress(
            &input[pos..len],
            &mut out[..room],
            flate2::FlushDecompress::None,
        ) else {
            return Ok(Some(Err("its loose file is damaged (not zlib data)")));
        };
        // At most one buffer's worth (64 KiB) each: no truncation.
        let used = usize::try_from(z.total_in() - in_before).unwrap_or(usize::MAX);
        let made = usize::try_from(z.total_out() - out_before).unwrap_or(usize::MAX);
        pos += used;
        let mut produced = &out[..made];
        if expected.is_none() && !produced.is_empty() {
            match produced.iter().position(|&b| b == 0) {
                Some(nul) => {
                    header.extend_from_slice(&produced[..nul]);
                    produced = &produced[nul + 1..];
                    let Some((kind, size)) = parse_header(&header) else {
                        return Ok(Some(Err("its loose file has a malformed header")));
                    };
                    match want {
                        Want::TagBody { .. } if kind != ObjectType::Tag => {
                            return Ok(Some(Ok((kind, Vec::new()))));
                        }
                        Want::TagBody { cap } if size > cap as u64 => {
                            return Ok(Some(Err(
                                "its header claims a tag object of more than 16 MiB",
                            )));
                        }
                        Want::TagBody { .. } => {
                            keep = true;
                            body.reserve_exact(usize::try_from(size).unwrap_or(0));
                        }
                        Want::Check => {}
                    }
                    expected = Some((kind, size));
                }
                None if header.len() + produced.len() > 32 => {
                    return Ok(Some(Err("its loose file has a malformed header")));
                }
                None => {
                    header.extend_from_slice(produced);
                    produced = &[];
                }
            }
        }
        if let Some((_, size)) = expected {
            seen += produced.len() as u64;
            if seen > size {
                return Ok(Some(Err("its loose file is longer than its header says")));
            }
            if keep {
                body.extend_from_slice(produced);
            }
        }
        if status == flate2::Status::StreamEnd {
            let Some((kind, size)) = expected else {
                return Ok(Some(Err("its loose file is truncated")));
            };
            if seen < size {
                return Ok(Some(Err("its loose file is shorter than its header says")));
            }
            let mut more = [0u8; 1];
            if pos < len || file.read(&mut more)? > 0 {
                return Ok(Some(Err("its loose file has garbage after its end")));
            }
            return Ok(Some(Ok((kind, body))));
        }
        if used == 0 && made == 0 && pos == len && eof {
            return Ok(Some(Err("its loose file is truncated")));
        }
        if used == 0 && made == 0 && pos < len {
            return Ok(Some(Err("its loose file is damaged (not zlib data)")));
        }
    }
}

/// `<type> <size>` as git writes it.
fn parse_header(header: &[u8]) -> Option<(ObjectType, u64)> {
    let sp = header.iter().position(|&b| b == b' ')?;
    let kind = match &header[..sp] {
        b"commit" => ObjectType::Commit,
        b"tree" => ObjectType::Tree,
        b"blob" => ObjectType::Blob,
        b"tag" => ObjectType::Tag,
        _ => return None,
    };
    let size = &header[sp + 1..];
    if size.is_empty() || !size.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some((kind, std::str::from_utf8(size).ok()?.parse().ok()?))
}
