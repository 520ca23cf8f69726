//! `registry`: a git-native model registry, tag-compatible with GTO.
//!
//! The library target exists so the binary, the benchmark and fuzz targets share one core.
//! Layout: `registry/` is the pure core; `git/` the only module that names git2; `commands/` one
//! file per verb; `output.rs` all rendering.

pub mod artifacts;
pub(crate) mod ci_outputs;
pub mod cli;
pub(crate) mod commands;
pub(crate) mod config;
pub(crate) mod digest;
pub(crate) mod dvc_track;
pub mod error;
pub(crate) mod file_kind;
pub(crate) mod git;
pub(crate) mod json;
pub(crate) mod lock;
pub(crate) mod metrics_source;
pub mod output;
pub(crate) mod provenance;
pub(crate) mod registry;
pub(crate) mod remote;
pub(crate) mod safe_read;
pub mod shell;
pub mod signals;
pub(crate) mod signature;
pub(crate) mod yaml;

/// How `main` prints an error's causes (libgit2's without its internals).
pub use git::plain_cause;
