//! The tag grammar: parse and format every tag form of SPEC §2 (reference §3).
//!
//! A hand-written equivalent of GTO's `tag_re`: the artifact part runs up to the first `#` or `@`
//! (neither may appear in a name), then one of `#STAGE[!]`, `@vSEMVER[!]`, `@deprecated`,
//! `@created`, then an optional `#COUNTER`. A differential property test (`properties.rs`) checks it against GTO's
//! own regex.
//! Pure: no git, no I/O.

use super::name::{ArtifactName, Stage};
use super::version::VersionName;

/// What a tag says happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TagAction {
    Register(VersionName),
    Deregister(VersionName),
    Assign(Stage),
    Unassign(Stage),
    Deprecate,
    /// `NAME@created`: matches GTO's grammar but means nothing (GTO §14 B1: it crashes GTO).
    Created,
}

/// A parsed registry tag name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TagName {
    pub artifact: ArtifactName,
    pub action: TagAction,
    /// `#N` suffix; `None` for the simple form.
    pub counter: Option<u64>,
}

impl TagName {
    /// Parses a tag name (without `refs/tags/`). `None` when it is not a registry tag.
    pub(crate) fn parse(name: &str) -> Option<TagName> {
        let split = name.find(['#', '@'])?;
        let artifact = ArtifactName::from_tag_part(&name[..split])?;
        let rest = &name[split..];
        let (action, rest) = if let Some(rest) = rest.strip_prefix('#') {
            // Stage names cannot hold '!' or '#', so the stage ends at either.
            let end = rest.find(['!', '#']).unwrap_or(rest.len());
            let stage = Stage::from_tag_part(&rest[..end])?;
            let (cancel, rest) = strip_cancel(&rest[end..]);
            let action = if cancel {
                TagAction::Unassign(stage)
            } else {
                TagAction::Assign(stage)
            };
            (action, rest)
        } else {
            let rest = rest.strip_prefix('@')?;
            let end = rest.find(['!', '#']).unwrap_or(rest.len());
            let word = &rest[..end];
            let after = &rest[end..];
            match word {
                "deprecated" => (TagAction::Deprecate, after),
                "created" => (TagAction::Created, after),
                _ => {
                    let version: VersionName = word.parse().ok()?;
                    let (cancel, rest) = strip_cancel(after);
                    let action = if cancel {
                        TagAction::Deregister(version)
                    } else {
                        TagAction::Register(version)
                    };
                    (action, rest)
                }
            }
        };
        let counter = if rest.is_empty() {
            None
        } else {
            let digits = rest.strip_prefix('#')?;
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // A counter too large for u64 still matches GTO's grammar; saturate rather than drop.
            Some(digits.parse::<u64>().unwrap_or(u64::MAX))
        };
        Some(TagName {
            artifact,
            action,
            counter,
        })
    }

    /// Formats the tag name back (SPEC §2).
    pub(crate) fn format(&self) -> String {
        let mut out = self.artifact.to_tag_part();
        match &self.action {
            TagAction::Register(v) => {
                out.push('@');
                out.push_str(v.as_str());
            }
            TagAction::Deregister(v) => {
                out.push('@');
                out.push_str(v.as_str());
                out.push('!');
            }
            TagAction::Assign(s) => {
                out.push('#');
                out.push_str(s.as_str());
            }
            TagAction::Unassign(s) => {
                out.push('#');
                out.push_str(s.as_str());
                out.push('!');
            }
            TagAction::Deprecate => out.push_str("@deprecated"),
            TagAction::Created => out.push_str("@created"),
        }
        if let Some(n) = self.counter {
            out.push('#');
            out.push_str(&n.to_string());
        }
        out
    }
}

fn strip_cancel(s: &str) -> (bool, &str) {
    match s.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> TagName {
        TagName::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn every_form_parses_and_formats_back() {
        for s in [
            "churn@v3.1.0",
            "churn@v3.1.0#7",
            "churn@v3.0.0!",
            "churn@v3.0.0!#7",
            "churn#prod",
            "churn#prod#2",
            "churn#prod!",
            "churn#prod!#3",
            "churn@deprecated",
            "churn@deprecated#5",
            "churn@created",
            "classification/dvclive=models/nn@v0.0.1",
            "sub/Dir.x=my_model/v2#prod#1",
            "rf#prod#0",
            "m@v1.0.0-rc.1+build.7#12",
        ] {
            assert_eq!(p(s).format(), s);
        }
    }

    #[test]
    fn parts_are_read_right() {
        let t = p("sub/Dir.x=my_model/v2#prod!#11");
        assert_eq!(t.artifact.as_str(), "sub/Dir.x:my_model/v2");
        assert_eq!(t.action, TagAction::Unassign("prod".parse().unwrap()));
        assert_eq!(t.counter, Some(11));
        assert_eq!(p("rf#prod#01").counter, Some(1));
    }

    #[test]
    fn legacy_stage_dash_counter_is_a_stage() {
        // Reference §3.5: 0.0.x wrote `name#stage-N`; it reads as stage `stage-N`.
        assert_eq!(
            p("rf#prod-5").action,
            TagAction::Assign("prod-5".parse().unwrap())
        );
        assert_eq!(p("rf#prod-5").counter, None);
    }

    #[test]
    fn non_registry_names_do_not_parse() {
        for s in [
            "v1.0.0",
            "model@v1",
            "model-prod",
            "x#v1.0.0",
            "m@deprecated!",
            "m@created!",
            "m@v1.0.0#",
            "m@v1.0.0#x",
            "m@v1.0.0!!",
            "m#prod#1#2",
            "m#",
            "@v1.0.0",
            "m@V1.0.0",
            "m@v1.0.0#-1",
            "a=b=c@v1.0.0",
            "-m@v1.0.0",
        ] {
            assert!(TagName::parse(s).is_none(), "{s}");
        }
    }
}
