//! The top-level command line: global flags, the command list, dispatch.
//!
//! Each command's arguments live in its own file under `commands/`; this file only lists them,
//! and holds `completions`, which is about this command line itself.

use anyhow::Result;
use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::commands;
use crate::output::Output;

const ABOUT: &str = "A git-native model registry: versions and stages are annotated git tags.";

const EXAMPLES: &str = "\
Examples:
  registry register churn                  # register HEAD as the next version of 'churn'
  registry promote churn prod              # put the latest version of 'churn' in prod
  registry promote churn@v1.2.0 staging    # put a given version in staging
  registry show                            # the registry: latest version and stages
  registry show churn#prod --version       # which version is in prod
  registry history churn                   # every event of 'churn', newest first
  registry check-ref \"$GITHUB_REF\" --json  # what a pushed tag means (in CI)

Tags are GTO's (churn@v1.2.0, churn#prod#3), so GTO, DVC and DVC Studio read them too.";

/// The command line.
#[derive(Debug, Parser)]
// `--version`: the package version and the commit it was built from (build.rs).
#[command(name = "registry", version = env!("REGISTRY_VERSION"), about = ABOUT, after_help = EXAMPLES)]
#[command(arg_required_else_help = true)]
pub struct Cli {
    #[command(flatten)]
    pub(crate) global: commands::Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Register a version of an artifact at a commit
    Register(commands::register::RegisterArgs),
    /// Assign a stage to a version (GTO's signature)
    Assign(commands::assign::AssignArgs),
    /// Put a version in a stage: `promote NAME[@VERSION] STAGE`, or GTO's `promote NAME [REF] --stage S`
    Promote(commands::assign::PromoteArgs),
    /// Take a stage away from the version that holds it
    Unassign(commands::unassign::UnassignArgs),
    /// Give a stage back to the version that held it before
    Rollback(commands::rollback::RollbackArgs),
    /// Withdraw a version
    Deregister(commands::deregister::DeregisterArgs),
    /// Deprecate an artifact (or, GTO's form: deregister `NAME VERSION`, unassign `NAME VERSION STAGE`)
    Deprecate(commands::deprecate::DeprecateArgs),
    /// Show the registry, or the versions of one artifact
    Show(commands::show::ShowArgs),
    /// Show every registry event, newest first
    History(commands::history::HistoryArgs),
    /// Tell what a registry tag means (for CI)
    CheckRef(commands::check_ref::CheckRefArgs),
    /// List stages: allowed by config, or in use
    Stages(commands::stages::StagesArgs),
    /// Declare or update an artifact in dvc.yaml or artifacts.yaml
    Annotate(commands::annotate::AnnotateArgs),
    /// Delete an artifact's entry from dvc.yaml or artifacts.yaml
    Remove(commands::annotate::RemoveArgs),
    /// Print an artifact's artifacts.yaml entry as it was at a version's commit
    Describe(commands::describe::DescribeArgs),
    /// Check a file or directory against the digest a version recorded
    Verify(commands::verify::VerifyArgs),
    /// Write a version's registered bytes to disk, checked against its recorded digest
    Get(commands::get::GetArgs),
    /// Every event with its claimed tagger, proven signer, signature status and policy verdict
    Audit(commands::audit::AuditArgs),
    /// Check the repository, config, artifacts.yaml files, registry tags and policy
    Doctor(commands::doctor::DoctorArgs),
    /// What changed between two versions: entry, digest, commits, stages
    Diff(commands::diff::DiffArgs),
    /// Several versions' metrics side by side, with changes against the first
    Compare(commands::compare::CompareArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  registry completions bash > ~/.local/share/bash-completion/completions/registry
  registry completions zsh > ~/.zfunc/_registry     # with fpath+=(~/.zfunc) before compinit
  registry completions fish > ~/.config/fish/completions/registry.fish";

/// `registry completions SHELL`.
#[derive(Debug, Args)]
#[command(after_help = COMPLETIONS_EXAMPLES)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Prints the completion script, generated from the same definition the parser uses.
fn completions(args: CompletionsArgs, out: &mut Output) -> Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "registry", &mut script);
    out.raw(&script)?;
    Ok(())
}

/// Runs the parsed command.
pub fn run(cli: Cli, out: &mut Output) -> Result<()> {
    let g = &cli.global;
    match cli.command {
        Command::Register(a) => commands::register::run(g, a, out),
        Command::Assign(a) => commands::assign::run_assign(g, a, out),
        Command::Promote(a) => commands::assign::run_promote(g, a, out),
        Command::Unassign(a) => commands::unassign::run(g, a, out),
        Command::Rollback(a) => commands::rollback::run(g, a, out),
        Command::Deregister(a) => commands::deregister::run(g, a, out),
        Command::Deprecate(a) => commands::deprecate::run(g, a, out),
        Command::Show(a) => commands::show::run(g, a, out),
        Command::History(a) => commands::history::run(g, a, out),
        Command::CheckRef(a) => commands::check_ref::run(g, a, out),
        Command::Stages(a) => commands::stages::run(g, a, out),
        Command::Annotate(a) => commands::annotate::run_annotate(g, a, out),
        Command::Remove(a) => commands::annotate::run_remove(g, a, out),
        Command::Describe(a) => commands::describe::run(g, a, out),
        Command::Verify(a) => commands::verify::run(g, a, out),
        Command::Get(a) => commands::get::run(g, a, out),
        Command::Audit(a) => commands::audit::run(g, a, out),
        Command::Doctor(a) => commands::doctor::run(g, a, out),
        Command::Diff(a) => commands::diff::run(g, a, out),
        Command::Compare(a) => commands::compare::run(g, a, out),
        Command::Completions(a) => completions(a, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
