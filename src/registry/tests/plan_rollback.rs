//! Planning `rollback`: the previous live holder gets the stage back, refusals are data.

use super::{build, ctx, name, ver};
use crate::registry::error::PlanError;
use crate::registry::event::EventKind;
use crate::registry::plan::{self, Simple};

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
