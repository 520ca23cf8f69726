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
use crate::registry::tag::{shell_quote, TagName};

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
    pub fn open_for_write(global: &Global, scope: Scope<'_>, push: bool) -> Result<Session> {
        Session::open_with(
            global,
            scope,
            Open {
                push,
                ..Open::default()
            },
        )
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
        let (config, config_problem) = match Config::load(repo.workdir()) {
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
    /// remote's); if the push fails, the local tag is deleted again
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
/// again, so a command never leaves half its work behind. With push, each tag is pushed in
/// order; if a push fails, that tag and the ones after it are deleted locally (the earlier ones
/// are on the remote), the remote's tags are fetched again, and the error says why: local and
/// remote never drift apart.
pub fn write_tags(
    session: &Session,
    out: &mut Output,
    tags: &[NewTag],
    dry_run: bool,
) -> Result<()> {
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
    for (i, tag) in tags.iter().enumerate() {
        out.line(&created_line(tag))?;
        if !session.push {
            push_hint(out, &tag.name, false)?;
            continue;
        }
        out.line(&format!("Running `git push origin {}`", tag.name))?;
        if let Err(e) = crate::remote::push_tag(&session.repo.git_dir(), "origin", &tag.name, false)
        {
            for later in tags[i..].iter().rev() {
                let _ = session.repo.delete_tag(&later.name);
            }
            // Resync, so the next attempt plans against what the remote now holds.
            let _ = crate::remote::fetch_tags(&session.repo.git_dir(), "origin");
            return Err(e
                .with_hint(format!(
                    "the local tag '{}' was deleted again; fetch and retry (`registry` plans against the remote's tags with --push)",
                    tag.name
                ))
                .into());
        }
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
