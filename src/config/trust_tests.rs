//! The trust policy's keys in `.registry.yaml` (`config/trust.rs`), and the allowed-signers
//! file read from the same place as the config.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::config::{Config, SignersFile};
use crate::error::UserError;
use crate::git::Repo;
use crate::registry::metrics::Condition;
use crate::registry::time::Timestamp;
use crate::registry::trust::{MetricRules, StageRule, TrustPolicy};

/// The README's complete example.
const EXAMPLE: &str = "\
sign: true
promotion_order: [dev, staging, prod]
require_digest: true
signatures:
  allowed_signers: .registry/allowed_signers
  required_since: 2026-06-01
  gpg_keys:
    release-bot: [3AA5 C343 7156 7BD2 C9DC  F8D5 B2F1 A6E4 A8C6 D0E1]
authorize:
  register: [release-bot, alice@example.com]
  deregister: [release-bot]
  deprecate: [release-bot]
  stages:
    prod:
      assign: [release-bot, alice@example.com]
      unassign: [release-bot, alice@example.com]
      two_person: true
      metrics: [\"eval.auc >= 0.9\", \"latency_ms < 50\"]
    staging:
      assign: [ci@example.com]
";

fn list(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}

fn load(ours: &str) -> anyhow::Result<Config> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".registry.yaml"), ours).unwrap();
    Config::load(Some(dir.path()))
}

/// The hint of the refusal of `ours` (the message is always `Wrong config file '…'`).
fn refusal(ours: &str) -> String {
    let err = load(ours).unwrap_err();
    let user = err.downcast_ref::<UserError>().expect("a UserError");
    assert!(
        user.message.starts_with("Wrong config file '")
            && user.message.ends_with(".registry.yaml'"),
        "{}",
        user.message
    );
    user.hint.clone().unwrap_or_default()
}

#[test]
fn reads_the_documented_shape() {
    let c = load(EXAMPLE).unwrap();
    let mut stages = BTreeMap::new();
    stages.insert(
        "prod".to_string(),
        StageRule {
            assign: Some(list(&["release-bot", "alice@example.com"])),
            unassign: Some(list(&["release-bot", "alice@example.com"])),
            two_person: true,
            metrics: MetricRules(
                ["eval.auc >= 0.9", "latency_ms < 50"]
                    .map(|r| Condition::parse(r).unwrap())
                    .to_vec(),
            ),
        },
    );
    stages.insert(
        "staging".to_string(),
        StageRule {
            assign: Some(list(&["ci@example.com"])),
            ..StageRule::default()
        },
    );
    assert_eq!(
        c.trust,
        TrustPolicy {
            allowed_signers: Some(".registry/allowed_signers".into()),
            // 2026-06-01T00:00:00Z: a day means its start.
            required_since: Some(Timestamp::new(1_780_272_000, 0)),
            register: Some(list(&["release-bot", "alice@example.com"])),
            deregister: Some(list(&["release-bot"])),
            deprecate: Some(list(&["release-bot"])),
            gpg_keys: Some(
                [(
                    "release-bot".to_string(),
                    list(&["3AA5C34371567BD2C9DCF8D5B2F1A6E4A8C6D0E1"])
                )]
                .into()
            ),
            stages,
        }
    );
    assert!(c.sign && c.require_digest);
    assert_eq!(
        Timestamp::new(1_780_272_000, 0).iso(),
        "2026-06-01T00:00:00+00:00"
    );
    // The file is missing: named, not an error.
    let signers = c.allowed_signers.unwrap();
    assert_eq!(signers.path, ".registry/allowed_signers");
    assert!(
        signers.shown.ends_with("/.registry/allowed_signers'"),
        "{}",
        signers.shown
    );
    assert_eq!(signers.bytes, None);
    // Empty keys mean nothing; times with and without an offset.
    let c = load("signatures:\nauthorize:\n  stages:\n    prod:\n").unwrap();
    assert!(c.trust.is_empty() && c.allowed_signers.is_none());
    for (text, seconds) in [
        ("2026-06-01T09:00:00+02:00", 1_780_297_200),
        ("2026-06-01T07:00:00Z", 1_780_297_200),
        ("2026-06-01 07:00:00", 1_780_297_200),
    ] {
        let c = load(&format!("signatures:\n  required_since: '{text}'\n")).unwrap();
        assert_eq!(
            c.trust.required_since.map(|t| t.seconds),
            Some(seconds),
            "{text}"
        );
    }
    let c = load("authorize:\n  register: []\n").unwrap();
    assert_eq!(c.trust.register, Some(Vec::new()));
}

