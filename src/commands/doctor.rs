//! `registry doctor`: checks the repository, the config, every declaration file at HEAD, every
//! registry-like tag, and the policy of `.registry.yaml`; prints each problem with its fix and
//! exits 1 when any is found (SPEC §4.5). Reads only; never repairs anything by itself.

use anyhow::Result;
use clap::Args;

use super::trust::Trust;
use super::{Open, Scope, Session};
use crate::commands::Global;
use crate::error::UserError;
use crate::output::{Output, escape};
use crate::registry::event::Event;
use crate::registry::policy;
use crate::registry::signature::SigStatus;
use crate::shell::shell_quote;

mod declarations;

const EXAMPLES: &str = "\
Examples:
  registry doctor            # exit 0 when all is well, 1 with a list of problems and fixes
  registry doctor -C ../models";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub(crate) struct DoctorArgs {}

/// How far after now a tag may be dated before doctor calls it a problem (clock skew), seconds.
const FUTURE_SLACK: i64 = 24 * 60 * 60;

/// One problem and how to fix it.
struct Finding {
    problem: String,
    fix: String,
}

/// HEAD has no commit: a new repository, or (often in a bare one: `git init --bare`, then a
/// push of `main`) HEAD names a branch that does not exist while others and the tags do.
fn unborn_head(session: &Session) -> Result<Finding> {
    let branches = session.repo.branches()?;
    let head = session
        .repo
        .head_branch()
        .unwrap_or_else(|| "HEAD".to_string());
    let tags = session.ctx.tag_names.len() + session.reg.warnings.len();
    let short = |b: &str| b.strip_prefix("refs/heads/").unwrap_or(b).to_string();
    Ok(if let Some((first, _)) = branches.first() {
        let names: Vec<String> = branches.iter().map(|(b, _)| short(b)).collect();
        Finding {
            problem: format!(
                "HEAD names the branch '{}', which does not exist (the branches are: {})",
                short(&head),
                names.join(", ")
            ),
            fix: format!(
                "point HEAD at the default branch: `git symbolic-ref HEAD refs/heads/{}`",
                short(first)
            ),
        }
    } else if tags > 0 {
        Finding {
            problem: format!(
                "HEAD names the branch '{}', which does not exist, and no branch holds the commits the tags point at",
                short(&head)
            ),
            fix: "push the default branch too (`git push origin main`)".into(),
        }
    } else {
        Finding {
            problem: "the repository has no commits yet".into(),
            fix: "commit something: tags point at commits".into(),
        }
    })
}

pub(crate) fn run(global: &Global, _args: DoctorArgs, out: &mut Output) -> Result<()> {
    let session = Session::open_with(
        global,
        Scope::All,
        Open {
            tolerate_bad_config: true,
            ..Open::default()
        },
    )?;
    let mut findings: Vec<Finding> = Vec::new();

    // The repository itself.
    let head = session.repo.head_commit();
    if head.is_none() {
        findings.push(unborn_head(&session)?);
    }
    // Without a work tree HEAD may name a missing branch while another holds the files.
    let head = head.or_else(|| {
        crate::config::default_tree(&session.repo)
            .ok()
            .flatten()
            .map(|(commit, _)| commit)
    });

    // Config.
    if let Some(e) = &session.config_problem {
        findings.push(Finding {
            problem: format!("{}{}", e.message, e.hint.as_ref().map(|h| format!(": {h}")).unwrap_or_default()),
            fix: "correct the file (GTO accepts only its own keys in .gto; ours go in .registry.yaml)".into(),
        });
    }

    // Every declaration file at HEAD.
    let (files, dvc_files) = match &head {
        Some(head) => declarations::check(&session, head, &mut findings, out)?,
        None => (0, 0),
    };

    // Registry-like tags.
    for w in &session.reg.warnings {
        findings.push(Finding {
            problem: w.message.clone(),
            fix: super::refusal::repair(&w.repair),
        });
    }
    // A tag dated in the future outranks every tag written until that date: the stage or the
    // version it sets cannot be changed, and writes refuse to try. A day of slack for clocks.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    for e in session.reg.all_events() {
        if e.time.seconds > now.saturating_add(FUTURE_SLACK) {
            let q = shell_quote(&e.tag);
            findings.push(Finding {
                problem: format!(
                    "tag '{}' is dated {}, more than a day from now: until then it outranks every newer tag of '{}', so what it sets cannot be changed",
                    e.tag,
                    e.time.iso(),
                    e.artifact
                ),
                fix: format!(
                    "if the date is wrong (a tagger's clock), delete the tag (`git tag -d {q}`, and `git push --delete origin {q}`) and write it again with a correct clock"
                ),
            });
        }
    }
    for tag in &session.lightweight {
        findings.push(Finding {
            problem: format!("tag '{tag}' has a registry name but is lightweight, so it means nothing"),
            fix: format!(
                "replace it by an annotated tag: `git tag -a -f {0} -m '…' $(git rev-parse {0})`, or delete it",
                shell_quote(tag)
            ),
        });
    }

    for name in &session.refused {
        findings.push(Finding {
            problem: format!(
                "ref 'refs/tags/{name}' has a name git refuses (`git check-ref-format`), so it is no tag to git or registry"
            ),
            fix: format!(
                "remove it: `git update-ref -d {0}`",
                shell_quote(&format!("refs/tags/{name}"))
            ),
        });
    }

    // Policy.
    let order = session.config.promotion_order.as_deref();
    for v in policy::check(&session.reg, order, session.config.require_digest) {
        findings.push(Finding {
            fix: super::refusal::policy_fix(&v),
            problem: v.message,
        });
    }

    // Signatures: the allowed-signers file, the principals the rules name, the signed tags.
    findings.extend(trust_findings(&session));

    let tags: usize = session
        .reg
        .artifacts
        .iter()
        .map(|a| a.all_events().count())
        .sum();
    out.line(&format!(
        "Checked {} artifacts, {tags} registry tags, {files} artifacts.yaml and {dvc_files} dvc.yaml files, the config and the policy.",
        session.reg.artifacts.len()
    ))?;
    if findings.is_empty() {
        out.line("No problems found.")?;
        return Ok(());
    }
    for f in &findings {
        // One line each: a tag message or file name inside cannot fake a finding.
        out.line(&format!("problem: {}", escape(&f.problem)))?;
        out.line(&format!("    fix: {}", escape(&f.fix)))?;
    }
    Err(UserError::new(format!(
        "{} problem{} found",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" }
    ))
    .into())
}

