//! The registry state: events folded into artifacts, versions and stages, and the activity rules
//! of reference §4–4.1.
//!
//! GTO decides ties at equal tagger seconds by the order of Python lists (stable sorts, then a
//! reversal). We keep those tie-breaks by building the same lists in the same order, from a
//! deterministic base order: tagger time, then counter, then tag name (SPEC §3). So "newest" below
//! always means: greatest time, and among equal times the one that comes last in GTO's list.
//! Pure: built from `Event`s, no git.

use std::collections::HashMap;

use super::event::{Event, EventKind, Warning};
use super::name::{ArtifactName, Stage};
use super::oddity::{Oddity, Repair};
use super::time::Timestamp;
use super::version::{VersionLabel, short};

/// One (version, stage) pair and its assignment history.
#[derive(Debug, Clone)]
pub(crate) struct VStage {
    pub stage: Stage,
    pub assignments: Vec<Event>,
    pub unassignments: Vec<Event>,
}

/// The newest of `events`; at equal times the later one in the list wins (`>=`), which is what
/// Python's stable `sorted(..., key=time)[::-1][0]` picks.
pub(crate) fn newest<'a>(events: impl Iterator<Item = &'a Event>) -> Option<&'a Event> {
    let mut best: Option<&Event> = None;
    for e in events {
        if best.is_none_or(|b| e.time.seconds >= b.time.seconds) {
            best = Some(e);
        }
    }
    best
}

impl VStage {
    /// Newest assignment or unassignment; at equal seconds the unassignment wins (GTO §4.1).
    pub(crate) fn newest_event(&self) -> Option<&Event> {
        newest(self.assignments.iter().chain(&self.unassignments))
    }

    /// Active while its newest event is an assignment.
    pub(crate) fn is_active(&self) -> bool {
        self.newest_event()
            .is_some_and(|e| e.kind == EventKind::Assignment)
    }

    /// When the stage was (last) given to this version, if it still holds it.
    pub(crate) fn activated_at(&self) -> Option<Timestamp> {
        self.newest_event()
            .filter(|e| e.kind == EventKind::Assignment)
            .map(|e| e.time)
    }

    /// The event GTO reports as this pair's `created_at/author/message/ref`: the newest assignment.
    pub(crate) fn authoring_event(&self) -> Option<&Event> {
        newest(self.assignments.iter()).or_else(|| self.newest_event())
    }

    /// When the newest assignment was made (GTO's `created_at` of the pair).
    pub(crate) fn created_seconds(&self) -> i64 {
        self.authoring_event().map_or(0, |e| e.time.seconds)
    }
}

/// One version of an artifact: a (name, commit) pair and its events.
#[derive(Debug, Clone)]
pub(crate) struct Version {
    pub label: VersionLabel,
    pub commit: String,
    pub registrations: Vec<Event>,
    pub deregistrations: Vec<Event>,
    /// Stages in the order first met, as GTO's dict keeps them.
    pub stages: Vec<VStage>,
}

impl Version {
    fn new(label: VersionLabel, commit: String) -> Self {
        Version {
            label,
            commit,
            registrations: Vec::new(),
            deregistrations: Vec::new(),
            stages: Vec::new(),
        }
    }

    /// Newest registration or deregistration; at equal seconds the deregistration wins (GTO §4.1).
    pub(crate) fn newest_direct(&self) -> Option<&Event> {
        newest(self.registrations.iter().chain(&self.deregistrations))
    }

    /// Active while its newest direct event is a registration; a version known only from stage
    /// tags (named by its commit) is active.
    pub(crate) fn is_active(&self) -> bool {
        self.newest_direct()
            .is_none_or(|e| e.kind == EventKind::Registration)
    }

    /// Registered at least once (even if deregistered since).
    pub(crate) fn is_registered(&self) -> bool {
        !self.registrations.is_empty()
    }

    /// Known only from stage tags (no registration or deregistration tags).
    pub(crate) fn is_discovered(&self) -> bool {
        self.registrations.is_empty() && self.deregistrations.is_empty()
    }

    fn stage_events(&self) -> impl Iterator<Item = &Event> {
        self.stages
            .iter()
            .flat_map(|s| s.assignments.iter().chain(&s.unassignments))
    }

