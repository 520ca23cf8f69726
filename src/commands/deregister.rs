//! `registry deregister NAME VERSION`: withdraw a version (reference §5.3).

use anyhow::Result;
use clap::Args;

use super::{delete_tags, write_tags, Scope, Session, WriteFlags};
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
pub struct DeregisterArgs {
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

pub fn run(global: &Global, args: DeregisterArgs, out: &mut Output) -> Result<()> {
    let session = Session::open_for_write(global, Scope::Artifact(&args.name), &args.write)?;
    session.print_warnings(out)?;
    execute(
        &session,
        out,
        args.name,
        args.version,
        args.delete,
        &args.write,
    )
}

/// Shared with `deprecate NAME VERSION`.
pub fn execute(
    session: &Session,
    out: &mut Output,
    name: ArtifactName,
    version: VersionName,
    delete: bool,
    write: &WriteFlags,
) -> Result<()> {
    let req = Deregister {
        artifact: name,
        version,
        force: write.force,
        simple: write.simple.into(),
        message: write.message.clone(),
    };
    if delete {
        let target = plan::deregister_target(&session.reg, &req)?;
        let tags = plan::distinct_tags(target.all_events());
        return delete_tags(session, out, &tags, write.dry_run);
    }
    let tag = plan::deregister(&session.reg, &session.ctx, &req)?;
    write_tags(session, out, &[tag], write.dry_run)
}
