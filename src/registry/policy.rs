//! The policy of `.registry.yaml` (SPEC §5): `promotion_order` (a version must have held the
//! previous stage before it may take the next) and `require_digest` (every registration records a
//! content digest). Reports the tags that break it; never refuses to read them. Pure.

use super::event::{Event, EventKind};
use super::name::{ArtifactName, Stage};
use super::state::Registry;
use super::trailer;

/// One tag that breaks the policy: what is wrong (`message`), and which rule it breaks for
/// which version and stage, so the shell can word the repair (`commands/refusal.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    pub tag: String,
    pub message: String,
    pub rule: Rule,
}

/// The rule a [`Violation`] breaks, with what its repair needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rule {
    /// `require_digest`: a registration of `artifact` records no digest.
    RequireDigest { artifact: ArtifactName },
    /// `promotion_order`: `version` of `artifact` took `stage` without holding `previous` first.
    PromotionOrder {
        artifact: ArtifactName,
        version: String,
        stage: Stage,
        previous: String,
    },
}

/// Whether `event` (attributed to `version` of its artifact) breaks the policy.
pub(crate) fn check_event(
    reg: &Registry,
    event: &Event,
    version: Option<&str>,
    promotion_order: Option<&[String]>,
    require_digest: bool,
) -> Option<Violation> {
    let name = &event.artifact;
    match event.kind {
        EventKind::Registration if require_digest && trailer::parse(&event.message).is_none() => {
            Some(Violation {
                tag: event.tag.clone(),
                message: format!(
                    "registration '{}' records no content digest (require_digest)",
                    event.tag
                ),
                rule: Rule::RequireDigest {
                    artifact: name.clone(),
                },
            })
        }
        EventKind::Assignment => {
            let order = promotion_order?;
            let held = event.stage.as_ref()?;
            let stage = held.as_str();
            let position = order.iter().position(|s| s == stage)?;
            let previous = order.get(position.checked_sub(1)?)?;
            let version = version?;
            let held_before = reg.artifact(name).is_some_and(|a| {
                a.versions
                    .iter()
                    .filter(|v| v.label.as_str() == version)
                    .filter_map(|v| v.stages.iter().find(|s| s.stage.as_str() == previous))
                    .flat_map(|s| s.assignments.iter())
                    .any(|e| e.time.seconds <= event.time.seconds && e.tag != event.tag)
            });
            (!held_before).then(|| Violation {
                tag: event.tag.clone(),
                message: format!(
                    "'{}' gives {stage} to {name} {version}, which never held {previous} before (promotion_order: {})",
                    event.tag,
                    order.join(" → ")
                ),
                rule: Rule::PromotionOrder {
                    artifact: name.clone(),
                    version: version.to_string(),
                    stage: held.clone(),
                    previous: previous.clone(),
                },
            })
        }
        _ => None,
    }
}

/// Every tag in the registry that breaks the policy, oldest first.
pub(crate) fn check(
    reg: &Registry,
    promotion_order: Option<&[String]>,
    require_digest: bool,
) -> Vec<Violation> {
    let mut events: Vec<(&Event, Option<&str>)> = reg
        .artifacts
        .iter()
        .flat_map(|a| a.events_with_versions())
        .collect();
    events.sort_by(|(a, _), (b, _)| (a.time.seconds, &a.tag).cmp(&(b.time.seconds, &b.tag)));
    events
        .into_iter()
        .filter_map(|(e, v)| check_event(reg, e, v, promotion_order, require_digest))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::event::{RawTag, Target, event_from_raw};
    use crate::registry::time::Timestamp;

    fn ev(tag: &str, commit: &str, t: i64, message: &str) -> Event {
        event_from_raw(RawTag {
            name: tag.into(),
            target: Target::Commit(commit.into()),
            tagger_name: "T".into(),
            tagger_email: "t@x".into(),
            time: Timestamp::new(t, 0),
            message: message.into(),
            signed: None,
        })
        .unwrap()
        .unwrap()
    }

    #[test]
    fn promotion_order_needs_the_previous_stage_first() {
        let reg = Registry::build(
            vec![
                ev("m@v1.0.0", "c1", 1, "r"),
                ev("m@v2.0.0", "c2", 2, "r"),
                ev("m#dev#1", "c1", 3, "a"),
                ev("m#prod#2", "c1", 4, "a"),
                ev("m#prod#3", "c2", 5, "a"),
            ],
            Vec::new(),
        );
        let order = vec!["dev".to_string(), "prod".to_string()];
        let found = check(&reg, Some(&order), false);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].tag, "m#prod#3");
        assert!(found[0].message.contains("never held dev before"));
        assert!(check(&reg, None, false).is_empty());
    }

    #[test]
    fn require_digest_flags_registrations_without_one() {
        let with = trailer::message(
            "Registering",
            Some(&trailer::Provenance {
                path: "m.pkl".into(),
                digest: "sha256:00".into(),
                source: "git".into(),
                manifest: None,
                sha256: None,
                dvc: None,
            }),
        );
        let reg = Registry::build(
            vec![
                ev("m@v1.0.0", "c1", 1, &with),
                ev("m@v1.0.1", "c2", 2, "Registering"),
            ],
            Vec::new(),
        );
        let found = check(&reg, None, true);
        assert_eq!(
            found.iter().map(|v| v.tag.as_str()).collect::<Vec<_>>(),
            vec!["m@v1.0.1"]
        );
    }
}
