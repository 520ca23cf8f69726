//! How tags fold into artifacts and versions (reference §4 steps 1–4): retroactive attribution,
//! unregistered commits, oddities read around, GTO's artifact order.

use super::{art, build, pairs, stage_map};
use crate::registry::resolve::{self, StageOptions};

#[test]
fn assignment_before_registration_is_attributed_retroactively() {
    // Reference §4 step 2: pass (b) runs before (c).
    let reg = build(&[("m#dev#1", "c1", 10), ("m@v1.0.0", "c1", 11)]);
    let a = art(&reg, "m");
    assert_eq!(a.versions.len(), 1);
    assert_eq!(
        stage_map(a, StageOptions::default()),
        pairs(&[("dev", "v1.0.0")])
    );
}

#[test]
fn unregistered_commit_is_one_version_b7_fixed() {
    let reg = build(&[("m#dev#1", "c1", 10), ("m#prod#2", "c1", 11)]);
    let a = art(&reg, "m");
    assert_eq!(
        a.versions.len(),
        1,
        "one version per commit, not one per tag"
    );
    assert!(a.versions[0].is_discovered());
    assert!(a.versions[0].is_active());
    assert_eq!(
        stage_map(a, StageOptions::default()),
        pairs(&[("dev", "c1"), ("prod", "c1")])
    );
    // Not registered: no "latest" in the registry table, but it is a non-explicit candidate.
    assert!(resolve::latest(a, true).is_none());
    let ro = StageOptions {
        registered_only: true,
        ..StageOptions::default()
    };
    assert!(stage_map(a, ro).is_empty());
}

#[test]
fn oddities_warn_and_the_rest_still_reads() {
    // Two versions on one commit (GTO: every command fails) and one version on two commits.
    let reg = build(&[
        ("m@v1.0.0", "c1", 10),
        ("m@v1.0.1", "c1", 11),
        ("m#prod#1", "c1", 12),
        ("n@v1.0.0", "c2", 13),
        ("n@v1.0.0#2", "c3", 14),
        ("ok@v0.0.1", "c4", 15),
    ]);
    assert_eq!(reg.warnings.len(), 2, "{:?}", reg.warnings);
    assert!(
        reg.warnings[0]
            .message
            .contains("several versions on commit c1")
    );
    assert!(
        reg.warnings[1]
            .message
            .contains("registered on several commits")
    );
    // The assignment goes to the version registered last before it, as GTO's own helper does.
    assert_eq!(
        stage_map(art(&reg, "m"), StageOptions::default()),
        pairs(&[("prod", "v1.0.1")])
    );
    assert_eq!(art(&reg, "n").versions.len(), 2);
    assert_eq!(
        resolve::latest(art(&reg, "ok"), true)
            .unwrap()
            .label
            .as_str(),
        "v0.0.1"
    );
}

#[test]
fn artifacts_keep_gto_insertion_order() {
    // Deprecation pass, then registrations, then assignments (reference §6).
    let reg = build(&[
        ("b@v1.0.0", "c1", 10),
        ("c#dev#1", "c2", 11),
        ("a@deprecated", "c3", 12),
    ]);
    let names: Vec<&str> = reg.artifacts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, vec!["a", "b", "c"]);
}
