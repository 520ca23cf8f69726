//! The trust policy's verdicts (`trust.rs`): every path of `judge`. Which registration the
//! two-person rule looks at is tested in `registrant.rs`.

use std::collections::BTreeMap;

use crate::registry::event::{Event, RawTag, Target, event_from_raw};
use crate::registry::signature::{SigFormat, SigStatus};
use crate::registry::time::Timestamp;
use crate::registry::trust::{BreachKind, Registrant, StageRule, TrustPolicy, Verdict, judge};

/// An event from a tag name, a commit, a time and the tagger's claimed e-mail.
pub(super) fn ev(tag: &str, commit: &str, t: i64, email: &str) -> Event {
    event_from_raw(RawTag {
        name: tag.into(),
        target: Target::Commit(commit.into()),
        tagger_name: "T".into(),
        tagger_email: email.into(),
        time: Timestamp::new(t, 0),
        message: String::new(),
        signed: None,
    })
    .unwrap()
    .unwrap()
}

pub(super) fn good(principal: &str) -> SigStatus {
    SigStatus::Good {
        format: SigFormat::Ssh,
        principal: principal.into(),
        // One key per principal, unless a test says otherwise.
        fingerprint: format!("SHA256:{principal}"),
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_string()).collect()
}

/// The README's example: prod assign/unassign for release-bot and alice, two-person on prod.
fn policy() -> TrustPolicy {
    let mut stages = BTreeMap::new();
    stages.insert(
        "prod".to_string(),
        StageRule {
            assign: Some(names(&["release-bot", "alice@example.com"])),
            unassign: Some(names(&["release-bot", "alice@example.com"])),
            two_person: true,
            ..StageRule::default()
        },
    );
    stages.insert(
        "staging".to_string(),
        StageRule {
            assign: Some(names(&["ci@example.com"])),
            ..StageRule::default()
        },
    );
    TrustPolicy {
        allowed_signers: Some(".registry/allowed_signers".into()),
        required_since: Some(Timestamp::new(1000, 0)),
        register: Some(names(&["release-bot", "alice@example.com"])),
        gpg_keys: None,
        deregister: Some(names(&["release-bot"])),
        deprecate: Some(names(&["release-bot"])),
        stages,
    }
}

const AT: Timestamp = Timestamp {
    seconds: 2000,
    offset_minutes: 0,
};

fn fail(v: Verdict) -> (BreachKind, String) {
    match v {
        Verdict::Fail(b) => (b.kind, b.reason),
        other => panic!("expected a breach, got {other:?}"),
    }
}

fn registered_by(principal: Option<&str>, email: &str) -> Registrant {
    Registrant {
        tag: "m@v1.0.0".into(),
        principal: principal.map(str::to_string),
        fingerprint: principal.map(|p| format!("SHA256:{p}")),
        claimed_email: email.into(),
        unproven: None,
    }
}

#[test]
fn before_the_cut_over_nothing_applies_and_without_rules_nothing_is_covered() {
    let e = ev("m#prod#1", "c1", 5, "mallory@x");
    // Unsigned, not allowed, no registrant: grandfathered all the same.
    assert_eq!(
        judge(
            &policy(),
            &e,
            &SigStatus::Unsigned,
            Timestamp::new(999, 0),
            &[]
        ),
        Verdict::Grandfathered
    );
    // `at` decides, not the tag's own date: check-ref passes max(tag date, now).
    assert!(matches!(
        judge(&policy(), &e, &SigStatus::Unsigned, AT, &[]),
        Verdict::Fail(_)
    ));
    let empty = TrustPolicy::default();
    assert!(empty.is_empty());
    assert_eq!(
        judge(&empty, &e, &SigStatus::Unsigned, AT, &[]),
        Verdict::NotCovered
    );
    // A list elsewhere does not cover this event.
    let only_register = TrustPolicy {
        register: Some(names(&["release-bot"])),
        ..TrustPolicy::default()
    };
    assert!(!only_register.is_empty());
    assert_eq!(
        judge(&only_register, &e, &SigStatus::Unsigned, AT, &[]),
        Verdict::NotCovered
    );
    // An empty stage rule covers nothing and leaves the policy empty.
    let mut stages = BTreeMap::new();
    stages.insert("prod".to_string(), StageRule::default());
    assert!(
        TrustPolicy {
            stages,
            ..TrustPolicy::default()
        }
        .is_empty()
    );
}