    /// The event GTO reports as the version's `created_at/author/message/ref`: the newest
    /// registration, else the newest stage event.
    pub(crate) fn authoring_event(&self) -> Option<&Event> {
        newest(self.registrations.iter()).or_else(|| newest(self.stage_events()))
    }

    /// What the newest registration that records content says about it (path, digest).
    pub(crate) fn provenance(&self) -> Option<super::trailer::Provenance> {
        self.registrations
            .iter()
            .rev()
            .find_map(|e| super::trailer::parse(&e.message))
    }

    /// GTO's `activated_at`: the first registration, else the earliest event.
    pub(crate) fn activated_at(&self) -> Option<Timestamp> {
        if let Some(first) = self.registrations.first() {
            return Some(first.time);
        }
        self.deregistrations
            .iter()
            .chain(self.stage_events())
            .min_by_key(|e| e.time.seconds)
            .map(|e| e.time)
    }

    pub(crate) fn created_seconds(&self) -> i64 {
        self.authoring_event().map_or(0, |e| e.time.seconds)
    }

    pub(crate) fn vstage(&self, stage: &Stage) -> Option<&VStage> {
        self.stages.iter().find(|s| &s.stage == stage)
    }

    /// The position of `stage` in `stages`, added (first met) if new.
    fn vstage_index(&mut self, stage: &Stage) -> usize {
        if let Some(i) = self.stages.iter().position(|s| &s.stage == stage) {
            i
        } else {
            self.stages.push(VStage {
                stage: stage.clone(),
                assignments: Vec::new(),
                unassignments: Vec::new(),
            });
            self.stages.len() - 1
        }
    }

    /// Active stages, oldest activation first (stable over first-met order, as GTO sorts).
    pub(crate) fn active_vstages_ascending(&self) -> Vec<&VStage> {
        let mut active: Vec<&VStage> = self.stages.iter().filter(|s| s.is_active()).collect();
        active.sort_by_key(|s| s.activated_at().map_or(0, |t| t.seconds));
        active
    }

    /// Every event of this version in time order (for history and `--delete`).
    pub(crate) fn all_events(&self) -> impl Iterator<Item = &Event> {
        self.registrations
            .iter()
            .chain(&self.deregistrations)
            .chain(self.stage_events())
    }
}

/// An artifact and everything that happened to it.
#[derive(Debug, Clone)]
pub(crate) struct Artifact {
    pub name: ArtifactName,
    pub versions: Vec<Version>,
    pub deprecations: Vec<Event>,
}

impl Artifact {
    fn new(name: ArtifactName) -> Self {
        Artifact {
            name,
            versions: Vec::new(),
            deprecations: Vec::new(),
        }
    }

    /// Active unless its newest event is a deprecation; at equal seconds version events win, so
    /// a tie means "not deprecated" (GTO §4.1). Commit dates take no part (GTO §14 B5 fixed).
    pub(crate) fn is_active(&self) -> bool {
        let newest_deprecation = self.deprecations.iter().map(|e| e.time.seconds).max();
        let newest_other = self
            .versions
            .iter()
            .flat_map(Version::all_events)
            .map(|e| e.time.seconds)
            .max();
        match (newest_deprecation, newest_other) {
            (None | Some(_), None) => false,
            (None, Some(_)) => true,
            (Some(d), Some(o)) => o >= d,
        }
    }

    /// Every tag event of this artifact.
    pub(crate) fn all_events(&self) -> impl Iterator<Item = &Event> {
        self.deprecations
            .iter()
            .chain(self.versions.iter().flat_map(Version::all_events))
    }

    /// Every tag event with the version the state attributes it to (`None` for deprecations).
    pub(crate) fn events_with_versions(&self) -> Vec<(&Event, Option<&str>)> {
        let mut out: Vec<(&Event, Option<&str>)> =
            self.deprecations.iter().map(|e| (e, None)).collect();
        for v in &self.versions {
            out.extend(v.all_events().map(|e| (e, Some(v.label.as_str()))));
        }
        out
    }

