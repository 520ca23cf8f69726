//! `registry check-ref REF`: what a registry tag means, for CI (reference §5.6).
//!
//! A ref that is not a registry tag prints nothing and exits 0: CI jobs run on every push and
//! rely on it. A name shaped like a registry tag that is not in the repository is an error
//! (GTO §14 B13 prints nothing): in CI it means the tags were not fetched, and a silent "no event"
//! there would skip a deploy.
//!
//! `--format github|gitlab` hands the same facts to later CI steps as step outputs; the encoding
//! lives in `ci_outputs.rs`.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{ArgGroup, Args, ValueEnum};

use super::{Scope, Session};
use crate::ci_outputs::{self, Outputs};
use crate::cli::Global;
use crate::config::Config;
use crate::error::{UsageError, UserError};
use crate::json;
use crate::output::Output;
use crate::provenance;
use crate::registry::event::{Event, EventKind};
use crate::registry::policy;
use crate::registry::tag::{TagAction, TagName};

const EXAMPLES: &str = "\
Examples:
  registry check-ref churn@v1.2.0               # Version \"v1.2.0\" of artifact \"churn\" was registered
  registry check-ref refs/tags/churn#prod#3 --event
  registry check-ref \"$GITHUB_REF\" --policy --policy-from origin/main --format github  # reject tags that break main's policy
  registry check-ref \"$GITHUB_REF\" --json       # empty output for a non-registry ref
  registry check-ref \"$GITHUB_REF\" --format github     # step outputs, to $GITHUB_OUTPUT
  registry check-ref \"$CI_COMMIT_TAG\" --format gitlab  # dotenv report registry.env";

/// The default dotenv file of `--format gitlab`.
const DOTENV_FILE: &str = "registry.env";

/// Where `--format` writes CI step outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CiFormat {
    /// Append to the file named by $GITHUB_OUTPUT (GitHub Actions step outputs)
    Github,
    /// Write a dotenv file for `artifacts: reports: dotenv:` (GitLab CI)
    Gitlab,
}

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
#[command(group(ArgGroup::new("what").args(["json", "name", "version", "stage", "event", "format"])))]
pub struct CheckRefArgs {
    /// Tag name, or refs/tags/NAME
    pub r#ref: String,
    /// Print JSON (GTO's shape)
    #[arg(long)]
    pub json: bool,
    /// Print the artifact name
    #[arg(long)]
    pub name: bool,
    /// Print the version
    #[arg(long)]
    pub version: bool,
    /// Print the stage (assignments and unassignments)
    #[arg(long)]
    pub stage: bool,
    /// Print the event: registration, deregistration, assignment, unassignment or deprecation
    #[arg(long)]
    pub event: bool,
    /// Write CI step outputs (name, version, stage, event, type, path, description) and print the
    /// sentence; nothing is written for a ref that is not a registry tag
    #[arg(long, value_enum, value_name = "CI")]
    pub format: Option<CiFormat>,
    /// The dotenv file `--format gitlab` writes, from the current directory [default: registry.env]
    #[arg(long, value_name = "FILE", requires = "format")]
    pub output: Option<PathBuf>,
    /// With --format gitlab: prefix the dotenv keys, upper-cased (`REGISTRY_` gives
    /// REGISTRY_NAME, REGISTRY_PATH, …); on Windows runners a bare `path` would be `PATH`
    #[arg(long, value_name = "PREFIX", requires = "format")]
    pub prefix: Option<String>,
    /// Exit 1, before any output, when the tag breaks the policy of .registry.yaml
    /// (promotion_order, require_digest), so a CI job can reject it. The policy is read from the
    /// default branch (a symbolic origin/HEAD as `git clone` sets it, else the branch HEAD
    /// names), never from the tag's own commit, which whoever pushes the tag chooses
    #[arg(long)]
    pub policy: bool,
    /// With --policy: read .registry.yaml and .gto from this branch (e.g. `origin/main`) or full
    /// commit id instead of the default branch
    #[arg(long, value_name = "REV", requires = "policy")]
    pub policy_from: Option<String>,
}

