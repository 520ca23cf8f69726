//! Cloud storage URLs through the provider's own CLI, which knows the user's credentials:
//! `s3://` with `aws s3 cp URL -`, `gs://` with `gcloud storage cat URL` (else `gsutil cat URL`),
//! `azure://CONTAINER/PATH` and `az://…` with `az storage blob download … --file /dev/stdout`
//! (the account from `AZURE_STORAGE_ACCOUNT` or a connection string, as `az` reads them). Each
//! streams the object to stdout, into the hashing writer. One object per URL: a prefix (a
//! "directory") is not listed.

use std::path::Path;
use std::process::Command;

use anyhow::Result;

use super::super::written::Hashes;
use super::piped::{self, Piped};
use crate::error::UserError;
use crate::git::redact;
use crate::output::{escape, escape_keeping_lines};

/// One way to run a provider's CLI: the program, its arguments, and what to install.
struct Way {
    program: &'static str,
    args: Vec<String>,
    package: &'static str,
}

/// The ways to fetch `url` of `scheme`, the preferred first.
fn ways(scheme: &str, url: &str) -> Result<Vec<Way>, UserError> {
    let s = |v: &[&str]| v.iter().map(|a| (*a).to_string()).collect::<Vec<_>>();
    Ok(match scheme {
        "s3" => vec![Way {
            program: "aws",
            // `--only-show-errors`, not `--quiet`, which silences the reason of a failure too.
            args: s(&["s3", "cp", "--only-show-errors", url, "-"]),
            package: "the AWS CLI (`pip install awscli`, or https://aws.amazon.com/cli/)",
        }],
        "gs" => vec![
            Way {
                program: "gcloud",
                args: s(&["storage", "cat", url]),
                package: "the Google Cloud CLI (https://cloud.google.com/sdk/docs/install)",
            },
            Way {
                program: "gsutil",
                args: s(&["cat", url]),
                package: "the Google Cloud CLI (https://cloud.google.com/sdk/docs/install)",
            },
        ],
        _ => {
            let rest = &url[url.find("://").map_or(0, |i| i + 3)..];
            let (container, blob) = rest.split_once('/').unwrap_or((rest, ""));
            if container.is_empty() || blob.is_empty() || blob.ends_with('/') {
                return Err(UserError::new(format!(
                    "'{}' does not name a blob: write azure://CONTAINER/PATH",
                    escape(&redact(url))
                )));
            }
            vec![Way {
                program: "az",
                args: s(&[
                    "storage",
                    "blob",
                    "download",
                    "--container-name",
                    container,
                    "--name",
                    blob,
                    "--file",
                    "/dev/stdout",
                    "--no-progress",
                    // One connection: parallel ranges need a file to seek in, not a pipe.
                    "--max-connections",
                    "1",
                    // Else `az` prints the blob's properties as JSON after it, into the bytes.
                    "--output",
                    "none",
                ]),
                package: "the Azure CLI (`pip install azure-cli`, or https://aka.ms/installazurecli)",
            }]
        }
    })
}

/// Streams the object at `url` into `into` with the first of its provider's CLIs installed.
pub(super) fn fetch(scheme: &str, url: &str, into: &Path) -> Result<Hashes> {
    let shown = escape(&redact(url)).into_owned();
    let ways = ways(scheme, url)?;
    for way in &ways {
        let mut cmd = Command::new(way.program);
        cmd.args(&way.args);
        match piped::run(cmd, &[], into)? {
            Piped::NotInstalled => {}
            Piped::Ran {
                status,
                stderr,
                written,
            } => {
                let hashes = written?;
                if !status.success() {
                    return Err(UserError::new(format!(
                        "`{}` could not download '{shown}': {}",
                        way.program,
                        escape_keeping_lines(&redact(&piped::why(&stderr, status)))
                    ))
                    .with_hint(format!(
                        "check the URL and that `{}` is logged in with access to it",
                        way.program
                    ))
                    .into());
                }
                return Ok(hashes);
            }
        }
    }
    let programs: Vec<String> = ways.iter().map(|w| format!("`{}`", w.program)).collect();
    Err(UserError::new(format!(
        "cannot download '{shown}': it needs {}, which is not installed",
        programs.join(" or ")
    ))
    .with_hint(format!(
        "install {}, log in, and run the command again",
        ways[0].package
    ))
    .into())
}
