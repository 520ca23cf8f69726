//! The trust policy of `.registry.yaml` (`signatures:` and `authorize:`) and its verdict on one
//! event: must it be signed, and may its proven signer make it. Pure: signature statuses come in
//! as data (checked in `signature/`), the policy comes from `config.rs`.
//!
//! The rules, as the README's "Signed and authorized events" states them:
//!
//! - An event is judged at a time `at`. `audit` passes the tag's own date; `check-ref --policy`
//!   passes the later of the tag's date and now, because a tagger date is whatever the pusher
//!   typed and a backdated tag must not slip under the cut-over.
//! - With `signatures.required_since` set, an event judged before it is *grandfathered*: no rule
//!   applies (neither signature nor principal), so an existing registry can adopt the policy.
//! - From `required_since` on, every event must carry a good signature. Without
//!   `required_since`, only events an `authorize` rule covers must.
//! - Authorization lists apply to the *proven* principal of a good signature, never to the
//!   claimed tagger: an event covered by a list and not signed well fails, whoever it claims.
//!   `authorize.register`, `deregister` and `deprecate` cover those event kinds;
//!   `authorize.stages.S.assign` and `unassign` cover the stage events of stage `S` (stage names
//!   compared without ASCII case: a `#PROD#` tag meets the rules of `prod`). An absent list
//!   means anyone, except that taking away follows giving: without their own lists,
//!   `deregister` and `deprecate` follow `register`, and `unassign` follows `assign`. An empty
//!   list means no one. Principals compare as exact strings.
//! - `authorize.stages.S.two_person`: an assignment to `S` fails unless every registration of
//!   the version it attaches to proves its registrant (a good signature) and none of them is
//!   the assigner: the same principal, or the same key under another principal. A registration
//!   without a good signature proves no one (its tagger e-mail is whatever its pusher typed),
//!   and a version with no registration fails the rule too.
//! - `authorize.stages.S.metrics: ["eval.auc >= 0.9", …]`: an assignment to `S` fails unless the
//!   version it attaches to has metrics meeting every rule (`metrics_gate.rs`); a missing or
//!   non-numeric metric fails. The gate alone needs no signature: an unsigned assignment that
//!   meets it passes, unless another rule needs a signature.

use std::collections::BTreeMap;

use super::event::{Event, EventKind};
use super::name::Stage;
use super::signature::SigStatus;
use super::time::Timestamp;

mod metrics_gate;
mod signer;
mod two_person;

use metrics_gate::metric_breach;
pub(crate) use metrics_gate::{MetricRules, Scores};
use signer::signer_breach;
pub(crate) use two_person::{Registrant, attached, registrants};

/// The signature and authorization rules of `.registry.yaml`. Every list is optional: `None`
/// means anyone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TrustPolicy {
    /// `signatures.allowed_signers`: the allowed-signers file, a path in the repository.
    pub allowed_signers: Option<String>,
    /// `signatures.required_since`: from then on every event must be signed well.
    pub required_since: Option<Timestamp>,
    /// `signatures.gpg_keys`: principal → fingerprints (upper-case hex) of the OpenPGP and X.509
    /// keys that prove it. Under a policy with rules, such a signature proves only a pinned key.
    pub gpg_keys: Option<BTreeMap<String, Vec<String>>>,
    /// `authorize.register`: who may register versions.
    pub register: Option<Vec<String>>,
    /// `authorize.deregister`: who may deregister versions.
    pub deregister: Option<Vec<String>>,
    /// `authorize.deprecate`: who may deprecate artifacts.
    pub deprecate: Option<Vec<String>>,
    /// `authorize.stages`: the rules of each stage, by stage name.
    pub stages: BTreeMap<String, StageRule>,
}

