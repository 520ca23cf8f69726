//! `registry check-ref REF`: what a registry tag means, for CI (reference §5.6).
//!
//! A ref that is not a registry tag prints nothing and exits 0: CI jobs run on every push and
//! rely on it. A name shaped like a registry tag that is not in the repository is an error
//! (GTO §14 B13 prints nothing): in CI it means the tags were not fetched, and a silent "no event"
//! there would skip a deploy.
//!
//! `--format github|gitlab` hands the same facts to later CI steps as step outputs; the encoding
//! lives in `ci_outputs.rs`.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{ArgGroup, Args, ValueEnum};

mod ci_files;
mod current;
mod metrics;

use super::trust::Trust;
use super::{Scope, Session};
use crate::ci_outputs::Outputs;
use crate::commands::Global;
use crate::error::{UsageError, UserError};
use crate::json;
use crate::output::Output;
use crate::registry::event::{Event, EventKind};
use crate::registry::policy;
use crate::registry::signature::SigStatus;
use crate::registry::tag::{TagAction, TagName};
use crate::registry::time::Timestamp;
use crate::registry::trust::Verdict;
use ci_files::{write_github, write_gitlab};

const EXAMPLES: &str = "\
Examples:
  registry check-ref churn@v1.2.0               # Version \"v1.2.0\" of artifact \"churn\" was registered
  registry check-ref refs/tags/churn#prod#3 --event
  registry check-ref \"$GITHUB_REF\" --policy --policy-ref origin/main --format github  # reject tags that break main's policy
  registry check-ref \"$GITHUB_REF\" --json       # empty output for a non-registry ref
  registry check-ref \"$GITHUB_REF\" --format github     # step outputs, to $GITHUB_OUTPUT
  registry check-ref \"$CI_COMMIT_TAG\" --format gitlab  # dotenv report registry.env";

/// The default dotenv file of `--format gitlab`.
const DOTENV_FILE: &str = "registry.env";

/// Where `--format` writes CI step outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CiFormat {
    /// Append to the file named by $GITHUB_OUTPUT (GitHub Actions step outputs)
    Github,
    /// Write a dotenv file for `artifacts: reports: dotenv:` (GitLab CI)
    Gitlab,
}

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
#[command(group(ArgGroup::new("what").args(["json", "name", "version", "stage", "event", "format"])))]
pub(crate) struct CheckRefArgs {
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
    /// Write CI step outputs (name, version, stage, event, type, path, description, and
    /// metric_KEY for each metric of the version) and print the sentence; nothing is written for
    /// a ref that is not a registry tag
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
    /// (promotion_order, require_digest, signatures, authorize), so a CI job can reject it. The policy is read from the
    /// default branch (a symbolic origin/HEAD as `git clone` sets it, else, in a bare
    /// repository or without a remote origin, the branch HEAD names), never from the tag's own
    /// commit, which whoever pushes the tag chooses; a note on stderr says which
    #[arg(long)]
    pub policy: bool,
    /// Read .registry.yaml, .gto and the allowed-signers file (for --policy, and the signature
    /// status of --json) from this branch (e.g. `origin/main`) or full commit id instead of the
    /// default branch
    #[arg(long = "policy-ref", visible_alias = "policy-from", value_name = "REV")]
    pub policy_ref: Option<String>,
}

