//! `registry deregister NAME VERSION`: withdraw a version (reference §5.3).

use anyhow::Result;
use clap::Args;

use super::{Scope, Session, WriteFlags, apply};
use crate::commands::Global;
use crate::output::Output;
use crate::registry::name::ArtifactName;
use crate::registry::plan::{self, Deregister};
use crate::registry::version::VersionName;

const EXAMPLES: &str = "\
Examples:
  registry deregister churn v1.2.0           # writes churn@v1.2.0!
  registry deregister churn v1.2.0 --delete  # removes the version's tags instead (rewrites history)";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub(crate) struct DeregisterArgs {
    /// Artifact name
    pub name: ArtifactName,
    /// Version to withdraw, e.g. v1.2.0
    pub version: VersionName,
    /// Delete every tag of this version instead of writing a deregistration
    #[arg(short = 'd', long)]
    pub delete: bool,
    #[command(flatten)]
    pub write: WriteFlags,
}

pub(crate) fn run(global: &Global, args: DeregisterArgs, out: &mut Output) -> Result<()> {
    let session = Session::open_for_write(global, Scope::Artifact(&args.name), &args.write)?;
    session.print_warnings(out)?;
    let req = Deregister {
        artifact: args.name,
        version: args.version,
        force: args.write.force,
        simple: args.write.simple.into(),
        message: args.write.message.clone(),
    };
    let change = plan::deregister_change(&session.reg, &session.ctx, &req, args.delete)?;
    apply(&session, out, &change, &args.write)
}
