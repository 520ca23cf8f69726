//! What a command trusts: the policy and the allowed signers (from the trusted ref, or the
//! config the command already read), the verifier built on them, and each event's signature
//! status and verdict.

use std::collections::HashMap;

use super::Session;
use crate::config::Config;
use crate::error::UserError;
use crate::git::{Repo, Tagger};
use crate::registry::event::{Event, EventKind, RawTag, Target, event_from_raw};
use crate::registry::plan::NewTag;
use crate::registry::signature::{SigFormat, SigStatus};
use crate::registry::state::Registry;
use crate::registry::time::Timestamp;
use crate::registry::trust::{self, Breach, BreachKind, Registrant, Verdict};
use crate::signature::allowed_signers::{AllowedSigners, LineError};
use crate::signature::{GpgTrust, Verifier};

mod scores;

use scores::{planned_scores, scores_of};

/// The policy, and how signatures are checked against it.
pub(crate) struct Trust {
    pub config: Config,
    pub verifier: Verifier,
    /// The allowed-signers file's malformed lines (`doctor` names each; the others still count).
    pub signer_errors: Vec<LineError>,
    /// Why SSH signatures cannot be checked: no file named, missing, not text.
    pub no_signers: Option<String>,
}

impl Trust {
    /// The trust of a config (and the allowed-signers file read from the same place).
    pub(crate) fn new(repo: &Repo, config: Config) -> Trust {
        let (signers, signer_errors) = load_signers(&config);
        let no_signers = signers.as_ref().err().cloned();
        Trust {
            verifier: Verifier::new(repo, signers, gpg_trust(&config)),
            config,
            signer_errors,
            no_signers,
        }
    }

    /// The trust `check-ref --policy` and `audit` enforce: read from the trusted ref
    /// (`policy_source`), never from a tag's own commit.
    pub(crate) fn trusted(repo: &Repo, from: Option<&str>) -> anyhow::Result<Trust> {
        let config = super::policy_source::trusted_config(repo, from)?;
        Ok(Trust::new(repo, config))
    }

    /// For reads that show statuses (`history --json`, `check-ref --json`): the trusted ref's
    /// policy and signers when one can be found. Without one (HEAD detached, no origin/HEAD:
    /// a CI checkout of the tag), SSH signatures are unverifiable: the checked-out commit's
    /// allowed-signers file is the tag's own, and whoever pushed the tag chose it, so a `good`
    /// from it would vouch for any key the tag's commit adds.
    pub(crate) fn for_reading(session: &Session) -> Trust {
        let untrusted = match super::policy_source::trusted_config(&session.repo, None) {
            Ok(config) => return Trust::new(&session.repo, config),
            Err(e) => e
                .downcast_ref::<UserError>()
                .map_or_else(|| e.to_string(), |u| u.message.clone()),
        };
        let why = format!(
            "the checked-out commit's allowed-signers file is not trusted, and registry {untrusted}"
        );
        Trust {
            verifier: Verifier::new(
                &session.repo,
                Err(why.clone()),
                GpgTrust::Untrusted(why.clone()),
            ),
            config: session.config.clone(),
            signer_errors: Vec::new(),
            no_signers: Some(why),
        }
    }

    /// The breach of a stage event whose stage differs only in case from one the policy
    /// configures (a rule, `stages`, `promotion_order`): judged before anything else.
    pub(crate) fn stage_case(&self, event: &Event) -> Option<Breach> {
        let stage = event.stage.as_ref()?.as_str();
        let config = &self.config;
        let names = config
            .trust
            .stages
            .keys()
            .map(String::as_str)
            .chain(config.stages.iter().flatten().map(String::as_str))
            .chain(config.promotion_order.iter().flatten().map(String::as_str));
        let twin = trust::case_twin(stage, names)?;
        Some(Breach {
            kind: BreachKind::StageCase,
            reason: format!(
                "tag '{}' names the stage '{stage}', which the policy writes '{twin}': a stage that differs only in case is refused, since CI expressions may compare stages without case",
                event.tag
            ),
        })
    }