/// The rules of one stage (`authorize.stages.S`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StageRule {
    /// Who may assign the stage.
    pub assign: Option<Vec<String>>,
    /// Who may unassign it.
    pub unassign: Option<Vec<String>>,
    /// The registrant of a version may not be the one who assigns it this stage.
    pub two_person: bool,
    /// The metrics a version must meet to be assigned this stage.
    pub metrics: MetricRules,
}

impl StageRule {
    fn is_empty(&self) -> bool {
        self.assign.is_none()
            && self.unassign.is_none()
            && !self.two_person
            && self.metrics.is_empty()
    }
}

impl TrustPolicy {
    /// No signature or authorization setting at all (`audit` and `check-ref --policy` then
    /// have nothing to enforce).
    pub(crate) fn is_empty(&self) -> bool {
        self.allowed_signers.is_none()
            && self.required_since.is_none()
            && self.register.is_none()
            && self.deregister.is_none()
            && self.deprecate.is_none()
            && self.gpg_keys.is_none()
            && self.stages.values().all(StageRule::is_empty)
    }

    /// Whether any rule covers events: a cut-over or an `authorize` list, two-person rule or
    /// metric gate.
    /// (An allowed-signers file or pinned keys alone say how to check, not what to require.)
    pub(crate) fn has_rules(&self) -> bool {
        self.required_since.is_some()
            || self.register.is_some()
            || self.deregister.is_some()
            || self.deprecate.is_some()
            || !self.stages.values().all(StageRule::is_empty)
    }

    /// Every principal the policy names, with where (`authorize.stages.prod.assign`), in the
    /// file's order of keys: what `doctor` checks against the allowed-signers file.
    pub(crate) fn named_principals(&self) -> Vec<(String, String)> {
        let mut lists: Vec<(String, &Vec<String>)> = Vec::new();
        for (key, list) in [
            ("register", &self.register),
            ("deregister", &self.deregister),
            ("deprecate", &self.deprecate),
        ] {
            if let Some(l) = list {
                lists.push((format!("authorize.{key}"), l));
            }
        }
        for (stage, rule) in &self.stages {
            for (key, list) in [("assign", &rule.assign), ("unassign", &rule.unassign)] {
                if let Some(l) = list {
                    lists.push((format!("authorize.stages.{stage}.{key}"), l));
                }
            }
        }
        lists
            .into_iter()
            .flat_map(|(at, l)| l.iter().map(move |p| (at.clone(), p.clone())))
            .collect()
    }

    /// The list covering `event`, where it sits, and what it lets its principals do.
    fn list_for(&self, event: &Event) -> Option<(String, &[String], String)> {
        let stage = event.stage.as_ref().map(Stage::as_str);
        let (at, list, what) = match (event.kind, stage) {
            (EventKind::Registration, _) => (
                "authorize.register".to_string(),
                self.register.as_ref()?,
                "register versions".to_string(),
            ),
            // Taking away is guarded as giving is: without its own list, deregistering and
            // deprecating follow `register`, unassigning follows `assign` (a guard on `assign`
            // alone would let anyone roll prod back with an unassignment).
            (EventKind::Deregistration, _) => match &self.deregister {
                Some(l) => ("authorize.deregister".to_string(), l, String::new()),
                None => (
                    "authorize.register (deregister follows it)".to_string(),
                    self.register.as_ref()?,
                    String::new(),
                ),
            },
            (EventKind::Deprecation, _) => match &self.deprecate {
                Some(l) => ("authorize.deprecate".to_string(), l, String::new()),
                None => (
                    "authorize.register (deprecate follows it)".to_string(),
                    self.register.as_ref()?,
                    String::new(),
                ),
            },
            (EventKind::Assignment, Some(s)) => {
                let (key, rule) = self.stage_rule(s)?;
                (
                    format!("authorize.stages.{key}.assign"),
                    rule.assign.as_ref()?,
                    format!("assign stage '{s}'"),
                )
            }
            (EventKind::Unassignment, Some(s)) => {
                let (key, rule) = self.stage_rule(s)?;
                match &rule.unassign {
                    Some(l) => (
                        format!("authorize.stages.{key}.unassign"),
                        l,
                        format!("unassign stage '{s}'"),
                    ),
                    None => (
                        format!("authorize.stages.{key}.assign (unassign follows it)"),
                        rule.assign.as_ref()?,
                        format!("unassign stage '{s}'"),
                    ),
                }
            }
            _ => return None,
        };
        let what = match event.kind {
            EventKind::Deregistration => "deregister versions".to_string(),
            EventKind::Deprecation => "deprecate artifacts".to_string(),
            _ => what,
        };
        Some((at, list.as_slice(), what))
    }

