//! `registry stages [--allowed | --used]`: allowed stages from config, or stages in use
//! (reference §5.7; `--allowed --used` together is a usage error, not a crash: B13).

use anyhow::Result;
use clap::Args;

use super::{Scope, Session};
use crate::commands::Global;
use crate::json::StagesJson;
use crate::output::Output;
use crate::registry::resolve;

const EXAMPLES: &str = "\
Examples:
  registry stages            # the allowed stages if configured, else the ones in use
  registry stages --used     # stages some version holds now
  registry stages --json";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub(crate) struct StagesArgs {
    /// Stages allowed by config (.gto or .registry.yaml)
    #[arg(long, conflicts_with = "used")]
    pub allowed: bool,
    /// Stages some active version holds now
    #[arg(long)]
    pub used: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn run(global: &Global, args: StagesArgs, out: &mut Output) -> Result<()> {
    let session = Session::open(global, Scope::All)?;
    session.print_warnings(out)?;
    let allowed = session.config.stages.clone();
    let result: Option<Vec<String>> = if args.allowed {
        allowed
    } else if args.used {
        Some(resolve::used_stages(&session.reg))
    } else {
        Some(allowed.unwrap_or_else(|| resolve::used_stages(&session.reg)))
    };
    if args.json {
        out.json(&StagesJson(result))?;
    } else if let Some(list) = result {
        out.lines(&list)?;
    }
    Ok(())
}
