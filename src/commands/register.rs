//! `registry register NAME [REF]`: register a version at a commit (reference §5.1).

use anyhow::Result;
use clap::Args;

use super::{Scope, Session, WriteFlags, apply, attach_provenance};
use crate::artifacts::Entry;
use crate::commands::Global;
use crate::output::{Output, escape};
use crate::registry::metrics::{self, Value};
use crate::registry::name::ArtifactName;
use crate::registry::plan::{self, Change, Register};
use crate::registry::spec::Digest;
use crate::registry::version::{Bump, VersionName};

const EXAMPLES: &str = "\
Examples:
  registry register churn                    # HEAD becomes the next patch version (v0.0.1 first)
  registry register churn --bump-minor       # v1.2.3 -> v1.3.0
  registry register churn abc1234 --version v2.0.0
  registry register models:resnet            # monorepo artifact: tag models=resnet@v0.0.1
  registry register churn --metric eval.auc=0.913 --metric latency_ms=41
                                             # record scores the commit does not hold";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub(crate) struct RegisterArgs {
    /// Artifact name (`name`, or `dir:name` in a monorepo)
    pub name: ArtifactName,
    /// Commit to register (branch, tag or commit id)
    #[arg(default_value = "HEAD")]
    pub r#ref: String,
    /// Version to register, e.g. v1.2.0 (default: bump the highest version)
    #[arg(long, visible_alias = "ver")]
    pub version: Option<VersionName>,
    /// Bump the major part
    #[arg(long)]
    pub bump_major: bool,
    /// Bump the minor part
    #[arg(long)]
    pub bump_minor: bool,
    /// Bump the patch part (the default)
    #[arg(long)]
    pub bump_patch: bool,
    /// Digest to record for a virtual artifact: sha256:HEX
    #[arg(long, value_name = "sha256:HEX")]
    pub digest: Option<Digest>,
    /// A metric to record with the version, beside those its metrics files hold at REF (this
    /// value wins); repeatable. Numbers stay numbers: eval.auc=0.913, latency_ms=41
    #[arg(long = "metric", value_name = "KEY=VALUE", value_parser = parse_metric)]
    pub metrics: Vec<(String, Value)>,
    #[command(flatten)]
    pub write: WriteFlags,
}

