//! `registry unassign NAME STAGE [--version V]`: take a stage away (reference §5.3, B6 fixed).

use anyhow::Result;
use clap::Args;

use super::{delete_tags, write_tags, Scope, Session, WriteFlags};
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
pub struct UnassignArgs {
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

pub fn run(global: &Global, args: UnassignArgs, out: &mut Output) -> Result<()> {
    let session = Session::open_for_write(global, Scope::Artifact(&args.name), &args.write)?;
    session.print_warnings(out)?;
    execute(
        &session,
        out,
        args.name,
        args.stage,
        args.version,
        args.delete,
        &args.write,
    )
}

/// Shared with `deprecate NAME VERSION STAGE`.
pub fn execute(
    session: &Session,
    out: &mut Output,
    name: ArtifactName,
    stage: Stage,
    version: Option<VersionName>,
    delete: bool,
    write: &WriteFlags,
) -> Result<()> {
    let req = Unassign {
        artifact: name,
        stage,
        version,
        force: write.force,
        simple: write.simple.into(),
        message: write.message.clone(),
    };
    if delete {
        let target = plan::unassign_target(&session.reg, &req)?;
        if !write.force {
            plan::check_ever_assigned(target, &req.stage)?;
        }
        let events = target
            .vstage(&req.stage)
            .into_iter()
            .flat_map(|s| s.assignments.iter().chain(&s.unassignments));
        let tags = plan::distinct_tags(events);
        return delete_tags(session, out, &tags, write.dry_run);
    }
    let tag = plan::unassign(&session.reg, &session.ctx, &req)?;
    write_tags(session, out, &[tag], write.dry_run)
}
