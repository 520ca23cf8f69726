//! `registry compare NAME V1 V2 …` (issue 14): several versions' metrics side by side, one row
//! per metric, one column per version, with each later version's change against the first; and
//! the change cells and JSON that `diff` shares.

use anyhow::Result;
use clap::{ArgGroup, Args};

use super::target::pick_version;
use super::{Scope, Session};
use crate::commands::Global;
use crate::error::UserError;
use crate::json::{self, CompareChanges, CompareJson, CompareVersion, MetricChangeJson};
use crate::metrics_source;
use crate::output::{Output, escape};
use crate::registry::metrics::{self, Change, Value, VersionMetrics};
use crate::registry::name::ArtifactName;
use crate::registry::spec::Pick;
use crate::registry::version::short;

const EXAMPLES: &str = "\
Examples:
  registry compare churn '#prod' v1.3.0             # the candidate against prod, with changes
  registry compare churn v1.1.0 v1.2.0 latest       # three versions; changes against v1.1.0
  registry compare churn '#prod' '#staging' --json

Each version is vX.Y.Z, latest, or #STAGE (the version that holds the stage now; quote it in a
shell). Changes are against the first version given: Change is new - old, Relative is the change
over |old| (none when old is 0). Only numbers are compared; other values are shown.";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
#[command(group(ArgGroup::new("format").args(["json", "plain"])))]
pub(crate) struct CompareArgs {
    /// Artifact name
    pub name: ArtifactName,
    /// Two or more versions: vX.Y.Z, latest, or #STAGE; the first is the baseline
    #[arg(required = true, num_args = 2.., value_name = "VERSION")]
    pub versions: Vec<Pick>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Print a plain table, easy to grep
    #[arg(long)]
    pub plain: bool,
}

/// A value as a table cell (empty: the table shows `-`, as `dvc metrics diff` does).
pub(crate) fn cell(v: Option<&Value>) -> String {
    v.map(|v| escape(&v.to_string()).into_owned())
        .unwrap_or_default()
}

/// The change columns of a row: absolute and relative (as a percentage); empty when not
/// computed (a side missing, a value not a number, a zero old value for the relative one).
pub(crate) fn change_cells(c: &Change) -> [String; 2] {
    [
        c.absolute.map(metrics::format_change).unwrap_or_default(),
        c.relative
            // A percentage to two places: the relative change is for reading, JSON has it exact.
            .map(|r| {
                format!(
                    "{}%",
                    metrics::format_change((r * 10_000.0).round() / 100.0)
                )
            })
            .unwrap_or_default(),
    ]
}

/// A change in `dvc metrics diff --json`'s shape (plus `relative`).
pub(crate) fn change_json(c: &Change) -> MetricChangeJson {
    let side = |v: &Option<Value>| v.as_ref().map_or(serde_json::Value::Null, Value::to_json);
    MetricChangeJson {
        old: side(&c.old),
        new: side(&c.new),
        diff: c.absolute,
        relative: c.relative,
    }
}

/// Says where a version's values came from when its registration did not record them, and
/// prints what could not be read as warnings.
pub(crate) fn provenance_note(
    label: &str,
    commit: &str,
    vm: &VersionMetrics,
    out: &mut Output,
) -> Result<Option<String>> {
    for w in &vm.warnings {
        out.warn(w)?;
    }
    Ok((!vm.recorded).then(|| {
        format!(
            "{label}: metrics not recorded at registration; {} the metrics files at {}",
            if vm.values.is_empty() {
                "none found in"
            } else {
                "read from"
            },
            short(commit)
        )
    }))
}

/// One column: the version, its header, its metrics.
struct Column<'a> {
    version: &'a crate::registry::state::Version,
    stage: Option<String>,
    header: String,
    metrics: VersionMetrics,
}

