//! A `.dvcignore`'s lines as DVC reads them, and each pattern as the git globs that match what
//! DVC's own matcher (pathspec regexes, `dvc/ignore.py`) matches for it, written so ripgrep's
//! globset reads none of its own syntax into them.

/// A pattern as git globs that match what DVC's regex for it matches. DVC differs from git in
/// three ways (`DvcIgnorePatterns._find_matching_pattern`, which also tries a directory's path
/// with `/` appended and matches regexes at the start only): a pattern matches whatever lies
/// below what it matches, so `!keep` lets in all of `keep/`'s files (and `c` leaves out the
/// files of a directory `c/` that `!c/` let in again); `X/**` also matches the
/// directory `X` itself; and in the root's file `*/`, `**/` match nothing. Extra globs, of the
/// same sign, follow the pattern, so the last match still decides. A file below the root
/// (`at_root` false) has its patterns rewritten under its directory first
/// (`pathspec_math.change_rule`), which drops a leading `\` (`\*` is then a wildcard) and
/// makes `*/` match the directories below it, as git's does.
pub(super) fn as_dvc_reads(line: &str, at_root: bool) -> Vec<String> {
    let (sign, mut body) = match line.strip_prefix('!') {
        Some(body) => ("!", body),
        None => ("", line),
    };
    // `\!` and `\#` stay literal either way; other escapes DVC drops below the root.
    let unescaped;
    if !at_root
        && let Some(rest) = body.strip_prefix('\\')
        && !rest.starts_with(['!', '#'])
    {
        unescaped = format!("{sign}{rest}");
        body = rest;
    } else {
        unescaped = line.to_string();
    }
    let dir_only = body.ends_with('/');
    let stem = body.trim_end_matches('/');
    let anchored = body.starts_with('/') || stem.contains('/');
    // `s` (a part of `stem`) as a glob anchored as the pattern is.
    let rooted = |s: &str| match (anchored, s.starts_with('/') || s.contains('/')) {
        (false, _) => format!("**/{s}"),
        (true, true) => s.to_string(),
        (true, false) => format!("/{s}"),
    };
    let mut segments: Vec<&str> = stem.split('/').collect();
    segments.dedup_by(|a, b| *a == "**" && *b == "**");
    let nothing: &[&[&str]] = if dir_only {
        &[&["*"], &["**"], &["**", "*"]]
    } else {
        &[&["**", "*", "**"]]
    };
    if at_root && !body.starts_with('/') && nothing.contains(&segments.as_slice()) {
        return Vec::new();
    }
    let mut out = vec![unescaped];
    let mut x = stem;
    while let Some(shorter) = x.strip_suffix("/**") {
        x = shorter;
    }
    if x.len() < stem.len() && !x.is_empty() {
        out.push(format!("{sign}{}/", rooted(x)));
    }
    // Either sign: an ignored directory let in again by a later pattern still has its files
    // left out by an earlier pattern that matched the directory.
    if !stem.ends_with("**") && !stem.is_empty() {
        let slash = if dir_only { "/" } else { "" };
        out.push(format!("{sign}{}/**{slash}", rooted(stem)));
    }
    out.iter()
        .map(|glob| as_literal_for_globset(glob))
        .collect()
}

