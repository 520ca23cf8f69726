//! `history --json` and `check-ref --json` carry a `signature` object (status, format,
//! principal, fingerprint, reason) for good, unsigned and unknown-key events, beside GTO's keys,
//! which stay as they are.

use serde_json::Value;

use super::{Key, POLICY, commit_policy, redact, signed_tag, unsigned_tag};
use crate::fixture::TestRepo;

/// GTO 1.10's keys of one `history --json` event (reference §5.5), and `signature`.
/// (`digest` is registry's, from before this issue.)
const HISTORY_KEYS: [&str; 13] = [
    "artifact",
    "author",
    "author_email",
    "commit",
    "digest",
    "event",
    "message",
    "priority",
    "ref",
    "signature",
    "stage",
    "timestamp",
    "version",
];

#[test]
fn json_reads_carry_the_signature_object_beside_gtos_keys() {
    let repo = TestRepo::new();
    let alice = Key::new(&repo, "alice", "alice@example.com");
    let mallory = Key::new(&repo, "mallory", "mallory@example.com");
    let keys = [&alice, &mallory];
    let c = commit_policy(&repo, POLICY, &alice.line(""));
    signed_tag(&repo, &repo.path(), &alice, "churn@v1.0.0", &c);
    unsigned_tag(&repo, "churn#prod#1", &c);
    signed_tag(&repo, &repo.path(), &mallory, "churn#dev#2", &c);

    let history: Value =
        serde_json::from_str(&redact(repo.run(&["history", "--json"]).ok(), &keys)).unwrap();
    let mut seen = String::new();
    for event in history.as_array().unwrap() {
        let mut names: Vec<&str> = event
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        assert_eq!(names, HISTORY_KEYS, "{event}");
        seen.push_str(&format!("{} {}\n", event["ref"], event["signature"]));
    }
    insta::assert_snapshot!(seen, @r#"
    "churn#dev#2" {"status":"unknown-key","format":"ssh","principal":null,"fingerprint":"SHA256:<mallory>..................................","reason":"no line of the allowed-signers file holds this key"}
    "churn#prod#1" {"status":"unsigned","format":null,"principal":null,"fingerprint":null,"reason":null}
    "churn@v1.0.0" {"status":"good","format":"ssh","principal":"alice@example.com","fingerprint":"SHA256:<alice>....................................","reason":null}
    "#);
    insta::assert_snapshot!(super::t(&repo, &keys, &["check-ref", "churn@v1.0.0", "--json"]), @r#"
    $ registry check-ref churn@v1.0.0 --json
    {
        "artifact": "churn",
        "created_at": "2023-11-14T22:13:28+00:00",
        "author": "Ada Tester",
        "author_email": "ada@example.com",
        "message": "churn@v1.0.0",
        "commit_hexsha": "<commit-1>..............................",
        "tag": "churn@v1.0.0",
        "version": "v1.0.0",
        "event": "registration",
        "signature": {
            "status": "good",
            "format": "ssh",
            "principal": "alice@example.com",
            "fingerprint": "SHA256:<alice>....................................",
            "reason": null
        },
        "type": null,
        "path": null,
        "description": null
    }
    [exit 0]
    "#);
    for tag in ["churn#prod#1", "churn#dev#2"] {
        let v: Value =
            serde_json::from_str(&redact(repo.run(&["check-ref", tag, "--json"]).ok(), &keys))
                .unwrap();
        let at = history
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["ref"] == tag)
            .unwrap();
        assert_eq!(v["signature"], at["signature"], "{tag}");
    }
}
