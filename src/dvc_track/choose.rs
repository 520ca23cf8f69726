//! Which of DVC's records decides a path, when several might: `P.dvc` is P's record or no usable
//! one; records naming the same path must all say the same (DVC would refuse overlapping outs,
//! so which one it serves cannot be told); a record DVC does not read gives no digest.

use super::record::Out;
use super::{Tracked, identity};

/// Where an out leads, for a message.
fn shown(out: &Out) -> String {
    out.path
        .clone()
        .unwrap_or_else(|| format!("{} (outside the repository)", out.raw))
}

/// What `P.dvc` (`own`) says of `path`: it is DVC's record of `path`, with exactly one out (or
/// identical ones) naming it; anything else is a record DVC cannot serve `path` from.
pub(super) fn own_record(own: &str, path: &str, outs: &[Out]) -> Tracked {
    let no = |why: String| Tracked::NoDigest {
        file: own.to_string(),
        why,
    };
    match outs {
        [] => no(format!(
            "has a DVC record {own} with no outs, which DVC rejects"
        )),
        [one] if one.path.as_deref() != Some(path) => no(format!(
            "has a DVC record {own} whose out is '{}', not this path (a typo or a case that differs?)",
            shown(one)
        )),
        _ if outs.iter().any(|o| o.path.as_deref() != Some(path)) => no(format!(
            "has a DVC record {own} with {} outs ({}), which DVC does not read as this path's record",
            outs.len(),
            outs.iter().map(shown).collect::<Vec<_>>().join(", ")
        )),
        _ => {
            let all: Vec<(String, Out)> =
                outs.iter().map(|o| (own.to_string(), o.clone())).collect();
            match agreed(&all.iter().collect::<Vec<_>>()) {
                Ok((file, out)) => identity(file, out),
                Err(t) => t,
            }
        }
    }
}

/// The one record among `recs` (each naming the same path), when they all say the same; else
/// why none is taken.
pub(super) fn agreed<'a>(recs: &[&'a (String, Out)]) -> Result<(&'a String, &'a Out), Tracked> {
    let key = |o: &Out| (o.md5.clone(), o.hash.clone(), o.size, o.nfiles);
    let (file, first) = recs[0];
    if recs.iter().all(|(_, o)| key(o) == key(first)) {
        return Ok((file, first));
    }
    let mut files: Vec<&str> = recs.iter().map(|(f, _)| f.as_str()).collect();
    files.dedup();
    Err(Tracked::NoDigest {
        file: file.clone(),
        why: format!(
            "is named more than once by DVC's records ({}), and they disagree: which one DVC would serve cannot be told",
            files.join(", ")
        ),
    })
}

/// Whether `path` is `dir` or inside it.
pub(super) fn under(path: &str, dir: &str) -> bool {
    path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// A record DVC does not read that names `path` (or a directory holding it), or that might (its
/// stage's `wdir` cannot be read, and its out has `path`'s file name): no digest, and why.
pub(super) fn stale_record(
    path: &str,
    stale: &[(String, String, Option<String>, String)],
) -> Option<Tracked> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let (file, _, p, why) = stale.iter().find(|(_, raw, p, _)| match p {
        Some(p) => under(path, p),
        None => raw.trim_end_matches('/').rsplit('/').next() == Some(name),
    })?;
    let named = if p.is_some() { "is" } else { "may be" };
    Some(Tracked::NoDigest {
        file: file.clone(),
        why: format!("{named} named by {file}, but {why}"),
    })
}
