//! One integration-test binary for the real `registry` program: a fixture plus one file per
//! command (ARCHITECTURE.md, "Tests that tell the truth").

mod fixture;
mod reads;
mod reads_check_ref;
mod reads_history;
mod reads_oddities;
mod reads_show;
mod smoke;
