//! Whether a stage event is still the stage's current one: the gate passes only the newest
//! assignment or unassignment of its artifact and stage, so a re-pushed old signed tag cannot
//! replay an old promotion.

use crate::registry::event::{Event, EventKind};
use crate::registry::resolve;
use crate::registry::spec::Pick;
use crate::registry::state::Artifact;

/// Why `event` (an assignment or unassignment of `artifact`, of `version`) is not what the registry says of
/// its stage now; `None` when it is, and for every other kind of event.
///
/// Deleting the old `model#prod#1` and pushing its object again is a new tag push, and its
/// signature is as good as the day it was made: judged alone it would pass, and the deploy would
/// roll prod back to v1 while `show model#prod` says v2. So the event must be the newest of its
/// stage, and an assignment must be the one that gives the stage its version now.
///
/// Nothing is folded again: each version's newest event of the stage is the state's
/// (`VStage::newest_event`), and the holder is the stage's resolution (`resolve::pick`, as
/// `show NAME#STAGE`). Between versions a later date is newer; at the same second the holder's
/// assignment is (the resolution has decided the tie), else the later in the fold's base order
/// (counter, then name).
pub(super) fn stale(artifact: &Artifact, event: &Event, version: &str) -> Option<String> {
    if !matches!(event.kind, EventKind::Assignment | EventKind::Unassignment) {
        return None;
    }
    let stage = event.stage.as_ref()?;
    let holder = resolve::pick(artifact, &Pick::Stage(stage.clone())).ok();
    let holder_event = holder.and_then(|v| v.vstage(stage)?.newest_event());
    let holds = holder.map_or_else(
        || format!("{stage} holds no version of '{}' now", artifact.name),
        |v| format!("{stage} holds {} now", v.label.as_str()),
    );
    let is_holders = |e: &Event| holder_event.is_some_and(|h| h.tag == e.tag);
    let key = |e: &Event| (e.time.seconds, e.counter, e.tag.clone());
    let newests: Vec<&Event> = artifact
        .versions
        .iter()
        .filter_map(|v| v.vstage(stage)?.newest_event())
        .collect();
    let own = artifact
        .versions
        .iter()
        .filter_map(|v| v.vstage(stage))
        .find(|s| {
            s.assignments
                .iter()
                .chain(&s.unassignments)
                .any(|e| e.tag == event.tag)
        })
        .and_then(|s| s.newest_event());
    let newer = match own {
        Some(n) if n.tag != event.tag => Some(n),
        _ => newests
            .iter()
            .copied()
            .filter(|n| n.tag != event.tag)
            .filter(|n| {
                n.time.seconds > event.time.seconds
                    || (n.time.seconds == event.time.seconds
                        && (is_holders(n) || (!is_holders(event) && key(n) > key(event))))
            })
            .max_by_key(|n| key(n)),
    };
    if let Some(newer) = newer {
        let why = if newer.time.seconds == event.time.seconds {
            ", made in the same second, is the one the registry counts"
        } else {
            " is newer"
        };
        return Some(format!(
            "'{}' is not the newest {stage} event of '{}': '{}'{why}, and {holds}; an old tag pushed again would replay what it once did",
            event.tag, artifact.name, newer.tag
        ));
    }
    if event.kind == EventKind::Assignment && !is_holders(event) {
        return Some(format!(
            "'{}' gives {stage} to '{}' {version}, but the registry does not: {holds}",
            event.tag, artifact.name
        ));
    }
    None
}
