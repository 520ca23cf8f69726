//! Planning `register` (reference §5.1, §12): counters, bumps, conflicts, `--force`.

use super::{build, ctx, name, ver};
use crate::registry::error::PlanError;
use crate::registry::plan::{self, Simple};
use crate::registry::state::Registry;
use crate::registry::version::Bump;

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
    assert!(
        err.to_string()
            .contains("already registered in this commit")
    );
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
