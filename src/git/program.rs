//! Running the `git` program, hardened for the network: the one way registry starts `git` for
//! anything that may reach a remote (fetch, push, lazy fetches of a partial clone).
//!
//! The `git` program, not libgit2, so credential helpers, SSH agents, proxies and `insteadOf`
//! rules behave exactly as they do for the user's own `git fetch`. Also the redaction of
//! credentials in URLs, for every message that shows one.

use std::process::{Command, Stdio};

/// The protocols git may use for anything `registry` runs: the URL forms the README lists.
/// Everything else (`ext::`, `fd::`, other remote helpers, plain `http`) stays refused even when
/// the user's git config allows it.
pub(crate) const ALLOWED_PROTOCOLS: [&str; 4] = ["https", "ssh", "git", "file"];

/// `git` with the network hardened: only the allowed protocols (`GIT_ALLOW_PROTOCOL` overrides
/// any `protocol.*.allow` of the user's config, which `-c protocol.allow=never` alone does not),
/// no protocol from a URL given by a repository's config or submodule
/// (`GIT_PROTOCOL_FROM_USER=0`), and no prompt on stdin.
pub(crate) fn git_command() -> Command {
    let mut cmd = Command::new("git");
    cmd.env("GIT_PROTOCOL_FROM_USER", "0")
        .env("GIT_ALLOW_PROTOCOL", ALLOWED_PROTOCOLS.join(":"))
        .args(["-c", "protocol.allow=never"])
        .args(["-c", "protocol.ext.allow=never"]);
    for p in ALLOWED_PROTOCOLS {
        cmd.args(["-c", &format!("protocol.{p}.allow=always")]);
    }
    // The variables that point git at another repository's parts (what git itself clears
    // before it works in another repository, `git rev-parse --local-env-vars`): set by a hook
    // registry runs in, they would make a fetch write its objects there. Every command here
    // names its repository with `--git-dir`.
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_IMPLICIT_WORK_TREE",
        "GIT_COMMON_DIR",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_QUARANTINE_PATH",
        "GIT_INDEX_FILE",
        "GIT_NAMESPACE",
        "GIT_SHALLOW_FILE",
        "GIT_GRAFT_FILE",
        "GIT_PREFIX",
        "GIT_NO_REPLACE_OBJECTS",
        "GIT_REPLACE_REF_BASE",
    ] {
        cmd.env_remove(var);
    }
    cmd.stdin(Stdio::null());
    cmd
}

/// The user-info part of a URL's authority (after `scheme://`) when it is a secret: one with a
/// password (`user:token@`), or any user part of an `https` URL (`https://TOKEN@host/` is a
/// common way to pass a token). `ssh://git@host/` names a user, not a secret.
pub(crate) fn credentials<'a>(scheme: &str, rest: &'a str) -> Option<&'a str> {
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let (userinfo, _host) = authority.rsplit_once('@')?;
    (userinfo.contains(':') || scheme.starts_with("http")).then_some(userinfo)
}

/// `text` with the credentials of every URL in it replaced by `***`
/// (`https://user:token@host/x` becomes `https://***@host/x`), for anything shown to the user.
pub(crate) fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let scheme_start = rest[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c)))
            .map_or(0, |j| j + 1);
        let scheme = rest[scheme_start..i].to_ascii_lowercase();
        let after = &rest[i + 3..];
        // The authority ends at a path, a quote, or white space (git quotes URLs in messages).
        let end = after
            .find(|c: char| "/?#'\"`".contains(c) || c.is_whitespace())
            .unwrap_or(after.len());
        out.push_str(&rest[..i + 3]);
        match credentials(&scheme, &after[..end]) {
            Some(userinfo) => {
                out.push_str("***");
                out.push_str(&after[userinfo.len()..end]);
            }
            None => out.push_str(&after[..end]),
        }
        rest = &after[end..];
        // An http(s) URL's query may carry a token (`?access_token=…`): hidden as well.
        if scheme.starts_with("http") {
            let url_end = rest
                .find(|c: char| "'\"`".contains(c) || c.is_whitespace())
                .unwrap_or(rest.len());
            if let Some(q) = rest[..url_end].find('?') {
                out.push_str(&rest[..=q]);
                out.push_str("***");
                rest = &rest[url_end..];
            }
        }
    }
    out.push_str(rest);
    out
}