pub(crate) fn run(global: &Global, args: RegisterArgs, out: &mut Output) -> Result<()> {
    let session = Session::open_for_write(global, Scope::Artifact(&args.name), &args.write)?;
    session.print_warnings(out)?;
    let commit = session.commit(&args.r#ref)?;
    // The declaration, read once for both checks; a file that does not parse is reported, with
    // its line, where the registration's provenance is read.
    let read = crate::provenance::entry_at(&session.repo, &commit, &args.name).ok();
    if matches!(read, Some(None)) {
        undeclared_hint(&session, &args.name, &commit, out)?;
    }
    if let (Some(digest), Some(Some(entry))) = (&args.digest, &read) {
        given_digest_is_for_virtual(&args.name, entry, digest)?;
    }
    let bumps = [
        (args.bump_major, Bump::Major),
        (args.bump_minor, Bump::Minor),
        (args.bump_patch, Bump::Patch),
    ]
    .into_iter()
    .filter_map(|(on, b)| on.then_some(b))
    .collect();
    let tag = plan::register(
        &session.reg,
        &session.ctx,
        &Register {
            artifact: args.name.clone(),
            commit,
            version: args.version,
            bumps,
            force: args.write.force,
            simple: args.write.simple.into(),
            message: args.write.message.clone(),
        },
    )?;
    let mut tags = vec![tag];
    attach_provenance(
        &session,
        &mut tags,
        args.digest.as_ref().map(Digest::as_str),
        out,
    )?;
    let scores = scores_to_record(&session, &args.name, &tags[0].commit, args.metrics, out)?;
    tags[0].message = metrics::record(&tags[0].message, &scores);
    apply(&session, out, &Change::Create(tags), &args.write)
}

/// Registering a name no declaration file knows (as the caller found) records no path and no digest, and in a DVC
/// repository DVC cannot find it either: say where to declare it.
fn undeclared_hint(
    session: &Session,
    name: &ArtifactName,
    commit: &str,
    out: &mut Output,
) -> Result<()> {
    use crate::artifacts::declared::{Format, file_for};
    let (file, _) = file_for(name, Format::Dvc);
    let dvc = crate::dvc_track::dvc_root(&session.repo, commit, &file, true)?.is_some()
        || !session.repo.files_named(commit, &["dvc.yaml"])?.is_empty();
    if !dvc {
        return Ok(());
    }
    out.warn(&format!(
        "'{name}' is declared in no dvc.yaml or artifacts.yaml at {}, so the registration records no path or digest, and `dvc artifacts get` cannot find it",
        &commit[..commit.len().min(7)]
    ))?;
    out.hint(&format!(
        "declare it in {file}: `registry annotate {} --path PATH --file dvc.yaml`, commit, and register that commit",
        crate::shell::shell_quote(name.as_str())
    ))?;
    Ok(())
}

/// `--digest` says what a virtual artifact holds. For a path in the repository register reads
/// the bytes' identity itself (from git, or DVC's record), and a given digest would override
/// what DVC serves for the commit with anything the caller typed.
fn given_digest_is_for_virtual(name: &ArtifactName, entry: &Entry, digest: &Digest) -> Result<()> {
    let Some(path) = entry.path.as_deref() else {
        return Ok(());
    };
    // A path that cannot be a trailer at all is refused, with its own message, where the
    // registration's provenance is read.
    if entry.is_explicitly_virtual()
        || path.contains("://")
        || crate::registry::trailer::control_char(path).is_some()
    {
        return Ok(());
    }
    Err(crate::error::UserError::new(format!(
        "--digest {} is for a virtual artifact, but '{name}' declares the path '{}', whose digest register records itself (from git, or from DVC's record at the commit)",
        digest.as_str(),
        crate::output::escape(path)
    ))
    .with_hint("drop --digest; if the path is not in the repository, mark the entry `virtual: true` (artifacts.yaml) or give a URL path (dvc.yaml)")
    .into())
}

/// `--metric KEY=VALUE`, refused when the name holds `=` or a control character.
fn parse_metric(text: &str) -> Result<(String, Value), String> {
    metrics::parse_assignment(text)
}

/// The metrics a registration records: those the artifact's metrics files hold at `commit`,
/// then those given with `--metric` (which may add values, never contradict a file's). A
/// file's metric whose name cannot be a trailer refuses the registration, naming the file.
fn scores_to_record(
    session: &Session,
    name: &ArtifactName,
    commit: &str,
    given: Vec<(String, Value)>,
    out: &mut Output,
) -> Result<metrics::Metrics> {
    // A file's key that cannot be a trailer refuses the registration there, naming the file.
    let read = crate::metrics_source::for_registration(&session.repo, name, commit)?;
    for w in &read.warnings {
        out.warn(w)?;
    }
    let mut scores = read.values;
    for (key, value) in given {
        // A score the commit's files hold is what the evaluation wrote: `--metric` adds what
        // no file holds, and never overwrites one (a gate reads the recorded value).
        if let Some(old) = scores.get(&key)
            && *old != value
        {
            return Err(crate::error::UserError::new(format!(
                "--metric {}={} contradicts the metrics files of '{name}' at {}, which hold {} = {}",
                escape(&key),
                escape(&value.to_string()),
                &commit[..commit.len().min(7)],
                escape(&key),
                escape(&old.to_string())
            ))
            .with_hint("a registration records what its files hold: drop this --metric, or change the file, commit, and register that commit")
            .into());
        }
        scores.insert(key, value);
    }
    Ok(scores)
}
