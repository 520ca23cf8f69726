//! Which version a typed target picks (`resolve::pick` for the commands that read one version,
//! `resolve::keep_picked` for `show NAME…`'s rows), and how the read side's rule for a version
//! name differs from planning's on purpose.

use super::{art, build, ctx, name, ver};
use crate::registry::plan::{self, Simple};
use crate::registry::resolve::{self, PickError, StageOptions};
use crate::registry::spec::Pick;

fn pick(s: &str) -> Pick {
    s.parse().unwrap()
}

fn picked(tags: &[(&str, &str, i64)], target: &str) -> Result<(String, String), PickError> {
    let reg = build(tags);
    resolve::pick(art(&reg, "m"), &pick(target))
        .map(|v| (v.label.as_str().to_string(), v.commit.clone()))
}

fn found(label: &str, commit: &str) -> (String, String) {
    (label.to_string(), commit.to_string())
}

#[test]
fn latest_and_greatest_pick_the_highest_active_registered_version() {
    let tags = [
        ("m@v1.0.0", "c1", 10),
        ("m@v2.0.0", "c2", 11),
        ("m@v3.0.0", "c3", 12),
        ("m@v3.0.0!", "c3", 13),
        ("m#dev#5", "c4", 14),
    ];
    assert_eq!(picked(&tags, "latest"), Ok(found("v2.0.0", "c2")));
    assert_eq!(picked(&tags, "greatest"), Ok(found("v2.0.0", "c2")));
    // Only a deregistered version and a commit with a stage: nothing registered is live.
    let none = [
        ("m@v1.0.0", "c1", 10),
        ("m@v1.0.0!", "c1", 11),
        ("m#dev#3", "c2", 12),
    ];
    assert_eq!(picked(&none, "latest"), Err(PickError::NoVersions));
}

#[test]
fn a_version_name_picks_a_registered_version_even_a_deregistered_one() {
    let tags = [
        ("m@v1.0.0", "c1", 10),
        ("m@v1.0.0!", "c1", 11),
        ("m#dev#3", "c2", 12),
    ];
    assert_eq!(picked(&tags, "v1.0.0"), Ok(found("v1.0.0", "c1")));
    assert_eq!(
        picked(&tags, "v9.0.0"),
        Err(PickError::NotRegistered(ver("v9.0.0")))
    );
}

#[test]
fn a_stage_picks_its_holder_under_gtos_default_resolution() {
    let tags = [
        ("m@v1.0.0", "c1", 10),
        ("m@v2.0.0", "c2", 11),
        ("m#prod#1", "c2", 12),
        ("m#prod#2", "c1", 13),
        ("m#dev#3", "c2", 14),
        ("m#dev!#4", "c2", 15),
    ];
    // The most recent assignment wins, not the higher version.
    assert_eq!(picked(&tags, "#prod"), Ok(found("v1.0.0", "c1")));
    assert_eq!(
        picked(&tags, "#dev"),
        Err(PickError::StageEmpty("dev".parse().unwrap()))
    );
}

/// One name on two commits (hand-made, or GTO re-issuing a withdrawn name, §14 B10); the later
/// one then deregistered. A read means the newest registration; a write the live one.
#[test]
fn reads_pick_the_last_registered_twin_writes_the_live_one() {
    let reg = build(&[
        ("m@v1.0.0", "c1", 10),
        ("m@v1.0.0", "c2", 11),
        ("m@v1.0.0!", "c2", 12),
    ]);
    let read = resolve::pick(art(&reg, "m"), &pick("v1.0.0")).unwrap();
    assert_eq!(read.commit, "c2");
    assert!(!read.is_active());
    let req = plan::Deregister {
        artifact: name("m"),
        version: ver("v1.0.0"),
        force: false,
        simple: Simple::Auto,
        message: None,
    };
    let write = plan::deregister(&reg, &ctx(&[]), &req).unwrap();
    assert_eq!(write.commit, "c1");
}

#[test]
fn show_keeps_every_row_a_target_names() {
    let reg = build(&[
        ("m@v1.0.0", "c1", 10),
        ("m@v1.0.0", "c2", 11),
        ("m@v2.0.0", "c3", 12),
        ("m#prod#1", "c1", 13),
        ("m#prod#2", "c3", 14),
    ]);
    let a = art(&reg, "m");
    let rows: Vec<_> = a.versions.iter().rev().collect();
    let opts = StageOptions {
        versions_per_stage: -1,
        ..StageOptions::default()
    };
    let stages = resolve::stages(a, opts);
    let kept = |target: &str| -> Vec<String> {
        resolve::keep_picked(rows.clone(), &pick(target), &stages)
            .iter()
            .map(|v| format!("{}@{}", v.label.as_str(), v.commit))
            .collect()
    };
    assert_eq!(kept("latest"), ["v2.0.0@c3"]);
    assert_eq!(kept("v1.0.0"), ["v1.0.0@c2", "v1.0.0@c1"]);
    // With --vs -1 both holders of prod are rows.
    assert_eq!(kept("#prod"), ["v2.0.0@c3", "v1.0.0@c1"]);
    let one = resolve::stages(a, StageOptions::default());
    assert_eq!(
        resolve::keep_picked(rows.clone(), &pick("#prod"), &one).len(),
        1
    );
}