    /// The verdict on one event, checking only the signatures it needs (its own, and for the
    /// two-person rule its registration's): for `check-ref --policy` and writes.
    pub(crate) fn judge_one(
        &self,
        repo: &Repo,
        reg: &Registry,
        event: &Event,
        status: &SigStatus,
        at: Timestamp,
    ) -> Verdict {
        // A registration proves its registrant only if it passes the policy itself, judged as
        // the gate judges (no earlier than `at`: a retired key cannot vouch by a backdated
        // registration): one signed by a key the policy does not let register proves no one.
        self.verdict(repo, reg, event, status, at, &|e| {
            Some(self.vouching(e, self.status_at(e, at), at))
        })
    }

    /// The verdict on `event` with status `status` at `at`, the registrations' statuses (for
    /// the two-person rule) from `registration`: the stage's spelling, the core's rules, then
    /// the two checks that need the allowed-signers file or the registry (one holder behind two
    /// names, a deregistration that takes a guarded stage away).
    fn verdict(
        &self,
        repo: &Repo,
        reg: &Registry,
        event: &Event,
        status: &SigStatus,
        at: Timestamp,
        registration: &dyn Fn(&Event) -> Option<SigStatus>,
    ) -> Verdict {
        if let Some(breach) = self.stage_case(event) {
            return Verdict::Fail(breach);
        }
        // Only a two-person rule looks at the registrants (20,000 events, most of them no
        // assignment to such a stage, are judged in one audit).
        let registrants = if self.config.trust.two_person_covers(event) {
            trust::registrants(reg, event, registration)
        } else {
            Vec::new()
        };
        // Only an assignment to a gated stage reads the version's metrics.
        let scores = if self.config.trust.metric_gate_covers(event) {
            scores_of(repo, reg, event).map(|s| self.vouched(reg, event, s, at, registration))
        } else {
            None
        };
        let verdict = self.same_person(
            trust::judge_scored(
                &self.config.trust,
                event,
                status,
                at,
                &registrants,
                scores.as_ref(),
            ),
            event,
            status,
            &registrants,
        );
        self.withdraws(reg, verdict, event, status)
    }

    /// A deregistration that passes its own rules still fails when it withdraws a version that
    /// holds a guarded stage the signer may not take away (`trust::takes_away`).
    fn withdraws(
        &self,
        reg: &Registry,
        verdict: Verdict,
        event: &Event,
        status: &SigStatus,
    ) -> Verdict {
        // Only a deregistration takes stages away; every other event (most of an audit's
        // 20,000) skips the lookups below.
        if event.kind != EventKind::Deregistration
            || !matches!(verdict, Verdict::Pass | Verdict::NotCovered)
        {
            return verdict;
        }
        let (Some(artifact), Some(version)) = (reg.artifact(&event.artifact), &event.version)
        else {
            return verdict;
        };
        // The stages the version held just before this event (for a deregistration already in
        // the registry, its stages may read as gone after it): each whose newest stage event
        // up to then is an assignment.
        let held: Vec<&str> = artifact
            .versions_named(version.as_str())
            .flat_map(|v| &v.stages)
            .filter(|s| {
                let before =
                    |e: &&Event| e.time.seconds <= event.time.seconds && e.tag != event.tag;
                let assigned = s
                    .assignments
                    .iter()
                    .filter(before)
                    .map(|e| e.time.seconds)
                    .max();
                let unassigned = s
                    .unassignments
                    .iter()
                    .filter(before)
                    .map(|e| e.time.seconds)
                    .max();
                assigned.is_some_and(|a| unassigned.is_none_or(|u| a > u))
            })
            .map(|s| s.stage.as_str())
            .collect();
        match trust::takes_away(&self.config.trust, event, status, &held) {
            Some(breach) => Verdict::Fail(breach),
            None => verdict,
        }
    }

    /// `status` of the registration `registration` as evidence for the two-person rule: as it
    /// is when the registration passes the policy at `at`, else not good, saying why.
    fn vouching(&self, registration: &Event, status: SigStatus, at: Timestamp) -> SigStatus {
        match trust::judge(&self.config.trust, registration, &status, at, &[]) {
            Verdict::Fail(breach) => SigStatus::Unverifiable {
                format: status.format().unwrap_or(SigFormat::Ssh),
                reason: format!("it breaks the policy itself: {}", breach.reason),
            },
            _ => status,
        }
    }

