//! The `signatures:` and `authorize:` keys of `.registry.yaml`, read into the core's
//! [`TrustPolicy`]. Strict: an unknown key or a bad value is refused with the key named, because
//! a policy misread (a misspelt `asign:` taken as "anyone may") would open the gate silently.

use anyhow::Result;

use super::wrong;
use crate::registry::metrics::Condition;
use crate::registry::name::is_name;
use crate::registry::time::{Timestamp, invalid_day, parse_git_date};
use crate::registry::trust::{MetricRules, StageRule, TrustPolicy};
use crate::yaml::{Mapping, Value};

const SIGNATURE_KEYS: &[&str] = &["allowed_signers", "required_since", "gpg_keys"];
const AUTHORIZE_KEYS: &[&str] = &["register", "deregister", "deprecate", "stages"];
const STAGE_KEYS: &[&str] = &["assign", "unassign", "two_person", "metrics"];

/// A key as an error shows it (a non-string key by its YAML form).
fn key_name(k: &Value) -> String {
    k.as_str().map_or_else(
        || k.to_yaml().trim_end().escape_debug().to_string(),
        |s| s.escape_debug().to_string(),
    )
}

/// The mapping under `key` (`None` for an empty key), refusing any other value.
fn mapping<'a>(path: &str, key: &str, value: &'a Value) -> Result<Option<&'a Mapping>> {
    match value {
        Value::Null => Ok(None),
        Value::Mapping(m) => Ok(Some(m)),
        _ => Err(wrong(path, format!("`{key}` must be a mapping"))),
    }
}

