//! Every `dvc.lock` of a commit's tree, each out judged against the `dvc.yaml` beside it: DVC
//! collects every `dvc.yaml`/`dvc.lock` pair of the repository, and a stage's outs may be
//! anywhere in it (`pipelines/dvc.lock` writing `../models/m.pkl`).

use anyhow::Result;

use super::record::{self, Kind};
use super::stages::{Judged, Stages};
use crate::git::Repo;
use crate::yaml::Value;

/// Each `dvc.lock` of `commit`'s tree (repository-relative) with its outs, judged.
pub(super) fn lock_outs(repo: &Repo, commit: &str) -> Result<Vec<(String, Judged)>> {
    let short = &commit[..commit.len().min(7)];
    let mut found = Vec::new();
    let locks = repo.files_named(commit, &["dvc.lock"])?;
    // A partial clone fetches every lock and the dvc.yaml beside it in one batch.
    let beside: Vec<String> = locks
        .iter()
        .map(|l| {
            l.rsplit_once('/')
                .map_or("dvc.yaml".into(), |(d, _)| format!("{d}/dvc.yaml"))
        })
        .collect();
    let wanted: Vec<(&str, &str)> = locks
        .iter()
        .chain(&beside)
        .map(|f| (commit, f.as_str()))
        .collect();
    repo.prefetch(&wanted)?;
    for lock in locks {
        let Some(text) = crate::safe_read::declaration_at(repo, commit, &lock)?? else {
            continue;
        };
        let outs = record::parse(Kind::Lock, &text, &lock, &format!("{lock} at {short}"))?;
        if outs.is_empty() {
            continue;
        }
        let schema_ok = matches!(
            Value::parse(&text),
            Ok(Value::Mapping(m)) if m.get("schema").and_then(Value::as_str) == Some("2.0")
        );
        let yaml = match lock.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/dvc.yaml"),
            None => "dvc.yaml".to_string(),
        };
        // A dvc.yaml that cannot be read leaves the lock's entries unread, as for DVC.
        let yaml_text = crate::safe_read::declaration_at(repo, commit, &yaml)?
            .ok()
            .flatten();
        let stages = Stages::read(yaml_text.as_deref());
        // A lock (or the dvc.yaml it is judged by) that git holds as a link is not read by DVC
        // at this commit: its outs name no bytes, but still keep a digest from being taken.
        // So is one a `.dvcignore` of the commit leaves out.
        let mut unread = None;
        for f in [&lock, &yaml] {
            if super::linked(repo, commit, f)? {
                unread = Some(format!("DVC does not read {}", super::link_why(f, commit)));
            } else if let Some(why) = super::ignored::left_out(repo, commit, f)? {
                unread = Some(format!("DVC does not read {f}: {why}"));
            }
            if unread.is_some() {
                break;
            }
        }
        for out in outs {
            let judged = match (&unread, stages.judge(&lock, &yaml, schema_ok, out)) {
                (Some(why), Judged::Current(o)) => Judged::Stale {
                    path: o.path,
                    raw: o.raw,
                    why: why.clone(),
                },
                (_, j) => j,
            };
            found.push((lock.clone(), judged));
        }
    }
    Ok(found)
}