    /// The rule of stage `stage`, and the key it is written under. Stage names compare without
    /// ASCII case: the tag grammar takes `PROD`, and GitHub's expressions compare strings
    /// without case, so a `#PROD#` tag must meet the rules of `prod`, not slip past them.
    fn stage_rule(&self, stage: &str) -> Option<(&str, &StageRule)> {
        self.stages
            .get_key_value(stage)
            .or_else(|| {
                self.stages
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(stage))
            })
            .map(|(k, r)| (k.as_str(), r))
    }

    /// Whether a two-person rule covers `event` (an assignment to a stage that has one).
    pub(crate) fn two_person_covers(&self, event: &Event) -> bool {
        self.two_person_stage(event).is_some()
    }

    /// Whether a metric gate covers `event` (an assignment to a stage that has one): the shell
    /// then fetches the metrics of the version it attaches to.
    pub(crate) fn metric_gate_covers(&self, event: &Event) -> bool {
        self.metric_gate(event).is_some()
    }

    /// The metric rules covering `event`, and the key of the stage they are written under.
    pub(crate) fn metric_gate(&self, event: &Event) -> Option<(&str, &MetricRules)> {
        if event.kind != EventKind::Assignment {
            return None;
        }
        let (key, rule) = self.stage_rule(event.stage.as_ref()?.as_str())?;
        (!rule.metrics.is_empty()).then_some((key, &rule.metrics))
    }

    /// The stage whose two-person rule covers `event` (an assignment to it).
    fn two_person_stage<'e>(&self, event: &'e Event) -> Option<&'e str> {
        let stage = event.stage.as_ref()?.as_str();
        (event.kind == EventKind::Assignment && self.stage_rule(stage)?.1.two_person)
            .then_some(stage)
    }
}

/// What the policy says of one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Every rule that covers it holds.
    Pass,
    /// Judged before `signatures.required_since`: no rule applies.
    Grandfathered,
    /// The policy has no signature or authorization rule for it.
    NotCovered,
    /// It breaks a rule.
    Fail(Breach),
}

/// How an event breaks the policy, and why in a plain sentence naming the tag and the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Breach {
    pub kind: BreachKind,
    pub reason: String,
}

/// Which rule an event breaks: a signature that is not good (one kind per status), a principal
/// no list allows, the two-person rule, or a stage's metric gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum BreachKind {
    Unsigned,
    BadSignature,
    UnknownKey,
    Expired,
    Unverifiable,
    NotAllowed,
    TwoPerson,
    /// The version an assignment attaches to fails the stage's metric rules.
    Metrics,
    /// A stage name that equals a configured one without ASCII case but not byte for byte.
    StageCase,
}

