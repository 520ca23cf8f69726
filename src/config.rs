//! Configuration: GTO's `.gto` and our `.registry.yaml`, both at the top of the work tree
//! (reference §7, SPEC §5).
//!
//! `.gto` is read as GTO reads it (keys case-insensitive, unknown keys refused, an empty file is
//! fine) so a shared repository means the same to both tools. Our own settings live apart in
//! `.registry.yaml`, because GTO refuses keys it does not know. Nothing is ever written here.
//! The trust policy's keys (`signatures:`, `authorize:`) are read in `config/trust.rs`; the
//! allowed-signers file it names is read here, from the same place as the config itself.

use std::path::Path;

use anyhow::Result;

use crate::error::UserError;
use crate::git::Repo;
use crate::registry::name::is_name;
use crate::registry::trust::TrustPolicy;
use crate::safe_read;
use crate::yaml::{Mapping, Value};

mod trust;
#[cfg(test)]
mod trust_tests;

/// The settings that matter to `registry`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Config {
    /// Allowed stages; `None` = any.
    pub stages: Option<Vec<String>>,
    /// Allowed artifact types; `None` = any.
    pub types: Option<Vec<String>>,
    /// Policy: a version must have held the previous stage before it may take the next.
    pub promotion_order: Option<Vec<String>>,
    /// Policy: every registration must carry a content digest.
    pub require_digest: bool,
    /// Every write signs its tag (`sign: true`), as git's `tag.gpgSign` asks.
    pub sign: bool,
    /// The signature and authorization rules (`signatures:`, `authorize:`).
    pub trust: TrustPolicy,
    /// The allowed-signers file `signatures.allowed_signers` names, read from where the config
    /// was read (the work tree, or the commit whose tree holds the config).
    pub allowed_signers: Option<SignersFile>,
}

/// The allowed-signers file as read with the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignersFile {
    /// The path in the repository, as the policy gives it.
    pub path: String,
    /// How messages name it: `'DIR/.registry/allowed_signers'`, or
    /// `'.registry/allowed_signers' at 'origin/main' (abc1234)`.
    pub shown: String,
    /// Its bytes; `None` when the file is missing (not an error here: `doctor` and `audit`
    /// report it).
    pub bytes: Option<Vec<u8>>,
}

/// GTO's settings keys (reference §7), compared case-insensitively.
const GTO_KEYS: &[&str] = &[
    "index",
    "config_file_name",
    "log_level",
    "debug",
    "emojis",
    "types",
    "stages",
    "enrichments",
    "autoload_enrichments",
];

const REGISTRY_KEYS: &[&str] = &[
    "stages",
    "types",
    "promotion_order",
    "require_digest",
    "sign",
    "signatures",
    "authorize",
];

fn wrong(file: &str, why: String) -> anyhow::Error {
    // GTO's wording first (reference §12), then what exactly is wrong.
    UserError::new(format!("Wrong config file {file}"))
        .with_hint(why)
        .into()
}

/// Parses a YAML mapping; `None` if there is no file. An empty file is an empty mapping.
fn read_mapping(file: &str, bytes: Option<Vec<u8>>) -> Result<Option<Mapping>> {
    let Some(bytes) = bytes else {
        return Ok(None);
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return Err(wrong(file, "it is not UTF-8 text".into()));
    };
    if text.trim().is_empty() {
        return Ok(Some(Mapping::new()));
    }
    match Value::parse(&text) {
        Ok(Value::Mapping(m)) => Ok(Some(m)),
        Ok(Value::Null) => Ok(Some(Mapping::new())),
        Ok(_) => Err(wrong(file, "it must be a mapping of keys to values".into())),
        Err(e) => Err(wrong(file, format!("invalid YAML: {e}"))),
    }
}

