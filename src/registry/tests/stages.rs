//! Which version is in each stage (reference §4.3): the worked example, `--av`, `--vs`,
//! `--sort`, ties and counters, and the stages in use (§4.4).

use super::{art, build, pairs, per_version, stage_map};
use crate::registry::resolve::{self, Sort, StageOptions};
use crate::registry::state::Registry;

/// Reference §4.3 worked example: v1 at c1, v2 at c2; dev→v1, staging→v2, prod→v1, dev→v2.
fn worked_example() -> Registry {
    build(&[
        ("m@v1.0.0", "c1", 10),
        ("m@v2.0.0", "c2", 11),
        ("m#dev#1", "c1", 12),
        ("m#staging#2", "c2", 13),
        ("m#prod#3", "c1", 14),
        ("m#dev#4", "c2", 15),
    ])
}

#[test]
fn worked_example_default() {
    let reg = worked_example();
    let a = art(&reg, "m");
    assert_eq!(
        stage_map(a, StageOptions::default()),
        pairs(&[("dev", "v2.0.0"), ("prod", "v1.0.0"), ("staging", "v2.0.0")])
    );
    assert_eq!(
        per_version(a, StageOptions::default()),
        vec![
            ("v1.0.0".into(), vec!["prod".into()]),
            ("v2.0.0".into(), vec!["dev".into(), "staging".into()]),
        ]
    );
}

#[test]
fn worked_example_all_versions_per_stage() {
    let reg = worked_example();
    let opts = StageOptions {
        versions_per_stage: -1,
        ..StageOptions::default()
    };
    let a = art(&reg, "m");
    assert_eq!(
        stage_map(a, opts),
        pairs(&[
            ("dev", "v2.0.0, v1.0.0"),
            ("prod", "v1.0.0"),
            ("staging", "v2.0.0")
        ])
    );
}

#[test]
fn av_keeps_the_newest_stages_b4_fixed() {
    // GTO keeps the oldest (v2: staging, v1: dev); the documented Kanban meaning is the newest.
    let reg = worked_example();
    let opts = StageOptions {
        assignments_per_version: 1,
        versions_per_stage: -1,
        ..StageOptions::default()
    };
    assert_eq!(
        per_version(art(&reg, "m"), opts),
        vec![
            ("v1.0.0".into(), vec!["prod".into()]),
            ("v2.0.0".into(), vec!["dev".into()]),
        ]
    );
}

#[test]
fn semver_sort_prefers_the_higher_version() {
    // dev is held by v1 (newest assignment) but with --sort semver and --vs 1, v2 comes first.
    let reg = build(&[
        ("m@v1.0.0", "c1", 10),
        ("m@v2.0.0", "c2", 11),
        ("m#dev#1", "c2", 12),
        ("m#dev#2", "c1", 13),
    ]);
    let a = art(&reg, "m");
    assert_eq!(
        stage_map(a, StageOptions::default()),
        pairs(&[("dev", "v1.0.0")])
    );
    let semver = StageOptions {
        sort: Sort::Semver,
        ..StageOptions::default()
    };
    assert_eq!(stage_map(a, semver), pairs(&[("dev", "v2.0.0")]));
}

#[test]
fn tie_in_a_stage_goes_to_the_older_version() {
    // Reference §4.3: same-second assignments of one stage, lower (older) version first.
    let reg = build(&[
        ("m@v1.0.0", "c1", 10),
        ("m@v2.0.0", "c2", 11),
        ("m#prod#1", "c2", 20),
        ("m#prod#2", "c1", 20),
    ]);
    assert_eq!(
        stage_map(art(&reg, "m"), StageOptions::default()),
        pairs(&[("prod", "v1.0.0")])
    );
}

#[test]
fn counter_breaks_the_last_tie() {
    // Two assignments of one stage to one version in the same second: the higher counter is the
    // newest, even where the names sort the other way ("#10" < "#9" as text).
    let reg = build(&[
        ("m@v1.0.0", "c1", 10),
        ("m#prod#10", "c1", 20),
        ("m#prod#9", "c1", 20),
    ]);
    let a = art(&reg, "m");
    let vstage = a.versions[0].vstage(&"prod".parse().unwrap()).unwrap();
    assert_eq!(vstage.authoring_event().unwrap().tag, "m#prod#10");
}

#[test]
fn counters_never_order_by_time() {
    // Reference §4.3: a #prod#9 tag older by tagger time than #prod#3 loses.
    let reg = build(&[
        ("m@v1.0.0", "c1", 10),
        ("m@v2.0.0", "c2", 11),
        ("m#prod#9", "c2", 12),
        ("m#prod#3", "c1", 13),
    ]);
    assert_eq!(
        stage_map(art(&reg, "m"), StageOptions::default()),
        pairs(&[("prod", "v1.0.0")])
    );
}

#[test]
fn used_stages_are_currently_active_ones() {
    let reg = build(&[
        ("m@v1.0.0", "c1", 10),
        ("m#dev#1", "c1", 11),
        ("m#prod#2", "c1", 12),
        ("m#prod!#3", "c1", 13),
        ("n@v1.0.0", "c2", 14),
        ("n#qa#1", "c2", 15),
    ]);
    assert_eq!(
        resolve::used_stages(&reg),
        vec!["dev".to_string(), "qa".to_string()]
    );
}
