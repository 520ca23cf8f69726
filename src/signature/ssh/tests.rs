//! `verify` against the real programs, plain keys: for every case `git verify-tag` with the same
//! allowed-signers file is the oracle (good ⇔ git exits 0), see `lab.rs`.

use super::lab::{AT, Lab, good};
use super::verify;
use crate::registry::signature::{SigStatus, split};
use crate::signature::allowed_signers::AllowedSigners;

#[test]
fn good_bad_and_unknown_agree_with_git() {
    let lab = Lab::new();
    let alice = lab.key("alice", "ed25519");
    let bob = lab.key("bob", "ed25519");
    lab.tag("v1", "alice");
    let fp = lab.fingerprint("alice.pub");
    assert!(fp.starts_with("SHA256:"));

    let ours = lab.expect(
        "v1",
        &format!("alice@example.com {alice}\n"),
        "alice@example.com",
        "good",
    );
    assert_eq!(ours, good("alice@example.com", &fp));

    // Unknown: only bob's key is allowed.
    let ours = lab.expect(
        "v1",
        &format!("bob@example.com {bob}\n"),
        "alice@example.com",
        "unknown-key",
    );
    assert_eq!(ours.fingerprint(), Some(fp.as_str()));
    assert!(ours.reason().unwrap().contains("no line"), "{ours:?}");

    // The key is there, but not for git's namespace.
    let ours = lab.expect(
        "v1",
        &format!("alice@example.com namespaces=\"file\" {alice}\n"),
        "alice@example.com",
        "unknown-key",
    );
    assert!(
        ours.reason().unwrap().contains("namespaces=\"file\""),
        "{ours:?}"
    );
    lab.expect(
        "v1",
        &format!("alice@example.com namespaces=\"file,g*\" {alice}\n"),
        "alice@example.com",
        "good",
    );

    // Bad: the tag's content altered by one byte, its signature kept.
    let mut object = lab.object("v1");
    let at = object.windows(8).position(|w| w == b"registry").unwrap();
    object[at] = b'R';
    lab.tag_object("tampered", &object);
    let ours = lab.expect(
        "tampered",
        &format!("alice@example.com {alice}\n"),
        "alice@example.com",
        "bad",
    );
    assert!(
        ours.reason()
            .unwrap()
            .contains("does not match the tag's content"),
        "{ours:?}"
    );
}

#[test]
fn a_signature_for_another_namespace_is_bad() {
    let lab = Lab::new();
    let alice = lab.key("alice", "ed25519");
    lab.tag("v1", "alice");
    let payload = split(&lab.object("v1")).unwrap().payload;
    let mut object = payload.clone();
    object.extend(lab.sign("alice", "file", &payload));
    lab.tag_object("other-ns", &object);
    let ours = lab.expect(
        "other-ns",
        &format!("alice@example.com {alice}\n"),
        "alice@example.com",
        "bad",
    );
    assert!(
        ours.reason().unwrap().contains("namespace \"file\""),
        "{ours:?}"
    );
    // The same bytes signed for git are good: the namespace alone made it bad.
    let mut object = payload.clone();
    object.extend(lab.sign("alice", "git", &payload));
    lab.tag_object("git-ns", &object);
    lab.expect(
        "git-ns",
        &format!("alice@example.com {alice}\n"),
        "alice@example.com",
        "good",
    );
}

#[test]
fn validity_is_judged_at_the_tag_date() {
    let lab = Lab::new();
    let alice = lab.key("alice", "ed25519");
    lab.tag("v1", "alice");
    let line = |opts: &str| format!("alice@example.com {opts} {alice}\n");

    let ours = lab.expect(
        "v1",
        &line("valid-before=\"20251231\""),
        "alice@example.com",
        "expired",
    );
    assert_eq!(ours.principal(), None);
    let reason = ours.reason().unwrap();
    assert!(
        reason.contains("valid-before 2025-12-31T00:00:00Z")
            && reason.contains("2026-01-01T00:00:00Z"),
        "{reason}"
    );
    assert!(
        matches!(&ours, SigStatus::Expired { principal, .. } if principal == "alice@example.com")
    );

    let ours = lab.expect(
        "v1",
        &line("valid-after=\"20260102\""),
        "alice@example.com",
        "expired",
    );
    assert!(ours.reason().unwrap().contains("not yet valid"), "{ours:?}");

    lab.expect(
        "v1",
        &line("valid-after=\"20251231\",valid-before=\"20260102Z\""),
        "alice@example.com",
        "good",
    );
    // The bounds are inclusive, as in OpenSSH.
    lab.expect(
        "v1",
        &line("valid-after=\"20260101\""),
        "alice@example.com",
        "good",
    );
    lab.expect(
        "v1",
        &line("valid-before=\"20260101000000\""),
        "alice@example.com",
        "good",
    );
    // An expired line and a valid one for the same key: the valid one counts.
    let both = format!(
        "{}{}",
        line("valid-before=\"20251231\""),
        line("valid-after=\"20251231\"")
    );
    lab.expect("v1", &both, "alice@example.com", "good");
}

