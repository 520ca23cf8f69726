//! The second security review's holes, each played through the binary: a stage that differs
//! from a ruled one only in case, a registration that cannot vouch for its registrant (signed by
//! a key the policy does not let register, or by one holder under another name), a
//! deregistration that takes a guarded stage away, and a dry run that signs.

use super::{Key, commit_policy, signed_tag};
use crate::fixture::TestRepo;

/// `check-ref TAG --policy`: exit code and stderr.
fn gate(repo: &TestRepo, tag: &str) -> (i32, String) {
    let run = repo.run(&["check-ref", tag, "--policy", "--policy-ref", "main"]);
    (run.code, run.stderr)
}

const POLICY: &str = "\
stages: [dev, staging, prod]
signatures:
  allowed_signers: .registry/allowed_signers
  required_since: 2023-11-14
authorize:
  register: [alice@example.com, bob@example.com, release-bot]
  stages:
    prod:
      assign: [alice@example.com, release-bot]
      two_person: true
";

#[test]
fn a_stage_that_differs_only_in_case_is_refused_by_the_gate_and_by_writes() {
    let repo = TestRepo::new();
    let bob = Key::new(&repo, "bob", "bob@example.com");
    let ci = Key::new(&repo, "ci", "ci@example.com");
    let c = commit_policy(&repo, POLICY, &format!("{}{}", bob.line(""), ci.line("")));
    signed_tag(&repo, &repo.path(), &bob, "churn@v1.0.0", &c);
    // Any allowed key (here a CI key no prod rule names) signs `#PROD#`.
    signed_tag(&repo, &repo.path(), &ci, "churn#PROD#1", &c);
    let (code, err) = gate(&repo, "churn#PROD#1");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("names the stage 'PROD', which the policy writes 'prod'"),
        "{err}"
    );
    // A write of it is refused too, whoever signs, and creates nothing.
    ci.use_in(&repo, &repo.path());
    let run = repo.run(&["promote", "churn@v1.0.0", "PROD", "--sign", "--force"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(repo.git(&["tag", "-l", "churn#PROD#2"]), "");
}

#[test]
fn a_registration_vouches_only_if_it_passes_the_policy_and_one_holder_is_one_person() {
    let repo = TestRepo::new();
    let alice = Key::new(&repo, "alice", "alice@example.com");
    let staging = Key::new(&repo, "staging", "ci@example.com");
    // alice's second key, on a line shared with the release bot's name.
    let shared = Key::new(&repo, "shared", "alice@example.com,release-bot");
    let signers = format!("{}{}{}", alice.line(""), staging.line(""), shared.line(""));
    let c = commit_policy(&repo, POLICY, &signers);
    // (a) registered with a key the policy does not let register (ci@example.com), then alice
    // promotes her own model: the registration proves no one, so the rule fails.
    signed_tag(&repo, &repo.path(), &staging, "churn@v1.0.0", &c);
    signed_tag(&repo, &repo.path(), &alice, "churn#prod#1", &c);
    let (code, err) = gate(&repo, "churn#prod#1");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("it breaks the policy itself"), "{err}");
    // (c) registered by alice's shared key as release-bot, promoted by alice's own key.
    repo.write("model.bin", "v2\n");
    let c2 = repo.commit("v2");
    let signing_key = format!("user.signingKey={}", shared.file.display());
    let out = repo
        .command(std::path::Path::new("git"), &repo.path())
        .env("GIT_COMMITTER_EMAIL", "release-bot")
        .args([
            "-c",
            "gpg.format=ssh",
            "-c",
            &signing_key,
            "tag",
            "-s",
            "-m",
            "rf@v1.0.0",
            "rf@v1.0.0",
            &c2,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    signed_tag(&repo, &repo.path(), &alice, "rf#prod#1", &c2);
    let (code, err) = gate(&repo, "rf#prod#1");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("two-person"), "{err}");
}

#[test]
fn deregistering_the_prod_version_needs_a_principal_prod_allows() {
    let repo = TestRepo::new();
    let alice = Key::new(&repo, "alice", "alice@example.com");
    let bob = Key::new(&repo, "bob", "bob@example.com");
    let c = commit_policy(
        &repo,
        POLICY,
        &format!("{}{}", alice.line(""), bob.line("")),
    );
    signed_tag(&repo, &repo.path(), &bob, "churn@v1.0.0", &c);
    signed_tag(&repo, &repo.path(), &alice, "churn#prod#1", &c);
    // bob may register (and so deregister), but not take prod away.
    signed_tag(&repo, &repo.path(), &bob, "churn@v1.0.0!", &c);
    let (code, err) = gate(&repo, "churn@v1.0.0!");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("deregisters a version that holds stage 'prod'"),
        "{err}"
    );
}

#[test]
fn a_dry_run_signs_and_judges_the_signer_as_the_write_would() {
    let repo = TestRepo::new();
    let alice = Key::new(&repo, "alice", "alice@example.com");
    let mallory = Key::new(&repo, "mallory", "mallory@example.com");
    let c = commit_policy(&repo, POLICY, &alice.line(""));
    signed_tag(&repo, &repo.path(), &alice, "churn@v1.0.0", &c);
    mallory.use_in(&repo, &repo.path());
    let run = repo.run(&["promote", "churn@v1.0.0", "prod", "--sign", "--dry-run"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("no allowed signer"),
        "{}",
        run.transcript()
    );
    assert_eq!(repo.git(&["tag", "-l", "churn#prod*"]), "");
}
