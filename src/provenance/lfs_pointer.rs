//! Git LFS pointer files (spec v1): the small blob git holds in place of an LFS-tracked file,
//! naming the content by its SHA-256 and size. Recognised strictly, as `git lfs clean` writes
//! them, so a blob that merely looks similar is hashed as the bytes it is. Pure: parse only.
//!
//! A pointer's `oid` is the SHA-256 of the smudged content, so a registration records
//! `sha256:<oid>`, the digest of the bytes users get, known from git alone.

/// The spec's size limit: a blob of 1024 bytes or more is never a pointer.
const MAX_POINTER: usize = 1024;
const VERSION: &str = "version https://git-lfs.github.com/spec/v1\n";

/// What a pointer names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LfsPointer {
    /// The content's SHA-256, 64 lower-case hex digits.
    pub oid: String,
    /// The content's size in bytes.
    pub size: u64,
}

/// The pointer `bytes` are, if they are one: exactly the lines `version …spec/v1`,
/// `oid sha256:<64 hex>`, `size <decimal>`, each ending in a newline, under 1024 bytes.
/// Pointers with extensions (`ext-…` lines) are not taken: their oid is not plainly the content's.
pub(crate) fn parse(bytes: &[u8]) -> Option<LfsPointer> {
    if bytes.len() >= MAX_POINTER {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let rest = text.strip_prefix(VERSION)?;
    let rest = rest.strip_prefix("oid sha256:")?;
    let (oid, rest) = rest.split_once('\n')?;
    if oid.len() != 64
        || !oid
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    let size = rest.strip_prefix("size ")?.strip_suffix('\n')?;
    if size.is_empty() || size.len() > 19 || !size.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(LfsPointer {
        oid: oid.to_string(),
        size: size.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OID: &str = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";

    fn pointer(oid: &str, size: &str) -> String {
        format!("{VERSION}oid sha256:{oid}\nsize {size}\n")
    }

    #[test]
    fn pointers_are_read_strictly() {
        assert_eq!(
            parse(pointer(OID, "12345").as_bytes()),
            Some(LfsPointer {
                oid: OID.into(),
                size: 12345
            })
        );
        for bad in [
            pointer(&OID.to_uppercase(), "1"),
            pointer(&OID[1..], "1"),
            pointer(OID, ""),
            pointer(OID, "-1"),
            pointer(OID, "1 "),
            pointer(OID, "99999999999999999999"),
            pointer(OID, "1").trim_end().to_string(),
            format!("{}x\n", pointer(OID, "1")),
            format!("{VERSION}ext-0-foo sha256:{OID}\noid sha256:{OID}\nsize 1\n"),
            pointer(OID, "1").replace("v1", "v2"),
            "\r\n".repeat(3),
            String::new(),
        ] {
            assert_eq!(parse(bad.as_bytes()), None, "{bad:?}");
        }
        let mut long = pointer(OID, "1").into_bytes();
        long.resize(MAX_POINTER, b'\n');
        assert_eq!(parse(&long), None);
    }
}