/// `s` as a message shows it: control and invisible characters escaped (a principal or a
/// verifier's reason may hold them), everything else as it is.
fn shown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if super::trailer::breaks_line(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// The verdict of `policy` on `event` without metrics to judge it by: for events no metric
/// gate covers. An assignment a gate covers fails it (no scores, no pass).
pub(crate) fn judge(
    policy: &TrustPolicy,
    event: &Event,
    status: &SigStatus,
    at: Timestamp,
    registrants: &[Registrant],
) -> Verdict {
    judge_scored(policy, event, status, at, registrants, None)
}

/// The verdict of `policy` on `event`, whose signature check found `status`, judged at `at`
/// (see the file's comment for which time), with the registrant of the version it attaches to
/// (for the two-person rule; see [`registrants`]) and that version's metrics (for the metric
/// gate; `None` when no registered version is attached).
pub(crate) fn judge_scored(
    policy: &TrustPolicy,
    event: &Event,
    status: &SigStatus,
    at: Timestamp,
    registrants: &[Registrant],
    scores: Option<&Scores>,
) -> Verdict {
    if policy
        .required_since
        .is_some_and(|since| at.seconds < since.seconds)
    {
        return Verdict::Grandfathered;
    }
    let list = policy.list_for(event);
    let two_person = policy.two_person_stage(event);
    let gate = policy.metric_gate(event);
    let signed = policy.required_since.is_some() || list.is_some() || two_person.is_some();
    if !signed && gate.is_none() {
        return Verdict::NotCovered;
    }
    let tag = shown(&event.tag);
    // Signatures first: a metric gate alone needs none (the version's scores decide, whoever
    // assigns), so only the other rules ask who made the event.
    if signed
        && let Some(breach) = signer_breach(policy, status, &tag, list, two_person, registrants)
    {
        return Verdict::Fail(breach);
    }
    if let Some((key, rules)) = gate {
        let stage = event.stage.as_ref().map_or("", Stage::as_str);
        let artifact = event.artifact.to_string();
        if let Some(reason) = metric_breach(&tag, &artifact, stage, key, rules, scores) {
            return Verdict::Fail(Breach {
                kind: BreachKind::Metrics,
                reason,
            });
        }
    }
    Verdict::Pass
}

/// The configured stage name (of a rule, `stages` or `promotion_order`) that `stage` equals
/// without ASCII case but not byte for byte, if any: `PROD` beside `prod` is one stage to a CI
/// expression that compares without case (GitHub's `==`) and another to the registry, so the
/// gate refuses it rather than guess which rules it meant.
pub(crate) fn case_twin<'a>(
    stage: &str,
    names: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    names
        .into_iter()
        .find(|n| *n != stage && n.eq_ignore_ascii_case(stage))
}

/// Why a deregistration signed as `status` may not take away the stages its version holds
/// (`held`), if it may not: withdrawing the version in `prod` rolls `prod` back as an
/// unassignment would, so each held stage's `unassign` list (or its `assign` list, which
/// unassign follows) must name the signer. `None` when it may, or nothing guards those stages.
pub(crate) fn takes_away(
    policy: &TrustPolicy,
    event: &Event,
    status: &SigStatus,
    held: &[&str],
) -> Option<Breach> {
    if event.kind != EventKind::Deregistration {
        return None;
    }
    for stage in held {
        let Some((key, rule)) = policy.stage_rule(stage) else {
            continue;
        };
        let (at, list) = match (&rule.unassign, &rule.assign) {
            (Some(l), _) => (format!("authorize.stages.{key}.unassign"), l),
            (None, Some(l)) => (
                format!("authorize.stages.{key}.assign (unassign follows it)"),
                l,
            ),
            (None, None) => continue,
        };
        let tag = shown(&event.tag);
        let allowed = status
            .principal()
            .is_some_and(|p| list.iter().any(|n| n == p));
        if !allowed {
            let who = status.principal().map_or_else(
                || "an event that proves no principal".to_string(),
                |p| format!("'{}'", shown(p)),
            );
            return Some(Breach {
                kind: BreachKind::NotAllowed,
                reason: format!(
                    "tag '{tag}' deregisters a version that holds stage '{}', which takes the stage away; it is signed by {who}, and {at} names who may: {}",
                    shown(stage),
                    list.iter().map(|n| shown(n)).collect::<Vec<_>>().join(", ")
                ),
            });
        }
    }
    None
}