/// GTO's sentence for an event (reference §5.6).
fn sentence(e: &Event, version: &str) -> String {
    let a = &e.artifact;
    let s = e.stage.as_ref().map(|s| s.to_string()).unwrap_or_default();
    match e.kind {
        EventKind::Registration => {
            format!("Version \"{version}\" of artifact \"{a}\" was registered")
        }
        EventKind::Deregistration => {
            format!("Version \"{version}\" of artifact \"{a}\" was deregistered")
        }
        EventKind::Assignment => {
            format!("Stage \"{s}\" was assigned to version \"{version}\" of artifact \"{a}\"")
        }
        EventKind::Unassignment => {
            format!("Stage \"{s}\" was unassigned from version \"{version}\" of artifact \"{a}\"")
        }
        EventKind::Deprecation => format!("Artifact \"{a}\" was deprecated"),
    }
}

pub fn run(global: &Global, args: CheckRefArgs, out: &mut Output) -> Result<()> {
    if args.format == Some(CiFormat::Github) && args.prefix.is_some() {
        return Err(UsageError(
            "--prefix is for --format gitlab; GitHub step outputs have their own namespace".into(),
        )
        .into());
    }
    if let Some(p) = &args.prefix {
        if p.is_empty()
            || !p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            || p.as_bytes()[0].is_ascii_digit()
        {
            return Err(UsageError(format!(
                "--prefix '{p}' must be letters, digits and '_', not starting with a digit"
            ))
            .into());
        }
    }
    if args.format == Some(CiFormat::Github) && args.output.is_some() {
        return Err(UsageError(
            "--output is for --format gitlab; --format github appends to the file named by $GITHUB_OUTPUT".into(),
        )
        .into());
    }
    // A full ref name outside `refs/tags/` (`refs/heads/fix#42`, `refs/remotes/…`,
    // `refs/pull/…`) is a branch or another ref, never a tag: nothing to say, as for any
    // non-registry ref, however registry-like the rest of it looks.
    let name = match args.r#ref.strip_prefix("refs/tags/") {
        Some(tag) => tag,
        None if args.r#ref.starts_with("refs/") => return Ok(()),
        None => &args.r#ref,
    };
    let Some(parsed) = TagName::parse(name) else {
        return Ok(()); // not a registry tag: nothing to say, and success
    };
    let session = Session::open(global, Scope::Artifact(&parsed.artifact))?;
    session.print_warnings(out)?;
    match session.repo.tag_kind(name)? {
        crate::git::TagKind::Missing => {
            return Err(
                UserError::new(format!("tag '{name}' is not found in this repository"))
                    .with_hint(
                        "fetch the tags first (`git fetch --tags`; a shallow CI checkout has none)",
                    )
                    .into(),
            )
        }
        crate::git::TagKind::Lightweight => {
            out.warn(&format!(
                "tag '{name}' is a lightweight tag; registry tags must be annotated (`git tag -a`), so it means nothing"
            ))?;
            return Ok(());
        }
        crate::git::TagKind::Annotated => {}
    }
    if parsed.action == TagAction::Created {
        return Ok(()); // warned about above; records nothing (GTO §14 B1)
    }
    let Some(artifact) = session.reg.artifact(&parsed.artifact) else {
        return Ok(());
    };
    let events = artifact.events_with_versions();
    let Some((event, version)) = events.iter().find(|(e, _)| e.tag == name) else {
        return Ok(()); // e.g. a tag on a tree: warned about above
    };
    let version = version.unwrap_or_default();
    if args.policy {
        let config = trusted_config(&session.repo, args.policy_from.as_deref())?;
        if let Some(v) = policy::check_event(
            &session.reg,
            event,
            Some(version),
            config.promotion_order.as_deref(),
            config.require_digest,
        ) {
            return Err(UserError::new(format!("policy: {}", v.message))
                .with_hint(v.fix)
                .into());
        }
    }
    if let Some(format) = args.format {
        let outputs = outputs_of(&session, event, version)?;
        match format {
            CiFormat::Github => write_github(&outputs)?,
            CiFormat::Gitlab => {
                let file = args.output.as_deref().unwrap_or(Path::new(DOTENV_FILE));
                write_gitlab(&outputs, file, args.prefix.as_deref(), out)?;
            }
        }
        out.line(&sentence(event, version))?;
    } else if args.json {
        out.json(&json::check_ref_json(event, Some(version)))?;
    } else if args.name {
        out.line(event.artifact.as_str())?;
    } else if args.version {
        if event.kind != EventKind::Deprecation {
            out.line(version)?;
        }
    } else if args.stage {
        if let Some(s) = &event.stage {
            out.line(s.as_str())?;
        }
    } else if args.event {
        out.line(event.kind.as_str())?;
    } else {
        out.line(&sentence(event, version))?;
    }
    Ok(())
}

