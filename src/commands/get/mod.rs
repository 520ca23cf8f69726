//! `registry get NAME[@VERSION|#STAGE] [-o PATH] [--force] [--json]`: write a version's
//! registered bytes to disk, exactly as registered. This file picks the version and the source
//! (git, Git LFS, DVC or a virtual artifact's URL) from what the registration recorded, and runs
//! the integrity rule around it: the source writes into a staging path next to `-o`
//! (`stage.rs`), hashing while it writes (`written.rs`); the hashes are checked against the
//! recorded digest (`check.rs`) and only a verified copy is renamed into place.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use super::target::pick_version;
use super::{Global, Scope, Session};
use crate::error::UserError;
use crate::output::{Output, escape};
use crate::provenance;
use crate::registry::spec::Target;
use crate::registry::trailer::{DigestSource, Provenance};
use crate::registry::version::short;

mod check;
mod dvc;
mod git_source;
mod lfs;
mod stage;
mod url;
mod written;

use written::Written;

const EXAMPLES: &str = "\
Examples:
  registry get churn#prod                       # the prod version, to ./<file name> (as dvc get)
  registry get churn@v1.2.0 -o /srv/model.pkl   # a given version, to a given path
  registry get churn#prod -o ./model --force    # replace ./model once the new copy is verified
  registry -C https://github.com/acme/models get churn#prod --json   # no clone needed

The bytes are checked against the digest the registration recorded while they are written, into
a temporary name next to -o (.NAME.registry-get-…), renamed into place only when they match.";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub(crate) struct GetArgs {
    /// NAME (latest version), NAME@vX.Y.Z, NAME@latest or NAME#STAGE
    pub target: Target,
    /// Where to write (default: the last component of the artifact's path, in the current
    /// directory)
    #[arg(short = 'o', long = "out", value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Replace an existing -o (only after the new copy is verified)
    #[arg(long)]
    pub force: bool,
    /// Print what was written as JSON
    #[arg(long)]
    pub json: bool,
}

/// `--json`: what was written.
#[derive(Debug, Serialize)]
struct GotView {
    path: String,
    digest: Option<String>,
    source: &'static str,
    version: String,
    commit: String,
    name: String,
    verified: bool,
}

/// Where the bytes come from, chosen before anything is written.
enum Plan {
    Url(String),
    Dvc(String),
    Git(String),
}

pub(crate) fn run(global: &Global, args: GetArgs, out: &mut Output) -> Result<()> {
    let name = &args.target.name;
    let session = Session::open(global, Scope::Artifact(name))?;
    let version = pick_version(&session, name, args.target.pick.as_ref())?;
    let label = version.label.as_str();
    let commit = version.commit.clone();
    let what = format!("{name} {label}");
    let recorded = version.provenance();
    let plan = plan(&session, name, &commit, recorded.as_ref(), &what)?;
    let target = match &args.out {
        Some(p) => p.clone(),
        None => default_out(&plan, &what)?,
    };
    let shown = escape(&target.display().to_string()).into_owned();
    // Refused before any byte is fetched; checked again when the copy is placed.
    if stage::exists(&target) && !args.force {
        return Err(stage::exists_error(&shown).into());
    }
    let staged = stage::Stage::new(&target)?;
    let mut pinned: Option<Provenance> = None;
    let (written, source, as_in_git) = match &plan {
        Plan::Url(u) => (url::fetch(u, staged.path())?, "url", None),
        Plan::Dvc(rel) => {
            let w;
            (w, pinned) = dvc_fetch(
                &session,
                global,
                &commit,
                rel,
                recorded.as_ref(),
                staged.path(),
            )?;
            (w, "dvc", None)
        }
        Plan::Git(rel) => match git_source::fetch(
            &session.repo,
            &commit,
            rel,
            staged.path(),
            check::wanted(recorded.as_ref()),
            &|listing| check::listing(recorded.as_ref(), listing, &what),
        )? {
            git_source::GitFetch::Written {
                written,
                lfs,
                as_in_git,
            } => (written, if lfs { "lfs" } else { "git" }, as_in_git),
            git_source::GitFetch::NotInGit { rel } => {
                let workdir = session.repo.workdir();
                if crate::dvc_track::tracked_at(&session.repo, &commit, &rel, workdir)?.is_none() {
                    return Err(not_in_git(&rel, &commit, &what, recorded.as_ref()).into());
                }
                let w;
                (w, pinned) = dvc_fetch(
                    &session,
                    global,
                    &commit,
                    &rel,
                    recorded.as_ref(),
                    staged.path(),
                )?;
                (w, "dvc", None)
            }
        },
    };
    let from_record = pinned.is_some();
    let recorded = recorded.or(pinned);
    let verified = if let Some(r) = &recorded {
        if let Err(mismatch) = check::check(r, &written, &what) {
            // A digest of git's own bytes (LFS pointers) vouches for objects that matched them.
            match &as_in_git {
                Some(pointers) if check::check(r, pointers, &what).is_ok() => {}
                _ => return Err(mismatch.into()),
            }
        }
        true
    } else {
        out.warn(&format!(
            "{what} records no digest, so the bytes written to '{shown}' could not be checked"
        ))?;
        false
    };
    staged.place(args.force)?;
    if args.json {
        out.json(&GotView {
            path: target.display().to_string(),
            digest: recorded.as_ref().map(|r| r.digest.clone()),
            source,
            version: label.to_string(),
            commit: commit.clone(),
            name: name.to_string(),
            verified,
        })?;
        return Ok(());
    }
    let checked = match &recorded {
        Some(r) => {
            let mut d = escape(&r.digest).into_owned();
            if let Some(sha) = r.sha256.as_deref().filter(|s| *s != r.digest) {
                d.push_str(&format!(" and {}", escape(sha)));
            }
            if from_record {
                format!("{d} (from the commit's DVC record) verified")
            } else {
                format!("{d} verified")
            }
        }
        None => "not verified (no digest recorded)".to_string(),
    };
    let files = match &written {
        Written::File(_) => String::new(),
        Written::Dir(files) => format!(
            " ({} file{})",
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        ),
    };
    out.line(&format!(
        "Wrote {what} (commit {}) to {shown}{files}: {checked}",
        short(&commit)
    ))?;
    Ok(())
}

