//! The rules about who made an event (the cut-over, an `authorize` list, the two-person rule):
//! the breach of an event whose signature proves no allowed principal.

use super::two_person::two_person_breach;
use super::{Breach, BreachKind, Registrant, TrustPolicy, shown};
use crate::registry::signature::SigStatus;

/// The breach of a rule about who made `event` (the cut-over, a list, the two-person rule).
pub(super) fn signer_breach(
    policy: &TrustPolicy,
    status: &SigStatus,
    tag: &str,
    list: Option<(String, &[String], String)>,
    two_person: Option<&str>,
    registrants: &[Registrant],
) -> Option<Breach> {
    let Some(principal) = status.principal() else {
        return Some(unproven(policy, tag, status, list, two_person));
    };
    if let Some((at, names, what)) = list
        && !names.iter().any(|n| n == principal)
    {
        let names = if names.is_empty() {
            "nobody".to_string()
        } else {
            names
                .iter()
                .map(|n| shown(n))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Some(Breach {
            kind: BreachKind::NotAllowed,
            reason: format!(
                "tag '{tag}' is signed by '{}', who may not {what} ({at}: {names})",
                shown(principal)
            ),
        });
    }
    if let Some(stage) = two_person {
        let rule = format!(
            "the two-person rule of stage '{stage}' (authorize.stages.{stage}.two_person) needs \
             someone other than the registrant to assign it"
        );
        let reason = two_person_breach(tag, stage, principal, status, registrants, &rule);
        if let Some(reason) = reason {
            return Some(Breach {
                kind: BreachKind::TwoPerson,
                reason,
            });
        }
    }
    None
}

/// The breach of a covered event whose signature is not good: what the status found, then the
/// rule that needs a good one.
fn unproven(
    policy: &TrustPolicy,
    tag: &str,
    status: &SigStatus,
    list: Option<(String, &[String], String)>,
    two_person: Option<&str>,
) -> Breach {
    let why = status.reason().map(shown).unwrap_or_default();
    let (kind, found) = match status {
        SigStatus::Bad { .. } => (
            BreachKind::BadSignature,
            format!("has a bad signature: {why}"),
        ),
        SigStatus::UnknownKey { .. } => (
            BreachKind::UnknownKey,
            format!("is signed by a key no allowed signer holds: {why}"),
        ),
        SigStatus::Expired { principal, .. } => (
            BreachKind::Expired,
            format!(
                "is signed by '{}' with a key outside its validity: {why}",
                shown(principal)
            ),
        ),
        SigStatus::Unverifiable { .. } => (
            BreachKind::Unverifiable,
            format!("has a signature that cannot be checked: {why}"),
        ),
        SigStatus::Unsigned | SigStatus::Good { .. } => {
            (BreachKind::Unsigned, "is unsigned".into())
        }
    };
    let proves = if kind == BreachKind::Unsigned {
        "an unsigned event proves no principal"
    } else {
        "a signature that is not good proves no principal"
    };
    // Every rule that needs the signature, the cut-over first: an auditor sees all of them.
    let mut rules = Vec::new();
    if let Some(since) = policy.required_since {
        rules.push(format!(
            "every event tagged on or after {since} must carry a good signature \
             (signatures.required_since)"
        ));
    }
    if let Some((at, _, what)) = list {
        rules.push(format!("{proves}, and {at} names who may {what}"));
    } else if let Some(stage) = two_person {
        rules.push(format!(
            "{proves}, and the two-person rule of stage '{stage}' \
             (authorize.stages.{stage}.two_person) needs the assigner proven"
        ));
    }
    Breach {
        kind,
        reason: format!("tag '{tag}' {found}; {}", rules.join("; ")),
    }
}
