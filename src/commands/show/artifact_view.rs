//! `registry show NAME[…]`: one artifact's versions, with their stages, filtered by the target.

use anyhow::Result;

use super::args::{ShowArgs, column_flag};
use super::{NOTHING, short_label};
use crate::error::UserError;
use crate::git::Repo;
use crate::json;
use crate::output::Output;
use crate::registry::resolve::{self, Holder, Sort, StageOptions, VersionFilter};
use crate::registry::spec::Pick;
use crate::registry::state::{Artifact, Version};

pub(super) fn show_artifact(
    repo: &Repo,
    artifact: &Artifact,
    pick: Option<&Pick>,
    args: &ShowArgs,
    opts: StageOptions,
    out: &mut Output,
) -> Result<()> {
    let resolved = resolve::stages(artifact, opts);
    let holders_of = |v: &Version| -> Vec<Holder<'_>> {
        resolved
            .iter()
            .flat_map(|(_, hs)| hs.iter())
            .filter(|h| std::ptr::eq(h.version, v))
            .copied()
            .collect()
    };
    let mut versions: Vec<&Version> = if artifact.is_active() || args.deprecated {
        resolve::versions(
            artifact,
            VersionFilter {
                active_only: !args.deprecated,
                include_non_explicit: !args.registered_only,
                include_discovered: !args.registered_only,
            },
            Sort::Semver,
        )
    } else {
        Vec::new()
    };
    if args.registered_only {
        // GTO §14 B9: GTO keeps unregistered versions here; --ro means registered only.
        versions.retain(|v| v.is_registered());
    }
    if let Some(pick) = pick {
        versions = resolve::keep_picked(versions, pick, &resolved);
    }
    // The stage column: each stage a version holds, once.
    let stages_of = |v: &Version| {
        let mut stages: Vec<String> = Vec::new();
        for h in holders_of(v) {
            let s = h.vstage.stage.to_string();
            if !stages.contains(&s) {
                stages.push(s);
            }
        }
        stages
    };
    if args.metrics {
        return super::metrics_view::show_metrics(repo, artifact, &versions, stages_of, args, out);
    }
    if args.json {
        let items: Vec<json::VersionJson> = versions
            .iter()
            .map(|v| {
                let stages = holders_of(v)
                    .iter()
                    .map(|h| json::vstage_json(artifact, v, h.vstage))
                    .collect();
                json::version_json(artifact, v, stages)
            })
            .collect();
        out.json(&items)?;
        return Ok(());
    }
    let rows: Vec<[String; 5]> = versions
        .iter()
        .map(|v| {
            let stages = stages_of(v);
            let authoring = v.authoring_event();
            [
                artifact.name.to_string(),
                short_label(v),
                stages.join(", "),
                authoring.map(|e| e.time.human()).unwrap_or_default(),
                authoring.map(|e| e.tag.clone()).unwrap_or_default(),
            ]
        })
        .collect();
    if let Some(col) = column_flag(args) {
        let index = match col {
            "version" => 1,
            "stage" => 2,
            "ref" => 4,
            _ => {
                if rows.is_empty() {
                    return Ok(());
                }
                return Err(UserError::new(format!("Cannot apply --{col}"))
                    .with_hint("the columns of `show NAME` are artifact, version, stage, created_at and ref")
                    .into());
            }
        };
        let values: Vec<&str> = rows.iter().map(|r| r[index].as_str()).collect();
        out.lines(&values)?;
        return Ok(());
    }
    if rows.is_empty() {
        out.line(NOTHING)?;
        return Ok(());
    }
    let headers: Vec<String> = ["artifact", "version", "stage", "created_at", "ref"]
        .iter()
        .map(ToString::to_string)
        .collect();
    let table: Vec<Vec<String>> = rows.into_iter().map(|r| r.to_vec()).collect();
    out.table(&headers, &table, args.plain)?;
    Ok(())
}
