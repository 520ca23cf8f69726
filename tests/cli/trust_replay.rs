//! The gate passes only a stage's current event: a re-pushed old signed assignment cannot
//! replay an old promotion (the second security review's finding 5), played through the real
//! binary with tags signed by a key the test makes.

use crate::fixture::{TestRepo, run_timed};
use crate::trust_gate::refused;

/// Every event signed by ada's SSH key, under a policy on `main` that requires it.
/// `check-ref TAG --policy --policy-ref main --version`: the gate, printing the version.
fn gate_version(repo: &TestRepo, tag: &str) -> crate::fixture::Run {
    run_timed(
        repo,
        &[
            "check-ref",
            tag,
            "--policy",
            "--policy-ref",
            "main",
            "--version",
        ],
    )
}

fn signed_registry() -> TestRepo {
    let repo = TestRepo::new();
    let key = repo.home().join("id_ed25519");
    let out = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "ada", "-f"])
        .arg(&key)
        .output()
        .expect("ssh-keygen runs");
    assert!(out.status.success(), "{out:?}");
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    repo.git(&["config", "gpg.format", "ssh"]);
    repo.git(&["config", "user.signingKey", key.to_str().unwrap()]);
    repo.write(
        ".registry/allowed_signers",
        &format!("ada@example.com namespaces=\"git\" {public}"),
    );
    repo.write(
        ".registry.yaml",
        "signatures:\n  allowed_signers: .registry/allowed_signers\n  required_since: 2020-01-01\n",
    );
    repo.write("m.bin", "a\n");
    repo.write("artifacts.yaml", "churn:\n  path: m.bin\n");
    repo.commit("policy");
    repo
}

/// The review's downgrade: delete the old signed `churn#prod#1` and push the same object again.
/// Its signature is as good as ever, but prod is v0.0.2's now: the gate refuses it, naming the
/// newer tag and what prod holds. The current event passes, and so does a registration however
/// old (no rule there).
#[test]
fn a_replayed_old_assignment_does_not_pass_the_gate() {
    let repo = signed_registry();
    let c = |args: &[&str]| repo.run(args).ok().to_string();
    c(&["register", "churn", "--sign"]);
    repo.write("m.bin", "b\n");
    repo.commit("v2");
    c(&["register", "churn", "--sign"]);
    c(&["promote", "churn@v0.0.1", "prod", "--sign"]);
    c(&["promote", "churn@v0.0.2", "prod", "--sign"]);
    let gate = |tag: &str| gate_version(&repo, tag);
    assert_eq!(gate("churn#prod#2").stdout, "v0.0.2\n");
    let old = repo.git(&["rev-parse", "churn#prod#1"]);
    repo.git(&["tag", "-d", "churn#prod#1"]);
    repo.git(&["update-ref", "refs/tags/churn#prod#1", &old]);
    let sig = repo.home().join("allowed");
    std::fs::copy(repo.path().join(".registry/allowed_signers"), &sig).unwrap();
    let file = format!("gpg.ssh.allowedSignersFile={}", sig.display());
    repo.git(&["-c", &file, "verify-tag", "churn#prod#1"]); // still a good signature
    refused(
        &gate("churn#prod#1"),
        "error: policy: 'churn#prod#1' is not the newest prod event of 'churn': 'churn#prod#2' is newer, and prod holds v0.0.2 now",
    );
    assert_eq!(c(&["show", "churn#prod", "--version"]), "v0.0.2\n");
    // Without --policy it reads as ever.
    assert_eq!(
        run_timed(&repo, &["check-ref", "churn#prod#1", "--version"]).stdout,
        "v0.0.1\n"
    );
    // A rollback is a new event: it passes, and the first assignment of the same version,
    // pushed again, still does not.
    c(&["promote", "churn@v0.0.1", "prod", "--sign", "--force"]);
    assert_eq!(gate("churn#prod#3").stdout, "v0.0.1\n");
    refused(
        &gate("churn#prod#1"),
        "'churn#prod#3' is newer, and prod holds v0.0.1 now",
    );
    // Registrations have no such rule.
    assert_eq!(gate("churn@v0.0.1").stdout, "v0.0.1\n");
}

