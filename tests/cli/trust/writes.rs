//! Local writes under a cut-over policy: what the gate would reject is refused with the reason
//! and creates no tag, here or on the remote, `--force` or not; signed by an allowed principal
//! (from a key file, or held by an agent) they pass, and the gate passes them too.

use std::path::Path;

use super::check_ref::now_unshown;
use super::{Key, POLICY, commit_policy, sh_in, t};
use crate::fixture::TestRepo;
use crate::signing::Agent;

#[test]
fn writes_the_policy_rejects_are_refused_and_leave_no_tag_anywhere() {
    let repo = TestRepo::new();
    let (alice, bob) = alice_and_bob(&repo);
    let keys = [&alice, &bob];
    let remote = repo.path().parent().unwrap().join("remote.git");
    sh_in(
        &repo,
        &repo.home(),
        "git",
        &["init", "-q", "--bare", remote.to_str().unwrap()],
    );
    repo.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main"]);
    let remote_tags = || sh_in(&repo, &remote, "git", &["tag", "-l"]);

    let mut seen = String::new();
    for args in [
        &["register", "churn"][..],
        &["register", "churn", "--force"],
    ] {
        seen.push_str(&t(&repo, &keys, args));
        seen.push('\n');
    }
    assert_eq!(repo.git(&["tag", "-l"]), "");
    bob.use_in(&repo, &repo.path());
    repo.run(&["register", "churn", "--sign"]).ok();
    // bob may not assign prod: refused before anything is pushed.
    for force in [&[][..], &["--force"]] {
        let mut args = vec![
            "assign",
            "churn",
            "--stage",
            "prod",
            "--version",
            "v0.0.1",
            "--sign",
            "--push",
        ];
        args.extend(force);
        seen.push_str(&t(&repo, &keys, &args));
        seen.push('\n');
    }
    insta::assert_snapshot!(seen, @"
    $ registry register churn
    --- stderr
    error: policy: tag 'churn@v0.0.1' is unsigned; every event tagged on or after 2023-11-14T00:00:00+00:00 must carry a good signature (signatures.required_since); no tag was created
    hint: sign registry tags with a key the allowed-signers file lists (`--sign`, git's `tag.gpgSign`, or `sign: true` in .registry.yaml); an existing tag cannot be signed afterwards: delete it and write it again signed
    [exit 1]
    $ registry register churn --force
    --- stderr
    error: policy: tag 'churn@v0.0.1' is unsigned; every event tagged on or after 2023-11-14T00:00:00+00:00 must carry a good signature (signatures.required_since); no tag was created
    hint: sign registry tags with a key the allowed-signers file lists (`--sign`, git's `tag.gpgSign`, or `sign: true` in .registry.yaml); an existing tag cannot be signed afterwards: delete it and write it again signed
    [exit 1]
    $ registry assign churn --stage prod --version v0.0.1 --sign --push
    --- stderr
    error: policy: tag 'churn#prod#1' is signed by 'bob@example.com', who may not assign stage 'prod' (authorize.stages.prod.assign: alice@example.com); no tag was created
    hint: have a principal the rule names make this event, signed with their key
    [exit 1]
    $ registry assign churn --stage prod --version v0.0.1 --sign --push --force
    --- stderr
    error: policy: tag 'churn#prod#1' is signed by 'bob@example.com', who may not assign stage 'prod' (authorize.stages.prod.assign: alice@example.com); no tag was created
    hint: have a principal the rule names make this event, signed with their key
    [exit 1]
    ");
    assert_eq!(repo.git(&["tag", "-l"]), "churn@v0.0.1");
    assert_eq!(remote_tags(), "");
    // alice may.
    alice.use_in(&repo, &repo.path());
    repo.run(&[
        "assign",
        "churn",
        "--stage",
        "prod",
        "--version",
        "v0.0.1",
        "--sign",
        "--push",
    ])
    .ok();
    assert_eq!(remote_tags(), "churn#prod#1");
}

#[test]
fn a_write_is_judged_as_the_gate_will_judge_it() {
    let repo = TestRepo::new();
    let alice = Key::new(&repo, "alice", "alice@example.com");
    let carol = Key::new(&repo, "carol", "carol@example.com");
    let keys = [&alice, &carol];
    let signers = format!(
        "{}{}",
        alice.line(""),
        carol.line("valid-before=\"20230101\"")
    );
    commit_policy(&repo, POLICY, &signers);
    // One command that registers and assigns prod: one signer for both, so the two-person
    // rule fails, and the reason names the registration being written.
    alice.use_in(&repo, &repo.path());
    let mut seen = t(
        &repo,
        &keys,
        &["assign", "churn", "HEAD", "--stage", "prod", "--sign"],
    );
    seen.push('\n');
    // A retired key, its tag dated back into the key's validity: the gate would refuse it.
    carol.use_in(&repo, &repo.path());
    let run = repo.run_with(&["register", "rf", "--sign"], |c| {
        c.env("GIT_COMMITTER_DATE", "@1650000000 +0000");
    });
    seen.push_str(&now_unshown(&super::unplace(
        &repo,
        &super::redact(&run.transcript(), &keys),
    )));
    insta::assert_snapshot!(seen, @"
    $ registry assign churn HEAD --stage prod --sign
    --- stderr
    error: policy: tag 'churn#prod#1' is signed by 'alice@example.com', who also signed the registration 'churn@v0.0.1' of this version: the two-person rule of stage 'prod' (authorize.stages.prod.two_person) needs someone other than the registrant to assign it; no tag was created
    hint: another principal than the one who registered the version must put it into this stage
    [exit 1]
    $ registry register rf --sign
    --- stderr
    error: policy: tag 'rf@v0.0.1' is signed by 'carol@example.com' with a key outside its validity: the key expired before now NOW: valid-before 2023-01-01T00:00:00Z (line 2) (judged no earlier than now: the tag's date 2022-04-15T05:20:00+00:00 is whatever the pusher typed); every event tagged on or after 2023-11-14T00:00:00+00:00 must carry a good signature (signatures.required_since); no tag was created
    hint: the key was not valid when the tag was judged (valid-after/valid-before in the allowed-signers file; check-ref --policy and writes judge no earlier than now): sign with a key that is valid now
    [exit 1]
    ");
    assert_eq!(repo.git(&["tag", "-l"]), "");
}

#[test]
fn an_agent_held_key_signs_a_prod_promotion_the_gate_passes() {
    let repo = TestRepo::new();
    let (alice, bob) = alice_and_bob(&repo);
    let keys = [&alice, &bob];
    bob.use_in(&repo, &repo.path());
    repo.run(&["register", "churn", "--sign"]).ok();
    let agent = Agent::start(&repo);
    sh_in_agent(
        &repo,
        &agent,
        &["ssh-add", "-q", alice.file.to_str().unwrap()],
    );
    std::fs::remove_file(&alice.file).unwrap();
    repo.git(&[
        "config",
        "user.signingKey",
        &format!("key::{}", alice.public),
    ]);
    repo.run_with(&["promote", "churn", "prod", "--sign"], agent.env())
        .ok();
    drop(agent);
    let file = repo.home().join("github_output");
    std::fs::write(&file, "").unwrap();
    let run = repo.run_with(
        &[
            "check-ref",
            "churn#prod#1",
            "--policy",
            "--policy-ref",
            "main",
            "--format",
            "github",
        ],
        |c| {
            c.env("GITHUB_OUTPUT", &file);
        },
    );
    insta::assert_snapshot!(super::unplace(&repo, &super::redact(&run.transcript(), &keys)), @r#"
    $ registry check-ref 'churn#prod#1' --policy --policy-ref main --format github
    Stage "prod" was assigned to version "v0.0.1" of artifact "churn"
    --- stderr
    policy from 'main' (<c1>...)
    [exit 0]
    "#);
    assert!(std::fs::read_to_string(&file).unwrap().contains("\nprod\n"));
}

/// A program run with the agent's socket.
fn sh_in_agent(repo: &TestRepo, agent: &Agent, args: &[&str]) {
    let mut cmd = repo.command(Path::new(args[0]), &repo.path());
    agent.env()(&mut cmd);
    let out = cmd.args(&args[1..]).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Alice's and Bob's keys, both in the allowed-signers file of the committed policy.
fn alice_and_bob(repo: &TestRepo) -> (Key, Key) {
    let alice = Key::new(repo, "alice", "alice@example.com");
    let bob = Key::new(repo, "bob", "bob@example.com");
    commit_policy(repo, POLICY, &format!("{}{}", alice.line(""), bob.line("")));
    (alice, bob)
}
