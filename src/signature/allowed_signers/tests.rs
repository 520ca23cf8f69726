//! The allowed-signers parser: every option, comments, quoting, and each malformed line named by
//! its number and field while the good lines still count.

use proptest::prelude::*;
use ssh_key::PublicKey;

use super::*;

const A: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDrvfOY7OZhfPeG3XN1SLEQ4Pe01Fg4fawPRqchRSkpb";
const A_FP: &str = "SHA256:c7tybpbsfDM76vy8XuXFi+OPJvhLWil+HNyKZDW538Y";
const B: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBYbLu9kIYj+tW8/fezYL/w3EylkFivfPR/XVmuM4tSp";
const C: &str = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBMlF6NpF9xEb4tDZ8mBgHUto6jDQ5GRNwC+DerB4QNH6pBjwPWSvO2VwPQD8qRr6wUWt2/32lKSCUjZlnrUiR4U=";

fn wire(key: &str) -> Vec<u8> {
    PublicKey::from_openssh(key).unwrap().to_bytes().unwrap()
}

fn parse_ok(text: &str) -> AllowedSigners {
    let (signers, errors) = AllowedSigners::parse(text);
    assert_eq!(errors, [], "{text}");
    signers
}

fn one(text: &str) -> Entry {
    let signers = parse_ok(text);
    assert_eq!(signers.entries.len(), 1, "{text}");
    signers.entries[0].clone()
}

/// The one error of a one-line file.
fn error(line: &str) -> String {
    let (signers, errors) = AllowedSigners::parse(line);
    assert!(signers.is_empty(), "{line}");
    assert_eq!(errors.len(), 1, "{line}: {errors:?}");
    assert_eq!(errors[0].line, 1);
    errors[0].message.clone()
}

#[test]
fn a_plain_line_holds_principals_and_key() {
    let e = one(&format!("alice@example.com {A} alice's laptop"));
    assert_eq!(e.line, 1);
    assert_eq!(e.principals, "alice@example.com");
    assert_eq!(e.fingerprint, A_FP);
    assert!(!e.cert_authority);
    assert_eq!(
        (e.namespaces, e.valid_after, e.valid_before),
        (None, None, None)
    );
}

#[test]
fn comments_blank_lines_and_line_endings_are_skipped() {
    let text = format!(
        "# team keys\n\n   \t\n  # indented comment\r\nalice {A}\r\n\tbob,carol {B} # trailing\n"
    );
    let signers = parse_ok(&text);
    let lines: Vec<usize> = signers.entries.iter().map(|e| e.line).collect();
    assert_eq!(lines, [5, 6]);
    assert_eq!(signers.principals(), ["alice", "bob", "carol"]);
    assert!(!signers.is_empty());
    assert!(parse_ok("").is_empty());
    assert!(parse_ok("# nothing\n\n").is_empty());
}

#[test]
fn every_option_is_read() {
    let e = one(&format!(
        "alice namespaces=\"git,file\",valid-after=\"20260101\",valid-before=\"20270102030405Z\" {A}"
    ));
    assert_eq!(e.namespaces.as_deref(), Some("git,file"));
    assert_eq!(e.valid_after, Some(1_767_225_600)); // 2026-01-01T00:00:00Z
    assert_eq!(e.valid_before, Some(1_798_848_000 + 3 * 3600 + 4 * 60 + 5)); // 2027-01-02T03:04:05Z
    assert!(e.allows_namespace("git") && e.allows_namespace("file"));
    assert!(!e.allows_namespace("other"));
    assert!(one(&format!("alice {A}")).allows_namespace("anything"));

    let ca = one(&format!("*@example.com cert-authority {C}"));
    assert!(ca.cert_authority);
    // Option names in any case, as OpenSSH's strncasecmp; empty items between commas are skipped.
    let e = one(&format!(
        "alice CERT-AUTHORITY,,Valid-After=\"202601011230UTC\" {A}"
    ));
    assert!(e.cert_authority);
    assert_eq!(e.valid_after, Some(1_767_225_600 + 12 * 3600 + 30 * 60));
    // A time without Z is read as UTC too (see the module comment).
    let e = one(&format!("alice valid-before=\"20260101\" {A}"));
    assert_eq!(e.valid_before, Some(1_767_225_600));
}

#[test]
fn quoted_values_may_hold_spaces_commas_and_quotes() {
    let e = one(&format!("\"alice smith,bob\" namespaces=\"git, file\" {A}"));
    assert_eq!(e.principals, "alice smith,bob");
    assert_eq!(e.namespaces.as_deref(), Some("git, file"));
    assert!(e.allows_namespace(" file") && !e.allows_namespace("file"));
    let e = one(&format!("x namespaces=\"a\\\"b\" {A}"));
    assert_eq!(e.namespaces.as_deref(), Some("a\"b"));
}

