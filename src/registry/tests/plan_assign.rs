//! Planning `assign` and `unassign` (reference §5.2–5.3, §12).

use super::{build, ctx, name, ver};
use crate::registry::plan::{self, AssignTarget, Simple};

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
