//! Writing tags: the tagger identity as `git tag` finds and cleans it, the tag object, its
//! ref, and deleting a tag.

use anyhow::{Context as _, Result};
use git2::{ErrorCode, ObjectType};

use super::*;
use crate::error::UserError;

impl Repo {
    /// The tagger as `git tag` finds it: `GIT_COMMITTER_NAME/EMAIL`, else `user.name/email`;
    /// the date from `GIT_COMMITTER_DATE`, else now.
    pub(crate) fn tagger(&self) -> Result<Tagger> {
        let config = self.repo.config().ok();
        let from_config = |key: &str| config.as_ref().and_then(|c| c.get_string(key).ok());
        let name = std::env::var("GIT_COMMITTER_NAME")
            .ok()
            .or_else(|| from_config("user.name"))
            .filter(|s| !s.trim().is_empty());
        let email = std::env::var("GIT_COMMITTER_EMAIL")
            .ok()
            .or_else(|| std::env::var("EMAIL").ok())
            .or_else(|| from_config("user.email"))
            .filter(|s| !s.trim().is_empty());
        let (Some(raw_name), Some(raw_email)) = (name, email) else {
            return Err(UserError::new("no git identity to write the tag with")
                .with_hint(
                    "set one with `git config --global user.name \"Your Name\"` and \
                     `git config --global user.email you@example.com` \
                     (or GIT_COMMITTER_NAME and GIT_COMMITTER_EMAIL)",
                )
                .into());
        };
        // Cleaned as git cleans them, so the tag is one git accepts (`git fsck`).
        let (name, email) = (without_crud(&raw_name), without_crud(&raw_email));
        for (what, raw, clean) in [("name", &raw_name, &name), ("e-mail", &raw_email, &email)] {
            if clean.is_empty() {
                return Err(UserError::new(format!(
                    "the git identity's {what} '{}' consists only of characters git removes",
                    raw.escape_debug()
                ))
                .with_hint(
                    "set a real one with `git config user.name`/`user.email` \
                     (or GIT_COMMITTER_NAME and GIT_COMMITTER_EMAIL)",
                )
                .into());
            }
        }
        let time = match std::env::var("GIT_COMMITTER_DATE") {
            Ok(raw) if !raw.trim().is_empty() => parse_git_date(&raw).ok_or_else(|| {
                UserError::new(format!("GIT_COMMITTER_DATE '{raw}' is not a date")).with_hint(
                    "use a form git reads, e.g. '2026-03-01T12:00:00+01:00' or '@1772362800 +0000'",
                )
            })?,
            _ => {
                let now = git2::Signature::now(&name, &email)
                    .map_err(plain)
                    .with_context(|| format!("invalid git identity '{name} <{email}>'"))?;
                Timestamp::new(now.when().seconds(), now.when().offset_minutes())
            }
        };
        Ok(Tagger { name, email, time })
    }

    /// Writes the tag object of an annotated tag `name` on `commit`, without creating the ref
    /// (so it can be pushed first: `--push` is remote-first). Returns the object's id. An object
    /// no ref names is harmless (`git gc` prunes it). The write path builds the bytes itself
    /// (`tag_payload`, signed or not, judged by the policy, then `write_raw_tag`).
    #[cfg(test)]
    pub(crate) fn write_tag_object(
        &self,
        name: &str,
        commit: &str,
        message: &str,
        tagger: &Tagger,
    ) -> Result<String> {
        let payload = self.tag_payload(name, commit, message, tagger)?;
        self.write_raw_tag(&payload)
    }

    /// The bytes of the annotated tag object `name` on `commit`, as `git tag` builds them before
    /// it signs (`object`, `type`, `tag`, `tagger`, a blank line, the message ending in a
    /// newline): byte for byte what libgit2's `tag_annotation_create` writes, so an unsigned
    /// tag is the same object either way. Fails, writing nothing, on a name git refuses or a
    /// commit that is not one.
    pub(crate) fn tag_payload(
        &self,
        name: &str,
        commit: &str,
        message: &str,
        tagger: &Tagger,
    ) -> Result<Vec<u8>> {
        if !git2::Reference::is_valid_name(&format!("refs/tags/{name}")) {
            return Err(UserError::new(format!("'{name}' is not a valid git tag name")).into());
        }
        let oid = git2::Oid::from_str(commit).with_context(|| format!("bad commit id {commit}"))?;
        let object = self
            .objects()
            .object(oid, &|| format!("commit {}", short(commit)))?;
        if object.kind() != Some(ObjectType::Commit) {
            return Err(UserError::new(format!("object {commit} is not a commit")).into());
        }
        // libgit2 checks the identity (no angle brackets) and trims it as it writes it.
        let sig = git2::Signature::new(
            &tagger.name,
            &tagger.email,
            &git2::Time::new(tagger.time.seconds, tagger.time.offset_minutes),
        )
        .with_context(|| format!("invalid git identity '{} <{}>'", tagger.name, tagger.email))?;
        let offset = tagger.time.offset_minutes;
        let sign = if offset < 0 { '-' } else { '+' };
        let mut bytes =
            format!("object {}\ntype commit\ntag {name}\ntagger ", object.id()).into_bytes();
        bytes.extend_from_slice(sig.name_bytes());
        bytes.extend_from_slice(b" <");
        bytes.extend_from_slice(sig.email_bytes());
        bytes.extend_from_slice(
            format!(
                "> {} {sign}{:02}{:02}\n\n",
                tagger.time.seconds,
                offset.abs() / 60,
                offset.abs() % 60
            )
            .as_bytes(),
        );
        bytes.extend_from_slice(message.as_bytes());
        if !message.ends_with('\n') {
            bytes.push(b'\n');
        }
        Ok(bytes)
    }