#[test]
fn refuses_each_bad_key_and_value_naming_it() {
    for (yaml, hint) in [
        (
            "signatures:\n  allowed_signer: x\n",
            "unknown key 'allowed_signer' under `signatures` (accepted: allowed_signers, required_since, gpg_keys)",
        ),
        (
            "authorize:\n  promote: [a]\n",
            "unknown key 'promote' under `authorize` (accepted: register, deregister, deprecate, stages)",
        ),
        (
            "authorize:\n  stages:\n    prod:\n      asign: [a]\n",
            "unknown key 'asign' under `authorize.stages.prod` (accepted: assign, unassign, two_person, metrics)",
        ),
        ("signatures: [a]\n", "`signatures` must be a mapping"),
        (
            "authorize:\n  stages: [prod]\n",
            "`authorize.stages` must be a mapping",
        ),
        (
            "authorize:\n  stages:\n    -prod:\n      assign: [a]\n",
            "`authorize.stages` names '-prod', which is not a valid stage name",
        ),
        (
            "authorize:\n  stages:\n    prod:\n      assign: [a]\n    PROD:\n      assign: [b]\n",
            "`authorize.stages` names 'prod' and 'PROD', one stage in two cases: keep one",
        ),
        (
            "authorize:\n  stages:\n    prod:\n      two_person: yes please\n",
            "`authorize.stages.prod.two_person` must be true or false",
        ),
        (
            "authorize:\n  register: release-bot\n",
            "`authorize.register` must be a list of principals",
        ),
        (
            "authorize:\n  deprecate: [42]\n",
            "`authorize.deprecate` holds 42, which is not a principal (a string such as release-bot or alice@example.com)",
        ),
        (
            "authorize:\n  register: ['']\n",
            "`authorize.register` holds '', which is not a principal: it is empty",
        ),
        (
            "authorize:\n  register: [\"a\\u001b[31m\"]\n",
            "`authorize.register` holds 'a\\u{1b}[31m', which is not a principal: it holds a control character",
        ),
        (
            "authorize:\n  stages:\n    prod:\n      unassign: [' bob']\n",
            "`authorize.stages.prod.unassign` holds ' bob', which is not a principal: it has surrounding spaces, and principals compare exactly",
        ),
        (
            "signatures:\n  allowed_signers: /etc/ssh/allowed\n",
            "`signatures.allowed_signers` is '/etc/ssh/allowed': it is absolute; give it relative to the top of the repository",
        ),
        (
            "signatures:\n  allowed_signers: keys/../../x\n",
            "`signatures.allowed_signers` is 'keys/../../x': it leads out of the repository (`..`)",
        ),
        (
            "signatures:\n  allowed_signers: ./keys\n",
            "`signatures.allowed_signers` is './keys': it has an empty or `.` part; write it as dir/file",
        ),
        (
            "signatures:\n  allowed_signers: [a]\n",
            "`signatures.allowed_signers` must be a path in the repository",
        ),
        (
            "signatures:\n  required_since: next week\n",
            "`signatures.required_since` is 'next week', which is not a date (2026-06-01, meaning its start in UTC) or an RFC 3339 time (2026-06-01T09:00:00+02:00; UTC without an offset)",
        ),
        (
            "signatures:\n  required_since: 20260601\n",
            "`signatures.required_since` is 20260601, which is not a date (2026-06-01, meaning its start in UTC) or an RFC 3339 time (2026-06-01T09:00:00+02:00; UTC without an offset)",
        ),
    ] {
        assert_eq!(refusal(yaml), hint, "{yaml}");
    }
    // The calendar's own words (jiff's) follow.
    let got = refusal("signatures:\n  required_since: 2026-02-30\n");
    assert!(
        got.starts_with("`signatures.required_since` is '2026-02-30', which is no calendar day: "),
        "{got}"
    );
}

/// `git` with no user or system configuration.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .env("GIT_AUTHOR_NAME", "A")
        .env("GIT_AUTHOR_EMAIL", "a@x")
        .env("GIT_COMMITTER_NAME", "A")
        .env("GIT_COMMITTER_EMAIL", "a@x")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn load_at_reads_the_allowed_signers_file_from_the_commits_tree() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    std::fs::create_dir(root.join(".registry")).unwrap();
    std::fs::write(
        root.join(".registry.yaml"),
        "signatures:\n  allowed_signers: .registry/allowed_signers\n",
    )
    .unwrap();
    std::fs::write(root.join(".registry/allowed_signers"), "committed\n").unwrap();
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "policy"]);
    let commit = git(root, &["rev-parse", "HEAD"]);
    // The work tree now says something else: load_at must not see it.
    std::fs::write(root.join(".registry/allowed_signers"), "work tree\n").unwrap();
    let repo = Repo::open(Some(root)).unwrap();
    let at = Config::load_at(&repo, &commit, "'main'").unwrap();
    assert_eq!(
        at.allowed_signers,
        Some(SignersFile {
            path: ".registry/allowed_signers".into(),
            shown: format!("'.registry/allowed_signers' at 'main' ({})", &commit[..7]),
            bytes: Some(b"committed\n".to_vec()),
        })
    );
    // Config::load reads the work tree's.
    let here = Config::load(Some(root)).unwrap().allowed_signers.unwrap();
    assert_eq!(here.bytes, Some(b"work tree\n".to_vec()));
    // Missing in the tree: named, no bytes.
    git(root, &["rm", "-qf", ".registry/allowed_signers"]);
    git(root, &["commit", "-q", "-m", "drop"]);
    let gone = Config::load_at(&repo, &git(root, &["rev-parse", "HEAD"]), "HEAD").unwrap();
    assert_eq!(gone.allowed_signers.unwrap().bytes, None);
}

