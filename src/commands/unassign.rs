//! `registry unassign NAME STAGE [--version V]`: take a stage away (reference §5.3, B6 fixed).

use anyhow::Result;
use clap::Args;

use super::{Scope, Session, WriteFlags, apply};
use crate::commands::Global;
use crate::output::Output;
use crate::registry::name::{ArtifactName, Stage};
use crate::registry::plan::{self, Unassign};
use crate::registry::version::VersionName;

const EXAMPLES: &str = "\
Examples:
  registry unassign churn prod                   # from whichever version is in prod
  registry unassign churn staging --version v1.2.0";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub(crate) struct UnassignArgs {
    /// Artifact name
    pub name: ArtifactName,
    /// Stage to take away
    pub stage: Stage,
    /// Version to take it from (default: the version in that stage)
    #[arg(long)]
    pub version: Option<VersionName>,
    /// Delete the version's tags for this stage instead of writing an unassignment
    #[arg(short = 'd', long)]
    pub delete: bool,
    #[command(flatten)]
    pub write: WriteFlags,
}

pub(crate) fn run(global: &Global, args: UnassignArgs, out: &mut Output) -> Result<()> {
    let session = Session::open_for_write(global, Scope::Artifact(&args.name), &args.write)?;
    session.print_warnings(out)?;
    let req = Unassign {
        artifact: args.name,
        stage: args.stage,
        version: args.version,
        force: args.write.force,
        simple: args.write.simple.into(),
        message: args.write.message.clone(),
    };
    let change = plan::unassign_change(&session.reg, &session.ctx, &req, args.delete)?;
    apply(&session, out, &change, &args.write)
}
