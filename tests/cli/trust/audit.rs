//! `registry audit` through the real binary: the table and `--json` over a small history of
//! good, unsigned and unknown-key events (claimed tagger against proven signer, the recorded
//! digest), the filters, the summary, and exit 1 only for a breach since the cut-over.

use super::{Key, POLICY, commit_policy, signed_tag, t, unsigned_tag};
use crate::fixture::TestRepo;

const DIGEST: &str = "sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

#[test]
fn audit_reports_claimed_and_proven_signers_verdicts_and_a_summary() {
    let repo = TestRepo::new();
    let alice = Key::new(&repo, "alice", "alice@example.com");
    let bob = Key::new(&repo, "bob", "bob@example.com");
    let mallory = Key::new(&repo, "mallory", "mallory@example.com");
    let keys = [&alice, &bob, &mallory];
    let policy = POLICY.replace("2023-11-14", "2023-11-16");
    repo.run(&[
        "annotate",
        "churn",
        "--virtual",
        "--path",
        "s3://models/churn.pkl",
    ])
    .ok();
    let signers = format!("{}{}", alice.line(""), bob.line(""));
    commit_policy(&repo, &policy, &signers);
    repo.git(&["branch", "lenient"]);
    // Before the cut-over: unsigned, grandfathered.
    unsigned_tag(&repo, "churn@v0.0.1", "HEAD");
    // After it (2023-11-16T02:00:00Z on): signed by registry, by git, and not at all.
    repo.set_clock(1_700_100_000);
    repo.commit("second model");
    bob.use_in(&repo, &repo.path());
    repo.run(&["register", "churn", "--sign", "--digest", DIGEST])
        .ok();
    alice.use_in(&repo, &repo.path());
    repo.run(&["promote", "churn", "prod", "--sign"]).ok();
    unsigned_tag(&repo, "rf@v0.0.1", "HEAD");
    signed_tag(&repo, &repo.path(), &mallory, "churn#staging#2", "HEAD");

    insta::assert_snapshot!(t(&repo, &keys, &["audit"]), @"
    $ registry audit
    timestamp                  tag              version  commit   digest               tagger (claimed)              signer (verified)                                                     signature    verdict
    2023-11-14T22:13:32+00:00  churn@v0.0.1     v0.0.1   <c1>...  -                    Ada Tester <ada@example.com>  -                                                                     unsigned     grandfathered
    2023-11-16T02:00:05+00:00  churn@v0.0.2     v0.0.2   <c2>...  sha256:001122334455  Ada Tester <ada@example.com>  bob@example.com SHA256:<bob>......................................    good         pass
    2023-11-16T02:00:08+00:00  churn#prod#1     v0.0.2   <c2>...  sha256:001122334455  Ada Tester <ada@example.com>  alice@example.com SHA256:<alice>....................................  good         pass
    2023-11-16T02:00:09+00:00  rf@v0.0.1        v0.0.1   <c2>...  -                    Ada Tester <ada@example.com>  -                                                                     unsigned     fail
    2023-11-16T02:00:10+00:00  churn#staging#2  v0.0.2   <c2>...  sha256:001122334455  Ada Tester <ada@example.com>  SHA256:<mallory>..................................                    unknown-key  fail
    rf@v0.0.1: tag 'rf@v0.0.1' is unsigned; every event tagged on or after 2023-11-16T00:00:00+00:00 must carry a good signature (signatures.required_since)
    churn#staging#2: tag 'churn#staging#2' is signed by a key no allowed signer holds: no line of the allowed-signers file holds this key; every event tagged on or after 2023-11-16T00:00:00+00:00 must carry a good signature (signatures.required_since)
    5 events: signatures 2 good, 1 unknown-key, 2 unsigned; verdicts 2 fail, 1 grandfathered, 2 pass
    --- stderr
    error: audit: 5 events: signatures 2 good, 1 unknown-key, 2 unsigned; verdicts 2 fail, 1 grandfathered, 2 pass
    hint: each failing event is listed with its reason; `registry doctor` checks the allowed-signers file and the rules
    [exit 1]
    ");
    insta::assert_snapshot!(t(&repo, &keys, &["audit", "rf", "--json"]), @r#"
    $ registry audit rf --json
    {
        "events": [
            {
                "timestamp": "2023-11-16T02:00:09+00:00",
                "tag": "rf@v0.0.1",
                "artifact": "rf",
                "event": "registration",
                "version": "v0.0.1",
                "stage": null,
                "commit": "<commit-2>..............................",
                "digest": null,
                "tagger": {
                    "name": "Ada Tester",
                    "email": "ada@example.com"
                },
                "signature": {
                    "status": "unsigned",
                    "format": null,
                    "principal": null,
                    "fingerprint": null,
                    "reason": null
                },
                "verdict": {
                    "result": "fail",
                    "rule": "unsigned",
                    "reason": "tag 'rf@v0.0.1' is unsigned; every event tagged on or after 2023-11-16T00:00:00+00:00 must carry a good signature (signatures.required_since)"
                }
            }
        ],
        "summary": {
            "events": 1,
            "signatures": {
                "unsigned": 1
            },
            "verdicts": {
                "fail": 1
            }
        }
    }
    --- stderr
    error: audit: 1 event: signatures 1 unsigned; verdicts 1 fail
    hint: each failing event is listed with its reason; `registry doctor` checks the allowed-signers file and the rules
    [exit 1]
    "#);
    let json: serde_json::Value =
        serde_json::from_str(&repo.run(&["audit", "churn", "--json"]).stdout).unwrap();
    let registration = &json["events"][1];
    assert_eq!(registration["tag"], "churn@v0.0.2", "{json}");
    assert_eq!(registration["digest"], DIGEST, "{json}");
    assert_eq!(registration["tagger"]["email"], "ada@example.com", "{json}");
    assert_eq!(
        registration["signature"]["principal"], "bob@example.com",
        "{json}"
    );
    assert_eq!(json["summary"]["events"], 4, "{json}");

    // Filters: only prod (all pass: exit 0), only since the cut-over, only one artifact.
    insta::assert_snapshot!(t(&repo, &keys, &["audit", "churn", "--stage", "prod"]), @"
    $ registry audit churn --stage prod
    timestamp                  tag           version  commit   digest               tagger (claimed)              signer (verified)                                                     signature  verdict
    2023-11-16T02:00:08+00:00  churn#prod#1  v0.0.2   <c2>...  sha256:001122334455  Ada Tester <ada@example.com>  alice@example.com SHA256:<alice>....................................  good       pass
    1 event: signatures 1 good; verdicts 1 pass
    [exit 0]
    ");
    let run = repo.run(&["audit", "--since", "2023-11-16", "--json"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let tags: Vec<&str> = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["tag"].as_str().unwrap())
        .collect();
    assert_eq!(
        tags,
        [
            "churn@v0.0.2",
            "churn#prod#1",
            "rf@v0.0.1",
            "churn#staging#2"
        ]
    );
    let run = repo.run(&["audit", "--since", "2030-01-01"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "0 events\n"),
        "{}",
        run.transcript()
    );
    let run = repo.run(&["audit", "churn", "--since", "2023-11-14"]);
    assert_eq!(run.code, 1, "{}", run.transcript()); // churn#staging#2, mallory's
    // The lenient branch's policy (no rules at all there): nothing fails.
    repo.git(&["checkout", "-q", "lenient"]);
    repo.write(".registry.yaml", "");
    repo.commit("no policy");
    repo.git(&["checkout", "-q", "main"]);
    let run = repo.run(&["audit", "--policy-ref", "lenient"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    // Grandfathered and passing events alone exit 0.
    repo.git(&["tag", "-d", "rf@v0.0.1", "churn#staging#2"]);
    let run = repo.run(&["audit"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.ends_with(
            "3 events: signatures 2 good, 1 unsigned; verdicts 1 grandfathered, 2 pass\n"
        ),
        "{}",
        run.transcript()
    );
    insta::assert_snapshot!(t(&repo, &keys, &["audit", "--since", "last tuesdayish"]), @"
    $ registry audit --since 'last tuesdayish'
    --- stderr
    error: --since 'last tuesdayish' is not a date
    hint: use a day (`2026-06-01`) or a time git reads (`2026-06-01T12:00:00+02:00`)
    [exit 1]
    ");
}
