//! `registry diff NAME A B` (beyond GTO): what changed between two versions — the artifacts.yaml
//! entry, the recorded digest, the commits in between that touched the artifact's path, and each
//! version's stage history (SPEC §4.5), and each metric's change (issue 14), as `dvc metrics diff`
//! shows it: unchanged metrics only with `--all`.

use anyhow::Result;
use clap::Args;
use serde_json::Value;

use super::compare::{cell, change_cells, change_json, provenance_note};
use super::target::pick_version;
use super::{Scope, Session};
use crate::artifacts::declared::Declared;
use crate::commands::Global;
use crate::error::UserError;
use crate::json::{
    self, DiffCommit, DiffJson, DiffSide, DigestChange, EntryChange, MetricsRecorded,
};
use crate::output::{Output, escape};
use crate::provenance;
use crate::registry::metrics;
use crate::registry::name::ArtifactName;
use crate::registry::spec::Pick;
use crate::registry::state::Version;
use crate::registry::trailer;
use crate::registry::version::short;

const EXAMPLES: &str = "\
Examples:
  registry diff churn v1.2.0 v1.3.0           # entry, digest, commits, stages
  registry diff churn v1.2.0 latest --json
  registry diff churn '#prod' latest --all    # every metric, unchanged ones too

Metrics: Change is new - old, Relative is the change over |old| (none when old is 0); only
numbers are compared. Unchanged metrics are hidden unless --all, as in `dvc metrics diff`.";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub(crate) struct DiffArgs {
    /// Artifact name
    pub name: ArtifactName,
    /// The older version (vX.Y.Z, latest, or #STAGE)
    pub a: Pick,
    /// The newer version
    pub b: Pick,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Show unchanged metrics too
    #[arg(long)]
    pub all: bool,
}

fn stage_lines(v: &Version) -> Vec<String> {
    let mut events: Vec<_> = v
        .stages
        .iter()
        .flat_map(|s| s.assignments.iter().chain(&s.unassignments))
        .collect();
    events.sort_by_key(|e| (e.time.seconds, e.counter));
    events
        .iter()
        .map(|e| {
            format!(
                "{} {} {} by {} ({})",
                e.time.human(),
                e.kind.as_str(),
                e.stage
                    .as_ref()
                    .map(crate::registry::name::Stage::as_str)
                    .unwrap_or_default(),
                e.author,
                e.tag
            )
        })
        .collect()
}

