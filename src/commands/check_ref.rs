//! `registry check-ref REF`: what a registry tag means, for CI (reference §5.6).
//!
//! A ref that is not a registry tag prints nothing and exits 0: CI jobs run on every push and
//! rely on it. A name shaped like a registry tag that is not in the repository is an error
//! (GTO §14 B13 prints nothing): in CI it means the tags were not fetched, and a silent "no event"
//! there would skip a deploy.

use anyhow::Result;
use clap::{ArgGroup, Args};

use super::{Scope, Session};
use crate::cli::Global;
use crate::error::UserError;
use crate::json;
use crate::output::Output;
use crate::registry::event::{Event, EventKind};
use crate::registry::tag::{TagAction, TagName};

const EXAMPLES: &str = "\
Examples:
  registry check-ref churn@v1.2.0               # Version \"v1.2.0\" of artifact \"churn\" was registered
  registry check-ref refs/tags/churn#prod#3 --event
  registry check-ref \"$GITHUB_REF\" --json       # empty output for a non-registry ref";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
#[command(group(ArgGroup::new("format").args(["json", "name", "version", "stage", "event"])))]
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
    let name = args.r#ref.strip_prefix("refs/tags/").unwrap_or(&args.r#ref);
    let Some(parsed) = TagName::parse(name) else {
        return Ok(()); // not a registry tag: nothing to say, and success
    };
    let session = Session::open(global, Scope::Artifact(&parsed.artifact))?;
    session.print_warnings(out)?;
    match session.repo.tag_kind(name)? {
        None => {
            return Err(
                UserError::new(format!("tag '{name}' is not found in this repository"))
                    .with_hint(
                        "fetch the tags first (`git fetch --tags`; a shallow CI checkout has none)",
                    )
                    .into(),
            )
        }
        Some(false) => {
            out.warn(&format!(
                "tag '{name}' is a lightweight tag; registry tags must be annotated (`git tag -a`), so it means nothing"
            ))?;
            return Ok(());
        }
        Some(true) => {}
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
    if args.json {
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
