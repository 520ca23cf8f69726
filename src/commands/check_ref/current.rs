//! Whether an event is the current one the gate may pass: an assignment only while it is what
//! gives the stage its version, an unassignment only while its version has no later event in
//! that stage (so a re-pushed old signed tag cannot replay an old promotion), and no tag dated
//! in the future (which would stay the newest until its date).

use crate::registry::event::{Event, EventKind};
use crate::registry::name::Stage;
use crate::registry::resolve;
use crate::registry::spec::Pick;
use crate::registry::state::{Artifact, VStage};
use crate::registry::time::Timestamp;

/// How far after now a tag's date may be and still pass the gate: 10 minutes, for the skew
/// between the tagger's clock and the runner's. More is no skew but a chosen date, and such a
/// tag would outrank every real promotion made before that date (the resolution goes by date),
/// and be judged at that date, when a key whose `valid-after` is still to come is valid.
const CLOCK_SKEW_SECONDS: i64 = 10 * 60;

/// Why `event` is dated too far in the future to pass the gate at `now` (seconds since the
/// epoch); `None` within [`CLOCK_SKEW_SECONDS`].
pub(super) fn future_dated(event: &Event, now: i64) -> Option<String> {
    (event.time.seconds > now.saturating_add(CLOCK_SKEW_SECONDS)).then(|| {
        format!(
            "'{}' is dated {}, after now ({}) by more than the {} minutes allowed for clock skew: a tag dated in the future would outrank every later event until that date, and be judged at a date its key may not yet be valid",
            event.tag,
            event.time.iso(),
            Timestamp::new(now, 0).iso(),
            CLOCK_SKEW_SECONDS / 60
        )
    })
}

/// Why `event` (an assignment or unassignment of `artifact`, of `version`) is not what the
/// registry says of its stage now; `None` when it is, and for every other kind of event.
///
/// Deleting the old `model#prod#1` and pushing its object again is a new tag push, and its
/// signature is as good as the day it was made: judged alone it would pass, and the deploy would
/// roll prod back to v1 while `show model#prod` says v2. So the stage is judged as `show
/// NAME#STAGE` judges it, and nothing is folded again: each version's newest event of the stage
/// is the state's (`VStage::newest_event`), and the holder is the stage's resolution
/// (`resolve::pick`).
/// - Any event must be the newest of its own version in that stage: a later event of the same
///   version (a re-promotion, an unassignment) supersedes it.
/// - An assignment must, besides, be of the version the stage holds now. Events of *other*
///   versions do not supersede it by themselves: after `promote v2 prod` then `unassign v1`,
///   prod's assignment of v2 still gives what `show` says, and must deploy.
/// - An unassignment needs no more: that its version is out of the stage stays true until its
///   version's next event in the stage.
///
/// Stage names are compared without ASCII case, as the authorize rules compare them
/// (`TrustPolicy::stage_rule`): the events of `PROD` and `prod` are judged as one stage's
/// (see [`folded`]), so a replayed `model#PROD#1` is refused once `model#prod#2` is newer.
pub(super) fn stale(artifact: &Artifact, event: &Event, version: &str) -> Option<String> {
    if !matches!(event.kind, EventKind::Assignment | EventKind::Unassignment) {
        return None;
    }
    let written = event.stage.as_ref()?;
    let (artifact, stage) = folded(artifact, written)?;
    let (artifact, stage) = (&artifact, &stage);
    let holder = resolve::pick(artifact, &Pick::Stage(stage.clone())).ok();
    let holder_event = holder.and_then(|v| v.vstage(stage)?.newest_event());
    let holds = holder.map_or_else(
        || format!("{stage} holds no version of '{}' now", artifact.name),
        |v| format!("{stage} holds {} now", v.label.as_str()),
    );
    let not_newest = |newer: &Event| {
        let why = if newer.time.seconds == event.time.seconds {
            ", made in the same second, is the one the registry counts"
        } else {
            " is newer"
        };
        format!(
            "'{}' is not the newest {written} event of '{}': '{}'{why}, and {holds}; an old tag pushed again would replay what it once did",
            event.tag, artifact.name, newer.tag
        )
    };
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
    if let Some(newer) = own.filter(|n| n.tag != event.tag) {
        return Some(not_newest(newer));
    }
    if event.kind == EventKind::Unassignment || holder_event.is_some_and(|h| h.tag == event.tag) {
        return None;
    }
    // An assignment of a version the stage does not hold: name what holds it when that came
    // later (or won the same second), else say the registry no longer gives it (deregistered).
    match holder_event.filter(|h| h.time.seconds >= event.time.seconds) {
        Some(h) => Some(not_newest(h)),
        None => Some(format!(
            "'{}' gives {stage} to '{}' {version}, but the registry does not: {holds}",
            event.tag, artifact.name
        )),
    }
}

/// `artifact` with every stage whose name equals `stage` without ASCII case merged into one,
/// named in lower case (GTO's own grammar), and that name. Each version's events of the case
/// variants are put together in the fold's base order (time, counter, tag name), so the state's
/// own rules (`VStage::newest_event`, the resolution) then judge them as one stage's history.
/// `None` only if the lower-cased name were no stage name, which the grammar rules out.
fn folded(artifact: &Artifact, stage: &Stage) -> Option<(Artifact, Stage)> {
    let name = Stage::from_tag_part(&stage.as_str().to_ascii_lowercase())?;
    let mut artifact = artifact.clone();
    for version in &mut artifact.versions {
        let mut merged: Option<VStage> = None;
        let mut at = None;
        let mut kept = Vec::with_capacity(version.stages.len());
        for vstage in std::mem::take(&mut version.stages) {
            if !vstage.stage.as_str().eq_ignore_ascii_case(name.as_str()) {
                kept.push(vstage);
                continue;
            }
            at.get_or_insert(kept.len());
            let into = merged.get_or_insert_with(|| VStage {
                stage: name.clone(),
                assignments: Vec::new(),
                unassignments: Vec::new(),
            });
            into.assignments.extend(vstage.assignments);
            into.unassignments.extend(vstage.unassignments);
        }
        if let (Some(mut merged), Some(at)) = (merged, at) {
            let base = |e: &Event| (e.time.seconds, e.counter, e.tag.clone());
            merged.assignments.sort_by_key(base);
            merged.unassignments.sort_by_key(base);
            kept.insert(at, merged);
        }
        version.stages = kept;
    }
    Some((artifact, name))
}
