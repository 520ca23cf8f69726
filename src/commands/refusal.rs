//! The shell's words for what the core refuses or reads around: each `PlanError` becomes a
//! `UserError` with GTO's message and our hint, each unusable tag a `Warning` with its repair,
//! and each oddity or policy violation the core reports as data gets its repair worded here.
//! The command lines a user could type (`registry show`, `git tag -d`, ...) are spelled here,
//! quoted for a POSIX shell, and never in the core.

use crate::error::UserError;
use crate::registry::error::PlanError;
use crate::registry::event::{Unusable, Warning};
use crate::registry::oddity::Repair;
use crate::registry::policy::{Rule, Violation};
use crate::registry::trust::{Breach, BreachKind};
use crate::shell::shell_quote;

impl From<PlanError> for UserError {
    fn from(e: PlanError) -> UserError {
        let err = UserError::new(e.to_string());
        match hint(&e) {
            Some(h) => err.with_hint(h),
            None => err,
        }
    }
}

/// So a command's `?` on a plan gives the `UserError` that `main.rs` prints with its hint
/// (`PlanError` is not a `std::error::Error`, so this is the only way into `anyhow`).
impl From<PlanError> for anyhow::Error {
    fn from(e: PlanError) -> anyhow::Error {
        UserError::from(e).into()
    }
}

/// The hint under a refusal: what to do instead. Every variant is listed, so a new refusal
/// cannot go without a decision here.
fn hint(e: &PlanError) -> Option<String> {
    Some(match e {
        PlanError::TagExists {
            name,
            simple_form: true,
        } => format!("leave out `--simple true` to write the counter form ({name}#N)"),
        PlanError::StageNotAllowed { stage, .. } => format!(
            "stage '{stage}' is not in the `stages` list of the config (.gto or .registry.yaml)"
        ),
        PlanError::AlreadyRegistered { force: true, .. } => {
            "the version is active already; a second registration tag would add nothing".into()
        }
        PlanError::AlreadyRegistered { force: false, .. } => {
            "register another commit, or deregister this version first".into()
        }
        PlanError::VersionTaken { .. } => {
            "every version name is used once; pick a new one or let registry choose".into()
        }
        PlanError::VersionNotRegistered { artifact, .. } => {
            format!("`registry show {artifact}` lists its versions")
        }
        PlanError::ArtifactNotFound { .. } => {
            "`registry show` lists the artifacts in this repository".into()
        }
        PlanError::PromoteArtifactNotFound { artifact }
        | PlanError::NoVersionToPromote { artifact } => {
            format!("register a version first: `registry register {artifact}`")
        }
        PlanError::NotAssigned { .. } => "use --force to write the unassignment tag anyway".into(),
        PlanError::DeregisterVersionNotFound { artifact, version } => {
            format!("version {version} of '{artifact}' was never registered")
        }
        PlanError::DeleteAlreadyDeprecated => "use --force to delete its tags anyway".into(),
        PlanError::NothingToRollBack { artifact, stage } => {
            format!("promote a version instead: `registry promote {artifact}@VERSION {stage}`")
        }
        PlanError::NoEarlierHolder { .. } => {
            "name the version to go back to with --to VERSION".into()
        }
        PlanError::Outranked { by, .. } => {
            let q = shell_quote(by);
            format!(
                "a tag dated in the future pins the stage until that date: if its date is wrong, delete it (`git tag -d {q}`, and `git push --delete origin {q}`) and retry; `registry doctor` lists such tags"
            )
        }
        // GTO's own refusals carry no hint, and these say all there is to say.
        PlanError::TagExists {
            simple_form: false, ..
        }
        | PlanError::VersionAndBump
        | PlanError::OnlyVersionAtRef { .. }
        | PlanError::FirstBump
        | PlanError::NameWithSkipRegistration
        | PlanError::RegisteredAtRef { .. }
        | PlanError::AlreadyInStage { .. }
        | PlanError::DeleteArtifactNotFound { .. }
        | PlanError::UnassignVersionNotFound { .. }
        | PlanError::StageNotHeld { .. }
        | PlanError::NeverAssigned { .. }
        | PlanError::NotRegisteredAtRef { .. }
        | PlanError::DeregisteredAlready { .. }
        | PlanError::ForceWithSimple
        | PlanError::AlreadyDeprecated
        | PlanError::NoCommits
        | PlanError::RollbackToUnknown { .. }
        | PlanError::RollbackToDeregistered { .. }
        | PlanError::HoldsAlready { .. } => return None,
    })
}

