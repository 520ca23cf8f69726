//! Planning `--delete`: which tags go, oldest first, each once.

use std::collections::HashSet;

/// Tags `--delete` removes, oldest first, each once.
pub fn distinct_tags<'a>(
    events: impl Iterator<Item = &'a crate::registry::event::Event>,
) -> Vec<String> {
    let mut events: Vec<&crate::registry::event::Event> = events.collect();
    events.sort_by_key(|e| e.time.seconds);
    let mut seen = HashSet::new();
    events
        .into_iter()
        .filter(|e| seen.insert(e.tag.clone()))
        .map(|e| e.tag.clone())
        .collect()
}
