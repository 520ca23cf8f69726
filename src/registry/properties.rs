//! Property tests: the hand-written tag parser accepts exactly what GTO's `tag_re` accepts
//! (reference §2, quoted verbatim below) and reads the same parts; format then parse is the
//! identity; the tag, name, version, date and trailer parsers never panic. (The YAML loaders'
//! own never-panic properties live next to them, in `artifacts/props.rs` and `config.rs`.)

use proptest::prelude::*;
use regex::Regex;

use super::tag::{TagAction, TagName};

/// GTO 1.10.1's `tag_re`, assembled exactly as `gto/constants.py` does (compiled once).
fn gto_tag_re() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(build_gto_tag_re)
}

fn build_gto_tag_re() -> Regex {
    let dirname = "[a-zA-Z0-9-_./]+";
    let name = r"[a-zA-Z0-9]([a-zA-Z0-9-/_]*[a-zA-Z0-9])?";
    let semver = r"(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)(?:-(?P<prerelease>(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+(?P<buildmetadata>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?";
    let counter = "?P<counter>[0-9]+";
    let fullname = format!("(?P<dirname>{dirname}:)?(?P<name>{name})");
    let fullname_in_tag = fullname.replace(':', "=");
    let tag_re = format!(
        "^(?P<artifact>{fullname_in_tag})(((#(?P<stage>{name})|@(?P<version>v{semver}))(?P<cancel>!?))|@((?P<deprecated>deprecated)|(?P<created>created)))(#({counter}))?$"
    );
    Regex::new(&tag_re).expect("GTO's regex compiles")
}

/// Strings made of the characters that matter to the grammar, so matches are common.
fn tagish() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("m".to_string()),
        Just("churn".to_string()),
        Just("a/b".to_string()),
        Just("dir=".to_string()),
        Just("x.y/=".to_string()),
        Just("@".to_string()),
        Just("#".to_string()),
        Just("!".to_string()),
        Just("v1.2.3".to_string()),
        Just("v0.0.1-rc.1".to_string()),
        Just("+build.7".to_string()),
        Just("prod".to_string()),
        Just("deprecated".to_string()),
        Just("created".to_string()),
        Just("7".to_string()),
        Just("01".to_string()),
        "[a-zA-Z0-9_./=#@!+-]{1,3}",
    ];
    prop::collection::vec(pieces, 1..7).prop_map(|v| v.concat())
}

/// The registry does not depend on the order tags are listed in: `Registry::build` sorts what
/// it is given (time, counter, tag name), so any listing of the same tags (git's, a packed-refs
/// file's, a remote's) gives the same artifacts, versions, stages and warnings.
mod listing_order {
    use proptest::prelude::*;

    use super::super::event::{Event, RawTag, Target, event_from_raw};
    use super::super::state::Registry;
    use super::super::time::Timestamp;

    /// One tag of a small world (two artifacts, two stages, three commits, four seconds) so
    /// that versions collide, stages move back and forth and many events share a second.
    fn tag() -> impl Strategy<Value = (String, &'static str, i64)> {
        let artifact = prop_oneof![Just("m"), Just("dir=n")];
        let stage = prop_oneof![Just("dev"), Just("prod")];
        let version = (0..2u8, 0..2u8).prop_map(|(major, minor)| format!("v{major}.{minor}.0"));
        let counter = prop_oneof![Just(String::new()), (1..4u8).prop_map(|n| format!("#{n}"))];
        let name =
            (artifact, stage, version, counter, 0..6u8).prop_map(|(a, s, v, c, kind)| match kind {
                0 | 1 => format!("{a}@{v}"),
                2 => format!("{a}@{v}!{c}"),
                3 => format!("{a}#{s}{c}"),
                4 => format!("{a}#{s}!{c}"),
                _ => format!("{a}@deprecated{c}"),
            });
        let commit = prop_oneof![Just("c1"), Just("c2"), Just("c3")];
        (name, commit, 0..4i64)
    }

    /// Tags as a repository lists them: name, commit, seconds after the first.
    type Listing = Vec<(String, &'static str, i64)>;

    /// Tags with distinct names (as in a repository), and the same tags in another order.
    fn listings() -> impl Strategy<Value = (Listing, Listing)> {
        prop::collection::vec(tag(), 0..24).prop_flat_map(|mut tags| {
            let mut seen = std::collections::HashSet::new();
            tags.retain(|(name, _, _)| seen.insert(name.clone()));
            (Just(tags.clone()), Just(tags).prop_shuffle())
        })
    }

    fn build(listing: &Listing) -> Registry {
        let events: Vec<Event> = listing
            .iter()
            .filter_map(|(name, commit, t)| {
                let raw = RawTag {
                    name: name.clone(),
                    target: Target::Commit((*commit).into()),
                    tagger_name: "T".into(),
                    tagger_email: "t@x".into(),
                    time: Timestamp::new(1_700_000_000 + t, 0),
                    message: format!("msg {name}"),
                    signed: None,
                };
                event_from_raw(raw).ok().flatten()
            })
            .collect();
        Registry::build(events, Vec::new())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

        #[test]
        fn state_does_not_depend_on_the_listing_order((listed, shuffled) in listings()) {
            let a = build(&listed);
            let b = build(&shuffled);
            // Compared through Debug: the state has no PartialEq, and its name index (a hash map)
            // is left out, being derived from `artifacts`.
            prop_assert_eq!(format!("{:#?}", a.artifacts), format!("{:#?}", b.artifacts));
            prop_assert_eq!(a.warnings, b.warnings);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn parser_agrees_with_gtos_regex(s in tagish()) {
        let re = gto_tag_re();
        let ours = TagName::parse(&s);
        let theirs = re.captures(&s);
        prop_assert_eq!(ours.is_some(), theirs.is_some(), "{}", s);
        if let (Some(t), Some(c)) = (ours, theirs) {
            prop_assert_eq!(t.artifact.to_tag_part(), &c["artifact"]);
            prop_assert_eq!(t.counter.map(|n| n.to_string()), c.name("counter").map(|m| m.as_str().trim_start_matches('0').to_string()).map(|d| if d.is_empty() { "0".to_string() } else { d }));
            let cancel = c.name("cancel").is_some_and(|m| m.as_str() == "!");
            match t.action {
                TagAction::Register(v) => { prop_assert_eq!(v.as_str(), &c["version"]); prop_assert!(!cancel); }
                TagAction::Deregister(v) => { prop_assert_eq!(v.as_str(), &c["version"]); prop_assert!(cancel); }
                TagAction::Assign(st) => { prop_assert_eq!(st.as_str(), &c["stage"]); prop_assert!(!cancel); }
                TagAction::Unassign(st) => { prop_assert_eq!(st.as_str(), &c["stage"]); prop_assert!(cancel); }
                TagAction::Deprecate => prop_assert!(c.name("deprecated").is_some()),
                TagAction::Created => prop_assert!(c.name("created").is_some()),
            }
        }
    }

    #[test]
    fn format_then_parse_is_identity(s in tagish()) {
        if let Some(t) = TagName::parse(&s) {
            let again = TagName::parse(&t.format());
            prop_assert_eq!(Some(t), again);
        }
    }

    #[test]
    fn parsers_never_panic(s in ".{0,60}") {
        let _ = TagName::parse(&s);
        let _ = s.parse::<super::name::ArtifactName>();
        let _ = s.parse::<super::name::Stage>();
        let _ = s.parse::<super::version::VersionName>();
        let _ = super::time::parse_git_date(&s);
        let _ = super::trailer::parse(&s);
    }
}
