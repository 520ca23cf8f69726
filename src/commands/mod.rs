//! Commands, one file per verb, and what they share: opening the registry, the write flags, and
//! applying a plan (create the tags, roll back on failure, print GTO's lines and push hints).

pub mod annotate;
pub mod assign;
pub mod check_ref;
pub mod deprecate;
pub mod deregister;
pub mod describe;
pub mod diff;
pub mod doctor;
pub mod history;
pub mod register;
pub mod rollback;
pub mod show;
pub mod stages;
pub mod unassign;
pub mod verify;

use anyhow::Result;
use clap::{Args, ValueEnum};

use crate::cli::Global;
use crate::config::Config;
use crate::git::Repo;
use crate::output::Output;
use crate::registry::event::{event_from_raw, EventKind};
use crate::registry::name::ArtifactName;
use crate::registry::plan::{Context, NewTag, Simple};
use crate::registry::state::{short, Registry};
use crate::registry::tag::TagName;
use crate::shell::shell_quote;

/// An opened repository with its registry state.
pub struct Session {
    pub repo: Repo,
    pub config: Config,
    pub reg: Registry,
    pub ctx: Context,
    /// Registry-shaped lightweight tags (ignored, as GTO ignores them).
    pub lightweight: Vec<String>,
    /// Registry-shaped ref names git refuses (not tags; `doctor` names them).
    pub refused: Vec<String>,
    /// Push new tags to `origin` (`--push`, or always for `-C URL`).
    pub push: bool,
    /// A broken config, when opened for `doctor` (which reports it instead of failing).
    pub config_problem: Option<crate::error::UserError>,
    /// The writers' lock, held from before the tags are read until the session is dropped.
    pub lock: Option<crate::lock::Lock>,
}

/// How a session is opened (all off by default: a plain read of the present).
#[derive(Debug, Clone, Copy, Default)]
pub struct Open {
    /// Fetch `origin`'s tags first and push what is written (implied for a URL).
    pub push: bool,
    /// Keep a broken config as `config_problem` instead of failing (`doctor`).
    pub tolerate_bad_config: bool,
    /// Only events tagged at or before this time count (`show --at`).
    pub at: Option<i64>,
    /// Opened to write: a tag in scope that cannot be read is an error, not a warning.
    pub write: bool,
}

/// Which tags a session reads: all, or one artifact's (the others' tag objects are never read).
pub enum Scope<'a> {
    All,
    Artifact(&'a ArtifactName),
}

impl Session {
    /// Opens the repository (a local path, or the cached mirror of a URL) and folds its tags.
    pub fn open(global: &Global, scope: Scope<'_>) -> Result<Session> {
        Session::open_with(global, scope, Open::default())
    }

    /// As `open`, for a write: with `push` (implied for a URL) the remote's tags are fetched
    /// first, so the next version and counter come from the remote's state (SPEC §4.6).
    ///
    /// The writers' lock is taken first and held until the session is dropped, so the tags
    /// are read, planned against and written by one writer at a time: a second writer waits,
    /// then plans against the first one's tags (or fails clearly after the lock's timeout).
    /// A `--dry-run` writes nothing, so it takes no lock: a running writer or a stale lock
    /// never blocks it (it plans against the tags as they are now).
    pub fn open_for_write(
        global: &Global,
        scope: Scope<'_>,
        flags: &WriteFlags,
    ) -> Result<Session> {
        let lock = if flags.dry_run {
            None
        } else {
            Some(write_lock(global)?)
        };
        let mut session = Session::open_with(
            global,
            scope,
            Open {
                push: flags.push,
                write: true,
                ..Open::default()
            },
        )?;
        session.lock = lock;
        Ok(session)
    }

    /// Opens with explicit options.
    pub fn open_with(global: &Global, scope: Scope<'_>, how: Open) -> Result<Session> {
        let url = global
            .repo
            .as_deref()
            .and_then(|p| p.to_str())
            .filter(|p| crate::remote::is_url(p));
        let (repo, push) = match url {
            Some(url) => (Repo::open(Some(&crate::remote::mirror(url)?))?, true),
            None => {
                let repo = Repo::open(global.repo.as_deref())?;
                if how.push {
                    crate::remote::fetch_tags(&repo.git_dir(), "origin")?;
                }
                (repo, how.push)
            }
        };
        // From the work tree, else from the default branch's tree (bare, `-C URL`).
        let (config, config_problem) = match Config::load_from(&repo) {
            Ok(c) => (c, None),
            Err(e) if how.tolerate_bad_config => match e.downcast::<crate::error::UserError>() {
                Ok(user) => (Config::default(), Some(user)),
                Err(other) => return Err(other),
            },
            Err(e) => return Err(e),
        };
        let listing = repo.list_tags(match &scope {
            Scope::All => None,
            Scope::Artifact(name) => Some(*name),
        })?;
        // A reader shows the rest around a tag it cannot read; a writer must not plan around
        // it: a corrupt `churn@v1.0.0` would make the next version v0.0.2 and hide v1.0.0.
        if let (true, Some(first)) = (how.write, listing.unreadable.first()) {
            let more = match listing.unreadable.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            return Err(crate::error::UserError::new(format!(
                "{}{more}: nothing was written, since the next version or counter could be wrong",
                first.message.trim_end_matches("; it is ignored")
            ))
            .with_hint(format!(
                "{}; `registry doctor` lists every problem",
                first.fix
            ))
            .into());
        }
        let mut events = Vec::with_capacity(listing.tags.len());
        let mut warnings = listing.unreadable;
        for raw in listing.tags {
            match event_from_raw(raw) {
                Ok(Some(e)) if how.at.is_some_and(|at| e.time.seconds > at) => {}
                Ok(Some(e)) => events.push(e),
                Ok(None) => {}
                Err(w) => warnings.push(w),
            }
        }
        let reg = Registry::build(events, warnings);
        let ctx = Context {
            tag_names: listing.all_names,
            allowed_stages: config.stages.clone(),
        };
        Ok(Session {
            repo,
            config,
            reg,
            ctx,
            lightweight: listing.lightweight,
            refused: listing.refused,
            push,
            config_problem,
            lock: None,
        })
    }

