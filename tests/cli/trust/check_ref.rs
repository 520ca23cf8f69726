//! `check-ref --policy` through the real binary: every verdict the gate gives a pushed tag, in a
//! branch checkout and in a CI clone detached at the tag; on failure exit 1 and no CI output
//! file; and the attack of a tag whose own commit rewrites the policy.

use std::path::Path;

use super::{
    Key, POLICY, clone, commit_policy, redact, run_in, sh_in, signed_tag, tamper, unsigned_tag,
};
use crate::fixture::{TestRepo, run_timed_in_with};

/// In the repository itself HEAD's branch is at the tags' commit, which is never trusted as the
/// policy's source: the gate there names the branch.
const MAIN: &[&str] = &["--policy-ref", "main"];

/// `check-ref TAG --policy [EXTRA] --format github` in `dir` with a fresh, empty $GITHUB_OUTPUT:
/// the transcript, and what the file holds afterwards.
fn gate(repo: &TestRepo, dir: &Path, keys: &[&Key], tag: &str, extra: &[&str]) -> (String, String) {
    let file = repo.home().join("github_output");
    std::fs::write(&file, "").unwrap();
    let mut args = vec!["check-ref", tag, "--policy"];
    args.extend(extra);
    args.extend(["--format", "github"]);
    let run = run_timed_in_with(repo, dir, &args, |c| {
        c.env("GITHUB_OUTPUT", &file);
    });
    let transcript = now_unshown(&super::unplace(repo, &redact(&run.transcript(), keys)));
    let written = std::fs::read_to_string(&file).unwrap();
    if run.code != 0 {
        assert_eq!(written, "", "a failing gate wrote outputs:\n{transcript}");
    }
    (transcript, written)
}

/// The clock's time in a reason (`before now 2026-12-01T13:54:51Z`) shown as `NOW`.
pub(crate) fn now_unshown(text: &str) -> String {
    match text.find("before now ") {
        Some(i) => {
            let start = i + "before now ".len();
            format!("{}NOW{}", &text[..start], &text[start + 20..])
        }
        None => text.to_string(),
    }
}