/// What is wrong with signing: an allowed-signers file that is missing or has malformed lines
/// (each named), rules naming principals the file does not list (a typo there locks everyone
/// out of a stage), and signed tags whose signature is bad or whose key was not valid at the
/// tag's date.
fn trust_findings(session: &Session) -> Vec<Finding> {
    let trust = Trust::new(&session.repo, session.config.clone());
    let policy = &trust.config.trust;
    let mut findings = Vec::new();
    let shown = trust
        .config
        .allowed_signers
        .as_ref()
        .map(|f| f.shown.clone())
        .unwrap_or_default();
    if let (Some(path), Some(why)) = (&policy.allowed_signers, &trust.no_signers) {
        findings.push(Finding {
            problem: why.clone(),
            fix: format!(
                "commit the allowed-signers file at {path}, one line per key in OpenSSH's format: `alice@example.com namespaces=\"git\" ssh-ed25519 AAAA…`"
            ),
        });
    }
    for e in &trust.signer_errors {
        findings.push(Finding {
            problem: format!("the allowed-signers file {shown}, line {}: {}", e.line, e.message),
            fix: "correct the line (OpenSSH's allowed-signers format: `man ssh-keygen`, ALLOWED SIGNERS); the other lines still count".into(),
        });
    }
    let signed: Vec<&Event> = session
        .reg
        .all_events()
        .filter(|e| e.signed.is_some())
        .collect();
    let statuses = trust.verifier.check_all(&signed);
    // Principals a good OpenPGP or X.509 signature proves: git's verifier knows them, so the
    // allowed-signers file need not.
    let proven_elsewhere: std::collections::HashSet<&str> = statuses
        .iter()
        .filter(|s| s.format() != Some(crate::registry::signature::SigFormat::Ssh))
        .filter_map(SigStatus::principal)
        .collect();
    if let Some(signers) = trust.verifier.allowed_signers() {
        if signers.is_empty() && trust.signer_errors.is_empty() {
            findings.push(Finding {
                problem: format!("the allowed-signers file {shown} lists no key, so no SSH signature can be good"),
                fix: "add a line per signer: `alice@example.com namespaces=\"git\" ssh-ed25519 AAAA…`".into(),
            });
        }
        for (place, principal) in policy.named_principals() {
            let pinned = policy
                .gpg_keys
                .as_ref()
                .is_some_and(|pins| pins.contains_key(&principal));
            if !signers.knows(&principal)
                && !pinned
                && !proven_elsewhere.contains(principal.as_str())
            {
                findings.push(Finding {
                    problem: format!(
                        "{place} in .registry.yaml names '{principal}', whom the allowed-signers file {shown} does not list, so no SSH signature can prove them (signatures.gpg_keys pins no key to them, and no OpenPGP or X.509 signature in the history proves them)"
                    ),
                    fix: format!("add the SSH key of '{principal}' to {shown}, or correct the name"),
                });
            }
        }
    }
    let mut unverifiable: std::collections::BTreeMap<String, (usize, &String)> =
        std::collections::BTreeMap::new();
    for (event, status) in signed.iter().zip(&statuses) {
        let q = shell_quote(&event.tag);
        match &status {
            SigStatus::Expired { reason, .. } => findings.push(Finding {
                problem: format!(
                    "tag '{}' is signed by a key that was not valid at the tag's date: {reason}",
                    event.tag
                ),
                fix: format!(
                    "if the event should stand, write it again signed with a valid key (`git tag -d {q}`, then the command that made it with --sign)"
                ),
            }),
            SigStatus::Bad { reason, .. } => findings.push(Finding {
                problem: format!("tag '{}' has a bad signature: {reason}", event.tag),
                fix: format!(
                    "the tag was changed after it was signed: delete it (`git tag -d {q}`, and `git push --delete origin {q}`) and write it again signed"
                ),
            }),
            SigStatus::Unverifiable { reason, .. } if trust.has_rules() => {
                let seen = unverifiable.entry(reason.clone()).or_insert((0, &event.tag));
                seen.0 += 1;
            }
            _ => {}
        }
    }
    // Signatures that cannot be checked fail every gate the policy sets up: one finding per
    // cause (thousands of SSH tags and no allowed-signers file are one problem, not thousands).
    for (reason, (n, first)) in unverifiable {
        let which = if n == 1 {
            format!(
                "tag '{first}' has a signature that cannot be checked, so check-ref --policy and audit fail on it"
            )
        } else {
            format!(
                "{n} tags (the first '{first}') have signatures that cannot be checked, so check-ref --policy and audit fail on them"
            )
        };
        findings.push(Finding {
            problem: format!("{which}: {reason}"),
            fix: "for SSH signatures, name the allowed-signers file in .registry.yaml (`signatures: allowed_signers: PATH`); for OpenPGP and X.509, install the program git runs (gpg, gpgsm)".into(),
        });
    }
    findings
}
