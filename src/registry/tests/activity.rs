//! What is active and what is latest (reference §4.1–4.2): ties between events, deregistration,
//! deprecation.

use super::{art, build, stage_map};
use crate::registry::resolve::{self, StageOptions};

#[test]
fn tie_unassignment_beats_assignment() {
    let reg = build(&[
        ("m@v1.0.0", "c1", 10),
        ("m#prod#1", "c1", 20),
        ("m#prod!#2", "c1", 20),
    ]);
    assert!(stage_map(art(&reg, "m"), StageOptions::default()).is_empty());
    // Listing order must not matter: the same tags in reverse give the same answer.
    let reg = build(&[
        ("m#prod!#2", "c1", 20),
        ("m#prod#1", "c1", 20),
        ("m@v1.0.0", "c1", 10),
    ]);
    assert!(stage_map(art(&reg, "m"), StageOptions::default()).is_empty());
}

#[test]
fn tie_deregistration_beats_registration() {
    let reg = build(&[("m@v1.0.0", "c1", 10), ("m@v1.0.0!", "c1", 10)]);
    let a = art(&reg, "m");
    assert!(!a.versions[0].is_active());
    assert!(a.versions[0].is_registered());
    assert!(resolve::latest(a, true).is_none());
}

#[test]
fn tie_version_events_beat_deprecation() {
    let reg = build(&[("m@v1.0.0", "c1", 10), ("m@deprecated", "c1", 10)]);
    assert!(art(&reg, "m").is_active());
    let reg = build(&[("m@v1.0.0", "c1", 10), ("m@deprecated", "c1", 11)]);
    assert!(!art(&reg, "m").is_active());
    // A later registration un-deprecates (documented GTO behaviour).
    let reg = build(&[
        ("m@v1.0.0", "c1", 10),
        ("m@deprecated", "c1", 11),
        ("m@v1.0.1", "c2", 12),
    ]);
    assert!(art(&reg, "m").is_active());
}

#[test]
fn latest_is_highest_active_semver() {
    let reg = build(&[
        ("m@v1.0.0", "c1", 10),
        ("m@v2.0.0-rc.1", "c2", 11),
        ("m@v1.5.0+build.3", "c3", 12),
        ("m@v3.0.0", "c4", 13),
        ("m@v3.0.0!", "c4", 14),
    ]);
    let a = art(&reg, "m");
    assert_eq!(
        resolve::latest(a, true).unwrap().label.as_str(),
        "v2.0.0-rc.1"
    );
}

#[test]
fn deregistered_versions_lose_their_stages() {
    let reg = build(&[
        ("m@v1.0.0", "c1", 10),
        ("m#prod#1", "c1", 11),
        ("m@v1.0.0!", "c1", 12),
    ]);
    assert!(stage_map(art(&reg, "m"), StageOptions::default()).is_empty());
}