#[test]
fn principals_come_from_the_line_never_from_a_claim_a_pattern_accepts() {
    let lab = Lab::new();
    let alice = lab.key("alice", "ed25519");
    lab.tag("v1", "alice");
    let fp = lab.fingerprint("alice.pub");

    let ours = lab.expect(
        "v1",
        &format!("*@example.com,!mallory@example.com {alice}\n"),
        "alice@example.com",
        "good",
    );
    // The pattern itself, as git reports it: a key on a pattern line never proves a name the
    // policy lists (it would be whoever it claimed to be).
    assert_eq!(ours, good("*@example.com,!mallory@example.com", &fp));
    // A negated pattern that matches proves no one (git agrees: its principal is refused too).
    let (ours, _) = lab.judge(
        "v1",
        &format!("*@example.com,!mallory@example.com {alice}\n"),
        "mallory@example.com",
    );
    assert_eq!(ours.word(), "unknown-key", "{ours:?}");
    // Our choice, not git's: a pattern line proves only a claim it accepts. git would accept
    // the tag with the pattern itself as the principal.
    let (ours, git) = lab.judge(
        "v1",
        &format!("*@example.com {alice}\n"),
        "alice@elsewhere.org",
    );
    assert_eq!(ours.word(), "unknown-key");
    assert!(
        ours.reason()
            .unwrap()
            .contains("does not match the principals \"*@example.com\""),
        "{ours:?}"
    );
    assert!(git, "git accepts any claim for a pattern line");

    // Several names: the claimed one if listed, else the whole field; several lines: the one
    // that lists the claim, then a one-name line, then the rest.
    let ours = lab.expect(
        "v1",
        &format!("release-bot,alice@example.com {alice}\n"),
        "alice@example.com",
        "good",
    );
    assert_eq!(ours.principal(), Some("alice@example.com"));
    let ours = lab.expect(
        "v1",
        &format!("release-bot,alice@example.com {alice}\n"),
        "eve@example.com",
        "good",
    );
    assert_eq!(ours.principal(), Some("release-bot,alice@example.com"));
    let lines = format!("ci {alice}\n*@example.com {alice}\nalice@example.com {alice}\n");
    let ours = lab.expect("v1", &lines, "alice@example.com", "good");
    assert_eq!(ours.principal(), Some("alice@example.com"));
    let ours = lab.expect("v1", &lines, "bob@example.com", "good");
    assert_eq!(ours.principal(), Some("ci"));
    let ours = lab.expect("v1", &lines, "eve@elsewhere.org", "good");
    assert_eq!(ours.principal(), Some("ci"));
}

#[test]
fn ecdsa_and_rsa_keys_verify_too() {
    let lab = Lab::new();
    for (name, kind) in [("ecdsa", "ecdsa"), ("rsa", "rsa")] {
        let key = lab.key(name, kind);
        lab.tag(name, name);
        let ours = lab.expect(
            name,
            &format!("alice@example.com {key}\n"),
            "alice@example.com",
            "good",
        );
        assert_eq!(
            ours,
            good(
                "alice@example.com",
                &lab.fingerprint(&format!("{name}.pub"))
            )
        );
    }
}

#[test]
fn a_key_type_we_cannot_check_is_unverifiable_not_bad() {
    let lab = Lab::new();
    let key = lab.key("p521", "ecdsa-521");
    lab.tag("v1", "p521");
    let (ours, git) = lab.judge(
        "v1",
        &format!("alice@example.com {key}\n"),
        "alice@example.com",
    );
    assert_eq!(ours.word(), "unverifiable", "{ours:?}");
    assert!(ours.reason().unwrap().contains("not supported"), "{ours:?}");
    assert!(
        git,
        "ssh-keygen checks NIST P-521; we say we could not, never good"
    );
}

#[test]
fn malformed_blocks_are_bad_and_say_so() {
    let (signers, _) = AllowedSigners::parse("");
    for block in [
        &b""[..],
        b"-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n",
        b"-----BEGIN SSH SIGNATURE-----\n!!\n-----END SSH SIGNATURE-----\n",
    ] {
        let ours = verify(&signers, b"payload", block, "a@b", AT);
        assert_eq!(ours.word(), "bad");
        assert!(
            ours.reason()
                .unwrap()
                .starts_with("the SSH signature does not parse"),
            "{ours:?}"
        );
    }
}

/// The speed `audit` needs: 20,000 ed25519 checks on 2 threads. Run it optimized:
/// `cargo test --release --lib ssh::tests::speed -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, meaningful in a release build only"]
#[allow(
    clippy::print_stderr,
    reason = "the measurement is for the person who runs it"
)]
fn speed() {
    let lab = Lab::new();
    let alice = lab.key("alice", "ed25519");
    lab.tag("v1", "alice");
    let mut allowed = String::new();
    for i in 0..200 {
        allowed.push_str(&format!(
            "user{i}@example.com {}\n",
            lab.key(&format!("k{i}"), "ed25519")
        ));
    }
    allowed.push_str(&format!("alice@example.com {alice}\n"));
    let (signers, _) = AllowedSigners::parse(&allowed);
    let signed = split(&lab.object("v1")).unwrap();
    let start = std::time::Instant::now();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..10_000 {
                    let v = verify(
                        &signers,
                        &signed.payload,
                        &signed.signature,
                        "alice@example.com",
                        AT,
                    );
                    assert_eq!(v.word(), "good");
                }
            });
        }
    });
    let elapsed = start.elapsed();
    eprintln!("20,000 verifications on 2 threads: {elapsed:?}");
}
