//! Signatures of registry tags: making them as `git tag -s` does (`sign.rs`) and checking them
//! (SSH in-process against an allowed-signers file, `ssh.rs`; OpenPGP and X.509 through git's
//! own programs, `gpg.rs`). What a check found is the core's `SigStatus`.

#![allow(
    dead_code,
    reason = "filled in by the signing and verifying work of issue 10"
)]

pub(crate) mod allowed_signers;
pub(crate) mod gpg;
pub(crate) mod sign;
pub(crate) mod ssh;