#[test]
fn check_ref_policy_gives_each_verdict_and_writes_outputs_only_on_a_pass() {
    let repo = TestRepo::new();
    let alice = Key::new(&repo, "alice", "alice@example.com");
    let bob = Key::new(&repo, "bob", "bob@example.com");
    let carol = Key::new(&repo, "carol", "carol@example.com");
    let mallory = Key::new(&repo, "mallory", "mallory@example.com");
    let signers = format!(
        "{}{}{}",
        alice.line(""),
        bob.line(""),
        carol.line("valid-before=\"20230101\"")
    );
    let c = commit_policy(&repo, POLICY, &signers);
    // A branch whose cut-over is still to come: everything is grandfathered there.
    repo.git(&["branch", "lenient"]);
    repo.git(&["checkout", "-q", "lenient"]);
    commit_policy(&repo, &POLICY.replace("2023-11-14", "2099-01-01"), &signers);
    repo.git(&["checkout", "-q", "main"]);
    let keys = [&alice, &bob, &carol, &mallory];

    signed_tag(&repo, &repo.path(), &bob, "churn@v1.0.0", &c);
    // bob's refused promotion first: the gate passes only the stage's current event.
    signed_tag(&repo, &repo.path(), &bob, "churn#prod#1", &c); // bob may not assign prod
    signed_tag(&repo, &repo.path(), &alice, "churn#prod#2", &c); // registered by bob: two people
    signed_tag(&repo, &repo.path(), &alice, "rf@v1.0.0", &c);
    signed_tag(&repo, &repo.path(), &alice, "rf#prod#1", &c); // alice registered it herself
    unsigned_tag(&repo, "churn#staging#3", &c);
    signed_tag(&repo, &repo.path(), &mallory, "churn#dev#4", &c); // no allowed signer
    signed_tag(&repo, &repo.path(), &carol, "churn#qa#5", &c); // key expired in 2023
    signed_tag(&repo, &repo.path(), &alice, "churn#canary#6", &c);
    tamper(&repo, "churn#canary#6");
    // Backdated before the cut-over: judged at now, so it is not grandfathered.
    let out = repo
        .command(Path::new("git"), &repo.path())
        .env("GIT_COMMITTER_DATE", "@1500000000 +0000")
        .args(["tag", "-a", "-m", "backdated", "churn#beta#7", &c])
        .output()
        .unwrap();
    assert!(out.status.success());
    // carol's key was retired on 2023-01-01 (valid-before): a tag she dates 2022 is still hers
    // to sign, but the gate judges the key no earlier than now, as it judges the cut-over.
    let carol_key = format!("user.signingKey={}", carol.file.display());
    let out = repo
        .command(Path::new("git"), &repo.path())
        .env("GIT_COMMITTER_DATE", "@1650000000 +0000")
        .args([
            "-c",
            "gpg.format=ssh",
            "-c",
            &carol_key,
            "tag",
            "-s",
            "-m",
            "retired",
            "xgb@v1.0.0",
            &c,
        ])
        .output()
        .unwrap();
    assert!(out.status.success());

    let here = repo.path();
    let (t, written) = gate(&repo, &here, &keys, "churn#prod#2", MAIN);
    insta::assert_snapshot!(t, @r#"
    $ registry check-ref churn#prod#2 --policy --policy-ref main --format github
    Stage "prod" was assigned to version "v1.0.0" of artifact "churn"
    --- stderr
    policy from 'main' (<c1>...)
    [exit 0]
    "#);
    assert!(written.contains("\nprod\n"), "{written}");
    let mut failures = String::new();
    for tag in [
        "churn#prod#1",
        "rf#prod#1",
        "churn#staging#3",
        "churn#dev#4",
        "churn#qa#5",
        "churn#canary#6",
        "churn#beta#7",
        "xgb@v1.0.0",
    ] {
        let (t, _) = gate(&repo, &here, &keys, tag, MAIN);
        failures.push_str(&t);
        failures.push('\n');
    }
    insta::assert_snapshot!(failures, @"
    $ registry check-ref churn#prod#1 --policy --policy-ref main --format github
    --- stderr
    policy from 'main' (<c1>...)
    error: policy: tag 'churn#prod#1' is signed by 'bob@example.com', who may not assign stage 'prod' (authorize.stages.prod.assign: alice@example.com)
    hint: have a principal the rule names make this event, signed with their key
    [exit 1]
    $ registry check-ref rf#prod#1 --policy --policy-ref main --format github
    --- stderr
    policy from 'main' (<c1>...)
    error: policy: tag 'rf#prod#1' is signed by 'alice@example.com', who also signed the registration 'rf@v1.0.0' of this version: the two-person rule of stage 'prod' (authorize.stages.prod.two_person) needs someone other than the registrant to assign it
    hint: another principal than the one who registered the version must put it into this stage
    [exit 1]
    $ registry check-ref churn#staging#3 --policy --policy-ref main --format github
    --- stderr
    policy from 'main' (<c1>...)
    error: policy: tag 'churn#staging#3' is unsigned; every event tagged on or after 2023-11-14T00:00:00+00:00 must carry a good signature (signatures.required_since)
    hint: sign registry tags with a key the allowed-signers file lists (`--sign`, git's `tag.gpgSign`, or `sign: true` in .registry.yaml); an existing tag cannot be signed afterwards: delete it and write it again signed
    [exit 1]
    $ registry check-ref churn#dev#4 --policy --policy-ref main --format github
    --- stderr
    policy from 'main' (<c1>...)
    error: policy: tag 'churn#dev#4' is signed by a key no allowed signer holds: no line of the allowed-signers file holds this key; every event tagged on or after 2023-11-14T00:00:00+00:00 must carry a good signature (signatures.required_since)
    hint: sign with a key the policy allows (the allowed-signers file, or signatures.gpg_keys for OpenPGP and X.509), or add the key there by a reviewed change to the default branch (the gate never reads the tagged commit's)
    [exit 1]
    $ registry check-ref churn#qa#5 --policy --policy-ref main --format github
    --- stderr
    policy from 'main' (<c1>...)
    error: policy: tag 'churn#qa#5' is signed by 'carol@example.com' with a key outside its validity: the key expired before the tag's date 2023-11-14T22:13:45Z: valid-before 2023-01-01T00:00:00Z (line 3); every event tagged on or after 2023-11-14T00:00:00+00:00 must carry a good signature (signatures.required_since)
    hint: the key was not valid when the tag was judged (valid-after/valid-before in the allowed-signers file; check-ref --policy and writes judge no earlier than now): sign with a key that is valid now
    [exit 1]
    $ registry check-ref churn#canary#6 --policy --policy-ref main --format github
    --- stderr
    policy from 'main' (<c1>...)
    error: policy: tag 'churn#canary#6' has a bad signature: the signature by SHA256:<alice>.................................... does not match the tag's content (cryptographic error); every event tagged on or after 2023-11-14T00:00:00+00:00 must carry a good signature (signatures.required_since)
    hint: the tag was changed after it was signed, or its signature is damaged: delete it and write it again signed
    [exit 1]
    $ registry check-ref churn#beta#7 --policy --policy-ref main --format github
    --- stderr
    policy from 'main' (<c1>...)
    error: policy: tag 'churn#beta#7' is unsigned; every event tagged on or after 2023-11-14T00:00:00+00:00 must carry a good signature (signatures.required_since) (the tag's date 2017-07-14T02:40:00+00:00 is before the cut-over, but a tagger date is whatever the pusher typed, so check-ref judges a pushed tag no earlier than now)
    hint: sign registry tags with a key the allowed-signers file lists (`--sign`, git's `tag.gpgSign`, or `sign: true` in .registry.yaml); an existing tag cannot be signed afterwards: delete it and write it again signed
    [exit 1]
    $ registry check-ref xgb@v1.0.0 --policy --policy-ref main --format github
    --- stderr
    policy from 'main' (<c1>...)
    error: policy: tag 'xgb@v1.0.0' is signed by 'carol@example.com' with a key outside its validity: the key expired before now NOW: valid-before 2023-01-01T00:00:00Z (line 3) (judged no earlier than now: the tag's date 2022-04-15T05:20:00+00:00 is whatever the pusher typed); every event tagged on or after 2023-11-14T00:00:00+00:00 must carry a good signature (signatures.required_since) (the tag's date 2022-04-15T05:20:00+00:00 is before the cut-over, but a tagger date is whatever the pusher typed, so check-ref judges a pushed tag no earlier than now)
    hint: the key was not valid when the tag was judged (valid-after/valid-before in the allowed-signers file; check-ref --policy and writes judge no earlier than now): sign with a key that is valid now
    [exit 1]
    ");
    // Before the cut-over (the lenient branch's), an unsigned event is grandfathered.
    let (t, _) = gate(
        &repo,
        &here,
        &keys,
        "churn#staging#3",
        &["--policy-ref", "lenient"],
    );
    insta::assert_snapshot!(t, @r#"
    $ registry check-ref churn#staging#3 --policy --policy-ref lenient --format github
    Stage "staging" was assigned to version "v1.0.0" of artifact "churn"
    --- stderr
    policy from 'lenient' (<c2>...)
    [exit 0]
    "#);
    // audit judges each event at its own date: the backdated tag is grandfathered there.
    let run = run_in(&repo, &here, &keys, &["audit", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let beta = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["tag"] == "churn#beta#7")
        .unwrap();
    assert_eq!(beta["verdict"]["result"], "grandfathered", "{beta}");

    // CI: a clone detached at the tag, the policy from origin's default branch.
    let ci = clone(&repo, "ci");
    sh_in(
        &repo,
        &ci,
        "git",
        &["checkout", "-q", "--detach", "churn#prod#2"],
    );
    for extra in [&[][..], &["--policy-ref", "origin/main"]] {
        let (t, written) = gate(&repo, &ci, &keys, "churn#prod#2", extra);
        assert!(t.ends_with("[exit 0]"), "{t}");
        assert!(written.contains("\nchurn\n"), "{written}");
        let (t, _) = gate(&repo, &ci, &keys, "churn#prod#1", extra);
        assert!(
            t.contains("who may not assign stage 'prod'") && t.ends_with("[exit 1]"),
            "{t}"
        );
    }
    // GitLab: a failure creates no dotenv file.
    let run = run_in(
        &repo,
        &ci,
        &keys,
        &["check-ref", "churn#dev#4", "--policy", "--format", "gitlab"],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(!ci.join("registry.env").exists());
    run_in(
        &repo,
        &ci,
        &keys,
        &[
            "check-ref",
            "churn#prod#2",
            "--policy",
            "--format",
            "gitlab",
        ],
    )
    .ok();
    assert!(ci.join("registry.env").exists());
}

#[test]
fn a_tag_whose_commit_rewrites_the_policy_cannot_approve_itself() {
    let repo = TestRepo::new();
    let alice = Key::new(&repo, "alice", "alice@example.com");
    let mallory = Key::new(&repo, "mallory", "mallory@evil.example");
    let keys = [&alice, &mallory];
    let c = commit_policy(&repo, POLICY, &alice.line(""));
    signed_tag(&repo, &repo.path(), &alice, "churn@v1.0.0", &c);
    // The attacker's branch: their key allowed, the prod rule gone.
    repo.git(&["checkout", "-q", "-b", "attack"]);
    let evil = commit_policy(
        &repo,
        "signatures:\n  allowed_signers: .registry/allowed_signers\n  required_since: 2023-11-14\n",
        &format!("{}{}", alice.line(""), mallory.line("")),
    );
    signed_tag(&repo, &repo.path(), &mallory, "churn#prod#1", &evil);
    repo.git(&["checkout", "-q", "main"]);
    let ci = clone(&repo, "ci");
    sh_in(
        &repo,
        &ci,
        "git",
        &["checkout", "-q", "--detach", "churn#prod#1"],
    );
    let mut seen = String::new();
    for extra in [&[][..], &["--policy-ref", "origin/main"]] {
        let (t, _) = gate(&repo, &ci, &keys, "churn#prod#1", extra);
        seen.push_str(&t);
        seen.push('\n');
    }
    let run = run_in(&repo, &ci, &keys, &["audit", "churn", "--stage", "prod"]);
    seen.push_str(&run.transcript());
    insta::assert_snapshot!(seen, @"
    $ registry check-ref churn#prod#1 --policy --format github
    --- stderr
    policy from 'origin/main' (<c1>...)
    error: policy: tag 'churn#prod#1' is signed by a key no allowed signer holds: no line of the allowed-signers file holds this key; every event tagged on or after 2023-11-14T00:00:00+00:00 must carry a good signature (signatures.required_since); a signature that is not good proves no principal, and authorize.stages.prod.assign names who may assign stage 'prod'
    hint: sign with a key the policy allows (the allowed-signers file, or signatures.gpg_keys for OpenPGP and X.509), or add the key there by a reviewed change to the default branch (the gate never reads the tagged commit's)
    [exit 1]
    $ registry check-ref churn#prod#1 --policy --policy-ref origin/main --format github
    --- stderr
    policy from 'origin/main' (<c1>...)
    error: policy: tag 'churn#prod#1' is signed by a key no allowed signer holds: no line of the allowed-signers file holds this key; every event tagged on or after 2023-11-14T00:00:00+00:00 must carry a good signature (signatures.required_since); a signature that is not good proves no principal, and authorize.stages.prod.assign names who may assign stage 'prod'
    hint: sign with a key the policy allows (the allowed-signers file, or signatures.gpg_keys for OpenPGP and X.509), or add the key there by a reviewed change to the default branch (the gate never reads the tagged commit's)
    [exit 1]
    $ registry audit churn --stage prod
    timestamp                  tag           version                                   commit   digest  tagger (claimed)              signer (verified)                                   signature    verdict
    2023-11-14T22:13:33+00:00  churn#prod#1  <commit-2>..............................  <c2>...  -       Ada Tester <ada@example.com>  SHA256:<mallory>..................................  unknown-key  fail
    churn#prod#1: tag 'churn#prod#1' is signed by a key no allowed signer holds: no line of the allowed-signers file holds this key; every event tagged on or after 2023-11-14T00:00:00+00:00 must carry a good signature (signatures.required_since); a signature that is not good proves no principal, and authorize.stages.prod.assign names who may assign stage 'prod'
    1 event: signatures 1 unknown-key; verdicts 1 fail
    --- stderr
    error: audit: 1 event: signatures 1 unknown-key; verdicts 1 fail
    hint: each failing event is listed with its reason; `registry doctor` checks the allowed-signers file and the rules
    [exit 1]
    ");
    // Without origin/HEAD (actions/checkout sets none) there is no trusted ref: the JSON reads
    // do not vouch for a key that only the tag's own commit allows.
    sh_in(&repo, &ci, "git", &["remote", "set-head", "origin", "-d"]);
    let run = run_in(&repo, &ci, &keys, &["check-ref", "churn#prod#1", "--json"]);
    let v: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    insta::assert_snapshot!(v["signature"].to_string(), @r#"{"status":"unverifiable","format":"ssh","principal":null,"fingerprint":null,"reason":"the checked-out commit's allowed-signers file is not trusted, and registry found no branch to read the policy from: HEAD is detached (as in a CI checkout of the tag), and origin's default branch is not known (no origin/HEAD as `git clone` sets it); the tag's own commit is not trusted, since whoever pushes the tag chooses what it holds"}"#);
    sh_in(&repo, &ci, "git", &["remote", "set-head", "origin", "main"]);
    // The control: once the default branch itself carries the new policy, the tag passes.
    repo.git(&["merge", "-q", "--ff-only", "attack"]);
    sh_in(&repo, &ci, "git", &["fetch", "-q", "origin"]);
    let (t, written) = gate(&repo, &ci, &keys, "churn#prod#1", &[]);
    assert!(t.ends_with("[exit 0]"), "{t}");
    assert!(written.contains("\nprod\n"), "{written}");
}

#[test]
fn an_openpgp_signed_promotion_is_judged_by_its_pinned_identity() {
    use crate::signed_reads::{Sig, Signers};
    let repo = TestRepo::new();
    let bob = Key::new(&repo, "bob", "bob@example.com");
    let keys = [&bob];
    let policy = POLICY.replace(
        "[alice@example.com]",
        "[alice@example.com, bob@example.com]",
    );
    let c = commit_policy(&repo, &policy, &bob.line(""));
    let pgp = Signers::new(&repo);
    signed_tag(&repo, &repo.path(), &bob, "churn@v1.0.0", &c);
    pgp.tag(Sig::OpenPgp, "churn#prod#1", "churn#prod#1", &c);
    pgp.tag(Sig::OpenPgp, "churn#staging#2", "churn#staging#2", &c);
    let here = repo.path();
    // Unpinned, the key proves no one under the policy: its user ID says alice, but anyone can
    // make a key that says so, and the runner's keyring is no part of the trusted branch.
    let (t, _) = gate(&repo, &here, &keys, "churn#prod#1", MAIN);
    assert!(
        t.contains("[exit 1]") && t.contains("pins no openpgp key"),
        "{t}"
    );
    // Pinned on the default branch (the fingerprint git's VALIDSIG names), it proves alice.
    let fingerprint = super::validsig(&repo, "churn#prod#1");
    let pinned = policy.replace(
        "  required_since:",
        &format!("  gpg_keys:\n    alice@example.com: [{fingerprint}]\n  required_since:"),
    );
    commit_policy(&repo, &pinned, &bob.line(""));
    let (t, _) = gate(&repo, &here, &keys, "churn#prod#1", MAIN);
    let (t2, _) = gate(&repo, &here, &keys, "churn#staging#2", MAIN);
    let v: serde_json::Value =
        serde_json::from_str(repo.run(&["check-ref", "churn#prod#1", "--json"]).ok()).unwrap();
    assert_eq!(v["signature"]["format"], "openpgp", "{v}");
    assert_eq!(v["signature"]["principal"], "alice@example.com", "{v}");
    insta::assert_snapshot!(format!("{t}\n{t2}"), @r#"
    $ registry check-ref churn#prod#1 --policy --policy-ref main --format github
    Stage "prod" was assigned to version "v1.0.0" of artifact "churn"
    --- stderr
    policy from 'main' (<c2>...)
    [exit 0]
    $ registry check-ref churn#staging#2 --policy --policy-ref main --format github
    Stage "staging" was assigned to version "v1.0.0" of artifact "churn"
    --- stderr
    policy from 'main' (<c2>...)
    [exit 0]
    "#);
}