    /// A passing assignment under a two-person rule still fails when the assigner's key and a
    /// registrant's key are listed for a shared name in the allowed-signers file (one holder,
    /// two names: `alice@example.com,release-bot`).
    fn same_person(
        &self,
        verdict: Verdict,
        event: &Event,
        status: &SigStatus,
        registrants: &[Registrant],
    ) -> Verdict {
        let (Verdict::Pass, Some(signers), Some(fp)) = (
            &verdict,
            self.verifier.allowed_signers(),
            status.fingerprint(),
        ) else {
            return verdict;
        };
        if !self.config.trust.two_person_covers(event) {
            return verdict;
        }
        let mut assigner = signers.names_of_key(fp);
        assigner.extend(status.principal().map(str::to_string));
        for r in registrants {
            let mut theirs = r
                .fingerprint
                .as_deref()
                .map(|f| signers.names_of_key(f))
                .unwrap_or_default();
            theirs.extend(r.principal.clone());
            if let Some(name) = assigner.iter().find(|n| theirs.contains(n)) {
                return Verdict::Fail(Breach {
                    kind: BreachKind::TwoPerson,
                    reason: format!(
                        "tag '{}' is signed with a key listed for '{name}', and so is the key that signed the registration '{}' of this version: one holder behind two names is one person to the two-person rule",
                        event.tag, r.tag
                    ),
                });
            }
        }
        verdict
    }

    /// The signature status the gate gives `event` judged at `at` (no earlier than its date):
    /// a good signature whose key is no longer valid at `at` (a tag dated back into the
    /// validity of a key that `valid-before` has since retired) is expired, since the tagger
    /// date is whatever the pusher typed. For `check-ref --policy` and writes.
    pub(crate) fn status_at(&self, event: &Event, at: Timestamp) -> SigStatus {
        let status = self.verifier.check(event);
        let Some(signed) = &event.signed else {
            return status;
        };
        // Only the allowed-signers file's validity depends on the time: gpg and gpgsm judge
        // their keys themselves, so their verdict is not asked for twice.
        if !matches!(status, SigStatus::Good { .. })
            || signed.format != SigFormat::Ssh
            || at.seconds <= event.time.seconds
        {
            return status;
        }
        match self
            .verifier
            .check_signed(signed, &event.author_email, at.seconds)
        {
            SigStatus::Expired {
                format,
                principal,
                fingerprint,
                reason,
            } => SigStatus::Expired {
                format,
                principal,
                fingerprint,
                reason: format!(
                    "{} (judged no earlier than now: the tag's date {} is whatever the pusher typed)",
                    reason
                        .replace("at the tag's date", "now")
                        .replace("before the tag's date", "before now"),
                    event.time.iso()
                ),
            },
            _ => status,
        }
    }

    /// Every event's signature status, by tag name: checked once each, on every core.
    pub(crate) fn statuses(&self, reg: &Registry) -> HashMap<String, SigStatus> {
        let events: Vec<&Event> = reg.all_events().collect();
        let statuses = self.verifier.check_all(&events);
        events.iter().map(|e| e.tag.clone()).zip(statuses).collect()
    }

    /// Whether the policy has anything to say about signatures or principals.
    pub(crate) fn has_rules(&self) -> bool {
        !self.config.trust.is_empty()
    }

    /// The verdict on `event`, judged at `at` (its own date for `audit`; for a tag being pushed
    /// or written, no earlier than now), with the statuses of the registry's events.
    pub(crate) fn judge(
        &self,
        repo: &Repo,
        reg: &Registry,
        event: &Event,
        statuses: &HashMap<String, SigStatus>,
        at: Timestamp,
    ) -> Verdict {
        let status = statuses.get(&event.tag).unwrap_or(&SigStatus::Unsigned);
        self.verdict(repo, reg, event, status, at, &|e| {
            let status = statuses.get(&e.tag).cloned()?;
            Some(self.vouching(e, status, e.time))
        })
    }
}

/// The signature status of every event of the session, for reads that print them; empty (all
/// unsigned) when no event is signed, so an unsigned registry costs nothing.
pub(crate) fn read_statuses(session: &Session) -> HashMap<String, SigStatus> {
    if session.reg.all_events().all(|e| e.signed.is_none()) {
        return HashMap::new();
    }
    Trust::for_reading(session).statuses(&session.reg)
}

/// Who an OpenPGP or X.509 key is: the pins of `signatures.gpg_keys`; none pinned under a
/// policy with rules (the keyring of whoever runs the check must not decide who may promote);
/// the keyring's word otherwise, as git's.
fn gpg_trust(config: &Config) -> GpgTrust {
    let policy = &config.trust;
    match &policy.gpg_keys {
        Some(pins) => GpgTrust::Pinned(
            pins.iter()
                .flat_map(|(p, fps)| fps.iter().map(move |f| (f.clone(), p.clone())))
                .collect(),
        ),
        None if policy.has_rules() => GpgTrust::Pinned(HashMap::new()),
        None => GpgTrust::Keyring,
    }
}

