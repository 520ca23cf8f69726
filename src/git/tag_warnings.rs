//! One idea: the warnings for tags that cannot count, each naming the tag and its fix.

use crate::registry::event::Warning;
use crate::shell::shell_quote;

/// How to repair a tag whose object is wrong: make it again.
pub(super) fn recreate(name: &str) -> String {
    format!(
        "delete it (`git tag -d {0}`, and `git push --delete origin {0}` if it was pushed) and \
         tag again with `registry` or `git tag -a`",
        shell_quote(name)
    )
}

pub(super) fn malformed_tag(name: &str, why: &str) -> Warning {
    Warning {
        tag: name.to_string(),
        message: format!("tag '{name}' is a malformed tag object ({why}); it is ignored"),
        fix: recreate(name),
    }
}

pub(super) fn no_tagger(name: &str) -> Warning {
    Warning {
        tag: name.to_string(),
        message: format!(
            "tag '{name}' has no tagger, so it has no time to be ordered by; it is ignored"
        ),
        fix: recreate(name),
    }
}

pub(super) fn malformed_tagger(name: &str, why: &str) -> Warning {
    Warning {
        tag: name.to_string(),
        message: format!("tag '{name}' has a malformed tagger line ({why}); it is ignored"),
        fix: recreate(name),
    }
}

pub(super) fn missing_object(name: &str, oid: git2::Oid) -> Warning {
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

pub(super) fn not_a_ref_file(name: &str, what: &str) -> Warning {
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
pub(super) fn renamed_tag(name: &str, own: &str) -> Warning {
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

pub(super) fn too_large_tag(name: &str, size: usize) -> Warning {
    Warning {
        tag: name.to_string(),
        message: format!(
            "tag '{name}' cannot be read: its tag object has {size} bytes, more than the 16 MiB \
             a tag object may have here; it is ignored"
        ),
        fix: recreate(name),
    }
}
