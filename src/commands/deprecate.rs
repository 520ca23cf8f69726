//! `registry deprecate NAME [VERSION [STAGE]]`: deprecate an artifact; GTO's combined form also
//! deregisters (`NAME VERSION`) and unassigns (`NAME VERSION STAGE`) (reference §5.3).

use anyhow::Result;
use clap::Args;

use super::{delete_tags, deregister, unassign, write_tags, Scope, Session, WriteFlags};
use crate::commands::Global;
use crate::output::Output;
use crate::registry::name::{ArtifactName, Stage};
use crate::registry::plan::{self, Deprecate};
use crate::registry::version::VersionName;

const EXAMPLES: &str = "\
Examples:
  registry deprecate churn                    # writes churn@deprecated
  registry deprecate churn v1.2.0             # GTO's form of `deregister churn v1.2.0`
  registry deprecate churn v1.2.0 prod        # GTO's form of `unassign churn prod --version v1.2.0`
  registry deprecate churn --delete           # removes every tag of 'churn' (rewrites history)";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct DeprecateArgs {
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

pub fn run(global: &Global, args: DeprecateArgs, out: &mut Output) -> Result<()> {
    let session = Session::open_for_write(global, Scope::Artifact(&args.name), &args.write)?;
    session.print_warnings(out)?;
    match (args.version, args.stage) {
        (Some(version), Some(stage)) => unassign::execute(
            &session,
            out,
            args.name,
            stage,
            Some(version),
            args.delete,
            &args.write,
        ),
        (Some(version), None) => {
            deregister::execute(&session, out, args.name, version, args.delete, &args.write)
        }
        (None, _) => {
            if args.delete {
                let artifact = session.reg.artifact(&args.name).ok_or_else(|| {
                    crate::error::UserError::new(format!("Cannot find artifact '{}'", args.name))
                })?;
                // GTO checks this before deleting too (reference §5.3).
                if !artifact.is_active() && !args.write.force {
                    return Err(
                        crate::error::UserError::new("Artifact was deprecated already")
                            .with_hint("use --force to delete its tags anyway")
                            .into(),
                    );
                }
                let tags = plan::distinct_tags(artifact.all_events());
                return delete_tags(&session, out, &tags, args.write.dry_run);
            }
            let commit = match &args.r#ref {
                Some(r) => Some(session.commit(r)?),
                None => None,
            };
            let tag = plan::deprecate(
                &session.reg,
                &session.ctx,
                &Deprecate {
                    artifact: args.name,
                    commit,
                    head: session.repo.head_commit(),
                    force: args.write.force,
                    simple: args.write.simple.into(),
                    message: args.write.message.clone(),
                },
            )?;
            write_tags(&session, out, &[tag], args.write.dry_run)
        }
    }
}
