//! Opening the registry: the global flags every command takes, and the session they open (the
//! repository, its config and the registry state folded from its tags, under the writers' lock
//! for a write).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::WriteFlags;
use crate::config::Config;
use crate::git::Repo;
use crate::output::Output;
use crate::registry::event::event_from_raw;
use crate::registry::name::ArtifactName;
use crate::registry::plan::Context;
use crate::registry::spec::When;
use crate::registry::state::Registry;

/// Flags every command takes.
#[derive(Debug, Clone, Args)]
pub(crate) struct Global {
    /// Repository to use (default: the one containing the current directory)
    #[arg(
        short = 'C',
        long = "repo",
        short_alias = 'r',
        global = true,
        value_name = "PATH"
    )]
    pub repo: Option<PathBuf>,
}

impl Global {
    /// The URL `-C` names, if it names one rather than a path (then the registry is read
    /// through the URL's cached mirror).
    pub(crate) fn url(&self) -> Option<&str> {
        self.repo
            .as_deref()
            .and_then(|p| p.to_str())
            .filter(|p| crate::remote::is_url(p))
    }
}

/// An opened repository with its registry state.
pub(crate) struct Session {
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
#[derive(Debug, Clone, Default)]
pub(crate) struct Open {
    /// Fetch `origin`'s tags first and push what is written (implied for a URL).
    pub push: bool,
    /// Keep a broken config as `config_problem` instead of failing (`doctor`).
    pub tolerate_bad_config: bool,
    /// Only events tagged at or before this moment count (`show --at`). A revision is read in
    /// the session's repository: for `-C URL`, the URL's mirror.
    pub at: Option<When>,
    /// Opened to write: a tag in scope that cannot be read is an error, not a warning.
    pub write: bool,
}

/// Which tags a session reads: all, or one artifact's (the others' tag objects are never read).
pub(crate) enum Scope<'a> {
    All,
    Artifact(&'a ArtifactName),
}

impl Session {
    /// Opens the repository (a local path, or the cached mirror of a URL) and folds its tags.
    pub(crate) fn open(global: &Global, scope: Scope<'_>) -> Result<Session> {
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
    pub(crate) fn open_for_write(
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
    pub(crate) fn open_with(global: &Global, scope: Scope<'_>, how: Open) -> Result<Session> {
        let url = global.url();
        let (repo, push) = if let Some(url) = url {
            (Repo::open(Some(&crate::remote::mirror(url)?))?, true)
        } else {
            let repo = Repo::open(global.repo.as_deref())?;
            if how.push {
                crate::remote::fetch_tags(&repo.git_dir(), "origin")?;
            }
            (repo, how.push)
        };
        let at = match &how.at {
            None => None,
            Some(When::Time(seconds)) => Some(*seconds),
            Some(When::Revision(rev)) => Some(revision_time(&repo, rev)?),
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
                Ok(Some(e)) if at.is_some_and(|at| e.time.seconds > at) => {}
                Ok(Some(e)) => events.push(e),
                Ok(None) => {}
                Err(unusable) => warnings.push(unusable.into()),
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
    pub(crate) fn print_warnings(&self, out: &mut Output) -> Result<()> {
        for w in &self.reg.warnings {
            out.warn(&format!("{} (`registry doctor` tells more)", w.message))?;
        }
        Ok(())
    }

    /// Resolves a revision to a commit id.
    pub(crate) fn commit(&self, rev: &str) -> Result<String> {
        self.repo.resolve_commit(rev)
    }
}

/// `--at REV`: the commit time of a revision.
fn revision_time(repo: &Repo, rev: &str) -> Result<i64> {
    repo.commit_time(rev).map_err(|e| {
        // A revision that exists but cannot be read (a damaged commit) says so; only an
        // unknown one is "neither a date nor a revision".
        let unknown = e
            .downcast_ref::<crate::error::UserError>()
            .is_some_and(|u| u.message.starts_with("unknown revision"));
        if !unknown {
            return e;
        }
        crate::error::UserError::new(format!("--at '{rev}' is neither a date nor a revision"))
            .with_hint("use 2026-03-01, '2026-03-01 12:00:00 +0100', or a commit, tag or branch")
            .into()
    })
}

/// The writers' lock of the repository `-C` names (or the current one): `registry.lock` in its
/// common git directory, or, for a URL, the lock of its mirror in the cache (held for the whole
/// write, so one writer at a time fetches, plans and pushes through a mirror).
pub(crate) fn write_lock(global: &Global) -> Result<crate::lock::Lock> {
    let url = global.url();
    match url {
        Some(url) => crate::remote::mirror_lock(url),
        None => lock_repo(&Repo::open(global.repo.as_deref())?),
    }
}

/// Takes `registry.lock` in a repository's common git directory.
pub(crate) fn lock_repo(repo: &Repo) -> Result<crate::lock::Lock> {
    let dir = repo.common_dir();
    // Components drop the work tree's trailing `/`.
    let shown: std::path::PathBuf = repo.workdir().unwrap_or(&dir).components().collect();
    let what = format!("the registry in {}", shown.display());
    crate::lock::Lock::acquire(&dir.join("registry.lock"), &what)
}