/// The commit whose tree holds the config when there is no work tree (a bare repository, the
/// mirror of `-C URL`), and how to name it: HEAD's, the default branch. When HEAD names a branch
/// that does not exist (as `git init --bare` and a push of `main` leave it) the only branch is
/// used; with several, which one is meant cannot be told, and that is an error. `None`: no
/// branch at all, so no config.
pub(crate) fn default_tree(repo: &Repo) -> Result<Option<(String, String)>> {
    if let Some(head) = repo.head_commit() {
        return Ok(Some((head, "HEAD".to_string())));
    }
    let branches = repo.branches()?;
    match branches.as_slice() {
        [] => Ok(None),
        [(name, commit)] => Ok(Some((
            commit.clone(),
            format!("'{}'", name.strip_prefix("refs/heads/").unwrap_or(name)),
        ))),
        several => {
            let head = repo.head_branch().unwrap_or_else(|| "HEAD".into());
            let names: Vec<&str> = several
                .iter()
                .map(|(n, _)| n.strip_prefix("refs/heads/").unwrap_or(n))
                .collect();
            Err(UserError::new(format!(
                "HEAD names '{head}', which does not exist, and the repository has several branches ({}): cannot tell which one holds .gto and .registry.yaml",
                names.join(", ")
            ))
            .with_hint(format!(
                "point HEAD at the default branch: `git --git-dir={} symbolic-ref HEAD refs/heads/{}`",
                crate::shell::shell_quote(&repo.git_dir().display().to_string()),
                names[0]
            ))
            .into())
        }
    }
}

/// A list of names under `key`, each checked against the name grammar.
fn name_list(path: &str, key: &str, value: &Value) -> Result<Option<Vec<String>>> {
    match value {
        Value::Null => Ok(None),
        Value::Sequence(items) => {
            let mut out = Vec::new();
            for item in items {
                let Value::String(s) = item else {
                    return Err(wrong(path, format!("`{key}` must be a list of names")));
                };
                if !is_name(s) {
                    return Err(wrong(
                        path,
                        format!("`{key}` holds '{s}', which is not a valid name"),
                    ));
                }
                out.push(s.clone());
            }
            Ok(Some(out))
        }
        _ => Err(wrong(path, format!("`{key}` must be a list of names"))),
    }
}

impl Config {
    /// Reads `.gto` and `.registry.yaml` from the work tree, if there is one.
    pub(crate) fn load(workdir: Option<&Path>) -> Result<Config> {
        let Some(root) = workdir else {
            return Ok(Config::default());
        };
        let read = |name: &str| -> Result<(String, Option<Vec<u8>>)> {
            let shown = root.join(name).display().to_string();
            let bytes = safe_read::read_work_file(root, name).map_err(|r| r.about(&shown))?;
            Ok((format!("'{shown}'"), bytes))
        };
        Config::parse(read(".gto")?, read(".registry.yaml")?)?.with_signers(read)
    }

    /// Reads `.gto` and `.registry.yaml` from the repository: from the work tree when there is
    /// one, else from the tree of the default branch ([`default_tree`]), each file bounded and
    /// checked as a work-tree file is.
    pub(crate) fn load_from(repo: &Repo) -> Result<Config> {
        if let Some(root) = repo.workdir() {
            return Config::load(Some(root));
        }
        let Some((commit, place)) = default_tree(repo)? else {
            return Ok(Config::default());
        };
        Config::load_at(repo, &commit, &place)
    }

    /// Reads `.gto` and `.registry.yaml` from the tree of `commit` (never from the work tree),
    /// `place` naming it in errors (`HEAD`, `'origin/main'`): the policy `check-ref --policy`
    /// trusts comes from the default branch, not from the pushed tag's own commit.
    pub(crate) fn load_at(repo: &Repo, commit: &str, place: &str) -> Result<Config> {
        let at = format!("at {place} ({})", &commit[..commit.len().min(7)]);
        // A partial clone (a `-C URL` mirror) fetches both files in one batch.
        repo.prefetch(&[(commit, ".gto"), (commit, ".registry.yaml")])?;
        let read = |name: &str| -> Result<(String, Option<Vec<u8>>)> {
            let bytes = safe_read::read_tree_file(repo, commit, name)?
                .map_err(|r| r.about_in(name, &at))?;
            Ok((format!("'{name}' {at}"), bytes))
        };
        Config::parse(read(".gto")?, read(".registry.yaml")?)?.with_signers(read)
    }

