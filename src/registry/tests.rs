//! Unit tests of GTO's rules (reference §4) and of planning (§5, §12) on hand-built events.
//! No git, no files: each test is a list of tags with times and commits.

use super::error::PlanError;
use super::event::{event_from_raw, Event, EventKind, RawTag, Target};
use super::name::ArtifactName;
use super::plan::{self, AssignTarget, Context, Simple};
use super::resolve::{self, Sort, StageOptions};
use super::state::{Artifact, Registry};
use super::time::Timestamp;
use super::version::{Bump, VersionName};

/// An event from a tag name, a commit and a time in seconds.
fn ev(tag: &str, commit: &str, t: i64) -> Event {
    let raw = RawTag {
        name: tag.into(),
        target: Target::Commit(commit.into()),
        tagger_name: "T".into(),
        tagger_email: "t@x".into(),
        time: Timestamp::new(t, 0),
        message: format!("msg {tag}"),
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
    assert!(reg.warnings[0]
        .message
        .contains("several versions on commit c1"));
    assert!(reg.warnings[1]
        .message
        .contains("registered on several commits"));
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

// ---------------------------------------------------------------------------------------------
// Planning

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

fn register_req(artifact: &str, commit: &str) -> plan::Register {
    plan::Register {
        artifact: name(artifact),
        commit: commit.into(),
        version: None,
        bumps: Vec::new(),
        force: false,
        simple: Simple::Auto,
        message: None,
    }
}

#[test]
fn next_counter_counts_every_tag_of_the_artifact() {
    // Lightweight tags count too (they are in the name list); other artifacts do not.
    let c = ctx(&[
        "m#prod#3",
        "m@v1.0.0",
        "m@deprecated#7",
        "other#dev#40",
        "v1.0.0",
    ]);
    assert_eq!(c.next_counter(&name("m")), 8);
    assert_eq!(c.next_counter(&name("new")), 1);
}

#[test]
fn first_registration_is_v0_0_1_then_patch_bumps() {
    let empty = Registry::default();
    let t = plan::register(&empty, &ctx(&[]), &register_req("m", "c1")).unwrap();
    assert_eq!(t.name, "m@v0.0.1");
    assert_eq!(t.message, "Registering artifact m version v0.0.1");
    let reg = build(&[("m@v1.2.3-rc.1", "c1", 10)]);
    let t = plan::register(&reg, &ctx(&["m@v1.2.3-rc.1"]), &register_req("m", "c2")).unwrap();
    assert_eq!(t.name, "m@v1.2.4");
    let mut req = register_req("m", "c2");
    req.bumps = vec![Bump::Minor];
    assert_eq!(
        plan::register(&reg, &ctx(&[]), &req).unwrap().name,
        "m@v1.3.0"
    );
}

#[test]
fn register_conflicts_use_gto_messages() {
    let reg = build(&[("m@v1.0.0", "c1", 10)]);
    let c = ctx(&["m@v1.0.0"]);
    let err = plan::register(&reg, &c, &register_req("m", "c1")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "'m' is already registered in this commit with version 'v1.0.0'"
    );

    let mut req = register_req("m", "c2");
    req.version = Some(ver("v1.0.0"));
    assert_eq!(
        plan::register(&reg, &c, &req).unwrap_err().to_string(),
        "Version 'v1.0.0' already was registered.\n"
    );
    req.bumps = vec![Bump::Minor];
    assert_eq!(
        plan::register(&reg, &c, &req).unwrap_err().to_string(),
        "Need to specify either version or single bump argument"
    );
    let mut first = register_req("new", "c9");
    first.bumps = vec![Bump::Major];
    assert_eq!(
        plan::register(&reg, &c, &first).unwrap_err().to_string(),
        "Can't apply bump, because this is the first version being registered"
    );
}

#[test]
fn force_never_duplicates_an_active_registration_b8_fixed() {
    let reg = build(&[("m@v1.0.0", "c1", 10)]);
    let mut req = register_req("m", "c1");
    req.force = true;
    req.simple = Simple::No;
    let err = plan::register(&reg, &ctx(&["m@v1.0.0"]), &req).unwrap_err();
    // The refusal is data: the shell picks the hint for `--force` from it.
    assert_eq!(
        err,
        PlanError::AlreadyRegistered {
            artifact: name("m"),
            version: "v1.0.0".into(),
            force: true,
        }
    );
    assert!(err
        .to_string()
        .contains("already registered in this commit"));
}

#[test]
fn deregistered_commit_reregisters_its_version_in_counter_form() {
    let reg = build(&[("m@v1.0.0", "c1", 10), ("m@v1.0.0!", "c1", 11)]);
    let c = ctx(&["m@v1.0.0", "m@v1.0.0!"]);
    let t = plan::register(&reg, &c, &register_req("m", "c1")).unwrap();
    assert_eq!(t.name, "m@v1.0.0#1");
    let mut other = register_req("m", "c1");
    other.version = Some(ver("v2.0.0"));
    assert_eq!(
        plan::register(&reg, &c, &other).unwrap_err().to_string(),
        "For this REF you can only register v1.0.0"
    );
}

#[test]
fn auto_bump_never_reuses_a_withdrawn_name_b10_fixed() {
    let reg = build(&[
        ("m@v1.0.0", "c1", 10),
        ("m@v1.0.1", "c2", 11),
        ("m@v1.0.1!", "c2", 12),
    ]);
    let t = plan::register(&reg, &ctx(&[]), &register_req("m", "c3")).unwrap();
    assert_eq!(t.name, "m@v1.0.2", "GTO would re-issue v1.0.1");
    let mut req = register_req("m", "c3");
    req.version = Some(ver("v1.0.1"));
    assert!(plan::register(&reg, &ctx(&[]), &req).is_err());
}

fn assign_req(target: AssignTarget, stage: &str) -> plan::Assign {
    plan::Assign {
        artifact: name("m"),
        stage: stage.parse().unwrap(),
        target,
        force: false,
        simple: Simple::Auto,
        message: None,
    }
}

#[test]
fn assign_registers_an_unregistered_commit_first() {
    let reg = build(&[("m@v1.0.0", "c1", 10), ("m#dev#1", "c1", 11)]);
    let c = ctx(&["m@v1.0.0", "m#dev#1"]);
    let target = AssignTarget::Commit {
        commit: "c2".into(),
        name_version: None,
        skip_registration: false,
    };
    let tags = plan::assign(&reg, &c, &assign_req(target, "prod")).unwrap();
    let names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, vec!["m@v1.0.1", "m#prod#2"]);
    assert_eq!(
        tags[1].message,
        "Assigning stage prod to artifact m version v1.0.1"
    );
}

#[test]
fn assign_checks_use_gto_messages() {
    let reg = build(&[("m@v1.0.0", "c1", 10), ("m#dev#1", "c1", 11)]);
    let c = ctx(&["m@v1.0.0", "m#dev#1"]);
    let err = plan::assign(
        &reg,
        &c,
        &assign_req(AssignTarget::Version(ver("v1.0.0")), "dev"),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Version 'v1.0.0' is already in stage 'dev'. Use the '--force' flag to create a new Git tag nevertheless."
    );
    let err = plan::assign(
        &reg,
        &c,
        &assign_req(AssignTarget::Version(ver("v9.0.0")), "dev"),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "Version 'v9.0.0' is not registered");
    let taken = AssignTarget::Commit {
        commit: "c1".into(),
        name_version: Some(ver("v2.0.0")),
        skip_registration: false,
    };
    assert_eq!(
        plan::assign(&reg, &c, &assign_req(taken, "prod"))
            .unwrap_err()
            .to_string(),
        "Can't register 'v2.0.0', since 'v1.0.0' is registered already at this ref"
    );
    let mut limited = c.clone();
    limited.allowed_stages = Some(vec!["dev".into(), "prod".into()]);
    let err = plan::assign(
        &reg,
        &limited,
        &assign_req(AssignTarget::Version(ver("v1.0.0")), "qa"),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "Allowed stages are: '['dev', 'prod']'");
}

#[test]
fn unassign_needs_the_stage_held_now_b6_fixed() {
    let reg = build(&[
        ("m@v1.0.0", "c1", 10),
        ("m#dev#1", "c1", 11),
        ("m#dev!#2", "c1", 12),
    ]);
    let req = plan::Unassign {
        artifact: name("m"),
        stage: "dev".parse().unwrap(),
        version: Some(ver("v1.0.0")),
        force: false,
        simple: Simple::Auto,
        message: None,
    };
    let c = ctx(&["m@v1.0.0", "m#dev#1", "m#dev!#2"]);
    assert_eq!(
        plan::unassign(&reg, &c, &req).unwrap_err().to_string(),
        "Stage 'dev' is not assigned to a version 'v1.0.0'"
    );
    let forced = plan::Unassign { force: true, ..req };
    assert_eq!(plan::unassign(&reg, &c, &forced).unwrap().name, "m#dev!#3");
}

#[test]
fn deprecate_twice_is_refused_and_force_writes_a_counter() {
    let reg = build(&[("m@v1.0.0", "c1", 10), ("m@deprecated", "c1", 11)]);
    let req = plan::Deprecate {
        artifact: name("m"),
        commit: None,
        head: Some("h".into()),
        force: false,
        simple: Simple::Auto,
        message: None,
    };
    let c = ctx(&["m@v1.0.0", "m@deprecated"]);
    assert_eq!(
        plan::deprecate(&reg, &c, &req).unwrap_err().to_string(),
        "Artifact was deprecated already"
    );
    let forced = plan::Deprecate {
        force: true,
        ..req.clone()
    };
    let t = plan::deprecate(&reg, &c, &forced).unwrap();
    assert_eq!(
        (t.name.as_str(), t.commit.as_str()),
        ("m@deprecated#1", "c1")
    );
    let bad = plan::Deprecate {
        force: true,
        simple: Simple::Yes,
        ..req
    };
    assert_eq!(
        plan::deprecate(&reg, &c, &bad).unwrap_err().to_string(),
        "Can't use 'force' with 'simple=True'"
    );
}

#[test]
fn deregister_checks() {
    let reg = build(&[("m@v1.0.0", "c1", 10), ("m@v1.0.0!", "c1", 11)]);
    let req = plan::Deregister {
        artifact: name("m"),
        version: ver("v1.0.0"),
        force: false,
        simple: Simple::Auto,
        message: None,
    };
    assert_eq!(
        plan::deregister(&reg, &ctx(&[]), &req)
            .unwrap_err()
            .to_string(),
        "The version at ref 'c1' was deregistered already"
    );
    let missing = plan::Deregister {
        version: ver("v2.0.0"),
        ..req
    };
    assert_eq!(
        plan::deregister(&reg, &ctx(&[]), &missing)
            .unwrap_err()
            .to_string(),
        "No versions found for 'm'"
    );
}

fn rollback_req(stage: &str, to: Option<&str>) -> plan::Rollback {
    plan::Rollback {
        artifact: name("m"),
        stage: stage.parse().unwrap(),
        to: to.map(ver),
        simple: Simple::Auto,
        message: None,
    }
}

#[test]
fn rollback_gives_the_stage_to_the_previous_live_holder_with_its_own_message() {
    let tags = [
        ("m@v1.0.0", "c1", 10),
        ("m@v1.0.1", "c2", 11),
        ("m@v1.0.2", "c3", 12),
        ("m#prod#1", "c1", 13),
        ("m#prod#2", "c2", 14),
        ("m#prod#3", "c3", 15),
        ("m@v1.0.1!", "c2", 16),
    ];
    let reg = build(&tags);
    let names: Vec<&str> = tags.iter().map(|t| t.0).collect();
    let c = ctx(&names);
    // v1.0.1 held prod before v1.0.2, but was deregistered since: v1.0.0 is the one.
    let plan = plan::rollback(&reg, &c, &rollback_req("prod", None)).unwrap();
    assert_eq!((plan.from.as_str(), plan.to.as_str()), ("v1.0.2", "v1.0.0"));
    assert_eq!(
        plan.tags.len(),
        1,
        "an existing version: nothing to register"
    );
    let tag = &plan.tags[0];
    assert_eq!((tag.name.as_str(), tag.commit.as_str()), ("m#prod#4", "c1"));
    assert_eq!(tag.kind, EventKind::Assignment);
    assert_eq!(
        tag.message,
        "Rolling back stage prod of artifact m to version v1.0.0 (from v1.0.2)"
    );
    // -m replaces the message; an empty one means the default, as everywhere.
    let mut custom = rollback_req("prod", Some("v1.0.0"));
    custom.message = Some("back to the good one".into());
    let plan = plan::rollback(&reg, &c, &custom).unwrap();
    assert_eq!(plan.tags[0].message, "back to the good one");
    custom.message = Some("  ".into());
    let plan = plan::rollback(&reg, &c, &custom).unwrap();
    assert!(plan.tags[0].message.starts_with("Rolling back stage prod"));
}

#[test]
fn rollback_refusals_are_data() {
    let reg = build(&[
        ("m@v1.0.0", "c1", 10),
        ("m@v1.0.1", "c2", 11),
        ("m#prod#1", "c2", 12),
        ("m@v1.0.0!", "c1", 13),
    ]);
    let c = ctx(&["m@v1.0.0", "m@v1.0.1", "m#prod#1", "m@v1.0.0!"]);
    let refusal = |req: plan::Rollback| plan::rollback(&reg, &c, &req).unwrap_err();
    let (m, prod, dev) = (name("m"), "prod".parse().unwrap(), "dev".parse().unwrap());
    assert_eq!(
        refusal(rollback_req("dev", None)),
        PlanError::NothingToRollBack {
            artifact: m.clone(),
            stage: dev
        }
    );
    assert_eq!(
        refusal(rollback_req("prod", None)),
        PlanError::NoEarlierHolder {
            artifact: m,
            stage: prod
        }
    );
    assert_eq!(
        refusal(rollback_req("prod", Some("v9.0.0"))),
        PlanError::RollbackToUnknown {
            version: ver("v9.0.0")
        }
    );
    assert_eq!(
        refusal(rollback_req("prod", Some("v1.0.0"))),
        PlanError::RollbackToDeregistered {
            version: ver("v1.0.0")
        }
    );
    let err = refusal(rollback_req("prod", Some("v1.0.1")));
    assert_eq!(
        err.to_string(),
        "Version 'v1.0.1' holds 'prod' already: nothing to roll back"
    );
    let mut nope = rollback_req("prod", None);
    nope.artifact = name("nope");
    assert_eq!(refusal(nope).to_string(), "Cannot find artifact 'nope'");
    let mut limited = c.clone();
    limited.allowed_stages = Some(vec!["dev".into()]);
    assert!(matches!(
        plan::rollback(&reg, &limited, &rollback_req("prod", None)),
        Err(PlanError::StageNotAllowed { .. })
    ));
}

#[test]
fn deletions_are_planned_with_gtos_checks() {
    let reg = build(&[
        ("m@v1.0.0", "c1", 10),
        ("m#prod#1", "c1", 11),
        ("m#prod!#2", "c1", 12),
        ("m@deprecated", "c1", 13),
    ]);
    assert_eq!(
        plan::deprecate_deletion(&reg, &name("nope"), false),
        Err(PlanError::DeleteArtifactNotFound {
            artifact: name("nope")
        })
    );
    assert_eq!(
        plan::deprecate_deletion(&reg, &name("m"), false),
        Err(PlanError::DeleteAlreadyDeprecated)
    );
    assert_eq!(
        plan::deprecate_deletion(&reg, &name("m"), true).unwrap(),
        vec!["m@v1.0.0", "m#prod#1", "m#prod!#2", "m@deprecated"]
    );
    let unassign = |stage: &str, force: bool| plan::Unassign {
        artifact: name("m"),
        stage: stage.parse().unwrap(),
        version: Some(ver("v1.0.0")),
        force,
        simple: Simple::Auto,
        message: None,
    };
    assert_eq!(
        plan::unassign_deletion(&reg, &unassign("prod", false)).unwrap(),
        vec!["m#prod#1", "m#prod!#2"]
    );
    assert_eq!(
        plan::unassign_deletion(&reg, &unassign("dev", false)),
        Err(PlanError::NeverAssigned {
            stage: "dev".parse().unwrap(),
            version: "v1.0.0".into()
        })
    );
    assert_eq!(
        plan::unassign_deletion(&reg, &unassign("dev", true)),
        Ok(vec![])
    );
    let deregister = plan::Deregister {
        artifact: name("m"),
        version: ver("v1.0.0"),
        force: false,
        simple: Simple::Auto,
        message: None,
    };
    assert_eq!(
        plan::deregister_deletion(&reg, &deregister).unwrap(),
        vec!["m@v1.0.0", "m#prod#1", "m#prod!#2"]
    );
}