/// The config whose policy `--policy` enforces. Not the work tree's: in CI that is the pushed
/// tag's own commit, so whoever pushes the tag would choose the policy it is checked against
/// (drop `promotion_order` in the tag's commit, and any promotion passes). Trusted, in order:
/// the revision `--policy-from` names; origin's default branch as fetched
/// (`refs/remotes/origin/HEAD`, else `origin/main`, else `origin/master`); the branch HEAD
/// names when HEAD is not detached (a developer's own checkout, a bare repository, the mirror
/// of `-C URL`). Without any of them (a CI checkout detached at the tag, no branch fetched) it
/// fails rather than trust the tag's commit.
fn trusted_config(repo: &crate::git::Repo, from: Option<&str>) -> Result<Config> {
    if let Some(rev) = from {
        return Config::load_at(repo, &policy_commit(repo, rev)?, &format!("'{rev}'"));
    }
    // origin's default branch, as `git clone` (or `git remote set-head origin --auto`) records
    // it: only a *symbolic* origin/HEAD counts. A pushed branch named `HEAD` arrives as a direct
    // ref of that name, and guessing `origin/main` or `origin/master` would let whoever can push
    // a branch of that name pick the policy where the default branch is called otherwise.
    if let Some(branch) = repo.symbolic_ref("refs/remotes/origin/HEAD") {
        if branch.starts_with("refs/remotes/origin/") {
            if let Some(crate::git::RefTarget { name, commit }) = repo.ref_target(&branch) {
                let shown = name.strip_prefix("refs/remotes/").unwrap_or(&name);
                return Config::load_at(repo, &commit, &format!("'{shown}'"));
            }
        }
    }
    // The branch HEAD names (a checkout of a branch, a bare repository, a `-C URL` mirror):
    // never refs/remotes/*, which anyone who can push a ref to a bare repository can create.
    if repo.head_branch().is_some() {
        if let Some((commit, place)) = crate::config::default_tree(repo)? {
            return Config::load_at(repo, &commit, &place);
        }
    }
    Err(UserError::new(
        "--policy found no branch to read the policy from: HEAD is detached (as in a CI checkout of the tag) and origin's default branch is not known (no origin/HEAD as `git clone` sets it); the tag's own commit is not trusted, since whoever pushes the tag chooses what it holds",
    )
    .with_hint(
        "name the default branch: `--policy-from origin/main` (fetched with `git fetch origin +refs/heads/main:refs/remotes/origin/main`), or record it with `git remote set-head origin --auto`",
    )
    .into())
}