/// An unassignment too must be its version's newest event of the stage; an assignment whose version the
/// registry no longer gives the stage (deregistered since) does not pass, even as the newest.
#[test]
fn an_old_unassignment_and_a_withdrawn_version_do_not_pass_the_gate() {
    let repo = signed_registry();
    let c = |args: &[&str]| repo.run(args).ok().to_string();
    c(&["register", "churn", "--sign"]);
    c(&["promote", "churn@v0.0.1", "prod", "--sign"]);
    repo.write("m.bin", "b\n");
    repo.commit("v2");
    c(&["register", "churn", "--sign"]);
    c(&["promote", "churn@v0.0.2", "prod", "--sign"]);
    c(&["unassign", "churn", "prod", "--version", "v0.0.2", "--sign"]);
    let gate = |tag: &str| {
        run_timed(
            &repo,
            &[
                "check-ref",
                tag,
                "--policy",
                "--policy-ref",
                "main",
                "--event",
            ],
        )
    };
    let unassigned = "churn#prod!#3";
    assert_eq!(gate(unassigned).stdout, "unassignment\n");
    assert_eq!(c(&["show", "churn#prod", "--version"]), "v0.0.1\n");
    // prod holds v0.0.1 through churn#prod#1 again: v0.0.2's unassignment does not supersede
    // it (the second review's N6), and deploying it gives what `show` says.
    assert_eq!(gate("churn#prod#1").stdout, "assignment\n");
    c(&["promote", "churn@v0.0.2", "prod", "--sign"]);
    refused(
        &gate(unassigned),
        "'churn#prod!#3' is not the newest prod event of 'churn': 'churn#prod#4' is newer, and prod holds v0.0.2 now",
    );
    c(&["deregister", "churn", "v0.0.2", "--sign"]);
    refused(
        &gate("churn#prod#4"),
        "error: policy: 'churn#prod#4' gives prod to 'churn' v0.0.2, but the registry does not: prod holds v0.0.1 now",
    );
}

/// Two promotions in the same second: the registry's resolution decides which version holds the
/// stage, and the gate agrees with it (`show NAME#STAGE`) rather than with the counters.
#[test]
fn at_the_same_second_the_gate_agrees_with_show() {
    let repo = signed_registry();
    let c = |args: &[&str]| repo.run(args).ok().to_string();
    c(&["register", "churn", "--sign"]);
    repo.write("m.bin", "b\n");
    repo.commit("v2");
    c(&["register", "churn", "--sign"]);
    let second = repo.tick();
    repo.set_clock(second);
    c(&["promote", "churn@v0.0.1", "prod", "--sign"]);
    repo.set_clock(second);
    c(&["promote", "churn@v0.0.2", "prod", "--sign"]);
    let holds = c(&["show", "churn#prod", "--version"]);
    let (current, other) = if holds == "v0.0.1\n" {
        ("churn#prod#1", "churn#prod#2")
    } else {
        ("churn#prod#2", "churn#prod#1")
    };
    let gate = |tag: &str| gate_version(&repo, tag);
    assert_eq!(gate(current).stdout, holds);
    refused(
        &gate(other),
        &format!(
            "'{other}' is not the newest prod event of 'churn': '{current}', made in the same second, is the one the registry counts, and prod holds {} now",
            holds.trim()
        ),
    );
}

/// The second review's N6: `promote v2 prod`, then `unassign v1` (a clean-up). prod holds v2
/// through its assignment, and the unassignment of another version does not supersede it: both
/// tags pass, pushed together or not. The replayed v1 assignment still does not.
#[test]
fn unassigning_another_version_leaves_the_current_assignment_passing() {
    let repo = signed_registry();
    let c = |args: &[&str]| repo.run(args).ok().to_string();
    c(&["register", "churn", "--sign"]);
    repo.write("m.bin", "b\n");
    repo.commit("v2");
    c(&["register", "churn", "--sign"]);
    c(&["promote", "churn@v0.0.1", "prod", "--sign"]);
    c(&["promote", "churn@v0.0.2", "prod", "--sign"]);
    c(&["unassign", "churn", "prod", "--version", "v0.0.1", "--sign"]);
    assert_eq!(c(&["show", "churn#prod", "--version"]), "v0.0.2\n");
    let gate = |tag: &str| gate_version(&repo, tag);
    assert_eq!(gate("churn#prod#2").stdout, "v0.0.2\n");
    assert_eq!(gate("churn#prod!#3").stdout, "v0.0.1\n");
    refused(
        &gate("churn#prod#1"),
        "'churn#prod#1' is not the newest prod event of 'churn': 'churn#prod!#3' is newer, and prod holds v0.0.2 now",
    );
    // A later promotion of a third version leaves the unassignment of v0.0.1 true, and
    // supersedes v0.0.2's assignment.
    repo.write("m.bin", "c\n");
    repo.commit("v3");
    c(&["register", "churn", "--sign"]);
    c(&["promote", "churn@v0.0.3", "prod", "--sign"]);
    assert_eq!(gate("churn#prod#4").stdout, "v0.0.3\n");
    assert_eq!(gate("churn#prod!#3").stdout, "v0.0.1\n");
    refused(
        &gate("churn#prod#2"),
        "'churn#prod#2' is not the newest prod event of 'churn': 'churn#prod#4' is newer, and prod holds v0.0.3 now",
    );
}

