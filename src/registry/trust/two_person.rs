//! The two-person rule's evidence: who registered the version an assignment attaches to (every
//! registration, each proven or not), and whether the assigner is one of them.

use super::shown;
use crate::registry::event::Event;
use crate::registry::signature::SigStatus;
use crate::registry::state::{Artifact, Registry, Version};

/// Who registered the version an assignment attaches to: the registration's tag, its proven
/// principal (from a good signature only) and the e-mail its tagger claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Registrant {
    pub tag: String,
    pub principal: Option<String>,
    /// The key of that good signature: one key listed for two principals is still one person.
    pub fingerprint: Option<String>,
    pub claimed_email: String,
    /// Why the registration proves no one, when its check said (its status's reason).
    pub unproven: Option<String>,
}

/// Why an assignment signed by `principal` (with the key of `status`) breaks the two-person
/// rule of `stage`, if it does. Every registration of the version counts, and each must prove
/// its registrant: a registration without a good signature proves no one (its tagger e-mail
/// is whatever its pusher typed, and a backdated one would be grandfathered), so it fails the
/// rule as a missing registration does. The same principal, or the same key under another
/// principal (one key listed for two names is one person), breaks it.
pub(super) fn two_person_breach(
    tag: &str,
    stage: &str,
    principal: &str,
    status: &SigStatus,
    registrants: &[Registrant],
    rule: &str,
) -> Option<String> {
    if registrants.is_empty() {
        return Some(format!(
            "tag '{tag}' assigns stage '{stage}' to a version no registration tag records: no \
             registration proves who built it, and {rule}"
        ));
    }
    for r in registrants {
        let Some(p) = &r.principal else {
            let why = r
                .unproven
                .as_deref()
                .map(|w| format!(" ({})", shown(w)))
                .unwrap_or_default();
            return Some(format!(
                "the registration '{}' of this version has no good signature{why}, so it proves \
                 no registrant (its tagger e-mail '{}' is whatever its pusher typed), and {rule}; \
                 tag '{tag}' cannot be judged by it",
                shown(&r.tag),
                shown(&r.claimed_email)
            ));
        };
        if p == principal {
            return Some(format!(
                "tag '{tag}' is signed by '{}', who also signed the registration '{}' of this \
                 version: {rule}",
                shown(principal),
                shown(&r.tag)
            ));
        }
        if r.fingerprint.is_some() && r.fingerprint.as_deref() == status.fingerprint() {
            return Some(format!(
                "tag '{tag}' is signed with the key {} that also signed the registration '{}' \
                 of this version (as '{}'): {rule}",
                shown(status.fingerprint().unwrap_or_default()),
                shown(&r.tag),
                shown(p)
            ));
        }
    }
    None
}

/// The version a stage event attaches to: the one holding it in the registry, else the one the
/// fold would attach it to (a write being planned), as `state.rs` chooses: of the versions
/// registered at its commit, the last activated before it, else the first; else the version
/// named by the commit.
pub(crate) fn attached<'a>(artifact: &'a Artifact, event: &'a Event) -> Option<&'a Version> {
    let holds = |v: &&Version| {
        v.stages.iter().any(|s| {
            s.assignments
                .iter()
                .chain(&s.unassignments)
                .any(|e| e.tag == event.tag)
        })
    };
    if let Some(v) = artifact.versions.iter().find(holds) {
        return Some(v);
    }
    let explicit: Vec<&Version> = artifact.explicit_versions_at(&event.commit).collect();
    explicit
        .iter()
        .rev()
        .find(|v| {
            v.activated_at()
                .is_some_and(|t| t.seconds <= event.time.seconds)
        })
        .or(explicit.first())
        .copied()
        .or_else(|| artifact.version_at(&event.commit))
}

/// The registrants of the version the stage event `event` attaches to: every registration of
/// it, each with the proven principal and key `statuses` finds for that registration. Empty when the
/// event is no stage event or the version has no registration.
pub(crate) fn registrants(
    reg: &Registry,
    event: &Event,
    statuses: &dyn Fn(&Event) -> Option<SigStatus>,
) -> Vec<Registrant> {
    let Some(version) = event
        .stage
        .as_ref()
        .and_then(|_| attached(reg.artifact(&event.artifact)?, event))
    else {
        return Vec::new();
    };
    version
        .registrations
        .iter()
        .map(|registration| {
            let status = statuses(registration);
            let good = status.as_ref().filter(|s| s.principal().is_some());
            Registrant {
                tag: registration.tag.clone(),
                principal: good.and_then(|s| s.principal().map(str::to_string)),
                fingerprint: good.and_then(|s| s.fingerprint().map(str::to_string)),
                claimed_email: registration.author_email.clone(),
                unproven: status.as_ref().and_then(|s| s.reason().map(str::to_string)),
            }
        })
        .collect()
}