/// Each entry of the mapping under `key`, refusing keys outside `accepted`.
fn entries<'a>(
    path: &str,
    key: &str,
    map: &'a Mapping,
    accepted: &[&str],
) -> Result<Vec<(&'a str, &'a Value)>> {
    let mut out = Vec::new();
    for (k, v) in map {
        match k.as_str() {
            Some(name) if accepted.contains(&name) => out.push((name, v)),
            _ => {
                return Err(wrong(
                    path,
                    format!(
                        "unknown key '{}' under `{key}` (accepted: {})",
                        key_name(k),
                        accepted.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// A list of principals: exact, non-empty strings without control characters or surrounding
/// spaces. `None` (anyone) for an empty key; `[]` is no one.
fn principals(path: &str, key: &str, value: &Value) -> Result<Option<Vec<String>>> {
    let items = match value {
        Value::Null => return Ok(None),
        Value::Sequence(items) => items,
        _ => return Err(wrong(path, format!("`{key}` must be a list of principals"))),
    };
    let mut out = Vec::new();
    for item in items {
        let Value::String(s) = item else {
            return Err(wrong(
                path,
                format!(
                    "`{key}` holds {}, which is not a principal (a string such as release-bot \
                     or alice@example.com)",
                    item.to_yaml().trim_end().escape_debug()
                ),
            ));
        };
        let why = if s.trim().is_empty() {
            Some("it is empty")
        } else if s.chars().any(char::is_control) {
            Some("it holds a control character")
        } else if s.trim() != s {
            Some("it has surrounding spaces, and principals compare exactly")
        } else {
            None
        };
        if let Some(why) = why {
            return Err(wrong(
                path,
                format!(
                    "`{key}` holds '{}', which is not a principal: {why}",
                    s.escape_debug()
                ),
            ));
        }
        out.push(s.clone());
    }
    Ok(Some(out))
}

/// `signatures.allowed_signers`: a relative path inside the repository, in canonical form.
fn repo_path(path: &str, value: &Value) -> Result<String> {
    let key = "signatures.allowed_signers";
    let Value::String(s) = value else {
        return Err(wrong(
            path,
            format!("`{key}` must be a path in the repository"),
        ));
    };
    let why = if s.is_empty() {
        Some("it is empty")
    } else if s.starts_with('/') {
        Some("it is absolute; give it relative to the top of the repository")
    } else if s.chars().any(|c| c.is_control() || c == '\\') {
        Some("it holds a control character or a backslash")
    } else if s.split('/').any(|p| p == "..") {
        Some("it leads out of the repository (`..`)")
    } else if s.split('/').any(|p| p.is_empty() || p == ".") {
        Some("it has an empty or `.` part; write it as dir/file")
    } else {
        None
    };
    match why {
        Some(why) => Err(wrong(
            path,
            format!("`{key}` is '{}': {why}", s.escape_debug()),
        )),
        None => Ok(s.clone()),
    }
}

/// `signatures.required_since`: a day (its start, UTC) or an RFC 3339 time (UTC without an
/// offset), through the core's date parser.
fn cut_over(path: &str, value: &Value) -> Result<Timestamp> {
    let key = "signatures.required_since";
    let forms = "a date (2026-06-01, meaning its start in UTC) or an RFC 3339 time \
                 (2026-06-01T09:00:00+02:00; UTC without an offset)";
    let Value::String(s) = value else {
        let shown = value.to_yaml();
        return Err(wrong(
            path,
            format!(
                "`{key}` is {}, which is not {forms}",
                shown.trim_end().escape_debug()
            ),
        ));
    };
    if let Some(why) = invalid_day(s) {
        return Err(wrong(
            path,
            format!(
                "`{key}` is '{}', which is no calendar day: {why}",
                s.escape_debug()
            ),
        ));
    }
    let b = s.as_bytes();
    let iso = b.len() >= 10 && b[4] == b'-' && b[7] == b'-';
    let parsed = if !iso {
        None
    } else if b.len() == 10 {
        parse_git_date(&format!("{s}T00:00:00Z"))
    } else {
        parse_git_date(s)
    };
    parsed.ok_or_else(|| {
        wrong(
            path,
            format!("`{key}` is '{}', which is not {forms}", s.escape_debug()),
        )
    })
}

/// `signatures.gpg_keys`: principal → the fingerprints of the OpenPGP or X.509 keys that prove
/// it (hex, as `git verify-tag --raw` prints them in VALIDSIG; spaces and case do not matter).
fn gpg_keys(path: &str, value: &Value) -> Result<std::collections::BTreeMap<String, Vec<String>>> {
    let key = "signatures.gpg_keys";
    let Some(map) = mapping(path, key, value)? else {
        return Ok(std::collections::BTreeMap::new());
    };
    let mut out = std::collections::BTreeMap::new();
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for (k, v) in map {
        let Some(principal) = k.as_str() else {
            return Err(wrong(
                path,
                format!("`{key}` names {}, which is not a principal", key_name(k)),
            ));
        };
        let at = format!("{key}.{principal}");
        let named = principals(path, key, &Value::Sequence(vec![k.clone()]))?;
        debug_assert!(named.is_some());
        let list = match v {
            Value::String(s) => vec![s.clone()],
            Value::Sequence(items) => items
                .iter()
                .map(|i| match i {
                    Value::String(s) => Ok(s.clone()),
                    _ => Err(wrong(
                        path,
                        format!("`{at}` must be a list of fingerprints"),
                    )),
                })
                .collect::<Result<_>>()?,
            _ => {
                return Err(wrong(
                    path,
                    format!("`{at}` must be a list of fingerprints"),
                ));
            }
        };
        let mut fingerprints = Vec::new();
        for raw in list {
            let fp: String = raw
                .chars()
                .filter(|c| *c != ' ')
                .collect::<String>()
                .to_ascii_uppercase();
            // The whole fingerprint (40 hex digits for OpenPGP v4 and X.509 SHA-1, 64 for
            // OpenPGP v5/v6): a 16-digit key id would never match what the verifier reports.
            if !matches!(fp.len(), 40 | 64) || !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(wrong(
                    path,
                    format!(
                        "`{at}` holds '{}', which is not a whole key fingerprint (40 or 64 hex digits, as `git verify-tag --raw` prints it after VALIDSIG; a key id is not enough)",
                        raw.escape_debug()
                    ),
                ));
            }
            if let Some(other) = seen.insert(fp.clone(), principal.to_string())
                && other != principal
            {
                return Err(wrong(
                    path,
                    format!(
                        "`{key}` gives the key {fp} to both '{}' and '{}': one key is one principal",
                        other.escape_debug(),
                        principal.escape_debug()
                    ),
                ));
            }
            fingerprints.push(fp);
        }
        out.insert(principal.to_string(), fingerprints);
    }
    Ok(out)
}

/// Reads `signatures:` into `policy`.
pub(super) fn signatures(path: &str, value: &Value, policy: &mut TrustPolicy) -> Result<()> {
    let Some(map) = mapping(path, "signatures", value)? else {
        return Ok(());
    };
    for (key, v) in entries(path, "signatures", map, SIGNATURE_KEYS)? {
        match key {
            "allowed_signers" if !v.is_null() => policy.allowed_signers = Some(repo_path(path, v)?),
            "required_since" if !v.is_null() => policy.required_since = Some(cut_over(path, v)?),
            "gpg_keys" if !v.is_null() => policy.gpg_keys = Some(gpg_keys(path, v)?),
            _ => {}
        }
    }
    Ok(())
}

/// Reads `authorize:` into `policy`.
pub(super) fn authorize(path: &str, value: &Value, policy: &mut TrustPolicy) -> Result<()> {
    let Some(map) = mapping(path, "authorize", value)? else {
        return Ok(());
    };
    for (key, v) in entries(path, "authorize", map, AUTHORIZE_KEYS)? {
        let at = format!("authorize.{key}");
        match key {
            "register" => policy.register = principals(path, &at, v)?,
            "deregister" => policy.deregister = principals(path, &at, v)?,
            "deprecate" => policy.deprecate = principals(path, &at, v)?,
            _ => {
                let Some(stages) = mapping(path, &at, v)? else {
                    continue;
                };
                for (k, rule) in stages {
                    let stage = match k.as_str() {
                        Some(s) if is_name(s) => s,
                        _ => {
                            return Err(wrong(
                                path,
                                format!(
                                    "`authorize.stages` names '{}', which is not a valid stage name",
                                    key_name(k)
                                ),
                            ));
                        }
                    };
                    // Rules match stages without case (a `#PROD#` tag meets `prod`'s rules), so
                    // two rules that differ only in case would be one stage with two rules.
                    if let Some(other) =
                        policy.stages.keys().find(|k| k.eq_ignore_ascii_case(stage))
                    {
                        return Err(wrong(
                            path,
                            format!(
                                "`authorize.stages` names '{other}' and '{stage}', one stage in two cases: keep one"
                            ),
                        ));
                    }
                    let parsed = stage_rule(path, stage, rule)?;
                    policy.stages.insert(stage.to_string(), parsed);
                }
            }
        }
    }
    Ok(())
}

/// One stage's rules (`authorize.stages.S`).
fn stage_rule(path: &str, stage: &str, value: &Value) -> Result<StageRule> {
    let at = format!("authorize.stages.{stage}");
    let mut rule = StageRule::default();
    let Some(map) = mapping(path, &at, value)? else {
        return Ok(rule);
    };
    for (key, v) in entries(path, &at, map, STAGE_KEYS)? {
        let here = format!("{at}.{key}");
        match key {
            "assign" => rule.assign = principals(path, &here, v)?,
            "unassign" => rule.unassign = principals(path, &here, v)?,
            "metrics" => rule.metrics = metric_rules(path, &here, v)?,
            _ => match v {
                Value::Bool(b) => rule.two_person = *b,
                Value::Null => {}
                _ => return Err(wrong(path, format!("`{here}` must be true or false"))),
            },
        }
    }
    Ok(rule)
}

/// A stage's metric gate (`authorize.stages.S.metrics`): a list of rules `METRIC OP NUMBER`,
/// each parsed now, so a malformed rule is refused by name before anything is judged by it
/// (a rule read as "no rule" would open the gate).
///
/// An empty `metrics:` (no value, or `[]`) is refused too: a gate whose rules were commented out
/// by a tired hand would let every version in without a word; to drop the gate, drop the key.
fn metric_rules(path: &str, key: &str, value: &Value) -> Result<MetricRules> {
    let items = match value {
        Value::Null => {
            return Err(wrong(
                path,
                format!(
                    "`{key}` lists no rule: give at least one (for example [\"eval.auc >= 0.9\"]), or remove the key to have no metric gate"
                ),
            ));
        }
        Value::Sequence(items) if items.is_empty() => {
            return Err(wrong(
                path,
                format!(
                    "`{key}` is an empty list: give at least one rule (for example [\"eval.auc >= 0.9\"]), or remove the key to have no metric gate"
                ),
            ));
        }
        Value::Sequence(items) => items,
        _ => {
            return Err(wrong(
                path,
                format!(
                    "`{key}` must be a list of metric rules, for example [\"eval.auc >= 0.9\", \"latency_ms < 50\"]"
                ),
            ));
        }
    };
    let mut rules = Vec::new();
    for item in items {
        let Value::String(text) = item else {
            return Err(wrong(
                path,
                format!(
                    "`{key}` holds {}, which is not a metric rule (a string such as \"eval.auc >= 0.9\"; quote it in YAML)",
                    item.to_yaml().trim_end().escape_debug()
                ),
            ));
        };
        rules.push(Condition::parse(text).map_err(|why| wrong(path, format!("`{key}`: {why}")))?);
    }
    Ok(MetricRules(rules))
}
