//! Commands, one file per verb, and what they share: the session (`session.rs`), the write flags, and
//! applying a plan (create the tags, roll back on failure, print GTO's lines and push hints).
//! Commands call the core's plans and this apply path, never each other: every write goes
//! through `apply`, so the outranked check, `--dry-run` and `--push` hold for all of them.

pub(crate) mod annotate;
pub(crate) mod assign;
pub(crate) mod audit;
pub(crate) mod check_ref;
pub(crate) mod compare;
pub(crate) mod deprecate;
pub(crate) mod deregister;
pub(crate) mod describe;
pub(crate) mod diff;
pub(crate) mod doctor;
pub(crate) mod get;
pub(crate) mod history;
mod policy_source;
mod refusal;
pub(crate) mod register;
pub(crate) mod rollback;
mod session;
pub(crate) mod show;
pub(crate) mod stages;
mod target;
mod trust;
pub(crate) mod unassign;
pub(crate) mod verify;

pub(crate) use session::{Global, Open, Scope, Session, lock_repo};

use anyhow::Result;
use clap::{Args, ValueEnum};

use crate::output::Output;
use crate::registry::event::EventKind;
use crate::registry::plan::{Change, NewTag, Simple};
use crate::registry::tag::TagName;
use crate::registry::version::short;
use crate::shell::shell_quote;

/// `--simple auto|true|false` as clap reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum SimpleArg {
    #[default]
    Auto,
    True,
    False,
}

impl From<SimpleArg> for Simple {
    fn from(s: SimpleArg) -> Simple {
        match s {
            SimpleArg::Auto => Simple::Auto,
            SimpleArg::True => Simple::Yes,
            SimpleArg::False => Simple::No,
        }
    }
}

/// `-m`: any text, but no line registry's own provenance block could be read from (a forged
/// `Artifact-Digest:` would stand for a registration that records none itself).
fn tag_message(s: &str) -> Result<String, String> {
    match crate::registry::trailer::claims_provenance(s) {
        Some(line) => Err(format!(
            "holds the line '{}', which registry writes itself to record what a version holds; leave such lines out of the message",
            crate::output::escape(line)
        )),
        None => Ok(s.to_string()),
    }
}

/// Flags every write command takes.
#[derive(Debug, Clone, Args)]
pub(crate) struct WriteFlags {
    /// Message of the tag (replaces the default first line)
    #[arg(short = 'm', long, value_parser = tag_message)]
    pub message: Option<String>,
    /// Tag form: `auto` (GTO's default per command), `true` = NAME@v1.0.0, `false` = NAME@v1.0.0#N
    #[arg(long, value_enum, default_value_t = SimpleArg::Auto, value_name = "auto|true|false")]
    pub simple: SimpleArg,
    /// Skip the safety checks GTO skips with --force
    #[arg(long)]
    pub force: bool,
    /// Print the tag that would be created, and create nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Push the new tag to `origin` (after fetching its tags, so versions and counters are the
    /// remote's); the local tag is created only once the remote has it
    #[arg(long)]
    pub push: bool,
    /// Sign the tag as `git tag -s` does, with git's configuration (gpg.format, user.signingKey);
    /// also on with git's tag.gpgSign or `sign: true` in .registry.yaml
    #[arg(long, conflicts_with = "no_sign")]
    pub sign: bool,
    /// Do not sign, whatever tag.gpgSign or .registry.yaml say
    #[arg(long)]
    pub no_sign: bool,
}

impl WriteFlags {
    /// Whether this write signs its tags: `--sign`/`--no-sign`, else git's `tag.gpgSign` or
    /// `sign: true` in `.registry.yaml`.
    pub(crate) fn signs(&self, session: &Session) -> bool {
        let flag = match (self.sign, self.no_sign) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        };
        crate::signature::sign::wanted(
            flag,
            session.repo.config_bool("tag.gpgSign"),
            session.config.sign,
        )
    }
}

/// Applies a planned change: the one way the tag-writing commands write. The flags say whether
/// it is a dry run and whether new tags are signed (deleting signs nothing).
pub(crate) fn apply(
    session: &Session,
    out: &mut Output,
    change: &Change,
    flags: &WriteFlags,
) -> Result<()> {
    match change {
        Change::Create(tags) => write_tags(session, out, tags, flags),
        Change::Delete(tags) => delete_tags(session, out, tags, flags.dry_run),
    }
}

