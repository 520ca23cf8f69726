//! The pure core: names, the tag grammar, events, the state fold, resolution, write planning
//! and its refusals (`error.rs`).
//!
//! Nothing here touches git, the file system, the clock or clap: it takes plain data and returns
//! plain data, so GTO's rules are unit-tested in microseconds (`tests/` beside this file).

pub(crate) mod error;
pub(crate) mod event;
pub(crate) mod metrics;
pub(crate) mod name;
pub(crate) mod oddity;
pub(crate) mod outranked;
pub(crate) mod plan;
pub(crate) mod policy;
pub(crate) mod resolve;
pub(crate) mod signature;
pub(crate) mod spec;
pub(crate) mod state;
pub(crate) mod tag;
pub(crate) mod time;
pub(crate) mod trailer;
pub(crate) mod trust;
pub(crate) mod version;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
