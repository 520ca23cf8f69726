//! `doctor`'s checks of the declaration files at HEAD: every `artifacts.yaml` and `dvc.yaml`
//! parses, its names can be tagged, its paths stay inside, no name is declared twice, and in a
//! DVC repository nothing is declared where DVC cannot see it.

use anyhow::Result;

use super::Finding;
use crate::artifacts::declared::{Format, Inventory, Reach, inventory};
use crate::commands::Session;
use crate::output::Output;
use crate::provenance;
use crate::shell::shell_quote;

/// How many files of each format were read: `(artifacts.yaml, dvc.yaml)`.
pub(super) type Counted = (usize, usize);

pub(super) fn check(
    session: &Session,
    head: &str,
    findings: &mut Vec<Finding>,
    out: &mut Output,
) -> Result<Counted> {
    let inv: Inventory = inventory(&session.repo, head, Reach::Everything, "")?;
    for w in &inv.warnings {
        out.warn(w)?;
    }
    for (file, e) in &inv.broken {
        let fix = if file.ends_with("dvc.yaml") {
            format!(
                "correct {file}; DVC's artifacts take `path` (required), `type`, `desc`, `labels` and `meta`"
            )
        } else {
            format!("correct {file}; `artifacts.yaml.example` shows every field")
        };
        findings.push(Finding {
            problem: e.message.clone(),
            fix,
        });
    }
    for (file, full) in &inv.unnamed {
        findings.push(Finding {
            problem: format!("{file}: '{full}' is not a name registry can tag"),
            fix: "rename the entry or move the file to a directory git refs accept".into(),
        });
    }
    for (name, dvc, gto) in &inv.twice {
        findings.push(Finding {
            problem: format!(
                "'{name}' is declared in both {dvc} and {gto}; registry reads {dvc} (what DVC and Studio read) and ignores the {gto} entry"
            ),
            fix: format!(
                "delete '{}' from {gto}, keeping what it says in {dvc}",
                name.basename()
            ),
        });
    }
    for (name, d) in &inv.declared {
        if let (Some(path), false) = (&d.entry.path, d.entry.is_explicitly_virtual())
            && !path.contains("://")
            && let Err(e) = provenance::repo_relative(name, path)
        {
            {
                findings.push(Finding {
                    problem: format!("{}: {}", d.file, e.message),
                    fix: match d.format {
                        Format::Artifacts => format!(
                            "use a path inside the repository, or mark '{}' `virtual: true`",
                            d.key
                        ),
                        Format::Dvc => "use a path inside the repository, or a URL".into(),
                    },
                });
            }
        }
        if d.format == Format::Artifacts
            && crate::dvc_track::dvc_root(&session.repo, head, &d.file, true)?.is_some()
        {
            findings.push(Finding {
                problem: format!(
                    "'{name}' is declared in {} only, which DVC does not read: `dvc artifacts get` and Studio cannot find it (ArtifactNotFoundError)",
                    d.file
                ),
                fix: format!(
                    "move it: `registry annotate --move-to dvc.yaml {}`, then commit",
                    shell_quote(name.as_str())
                ),
            });
        }
    }
    Ok(inv.files)
}