/// The second review's N1 (replay half): stage names are one stage without ASCII case, as for
/// the authorize rules. A signed `churn#PROD#1` (v0.0.1), then `churn#prod#2` (v0.0.2): the
/// old tag, pushed again, is refused however its stage is spelled. The tag is made with `git tag
/// -s` itself, since writes may refuse the spelling.
#[test]
fn a_replayed_assignment_spelled_in_upper_case_does_not_pass_the_gate() {
    let repo = signed_registry();
    let c = |args: &[&str]| repo.run(args).ok().to_string();
    c(&["register", "churn", "--sign"]);
    repo.write("m.bin", "b\n");
    repo.commit("v2");
    c(&["register", "churn", "--sign"]);
    repo.git(&[
        "tag",
        "-s",
        "-m",
        "Assignment",
        "churn#PROD#1",
        "churn@v0.0.1^{commit}",
    ]);
    let gate = |tag: &str| gate_version(&repo, tag);
    assert_eq!(gate("churn#PROD#1").stdout, "v0.0.1\n");
    c(&["promote", "churn@v0.0.2", "prod", "--sign"]);
    assert_eq!(c(&["show", "churn#prod", "--version"]), "v0.0.2\n");
    assert_eq!(gate("churn#prod#2").stdout, "v0.0.2\n");
    let old = repo.git(&["rev-parse", "churn#PROD#1"]);
    repo.git(&["tag", "-d", "churn#PROD#1"]);
    repo.git(&["update-ref", "refs/tags/churn#PROD#1", &old]);
    refused(
        &gate("churn#PROD#1"),
        "error: policy: 'churn#PROD#1' is not the newest PROD event of 'churn': 'churn#prod#2' is newer, and prod holds v0.0.2 now",
    );
    // And the other way round: a newer upper-case event supersedes the lower-case one.
    c(&["promote", "churn@v0.0.1", "prod", "--sign", "--force"]);
    repo.git(&[
        "tag",
        "-s",
        "-m",
        "Assignment",
        "churn#PROD#4",
        "churn@v0.0.2^{commit}",
    ]);
    refused(
        &gate("churn#prod#3"),
        "'churn#prod#3' is not the newest prod event of 'churn': 'churn#PROD#4' is newer, and prod holds v0.0.2 now",
    );
    assert_eq!(gate("churn#PROD#4").stdout, "v0.0.2\n");
}

/// The second review's N7: a tag dated in the future would hold prod until its date, and be
/// judged at it. The gate refuses it, naming its date and now; within the 10 minutes allowed
/// for clock skew it passes.
#[test]
fn a_tag_dated_in_the_future_does_not_pass_the_gate() {
    let repo = signed_registry();
    let c = |args: &[&str]| repo.run(args).ok().to_string();
    c(&["register", "churn", "--sign"]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let now = i64::try_from(now).unwrap();
    // Five minutes ahead is skew, and passes.
    repo.set_clock(now + 5 * 60);
    repo.git(&[
        "tag",
        "-s",
        "-m",
        "Assignment",
        "churn#prod#1",
        "churn@v0.0.1^{commit}",
    ]);
    assert_eq!(gate_version(&repo, "churn#prod#1").stdout, "v0.0.1\n");
    repo.set_clock(now + 2 * 3600);
    repo.git(&[
        "tag",
        "-s",
        "-m",
        "Assignment",
        "churn#prod#2",
        "churn@v0.0.1^{commit}",
    ]);
    let run = gate_version(&repo, "churn#prod#2");
    refused(&run, "error: policy: 'churn#prod#2' is dated ");
    assert!(
        run.stderr.contains(", after now (")
            && run
                .stderr
                .contains(") by more than the 10 minutes allowed for clock skew"),
        "{}",
        run.transcript()
    );
}
