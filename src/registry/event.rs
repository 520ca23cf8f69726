//! Events: one annotated registry tag, read from the plain data git gives (`RawTag`).
//!
//! Turning a raw tag into an event is where hand-made oddities are caught: tags on trees or blobs
//! and `@created` tags become warnings, never errors, so one bad tag cannot take the registry down
//! (GTO §14 B1). Pure: the git seam fills `RawTag`, this file only reads it. Which tag to delete
//! is data here; the shell words the repair (the commands that delete it).

use std::fmt;

use std::sync::Arc;

use super::name::{ArtifactName, Stage};
use super::signature::Signed;
use super::tag::{TagAction, TagName};
use super::time::Timestamp;
use super::version::VersionName;

/// What an annotated tag points at, after peeling nested tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Commit(String),
    /// A tree, blob or something else that is not a commit: kind name and object id.
    Other {
        kind: String,
        id: String,
    },
}

/// An annotated tag as the git seam reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawTag {
    pub name: String,
    pub target: Target,
    pub tagger_name: String,
    pub tagger_email: String,
    pub time: Timestamp,
    /// The message, without the signature block of a signed tag.
    pub message: String,
    /// A signed tag's signed bytes and signature (shared: events are cloned).
    pub signed: Option<Arc<Signed>>,
}

/// GTO's event kinds, with its fixed priorities (reference §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum EventKind {
    Deprecation,
    Registration,
    Deregistration,
    Assignment,
    Unassignment,
}

impl EventKind {
    /// GTO's priority numbers, part of its JSON.
    pub(crate) fn priority(self) -> u8 {
        match self {
            EventKind::Deprecation => 2,
            EventKind::Registration => 3,
            EventKind::Deregistration => 4,
            EventKind::Assignment => 5,
            EventKind::Unassignment => 6,
        }
    }

    /// Additions create something; removals take it away.
    pub(crate) fn is_addition(self) -> bool {
        matches!(self, EventKind::Registration | EventKind::Assignment)
    }

    /// The lower-case word GTO prints (`check-ref --event`, history's `event`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            EventKind::Deprecation => "deprecation",
            EventKind::Registration => "registration",
            EventKind::Deregistration => "deregistration",
            EventKind::Assignment => "assignment",
            EventKind::Unassignment => "unassignment",
        }
    }
}

/// One lifecycle event: a registry tag that means something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Event {
    pub kind: EventKind,
    pub artifact: ArtifactName,
    /// Set for registrations and deregistrations (the version named in the tag).
    pub version: Option<VersionName>,
    /// Set for assignments and unassignments.
    pub stage: Option<Stage>,
    pub counter: Option<u64>,
    pub tag: String,
    pub commit: String,
    pub time: Timestamp,
    pub author: String,
    pub author_email: String,
    /// The tag message with surrounding whitespace stripped, as GTO reads it, without the
    /// signature block of a signed tag.
    pub message: String,
    /// A signed tag's signed bytes and signature; `None` for an unsigned tag.
    pub signed: Option<Arc<Signed>>,
}

/// Something odd about one tag that the registry reads around.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Warning {
    pub tag: String,
    pub message: String,
    /// How to repair it (`doctor` prints this).
    pub fix: String,
}

/// A registry tag that cannot count. Either way the repair is to delete the tag (`tag`); the
/// shell turns this into a [`Warning`] with the command lines to do it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unusable {
    /// It points at a tree, blob or other non-commit (`kind`, object `id`).
    NotACommit {
        tag: String,
        kind: String,
        id: String,
    },
    /// It uses the reserved `@created` form, which GTO fails on.
    Created { tag: String },
}

impl Unusable {
    /// The tag's name.
    pub(crate) fn tag(&self) -> &str {
        match self {
            Unusable::NotACommit { tag, .. } | Unusable::Created { tag } => tag,
        }
    }
}

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unusable::NotACommit { tag, kind, id } => write!(
                f,
                "tag '{tag}' points at a {kind} ({id}), not a commit; it is ignored"
            ),
            Unusable::Created { tag } => write!(
                f,
                "tag '{tag}' uses the reserved '@created' form, which records nothing; it is ignored"
            ),
        }
    }
}

/// Reads one raw tag. `Ok(None)` for names that are not registry tags (ignored silently, as GTO
/// does); `Err(..)` for registry tags that cannot count. Takes the tag by value: its strings
/// move into the event (at 100,000 tags, copies were a tenth of `show`'s time).
pub(crate) fn event_from_raw(raw: RawTag) -> Result<Option<Event>, Unusable> {
    let Some(parsed) = TagName::parse(&raw.name) else {
        return Ok(None);
    };
    let commit = match raw.target {
        Target::Commit(id) => id,
        Target::Other { kind, id } => {
            return Err(Unusable::NotACommit {
                tag: raw.name,
                kind,
                id,
            });
        }
    };
    let (kind, version, stage) = match parsed.action {
        TagAction::Register(v) => (EventKind::Registration, Some(v), None),
        TagAction::Deregister(v) => (EventKind::Deregistration, Some(v), None),
        TagAction::Assign(s) => (EventKind::Assignment, None, Some(s)),
        TagAction::Unassign(s) => (EventKind::Unassignment, None, Some(s)),
        TagAction::Deprecate => (EventKind::Deprecation, None, None),
        TagAction::Created => return Err(Unusable::Created { tag: raw.name }),
    };
    Ok(Some(Event {
        kind,
        artifact: parsed.artifact,
        version,
        stage,
        counter: parsed.counter,
        tag: raw.name,
        commit,
        time: raw.time,
        author: raw.tagger_name,
        author_email: raw.tagger_email,
        message: trimmed(raw.message),
        signed: raw.signed,
    }))
}

/// `s.trim()`, reusing the string's buffer.
fn trimmed(mut s: String) -> String {
    let end = s.trim_end().len();
    s.truncate(end);
    let start = s.len() - s.trim_start().len();
    s.drain(..start);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(name: &str, target: Target) -> RawTag {
        RawTag {
            name: name.into(),
            target,
            tagger_name: "A".into(),
            tagger_email: "a@x".into(),
            time: Timestamp::new(100, 0),
            message: "  hello\n\n".into(),
            signed: None,
        }
    }

    #[test]
    fn reads_registry_tags() {
        let e = event_from_raw(raw("m#prod#3", Target::Commit("c1".into())))
            .unwrap()
            .unwrap();
        assert_eq!(e.kind, EventKind::Assignment);
        assert_eq!(e.stage.unwrap().as_str(), "prod");
        assert_eq!(e.counter, Some(3));
        assert_eq!(e.message, "hello");
    }

    #[test]
    fn ignores_other_names_silently() {
        assert_eq!(
            event_from_raw(raw("v1.0.0", Target::Commit("c".into()))),
            Ok(None)
        );
    }

    #[test]
    fn oddities_become_warnings_b1() {
        let w = event_from_raw(raw("m@created", Target::Commit("c".into()))).unwrap_err();
        assert_eq!(
            w,
            Unusable::Created {
                tag: "m@created".into()
            }
        );
        assert!(w.to_string().contains("@created"));
        let w = event_from_raw(raw(
            "m@v1.0.0",
            Target::Other {
                kind: "tree".into(),
                id: "abc".into(),
            },
        ))
        .unwrap_err();
        assert_eq!(w.tag(), "m@v1.0.0");
        assert!(w.to_string().contains("points at a tree"));
    }
}