pub(crate) fn run(global: &Global, args: DiffArgs, out: &mut Output) -> Result<()> {
    let session = Session::open(global, Scope::Artifact(&args.name))?;
    session.print_warnings(out)?;
    let a = pick_version(&session, &args.name, Some(&args.a))?;
    let b = pick_version(&session, &args.name, Some(&args.b))?;
    let (la, lb) = (a.label.as_str(), b.label.as_str());
    if std::ptr::eq(a, b) {
        return Err(UserError::new(format!(
            "'{}' and '{}' are the same version ({la})",
            args.a, args.b
        ))
        .into());
    }

    // The declaration (dvc.yaml or artifacts.yaml) at each version's commit, field by field:
    // in a partial clone, both commits' files are fetched in one batch.
    crate::artifacts::declared::prefetch(&session.repo, &[&a.commit, &b.commit], &args.name)?;
    let declared = |commit: &str, out: &mut Output| -> Result<Option<Declared>> {
        let lookup = crate::artifacts::declared::lookup(&session.repo, commit, &args.name)?;
        for w in &lookup.warnings {
            out.warn(w)?;
        }
        Ok(lookup.found)
    };
    let (decl_a, decl_b) = (declared(&a.commit, out)?, declared(&b.commit, out)?);
    let file = |d: &Option<Declared>| d.as_ref().map(|d| d.file.clone());
    let files = match (file(&decl_a), file(&decl_b)) {
        (Some(x), Some(y)) if x != y => format!("entry ({x} -> {y}):"),
        (x, y) => format!(
            "{} entry:",
            y.or(x).unwrap_or_else(|| "artifacts.yaml".into())
        ),
    };
    let entry_a = decl_a.map(|d| d.entry);
    let entry_b = decl_b.map(|d| d.entry);
    let raw =
        |e: &Option<crate::artifacts::Entry>| e.as_ref().map(|e| e.raw.clone()).unwrap_or_default();
    let (ra, rb) = (raw(&entry_a), raw(&entry_b));
    let mut keys: Vec<String> = ra
        .keys()
        .chain(rb.keys())
        .filter_map(|k| k.as_str().map(str::to_string))
        .collect();
    keys.dedup();
    let mut seen = std::collections::HashSet::new();
    keys.retain(|k| seen.insert(k.clone()));
    let show = |v: Option<&crate::yaml::Value>| -> Value {
        v.map_or(Value::Null, |v| {
            serde_json::to_value(v).unwrap_or(Value::Null)
        })
    };
    let mut entry_changes = json::Object::default();
    for k in &keys {
        let (x, y) = (ra.get(k.as_str()), rb.get(k.as_str()));
        if x != y {
            let change = EntryChange {
                from: show(x),
                to: show(y),
            };
            entry_changes.insert(k.clone(), change);
        }
    }

    // Digests.
    let (da, db) = (a.provenance(), b.provenance());

    // Commits in between, and which touched the path: for a DVC-tracked path, git holds only
    // DVC's record of it (the `.dvc` file or `dvc.lock`), so the record's commits are counted.
    let declared_path = entry_b
        .as_ref()
        .or(entry_a.as_ref())
        .and_then(|e| e.path.clone())
        .and_then(|p| provenance::repo_relative(&args.name, &p).ok());
    let dvc_record = db
        .as_ref()
        .or(da.as_ref())
        .and_then(|p| p.dvc.as_ref())
        .map(|d| d.file.clone());
    let path = dvc_record.clone().or(declared_path.clone());
    let commits = session
        .repo
        .commits_between(&a.commit, &b.commit, path.as_deref())?;
    if commits.is_empty() && a.commit != b.commit {
        let back = session.repo.commits_between(&b.commit, &a.commit, None)?;
        if !back.is_empty() {
            out.warn(&format!(
                "{lb} is an ancestor of {la}: commits are listed from {la} to {lb}, so none"
            ))?;
        }
    }

    // Metrics: recorded with each version, or read at its commit (then said so).
    let ma = crate::metrics_source::of_version(&session.repo, &args.name, a)?;
    let mb = crate::metrics_source::of_version(&session.repo, &args.name, b)?;
    let all_changes = metrics::diff(&ma.values, &mb.values);
    let unchanged = all_changes.iter().filter(|c| c.old == c.new).count();
    let shown: Vec<_> = all_changes
        .iter()
        .filter(|c| args.all || c.old != c.new)
        .collect();

    if args.json {
        for w in ma.warnings.iter().chain(&mb.warnings) {
            out.warn(w)?;
        }
        let mut metric_changes = json::Object::default();
        for c in &shown {
            metric_changes.insert(c.key.clone(), change_json(c));
        }
        let mut stages = json::Object::default();
        stages.insert(la.to_string(), stage_lines(a));
        stages.insert(lb.to_string(), stage_lines(b));
        let value = DiffJson {
            artifact: args.name.to_string(),
            from: DiffSide {
                version: la.to_string(),
                commit: a.commit.clone(),
            },
            to: DiffSide {
                version: lb.to_string(),
                commit: b.commit.clone(),
            },
            entry: entry_changes,
            digest: DigestChange {
                from: da.as_ref().map(|p| p.digest.clone()),
                to: db.as_ref().map(|p| p.digest.clone()),
                changed: da.as_ref().map(|p| &p.digest) != db.as_ref().map(|p| &p.digest),
            },
            path,
            commits: commits
                .iter()
                .map(|c| DiffCommit {
                    commit: c.id.clone(),
                    summary: c.summary.clone(),
                    touches_path: c.touches_path,
                })
                .collect(),
            stages,
            metrics: metric_changes,
            metrics_recorded: MetricsRecorded {
                from: ma.recorded,
                to: mb.recorded,
            },
        };
        out.json(&value)?;
        return Ok(());
    }
    out.line(&format!(
        "{} {la} ({}) -> {lb} ({})",
        args.name,
        short(&a.commit),
        short(&b.commit)
    ))?;
    out.line(&files)?;
    if entry_changes.is_empty() {
        out.line("  unchanged")?;
    }
    for (k, v) in entry_changes.iter() {
        out.line(&format!("  {}: {} -> {}", escape(k), v.from, v.to))?;
    }
    let d = |p: &Option<trailer::Provenance>| {
        p.as_ref().map_or("none".to_string(), |p| {
            format!("{} ({})", escape(&p.digest), escape(p.source.as_str()))
        })
    };
    if da.as_ref().map(|p| &p.digest) == db.as_ref().map(|p| &p.digest) {
        out.line(&format!("digest: unchanged, {}", d(&da)))?;
    } else {
        out.line(&format!("digest: {} -> {}", d(&da), d(&db)))?;
    }
    let notes = [
        provenance_note(la, &a.commit, &ma, out)?,
        provenance_note(lb, &b.commit, &mb, out)?,
    ];
    // The section shows only when a side has metrics, so diffs of artifacts without any read
    // as before.
    if !all_changes.is_empty() {
        let hidden = if args.all { 0 } else { unchanged };
        out.line(&match (shown.len() - (unchanged - hidden), hidden) {
            (_, 0) => "metrics:".to_string(),
            (0, n) => format!("metrics: unchanged ({n}; --all shows them)"),
            (_, n) => format!("metrics: {n} unchanged not shown (--all shows them)"),
        })?;
        if !shown.is_empty() {
            let headers = ["Metric", la, lb, "Change", "Relative"].map(str::to_string);
            let rows: Vec<Vec<String>> = shown
                .iter()
                .map(|c| {
                    let mut row = vec![
                        escape(&c.key).into_owned(),
                        cell(c.old.as_ref()),
                        cell(c.new.as_ref()),
                    ];
                    row.extend(change_cells(c));
                    row
                })
                .collect();
            out.table(&headers, &rows, true)?;
        }
        for n in notes.iter().flatten() {
            out.line(&escape(n))?;
        }
    }
    let touching: Vec<_> = commits.iter().filter(|c| c.touches_path).collect();
    match &path {
        Some(p) => out.line(&format!(
            "commits: {} in between, {} touch {}{}",
            commits.len(),
            touching.len(),
            escape(p),
            match (&dvc_record, &declared_path) {
                (Some(_), Some(d)) => format!(" (DVC's record of {})", escape(d)),
                _ => String::new(),
            }
        ))?,
        None => out.line(&format!(
            "commits: {} in between (no path declared)",
            commits.len()
        ))?,
    }
    for c in touching {
        out.line(&format!("  {} {}", short(&c.id), escape(&c.summary)))?;
    }
    for (label, v) in [(la, a), (lb, b)] {
        out.line(&format!("stages of {label}:"))?;
        let lines = stage_lines(v);
        if lines.is_empty() {
            out.line("  none")?;
        }
        for l in lines {
            out.line(&format!("  {}", escape(&l)))?;
        }
    }
    Ok(())
}
