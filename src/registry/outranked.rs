//! Whether a planned write would take effect: a tag dated in the future (a clock gone wrong, or
//! someone's doing) outranks every write made now, so a promotion would "succeed" and change
//! nothing. Folds the planned tags into the state at their own time and says which tag wins.

use super::error::PlanError;
use super::event::EventKind;
use super::plan::NewTag;
use super::resolve::{self, StageOptions};
use super::state::Registry;
use super::tag::{TagAction, TagName};

/// The event a planned tag becomes once written, dated `now` (`None` for a name that is not a
/// registry tag, which the planner never makes).
fn planned_event(tag: &NewTag, now: super::time::Timestamp) -> Option<super::event::Event> {
    let parsed = TagName::parse(&tag.name)?;
    let (version, stage) = match parsed.action {
        TagAction::Register(v) | TagAction::Deregister(v) => (Some(v), None),
        TagAction::Assign(s) | TagAction::Unassign(s) => (None, Some(s)),
        TagAction::Deprecate | TagAction::Created => (None, None),
    };
    Some(super::event::Event {
        kind: tag.kind,
        artifact: parsed.artifact,
        version,
        stage,
        counter: parsed.counter,
        tag: tag.name.clone(),
        commit: tag.commit.clone(),
        time: now,
        author: String::new(),
        author_email: String::new(),
        message: tag.message.trim().to_string(),
        signed: None,
    })
}

/// Whether the planned tags, written at `now`, would do what they say: folded into the state,
/// an assignment must leave the stage with its version, an unassignment must leave the version
/// without it. They would not when another tag outranks them, which only a tag dated after
/// `now` can (a tagger clock in the future): the new tag would be written, reported as created,
/// and change nothing. Returns the refusal, naming the tag that outranks it (the shell adds how
/// to delete that tag).
pub(crate) fn outranked(
    reg: &Registry,
    tags: &[NewTag],
    now: super::time::Timestamp,
) -> Option<PlanError> {
    let planned: Vec<(&NewTag, super::event::Event)> = tags
        .iter()
        .filter(|t| matches!(t.kind, EventKind::Assignment | EventKind::Unassignment))
        .filter_map(|t| planned_event(t, now).map(|e| (t, e)))
        .collect();
    if planned.is_empty() {
        return None;
    }
    let mut events: Vec<super::event::Event> = reg.all_events().cloned().collect();
    events.extend(
        tags.iter()
            .filter_map(|t| planned_event(t, now))
            .collect::<Vec<_>>(),
    );
    let folded = Registry::build(events, Vec::new());
    for (tag, event) in &planned {
        let (Some(a), Some(stage)) = (folded.artifact(&event.artifact), &event.stage) else {
            continue;
        };
        let Some(version) = a
            .versions
            .iter()
            .find(|v| v.label.as_str() == tag.version && v.commit == tag.commit)
        else {
            continue;
        };
        let newest = version.vstage(stage).and_then(|s| s.newest_event());
        let by = match tag.kind {
            EventKind::Assignment => match newest {
                Some(n) if n.kind == EventKind::Unassignment && n.tag != tag.name => Some((
                    n,
                    format!("'{stage}' stays unassigned from {}", tag.version),
                )),
                _ => resolve::stage_holders(a, stage.as_str(), StageOptions::default())
                    .first()
                    .filter(|h| h.version.label.as_str() != tag.version)
                    .and_then(|h| {
                        h.vstage.authoring_event().map(|e| {
                            (
                                e,
                                format!("'{stage}' stays with {}", h.version.label.as_str()),
                            )
                        })
                    }),
            },
            _ => match newest {
                Some(n) if n.kind == EventKind::Assignment && n.tag != tag.name => {
                    Some((n, format!("{} keeps '{stage}'", tag.version)))
                }
                _ => None,
            },
        };
        // Only a tag dated after now outranks one written now; at the same second GTO's
        // tie-breaks decide, as they always did.
        if let Some((e, effect)) = by.filter(|(e, _)| e.time.seconds > now.seconds) {
            return Some(PlanError::Outranked {
                tag: tag.name.clone(),
                by: e.tag.clone(),
                by_time: e.time,
                now,
                effect,
            });
        }
    }
    None
}
