//! `registry show [NAME | NAME@vX.Y.Z | NAME@latest | NAME#STAGE]`: the registry table, or one
//! artifact's versions (reference §5.4). B9 fixed: `--ro` hides unregistered versions, and `-d`
//! adds inactive ones without lifting the other filters.

use anyhow::Result;
use clap::{ArgGroup, Args, ValueEnum};

use super::{Open, Scope, Session};
use crate::commands::Global;
use crate::error::{UsageError, UserError};
use crate::json;
use crate::output::Output;
use crate::registry::name::{ArtifactName, NameError, Stage};
use crate::registry::resolve::{self, Holder, Sort, StageOptions, VersionFilter};
use crate::registry::state::{short, Artifact, Version};
use crate::registry::version::is_version;

const EXAMPLES: &str = "\
Examples:
  registry show                       # every artifact: latest version, version in each stage
  registry show churn                 # the versions of 'churn'
  registry show churn#prod --version  # the version in prod, e.g. to deploy it
  registry show churn@latest --ref    # the registration tag of the latest version
  registry show --json                # GTO's JSON shape
  registry show churn#prod --at 2026-03-01   # what was in prod on 1 March (end of day, UTC)";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
#[command(group(ArgGroup::new("format").args(["json", "plain", "name", "version", "stage", "show_ref"])))]
pub struct ShowArgs {
    /// Artifact, or a shortcut: NAME@vX.Y.Z, NAME@latest, NAME@greatest, NAME#STAGE
    pub target: Option<String>,
    /// Print JSON (GTO's shape)
    #[arg(long)]
    pub json: bool,
    /// Print a plain table, easy to grep
    #[arg(long)]
    pub plain: bool,
    /// Print only the name column
    #[arg(long)]
    pub name: bool,
    /// Print only the version column
    #[arg(long)]
    pub version: bool,
    /// Print only the stage column
    #[arg(long)]
    pub stage: bool,
    /// Print only the ref column
    #[arg(long = "ref", id = "show_ref")]
    pub show_ref: bool,
    /// Resolve stages over registered versions only
    #[arg(long = "ro", visible_alias = "registered-only")]
    pub registered_only: bool,
    /// Include deprecated artifacts and inactive versions
    #[arg(short = 'd', long)]
    pub deprecated: bool,
    /// Stages kept per version, newest first (-1: all)
    #[arg(long = "av", visible_alias = "assignments-per-version", default_value_t = -1, allow_negative_numbers = true, value_parser = count_arg)]
    pub assignments_per_version: i64,
    /// Versions kept per stage (-1: all)
    #[arg(
        long = "vs",
        visible_alias = "versions-per-stage",
        default_value_t = 1,
        allow_negative_numbers = true,
        value_parser = count_arg
    )]
    pub versions_per_stage: i64,
    /// Order for stage resolution
    #[arg(long, value_enum, default_value_t = SortArg::Timestamp)]
    pub sort: SortArg,
    /// Show the registry as it was at a time (2026-03-01 = the end of that day, UTC; or a full
    /// date and time) or at a commit, tag or branch (its commit time)
    #[arg(long, value_name = "WHEN", value_parser = when_arg)]
    pub at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    Timestamp,
    Semver,
}

/// What `show` was asked about.
enum Target {
    Registry,
    Artifact(ArtifactName, Shortcut),
}

pub(crate) enum Shortcut {
    None,
    Latest,
    Version(String),
    Stage(String),
}

/// Parses NAME or a shortcut (GTO's `shortcut_re`, reference §2).
pub(crate) fn parse_target(s: &str) -> Result<(ArtifactName, Shortcut)> {
    let bad = |e: NameError| anyhow::Error::from(UsageError(e.message));
    if let Some((name, rest)) = s.split_once('#') {
        let stage: Stage = rest.parse().map_err(bad)?;
        return Ok((
            name.parse().map_err(bad)?,
            Shortcut::Stage(stage.to_string()),
        ));
    }
    if let Some((name, rest)) = s.split_once('@') {
        let shortcut = match rest {
            "latest" | "greatest" => Shortcut::Latest,
            v if is_version(v) => Shortcut::Version(v.to_string()),
            other => {
                return Err(UsageError(format!(
                "'{other}' in '{s}' is not a version: use NAME@vX.Y.Z, NAME@latest or NAME#STAGE"
            ))
                .into())
            }
        };
        return Ok((name.parse().map_err(bad)?, shortcut));
    }
    Ok((s.parse().map_err(bad)?, Shortcut::None))
}