pub(crate) fn run(global: &Global, args: CompareArgs, out: &mut Output) -> Result<()> {
    let session = Session::open(global, Scope::Artifact(&args.name))?;
    session.print_warnings(out)?;
    let mut columns: Vec<Column> = Vec::new();
    for pick in &args.versions {
        let version = pick_version(&session, &args.name, Some(pick))?;
        let label = version.label.as_str();
        if let Some(j) = columns
            .iter()
            .position(|c| std::ptr::eq(c.version, version))
        {
            return Err(UserError::new(format!(
                "'{}' and '{pick}' are the same version ({label})",
                args.versions[j]
            ))
            .with_hint("give each version once")
            .into());
        }
        let (stage, header) = match pick {
            Pick::Version(_) => (None, label.to_string()),
            Pick::Stage(s) => (Some(s.to_string()), format!("{label} (#{s})")),
            Pick::Latest(w) => (None, format!("{label} ({})", w.as_str())),
        };
        let metrics = metrics_source::of_version(&session.repo, &args.name, version)?;
        columns.push(Column {
            version,
            stage,
            header,
            metrics,
        });
    }
    let first = &columns[0];
    let changes: Vec<Vec<Change>> = columns[1..]
        .iter()
        .map(|c| metrics::diff(&first.metrics.values, &c.metrics.values))
        .collect();

    if args.json {
        for c in &columns {
            for w in &c.metrics.warnings {
                out.warn(w)?;
            }
        }
        let value = CompareJson {
            artifact: args.name.to_string(),
            versions: columns
                .iter()
                .map(|c| {
                    let mut m = json::Object::default();
                    for (k, v) in &c.metrics.values {
                        m.insert(k.clone(), v.to_json());
                    }
                    CompareVersion {
                        version: c.version.label.as_str().to_string(),
                        stage: c.stage.clone(),
                        commit: c.version.commit.clone(),
                        recorded: c.metrics.recorded,
                        metrics: m,
                    }
                })
                .collect(),
            changes: columns[1..]
                .iter()
                .zip(&changes)
                .map(|(c, ch)| {
                    let mut m = json::Object::default();
                    for change in ch {
                        m.insert(change.key.clone(), change_json(change));
                    }
                    CompareChanges {
                        version: c.version.label.as_str().to_string(),
                        against: first.version.label.as_str().to_string(),
                        metrics: m,
                    }
                })
                .collect(),
        };
        out.json(&value)?;
        return Ok(());
    }

    let mut notes = Vec::new();
    for c in &columns {
        if let Some(n) = provenance_note(&c.header, &c.version.commit, &c.metrics, out)? {
            notes.push(n);
        }
    }
    // Every key of any version, in the order the core sorts them.
    let mut keys: Vec<&String> = columns
        .iter()
        .flat_map(|c| c.metrics.values.keys())
        .collect();
    keys.sort();
    keys.dedup();
    let mut headers = vec!["Metric".to_string()];
    headers.extend(columns.iter().map(|c| escape(&c.header).into_owned()));
    let two = columns.len() == 2;
    if two {
        headers.extend(["Change".to_string(), "Relative".to_string()]);
    }
    let rows: Vec<Vec<String>> = keys
        .iter()
        .map(|k| {
            let mut row = vec![escape(k).into_owned()];
            row.push(cell(first.metrics.values.get(*k)));
            for (c, ch) in columns[1..].iter().zip(&changes) {
                let value = cell(c.metrics.values.get(*k));
                let change = ch.iter().find(|x| x.key == **k);
                if two {
                    row.push(value);
                    row.extend(change.map(change_cells).unwrap_or_default());
                } else {
                    // Three or more: each later cell carries its change against the first.
                    match change.and_then(|x| x.absolute) {
                        Some(a) if a > 0.0 => {
                            row.push(format!("{value} (+{})", metrics::format_change(a)));
                        }
                        Some(a) => row.push(format!("{value} ({})", metrics::format_change(a))),
                        None => row.push(value),
                    }
                }
            }
            row
        })
        .collect();
    if rows.is_empty() {
        let labels: Vec<String> = columns
            .iter()
            .map(|c| escape(&c.header).into_owned())
            .collect();
        out.line(&format!(
            "no metrics for {} {}",
            escape(args.name.as_str()),
            labels.join(", ")
        ))?;
    } else {
        out.table(&headers, &rows, args.plain)?;
    }
    for n in notes {
        out.line(&escape(&n))?;
    }
    Ok(())
}