    /// The config with the allowed-signers file its policy names, read by `read`: the reader
    /// of the config's own files, so the file comes from the same tree and is bounded the same.
    fn with_signers(
        mut self,
        read: impl Fn(&str) -> Result<(String, Option<Vec<u8>>)>,
    ) -> Result<Config> {
        if let Some(path) = self.trust.allowed_signers.clone() {
            let (shown, bytes) = read(&path)?;
            self.allowed_signers = Some(SignersFile { path, shown, bytes });
        }
        Ok(self)
    }

    /// The config of the two files' contents, each with how errors name it.
    fn parse(gto: (String, Option<Vec<u8>>), ours: (String, Option<Vec<u8>>)) -> Result<Config> {
        let mut config = Config::default();
        let gto_path = gto.0.as_str();
        if let Some(map) = read_mapping(gto_path, gto.1)? {
            for (k, v) in &map {
                let key = k.as_str().unwrap_or_default().to_ascii_lowercase();
                if !GTO_KEYS.contains(&key.as_str()) {
                    let shown = k.as_str().map_or_else(|| format!("{k:?}"), str::to_string);
                    return Err(wrong(
                        gto_path,
                        format!(
                            "unknown key '{shown}' (GTO accepts: {})",
                            GTO_KEYS.join(", ")
                        ),
                    ));
                }
                match key.as_str() {
                    "stages" => config.stages = name_list(gto_path, "stages", v)?,
                    "types" => config.types = name_list(gto_path, "types", v)?,
                    _ => {}
                }
            }
        }
        let ours_path = ours.0.as_str();
        if let Some(map) = read_mapping(ours_path, ours.1)? {
            for (k, v) in &map {
                let key = k.as_str().unwrap_or_default();
                match key {
                    "stages" => {
                        let stages = name_list(ours_path, "stages", v)?;
                        if config.stages.is_some() && stages.is_some() && config.stages != stages {
                            return Err(wrong(
                                ours_path,
                                "`stages` differs from the list in .gto; keep one list (GTO reads only .gto)".into(),
                            ));
                        }
                        if stages.is_some() {
                            config.stages = stages;
                        }
                    }
                    "types" => {
                        let types = name_list(ours_path, "types", v)?;
                        if types.is_some() {
                            config.types = types;
                        }
                    }
                    "promotion_order" => {
                        config.promotion_order = name_list(ours_path, "promotion_order", v)?;
                    }
                    "require_digest" => match v {
                        Value::Bool(b) => config.require_digest = *b,
                        _ => {
                            return Err(wrong(
                                ours_path,
                                "`require_digest` must be true or false".into(),
                            ));
                        }
                    },
                    "sign" => match v {
                        Value::Bool(b) => config.sign = *b,
                        _ => {
                            return Err(wrong(ours_path, "`sign` must be true or false".into()));
                        }
                    },
                    "signatures" => trust::signatures(ours_path, v, &mut config.trust)?,
                    "authorize" => trust::authorize(ours_path, v, &mut config.trust)?,
                    other => {
                        return Err(wrong(
                            ours_path,
                            format!(
                                "unknown key '{other}' (accepted: {})",
                                REGISTRY_KEYS.join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(gto: Option<&str>, ours: Option<&str>) -> Result<Config> {
        let dir = tempfile::tempdir().unwrap();
        if let Some(t) = gto {
            std::fs::write(dir.path().join(".gto"), t).unwrap();
        }
        if let Some(t) = ours {
            std::fs::write(dir.path().join(".registry.yaml"), t).unwrap();
        }
        Config::load(Some(dir.path()))
    }

    #[test]
    fn reads_gto_keys_case_insensitively() {
        let c = load(Some("STAGES: [dev, prod]\nemojis: false\n"), None).unwrap();
        assert_eq!(c.stages, Some(vec!["dev".into(), "prod".into()]));
        assert_eq!(load(Some(""), None).unwrap(), Config::default());
    }

    /// The refusal of a config: its message (the temp directory shown as `DIR`) and its hint.
    fn refusal(gto: Option<&str>, ours: Option<&str>) -> (String, String) {
        let dir = tempfile::tempdir().unwrap();
        if let Some(t) = gto {
            std::fs::write(dir.path().join(".gto"), t).unwrap();
        }
        if let Some(t) = ours {
            std::fs::write(dir.path().join(".registry.yaml"), t).unwrap();
        }
        let err = Config::load(Some(dir.path())).unwrap_err();
        let user = err.downcast_ref::<UserError>().expect("a UserError");
        let shown = dir.path().display().to_string();
        (
            user.message.replace(&shown, "DIR"),
            user.hint.clone().unwrap_or_default(),
        )
    }

    #[test]
    fn refuses_unknown_keys_naming_them() {
        assert_eq!(
            refusal(Some("stagez: [dev]\n"), None),
            (
                "Wrong config file 'DIR/.gto'".into(),
                "unknown key 'stagez' (GTO accepts: index, config_file_name, log_level, debug, \
                 emojis, types, stages, enrichments, autoload_enrichments)"
                    .into()
            )
        );
        assert_eq!(
            refusal(None, Some("colour: red\n")),
            (
                "Wrong config file 'DIR/.registry.yaml'".into(),
                "unknown key 'colour' (accepted: stages, types, promotion_order, require_digest, sign, \
                 signatures, authorize)"
                    .into()
            )
        );
    }

    #[test]
    fn reads_our_policy_keys() {
        let c = load(
            None,
            Some("promotion_order: [dev, prod]\nrequire_digest: true\n"),
        )
        .unwrap();
        assert_eq!(c.promotion_order, Some(vec!["dev".into(), "prod".into()]));
        assert!(c.require_digest);
        assert_eq!(
            refusal(None, Some("require_digest: maybe\n")),
            (
                "Wrong config file 'DIR/.registry.yaml'".into(),
                "`require_digest` must be true or false".into()
            )
        );
    }

    #[test]
    fn refuses_bad_yaml_and_bad_names() {
        // The parser's own words follow the prefix; the place is what a user needs.
        let (message, hint) = refusal(Some("stages: [dev\n"), None);
        assert_eq!(message, "Wrong config file 'DIR/.gto'");
        assert!(
            hint.starts_with("invalid YAML: ") && hint.contains("at line 2 column 1"),
            "{hint}"
        );
        assert_eq!(
            refusal(Some("stages: [-bad]\n"), None),
            (
                "Wrong config file 'DIR/.gto'".into(),
                "`stages` holds '-bad', which is not a valid name".into()
            )
        );
        assert_eq!(
            refusal(Some("stages: [dev]\n"), Some("stages: [prod]\n")),
            (
                "Wrong config file 'DIR/.registry.yaml'".into(),
                "`stages` differs from the list in .gto; keep one list (GTO reads only .gto)"
                    .into()
            )
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 4000, ..Default::default() })]

        /// Loading `.registry.yaml` never panics, whatever YAML-ish bytes it holds (the same
        /// alphabet as the declaration file's, in `artifacts/props.rs`). Each case writes into
        /// its own temporary directory, removed when the case ends.
        #[test]
        fn loading_never_panics(s in "[a-z:\\[\\]{}#\\- \n\"'|>&*!0-9.]{0,120}") {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join(".registry.yaml"), &s).unwrap();
            let _ = Config::load(Some(dir.path()));
        }
    }
}