#[test]
fn malformed_lines_name_the_line_and_the_field() {
    let cases: &[(String, &str)] = &[
        ("alice".into(), "no key after the principals \"alice\""),
        ("alice ssh-ed25519".into(), "no base64 data"),
        (
            "alice ssh-ed25519 AAAAnotakey".into(),
            "\"AAAAnotakey\" does not read",
        ),
        (format!("alice foo=\"x\" {A}"), "unknown option \"foo\""),
        (
            format!("alice cert-authorityX {A}"),
            "unknown option \"cert-authorityX\"",
        ),
        (
            format!("alice valid-after=20260101 {A}"),
            "valid-after: the value \"20260101\" must be in double quotes",
        ),
        (
            format!("alice valid-after=\"2026\" {A}"),
            "valid-after=\"2026\": not a time",
        ),
        (
            format!("alice valid-before=\"20260231\" {A}"),
            "valid-before=\"20260231\": no such date",
        ),
        (format!("alice valid-after=\"19700101\" {A}"), "after 1970"),
        (
            format!("alice valid-after=\"20260102\",valid-before=\"20260101\" {A}"),
            "valid-before is not later than valid-after",
        ),
        (
            format!("alice namespaces=\"git\",namespaces=\"file\" {A}"),
            "namespaces is given twice",
        ),
        (
            format!("alice valid-after=\"20260101\",valid-after=\"20260101\" {A}"),
            "valid-after is given twice",
        ),
        (
            format!("alice namespaces=\"git {A}"),
            "have no closing double quote",
        ),
        (format!("\"alice {A}"), "the principals"),
        (
            format!("alice cert-authority, {A}"),
            "the options end with a comma",
        ),
        (format!("\"\" {A}"), "the principals field is empty"),
        (format!(", {A}"), "the principals field is empty"),
        (
            "alice ssh-ed25519-cert-v01@openssh.com AAAA".into(),
            "certificate",
        ),
        (
            "alice sk-ssh-ed25519-cert-v01@openssh.com AAAA".into(),
            "certificate",
        ),
        (
            "alice ssh-ed25519-cert-v01@openssh.com-cert-v01@openssh.com AAAA".into(),
            "unknown option",
        ),
        ("alice ssh-ed25519\r".into(), "no base64 data"),
        (
            "alice AAAAC3NzaC1lZDI1NTE5".into(),
            "no key after \"AAAAC3NzaC1lZDI1NTE5\"",
        ),
        (
            format!("alice cert-authority ssh-foo {}", &A[12..]),
            "unknown key type \"ssh-foo\"",
        ),
        // The algorithm named must be the key's.
        (format!("alice ssh-rsa {}", &A[12..]), "\"ssh-rsa\" key"),
    ];
    for (line, expected) in cases {
        let message = error(line);
        assert!(
            message.contains(expected),
            "{line:?}: {message:?} lacks {expected:?}"
        );
    }
}

#[test]
fn bad_lines_are_skipped_and_the_rest_still_counts() {
    let text = format!("alice {A}\nbob frobnicate {B}\n\ncarol {C}\n");
    let (signers, errors) = AllowedSigners::parse(&text);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 2);
    assert_eq!(
        errors[0].to_string(),
        format!("line 2: {}", errors[0].message)
    );
    assert_eq!(signers.principals(), ["alice", "carol"]);
}

#[test]
fn messages_escape_what_they_quote() {
    let message = error(&format!("alice ev\u{1b}[31mil=\"x\" {A}"));
    assert!(message.contains("ev\\x1b[31mil"), "{message:?}");
    assert!(!message.contains('\u{1b}'));
}

#[test]
fn keys_index_their_lines_in_file_order() {
    let text = format!(
        "alice {A}\nci cert-authority {A}\nalice-laptop namespaces=\"file\" {A}\nbob {B}\n"
    );
    let signers = parse_ok(&text);
    let lines = |it: Vec<&Entry>| it.iter().map(|e| e.line).collect::<Vec<_>>();
    assert_eq!(lines(signers.lines_with_key(&wire(A)).collect()), [1, 3]);
    assert_eq!(lines(signers.lines_with_ca(&wire(A)).collect()), [2]);
    assert_eq!(lines(signers.lines_with_key(&wire(B)).collect()), [4]);
    assert_eq!(signers.lines_with_key(&wire(C)).count(), 0);
    assert_eq!(signers.lines_with_ca(&wire(B)).count(), 0);
}

#[test]
fn principals_lists_patterns_once_and_knows_applies_them() {
    let text = format!(
        "*@example.com,!mallory@example.com {A}\nrelease-bot,alice@example.com {B}\nrelease-bot {C}\n"
    );
    let signers = parse_ok(&text);
    assert_eq!(
        signers.principals(),
        [
            "*@example.com",
            "!mallory@example.com",
            "release-bot",
            "alice@example.com"
        ]
    );
    assert!(signers.knows("bob@example.com"));
    assert!(signers.knows("release-bot"));
    assert!(!signers.knows("mallory@example.com"));
    assert!(!signers.knows("eve@elsewhere.org"));
}

#[test]
fn the_index_is_shared_between_threads() {
    fn sync<T: Sync + Send>() {}
    sync::<AllowedSigners>();
}

/// Pieces a line is made of, valid and broken, so generated lines reach deep into the parser.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("alice@example.com".to_string()),
        Just("\"a b\"".to_string()),
        Just("*,!x".to_string()),
        Just("cert-authority".to_string()),
        Just("namespaces=\"git\"".to_string()),
        Just("valid-after=\"20260101\"".to_string()),
        Just("valid-before=\"2026010100Z".to_string()),
        Just(",".to_string()),
        Just("\"".to_string()),
        Just("\\\"".to_string()),
        Just(A.to_string()),
        Just(C.to_string()),
        Just("ssh-ed25519".to_string()),
        Just("#".to_string()),
        "[ \t\r\n]{1,2}",
        "\\PC{0,6}",
        any::<String>(),
    ]
}

proptest! {
    #[test]
    fn parse_never_panics(text in any::<String>()) {
        let (signers, errors) = AllowedSigners::parse(&text);
        prop_assert!(errors.iter().all(|e| e.line >= 1 && e.line <= text.split('\n').count()));
        let _ = signers.principals();
    }

    #[test]
    fn lines_of_pieces_never_panic(pieces in proptest::collection::vec(piece(), 0..8)) {
        let text = pieces.join(" ");
        let (signers, errors) = AllowedSigners::parse(&text);
        prop_assert!(signers.entries.len() + errors.len() <= text.split('\n').count());
        for e in &errors {
            prop_assert!(!e.message.contains(['\x1b', '\n']), "{:?}", e.message);
        }
    }
}
