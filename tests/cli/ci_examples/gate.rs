//! The examples' gate (issue 10, point 4): a prod deploy runs only when `check-ref --policy`
//! passed. Both pipelines are played against a default branch with the README's policy (signed
//! events; only release-bot and alice may assign prod): alice's signed promotion deploys; an
//! unsigned one, one signed by bob (a known key, but not allowed for prod), and one whose own
//! commit rewrites the policy fail the check, write no outputs, and deploy nothing.

use std::path::Path;

use super::{GITHUB, Played, github_play, gitlab_pipeline, gitlab_play, load, scene};
use crate::fixture::TestRepo;
use crate::reads::ok;
use crate::signing::sh;

/// The examples' `--policy` holds the default branch's policy: a tag whose own commit drops the
/// policy (whoever pushes a tag chooses its commit) still fails the check job, and nothing is
/// handed to the deploy job.
#[test]
fn the_examples_reject_a_tag_whose_commit_drops_the_policy() {
    let (repo, _) = scene();
    repo.git(&["checkout", "-q", "-b", "evil", "main"]);
    repo.git(&["rm", "-q", ".registry.yaml"]);
    repo.write("models/churn.pkl", "other weights\n");
    repo.commit("drop the policy");
    ok(&repo, &["register", "churn"]);
    ok(&repo, &["promote", "churn", "prod"]); // v0.0.2 skips staging
    let evil = repo.git(&["tag", "-l", "churn#prod#*", "--sort=-creatordate"]);
    let evil = evil.lines().next().unwrap().to_string();
    repo.git(&["checkout", "-q", "--detach", &evil]);
    for played in both(&repo, &evil) {
        rejected(&played, "which never held staging before");
    }
}

/// The team's policy: the `.registry.yaml` block of the README's walk-through ("Gate prod on
/// signed, authorized promotions"), so a team that follows the README gets the gate played
/// here. It lets `release-bot` and alice assign prod.
fn policy() -> String {
    let readme = super::text("README.md");
    let (_, section) = readme
        .split_once("### Gate prod on signed, authorized promotions")
        .expect("the README has the walk-through");
    let (_, block) = section.split_once("```yaml\n").unwrap();
    let (block, _) = block.split_once("```").unwrap();
    // The block sits in a numbered list item, indented by three spaces.
    let mut policy = String::new();
    for line in block.lines() {
        policy.push_str(line.strip_prefix("   ").unwrap_or(line));
        policy.push('\n');
    }
    assert!(
        policy.contains("allowed_signers: .registry/allowed_signers")
            && policy.contains("assign: [release-bot, alice@example.com]"),
        "{policy}"
    );
    policy
}

/// An ed25519 key made here, in the fixture's HOME: (private key file, public key line).
fn key(repo: &TestRepo, name: &str) -> (String, String) {
    let file = repo.home().join(name).display().to_string();
    sh(
        repo,
        "ssh-keygen",
        &["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", &file],
        |_| {},
    );
    let public = std::fs::read_to_string(format!("{file}.pub")).unwrap();
    (file, public.trim().to_string())
}

/// Three versions of churn, each registered by alice (signed) and then put into prod: v0.0.1
/// signed by alice, v0.0.2 unsigned, v0.0.3 signed by bob. Then the policy and the allowed
/// signers (alice and bob) land on main, fetched as origin's, as the examples' fetches leave
/// it. Returns the repository, the three prod tags, and the allowed-signers file.
fn signed_scene() -> (TestRepo, [String; 3], std::path::PathBuf) {
    let repo = TestRepo::new();
    repo.write(
        "artifacts.yaml",
        "churn:\n  type: model\n  path: models/churn.pkl\n",
    );
    let (alice, alice_pub) = key(&repo, "alice");
    let (bob, bob_pub) = key(&repo, "bob");
    repo.git(&["config", "gpg.format", "ssh"]);
    let mut prod = Vec::new();
    // Alice's signed promotion last: the gate passes only the stage's current event, and the
    // rejected ones must fail for what they are (unsigned, not allowed), which is judged first.
    for (i, (signer, sign)) in [(&alice, "--no-sign"), (&bob, "--sign"), (&alice, "--sign")]
        .into_iter()
        .enumerate()
    {
        repo.write("models/churn.pkl", &format!("weights {i}\n"));
        repo.commit(&format!("train {i}"));
        repo.git(&["config", "user.signingKey", &alice]);
        ok(&repo, &["register", "churn", "--sign"]);
        repo.git(&["config", "user.signingKey", signer]);
        ok(&repo, &["promote", "churn", "prod", sign]);
        let tags = repo.git(&["tag", "-l", "churn#prod#*", "--sort=-creatordate"]);
        prod.push(tags.lines().next().unwrap().to_string());
    }
    let signers = format!(
        "alice@example.com namespaces=\"git\" {alice_pub}\nbob@example.com namespaces=\"git\" {bob_pub}\n"
    );
    repo.write(".registry/allowed_signers", &signers);
    repo.write(".registry.yaml", &policy());
    repo.commit("policy: signed promotions, only release-bot and alice put versions into prod");
    repo.git(&["update-ref", "refs/remotes/origin/main", "main"]);
    let allowed = repo.home().join("allowed_signers");
    std::fs::write(&allowed, signers).unwrap();
    let [unsigned, by_bob, by_alice]: [String; 3] = prod.try_into().unwrap();
    (repo, [by_alice, unsigned, by_bob], allowed)
}

