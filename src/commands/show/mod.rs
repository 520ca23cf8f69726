//! `registry show [NAME | NAME@vX.Y.Z | NAME@latest | NAME@greatest | NAME#STAGE]`: the registry
//! table, or one artifact's versions (reference §5.4). B9 fixed: `--ro` hides unregistered
//! versions, and `-d` adds inactive ones without lifting the other filters. This file dispatches
//! to the two views and holds what both print alike; which rows a target keeps is the core's
//! (`resolve::keep_picked`).

mod args;
mod artifact_view;
mod metrics_view;
mod registry_view;

use anyhow::Result;

use super::{Open, Scope, Session};
use crate::commands::Global;
use crate::error::UserError;
use crate::output::Output;
use crate::registry::resolve::{Sort, StageOptions};
use crate::registry::spec::Target;
use crate::registry::state::Version;
use crate::registry::version::short;

pub(crate) use args::{ShowArgs, SortArg};

pub(crate) fn run(global: &Global, args: ShowArgs, out: &mut Output) -> Result<()> {
    let opts = StageOptions {
        registered_only: args.registered_only,
        assignments_per_version: args.assignments_per_version,
        versions_per_stage: args.versions_per_stage,
        sort: match args.sort {
            SortArg::Timestamp => Sort::Timestamp,
            SortArg::Semver => Sort::Semver,
        },
    };
    match &args.target {
        None => {
            let session = Session::open_with(
                global,
                Scope::All,
                Open {
                    at: args.at.clone(),
                    ..Open::default()
                },
            )?;
            session.print_warnings(out)?;
            registry_view::show_registry(&session, &args, opts, out)
        }
        Some(Target { name, pick }) => {
            let session = Session::open_with(
                global,
                Scope::Artifact(name),
                Open {
                    at: args.at.clone(),
                    ..Open::default()
                },
            )?;
            session.print_warnings(out)?;
            let artifact = session.reg.artifact(name).ok_or_else(|| {
                UserError::new(format!("Cannot find artifact '{name}'"))
                    .with_hint("`registry show` lists the artifacts in this repository")
            })?;
            artifact_view::show_artifact(&session.repo, artifact, pick.as_ref(), &args, opts, out)
        }
    }
}

pub(super) const NOTHING: &str = "Nothing found in the current workspace";

/// A version as tables show it: commit-named versions cut to 7 characters.
pub(super) fn short_label(v: &Version) -> String {
    match v.label.semver() {
        Some(s) => s.to_string(),
        None => short(v.label.as_str()).to_string(),
    }
}