#[test]
fn each_status_that_is_not_good_is_its_own_breach() {
    let e = ev("m@v1.0.0", "c1", 1500, "alice@example.com");
    let cases = [
        (SigStatus::Unsigned, BreachKind::Unsigned, "is unsigned"),
        (
            SigStatus::Bad {
                format: SigFormat::Ssh,
                reason: "the content does not match".into(),
            },
            BreachKind::BadSignature,
            "has a bad signature: the content does not match",
        ),
        (
            SigStatus::UnknownKey {
                format: SigFormat::Ssh,
                fingerprint: "SHA256:zz".into(),
                reason: "no principal holds SHA256:zz".into(),
            },
            BreachKind::UnknownKey,
            "no allowed signer holds: no principal holds SHA256:zz",
        ),
        (
            SigStatus::Expired {
                format: SigFormat::Ssh,
                principal: "alice@example.com".into(),
                fingerprint: "SHA256:a".into(),
                reason: "valid-before 20260101".into(),
            },
            BreachKind::Expired,
            "signed by 'alice@example.com' with a key outside its validity: valid-before 20260101",
        ),
        (
            SigStatus::Unverifiable {
                format: SigFormat::OpenPgp,
                reason: "gpg is not installed".into(),
            },
            BreachKind::Unverifiable,
            "cannot be checked: gpg is not installed",
        ),
    ];
    for (status, kind, words) in cases {
        let (k, reason) = fail(judge(&policy(), &e, &status, AT, &[]));
        assert_eq!(k, kind, "{reason}");
        assert!(
            reason.starts_with("tag 'm@v1.0.0' ") && reason.contains(words),
            "{reason}"
        );
        // Both rules that need the signature are named.
        let proves = if kind == BreachKind::Unsigned {
            "an unsigned event"
        } else {
            "a signature that is not good"
        };
        assert!(
            reason.ends_with(&format!(
                "; every event tagged on or after 1970-01-01T00:16:40+00:00 must carry a good \
                 signature (signatures.required_since); {proves} proves no principal, and \
                 authorize.register names who may register versions"
            )),
            "{reason}"
        );
    }
    // An event no list covers: the cut-over alone.
    let dev = ev("m#dev#1", "c1", 1500, "x");
    let (kind, reason) = fail(judge(&policy(), &dev, &SigStatus::Unsigned, AT, &[]));
    assert_eq!(kind, BreachKind::Unsigned);
    assert_eq!(
        reason,
        "tag 'm#dev#1' is unsigned; every event tagged on or after 1970-01-01T00:16:40+00:00 \
         must carry a good signature (signatures.required_since)"
    );
}

#[test]
fn without_a_cut_over_a_list_still_needs_a_proven_principal() {
    let p = TrustPolicy {
        required_since: None,
        ..policy()
    };
    let e = ev("m#prod#1", "c1", 5, "alice@example.com");
    let (kind, reason) = fail(judge(&p, &e, &SigStatus::Unsigned, AT, &[]));
    assert_eq!(kind, BreachKind::Unsigned);
    assert_eq!(
        reason,
        "tag 'm#prod#1' is unsigned; an unsigned event proves no principal, and \
         authorize.stages.prod.assign names who may assign stage 'prod'"
    );
    // A stage with no list and no two-person rule is not covered without a cut-over.
    let dev = ev("m#dev#1", "c1", 5, "x@x");
    assert_eq!(
        judge(&p, &dev, &SigStatus::Unsigned, AT, &[]),
        Verdict::NotCovered
    );
    // Only the two-person rule: still needs a proven assigner.
    let mut stages = BTreeMap::new();
    stages.insert(
        "prod".to_string(),
        StageRule {
            two_person: true,
            ..StageRule::default()
        },
    );
    let two = TrustPolicy {
        stages,
        ..TrustPolicy::default()
    };
    let (kind, reason) = fail(judge(&two, &e, &SigStatus::Unsigned, AT, &[]));
    assert_eq!(kind, BreachKind::Unsigned);
    assert!(
        reason.contains("authorize.stages.prod.two_person"),
        "{reason}"
    );
}

