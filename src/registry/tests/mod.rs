//! Unit tests of GTO's rules (reference §4) and of planning (§5, §12) on hand-built events.
//! No git, no files: each test is a list of tags with times and commits.
//! This file holds the fixtures they share; each file beside it tests one idea.

mod activity;
mod fold;
mod pick;
mod plan_assign;
mod plan_register;
mod plan_rollback;
mod plan_withdraw;
mod registrant;
mod stages;
mod trust;
mod trust_metrics;

use super::event::{Event, RawTag, Target, event_from_raw};
use super::name::ArtifactName;
use super::plan::Context;
use super::resolve::{self, StageOptions};
use super::state::{Artifact, Registry};
use super::time::Timestamp;
use super::version::VersionName;

/// An event from a tag name, a commit and a time in seconds.
fn ev(tag: &str, commit: &str, t: i64) -> Event {
    let raw = RawTag {
        name: tag.into(),
        target: Target::Commit(commit.into()),
        tagger_name: "T".into(),
        tagger_email: "t@x".into(),
        time: Timestamp::new(t, 0),
        message: format!("msg {tag}"),
        signed: None,
    };
    event_from_raw(raw)
        .expect("no warning")
        .expect("a registry tag")
}

fn build(events: &[(&str, &str, i64)]) -> Registry {
    Registry::build(
        events.iter().map(|(t, c, s)| ev(t, c, *s)).collect(),
        Vec::new(),
    )
}

fn art<'a>(reg: &'a Registry, name: &str) -> &'a Artifact {
    reg.artifact(&name.parse().unwrap())
        .expect("artifact exists")
}

/// `{stage: "v2, v1"}` as the registry table shows it, stages sorted.
fn stage_map(a: &Artifact, opts: StageOptions) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = resolve::stages(a, opts)
        .into_iter()
        .map(|(s, hs)| {
            let vs: Vec<&str> = hs.iter().map(|h| h.version.label.as_str()).collect();
            (s, vs.join(", "))
        })
        .collect();
    out.sort();
    out
}

/// Stages each version is in, as `show NAME` lists them.
fn per_version(a: &Artifact, opts: StageOptions) -> Vec<(String, Vec<String>)> {
    let resolved = resolve::stages(a, opts);
    let mut out = Vec::new();
    for v in &a.versions {
        let mut stages: Vec<String> = resolved
            .iter()
            .flat_map(|(_, hs)| hs.iter())
            .filter(|h| std::ptr::eq(h.version, v))
            .map(|h| h.vstage.stage.to_string())
            .collect();
        stages.sort();
        out.push((v.label.as_str().to_string(), stages));
    }
    out
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn ctx(reg_tags: &[&str]) -> Context {
    Context {
        tag_names: reg_tags.iter().map(ToString::to_string).collect(),
        allowed_stages: None,
    }
}

fn name(s: &str) -> ArtifactName {
    s.parse().unwrap()
}

fn ver(s: &str) -> VersionName {
    s.parse().unwrap()
}
