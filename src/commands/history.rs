//! `registry history [NAME]`: every registry event, newest first (reference §5.5).

use anyhow::Result;
use clap::{ArgGroup, Args};

use super::{Scope, Session};
use crate::commands::Global;
use crate::json;
use crate::output::Output;
use crate::registry::event::{Event, EventKind};
use crate::registry::metrics;
use crate::registry::name::ArtifactName;
use crate::registry::signature::SigStatus;
use crate::registry::version::short;

const EXAMPLES: &str = "\
Examples:
  registry history                  # all events, newest first
  registry history churn --asc      # one artifact, oldest first
  registry history churn --json     # GTO's JSON shape";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
#[command(group(ArgGroup::new("format").args(["json", "plain"])))]
pub(crate) struct HistoryArgs {
    /// Only this artifact's events
    pub name: Option<ArtifactName>,
    /// Print JSON (GTO's shape)
    #[arg(long)]
    pub json: bool,
    /// Print a plain table, easy to grep
    #[arg(long)]
    pub plain: bool,
    /// Oldest first
    #[arg(long = "asc", visible_alias = "ascending")]
    pub ascending: bool,
}

pub(crate) fn run(global: &Global, args: HistoryArgs, out: &mut Output) -> Result<()> {
    let scope = match &args.name {
        Some(n) => Scope::Artifact(n),
        None => Scope::All,
    };
    let session = Session::open(global, scope)?;
    session.print_warnings(out)?;
    let mut events: Vec<(&Event, Option<&str>)> = session
        .reg
        .artifacts
        .iter()
        .flat_map(|a| a.events_with_versions())
        .collect();
    // GTO sorts by (timestamp, priority), newest first unless --asc; the tag name keeps equal
    // keys in a fixed order.
    events.sort_by(|(a, _), (b, _)| {
        (a.time.seconds, a.kind.priority(), a.counter, &a.tag).cmp(&(
            b.time.seconds,
            b.kind.priority(),
            b.counter,
            &b.tag,
        ))
    });
    if !args.ascending {
        events.reverse();
    }
    if args.json {
        let statuses = super::trust::read_statuses(&session);
        // A registration whose metric trailers do not read shows none: say so, naming the tag.
        for (e, _) in &events {
            if e.kind == EventKind::Registration
                && let Err(why) = metrics::recorded(&e.message)
            {
                out.warn(&format!(
                    "tag '{}' records metrics that do not read: {why}; its history item carries none",
                    e.tag
                ))?;
            }
        }
        let items: Vec<json::HistoryJson> = events
            .iter()
            .map(|(e, v)| {
                let status = statuses.get(&e.tag).unwrap_or(&SigStatus::Unsigned);
                json::history_json(e, *v, status)
            })
            .collect();
        out.json(&items)?;
        return Ok(());
    }
    if events.is_empty() {
        out.line("Nothing found in the current workspace")?;
        return Ok(());
    }
    let headers: Vec<String> = [
        "timestamp",
        "artifact",
        "event",
        "version",
        "stage",
        "commit",
        "author",
        "ref",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|(e, v)| {
            vec![
                e.time.human(),
                e.artifact.to_string(),
                e.kind.as_str().to_string(),
                v.map(|v| {
                    if v.len() == 40 {
                        short(v).to_string()
                    } else {
                        v.to_string()
                    }
                })
                .unwrap_or_default(),
                e.stage
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                short(&e.commit).to_string(),
                e.author.clone(),
                e.tag.clone(),
            ]
        })
        .collect();
    out.table(&headers, &rows, args.plain)?;
    Ok(())
}
