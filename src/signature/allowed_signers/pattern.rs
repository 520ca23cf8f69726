//! OpenSSH's pattern lists (`match.c`: `match_pattern`, `match_pattern_list`), for principals and
//! namespaces: `*` matches any run of bytes, `?` any one byte, and an item `!p` that matches
//! makes the whole list fail, whatever else matched.

/// The length from which OpenSSH gives up on an item (its buffer is 1024 bytes): no match.
const MAX_ITEM: usize = 1023;

/// Whether `text` matches one of the comma-separated `list` and none of its negated items
/// (OpenSSH's `match_pattern_list(text, list, 0) == 1`).
pub(crate) fn matches_list(text: &str, list: &str) -> bool {
    let mut positive = false;
    for item in list.split(',') {
        let (negated, pattern) = match item.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, item),
        };
        if pattern.len() >= MAX_ITEM {
            return false;
        }
        if matches(text.as_bytes(), pattern.as_bytes()) {
            if negated {
                return false;
            }
            positive = true;
        }
    }
    positive
}

/// Whether `text` is an item that only a pattern would match against: it has a wildcard or a
/// negation, so it names no one principal.
pub(crate) fn is_pattern(item: &str) -> bool {
    item.starts_with('!') || item.contains(['*', '?'])
}

/// `match_pattern`: the glob `pattern` against all of `text`, byte by byte. Linear backtracking
/// to the last `*` (a pattern of many stars cannot make it exponential).
fn matches(text: &[u8], pattern: &[u8]) -> bool {
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            t += 1;
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_as_openssh_does() {
        assert!(matches(b"alice@example.com", b"*@example.com"));
        assert!(matches(b"alice@example.com", b"alice@example.co?"));
        assert!(matches(b"", b"*"));
        assert!(!matches(b"", b"?"));
        assert!(matches(b"abcabd", b"*ab?"));
        assert!(!matches(b"alice@example.org", b"*@example.com"));
        assert!(matches(b"a*b", b"a*b"));
        assert!(matches(&[b'a'; 60], &[b'*'; 40]));
        assert!(!matches(
            b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
            b"*a*a*a*a*a*a*a*a*a*c"
        ));
    }

    #[test]
    fn a_matching_negation_fails_the_whole_list() {
        assert!(matches_list("alice@example.com", "bob,*@example.com"));
        assert!(!matches_list(
            "mallory@example.com",
            "!mallory@*,*@example.com"
        ));
        assert!(!matches_list(
            "mallory@example.com",
            "*@example.com,!mallory@*"
        ));
        assert!(
            !matches_list("bob", "!alice"),
            "a negation alone matches nothing"
        );
        assert!(!matches_list("git", ""));
        assert!(matches_list("git", "file,git"));
        assert!(matches_list("x", &"*".repeat(MAX_ITEM - 1)));
        assert!(
            !matches_list("x", &"*".repeat(MAX_ITEM)),
            "too long an item: no match"
        );
        assert!(is_pattern("*@x") && is_pattern("!a") && is_pattern("a?") && !is_pattern("a"));
    }
}