/// The DVC source, with the URL of a `-C URL` session. A tag that records no digest (GTO's) of
/// bytes DVC tracks is held to the md5 of the commit's own `.dvc` or `dvc.lock`, which pins
/// them as firmly as a git blob (DVC does not check what its remote serves): that expectation
/// is returned beside what was written.
fn dvc_fetch(
    session: &Session,
    global: &Global,
    commit: &str,
    rel: &str,
    recorded: Option<&Provenance>,
    into: &Path,
) -> Result<(Written, Option<Provenance>)> {
    let pinned = match recorded {
        Some(_) => None,
        None => dvc::identity(&session.repo, commit, rel, None)?.map(|md5| Provenance {
            path: rel.to_string(),
            digest: format!("md5:{md5}"),
            source: DigestSource::Dvc,
            manifest: None,
            sha256: None,
            dvc: None,
        }),
    };
    let expected = recorded.or(pinned.as_ref());
    let written = dvc::fetch(&session.repo, global.url(), commit, rel, expected, into)?;
    Ok((written, pinned))
}

/// Chooses the source from the registration's record, else the declaration at the commit.
fn plan(
    session: &Session,
    name: &crate::registry::name::ArtifactName,
    commit: &str,
    recorded: Option<&Provenance>,
    what: &str,
) -> Result<Plan> {
    let recorded_path = recorded.map(|r| r.path.clone()).filter(|p| !p.is_empty());
    if let Some(r) = recorded
        && r.source == DigestSource::Given
    {
        return match recorded_path {
            Some(p) if p.contains("://") => Ok(Plan::Url(p)),
            Some(p) => Err(UserError::new(format!(
                "{what} is a virtual artifact whose path '{}' is no URL to download",
                escape(&p)
            ))
            .with_hint("`registry get` downloads http(s)://, file:// and cloud URLs; copy other locations yourself and check them with `registry verify --path`")
            .into()),
            None => Err(UserError::new(format!(
                "{what} is a virtual artifact that records no URL to download"
            ))
            .into()),
        };
    }
    let path = match recorded_path {
        Some(p) => p,
        None => provenance::entry_at(&session.repo, commit, name)?
            .and_then(|e| e.path)
            .ok_or_else(|| {
                UserError::new(format!(
                    "{what} has no path: neither its registration nor its declaration at commit {} names one",
                    short(commit)
                ))
                .with_hint("declare a `path` for the artifact in dvc.yaml or artifacts.yaml")
            })?,
    };
    if recorded.is_none() && path.contains("://") {
        return Ok(Plan::Url(path));
    }
    let rel = provenance::repo_relative(name, &path)?;
    Ok(match recorded.map(|r| &r.source) {
        Some(DigestSource::Dvc) => Plan::Dvc(rel),
        _ => Plan::Git(rel),
    })
}

/// `-o` by default: the last component of the artifact's path (or URL), in the current
/// directory, as `dvc get` names its output.
fn default_out(plan: &Plan, what: &str) -> Result<PathBuf> {
    let last = match plan {
        Plan::Git(rel) | Plan::Dvc(rel) => rel.rsplit('/').next().unwrap_or_default(),
        Plan::Url(u) => {
            let path = u.split(['?', '#']).next().unwrap_or_default();
            let after_host = path.split_once("://").map_or(path, |(_, r)| r);
            match after_host.split_once('/') {
                Some((_, p)) => p
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or_default(),
                None => "",
            }
        }
    };
    if last.is_empty() || last == "." || last == ".." || last.contains('\\') {
        return Err(UserError::new(format!(
            "cannot tell a file name for {what} from its path; give one with -o"
        ))
        .into());
    }
    // A hidden name (`.git`, `.envrc`, `.bashrc`) written into the current directory by default
    // could change what runs there next: only an explicit -o writes one.
    if last.starts_with('.') {
        return Err(UserError::new(format!(
            "the path of {what} ends in the hidden name '{}', which get does not write into the current directory by default",
            crate::output::escape(last)
        ))
        .with_hint("give the place to write it with -o")
        .into());
    }
    Ok(PathBuf::from(last))
}

/// Nothing at the path in git, and no DVC record of it: bytes registered from a work tree.
fn not_in_git(rel: &str, commit: &str, what: &str, recorded: Option<&Provenance>) -> UserError {
    let from_worktree = recorded.is_some_and(|r| r.source == DigestSource::Worktree);
    let why = if from_worktree {
        "its bytes were registered from a work tree, and git does not hold them"
    } else {
        "git holds nothing there, and no DVC record names it"
    };
    UserError::new(format!(
        "'{}' of {what} is not in git at commit {}: {why}",
        escape(rel),
        short(commit)
    ))
    .with_hint(
        "copy the bytes from where they are kept and check them with `registry verify --path`",
    )
}
