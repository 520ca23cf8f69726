//! `registry doctor` on the trust setup: a missing allowed-signers file, a malformed line (by
//! its number), a rule naming a principal the file does not know, a signed tag whose key had
//! expired, a bad signature; and nothing to say of a healthy signed setup.

use super::{Key, POLICY, signed_tag, t, tamper};
use crate::fixture::TestRepo;

#[test]
fn doctor_names_each_trust_problem_and_is_quiet_when_all_is_well() {
    let repo = TestRepo::new();
    let alice = Key::new(&repo, "alice", "alice@example.com");
    let carol = Key::new(&repo, "carol", "carol@example.com");
    let keys = [&alice, &carol];
    repo.write(".registry.yaml", POLICY);
    let c = repo.commit("policy, no allowed signers");
    let mut seen = t(&repo, &keys, &["doctor"]);
    seen.push('\n');
    let policy = POLICY.replace("[alice@example.com]", "[alice@example.com, release-bot]");
    repo.write(".registry.yaml", &policy);
    repo.write(
        ".registry/allowed_signers",
        &format!(
            "{}not a key line\n{}",
            alice.line(""),
            carol.line("valid-before=\"20230101\"")
        ),
    );
    signed_tag(&repo, &repo.path(), &alice, "churn@v1.0.0", &c);
    signed_tag(&repo, &repo.path(), &carol, "churn#dev#1", &c);
    signed_tag(&repo, &repo.path(), &alice, "churn#staging#2", &c);
    tamper(&repo, "churn#staging#2");
    seen.push_str(&t(&repo, &keys, &["doctor"]));
    insta::assert_snapshot!(seen, @r#"
    $ registry doctor
    Checked 0 artifacts, 0 registry tags, 0 artifacts.yaml and 0 dvc.yaml files, the config and the policy.
    problem: the allowed-signers file 'TMP/repo/.registry/allowed_signers' does not exist
        fix: commit the allowed-signers file at .registry/allowed_signers, one line per key in OpenSSH's format: `alice@example.com namespaces="git" ssh-ed25519 AAAA…`
    --- stderr
    error: 1 problem found
    [exit 1]
    $ registry doctor
    Checked 1 artifacts, 3 registry tags, 0 artifacts.yaml and 0 dvc.yaml files, the config and the policy.
    problem: the allowed-signers file 'TMP/repo/.registry/allowed_signers', line 2: unknown option "a" (known: cert-authority, namespaces, valid-after, valid-before)
        fix: correct the line (OpenSSH's allowed-signers format: `man ssh-keygen`, ALLOWED SIGNERS); the other lines still count
    problem: authorize.stages.prod.assign in .registry.yaml names 'release-bot', whom the allowed-signers file 'TMP/repo/.registry/allowed_signers' does not list, so no SSH signature can prove them (signatures.gpg_keys pins no key to them, and no OpenPGP or X.509 signature in the history proves them)
        fix: add the SSH key of 'release-bot' to 'TMP/repo/.registry/allowed_signers', or correct the name
    problem: tag 'churn#dev#1' is signed by a key that was not valid at the tag's date: the key expired before the tag's date 2023-11-14T22:13:30Z: valid-before 2023-01-01T00:00:00Z (line 3)
        fix: if the event should stand, write it again signed with a valid key (`git tag -d 'churn#dev#1'`, then the command that made it with --sign)
    problem: tag 'churn#staging#2' has a bad signature: the signature by SHA256:<alice>.................................... does not match the tag's content (cryptographic error)
        fix: the tag was changed after it was signed: delete it (`git tag -d 'churn#staging#2'`, and `git push --delete origin 'churn#staging#2'`) and write it again signed
    --- stderr
    error: 4 problems found
    [exit 1]
    "#);

    // Healthy: the bad tags gone, the file and the rules agree.
    repo.git(&["tag", "-d", "churn#dev#1", "churn#staging#2"]);
    repo.write(".registry.yaml", POLICY);
    repo.write(".registry/allowed_signers", &alice.line(""));
    insta::assert_snapshot!(t(&repo, &keys, &["doctor"]), @"
    $ registry doctor
    Checked 1 artifacts, 1 registry tags, 0 artifacts.yaml and 0 dvc.yaml files, the config and the policy.
    No problems found.
    [exit 0]
    ");
    // Rules, SSH-signed tags, and no allowed-signers file named: every gate fails on them.
    repo.write(
        ".registry.yaml",
        "signatures:\n  required_since: 2023-11-14\n",
    );
    insta::assert_snapshot!(t(&repo, &keys, &["doctor"]), @"
    $ registry doctor
    Checked 1 artifacts, 1 registry tags, 0 artifacts.yaml and 0 dvc.yaml files, the config and the policy.
    problem: tag 'churn@v1.0.0' has a signature that cannot be checked, so check-ref --policy and audit fail on it: no allowed-signers file to check SSH signatures against: .registry.yaml names none (`signatures: allowed_signers: PATH`)
        fix: for SSH signatures, name the allowed-signers file in .registry.yaml (`signatures: allowed_signers: PATH`); for OpenPGP and X.509, install the program git runs (gpg, gpgsm)
    --- stderr
    error: 1 problem found
    [exit 1]
    ");
    repo.write(".registry.yaml", POLICY);
    // A principal the allowed-signers file does not list, whom an OpenPGP signature proves
    // through a key the policy does not pin: under rules that proves no one, so the finding
    // stands (the user ID's e-mail is whatever the key's maker typed).
    let pgp = crate::signed_reads::Signers::new(&repo);
    pgp.tag(
        crate::signed_reads::Sig::OpenPgp,
        "churn#prod#3",
        "churn#prod#3",
        &c,
    );
    repo.write(".registry/allowed_signers", &carol.line(""));
    insta::assert_snapshot!(t(&repo, &keys, &["doctor"]), @"
    $ registry doctor
    Checked 1 artifacts, 2 registry tags, 0 artifacts.yaml and 0 dvc.yaml files, the config and the policy.
    problem: authorize.stages.prod.assign in .registry.yaml names 'alice@example.com', whom the allowed-signers file 'TMP/repo/.registry/allowed_signers' does not list, so no SSH signature can prove them (signatures.gpg_keys pins no key to them, and no OpenPGP or X.509 signature in the history proves them)
        fix: add the SSH key of 'alice@example.com' to 'TMP/repo/.registry/allowed_signers', or correct the name
    --- stderr
    error: 1 problem found
    [exit 1]
    ");
    // Pinned, the rule is no typo, and nothing is wrong.
    let fingerprint = super::validsig(&repo, "churn#prod#3");
    repo.write(
        ".registry.yaml",
        &POLICY.replace(
            "  required_since:",
            &format!("  gpg_keys:\n    alice@example.com: [{fingerprint}]\n  required_since:"),
        ),
    );
    insta::assert_snapshot!(t(&repo, &keys, &["doctor"]), @"
    $ registry doctor
    Checked 1 artifacts, 2 registry tags, 0 artifacts.yaml and 0 dvc.yaml files, the config and the policy.
    No problems found.
    [exit 0]
    ");
}