/// The commit `--policy-from REV` names: a full commit id, or a branch. git's own lookup tries
/// tags before remote-tracking branches, so with the tags fetched a pushed tag named
/// `origin/main` would win over the branch and bring its own policy: a name is looked up as
/// `refs/remotes/REV`, then `refs/heads/REV`; a name that is only a tag is refused (a tag is
/// whatever its pusher chose). A full id comes first (a pushed branch may be named like one),
/// and revision suffixes (`origin/main~0`, `^{commit}`, `@{0}`) are refused: through them git
/// would look the name up as a tag first again.
fn policy_commit(repo: &crate::git::Repo, rev: &str) -> Result<String> {
    if rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()) {
        return repo.resolve_commit(rev);
    }
    let hex = rev.bytes().all(|b| b.is_ascii_hexdigit());
    if rev.contains(['~', '^', '@', ':', '{']) || hex {
        return Err(UserError::new(format!(
            "--policy-from '{rev}' is not a branch or a full commit id (an abbreviated id may be a pushed branch's name)"
        ))
        .with_hint("name the branch itself (`--policy-from origin/main`) or a 40-character commit id")
        .into());
    }
    if rev.starts_with("refs/") {
        if let Some(crate::git::RefTarget { commit, .. }) = repo.ref_target(rev) {
            return Ok(commit);
        }
    }
    for full in [format!("refs/remotes/{rev}"), format!("refs/heads/{rev}")] {
        if let Some(crate::git::RefTarget { commit, .. }) = repo.ref_target(&full) {
            return Ok(commit);
        }
    }
    let tag = rev.strip_prefix("refs/tags/").unwrap_or(rev);
    if repo.ref_target(&format!("refs/tags/{tag}")).is_some() {
        return Err(UserError::new(format!(
            "--policy-from '{rev}' names a tag, not a branch: a tag holds whatever its pusher chose, so its policy is not trusted"
        ))
        .with_hint(
            "name a branch (`--policy-from origin/main`, fetched with `git fetch origin +refs/heads/main:refs/remotes/origin/main`) or a commit id",
        )
        .into());
    }
    Err(UserError::new(format!(
        "--policy-from '{rev}' is no branch here (neither refs/remotes/{rev} nor refs/heads/{rev})"
    ))
    .with_hint("fetch it first (`git fetch origin +refs/heads/main:refs/remotes/origin/main`), or give a full commit id")
    .into())
}

/// The step outputs of one event: the tag's facts, and `type`, `path` and `description` from the
/// artifact's artifacts.yaml entry at the tag's commit (empty when it declares none). An entry
/// that cannot be read (a damaged commit, a broken artifacts.yaml) is an error, and nothing is
/// written: empty outputs would read as "declares nothing", and a deploy would go on without its
/// path.
fn outputs_of(session: &Session, event: &Event, version: &str) -> Result<Outputs> {
    let entry =
        provenance::entry_at(&session.repo, &event.commit, &event.artifact).map_err(|e| {
            // A cause that knows its fix (a damaged object: which file to remove, what to fetch)
            // keeps it as the hint.
            let hint = e
                .chain()
                .find_map(|c| c.downcast_ref::<UserError>().and_then(|u| u.hint.clone()))
                .unwrap_or_else(|| {
                    "`registry doctor` tells more; fix or fetch the commit, then run again".into()
                });
            let why: Vec<String> = e.chain().map(crate::git::plain_cause).collect();
            anyhow::Error::from(
                UserError::new(format!(
                    "cannot read the artifacts.yaml entry of '{}' at {}: {}; no outputs were written",
                    event.artifact,
                    &event.commit[..event.commit.len().min(7)],
                    why.join(": "),
                ))
                .with_hint(hint),
            )
        })?;
    let (kind, path, description) = entry
        .map(|e| (e.kind, e.path, e.description))
        .unwrap_or_default();
    Ok(Outputs {
        name: event.artifact.to_string(),
        version: if event.kind == EventKind::Deprecation {
            String::new()
        } else {
            version.to_string()
        },
        stage: event
            .stage
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_default(),
        event: event.kind.as_str().to_string(),
        kind: kind.unwrap_or_default(),
        path: path.unwrap_or_default(),
        description: description.unwrap_or_default(),
    })
}

