//! `registry register NAME [REF]`: register a version at a commit (reference §5.1).

use anyhow::Result;
use clap::Args;

use super::{Scope, Session, WriteFlags, apply, attach_provenance};
use crate::commands::Global;
use crate::output::Output;
use crate::registry::name::ArtifactName;
use crate::registry::plan::{self, Change, Register};
use crate::registry::spec::Digest;
use crate::registry::version::{Bump, VersionName};

const EXAMPLES: &str = "\
Examples:
  registry register churn                    # HEAD becomes the next patch version (v0.0.1 first)
  registry register churn --bump-minor       # v1.2.3 -> v1.3.0
  registry register churn abc1234 --version v2.0.0
  registry register models:resnet            # monorepo artifact: tag models=resnet@v0.0.1";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub(crate) struct RegisterArgs {
    /// Artifact name (`name`, or `dir:name` in a monorepo)
    pub name: ArtifactName,
    /// Commit to register (branch, tag or commit id)
    #[arg(default_value = "HEAD")]
    pub r#ref: String,
    /// Version to register, e.g. v1.2.0 (default: bump the highest version)
    #[arg(long, visible_alias = "ver")]
    pub version: Option<VersionName>,
    /// Bump the major part
    #[arg(long)]
    pub bump_major: bool,
    /// Bump the minor part
    #[arg(long)]
    pub bump_minor: bool,
    /// Bump the patch part (the default)
    #[arg(long)]
    pub bump_patch: bool,
    /// Digest to record for a virtual artifact: sha256:HEX
    #[arg(long, value_name = "sha256:HEX")]
    pub digest: Option<Digest>,
    #[command(flatten)]
    pub write: WriteFlags,
}

pub(crate) fn run(global: &Global, args: RegisterArgs, out: &mut Output) -> Result<()> {
    let session = Session::open_for_write(global, Scope::Artifact(&args.name), &args.write)?;
    session.print_warnings(out)?;
    let commit = session.commit(&args.r#ref)?;
    let bumps = [
        (args.bump_major, Bump::Major),
        (args.bump_minor, Bump::Minor),
        (args.bump_patch, Bump::Patch),
    ]
    .into_iter()
    .filter_map(|(on, b)| on.then_some(b))
    .collect();
    let tag = plan::register(
        &session.reg,
        &session.ctx,
        &Register {
            artifact: args.name,
            commit,
            version: args.version,
            bumps,
            force: args.write.force,
            simple: args.write.simple.into(),
            message: args.write.message.clone(),
        },
    )?;
    let mut tags = vec![tag];
    attach_provenance(
        &session,
        &mut tags,
        args.digest.as_ref().map(Digest::as_str),
        out,
    )?;
    apply(&session, out, &Change::Create(tags), &args.write)
}
