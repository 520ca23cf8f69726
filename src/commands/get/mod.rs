//! `registry get NAME[@VERSION|#STAGE]`: write a version's registered bytes to disk, checked
//! against the recorded digest while they are written (the command lands next; the shared
//! pieces the sources write through come first).

#![allow(
    dead_code,
    reason = "the shared API of the sources lands before the command that calls it"
)]

mod dvc;
mod lfs;
mod stage;
mod url;
mod written;