#[test]
fn an_unreadable_allowed_signers_file_is_refused_as_config_files_are() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join(".registry.yaml"),
        "signatures:\n  allowed_signers: signers\n",
    )
    .unwrap();
    // A FIFO: opening it for reading would wait for a writer forever.
    let made = Command::new("mkfifo")
        .arg(root.join("signers"))
        .status()
        .unwrap();
    assert!(made.success());
    let err = Config::load(Some(root)).unwrap_err();
    let user = err.downcast_ref::<UserError>().unwrap();
    assert!(
        user.message.starts_with("cannot read '") && user.message.contains("/signers': it is"),
        "{}",
        user.message
    );
    assert_eq!(user.hint.as_deref(), Some(crate::safe_read::HINT));
}

#[test]
fn the_readme_example_reads_as_the_one_tested_here() {
    let readme = include_str!("../../README.md");
    let section = readme
        .split_once("### Signed and authorized events")
        .expect("the README documents the policy")
        .1;
    let block = section
        .split_once("```yaml\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("a yaml example")
        .0;
    assert_eq!(load(block).unwrap().trust, load(EXAMPLE).unwrap().trust);
}

#[test]
fn reads_a_stages_metric_gate_rule_by_rule() {
    let c = load(
        "authorize:\n  stages:\n    prod:\n      metrics: [\"eval.auc >= 0.9\", \"latency_ms<50\", \"drift != 1\"]\n",
    )
    .unwrap();
    let rule = &c.trust.stages["prod"];
    let parsed = ["eval.auc >= 0.9", "latency_ms<50", "drift != 1"]
        .map(|r| Condition::parse(r).unwrap())
        .to_vec();
    assert_eq!(rule.metrics, MetricRules(parsed));
    assert_eq!(
        rule.metrics.shown(),
        "eval.auc >= 0.9, latency_ms < 50, drift != 1"
    );
    // A gate alone is a rule: audit and check-ref --policy enforce it.
    assert!(!c.trust.is_empty() && c.trust.has_rules());
    // An empty `metrics:` is refused (see the test below), not read as no gate.
}

#[test]
fn refuses_a_malformed_metric_rule_naming_it_and_why() {
    let rule = "(a rule is METRIC OP NUMBER with OP one of < <= > >= == !=, for example 'eval.auc >= 0.9')";
    for (yaml, hint) in [
        (
            "authorize:\n  stages:\n    prod:\n      metrics: \"eval.auc >= 0.9\"\n".to_string(),
            "`authorize.stages.prod.metrics` must be a list of metric rules, for example [\"eval.auc >= 0.9\", \"latency_ms < 50\"]".to_string(),
        ),
        (
            "authorize:\n  stages:\n    prod:\n      metrics: [0.9]\n".to_string(),
            "`authorize.stages.prod.metrics` holds 0.9, which is not a metric rule (a string such as \"eval.auc >= 0.9\"; quote it in YAML)".to_string(),
        ),
        (
            "authorize:\n  stages:\n    prod:\n      metrics: [\"eval.auc => 0.9\"]\n".to_string(),
            format!("`authorize.stages.prod.metrics`: metric rule 'eval.auc => 0.9' compares with '=>', which is not one of < <= > >= == != {rule}"),
        ),
        (
            "authorize:\n  stages:\n    prod:\n      metrics: [\"eval.auc >= high\"]\n".to_string(),
            format!("`authorize.stages.prod.metrics`: metric rule 'eval.auc >= high' compares with 'high', which is not a number {rule}"),
        ),
        (
            "authorize:\n  stages:\n    prod:\n      metrics: [\"eval.auc\"]\n".to_string(),
            format!("`authorize.stages.prod.metrics`: metric rule 'eval.auc' has no comparison {rule}"),
        ),
        // An emptied gate is refused, not read as "no rule" (review of issue 14, L3).
        (
            "authorize:\n  stages:\n    prod:\n      metrics:\n".to_string(),
            "`authorize.stages.prod.metrics` lists no rule: give at least one (for example [\"eval.auc >= 0.9\"]), or remove the key to have no metric gate".to_string(),
        ),
        (
            "authorize:\n  stages:\n    prod:\n      metrics: []\n".to_string(),
            "`authorize.stages.prod.metrics` is an empty list: give at least one rule (for example [\"eval.auc >= 0.9\"]), or remove the key to have no metric gate".to_string(),
        ),
    ] {
        assert_eq!(refusal(&yaml), hint, "{yaml}");
    }
}