impl From<Unusable> for Warning {
    fn from(u: Unusable) -> Warning {
        let q = shell_quote(u.tag());
        let fix = match &u {
            Unusable::NotACommit { .. } => format!(
                "delete it (`git tag -d {q}`, and `git push --delete origin {q}`) and tag the commit instead"
            ),
            Unusable::Created { .. } => format!(
                "delete it (`git tag -d {q}`, and `git push --delete origin {q}`): GTO fails on every command while it exists"
            ),
        };
        Warning {
            tag: u.tag().to_string(),
            message: u.to_string(),
            fix,
        }
    }
}

// Artifact names, stages and version names are shell-safe by their grammar (letters, digits,
// `-_./:+`), so the command lines below name them bare, as they always have.

/// How to repair an oddity of the registry (`doctor`'s "fix:" line).
pub(crate) fn repair(r: &Repair) -> String {
    match r {
        Repair::Given(fix) => fix.clone(),
        Repair::KeepOneVersion { artifact } => format!(
            "keep one: `registry deregister {artifact} VERSION` for the others (GTO fails on \
             every command while a commit has two versions)"
        ),
        Repair::DeleteWrongRegistration { artifact, version } => format!(
            "delete the registration tag on the wrong commit (`git tag -l {}` lists them) and \
             register that commit under a new version",
            shell_quote(&format!("{}@{version}*", artifact.to_tag_part()))
        ),
    }
}

/// How to repair a tag that breaks the policy (`doctor`'s "fix:", `check-ref --policy`'s hint).
pub(crate) fn policy_fix(v: &Violation) -> String {
    match &v.rule {
        Rule::RequireDigest { artifact } => format!(
            "declare a path for '{artifact}' in its dvc.yaml or artifacts.yaml (`registry annotate {artifact} --path …`), \
             or give `--digest sha256:…` for a virtual artifact, and register again"
        ),
        Rule::PromotionOrder {
            artifact,
            version,
            stage,
            previous,
        } => format!(
            "promote {version} to {previous} first; to undo this one: `registry unassign {artifact} {stage} --version {version}`"
        ),
    }
}

/// The error of an event the policy's signature or authorization rules reject: `policy:`, the
/// reason, `tail` (what else to say), and the hint that gets past the rule.
pub(crate) fn breach_error(breach: &Breach, tail: &str) -> anyhow::Error {
    UserError::new(format!("policy: {}{tail}", breach.reason))
        .with_hint(breach_fix(breach.kind))
        .into()
}

