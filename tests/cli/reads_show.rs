//! `registry show` (reference §4.2–4.4, §5.4, §6; SPEC §4.4), one idea per file.

mod artifact;
mod at;
mod filters;
mod registry;
mod stage_columns;
mod stage_resolution;
mod targets;
mod usage;
