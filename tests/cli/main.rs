//! One integration-test binary for the real `registry` program: a fixture plus one file per
//! command (ARCHITECTURE.md, "Tests that tell the truth").

mod declarations;
mod docs;
mod fixture;
mod interop;
mod smoke;
mod writes;
