//! One integration-test binary for the real `registry` program: a fixture plus one file per
//! command (ARCHITECTURE.md, "Tests that tell the truth").

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code may unwrap: a panic is how a test fails"
)]
#![allow(
    clippy::items_after_statements,
    reason = "a test's constants sit next to the step that uses them"
)]

mod action;
mod check_ref_format;
mod ci_examples;
mod concurrent;
mod declarations;
mod diff;
mod docs;
mod doctor;
mod dvc_bytes;
mod dvc_declarations;
mod dvc_fixture;
mod dvc_hostile;
mod dvc_ignore;
mod dvc_peer;
mod dvc_reads;
mod dvc_records;
mod fixture;
mod fixture_exact;
mod get_dvc;
mod get_git;
mod get_lfs;
mod get_url;
mod gitlab_component;
mod hostile_args;
mod hostile_ci;
mod hostile_digests;
mod hostile_files;
mod hostile_messages;
mod hostile_network;
mod hostile_objects;
mod hostile_output;
mod hostile_reads;
mod interop;
mod interop_dvc;
mod interop_dvc_metrics;
mod interop_signed;
mod layers;
mod metrics_compare;
mod metrics_diff;
mod metrics_gate;
mod metrics_gate_forged;
mod metrics_outputs;
mod metrics_record;
mod metrics_show;
mod metrics_sources;
mod metrics_unrecorded;
mod metrics_walkthrough;
mod partial_clones;
mod partial_mirror;
mod reads;
mod reads_check_ref;
mod reads_history;
mod reads_oddities;
mod reads_show;
mod release_package;
mod release_workflow;
mod remote;
mod signed_reads;
mod signing;
mod smoke;
mod terminal;
mod test_files;
mod trust;
mod trust_gate;
mod trust_replay;
mod version;
mod writes;
