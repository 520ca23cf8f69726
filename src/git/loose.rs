//! One idea: reading an object without trusting it. Loose objects are inflated here, bounded,
//! with header and length checked, so a corrupt one is a warning, never a hang (libgit2's loose
//! reader spins on a truncated file); packed ones are sized first, then read by libgit2.

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
pub(super) fn inflate(
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