/// The version a NAME[@…|#…] target names: `@vX.Y.Z`, the holder of `#STAGE`, or the latest
/// (also for a bare NAME).
pub(crate) fn pick_version<'a>(
    session: &'a Session,
    name: &ArtifactName,
    shortcut: &Shortcut,
) -> Result<&'a Version> {
    let artifact = session.reg.artifact(name).ok_or_else(|| {
        UserError::new(format!("Cannot find artifact '{name}'"))
            .with_hint("`registry show` lists the registered artifacts")
    })?;
    let found = match shortcut {
        Shortcut::None | Shortcut::Latest => resolve::latest(artifact, true)
            .ok_or_else(|| UserError::new(format!("No versions found for '{name}'")))?,
        Shortcut::Version(v) => artifact
            .versions
            .iter()
            .rev()
            .find(|x| x.label.as_str() == v && x.is_registered())
            .ok_or_else(|| UserError::new(format!("Version '{v}' is not registered")))?,
        Shortcut::Stage(s) => resolve::stage_holders(artifact, s, StageOptions::default())
            .first()
            .map(|h| h.version)
            .ok_or_else(|| {
                UserError::new(format!("No version in stage '{s}' was found for '{name}'"))
            })?,
    };
    Ok(found)
}

pub fn run(global: &Global, args: ShowArgs, out: &mut Output) -> Result<()> {
    let target = match &args.target {
        None => Target::Registry,
        Some(s) => {
            let (name, shortcut) = parse_target(s)?;
            Target::Artifact(name, shortcut)
        }
    };
    let opts = StageOptions {
        registered_only: args.registered_only,
        assignments_per_version: args.assignments_per_version,
        versions_per_stage: args.versions_per_stage,
        sort: match args.sort {
            SortArg::Timestamp => Sort::Timestamp,
            SortArg::Semver => Sort::Semver,
        },
    };
    let at = match &args.at {
        None => None,
        Some(when) => Some(resolve_when(global, when)?),
    };
    match target {
        Target::Registry => {
            let session = Session::open_with(
                global,
                Scope::All,
                Open {
                    at,
                    ..Open::default()
                },
            )?;
            session.print_warnings(out)?;
            show_registry(&session, &args, opts, out)
        }
        Target::Artifact(name, shortcut) => {
            let session = Session::open_with(
                global,
                Scope::Artifact(&name),
                Open {
                    at,
                    ..Open::default()
                },
            )?;
            session.print_warnings(out)?;
            let artifact = session.reg.artifact(&name).ok_or_else(|| {
                UserError::new(format!("Cannot find artifact '{name}'"))
                    .with_hint("`registry show` lists the artifacts in this repository")
            })?;
            show_artifact(artifact, &shortcut, &args, opts, out)
        }
    }
}

/// `--av`/`--vs`: a count, or -1 for all (GTO's convention); -5 is a usage error, not "all".
fn count_arg(s: &str) -> Result<i64, String> {
    match s.parse::<i64>() {
        Ok(n) if n >= -1 => Ok(n),
        _ => Err("give a count of 0 or more, or -1 for all".to_string()),
    }
}

/// `--at`'s parse-time check: a value shaped like a day must be a calendar day (`2026-02-31` is
/// a usage error, never rolled over to 3 March nor tried as a branch name).
fn when_arg(s: &str) -> Result<String, String> {
    match crate::registry::time::invalid_day(s) {
        Some(why) => Err(format!("'{s}' is not a calendar day: {why}")),
        None => Ok(s.to_string()),
    }
}

