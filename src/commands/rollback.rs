//! `registry rollback NAME STAGE [--to VERSION]` (beyond GTO): gives a stage back to the version
//! that held it before, as an ordinary assignment whose message says it is a rollback, so GTO,
//! DVC and CI read it like any other promotion (SPEC §4.3).

use anyhow::Result;
use clap::Args;

use super::{attach_provenance, write_tags, Scope, Session, WriteFlags};
use crate::commands::Global;
use crate::output::Output;
use crate::registry::name::{ArtifactName, Stage};
use crate::registry::plan::{self, Assign, AssignTarget};
use crate::registry::version::VersionName;

const EXAMPLES: &str = "\
Examples:
  registry rollback churn prod                 # prod goes back to the version that held it before
  registry rollback churn prod --to v1.2.0     # or to a given version
  registry rollback churn prod --push";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct RollbackArgs {
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

pub fn run(global: &Global, args: RollbackArgs, out: &mut Output) -> Result<()> {
    let session = Session::open_for_write(global, Scope::Artifact(&args.name), &args.write)?;
    session.print_warnings(out)?;
    session.ctx.check_stage(&args.stage)?;
    let (current, target) =
        plan::rollback_target(&session.reg, &args.name, &args.stage, args.to.as_ref())?;
    let (from, to) = (current.label.as_str(), target.label.as_str());
    let first_line = args
        .write
        .message
        .clone()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| {
            format!(
                "Rolling back stage {} of artifact {} to version {to} (from {from})",
                args.stage, args.name
            )
        });
    let mut tags = plan::assign(
        &session.reg,
        &session.ctx,
        &Assign {
            artifact: args.name.clone(),
            stage: args.stage.clone(),
            // A live version is a registered one, so it is named by a version.
            target: AssignTarget::Version(target.label.semver().cloned().ok_or_else(|| {
                crate::error::UserError::new(format!("Version '{to}' is not registered"))
            })?),
            // The old holder may still hold the stage underneath the newer one; a new tag
            // makes it the newest again, which is the point.
            force: true,
            simple: args.write.simple.into(),
            message: Some(first_line),
        },
    )?;
    attach_provenance(&session, &mut tags, None, out)?;
    out.line(&format!(
        "Rolling back '{}' {}: {from} -> {to}",
        args.name, args.stage
    ))?;
    write_tags(&session, out, &tags, args.write.dry_run)
}
