//! `registry show` without a target: the registry table (one row per artifact, its latest
//! version and the version in each stage), with the declared-but-unregistered rows GTO marks `*`.

use anyhow::Result;

use super::args::{ShowArgs, column_flag};
use super::{NOTHING, short_label};
use crate::commands::Session;
use crate::error::UserError;
use crate::json;
use crate::output::Output;
use crate::registry::name::ArtifactName;
use crate::registry::resolve::{self, StageOptions};
use crate::registry::state::Version;

/// One artifact's row of the registry table.
struct Row<'a> {
    name: String,
    latest: Option<&'a Version>,
    cells: Vec<Vec<&'a Version>>,
    active: bool,
    registered: bool,
}

pub(super) fn show_registry(
    session: &Session,
    args: &ShowArgs,
    opts: StageOptions,
    out: &mut Output,
) -> Result<()> {
    let reg = &session.reg;
    let stages = match &session.config.stages {
        Some(s) => s.clone(),
        None => resolve::used_stages(reg),
    };
    let mut rows: Vec<Row<'_>> = Vec::new();
    for a in &reg.artifacts {
        let active = a.is_active();
        if !active && !args.deprecated {
            continue;
        }
        let resolved = resolve::stages(a, opts);
        let cells = stages
            .iter()
            .map(|s| {
                resolved
                    .iter()
                    .find(|(name, _)| name == s)
                    .map(|(_, holders)| holders.iter().map(|h| h.version).collect())
                    .unwrap_or_default()
            })
            .collect();
        rows.push(Row {
            name: a.name.to_string(),
            latest: resolve::latest(a, true),
            cells,
            active,
            registered: true,
        });
    }
    // Artifacts declared in artifacts.yaml at HEAD but never tagged show as `*name` (reference
    // §9.1). Only artifacts with no tags at all: a deprecated one stays deprecated (GTO B5).
    // With --at, HEAD's declarations say nothing about the past: tags only.
    let declared = if args.at.is_some() {
        Vec::new()
    } else {
        declared_at_head(session, out)?
    };
    for declared in declared {
        if reg.artifact(&declared).is_none() {
            rows.push(Row {
                name: declared.to_string(),
                latest: None,
                cells: vec![Vec::new(); stages.len()],
                active: true,
                registered: false,
            });
        }
    }
    if args.json {
        let mut overview = json::Overview::default();
        for r in &rows {
            let mut stage = json::Object::default();
            for (s, holders) in stages.iter().zip(&r.cells) {
                let joined: Vec<&str> = holders.iter().map(|v| v.label.as_str()).collect();
                stage.insert(s.clone(), (!joined.is_empty()).then(|| joined.join(", ")));
            }
            let entry = json::OverviewEntry {
                version: r.latest.map(|v| v.label.as_str().to_string()),
                stage,
                registered: r.registered,
                active: r.active,
            };
            overview.insert(r.name.clone(), entry);
        }
        out.json(&overview)?;
        return Ok(());
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let short_label = |v: &Version| short_label(v);
    if let Some(col) = column_flag(args) {
        if rows.is_empty() {
            return Ok(());
        }
        if col != "name" {
            return Err(UserError::new(format!("Cannot apply --{col}"))
                .with_hint("the registry table has the columns name, latest and one per stage; give an artifact name for the others")
                .into());
        }
        let names: Vec<String> = rows
            .iter()
            .map(|r| display_name(&r.name, r.registered))
            .collect();
        out.lines(&names)?;
        return Ok(());
    }
    if rows.is_empty() {
        out.line(NOTHING)?;
        return Ok(());
    }
    let mut headers = vec!["name".to_string(), "latest".to_string()];
    headers.extend(stages.iter().map(|s| format!("#{s}")));
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut row = vec![
                display_name(&r.name, r.registered),
                r.latest.map(short_label).unwrap_or_default(),
            ];
            row.extend(r.cells.iter().map(|holders| {
                holders
                    .iter()
                    .map(|v| short_label(v))
                    .collect::<Vec<_>>()
                    .join(", ")
            }));
            row
        })
        .collect();
    out.table(&headers, &table, args.plain)?;
    Ok(())
}

/// GTO marks artifacts that are declared but not registered with a `*`.
fn display_name(name: &str, registered: bool) -> String {
    if registered {
        name.to_string()
    } else {
        format!("*{name}")
    }
}

/// Names declared at HEAD: in the top-level artifacts.yaml (GTO reads only that one) and in
/// every dvc.yaml (DVC's rule, reference §9.2). A malformed file is a warning here: it must not
/// hide the registry, which lives in tags.
fn declared_at_head(session: &Session, out: &mut Output) -> Result<Vec<ArtifactName>> {
    let Some(head) = session.repo.head_commit() else {
        return Ok(Vec::new());
    };
    let inv = crate::artifacts::declared::inventory(
        &session.repo,
        &head,
        crate::artifacts::declared::Reach::Show,
        " at HEAD",
    )?;
    for (_, e) in &inv.broken {
        out.warn(&e.message)?;
    }
    for (name, dvc, gto) in &inv.twice {
        out.warn(&format!(
            "'{name}' is declared in both {dvc} and {gto}; registry reads {dvc} (what DVC and Studio read) and ignores the {gto} entry"
        ))?;
    }
    Ok(inv.declared.into_iter().map(|(name, _)| name).collect())
}