    /// Prints the oddities the registry read around, one line each on stderr.
    pub fn print_warnings(&self, out: &mut Output) -> Result<()> {
        for w in &self.reg.warnings {
            out.warn(&format!("{} (`registry doctor` tells more)", w.message))?;
        }
        Ok(())
    }

    /// Resolves a revision to a commit id.
    pub fn commit(&self, rev: &str) -> Result<String> {
        self.repo.resolve_commit(rev)
    }
}

/// The writers' lock of the repository `-C` names (or the current one): `registry.lock` in its
/// common git directory, or, for a URL, the lock of its mirror in the cache (held for the whole
/// write, so one writer at a time fetches, plans and pushes through a mirror).
pub fn write_lock(global: &Global) -> Result<crate::lock::Lock> {
    let url = global
        .repo
        .as_deref()
        .and_then(|p| p.to_str())
        .filter(|p| crate::remote::is_url(p));
    match url {
        Some(url) => crate::remote::mirror_lock(url),
        None => lock_repo(&Repo::open(global.repo.as_deref())?),
    }
}

/// Takes `registry.lock` in a repository's common git directory.
pub fn lock_repo(repo: &Repo) -> Result<crate::lock::Lock> {
    let dir = repo.common_dir();
    // Components drop the work tree's trailing `/`.
    let shown: std::path::PathBuf = repo.workdir().unwrap_or(&dir).components().collect();
    let what = format!("the registry in {}", shown.display());
    crate::lock::Lock::acquire(&dir.join("registry.lock"), &what)
}

/// `--simple auto|true|false` as clap reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum SimpleArg {
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

/// Flags every write command takes.
#[derive(Debug, Clone, Args)]
pub struct WriteFlags {
    /// Message of the tag (replaces the default first line)
    #[arg(short = 'm', long)]
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
pub fn attach_provenance(
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
/// With push the order is remote-first: each tag's object is written, pushed
/// (`git push origin OID:refs/tags/NAME`), and only then is the local ref created. If a push
/// fails, that tag and the ones after it are not created locally (the earlier ones are on both
/// sides), the remote's tags are fetched again, and the error says why. An interrupted write
/// (Ctrl-C, SIGTERM, SIGKILL) therefore never leaves a local tag the remote lacks: at worst the
/// remote got a tag the next fetch brings.
pub fn write_tags(
    session: &Session,
    out: &mut Output,
    tags: &[NewTag],
    dry_run: bool,
) -> Result<()> {
    // A tag that a future-dated one outranks would be written, reported, and change nothing.
    let now = session
        .repo
        .tagger()
        .map(|t| t.time)
        .unwrap_or_else(|_| crate::registry::time::Timestamp::new(now_seconds(), 0));
    if let Some(refusal) = crate::registry::outranked::outranked(&session.reg, tags, now) {
        return Err(refusal.into());
    }
    if dry_run {
        for tag in tags {
            out.line(&format!(
                "Would create git tag '{}' on commit {}: {}",
                tag.name,
                short(&tag.commit),
                tag.message.lines().next().unwrap_or_default()
            ))?;
        }
        return Ok(());
    }
    let tagger = session.repo.tagger()?;
    if session.push {
        return push_tags(session, out, tags, &tagger);
    }
    let mut created: Vec<&str> = Vec::new();
    for tag in tags {
        if let Err(e) = session
            .repo
            .create_tag(&tag.name, &tag.commit, &tag.message, &tagger)
        {
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

/// The clock, in seconds since the epoch.
fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `write_tags` with push, remote-first (see there).
fn push_tags(
    session: &Session,
    out: &mut Output,
    tags: &[NewTag],
    tagger: &crate::git::Tagger,
) -> Result<()> {
    let repo = &session.repo;
    let mut objects = Vec::with_capacity(tags.len());
    for tag in tags {
        // Refuse a name taken locally before anything goes to the remote.
        if repo.tag_kind(&tag.name)? != crate::git::TagKind::Missing {
            return Err(
                crate::error::UserError::new(format!("tag '{}' already exists", tag.name)).into(),
            );
        }
        objects.push(repo.write_tag_object(&tag.name, &tag.commit, &tag.message, tagger)?);
    }
    for (tag, object) in tags.iter().zip(&objects) {
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
pub fn delete_tags(
    session: &Session,
    out: &mut Output,
    tags: &[String],
    dry_run: bool,
) -> Result<()> {
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
