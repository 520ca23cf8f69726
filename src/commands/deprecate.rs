//! `registry deprecate NAME [VERSION [STAGE]]`: deprecate an artifact; GTO's combined form also
//! deregisters (`NAME VERSION`) and unassigns (`NAME VERSION STAGE`) (reference §5.3).

use anyhow::Result;
use clap::Args;

use super::{Scope, Session, WriteFlags, apply};
use crate::commands::Global;
use crate::output::Output;
use crate::registry::name::{ArtifactName, Stage};
use crate::registry::plan::{self, Change, Deprecate, Deregister, Unassign};
use crate::registry::version::VersionName;

const EXAMPLES: &str = "\
Examples:
  registry deprecate churn                    # writes churn@deprecated
  registry deprecate churn v1.2.0             # GTO's form of `deregister churn v1.2.0`
  registry deprecate churn v1.2.0 prod        # GTO's form of `unassign churn prod --version v1.2.0`
  registry deprecate churn --delete           # removes every tag of 'churn' (rewrites history)";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub(crate) struct DeprecateArgs {
    /// Artifact name
    pub name: ArtifactName,
    /// Version to deregister (GTO's form)
    pub version: Option<VersionName>,
    /// Stage to unassign from VERSION (GTO's form)
    pub stage: Option<Stage>,
    /// Commit for the deprecation tag (default: the commit of the artifact's newest event)
    #[arg(long = "ref")]
    pub r#ref: Option<String>,
    /// Delete tags instead of writing one (rewrites history)
    #[arg(short = 'd', long)]
    pub delete: bool,
    #[command(flatten)]
    pub write: WriteFlags,
}

pub(crate) fn run(global: &Global, args: DeprecateArgs, out: &mut Output) -> Result<()> {
    let session = Session::open_for_write(global, Scope::Artifact(&args.name), &args.write)?;
    session.print_warnings(out)?;
    let (reg, ctx, write) = (&session.reg, &session.ctx, &args.write);
    let change = match (args.version, args.stage) {
        // GTO's form of `unassign NAME STAGE --version VERSION`.
        (Some(version), Some(stage)) => {
            let req = Unassign {
                artifact: args.name,
                stage,
                version: Some(version),
                force: write.force,
                simple: write.simple.into(),
                message: write.message.clone(),
            };
            plan::unassign_change(reg, ctx, &req, args.delete)?
        }
        // GTO's form of `deregister NAME VERSION`.
        (Some(version), None) => {
            let req = Deregister {
                artifact: args.name,
                version,
                force: write.force,
                simple: write.simple.into(),
                message: write.message.clone(),
            };
            plan::deregister_change(reg, ctx, &req, args.delete)?
        }
        (None, _) if args.delete => {
            Change::Delete(plan::deprecate_deletion(reg, &args.name, write.force)?)
        }
        (None, _) => {
            let commit = match &args.r#ref {
                Some(r) => Some(session.commit(r)?),
                None => None,
            };
            Change::Create(vec![plan::deprecate(
                reg,
                ctx,
                &Deprecate {
                    artifact: args.name,
                    commit,
                    head: session.repo.head_commit(),
                    force: write.force,
                    simple: write.simple.into(),
                    message: write.message.clone(),
                },
            )?])
        }
    };
    apply(&session, out, &change, write)
}