/// What GTO says after creating a tag of this kind (reference §5.1–5.3).
fn created_line(tag: &NewTag) -> String {
    match tag.kind {
        EventKind::Registration => format!("Created git tag '{}' that registers version", tag.name),
        EventKind::Deregistration => {
            format!("Created git tag '{}' that deregisters version", tag.name)
        }
        EventKind::Assignment => format!(
            "Created git tag '{}' that assigns stage to version '{}'",
            tag.name, tag.version
        ),
        EventKind::Unassignment => format!(
            "Created git tag '{}' that unassigns stage from version '{}'",
            tag.name, tag.version
        ),
        EventKind::Deprecation => {
            format!("Created git tag '{}' that deprecates artifact", tag.name)
        }
    }
}

fn push_hint(out: &mut Output, tag: &str, delete: bool) -> Result<()> {
    out.line("To push the changes upstream, run:")?;
    let verb = if delete { "push --delete" } else { "push" };
    out.line(&format!("    git {verb} origin {}", shell_quote(tag)))?;
    Ok(())
}

/// Adds what each planned registration stands for (path, digest, manifest) to its message.
pub(crate) fn attach_provenance(
    session: &Session,
    tags: &mut [NewTag],
    given: Option<&str>,
    out: &mut Output,
) -> Result<()> {
    for tag in tags
        .iter_mut()
        .filter(|t| t.kind == EventKind::Registration)
    {
        let Some(parsed) = TagName::parse(&tag.name) else {
            continue;
        };
        if let Some(p) = crate::provenance::for_registration(
            &session.repo,
            &parsed.artifact,
            &tag.commit,
            given,
            out,
        )? {
            tag.message = crate::registry::trailer::message(&tag.message, Some(&p));
        }
    }
    Ok(())
}

/// Creates the planned tags in order. If one fails, the ones created before it are deleted
/// again, so a command never leaves half its work behind.
///
/// A signed write signs every tag object first, before any object, ref or push: a signature
/// that fails (no key, a refusing agent, no program) leaves nothing behind, here or remotely.
///
/// With push the order is remote-first: each tag's object is written, pushed
/// (`git push origin OID:refs/tags/NAME`), and only then is the local ref created. If a push
/// fails, that tag and the ones after it are not created locally (the earlier ones are on both
/// sides), the remote's tags are fetched again, and the error says why. An interrupted write
/// (Ctrl-C, SIGTERM, SIGKILL) therefore never leaves a local tag the remote lacks: at worst the
/// remote got a tag the next fetch brings.
fn write_tags(
    session: &Session,
    out: &mut Output,
    tags: &[NewTag],
    flags: &WriteFlags,
) -> Result<()> {
    // A tag that a future-dated one outranks would be written, reported, and change nothing.
    let now = session.repo.tagger().map_or_else(
        |_| crate::registry::time::Timestamp::new(now_seconds(), 0),
        |t| t.time,
    );
    if let Some(refusal) = crate::registry::outranked::outranked(&session.reg, tags, now) {
        return Err(refusal.into());
    }
    let signs = flags.signs(session);
    if flags.dry_run && !session.config.trust.is_empty() {
        // What the real run would refuse, the dry run refuses too. Under a policy a signed tag
        // is signed here (nothing is written) so that its signer can be judged: the signer is
        // what the rules are about.
        let tagger = session.repo.tagger()?;
        let objects = tag_objects(session, out, tags, &tagger, signs)?;
        trust::refuse_untrusted(session, tags, &objects, &tagger)?;
    }
    if flags.dry_run {
        for tag in tags {
            out.line(&format!(
                "Would create git tag '{}'{} on commit {}: {}",
                tag.name,
                if signs { " (signed)" } else { "" },
                short(&tag.commit),
                tag.message.lines().next().unwrap_or_default()
            ))?;
        }
        return Ok(());
    }
    let tagger = session.repo.tagger()?;
    let repo = &session.repo;
    for tag in tags {
        // Refuse a name taken locally before signing (which may ask for a passphrase) and
        // before anything goes to the remote.
        if repo.tag_kind(&tag.name)? != crate::git::TagKind::Missing {
            return Err(
                crate::error::UserError::new(format!("tag '{}' already exists", tag.name)).into(),
            );
        }
    }
    let objects = tag_objects(session, out, tags, &tagger, signs)?;
    // The policy's signature and authorization rules hold for local writes too, and --force
    // does not lift them: an event the gate would reject is never created.
    trust::refuse_untrusted(session, tags, &objects, &tagger)?;
    let objects = objects
        .iter()
        .map(|o| repo.write_raw_tag(o))
        .collect::<Result<Vec<String>>>()?;
    if session.push {
        return push_tags(session, out, tags, &objects);
    }
    let mut created: Vec<&str> = Vec::new();
    for (tag, object) in tags.iter().zip(&objects) {
        if let Err(e) = repo.create_tag_ref(&tag.name, object) {
            for done in created.iter().rev() {
                // Best effort: the original error is what the user needs to see.
                let _ = session.repo.delete_tag(done);
            }
            return Err(e);
        }
        created.push(&tag.name);
    }
    for tag in tags {
        out.line(&created_line(tag))?;
        push_hint(out, &tag.name, false)?;
    }
    Ok(())
}

