//! Which registration the two-person rule looks at (`trust::registrant`): the one of the
//! version an assignment attaches to, as the fold attaches it.

use std::collections::HashMap;

use super::trust::{ev, good};
use crate::registry::signature::SigStatus;
use crate::registry::state::Registry;
use crate::registry::trust::{Registrant, registrant};

#[test]
fn the_registrant_is_the_registration_of_the_version_the_assignment_attaches_to() {
    let reg = Registry::build(
        vec![
            ev("m@v1.0.0", "c1", 10, "alice@example.com"),
            ev("m@v2.0.0", "c2", 20, "bob@example.com"),
            ev("m#prod#1", "c2", 30, "carol@example.com"),
            // Stage tags on a commit no registration names.
            ev("m#dev#2", "c9", 40, "carol@example.com"),
        ],
        Vec::new(),
    );
    let statuses: HashMap<&str, SigStatus> = [("m@v2.0.0", good("release-bot"))].into();
    let lookup = |t: &str| statuses.get(t).cloned();
    let in_reg = reg.all_events().find(|e| e.tag == "m#prod#1").unwrap();
    assert_eq!(
        registrant(&reg, in_reg, &lookup),
        Some(Registrant {
            tag: "m@v2.0.0".into(),
            principal: Some("release-bot".into()),
            fingerprint: Some("SHA256:release-bot".into()),
            claimed_email: "bob@example.com".into(),
        })
    );
    // A planned assignment, not in the registry yet: attached as the fold would attach it.
    let planned = ev("m#prod#3", "c1", 50, "x");
    assert_eq!(
        registrant(&reg, &planned, &lookup),
        Some(Registrant {
            tag: "m@v1.0.0".into(),
            principal: None,
            fingerprint: None,
            claimed_email: "alice@example.com".into(),
        })
    );
    let found = reg.all_events().find(|e| e.tag == "m#dev#2").unwrap();
    assert_eq!(registrant(&reg, found, &lookup), None);
    assert_eq!(
        registrant(&reg, &ev("m#prod#4", "c9", 60, "x"), &lookup),
        None
    );
    // Not a stage event, or an unknown artifact: no registrant.
    assert_eq!(
        registrant(&reg, &ev("m@v3.0.0", "c3", 60, "x"), &lookup),
        None
    );
    assert_eq!(
        registrant(&reg, &ev("n#prod#1", "c1", 60, "x"), &lookup),
        None
    );
}

#[test]
fn of_several_registrations_the_newest_before_the_assignment_counts() {
    // Registered, deregistered and registered again by someone else (the counter form).
    let reg = Registry::build(
        vec![
            ev("m@v1.0.0", "c1", 10, "alice@example.com"),
            ev("m@v1.0.0!#2", "c1", 20, "alice@example.com"),
            ev("m@v1.0.0#3", "c1", 30, "bob@example.com"),
            ev("m#prod#4", "c1", 25, "x"),
            ev("m#prod#5", "c1", 40, "x"),
        ],
        Vec::new(),
    );
    let none = |_: &str| None;
    let of = |tag: &str| {
        let e = reg.all_events().find(|e| e.tag == tag).unwrap();
        registrant(&reg, e, &none).map(|r| (r.tag, r.claimed_email))
    };
    assert_eq!(
        of("m#prod#4"),
        Some(("m@v1.0.0".into(), "alice@example.com".into()))
    );
    assert_eq!(
        of("m#prod#5"),
        Some(("m@v1.0.0#3".into(), "bob@example.com".into()))
    );
    // A backdated assignment, older than every registration: the first one.
    let early = ev("m#prod#6", "c1", 1, "x");
    assert_eq!(
        registrant(&reg, &early, &none).map(|r| r.tag),
        Some("m@v1.0.0".into())
    );
}
