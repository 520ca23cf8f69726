//! The pure core: names, the tag grammar, events, the state fold, resolution, write planning
//! and its refusals (`error.rs`).
//!
//! Nothing here touches git, the file system, the clock or clap: it takes plain data and returns
//! plain data, so GTO's rules are unit-tested in microseconds (`tests.rs` beside this file).

pub mod error;
pub mod event;
pub mod name;
pub mod outranked;
pub mod plan;
pub mod policy;
pub mod resolve;
pub mod spec;
pub mod state;
pub mod tag;
pub mod time;
pub mod trailer;
pub mod version;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
