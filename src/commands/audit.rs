//! `registry audit [NAME] [--stage S] [--since WHEN] [--json]`: the auditor's report. Every event
//! with who the tag claims made it and who the signature proves did, the signature status, the
//! policy verdict and why, the version, commit and recorded digest; a summary line; exit 1 when
//! an event the policy covers breaks it. The policy and allowed signers come from the trusted
//! ref (`policy_source`), never from a tag's own commit.

use std::collections::BTreeMap;

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use super::trust::Trust;
use super::{Scope, Session};
use crate::commands::Global;
use crate::error::UserError;
use crate::output::Output;
use crate::registry::event::Event;
use crate::registry::name::{ArtifactName, Stage};
use crate::registry::signature::SigStatus;
use crate::registry::time::parse_git_date;
use crate::registry::trust::{Breach, BreachKind, Verdict};
use crate::registry::version::short;

const EXAMPLES: &str = "\
Examples:
  registry audit                          # every event: claimed tagger, proven signer, verdict
  registry audit churn --stage prod       # who put which version of churn into prod, proven by whom
  registry audit --since 2026-06-01 --json
  registry audit --policy-ref origin/main # the policy of origin/main, in a CI checkout of a tag";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub(crate) struct AuditArgs {
    /// Only this artifact's events
    pub name: Option<ArtifactName>,
    /// Only the assignments and unassignments of this stage
    #[arg(long, value_name = "STAGE")]
    pub stage: Option<Stage>,
    /// Only events tagged at or after this time: a day (`2026-06-01`, from its start in UTC) or
    /// an ISO 8601 or RFC 2822 time
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Print JSON: the events and the summary
    #[arg(long)]
    pub json: bool,
    /// Read .registry.yaml and the allowed-signers file from this branch (e.g. `origin/main`) or
    /// full commit id instead of the default branch
    #[arg(long = "policy-ref", visible_alias = "policy-from", value_name = "REV")]
    pub policy_ref: Option<String>,
}

/// One event of the report, as `--json` prints it.
#[derive(Debug, Serialize)]
struct Row {
    timestamp: String,
    tag: String,
    artifact: String,
    event: &'static str,
    version: Option<String>,
    stage: Option<String>,
    commit: String,
    /// The digest the version's registration recorded (`sha256:…`), if any.
    digest: Option<String>,
    /// Who the tag says made it: anyone can type this.
    tagger: Tagger,
    signature: crate::json::SignatureJson,
    verdict: VerdictJson,
    /// The table's signer column: the proven principal and key, or for an expired key whose
    /// principal it was (not proven: the key was not valid then).
    #[serde(skip)]
    signer: String,
}

#[derive(Debug, Serialize)]
struct Tagger {
    name: String,
    email: String,
}

#[derive(Debug, Serialize)]
struct VerdictJson {
    /// `pass`, `fail`, `grandfathered` (before the cut-over) or `not-covered` (no rule applies).
    result: &'static str,
    /// For a failure: which rule (`unsigned`, `bad-signature`, `unknown-key`, `expired`,
    /// `unverifiable`, `not-allowed`, `two-person`, `metrics`, `stage-case`).
    rule: Option<&'static str>,
    reason: Option<String>,
}

#[derive(Debug, Serialize)]
struct Report {
    events: Vec<Row>,
    summary: Summary,
}

#[derive(Debug, Serialize)]
struct Summary {
    events: usize,
    /// How many events have each signature status.
    signatures: BTreeMap<&'static str, usize>,
    /// How many events have each verdict.
    verdicts: BTreeMap<&'static str, usize>,
}

fn rule_word(kind: BreachKind) -> &'static str {
    match kind {
        BreachKind::Unsigned => "unsigned",
        BreachKind::BadSignature => "bad-signature",
        BreachKind::UnknownKey => "unknown-key",
        BreachKind::Expired => "expired",
        BreachKind::Unverifiable => "unverifiable",
        BreachKind::NotAllowed => "not-allowed",
        BreachKind::TwoPerson => "two-person",
        BreachKind::Metrics => "metrics",
        BreachKind::StageCase => "stage-case",
    }
}

fn verdict_json(v: &Verdict) -> VerdictJson {
    let (result, breach): (&'static str, Option<&Breach>) = match v {
        Verdict::Pass => ("pass", None),
        Verdict::Grandfathered => ("grandfathered", None),
        Verdict::NotCovered => ("not-covered", None),
        Verdict::Fail(b) => ("fail", Some(b)),
    };
    VerdictJson {
        result,
        rule: breach.map(|b| rule_word(b.kind)),
        reason: breach.map(|b| b.reason.clone()),
    }
}

/// `--since`: a day is its start (UTC), else a date git understands.
fn since(raw: &str) -> Result<i64> {
    let day = raw.len() == 10 && raw.as_bytes()[4] == b'-' && raw.as_bytes()[7] == b'-';
    let parsed = if day {
        parse_git_date(&format!("{raw}T00:00:00Z"))
    } else {
        parse_git_date(raw)
    };
    parsed.map(|t| t.seconds).ok_or_else(|| {
        UserError::new(format!(
            "--since '{}' is not a date",
            crate::output::escape(raw)
        ))
        .with_hint("use a day (`2026-06-01`) or a time git reads (`2026-06-01T12:00:00+02:00`)")
        .into()
    })
}