/// The allowed signers the config names, parsed (with the lines that are not), or why there
/// are none.
fn load_signers(config: &Config) -> (Result<AllowedSigners, String>, Vec<LineError>) {
    let Some(file) = &config.allowed_signers else {
        return (
            Err("no allowed-signers file to check SSH signatures against: .registry.yaml names none (`signatures: allowed_signers: PATH`)".into()),
            Vec::new(),
        );
    };
    let Some(bytes) = &file.bytes else {
        return (
            Err(format!(
                "the allowed-signers file {} does not exist",
                file.shown
            )),
            Vec::new(),
        );
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return (
            Err(format!(
                "the allowed-signers file {} is not UTF-8 text",
                file.shown
            )),
            Vec::new(),
        );
    };
    let (signers, errors) = AllowedSigners::parse(text);
    (Ok(signers), errors)
}

/// Refuses planned tags the policy's signature or authorization rules would reject, naming the
/// rule: `objects` are their tag objects as they will be written (signed or not), judged as
/// `check-ref --policy` will judge them once pushed, at the time of writing. The policy is the
/// session's (the work tree's `.registry.yaml`); the gate in CI reads the default branch's.
pub(crate) fn refuse_untrusted(
    session: &Session,
    tags: &[NewTag],
    objects: &[Vec<u8>],
    tagger: &Tagger,
) -> anyhow::Result<()> {
    let trust = Trust::new(&session.repo, session.config.clone());
    for tag in tags {
        let case = planned_event(tag, &[], tagger).and_then(|e| trust.stage_case(&e));
        if let Some(breach) = case {
            return Err(super::refusal::breach_error(
                &breach,
                "; no tag was created",
            ));
        }
    }
    if session.config.trust.is_empty() {
        return Ok(());
    }
    let at = Timestamp::new(tagger.time.seconds.max(super::now_seconds()), 0);
    // Registrations this same write makes (`assign NAME REF` registers REF first): the
    // registrant of a stage tag on their commit, for the two-person rule.
    let mut planned: Vec<(Event, SigStatus)> = Vec::new();
    for (tag, object) in tags.iter().zip(objects) {
        let Some(event) = planned_event(tag, object, tagger) else {
            continue;
        };
        let status = trust.status_at(&event, at);
        let registration = planned.iter().find(|(r, _)| {
            r.kind == EventKind::Registration
                && r.artifact == event.artifact
                && r.commit == event.commit
        });
        let verdict = match registration {
            Some((r, s)) if event.stage.is_some() => {
                let registrant = Registrant {
                    tag: r.tag.clone(),
                    principal: s.principal().map(str::to_string),
                    fingerprint: s.principal().and(s.fingerprint()).map(str::to_string),
                    claimed_email: r.author_email.clone(),
                    unproven: s.reason().map(str::to_string),
                };
                let scores = trust
                    .config
                    .trust
                    .metric_gate_covers(&event)
                    .then(|| planned_scores(&session.repo, r));
                trust::judge_scored(
                    &trust.config.trust,
                    &event,
                    &status,
                    at,
                    &[registrant],
                    scores.as_ref(),
                )
            }
            _ => trust.judge_one(&session.repo, &session.reg, &event, &status, at),
        };
        if let Verdict::Fail(breach) = verdict {
            return Err(super::refusal::breach_error(
                &breach,
                "; no tag was created",
            ));
        }
        planned.push((event, status));
    }
    Ok(())
}

/// The event a planned tag will be once written: its tagger, and its signature split off its
/// object as readers will split it.
fn planned_event(tag: &NewTag, object: &[u8], tagger: &Tagger) -> Option<Event> {
    let raw = RawTag {
        name: tag.name.clone(),
        target: Target::Commit(tag.commit.clone()),
        tagger_name: tagger.name.clone(),
        tagger_email: tagger.email.clone(),
        time: tagger.time,
        message: tag.message.clone(),
        signed: crate::registry::signature::split(object).map(std::sync::Arc::new),
    };
    event_from_raw(raw).ok().flatten()
}