/// `--at WHEN`: a day (its end, UTC), a date and time git understands, or a revision.
fn resolve_when(global: &Global, when: &str) -> Result<i64> {
    use crate::registry::time::parse_git_date;
    let day = when.len() == 10 && when.as_bytes()[4] == b'-' && when.as_bytes()[7] == b'-';
    if day {
        if let Some(t) = parse_git_date(&format!("{when} 23:59:59 +0000")) {
            return Ok(t.seconds);
        }
    }
    if let Some(t) = parse_git_date(when) {
        return Ok(t.seconds);
    }
    let repo = crate::git::Repo::open(global.repo.as_deref()).map_err(|_| {
        UserError::new(format!(
            "--at '{when}' is neither a date nor a revision here"
        ))
    })?;
    repo.commit_time(when).map_err(|e| {
        // A revision that exists but cannot be read (a damaged commit) says so; only an
        // unknown one is "neither a date nor a revision".
        let unknown = e
            .downcast_ref::<UserError>()
            .is_some_and(|u| u.message.starts_with("unknown revision"));
        if !unknown {
            return e;
        }
        UserError::new(format!("--at '{when}' is neither a date nor a revision"))
            .with_hint("use 2026-03-01, '2026-03-01 12:00:00 +0100', or a commit, tag or branch")
            .into()
    })
}

/// Which column a one-column flag asks for.
fn column_flag(args: &ShowArgs) -> Option<&'static str> {
    [
        (args.name, "name"),
        (args.version, "version"),
        (args.stage, "stage"),
        (args.show_ref, "ref"),
    ]
    .into_iter()
    .find_map(|(on, col)| on.then_some(col))
}

const NOTHING: &str = "Nothing found in the current workspace";

fn show_registry(
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
    struct Row<'a> {
        name: String,
        latest: Option<&'a Version>,
        cells: Vec<Vec<&'a Version>>,
        active: bool,
        registered: bool,
    }
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

/// Names declared in the top-level artifacts.yaml at HEAD. A malformed file is a warning here:
/// it must not hide the registry, which lives in tags.
fn declared_at_head(session: &Session, out: &mut Output) -> Result<Vec<ArtifactName>> {
    let Some(head) = session.repo.head_commit() else {
        return Ok(Vec::new());
    };
    let text = match crate::safe_read::declaration_at(&session.repo, &head, "artifacts.yaml")? {
        Ok(Some(text)) => text,
        Ok(None) => return Ok(Vec::new()),
        Err(e) => {
            out.warn(&e.message)?;
            return Ok(Vec::new());
        }
    };
    match crate::artifacts::parse(&text, "artifacts.yaml at HEAD") {
        Ok(entries) => Ok(entries
            .into_iter()
            .filter_map(|(name, _)| name.parse().ok())
            .collect()),
        Err(e) => {
            out.warn(&e.message)?;
            Ok(Vec::new())
        }
    }
}

/// A version as tables show it: commit-named versions cut to 7 characters.
fn short_label(v: &Version) -> String {
    match v.label.semver() {
        Some(s) => s.to_string(),
        None => short(v.label.as_str()).to_string(),
    }
}

fn show_artifact(
    artifact: &Artifact,
    shortcut: &Shortcut,
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
    match shortcut {
        Shortcut::None => {}
        Shortcut::Latest => versions.truncate(1),
        Shortcut::Version(want) => versions.retain(|v| v.label.as_str() == want),
        Shortcut::Stage(stage) => versions.retain(|v| {
            holders_of(v)
                .iter()
                .any(|h| h.vstage.stage.as_str() == stage)
        }),
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
            let mut stages: Vec<String> = Vec::new();
            for h in holders_of(v) {
                let s = h.vstage.stage.to_string();
                if !stages.contains(&s) {
                    stages.push(s);
                }
            }
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
        .map(|s| s.to_string())
        .collect();
    let table: Vec<Vec<String>> = rows.into_iter().map(|r| r.to_vec()).collect();
    out.table(&headers, &table, args.plain)?;
    Ok(())
}