/// Real git's verdict on a tag's signature, against the team's allowed signers.
fn git_verifies(repo: &TestRepo, allowed: &Path, tag: &str) -> bool {
    let file = format!("gpg.ssh.allowedSignersFile={}", allowed.display());
    repo.command(Path::new("git"), &repo.path())
        .args(["-c", &file, "verify-tag", tag])
        .output()
        .unwrap()
        .status
        .success()
}

/// Both pipelines played for a push of `tag`, in a checkout detached at it (as CI checks out).
pub(super) fn both(repo: &TestRepo, tag: &str) -> [Played; 2] {
    repo.git(&["checkout", "-q", "--detach", tag]);
    [
        github_play(&load(GITHUB), repo, tag),
        gitlab_play(&gitlab_pipeline(), repo, tag),
    ]
}

/// The check failed with `reason`, left no outputs, and no later job ran.
#[track_caller]
pub(super) fn rejected(played: &Played, reason: &str) {
    assert_eq!(played.code, Some(1), "{}{}", played.stdout, played.stderr);
    assert!(played.stderr.contains(reason), "{}", played.stderr);
    // Nothing on stdout (GitLab's one log: no check-ref sentence in it).
    if played.interleaved {
        assert!(
            !played.stdout.contains(" was assigned to version "),
            "{}",
            played.stdout
        );
    } else {
        assert!(played.stdout.is_empty(), "{}", played.stdout);
    }
    assert!(!played.wrote, "the check wrote outputs");
    assert!(played.jobs.is_empty(), "ran {:?}", played.jobs);
}

#[test]
fn only_a_prod_promotion_signed_by_an_allowed_principal_deploys() {
    let (repo, [by_alice, unsigned, by_bob], allowed) = signed_scene();
    // Both signatures are good for git itself: bob is refused by the policy, not the signature.
    assert!(git_verifies(&repo, &allowed, &by_alice));
    assert!(git_verifies(&repo, &allowed, &by_bob));
    assert!(!git_verifies(&repo, &allowed, &unsigned));

    for played in both(&repo, &by_alice) {
        assert_eq!(played.code, Some(0), "{}", played.stderr);
        assert!(played.wrote, "no outputs for the deploy job");
        assert_eq!(played.jobs, ["deploy"]);
    }
    for played in both(&repo, &unsigned) {
        rejected(&played, &format!("tag '{unsigned}' is unsigned"));
    }
    for played in both(&repo, &by_bob) {
        rejected(
            &played,
            &format!(
                "tag '{by_bob}' is signed by 'bob@example.com', who may not assign stage 'prod'"
            ),
        );
    }
}

/// The attack the trusted ref is for: bob commits a policy that lets him assign prod, and
/// promotes on that commit with a good signature. The pipelines judge by main's policy, so the
/// tag still fails, though its own commit would approve it.
#[test]
fn a_signed_tag_on_a_commit_that_rewrites_the_policy_does_not_approve_itself() {
    let (repo, _, _) = signed_scene();
    repo.git(&["checkout", "-q", "-b", "evil", "main"]);
    repo.write(
        ".registry.yaml",
        &policy().replace("alice@example.com", "bob@example.com"),
    );
    repo.write("models/churn.pkl", "bob's weights\n");
    repo.commit("let bob deploy");
    repo.git(&["config", "user.signingKey", &key_file(&repo, "bob")]);
    ok(&repo, &["register", "churn", "--sign"]);
    ok(&repo, &["promote", "churn", "prod", "--sign"]); // the work tree's policy allows it
    let evil = repo.git(&["tag", "-l", "churn#prod#*", "--sort=-creatordate"]);
    let evil = evil.lines().next().unwrap().to_string();
    // Judged by its own commit's policy, the tag would pass: that is what is at stake.
    let own = repo.run(&["check-ref", &evil, "--policy", "--policy-ref", "evil"]);
    assert_eq!(own.code, 0, "{}", own.transcript());
    for played in both(&repo, &evil) {
        rejected(
            &played,
            &format!(
                "tag '{evil}' is signed by 'bob@example.com', who may not assign stage 'prod'"
            ),
        );
    }
}

/// The private key file `key` made for `name`.
fn key_file(repo: &TestRepo, name: &str) -> String {
    repo.home().join(name).display().to_string()
}
