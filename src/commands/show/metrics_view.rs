//! `registry show NAME --metrics` (issue 14): one row per version (in `show NAME`'s order, or
//! by one metric with `--sort-by`), one column per metric key of any shown version, with the
//! stages each version holds. Values come from `metrics_source::of_version`: the registration's
//! trailers (no tree read), else the declared files at the version's commit, which the table
//! marks and a note names.

use std::collections::BTreeSet;

use anyhow::Result;
use serde::Serialize;

use super::NOTHING;
use super::args::ShowArgs;
use super::short_label;
use crate::error::UserError;
use crate::git::Repo;
use crate::json;
use crate::metrics_source;
use crate::output::{Output, escape};
use crate::registry::metrics::VersionMetrics;
use crate::registry::state::{Artifact, Version};

/// The table's marker of a version whose values were read from files, not recorded.
const NOT_RECORDED: &str = "*";

/// One version's row.
struct Row<'a> {
    version: &'a Version,
    stages: Vec<String>,
    found: VersionMetrics,
}

impl Row<'_> {
    /// Values shown that were read from files now, not recorded with the version.
    fn read_from_files(&self) -> bool {
        !self.found.recorded && !self.found.values.is_empty()
    }
}

/// One version in `show NAME --metrics --json` (beyond GTO).
#[derive(Debug, Serialize)]
pub(crate) struct VersionMetricsJson {
    pub artifact: String,
    pub version: String,
    pub commit: String,
    /// The stages this version holds, as `show NAME` resolves them.
    pub stages: Vec<String>,
    /// `true`: recorded at registration; `false`: read from the metrics files at `commit` now
    /// (or none found).
    pub recorded: bool,
    pub metrics: json::MetricsJson,
}

pub(super) fn show_metrics(
    repo: &Repo,
    artifact: &Artifact,
    versions: &[&Version],
    stages_of: impl Fn(&Version) -> Vec<String>,
    args: &ShowArgs,
    out: &mut Output,
) -> Result<()> {
    let mut rows: Vec<Row<'_>> = Vec::with_capacity(versions.len());
    for v in versions {
        let found = metrics_source::of_version(repo, &artifact.name, v)?;
        for w in &found.warnings {
            out.warn(w)?;
        }
        rows.push(Row {
            version: v,
            stages: stages_of(v),
            found,
        });
    }
    let keys: BTreeSet<&String> = rows.iter().flat_map(|r| r.found.values.keys()).collect();
    let keys: Vec<String> = keys.into_iter().cloned().collect();
    if let Some(key) = &args.sort_by {
        sort_rows(&mut rows, key, &keys, args.asc, out)?;
    }
    let from_files: Vec<String> = rows
        .iter()
        .filter(|r| r.read_from_files())
        .map(|r| short_label(r.version))
        .collect();
    if !from_files.is_empty() {
        let marker = if args.json {
            String::new()
        } else {
            format!("{NOT_RECORDED} ")
        };
        out.note(&format!(
            "{marker}{}: not recorded at registration; read from the metrics files at their commits",
            from_files.join(", ")
        ))?;
    }
    if args.json {
        let items: Vec<VersionMetricsJson> = rows
            .iter()
            .map(|r| VersionMetricsJson {
                artifact: artifact.name.to_string(),
                version: r.version.label.as_str().to_string(),
                commit: r.version.commit.clone(),
                stages: r.stages.clone(),
                recorded: r.found.recorded,
                metrics: json::metrics_json(&r.found.values),
            })
            .collect();
        out.json(&items)?;
        return Ok(());
    }
    if rows.is_empty() {
        out.line(NOTHING)?;
        return Ok(());
    }
    if keys.is_empty() {
        out.note(&format!(
            "no version of '{}' has metrics: record them with `registry register {} --metric KEY=VALUE`, or list metrics files under the entry's `metrics:` in artifacts.yaml",
            artifact.name, artifact.name
        ))?;
    }
    let mut headers = vec!["version".to_string(), "stage".to_string()];
    headers.extend(keys.iter().cloned());
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut label = short_label(r.version);
            if r.read_from_files() {
                label.push_str(NOT_RECORDED);
            }
            let mut row = vec![label, r.stages.join(", ")];
            // An empty cell prints `-`: a version without that metric.
            row.extend(keys.iter().map(|k| {
                r.found
                    .values
                    .get(k)
                    .map(ToString::to_string)
                    .unwrap_or_default()
            }));
            row
        })
        .collect();
    out.table(&headers, &table, args.plain)?;
    Ok(())
}

/// `--sort-by KEY`: versions with a number for KEY by it (highest first, or lowest with
/// `asc`; equal values keep their order), then the others in their order, named in a note. A
/// key no shown version has is an error listing the keys there are.
fn sort_rows(
    rows: &mut Vec<Row<'_>>,
    key: &str,
    keys: &[String],
    asc: bool,
    out: &mut Output,
) -> Result<()> {
    if !keys.iter().any(|k| k == key) {
        let hint = if keys.is_empty() {
            "no version shown has any metric".to_string()
        } else {
            let listed: Vec<String> = keys.iter().map(|k| escape(k).into_owned()).collect();
            format!("the metrics are: {}", listed.join(", "))
        };
        return Err(UserError::new(format!(
            "--sort-by '{}': no version shown has this metric",
            escape(key)
        ))
        .with_hint(hint)
        .into());
    }
    // NaN has no place in an order: it goes last with the text values.
    let number = |r: &Row<'_>| {
        r.found
            .values
            .get(key)
            .and_then(crate::registry::metrics::Value::number)
            .filter(|n| !n.is_nan())
    };
    let (mut ranked, rest): (Vec<Row<'_>>, Vec<Row<'_>>) = std::mem::take(rows)
        .into_iter()
        .partition(|r| number(r).is_some());
    ranked.sort_by(|a, b| {
        let (x, y) = (number(a).unwrap_or_default(), number(b).unwrap_or_default());
        if asc {
            x.total_cmp(&y)
        } else {
            y.total_cmp(&x)
        }
    });
    if !rest.is_empty() {
        let names: Vec<String> = rest.iter().map(|r| short_label(r.version)).collect();
        out.note(&format!(
            "listed last, without a number for '{}': {}",
            escape(key),
            names.join(", ")
        ))?;
    }
    ranked.extend(rest);
    *rows = ranked;
    Ok(())
}