pub(crate) fn run(global: &Global, args: AuditArgs, out: &mut Output) -> Result<()> {
    let since = args.since.as_deref().map(since).transpose()?;
    let scope = match &args.name {
        Some(n) => Scope::Artifact(n),
        None => Scope::All,
    };
    let session = Session::open(global, scope)?;
    session.print_warnings(out)?;
    let trust = Trust::trusted(&session.repo, args.policy_ref.as_deref())?;
    let statuses = trust.statuses(&session.reg);
    let mut picked: Vec<(&Event, Option<&str>, Option<String>)> = Vec::new();
    for artifact in &session.reg.artifacts {
        let digests: BTreeMap<&str, String> = artifact
            .versions
            .iter()
            .filter_map(|v| v.provenance().map(|p| (v.label.as_str(), p.digest)))
            .collect();
        for (event, version) in artifact.events_with_versions() {
            if args
                .stage
                .as_ref()
                .is_some_and(|s| event.stage.as_ref() != Some(s))
            {
                continue;
            }
            if since.is_some_and(|t| event.time.seconds < t) {
                continue;
            }
            let digest = version.and_then(|v| digests.get(v).cloned());
            picked.push((event, version, digest));
        }
    }
    // Oldest first: an audit reads as a story.
    picked.sort_by(|(a, ..), (b, ..)| {
        (a.time.seconds, a.kind.priority(), a.counter, &a.tag).cmp(&(
            b.time.seconds,
            b.kind.priority(),
            b.counter,
            &b.tag,
        ))
    });
    let mut rows = Vec::with_capacity(picked.len());
    let mut failures: Vec<(String, String)> = Vec::new();
    let mut summary = Summary {
        events: picked.len(),
        signatures: BTreeMap::new(),
        verdicts: BTreeMap::new(),
    };
    for (event, version, digest) in picked {
        let status = statuses.get(&event.tag).unwrap_or(&SigStatus::Unsigned);
        let verdict = trust.judge(&session.repo, &session.reg, event, &statuses, event.time);
        let verdict = verdict_json(&verdict);
        *summary.signatures.entry(status.word()).or_default() += 1;
        *summary.verdicts.entry(verdict.result).or_default() += 1;
        if let Some(reason) = &verdict.reason {
            failures.push((event.tag.clone(), reason.clone()));
        }
        rows.push(Row {
            timestamp: event.time.iso(),
            tag: event.tag.clone(),
            artifact: event.artifact.to_string(),
            event: event.kind.as_str(),
            version: version.map(str::to_string),
            stage: event.stage.as_ref().map(ToString::to_string),
            commit: event.commit.clone(),
            digest,
            tagger: Tagger {
                name: event.author.clone(),
                email: event.author_email.clone(),
            },
            signature: crate::json::signature_json(status),
            verdict,
            signer: signer_cell(status),
        });
    }
    let line = summary_line(&summary);
    if args.json {
        out.json(&Report {
            events: rows,
            summary,
        })?;
    } else {
        print_table(out, &rows)?;
        for (tag, reason) in &failures {
            // One line each, whatever a reason quotes: no value can print a line of its own.
            out.line(&crate::output::escape(&format!("{tag}: {reason}")))?;
        }
        out.line(&line)?;
    }
    if failures.is_empty() {
        return Ok(());
    }
    Err(UserError::new(format!("audit: {line}"))
        .with_hint("each failing event is listed with its reason; `registry doctor` checks the allowed-signers file and the rules")
        .into())
}

/// `40 events: 38 good, 2 unsigned; 39 pass, 1 fails`.
fn summary_line(s: &Summary) -> String {
    let counts = |m: &BTreeMap<&'static str, usize>| {
        m.iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let noun = if s.events == 1 { "event" } else { "events" };
    if s.events == 0 {
        return "0 events".to_string();
    }
    format!(
        "{} {noun}: signatures {}; verdicts {}",
        s.events,
        counts(&s.signatures),
        counts(&s.verdicts)
    )
}

fn print_table(out: &mut Output, rows: &[Row]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let headers: Vec<String> = [
        "timestamp",
        "tag",
        "version",
        "commit",
        "digest",
        "tagger (claimed)",
        "signer (verified)",
        "signature",
        "verdict",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.timestamp.clone(),
                r.tag.clone(),
                r.version.clone().unwrap_or_default(),
                short(&r.commit).to_string(),
                r.digest
                    .as_deref()
                    .map(|d| d.chars().take(19).collect::<String>())
                    .unwrap_or_default(),
                format!("{} <{}>", r.tagger.name, r.tagger.email),
                r.signer.clone(),
                r.signature.status.to_string(),
                r.verdict.result.to_string(),
            ]
        })
        .collect();
    out.table(&headers, &cells, true)?;
    Ok(())
}

/// Who signed, as the table shows it: the proven principal and key; for an expired key, the
/// principal it belonged to, marked so; else the key alone.
fn signer_cell(status: &SigStatus) -> String {
    match status {
        SigStatus::Good {
            principal,
            fingerprint,
            ..
        } => format!("{principal} {fingerprint}"),
        SigStatus::Expired {
            principal,
            fingerprint,
            ..
        } => format!("({principal}, key not valid) {fingerprint}"),
        other => other.fingerprint().unwrap_or_default().to_string(),
    }
}
