//! `registry rollback NAME STAGE [--to VERSION]` (beyond GTO): gives a stage back to the version
//! that held it before, as an ordinary assignment whose message says it is a rollback, so GTO,
//! DVC and CI read it like any other promotion (SPEC §4.3).

use anyhow::Result;
use clap::Args;

use super::{Scope, Session, WriteFlags, apply};
use crate::commands::Global;
use crate::output::Output;
use crate::registry::name::{ArtifactName, Stage};
use crate::registry::plan::{self, Change, Rollback};
use crate::registry::version::VersionName;

const EXAMPLES: &str = "\
Examples:
  registry rollback churn prod                 # prod goes back to the version that held it before
  registry rollback churn prod --to v1.2.0     # or to a given version
  registry rollback churn prod --push";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub(crate) struct RollbackArgs {
    /// Artifact name
    pub name: ArtifactName,
    /// Stage to roll back
    pub stage: Stage,
    /// Version to give the stage to (default: the one that held it before)
    #[arg(long, value_name = "VERSION")]
    pub to: Option<VersionName>,
    #[command(flatten)]
    pub write: WriteFlags,
}

pub(crate) fn run(global: &Global, args: RollbackArgs, out: &mut Output) -> Result<()> {
    let session = Session::open_for_write(global, Scope::Artifact(&args.name), &args.write)?;
    session.print_warnings(out)?;
    let plan = plan::rollback(
        &session.reg,
        &session.ctx,
        &Rollback {
            artifact: args.name.clone(),
            stage: args.stage.clone(),
            to: args.to,
            simple: args.write.simple.into(),
            message: args.write.message.clone(),
        },
    )?;
    out.line(&format!(
        "Rolling back '{}' {}: {} -> {}",
        args.name,
        args.stage,
        plan.from.as_str(),
        plan.to
    ))?;
    apply(&session, out, &Change::Create(plan.tags), &args.write)
}