/// A random number from the standard library's per-process hash keys (no extra crate).
fn random_u64() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    h.write_u32(std::process::id());
    h.finish()
}

/// Appends the outputs to the file named by `$GITHUB_OUTPUT`, in one write. It must be a regular
/// file (GitHub's runner creates one): it is checked before it is opened, opened non-blocking
/// (a FIFO without a reader then fails at once instead of hanging), and checked again once open.
fn write_github(outputs: &Outputs) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let file = std::env::var_os("GITHUB_OUTPUT").filter(|f| !f.is_empty());
    let Some(file) = file else {
        return Err(UserError::new(
            "GITHUB_OUTPUT is not set: --format github appends step outputs to the file it names",
        )
        .with_hint(
            "run it in a GitHub Actions step; elsewhere set GITHUB_OUTPUT=FILE, or use --json",
        )
        .into());
    };
    let delimiter = ci_outputs::github_delimiter(outputs, random_u64);
    let text = ci_outputs::github(outputs, &delimiter);
    let path = Path::new(&file);
    let not_regular = |meta: &std::fs::Metadata| {
        anyhow::Error::from(
            UserError::new(format!(
                "$GITHUB_OUTPUT ({}) is {}, not a regular file: nothing was written",
                path.display(),
                crate::file_kind::describe(&meta.file_type())
            ))
            .with_hint("point GITHUB_OUTPUT at a regular file (GitHub Actions sets it to one)"),
        )
    };
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => return Err(not_regular(&meta)),
        _ => {}
    }
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .with_context(|| format!("cannot open $GITHUB_OUTPUT ({})", path.display()))?;
    let meta = f
        .metadata()
        .with_context(|| format!("cannot open $GITHUB_OUTPUT ({})", path.display()))?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write to $GITHUB_OUTPUT ({})", path.display()))
}

/// Writes (replaces) the dotenv report.
fn write_gitlab(
    outputs: &Outputs,
    file: &Path,
    prefix: Option<&str>,
    out: &mut Output,
) -> Result<()> {
    let report = ci_outputs::dotenv(outputs, prefix);
    for key in &report.truncated {
        out.warn(&format!(
            "{key} is longer than {} bytes and was shortened (GitLab refuses large dotenv reports)",
            ci_outputs::DOTENV_VALUE_MAX
        ))?;
    }
    replace_file(file, report.text.as_bytes())
}

/// Replaces `file` with `bytes`: written to a new temporary file in the same directory, then
/// renamed over it. A rename replaces a symbolic link instead of following it, so a committed
/// `registry.env -> /home/ci/.bashrc` is replaced by the report and its target stays untouched;
/// and a reader never sees half a report. An existing FIFO, directory, device or socket is
/// refused (nothing opened, nothing written).
fn replace_file(file: &Path, bytes: &[u8]) -> Result<()> {
    let shown = || file.display().to_string();
    match file.symlink_metadata() {
        Ok(meta) if meta.is_file() || meta.file_type().is_symlink() => {}
        Ok(meta) => {
            return Err(UserError::new(format!(
                "{} is {}, not a regular file: refusing to replace it, nothing was written",
                shown(),
                crate::file_kind::describe(&meta.file_type())
            ))
            .with_hint("remove it, or name another file with --output")
            .into())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot write {}", shown())),
    }
    let Some(name) = file.file_name() else {
        return Err(UserError::new(format!("--output {} names no file", shown())).into());
    };
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".{}.{:016x}.tmp", std::process::id(), random_u64()));
    let temp = dir.join(temp_name);
    let written = (|| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&temp, file)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(e).with_context(|| format!("cannot write {}", shown()));
    }
    Ok(())
}
