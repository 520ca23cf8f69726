//! `registry`: a git-native model registry, tag-compatible with GTO.
//!
//! The library target exists so the binary, the benchmark and fuzz targets share one core.
//! Layout: `registry/` is the pure core; `git/` the only module that names git2; `commands/` one
//! file per verb; `output.rs` all rendering.

pub mod artifacts;
pub mod ci_outputs;
pub mod cli;
pub mod commands;
pub mod config;
pub mod digest;
pub mod error;
pub mod file_kind;
pub mod git;
pub mod json;
pub mod lock;
pub mod output;
pub mod provenance;
pub mod registry;
pub mod remote;
pub mod safe_read;
pub mod shell;
pub mod signals;
pub mod yaml;