/// `glob` with the syntax ripgrep's globset has and DVC's pathspec (like git's wildmatch) has
/// not made literal (review G10): `{a,b}` alternation (and a lone `}`, which globset refuses)
/// outside a class become `\{`, `\}`; a `[:name:]` POSIX class inside one, which pathspec
/// reads as the characters `[`, `:`, … up to the first `]`, gets its `[` as the range `[-[`.
/// Classes end where both end them: at the first `]` after an optional `!`/`^` and a leading
/// `]`; inside one, `\` is a character to both. An unclosed `[` is left as it is: the pattern
/// is then dropped, as DVC drops it.
fn as_literal_for_globset(glob: &str) -> String {
    let mut out = String::with_capacity(glob.len());
    let mut chars = glob.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                out.extend(chars.next());
            }
            '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '[' => {
                out.push(c);
                let mut first = true;
                if let Some(&n) = chars.peek()
                    && (n == '!' || n == '^')
                {
                    out.push(n);
                    chars.next();
                }
                let mut in_range = false;
                while let Some(k) = chars.next() {
                    match k {
                        ']' if !first => {
                            out.push(k);
                            break;
                        }
                        '[' if !in_range && chars.peek() == Some(&':') => out.push_str("[-["),
                        '-' if !first && !in_range => {
                            in_range = true;
                            out.push(k);
                            first = false;
                            continue;
                        }
                        _ => out.push(k),
                    }
                    in_range = false;
                    first = false;
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The patterns of a `.dvcignore`, as `DvcIgnorePatterns.from_file` reads them: lines split as
/// Python's text mode splits them (`\n`, `\r\n`, `\r`), each stripped of the white space
/// Python's `str.strip` strips, without empty lines and `#` comments.
pub(super) fn patterns(text: &str) -> Vec<String> {
    let python_space = |c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c);
    text.split(['\n', '\r'])
        .map(|line| line.trim_matches(python_space))
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_as_dvc_reads_them() {
        assert_eq!(
            patterns("  *.tmp \r\n# c\n\n\x1c/x\x1f\rdir/\n   # also a comment\n\\#lit"),
            ["*.tmp", "/x", "dir/", "\\#lit"]
        );
    }

    #[test]
    fn patterns_become_the_globs_that_match_what_dvc_matches() {
        let globs = |line: &str| as_dvc_reads(line, true);
        assert_eq!(globs("*.tmp"), ["*.tmp", "**/*.tmp/**"]);
        assert_eq!(globs("/top"), ["/top", "/top/**"]);
        assert_eq!(globs("build/"), ["build/", "**/build/**/"]);
        assert_eq!(globs("logs/**"), ["logs/**", "/logs/"]);
        assert_eq!(globs("!x/**"), ["!x/**", "!/x/"]);
        assert_eq!(globs("**/c/**/"), ["**/c/**/", "**/c/"]);
        assert_eq!(globs("!keep"), ["!keep", "!**/keep/**"]);
        assert_eq!(globs("!a/b/"), ["!a/b/", "!a/b/**/"]);
        assert!(globs("*/").is_empty() && globs("**/").is_empty() && globs("**/*/").is_empty());
        assert_eq!(globs("/*/"), ["/*/", "/*/**/"]);
        assert_eq!(globs("\\*x"), ["\\*x", "**/\\*x/**"]);
        // Below the root, `*/` is git's, and a leading `\` goes.
        assert_eq!(as_dvc_reads("*/", false), ["*/", "**/*/**/"]);
        assert_eq!(as_dvc_reads("!\\*x", false), ["!*x", "!**/*x/**"]);
        assert_eq!(as_dvc_reads("\\#x", false), ["\\#x", "**/\\#x/**"]);
    }

    #[test]
    fn globset_only_syntax_is_made_literal() {
        let lit = as_literal_for_globset;
        assert_eq!(lit("{a,b}"), "\\{a,b\\}");
        assert_eq!(lit("c}"), "c\\}");
        assert_eq!(lit("\\{x"), "\\{x");
        assert_eq!(lit("[{]x"), "[{]x");
        assert_eq!(lit("[[:alpha:]]"), "[[-[:alpha:]]");
        assert_eq!(lit("[!]{]{"), "[!]{]\\{");
        assert_eq!(lit("[a-[:]"), "[a-[:]");
        assert_eq!(lit("[\\]{"), "[\\]\\{");
        assert_eq!(lit("[x"), "[x");
        assert_eq!(
            as_dvc_reads("{a,b}", true),
            ["\\{a,b\\}", "**/\\{a,b\\}/**"]
        );
    }
}