#[test]
fn lists_apply_to_the_proven_principal_never_the_claimed_tagger() {
    // Claims to be alice, is signed by bob.
    let e = ev("churn#prod#3", "c1", 1500, "alice@example.com");
    let (kind, reason) = fail(judge(
        &policy(),
        &e,
        &good("bob@example.com"),
        AT,
        &[registered_by(Some("release-bot"), "bot@x")],
    ));
    assert_eq!(kind, BreachKind::NotAllowed);
    assert_eq!(
        reason,
        "tag 'churn#prod#3' is signed by 'bob@example.com', who may not assign stage 'prod' \
         (authorize.stages.prod.assign: release-bot, alice@example.com)"
    );
    assert_eq!(
        judge(
            &policy(),
            &e,
            &good("alice@example.com"),
            AT,
            &[registered_by(Some("release-bot"), "bot@x")]
        ),
        Verdict::Pass
    );
    for (tag, who, rule) in [
        (
            "m@v1.0.0",
            "mallory",
            "may not register versions (authorize.register",
        ),
        (
            "m@v1.0.0!",
            "alice@example.com",
            "deregister versions (authorize.deregister: release-bot)",
        ),
        (
            "m@deprecated",
            "alice@example.com",
            "deprecate artifacts (authorize.deprecate",
        ),
        (
            "m#prod!#4",
            "ci@example.com",
            "unassign stage 'prod' (authorize.stages.prod.unassign",
        ),
        (
            "m#staging#5",
            "alice@example.com",
            "assign stage 'staging' (authorize.stages.staging.assign: ci@example.com)",
        ),
    ] {
        let e = ev(tag, "c1", 1500, who);
        let (kind, reason) = fail(judge(&policy(), &e, &good(who), AT, &[]));
        assert_eq!(kind, BreachKind::NotAllowed, "{tag}");
        assert!(reason.contains(rule), "{reason}");
    }
    // An empty list allows nobody; a principal with a control character is shown escaped.
    let p = TrustPolicy {
        register: Some(Vec::new()),
        ..policy()
    };
    let (_, reason) = fail(judge(
        &p,
        &ev("m@v1.0.0", "c1", 1500, "x"),
        &good("evil\u{1b}[31m"),
        AT,
        &[],
    ));
    assert_eq!(
        reason,
        "tag 'm@v1.0.0' is signed by 'evil\\u{1b}[31m', who may not register versions \
         (authorize.register: nobody)"
    );
    // Taking away follows giving: without an unassign list, unassigning staging needs a
    // principal the assign list names (else anyone could roll the stage back).
    let (kind, reason) = fail(judge(
        &policy(),
        &ev("m#staging!#6", "c1", 1500, "x"),
        &good("x"),
        AT,
        &[],
    ));
    assert_eq!(kind, BreachKind::NotAllowed);
    assert!(
        reason.contains(
            "who may not unassign stage 'staging' (authorize.stages.staging.assign (unassign follows it): ci@example.com)"
        ),
        "{reason}"
    );
    assert_eq!(
        judge(
            &policy(),
            &ev("m#staging!#6", "c1", 1500, "x"),
            &good("ci@example.com"),
            AT,
            &[]
        ),
        Verdict::Pass
    );
    // Stage names compare without case: `#PROD#` meets the rules of `prod`.
    let (kind, reason) = fail(judge(
        &policy(),
        &ev("m#PROD#7", "c1", 1500, "x"),
        &good("mallory@example.com"),
        AT,
        &[],
    ));
    assert_eq!(kind, BreachKind::NotAllowed);
    assert!(
        reason.contains("who may not assign stage 'PROD' (authorize.stages.prod.assign:"),
        "{reason}"
    );
}

