//! One idea: what a tag object says. git's tag format (a few header lines and a message) is
//! parsed here, never by libgit2, so what is accepted is decided in one place; the tests in
//! `tag_tests/parse.rs` check that the parse agrees with libgit2's.

use anyhow::Result;
use git2::ObjectType;

use super::loose::{LooseDirs, Obj, read_object};
use super::tag_warnings::{
    corrupt_object, malformed_tag, malformed_tagger, missing_object, no_tagger, renamed_tag,
    too_large_tag,
};
use crate::registry::event::{RawTag, Target, Warning};
use crate::registry::time::Timestamp;

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
pub(super) fn read_tag(
    odb: &git2::Odb<'_>,
    dirs: &LooseDirs,
    name: &str,
    oid: git2::Oid,
) -> Result<TagRead> {
    let data = match read_object(odb, dirs, oid, name)? {
        Obj::Found(ObjectType::Tag, data) => data,
        Obj::Found(..) => return Ok(TagRead::NotTag),
        Obj::Missing => return Ok(TagRead::Bad(missing_object(name, oid))),
        Obj::Corrupt(why, loose) => {
            return Ok(TagRead::Bad(corrupt_object(name, oid, &why, loose)));
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
            )));
        }
    };
    let Some(tagger) = head.tagger else {
        return Ok(TagRead::Bad(no_tagger(name)));
    };
    let (tagger_name, tagger_email, time) = match parse_signature(tagger) {
        Ok(sig) => sig,
        Err(why) => return Ok(TagRead::Bad(malformed_tagger(name, why))),
    };
    // A signed tag is split as git splits it (the last line that begins a signature block), and
    // the block is no part of the message: it never reaches a description or CI output.
    let signed = crate::registry::signature::split(&data).map(std::sync::Arc::new);
    let message = match &signed {
        Some(s) => {
            let start = data.len() - head.message.len();
            &head.message[..s
                .payload
                .len()
                .saturating_sub(start)
                .min(head.message.len())]
        }
        None => head.message,
    };
    // A tag object is the event it was made as: found under another name (`git update-ref
    // refs/tags/OTHER <its id>`), it is no event of that name (git describe warns of it as
    // "externally known as").
    if let Some(own) = head.tag
        && own != name.as_bytes()
    {
        return Ok(TagRead::Bad(renamed_tag(
            name,
            &String::from_utf8_lossy(own),
        )));
    }
    Ok(TagRead::Tag(RawTag {
        name: name.to_string(),
        target,
        tagger_name,
        tagger_email,
        time,
        message: String::from_utf8_lossy(message).into_owned(),
        signed,
    }))
}

/// Follows a chain of tags from `first` to the object at its end (at most 32 links, as git
/// peels). A chain that ends in something other than a commit, or in nothing, is a target that
/// is no commit (a warning later); a corrupt link is a bad tag.
pub(super) fn peel_chain(
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

/// The header of an annotated tag object, as parsed here.
pub(super) struct TagHead<'a> {
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
pub(super) fn parse_tag_object(data: &[u8]) -> std::result::Result<TagHead<'_>, &'static str> {
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
pub(super) const MAX_TIME: i64 = 253_402_300_799;

/// `Name <email> 1700000000 +0100`: the email is between the last `<` and the last `>`, both
/// trimmed (as libgit2 reads it). The time is digits (git writes no sign) within years
/// 1970–9999, also in the tagger's zone; the zone `+HHMM` with `MM` under 60. The error says
/// what is wrong.
pub(super) fn parse_signature(
    line: &[u8],
) -> std::result::Result<(String, String, Timestamp), &'static str> {
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

pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
