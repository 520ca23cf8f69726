//! Which registrations the two-person rule looks at (`trust::registrants`): every one of the
//! version an assignment attaches to, as the fold attaches it.

use std::collections::HashMap;

use super::trust::{ev, good};
use crate::registry::signature::SigStatus;
use crate::registry::state::Registry;
use crate::registry::trust::{Registrant, registrants};

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
    let lookup = |e: &crate::registry::event::Event| statuses.get(e.tag.as_str()).cloned();
    let in_reg = reg.all_events().find(|e| e.tag == "m#prod#1").unwrap();
    assert_eq!(
        registrants(&reg, in_reg, &lookup),
        [Registrant {
            tag: "m@v2.0.0".into(),
            principal: Some("release-bot".into()),
            fingerprint: Some("SHA256:release-bot".into()),
            claimed_email: "bob@example.com".into(),
            unproven: None,
        }]
    );
    // A planned assignment, not in the registry yet: attached as the fold would attach it.
    let planned = ev("m#prod#3", "c1", 50, "x");
    assert_eq!(
        registrants(&reg, &planned, &lookup),
        [Registrant {
            tag: "m@v1.0.0".into(),
            principal: None,
            fingerprint: None,
            claimed_email: "alice@example.com".into(),
            unproven: None,
        }]
    );
    let found = reg.all_events().find(|e| e.tag == "m#dev#2").unwrap();
    assert_eq!(registrants(&reg, found, &lookup), []);
    assert_eq!(
        registrants(&reg, &ev("m#prod#4", "c9", 60, "x"), &lookup),
        []
    );
    // Not a stage event, or an unknown artifact: no registrant.
    assert_eq!(
        registrants(&reg, &ev("m@v3.0.0", "c3", 60, "x"), &lookup),
        []
    );
    assert_eq!(
        registrants(&reg, &ev("n#prod#1", "c1", 60, "x"), &lookup),
        []
    );
}

#[test]
fn every_registration_of_the_version_counts() {
    // Registered, deregistered and registered again by someone else (the counter form): the
    // rule must see both registrants, whatever the assignment's date says.
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
    let none = |_: &crate::registry::event::Event| None;
    let of = |e: &crate::registry::event::Event| {
        registrants(&reg, e, &none)
            .into_iter()
            .map(|r| (r.tag, r.claimed_email))
            .collect::<Vec<_>>()
    };
    let both = vec![
        ("m@v1.0.0".to_string(), "alice@example.com".to_string()),
        ("m@v1.0.0#3".to_string(), "bob@example.com".to_string()),
    ];
    for tag in ["m#prod#4", "m#prod#5"] {
        assert_eq!(of(reg.all_events().find(|e| e.tag == tag).unwrap()), both);
    }
    // A backdated assignment, older than every registration: the same.
    assert_eq!(of(&ev("m#prod#6", "c1", 1, "x")), both);
}
