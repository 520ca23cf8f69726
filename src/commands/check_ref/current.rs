//! Whether a stage event is still the stage's current one: the gate passes only the newest
//! assignment or unassignment of its artifact and stage, so a re-pushed old signed tag cannot
//! replay an old promotion.

use crate::registry::event::{Event, EventKind};
use crate::registry::resolve;
use crate::registry::spec::Pick;
use crate::registry::state::Artifact;

/// Why `event` (an assignment or unassignment of `artifact`) is not what the registry says of
/// its stage now; `None` when it is, and for every other kind of event.
///
/// Deleting the old `model#prod#1` and pushing its object again is a new tag push, and its
/// signature is as good as the day it was made: judged alone it would pass, and the deploy would
/// roll prod back to v1 while `show model#prod` says v2. So the event must be the newest of its
/// stage (each version's newest by the state's own rule, the newest of those by date, then
/// counter, then name, the fold's base order), and an assignment must name the version the
/// stage's resolution (`show NAME#STAGE`, `resolve::pick`) gives now.
pub(super) fn stale(artifact: &Artifact, event: &Event, version: &str) -> Option<String> {
    if !matches!(event.kind, EventKind::Assignment | EventKind::Unassignment) {
        return None;
    }
    let stage = event.stage.as_ref()?;
    let newest = artifact
        .versions
        .iter()
        .filter_map(|v| v.vstage(stage)?.newest_event())
        .max_by(|a, b| {
            (a.time.seconds, a.counter, &a.tag).cmp(&(b.time.seconds, b.counter, &b.tag))
        });
    let holder = resolve::pick(artifact, &Pick::Stage(stage.clone())).ok();
    let holds = holder.map_or_else(
        || format!("{stage} holds no version of '{}' now", artifact.name),
        |v| format!("{stage} holds {} now", v.label.as_str()),
    );
    if let Some(newer) = newest.filter(|n| n.tag != event.tag) {
        return Some(format!(
            "'{}' is not the newest {stage} event of '{}': '{}' is newer, and {holds} (an old tag pushed again would replay what it once did)",
            event.tag, artifact.name, newer.tag
        ));
    }
    let current = holder.is_some_and(|v| v.label.as_str() == version && v.commit == event.commit);
    if event.kind == EventKind::Assignment && !current {
        return Some(format!(
            "'{}' gives {stage} to '{}' {version}, but the registry does not: {holds}",
            event.tag, artifact.name
        ));
    }
    None
}