    /// Writes a tag object's bytes (from `tag_payload`, a signature appended or not) to the
    /// object store, creating no ref. Returns the object's id.
    pub(crate) fn write_raw_tag(&self, bytes: &[u8]) -> Result<String> {
        let written = self
            .repo
            .odb()
            .and_then(|odb| odb.write(ObjectType::Tag, bytes));
        match written {
            Ok(id) => Ok(id.to_string()),
            Err(e) => Err(
                UserError::new(format!("cannot write the tag object: {}", e.message()))
                    .with_hint("the repository's object store may not be writable")
                    .into(),
            ),
        }
    }

    /// Creates the ref `refs/tags/NAME` for a tag object written by `write_raw_tag`. Fails,
    /// writing nothing, if the tag exists (the ref is created atomically), and names a lock file
    /// left behind by a killed git or registry process.
    pub(crate) fn create_tag_ref(&self, name: &str, tag_object: &str) -> Result<()> {
        let oid = git2::Oid::from_str(tag_object)
            .with_context(|| format!("bad tag object id {tag_object}"))?;
        let refname = format!("refs/tags/{name}");
        match self
            .repo
            .reference(&refname, oid, false, &format!("registry: tag {name}"))
        {
            Ok(_) => Ok(()),
            Err(e) if e.code() == ErrorCode::Exists => {
                Err(UserError::new(format!("tag '{name}' already exists")).into())
            }
            Err(e) if e.code() == ErrorCode::Locked => {
                let lock = self.repo.commondir().join(format!("{refname}.lock"));
                let l = lock.display();
                Err(UserError::new(format!(
                    "cannot create tag '{name}': its ref is locked by {l}"
                ))
                .with_hint(format!(
                    "a git or registry process is writing it, or was killed while writing it; if no git or registry process is running, remove {l} (`rm {}`) and retry",
                    crate::shell::shell_quote(&l.to_string())
                ))
                .into())
            }
            Err(e) => Err(
                UserError::new(format!("cannot create tag '{name}': {}", e.message()))
                    .with_hint("another ref may be in the way (`git tag -l` lists the tags)")
                    .into(),
            ),
        }
    }

    /// Deletes a tag.
    pub(crate) fn delete_tag(&self, name: &str) -> Result<()> {
        match self.repo.tag_delete(name) {
            Ok(()) => Ok(()),
            Err(e) if e.code() == ErrorCode::NotFound => {
                Err(UserError::new(format!("tag '{name}' is not found")).into())
            }
            Err(e) => Err(plain(e)).with_context(|| format!("cannot delete tag '{name}'")),
        }
    }
}

/// A name or e-mail as git puts it in an identity line (`strbuf_addstr_without_crud` in git's
/// `ident.c`): "crud" (control characters, space, `,:;<>"\'`) is stripped from both ends, and
/// `<`, `>` and newlines are dropped inside, so the line parses back as written.
pub(super) fn without_crud(s: &str) -> String {
    let crud = |c: char| c <= ' ' || ",:;<>\"\\'".contains(c);
    s.trim_matches(crud)
        .chars()
        .filter(|c| !matches!(c, '\n' | '<' | '>'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An unsigned tag is the object libgit2 wrote before we built the bytes ourselves.
    #[test]
    fn payload_is_libgit2s_tag_object() {
        let dir = tempfile::tempdir().unwrap();
        let raw = git2::Repository::init(dir.path()).unwrap();
        let who = git2::Signature::new("Ada", "ada@example.com", &git2::Time::new(1, 0)).unwrap();
        let tree = raw
            .find_tree(raw.index().unwrap().write_tree().unwrap())
            .unwrap();
        let commit = raw.commit(None, &who, &who, "c", &tree, &[]).unwrap();
        let repo = Repo::open(Some(dir.path())).unwrap();
        for (offset, message, name, email) in [
            (0, "msg", "Ada Tester", "ada@example.com"),
            (-90, "two\nlines\n", " Ada ", " a@b "),
            (330, "", "A", "a"),
            (-1, "x\n\n", "Zoë", "z@ö.example"),
        ] {
            let tagger = Tagger {
                name: name.into(),
                email: email.into(),
                time: Timestamp::new(1_700_000_000, offset),
            };
            let ours = repo
                .write_tag_object("m@v1.0.0", &commit.to_string(), message, &tagger)
                .unwrap();
            let sig =
                git2::Signature::new(name, email, &git2::Time::new(1_700_000_000, offset)).unwrap();
            let mut text = message.to_string();
            if !text.ends_with('\n') {
                text.push('\n');
            }
            let object = raw.find_object(commit, None).unwrap();
            let theirs = raw
                .tag_annotation_create("m@v1.0.0", &object, &sig, &text)
                .unwrap();
            assert_eq!(ours, theirs.to_string(), "{offset} {message:?} {name:?}");
        }
        assert!(
            repo.tag_payload("bad..name", &commit.to_string(), "m", &tagger_of(&repo))
                .is_err()
        );
        let blob = raw.blob(b"x").unwrap().to_string();
        assert!(
            repo.tag_payload("m@v1", &blob, "m", &tagger_of(&repo))
                .is_err()
        );
    }

    fn tagger_of(_: &Repo) -> Tagger {
        Tagger {
            name: "Ada".into(),
            email: "a@b".into(),
            time: Timestamp::new(0, 0),
        }
    }
}