/// How to get past a signature or authorization rule of the policy (`check-ref --policy`'s and
/// a refused write's hint). A tag cannot be signed afterwards: the repair is a new tag.
pub(crate) fn breach_fix(kind: BreachKind) -> String {
    match kind {
        BreachKind::Unsigned => "sign registry tags with a key the allowed-signers file lists (`--sign`, git's `tag.gpgSign`, or `sign: true` in .registry.yaml); an existing tag cannot be signed afterwards: delete it and write it again signed".into(),
        BreachKind::BadSignature => "the tag was changed after it was signed, or its signature is damaged: delete it and write it again signed".into(),
        BreachKind::UnknownKey => "sign with a key the policy allows (the allowed-signers file, or signatures.gpg_keys for OpenPGP and X.509), or add the key there by a reviewed change to the default branch (the gate never reads the tagged commit's)".into(),
        BreachKind::Expired => "the key was not valid when the tag was judged (valid-after/valid-before in the allowed-signers file; check-ref --policy and writes judge no earlier than now): sign with a key that is valid now".into(),
        BreachKind::Unverifiable => "install the verifier the signature needs (gpg, gpgsm) or name an allowed-signers file in .registry.yaml (`signatures: allowed_signers: PATH`)".into(),
        BreachKind::NotAllowed => "have a principal the rule names make this event, signed with their key".into(),
        BreachKind::StageCase => "write the stage exactly as the policy does (stage names are case-sensitive tags, and CI expressions may compare them without case)".into(),
        BreachKind::TwoPerson => "another principal than the one who registered the version must put it into this stage".into(),
        BreachKind::Metrics => "put a version whose metrics meet the stage's rules into it (`registry show NAME --metrics` lists each version's; a version's scores are those its registration recorded from its metrics files); --force does not lift the gate, and the rules change only by a change to the default branch's .registry.yaml".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::time::Timestamp;

    #[test]
    fn the_shell_adds_the_hint_and_quotes_the_command_lines() {
        let e = PlanError::Outranked {
            tag: "m#prod#3".into(),
            by: "m#prod#2".into(),
            by_time: Timestamp::new(4_102_444_800, 0),
            now: Timestamp::new(1_000, 0),
            effect: "'prod' stays with v2".into(),
        };
        let user = UserError::from(e.clone());
        assert_eq!(user.message, e.to_string());
        let hint = user.hint.unwrap();
        assert!(
            hint.contains("(`git tag -d 'm#prod#2'`, and `git push --delete origin 'm#prod#2'`)"),
            "{hint}"
        );
        // GTO's refusals stay bare.
        assert_eq!(UserError::from(PlanError::AlreadyDeprecated).hint, None);
        // Same message, two checks: only `--delete`'s has the --force hint.
        assert_eq!(
            UserError::from(PlanError::DeleteAlreadyDeprecated),
            UserError::new("Artifact was deprecated already")
                .with_hint("use --force to delete its tags anyway")
        );
    }

    #[test]
    fn the_cores_repairs_are_worded_here_with_the_tag_pattern_quoted() {
        let artifact: crate::registry::name::ArtifactName = "dir:m".parse().unwrap();
        assert_eq!(
            repair(&Repair::DeleteWrongRegistration {
                artifact: artifact.clone(),
                version: "v1.0.0".into(),
            }),
            "delete the registration tag on the wrong commit (`git tag -l 'dir=m@v1.0.0*'` lists them) and register that commit under a new version"
        );
        assert_eq!(
            repair(&Repair::KeepOneVersion {
                artifact: artifact.clone()
            }),
            "keep one: `registry deregister dir:m VERSION` for the others (GTO fails on every command while a commit has two versions)"
        );
        assert_eq!(repair(&Repair::Given("as given".into())), "as given");
        let v = Violation {
            tag: "dir=m#prod#2".into(),
            message: String::new(),
            rule: Rule::PromotionOrder {
                artifact,
                version: "v1.0.0".into(),
                stage: "prod".parse().unwrap(),
                previous: "dev".into(),
            },
        };
        assert_eq!(
            policy_fix(&v),
            "promote v1.0.0 to dev first; to undo this one: `registry unassign dir:m prod --version v1.0.0`"
        );
    }

    #[test]
    fn an_unusable_tag_becomes_a_warning_with_its_repair() {
        let w = Warning::from(Unusable::Created {
            tag: "m@created".into(),
        });
        assert_eq!(w.tag, "m@created");
        assert_eq!(
            w.message,
            "tag 'm@created' uses the reserved '@created' form, which records nothing; it is ignored"
        );
        assert_eq!(
            w.fix,
            "delete it (`git tag -d m@created`, and `git push --delete origin m@created`): GTO fails on every command while it exists"
        );
    }
}