/// GTO's sentence for an event (reference §5.6).
fn sentence(e: &Event, version: &str) -> String {
    let a = &e.artifact;
    let s = e
        .stage
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
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

pub(crate) fn run(global: &Global, args: CheckRefArgs, out: &mut Output) -> Result<()> {
    if args.format == Some(CiFormat::Github) && args.prefix.is_some() {
        return Err(UsageError(
            "--prefix is for --format gitlab; GitHub step outputs have their own namespace".into(),
        )
        .into());
    }
    if let Some(p) = &args.prefix
        && (p.is_empty()
            || !p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            || p.as_bytes()[0].is_ascii_digit())
    {
        return Err(UsageError(format!(
            "--prefix '{p}' must be letters, digits and '_', not starting with a digit"
        ))
        .into());
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
            );
        }
        crate::git::TagKind::Lightweight if args.policy => {
            return Err(no_event(
                name,
                "it is a lightweight tag; registry tags are annotated",
            ));
        }
        crate::git::TagKind::Lightweight => {
            out.warn(&format!(
                "tag '{name}' is a lightweight tag; registry tags must be annotated (`git tag -a`), so it means nothing"
            ))?;
            return Ok(());
        }
        crate::git::TagKind::Annotated => {}
    }
    // Without --policy a tag that records no event is only warned about; under it, it fails:
    // a gate that exits 0 would let a pipeline keyed on the pushed ref deploy it.
    let why_not = || {
        let warned = session.reg.warnings.iter().find(|w| w.tag == name);
        warned.map_or("it records no event", |w| w.message.as_str())
    };
    if parsed.action == TagAction::Created {
        if args.policy {
            return Err(no_event(name, "an `@created` tag records nothing"));
        }
        return Ok(()); // warned about above; records nothing (GTO §14 B1)
    }
    let Some(artifact) = session.reg.artifact(&parsed.artifact) else {
        if args.policy {
            return Err(no_event(name, why_not()));
        }
        return Ok(());
    };
    let events = artifact.events_with_versions();
    let Some((event, version)) = events.iter().find(|(e, _)| e.tag == name) else {
        if args.policy {
            return Err(no_event(name, why_not()));
        }
        return Ok(()); // e.g. a tag on a tree: warned about above
    };
    let version = version.unwrap_or_default();
    if args.policy {
        let (config, from) = super::policy_source::trusted_source(
            &session.repo,
            args.policy_ref.as_deref(),
            Some(&event.commit),
        )?;
        out.note(&format!("policy from {from}"))?;
        if let Some(why) = current::future_dated(event, super::now_seconds()) {
            return Err(UserError::new(format!("policy: {why}"))
                .with_hint("make the event again with a right clock (`date -u` on the machine that tagged it)")
                .into());
        }
        let trust = Trust::new(&session.repo, config);
        let config = &trust.config;
        if let Some(v) = policy::check_event(
            &session.reg,
            event,
            Some(version),
            config.promotion_order.as_deref(),
            config.require_digest,
        ) {
            return Err(UserError::new(format!("policy: {}", v.message))
                .with_hint(crate::commands::refusal::policy_fix(&v))
                .into());
        }
        if let Some(breach) = trust.stage_case(event) {
            return Err(crate::commands::refusal::breach_error(&breach, ""));
        }
        if trust.has_rules() {
            // Judged no earlier than now: a tagger date is whatever the pusher typed, and a
            // tag backdated to before the cut-over must not slip under it.
            let at = Timestamp::new(event.time.seconds.max(super::now_seconds()), 0);
            let status = trust.status_at(event, at);
            let verdict = trust.judge_one(&session.repo, &session.reg, event, &status, at);
            if let Verdict::Fail(breach) = &verdict {
                let tail = backdated(&trust, event, at);
                return Err(crate::commands::refusal::breach_error(breach, &tail));
            }
            // A met metric gate says by which values (a grandfathered event met nothing).
            if verdict == Verdict::Pass
                && let Some(note) = trust.gate_note(&session.repo, &session.reg, event)
            {
                out.note(&note)?;
            }
        }
        // A signed tag that was the stage's event once, pushed again (deleted and re-created),
        // would deploy an old version: only the stage's current event passes. Checked after
        // the signature, so a forged tag is reported as what it is.
        if let Some(why) = current::stale(artifact, event, version) {
            return Err(UserError::new(format!("policy: {why}"))
                .with_hint("the gate passes only the stage's current event; `registry history NAME` shows the events since")
                .into());
        }
    }
    if let Some(format) = args.format {
        let mut outputs = outputs_of(&session, event, version, out)?;
        let found = metrics::of_event(&session, artifact, event, out)?;
        metrics::into_outputs(&mut outputs, found.as_ref(), out)?;
        match format {
            CiFormat::Github => write_github(&outputs)?,
            CiFormat::Gitlab => {
                let file = args.output.as_deref().unwrap_or(Path::new(DOTENV_FILE));
                write_gitlab(&outputs, file, args.prefix.as_deref(), out)?;
            }
        }
        out.line(&sentence(event, version))?;
    } else if args.json {
        let status = match event.signed {
            // A --policy-ref given is where the signers come from, or an error; none given,
            // the default branch when there is one.
            Some(_) => match args.policy_ref.as_deref() {
                Some(rev) => Trust::trusted(&session.repo, Some(rev))?,
                None => Trust::for_reading(&session),
            }
            .verifier
            .check(event),
            None => SigStatus::Unsigned,
        };
        let outputs = outputs_of(&session, event, version, out)?;
        let mut value = json::check_ref_json(event, Some(version), &status);
        value.declared = json::DeclaredJson::of(&outputs.kind, &outputs.path, &outputs.description);
        let found = metrics::of_event(&session, artifact, event, out)?;
        metrics::into_json(&mut value, found.as_ref());
        out.json(&value)?;
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

/// For `--policy`: why a tag dated before the cut-over is judged after it, to follow a failure's
/// reason (which names the cut-over the tag seems to predate).
fn backdated(trust: &Trust, event: &Event, at: Timestamp) -> String {
    match trust.config.trust.required_since {
        Some(since) if event.time.seconds < since.seconds && since.seconds <= at.seconds => {
            format!(
                " (the tag's date {} is before the cut-over, but a tagger date is whatever the pusher typed, so check-ref judges a pushed tag no earlier than now)",
                event.time.iso()
            )
        }
        _ => String::new(),
    }
}

/// The refusal, under `--policy`, of a registry-shaped tag that is no counted event.
fn no_event(name: &str, why: &str) -> anyhow::Error {
    UserError::new(format!(
        "policy: tag '{name}' is no registry event, and --policy passes only an event: {why}"
    ))
    .with_hint("`registry doctor` tells more; record the event with registry itself")
    .into()
}

/// The step outputs of one event: the tag's facts, and `type`, `path` and `description` from the
/// artifact's declaration (dvc.yaml or artifacts.yaml) at the tag's commit (empty when it
/// declares none). An entry that cannot be read (a damaged commit, a broken declaration file) is
/// an error, and nothing is written: empty outputs would read as "declares nothing", and a
/// deploy would go on without its path.
fn outputs_of(
    session: &Session,
    event: &Event,
    version: &str,
    out: &mut Output,
) -> Result<Outputs> {
    let lookup = crate::artifacts::declared::lookup(&session.repo, &event.commit, &event.artifact)
        .map_err(|e| {
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
                    "cannot read the declaration of '{}' at {}: {}; no outputs were written",
                    event.artifact,
                    &event.commit[..event.commit.len().min(7)],
                    why.join(": "),
                ))
                .with_hint(hint),
            )
        })?;
    for w in &lookup.warnings {
        out.warn(w)?;
    }
    let (kind, path, description) = lookup
        .found
        .map(|d| (d.entry.kind, d.entry.path, d.entry.description))
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
            .map(ToString::to_string)
            .unwrap_or_default(),
        event: event.kind.as_str().to_string(),
        kind: kind.unwrap_or_default(),
        path: path.unwrap_or_default(),
        description: description.unwrap_or_default(),
        metrics: Vec::new(),
    })
}