    /// Versions with this name (normally one; more when hand-made tags put it on two commits).
    pub(crate) fn versions_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Version> + 'a {
        self.versions
            .iter()
            .filter(move |v| v.label.as_str() == name)
    }

    /// Registered (not discovered) versions at a commit.
    pub(crate) fn explicit_versions_at<'a>(
        &'a self,
        commit: &'a str,
    ) -> impl Iterator<Item = &'a Version> + 'a {
        self.versions
            .iter()
            .filter(move |v| v.commit == commit && !v.is_discovered())
    }

    /// The version at a commit that GTO would attach a new stage event to, or any version there.
    pub(crate) fn version_at<'a>(&'a self, commit: &'a str) -> Option<&'a Version> {
        self.explicit_versions_at(commit)
            .last()
            .or_else(|| self.versions.iter().find(|v| v.commit == commit))
    }
}

/// The whole registry, derived from tags.
#[derive(Debug, Clone, Default)]
pub(crate) struct Registry {
    /// In the order GTO first meets them: deprecations, registrations, assignments (reference §6).
    pub artifacts: Vec<Artifact>,
    index: HashMap<ArtifactName, usize>,
    /// Oddities read around: tags on non-commits, `@created`, two versions on one commit, …
    pub warnings: Vec<Oddity>,
}

/// The deterministic base order: time, then counter (simple form first), then tag name.
fn base_order(a: &Event, b: &Event) -> std::cmp::Ordering {
    (a.time.seconds, a.counter, &a.tag).cmp(&(b.time.seconds, b.counter, &b.tag))
}

