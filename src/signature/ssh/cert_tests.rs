//! `verify` against the real programs, certificates: a user key certified by a CA that a
//! `cert-authority` line holds (`ssh-keygen -s`), with `git verify-tag` as the oracle.

use super::lab::{Lab, good};

#[test]
fn certificates_signed_by_an_allowed_ca() {
    let lab = Lab::new();
    let ca = lab.key("ca", "ed25519");
    lab.key("user", "ed25519");
    lab.key("old", "ed25519");
    let certify = |key: &str, validity: &str| {
        let args = [
            "-q",
            "-s",
            "ca",
            "-I",
            "alice-id",
            "-n",
            "alice@example.com,alice",
            "-V",
            validity,
            &format!("{key}.pub"),
        ];
        lab.ok("ssh-keygen", &args, lab.path());
    };
    certify("user", "20250101:20280101");
    certify("old", "20200101:20210101");
    lab.tag("v1", "user-cert.pub");
    lab.tag("v-old", "old-cert.pub");
    let fp = lab.fingerprint("user.pub");

    let allowed = format!("*@example.com cert-authority {ca}\n");
    let ours = lab.expect("v1", &allowed, "alice@example.com", "good");
    assert_eq!(ours, good("alice@example.com", &fp));
    // A certificate proves its own principal, whatever the tagger claims.
    let ours = lab.expect("v1", &allowed, "eve@example.com", "good");
    assert_eq!(ours.principal(), Some("alice@example.com"));
    // The CA listed without cert-authority is just a key: the user key is unknown.
    lab.expect(
        "v1",
        &format!("alice@example.com {ca}\n"),
        "alice@example.com",
        "unknown-key",
    );
    // The line does not accept any of the certificate's principals.
    let ours = lab.expect(
        "v1",
        &format!("bob@example.com cert-authority {ca}\n"),
        "alice@example.com",
        "unknown-key",
    );
    assert!(
        ours.reason().unwrap().contains("certificate's principals"),
        "{ours:?}"
    );
    // The certificate's own window is over at the tag's date.
    let ours = lab.expect("v-old", &allowed, "alice@example.com", "expired");
    assert!(
        ours.reason().unwrap().contains("certificate expired"),
        "{ours:?}"
    );
    // The line's window applies too.
    lab.expect(
        "v1",
        &format!("*@example.com cert-authority,valid-after=\"20260102\" {ca}\n"),
        "alice@example.com",
        "expired",
    );
}
