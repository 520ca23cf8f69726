//! Interop with GTO 1.10.1 over a signed history (issue 10, point 6): registry tags signed by
//! real git, SSH and OpenPGP, read by GTO exactly as unsigned ones and the same in `registry`.
//! Compared: `show --json` (with `-d`), `show NAME --json`, `history --json` (all and per
//! artifact) and `check-ref TAG --json` for every tag, every key GTO prints, messages included.
//!
//! GTO (scmrepo's git backends) splits the signature off a tag's message as git does, so there
//! is no deliberate difference to pin: the messages of both tools agree as they stand, quoted
//! marker lines in a message included (checked against GTO 1.10.1 by this test).

use serde_json::Value;

use crate::fixture::TestRepo;
use crate::interop::{CHURN, Gto, LEGACY, RESNET, compare_reads, gto_or_skip};
use crate::signed_reads::{Sig, Signers};

#[test]
fn gto_reads_a_signed_history_as_registry_does() {
    let Some(bin) = gto_or_skip("gto_reads_a_signed_history_as_registry_does") else {
        return;
    };
    let repo = TestRepo::new();
    let gto = Gto::new(bin, &repo);
    let keys = Signers::new(&repo);
    let resnet = "models/cv=resnet";
    let quoted = "Back to dev\n\nquoted:\n-----BEGIN PGP SIGNATURE-----\nnot one\n-----END PGP SIGNATURE-----\nend";

    let c1 = repo.commit("first model");
    keys.tag(
        Sig::Ssh,
        "churn@v0.0.1",
        "Registering churn v0.0.1\n\nsigned, SSH",
        &c1,
    );
    keys.tag(
        Sig::OpenPgp,
        &format!("{resnet}@v0.0.1"),
        "Registering resnet\n\nsigned, OpenPGP",
        &c1,
    );
    keys.tag(Sig::Ssh, "legacy@v0.0.1", "legacy", &c1);
    let c2 = repo.commit("second model");
    keys.tag(
        Sig::OpenPgp,
        "churn@v0.1.0",
        "Registering churn v0.1.0",
        &c2,
    );
    keys.tag(Sig::Ssh, "churn#prod#1", "Promote v0.0.1\n\nto prod", &c1);
    keys.tag(Sig::Ssh, "churn#staging#2", "staging", &c2);
    keys.tag(
        Sig::OpenPgp,
        &format!("{resnet}#dev#1"),
        "dev, OpenPGP",
        &c1,
    );
    keys.tag(Sig::Ssh, "legacy#dev#1", "dev", &c1);
    keys.tag(Sig::Ssh, "churn#staging!#3", "Unassign staging", &c2);
    let c3 = repo.commit("third model");
    keys.tag(
        Sig::Ssh,
        &format!("{resnet}@v1.0.0"),
        "Registering v1.0.0",
        &c3,
    );
    keys.tag(
        Sig::OpenPgp,
        &format!("{resnet}#prod#2"),
        "prod\n\nOpenPGP",
        &c3,
    );
    keys.tag(Sig::Ssh, &format!("{resnet}#dev#3"), quoted, &c3);
    keys.tag(Sig::Ssh, "legacy@deprecated", "Deprecate legacy", &c1);
    keys.tag(Sig::OpenPgp, "churn@v0.1.0!", "Withdraw v0.1.0", &c2);

    let tags: Vec<String> = repo
        .git(&["tag", "-l"])
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(tags.len(), 14, "{tags:?}");
    for t in &tags {
        assert!(keys.git_verifies(t), "git verify-tag {t}");
    }
    let (queries, ours) = compare_reads(&repo, &gto, &tags, true);

    // Not vacuous: the signed history holds every kind of event, and reads as written.
    let answer = |args: &[&str]| {
        let at = queries.iter().position(|q| q == args).unwrap();
        &ours[at]
    };
    let all = answer(&["show", "--json", "-d"]);
    assert_eq!(all[LEGACY]["active"], Value::Bool(false), "{all}");
    assert_eq!(all[CHURN]["version"], "v0.0.1", "{all}");
    assert_eq!(all[CHURN]["stage"]["prod"], "v0.0.1", "{all}");
    assert_eq!(all[CHURN]["stage"]["staging"], Value::Null, "{all}");
    assert_eq!(all[RESNET]["stage"]["prod"], "v1.0.0", "{all}");
    let history = answer(&["history", "--json"]).as_array().unwrap();
    let events: Vec<&str> = history.iter().filter_map(|e| e["event"].as_str()).collect();
    for event in [
        "registration",
        "deregistration",
        "assignment",
        "unassignment",
        "deprecation",
    ] {
        assert!(events.contains(&event), "no {event} among {events:?}");
    }
    let check = answer(&["check-ref", &format!("{resnet}#dev#3"), "--json"]);
    assert_eq!(check["message"], quoted);
    let check = answer(&["check-ref", "churn#prod#1", "--json"]);
    assert_eq!(check["message"], "Promote v0.0.1\n\nto prod");
}
