//! The metric gate under signed registrations (review of issue 14, H1): recorded scores count
//! only when the registration that recorded them passes the policy itself, so an unsigned tag
//! whose message claims `Artifact-Metric: auc=0.99` cannot carry a version past prod's bar.

use crate::fixture::TestRepo;
use crate::trust::{Key, commit_policy, signed_tag};

const POLICY: &str = "\
sign: true
signatures:
  allowed_signers: .registry/allowed_signers
  required_since: 2023-11-14
authorize:
  register: [alice@example.com]
  stages:
    prod:
      assign: [alice@example.com]
      metrics: [\"auc >= 0.9\"]
";

fn scene() -> (TestRepo, Key) {
    let repo = TestRepo::new();
    let alice = Key::new(&repo, "alice", "alice@example.com");
    alice.use_in(&repo, &repo.path());
    repo.write("artifacts.yaml", "m:\n  path: m.bin\n  metrics: [e.json]\n");
    repo.write("m.bin", "weights");
    repo.write("e.json", r#"{"auc": 0.5}"#);
    commit_policy(&repo, POLICY, &alice.line(""));
    // alice's own, signed registration records the file's 0.5: prod refuses it.
    repo.run(&["register", "m"]).ok();
    let run = repo.run(&["promote", "m@v0.0.1", "prod"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("auc = 0.5"), "{}", run.transcript());
    (repo, alice)
}

#[test]
fn an_unsigned_registration_claiming_better_scores_opens_no_gate() {
    let (repo, alice) = scene();
    let c = repo.commit("mallory's commit");
    repo.git(&[
        "tag",
        "-a",
        "m@v0.0.2",
        "-m",
        "Registering artifact m version v0.0.2\n\nArtifact-Metric: auc=0.99",
        &c,
    ]);
    // alice promotes in good faith: the write refuses, naming the registration that fails.
    let run = repo.run(&["promote", "m@v0.0.2", "prod"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains(
            "its metrics were recorded by 'm@v0.0.2', which does not pass the policy itself"
        ),
        "{}",
        run.transcript()
    );
    assert!(repo.git(&["tag", "-l", "m#prod*"]).is_empty());
    // A stage tag signed by alice and pushed past the write is failed by the gate in CI.
    signed_tag(&repo, &repo.path(), &alice, "m#prod#1", &c);
    let run = repo.run(&["check-ref", "m#prod#1", "--policy", "--policy-ref", "main"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("does not pass the policy itself"),
        "{}",
        run.transcript()
    );
}

#[test]
fn a_signed_registration_by_an_allowed_registrant_passes_with_its_scores() {
    let (repo, _alice) = scene();
    repo.write("e.json", r#"{"auc": 0.95}"#);
    repo.commit("better");
    repo.run(&["register", "m"]).ok();
    repo.run(&["promote", "m@v0.0.2", "prod"]).ok();
    let run = repo.run(&["check-ref", "m#prod#1", "--policy", "--policy-ref", "main"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stderr.contains("by values recorded at registration"),
        "{}",
        run.transcript()
    );
}