/// The bytes of the planned tags' objects, signed when asked: every object is signed before the
/// first is written (and before the policy judges them).
fn tag_objects(
    session: &Session,
    out: &mut Output,
    tags: &[NewTag],
    tagger: &crate::git::Tagger,
    signs: bool,
) -> Result<Vec<Vec<u8>>> {
    let repo = &session.repo;
    if !signs {
        return tags
            .iter()
            .map(|t| repo.tag_payload(&t.name, &t.commit, &t.message, tagger))
            .collect();
    }
    let signer = crate::signature::sign::Signer::from_git_config(repo, tagger)?;
    let mut signed = Vec::with_capacity(tags.len());
    for tag in tags {
        if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            // The program may ask for a passphrase (pinentry, ssh-keygen on the terminal): say
            // who asks. Only on a terminal, so what scripts read stays as it was.
            out.flush()?;
            out.note(&format!(
                "Signing tag '{}' with {}",
                tag.name,
                signer.describe()
            ))?;
        }
        let mut object = repo.tag_payload(&tag.name, &tag.commit, &tag.message, tagger)?;
        let signature = signer.sign(&tag.name, &object)?;
        object.extend_from_slice(&signature);
        signed.push(object);
    }
    Ok(signed)
}

/// The clock, in seconds since the epoch.
fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `write_tags` with push, remote-first (see there), for tag objects already written.
fn push_tags(
    session: &Session,
    out: &mut Output,
    tags: &[NewTag],
    objects: &[String],
) -> Result<()> {
    let repo = &session.repo;
    for (tag, object) in tags.iter().zip(objects) {
        // "Created" only once it is: pushed, and the local ref made. A writer that loses a
        // race for the name prints no success line, only the error.
        out.line(&format!("Running `git push origin {}`", tag.name))?;
        if let Err(e) = crate::remote::push_object(&repo.git_dir(), "origin", object, &tag.name) {
            // Resync, so the next attempt plans against what the remote now holds.
            let _ = crate::remote::fetch_tags(&repo.git_dir(), "origin");
            return Err(e
                .with_hint(format!(
                    "the tag '{}' was not created locally either; fetch and retry (`registry` plans against the remote's tags with --push)",
                    tag.name
                ))
                .into());
        }
        repo.create_tag_ref(&tag.name, object).map_err(|e| {
            let hint = format!(
                "the remote has the tag '{}' now; `git fetch --tags origin` brings it here",
                tag.name
            );
            match e.downcast::<crate::error::UserError>() {
                Ok(user) => {
                    let hint = match &user.hint {
                        Some(first) => format!("{first}; {hint}"),
                        None => hint,
                    };
                    user.with_hint(hint).into()
                }
                Err(other) => other.context(hint),
            }
        })?;
        out.line(&created_line(tag))?;
        out.line(&format!(
            "Successfully pushed git tag {} on remote.",
            tag.name
        ))?;
    }
    Ok(())
}

/// Deletes tags (`--delete`), printing GTO's lines. With push the remote deletion goes first,
/// so a failed push leaves the local tag in place.
fn delete_tags(session: &Session, out: &mut Output, tags: &[String], dry_run: bool) -> Result<()> {
    if tags.is_empty() {
        out.note("Nothing to delete: no tags matched")?;
        return Ok(());
    }
    for tag in tags {
        if dry_run {
            out.line(&format!("Would delete git tag '{tag}'"))?;
            continue;
        }
        if session.push {
            out.line(&format!("Running `git push --delete origin {tag}`"))?;
            crate::remote::push_tag(&session.repo.git_dir(), "origin", tag, true)?;
        }
        session.repo.delete_tag(tag)?;
        out.line(&format!("Deleted git tag '{tag}'"))?;
        if session.push {
            out.line(&format!("Successfully deleted git tag {tag} on remote."))?;
        } else {
            push_hint(out, tag, true)?;
        }
    }
    Ok(())
}
