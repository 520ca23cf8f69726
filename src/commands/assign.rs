//! `registry assign` (GTO's signature) and `registry promote` (GTO's form, or the short form
//! `promote NAME[@VERSION] STAGE`): put a version in a stage (reference §5.2).

use anyhow::Result;
use clap::Args;

use super::{Scope, Session, WriteFlags, apply, attach_provenance};
use crate::commands::Global;
use crate::error::UsageError;
use crate::output::Output;
use crate::registry::name::{ArtifactName, Stage};
use crate::registry::plan::{self, Assign, AssignTarget, Change};
use crate::registry::spec::VersionedName;
use crate::registry::version::VersionName;

const ASSIGN_EXAMPLES: &str = "\
Examples:
  registry assign churn --stage prod --version v1.2.0   # an existing version
  registry assign churn abc1234 --stage dev             # a commit (registered first if needed)
  registry assign churn HEAD --stage dev --version v2.0.0
  registry assign churn HEAD --stage dev --sr           # without registering the commit";

const PROMOTE_EXAMPLES: &str = "\
Examples:
  registry promote churn prod                # the latest version of 'churn' goes to prod
  registry promote churn@v1.2.0 staging      # a given version
  registry promote churn HEAD --stage dev    # GTO's form: same as `registry assign`";

#[derive(Debug, Args)]
#[command(after_help = ASSIGN_EXAMPLES)]
pub(crate) struct AssignArgs {
    /// Artifact name
    pub name: ArtifactName,
    /// Commit to assign (default HEAD unless --version names an existing version)
    pub r#ref: Option<String>,
    /// Stage to assign
    #[arg(long, required = true)]
    pub stage: Stage,
    #[command(flatten)]
    pub common: AssignFlags,
}

/// Flags `assign` and `promote` share.
#[derive(Debug, Args)]
pub(crate) struct AssignFlags {
    /// With REF: the version to register REF as; without REF: the existing version to assign
    #[arg(long)]
    pub version: Option<VersionName>,
    /// Do not register REF; the version is then named by its commit
    #[arg(long = "skip-registration", visible_alias = "sr")]
    pub skip_registration: bool,
    #[command(flatten)]
    pub write: WriteFlags,
}

#[derive(Debug, Args)]
#[command(after_help = PROMOTE_EXAMPLES)]
pub(crate) struct PromoteArgs {
    /// Artifact name, optionally with a version: `churn` or `churn@v1.2.0`
    pub name: VersionedName,
    /// STAGE (short form), or REF (GTO's form, with --stage)
    #[arg(num_args = 0..=1)]
    pub arg: Option<String>,
    /// Stage to assign (GTO's form)
    #[arg(long)]
    pub stage: Option<Stage>,
    #[command(flatten)]
    pub common: AssignFlags,
}

pub(crate) fn run_assign(global: &Global, args: AssignArgs, out: &mut Output) -> Result<()> {
    let session = Session::open_for_write(global, Scope::Artifact(&args.name), &args.common.write)?;
    session.print_warnings(out)?;
    let target = gto_target(&session, args.r#ref, &args.common)?;
    execute(&session, out, args.name, args.stage, target, &args.common)
}

/// GTO's CLI mapping: REF given → that commit (named by --version); else --version → that
/// version; else HEAD.
fn gto_target(session: &Session, rev: Option<String>, flags: &AssignFlags) -> Result<AssignTarget> {
    Ok(match (rev, &flags.version) {
        (Some(rev), nv) => AssignTarget::Commit {
            commit: session.commit(&rev)?,
            name_version: nv.clone(),
            skip_registration: flags.skip_registration,
        },
        (None, Some(v)) => AssignTarget::Version(v.clone()),
        (None, None) => AssignTarget::Commit {
            commit: session.commit("HEAD")?,
            name_version: None,
            skip_registration: flags.skip_registration,
        },
    })
}

fn execute(
    session: &Session,
    out: &mut Output,
    name: ArtifactName,
    stage: Stage,
    target: AssignTarget,
    flags: &AssignFlags,
) -> Result<()> {
    let planned = plan::assign_plan(
        &session.reg,
        &session.ctx,
        &Assign {
            artifact: name.clone(),
            stage,
            target,
            force: flags.write.force,
            simple: flags.write.simple.into(),
            message: flags.write.message.clone(),
        },
    )?;
    let mut tags = planned.tags;
    attach_provenance(session, &mut tags, None, out)?;
    // Said only once the plan holds, so a refused promote does not claim to promote.
    if let Some(chosen) = &planned.latest {
        out.line(&format!(
            "Promoting the latest version of '{name}': {chosen}"
        ))?;
    }
    apply(session, out, &Change::Create(tags), &flags.write)
}

/// `promote`'s two forms.
enum Form {
    /// GTO's: `promote NAME [REF] --stage STAGE`, the same as `assign`.
    Gto { rev: Option<String>, stage: Stage },
    /// Ours: `promote NAME[@VERSION] STAGE`.
    Short(Stage),
}

pub(crate) fn run_promote(global: &Global, args: PromoteArgs, out: &mut Output) -> Result<()> {
    let VersionedName {
        name,
        version: at_version,
    } = args.name;
    // Which form it is, and whether it makes sense, is settled before the lock is taken or
    // anything is fetched: a usage error comes first.
    let form = match (args.stage, args.arg) {
        (Some(_), _) if at_version.is_some() => {
            return Err(UsageError(
                "give the version either as NAME@VERSION (short form) or with --version, not with --stage".into(),
            )
            .into());
        }
        (Some(stage), rev) => Form::Gto { rev, stage },
        (None, None) => {
            return Err(UsageError(
                "missing STAGE: use `registry promote NAME[@VERSION] STAGE` or `registry promote NAME [REF] --stage STAGE`".into(),
            )
            .into());
        }
        (None, Some(stage)) => {
            let stage: Stage = stage
                .parse()
                .map_err(|e: crate::registry::name::NameError| UsageError(e.message))?;
            if at_version.is_some() && args.common.version.is_some() {
                return Err(
                    UsageError("give the version once: NAME@VERSION or --version".into()).into(),
                );
            }
            Form::Short(stage)
        }
    };
    let session = Session::open_for_write(global, Scope::Artifact(&name), &args.common.write)?;
    session.print_warnings(out)?;
    let stage = match form {
        Form::Gto { rev, stage } => {
            let target = gto_target(&session, rev, &args.common)?;
            return execute(&session, out, name, stage, target, &args.common);
        }
        Form::Short(stage) => stage,
    };
    // Without a version the plan picks the latest registered one, and says which.
    let target = match at_version.or_else(|| args.common.version.clone()) {
        Some(v) => AssignTarget::Version(v),
        None => AssignTarget::Latest,
    };
    execute(&session, out, name, stage, target, &args.common)
}