impl Registry {
    /// Folds events into the registry, in GTO's three passes (reference §4 step 1–2). Events are
    /// moved into place, never copied: at 100,000 tags copies were a fifth of `show`'s time.
    pub(crate) fn build(events: Vec<Event>, warnings: Vec<Warning>) -> Registry {
        // Sort positions, not the events themselves (each is a few hundred bytes). The base
        // order is total (tag names are unique), so an unstable sort gives the one answer.
        #[expect(
            clippy::cast_possible_truncation,
            reason = "four billion tags would not fit in memory long before"
        )]
        let mut order: Vec<u32> = (0..events.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| base_order(&events[a as usize], &events[b as usize]));
        // `Option<Event>` is the size of `Event`, so this reuses the vector in place.
        let mut slots: Vec<Option<Event>> = events.into_iter().map(Some).collect();
        let mut reg = Registry {
            warnings: warnings.into_iter().map(Oddity::from).collect(),
            ..Registry::default()
        };
        // GTO's passes, each in the base order: deprecations, then registrations and
        // deregistrations, then assignments and unassignments.
        let passes: [fn(EventKind) -> bool; 3] = [
            |k| k == EventKind::Deprecation,
            |k| matches!(k, EventKind::Registration | EventKind::Deregistration),
            |k| matches!(k, EventKind::Assignment | EventKind::Unassignment),
        ];
        for (pass, in_pass) in passes.iter().enumerate() {
            for &i in &order {
                let slot = &mut slots[i as usize];
                if !slot.as_ref().is_some_and(|e| in_pass(e.kind)) {
                    continue;
                }
                let Some(e) = slot.take() else {
                    continue;
                };
                match pass {
                    0 => push_event(&mut reg.artifact_mut(&e.artifact).deprecations, e),
                    1 => reg.add_version_event(e),
                    _ => reg.add_stage_event(e),
                }
            }
        }
        reg.check_versions();
        reg
    }

    fn artifact_mut(&mut self, name: &ArtifactName) -> &mut Artifact {
        let index = if let Some(&i) = self.index.get(name) {
            i
        } else {
            self.artifacts.push(Artifact::new(name.clone()));
            self.index.insert(name.clone(), self.artifacts.len() - 1);
            self.artifacts.len() - 1
        };
        &mut self.artifacts[index]
    }

    fn add_version_event(&mut self, e: Event) {
        let Some(version) = &e.version else {
            return;
        };
        let artifact = self.artifact_mut(&e.artifact);
        let index = if let Some(i) = artifact
            .versions
            .iter()
            .position(|v| v.label.as_str() == version.as_str() && v.commit == e.commit)
        {
            i
        } else {
            artifact.versions.push(Version::new(
                VersionLabel::Semver(version.clone()),
                e.commit.clone(),
            ));
            artifact.versions.len() - 1
        };
        let v = &mut artifact.versions[index];
        match e.kind {
            EventKind::Registration => push_event(&mut v.registrations, e),
            _ => push_event(&mut v.deregistrations, e),
        }
    }

    fn add_stage_event(&mut self, e: Event) {
        let Some(stage) = &e.stage else {
            return;
        };
        let artifact = self.artifact_mut(&e.artifact);
        // Attach to the version registered at the tag's commit (reference §4 step 2). With several
        // there (hand-made), take the last one activated before this event, as GTO's own
        // `find_version_at_commit` does, else the first. Otherwise one version named by the commit
        // collects every stage event there (GTO §14 B7: GTO makes a new object per tag).
        let mut first_explicit = None;
        let mut last_active_before = None;
        for (i, v) in artifact.versions.iter().enumerate() {
            if v.commit == e.commit && !v.is_discovered() {
                first_explicit.get_or_insert(i);
                if v.activated_at()
                    .is_some_and(|t| t.seconds <= e.time.seconds)
                {
                    last_active_before = Some(i);
                }
            }
        }
        let index = match last_active_before.or(first_explicit) {
            Some(i) => i,
            None => {
                if let Some(i) = artifact
                    .versions
                    .iter()
                    .position(|v| v.commit == e.commit && v.is_discovered())
                {
                    i
                } else {
                    artifact.versions.push(Version::new(
                        VersionLabel::Commit(e.commit.clone()),
                        e.commit.clone(),
                    ));
                    artifact.versions.len() - 1
                }
            }
        };
        let version = &mut artifact.versions[index];
        let slot = version.vstage_index(stage);
        let vstage = &mut version.stages[slot];
        match e.kind {
            EventKind::Assignment => push_event(&mut vstage.assignments, e),
            _ => push_event(&mut vstage.unassignments, e),
        }
    }

    /// Hand-made oddities GTO chokes on (reference §4 step 4) become warnings here.
    fn check_versions(&mut self) {
        let mut found = Vec::new();
        for a in &self.artifacts {
            let mut by_commit: HashMap<&str, Vec<&str>> = HashMap::new();
            let mut by_name: HashMap<&str, Vec<&str>> = HashMap::new();
            for v in a.versions.iter().filter(|v| !v.is_discovered()) {
                by_commit
                    .entry(&v.commit)
                    .or_default()
                    .push(v.label.as_str());
                by_name.entry(v.label.as_str()).or_default().push(&v.commit);
            }
            let mut commits: Vec<_> = by_commit.into_iter().filter(|(_, v)| v.len() > 1).collect();
            commits.sort();
            for (commit, versions) in commits {
                found.push(Oddity {
                    tag: format!("{}@{}", a.name.to_tag_part(), versions.join(",")),
                    message: format!(
                        "artifact '{}' has several versions on commit {}: {}; stage tags there go \
                         to the one registered last before them",
                        a.name,
                        short(commit),
                        versions.join(", ")
                    ),
                    repair: Repair::KeepOneVersion {
                        artifact: a.name.clone(),
                    },
                });
            }
            let mut names: Vec<_> = by_name.into_iter().filter(|(_, c)| c.len() > 1).collect();
            names.sort();
            for (name, commits) in names {
                let commits: Vec<&str> = commits.iter().map(|c| short(c)).collect();
                found.push(Oddity {
                    tag: format!("{}@{}", a.name.to_tag_part(), name),
                    message: format!(
                        "version {name} of artifact '{}' is registered on several commits: {}",
                        a.name,
                        commits.join(", ")
                    ),
                    repair: Repair::DeleteWrongRegistration {
                        artifact: a.name.clone(),
                        version: name.to_string(),
                    },
                });
            }
        }
        self.warnings.extend(found);
    }

    pub(crate) fn artifact(&self, name: &ArtifactName) -> Option<&Artifact> {
        self.index.get(name).map(|&i| &self.artifacts[i])
    }

    /// Every tag event in the registry.
    pub(crate) fn all_events(&self) -> impl Iterator<Item = &Event> {
        self.artifacts.iter().flat_map(Artifact::all_events)
    }
}

/// Pushes onto one of the many short event lists. `Vec::push` starts at four slots, and an
/// event is a few hundred bytes while most lists hold one or two: at 100,000 tags the empty
/// slots alone were about 100 MB.
fn push_event(list: &mut Vec<Event>, e: Event) {
    if list.len() == list.capacity() {
        list.reserve_exact(list.len().max(1));
    }
    list.push(e);
}
