//! `show`'s arguments: the target, the output format, the filters and `--at` (parsed by clap).

use clap::{ArgGroup, Args, ValueEnum};

use crate::registry::spec::{Target, When};

const EXAMPLES: &str = "\
Examples:
  registry show                       # every artifact: latest version, version in each stage
  registry show churn                 # the versions of 'churn'
  registry show churn#prod --version  # the version in prod, e.g. to deploy it
  registry show churn@latest --ref    # the registration tag of the latest version
  registry show --json                # GTO's JSON shape
  registry show churn#prod --at 2026-03-01   # what was in prod on 1 March (end of day, UTC)
  registry show churn --metrics                      # one row per version, one column per metric
  registry show churn --metrics --sort-by eval.auc   # the best version first
  registry show churn --metrics --sort-by latency_ms --asc --json   # the fastest first, as JSON";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
#[command(group(ArgGroup::new("format").args(["json", "plain", "name", "version", "stage", "show_ref"])))]
pub(crate) struct ShowArgs {
    /// Artifact, or a shortcut: NAME@vX.Y.Z, NAME@latest, NAME@greatest, NAME#STAGE
    pub target: Option<Target>,
    /// Print JSON (GTO's shape)
    #[arg(long)]
    pub json: bool,
    /// Print a plain table, easy to grep
    #[arg(long)]
    pub plain: bool,
    /// Print only the name column
    #[arg(long)]
    pub name: bool,
    /// Print only the version column
    #[arg(long)]
    pub version: bool,
    /// Print only the stage column
    #[arg(long)]
    pub stage: bool,
    /// Print only the ref column
    #[arg(long = "ref", id = "show_ref")]
    pub show_ref: bool,
    /// Resolve stages over registered versions only
    #[arg(long = "ro", visible_alias = "registered-only")]
    pub registered_only: bool,
    /// Include deprecated artifacts and inactive versions
    #[arg(short = 'd', long)]
    pub deprecated: bool,
    /// Stages kept per version, newest first (-1: all)
    #[arg(long = "av", visible_alias = "assignments-per-version", default_value_t = -1, allow_negative_numbers = true, value_parser = count_arg)]
    pub assignments_per_version: i64,
    /// Versions kept per stage (-1: all)
    #[arg(
        long = "vs",
        visible_alias = "versions-per-stage",
        default_value_t = 1,
        allow_negative_numbers = true,
        value_parser = count_arg
    )]
    pub versions_per_stage: i64,
    /// Order for stage resolution
    #[arg(long, value_enum, default_value_t = SortArg::Timestamp)]
    pub sort: SortArg,
    /// Show the registry as it was at a time (2026-03-01 = the end of that day, UTC; or a full
    /// date and time) or at a commit, tag or branch (its commit time)
    #[arg(long, value_name = "WHEN")]
    pub at: Option<When>,
    /// A table of the versions' metrics: one row per version, one column per metric (recorded
    /// at registration, else read from the metrics files at the version's commit)
    #[arg(long, requires = "target", conflicts_with_all = ["name", "version", "stage", "show_ref"])]
    pub metrics: bool,
    /// With --metrics: the highest value of this metric first (versions without a number for
    /// it last)
    #[arg(long = "sort-by", value_name = "KEY", requires = "metrics")]
    pub sort_by: Option<String>,
    /// With --sort-by: the lowest value first (for a latency, a loss)
    #[arg(long, requires = "sort_by")]
    pub asc: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SortArg {
    Timestamp,
    Semver,
}

/// `--av`/`--vs`: a count, or -1 for all (GTO's convention); -5 is a usage error, not "all".
pub(super) fn count_arg(s: &str) -> Result<i64, String> {
    match s.parse::<i64>() {
        Ok(n) if n >= -1 => Ok(n),
        _ => Err("give a count of 0 or more, or -1 for all".to_string()),
    }
}

/// Which column a one-column flag asks for.
pub(super) fn column_flag(args: &ShowArgs) -> Option<&'static str> {
    [
        (args.name, "name"),
        (args.version, "version"),
        (args.stage, "stage"),
        (args.show_ref, "ref"),
    ]
    .into_iter()
    .find_map(|(on, col)| on.then_some(col))
}
