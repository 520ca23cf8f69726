//! Shell quoting for the command lines we print (push hints, repair commands, paths in
//! messages), so a user can paste them into a POSIX shell as they are. Not part of any grammar:
//! tag names, paths and refs all go through it alike.
//! A leaf: pure, no git, no I/O, imports nothing of ours. The core does not use it: it returns
//! data, and the shell (`commands/refusal.rs`) spells out the command lines.

/// Python's `shlex.quote`, which GTO uses in its push hint (reference §5.8): a word of only
/// `[A-Za-z0-9@%+=:,./_-]` is left as it is, anything else (the empty word too) is put in single
/// quotes, an embedded `'` written as `'"'"'`.
pub fn shell_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"@%+=:,./-_".contains(&b));
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\"'\"'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_python_shlex() {
        assert_eq!(shell_quote("rf@v0.0.1"), "rf@v0.0.1");
        assert_eq!(shell_quote("rf#prod#1"), "'rf#prod#1'");
        assert_eq!(shell_quote("rf@v1.0.0!"), "'rf@v1.0.0!'");
        assert_eq!(shell_quote("a'b"), "'a'\"'\"'b'");
        assert_eq!(shell_quote("dir=m@v1.0.0"), "dir=m@v1.0.0");
        assert_eq!(shell_quote(""), "''");
    }
}
