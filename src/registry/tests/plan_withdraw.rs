//! Planning `deprecate`, `deregister` and `--delete` (reference §5.3, §12).

use super::{build, ctx, name, ver};
use crate::registry::error::PlanError;
use crate::registry::plan::{self, Simple};

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
