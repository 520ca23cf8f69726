//! `registry describe NAME[@vX.Y.Z|#STAGE|@latest]`: the artifacts.yaml entry as it was at that
//! version's commit (HEAD without a version), SPEC §4.1.

use anyhow::Result;
use clap::{ArgGroup, Args};

use super::target::pick_version;
use super::{Scope, Session};
use crate::commands::Global;
use crate::error::UserError;
use crate::json::DescribeJson;
use crate::output::{Output, escape};
use crate::registry::spec::Target;
use crate::registry::version::short;

const EXAMPLES: &str = "\
Examples:
  registry describe churn                 # the entry at HEAD, as JSON
  registry describe churn@v1.2.0 --path   # the path as declared when v1.2.0 was registered
  registry describe churn#prod --type";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
#[command(group(ArgGroup::new("field").args(["json", "path", "kind", "description"])))]
pub(crate) struct DescribeArgs {
    /// NAME, NAME@vX.Y.Z, NAME@latest or NAME#STAGE
    pub target: Target,
    /// Print JSON (the default)
    #[arg(long)]
    pub json: bool,
    /// Print only the path
    #[arg(long)]
    pub path: bool,
    /// Print only the type
    #[arg(long = "type")]
    pub kind: bool,
    /// Print only the description
    #[arg(long)]
    pub description: bool,
}

/// The commit a `NAME[@…|#…]` target stands for: HEAD, or the version's commit.
fn target_commit(session: &Session, target: &Target) -> Result<String> {
    match &target.pick {
        None => session.commit("HEAD"),
        Some(pick) => Ok(pick_version(session, &target.name, Some(pick))?
            .commit
            .clone()),
    }
}

pub(crate) fn run(global: &Global, args: DescribeArgs, out: &mut Output) -> Result<()> {
    let name = &args.target.name;
    let session = Session::open(global, Scope::Artifact(name))?;
    let commit = target_commit(&session, &args.target)?;
    let lookup = crate::artifacts::declared::lookup(&session.repo, &commit, name)?;
    for w in &lookup.warnings {
        out.warn(w)?;
    }
    let entry = lookup.found.map(|d| d.entry).ok_or_else(|| {
        use crate::artifacts::declared::{Format, file_for};
        let (dvc, _) = file_for(name, Format::Dvc);
        let (gto, _) = file_for(name, Format::Artifacts);
        UserError::new(format!(
            "No entry for '{name}' in {dvc} or {gto} at commit {}",
            short(&commit)
        ))
        .with_hint(format!(
            "declare it with `registry annotate {name} --path …` and commit"
        ))
    })?;
    let field = if args.path {
        Some(entry.path)
    } else if args.kind {
        Some(entry.kind)
    } else if args.description {
        Some(entry.description)
    } else {
        None
    };
    if let Some(value) = field {
        if let Some(v) = value {
            // A description may span lines; a path or type is one line.
            if args.description {
                out.line(&v)?;
            } else {
                out.line(&escape(&v))?;
            }
        }
    } else {
        let json = serde_json::to_value(&entry.raw)
            .map_err(|e| UserError::new(format!("cannot show the entry as JSON: {e}")))?;
        out.json(&DescribeJson(json))?;
    }
    Ok(())
}