#[test]
fn the_two_person_rule_compares_the_registrant() {
    let e = ev("m#prod#1", "c1", 1500, "whoever");
    let check = |who: &str, reg: &[Registrant]| judge(&policy(), &e, &good(who), AT, reg);
    // Proven registrant, same principal.
    let (kind, reason) = fail(check(
        "release-bot",
        &[registered_by(Some("release-bot"), "a@x")],
    ));
    assert_eq!(kind, BreachKind::TwoPerson);
    assert_eq!(
        reason,
        "tag 'm#prod#1' is signed by 'release-bot', who also signed the registration 'm@v1.0.0' \
         of this version: the two-person rule of stage 'prod' (authorize.stages.prod.two_person) \
         needs someone other than the registrant to assign it"
    );
    // A proven registrant's claimed e-mail does not count.
    assert_eq!(
        check(
            "alice@example.com",
            &[registered_by(Some("release-bot"), "alice@example.com")]
        ),
        Verdict::Pass
    );
    // Unproven registrant: it proves no one, whatever e-mail it claims, so the rule fails.
    for claimed in ["alice@example.com", "bob@x"] {
        let (kind, reason) = fail(check("alice@example.com", &[registered_by(None, claimed)]));
        assert_eq!(kind, BreachKind::TwoPerson);
        assert!(
            reason.contains("the registration 'm@v1.0.0' of this version has no good signature, so it proves no registrant"),
            "{reason}"
        );
    }
    // Every registration counts: a second, proven one by the assigner breaks the rule.
    let (kind, _) = fail(check(
        "alice@example.com",
        &[
            registered_by(Some("release-bot"), "x@x"),
            registered_by(Some("alice@example.com"), "y@y"),
        ],
    ));
    assert_eq!(kind, BreachKind::TwoPerson);
    // No registration proves who built it: fail.
    let (kind, reason) = fail(check("alice@example.com", &[]));
    assert_eq!(kind, BreachKind::TwoPerson);
    assert!(
        reason.contains("no registration proves who built it"),
        "{reason}"
    );
    // Only assignments: unassigning prod is no two-person matter.
    assert_eq!(
        judge(
            &policy(),
            &ev("m#prod!#2", "c1", 1500, "x"),
            &good("release-bot"),
            AT,
            &[]
        ),
        Verdict::Pass
    );
}

#[test]
fn named_principals_say_where() {
    let got = policy().named_principals();
    assert_eq!(
        got.iter()
            .map(|(w, p)| format!("{w}={p}"))
            .collect::<Vec<_>>(),
        [
            "authorize.register=release-bot",
            "authorize.register=alice@example.com",
            "authorize.deregister=release-bot",
            "authorize.deprecate=release-bot",
            "authorize.stages.prod.assign=release-bot",
            "authorize.stages.prod.assign=alice@example.com",
            "authorize.stages.prod.unassign=release-bot",
            "authorize.stages.prod.unassign=alice@example.com",
            "authorize.stages.staging.assign=ci@example.com",
        ]
    );
}

/// One key listed for two principals is one person: signing the registration as one and the
/// assignment as the other breaks the two-person rule all the same.
#[test]
fn the_two_person_rule_compares_the_key_too() {
    let e = ev("m#prod#1", "c1", 2500, "release-bot");
    let same_key = SigStatus::Good {
        format: SigFormat::Ssh,
        principal: "release-bot".into(),
        fingerprint: "SHA256:alice@example.com".into(),
    };
    let (kind, reason) = fail(judge(
        &policy(),
        &e,
        &same_key,
        AT,
        &[registered_by(
            Some("alice@example.com"),
            "alice@example.com",
        )],
    ));
    assert_eq!(kind, BreachKind::TwoPerson);
    assert!(
        reason.contains("signed with the key SHA256:alice@example.com that also signed the registration 'm@v1.0.0' of this version (as 'alice@example.com')"),
        "{reason}"
    );
    // Another key for another principal passes.
    assert_eq!(
        judge(
            &policy(),
            &e,
            &good("release-bot"),
            AT,
            &[registered_by(
                Some("alice@example.com"),
                "alice@example.com"
            )],
        ),
        Verdict::Pass
    );
}
