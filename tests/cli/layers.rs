//! The dependency rule of `src/`, checked on the source: every module names (`crate::…`) only
//! modules of a lower layer, and the core (`registry/`) names none at all. The layers are the
//! README's "Design" section; a new module needs a line here, so the picture cannot drift.

use std::collections::BTreeMap;
use std::path::Path;

/// Each top-level module of `src/` and its layer: a module may only name modules of a lower
/// layer (its own submodules are its business).
const LAYERS: &[(&str, u8)] = &[
    // The pure core and the leaves: they name no other module of ours.
    ("registry", 0),
    ("yaml", 0),
    ("output", 0),
    ("error", 0),
    ("shell", 0),
    ("file_kind", 0),
    ("signals", 0),
    // The git seam.
    ("git", 1),
    // Reading files and the lock, digests.
    ("safe_read", 2),
    ("lock", 2),
    ("digest", 2),
    // Making and checking tag signatures.
    ("signature", 2),
    // What the files and tags mean to the shell.
    ("artifacts", 3),
    ("config", 3),
    ("remote", 3),
    ("json", 3),
    ("ci_outputs", 3),
    // DVC's record of an artifact's bytes at a commit (`.dvc`, `dvc.lock`, its cache listings).
    ("dvc_track", 3),
    // What a registration stands for: a declaration's path, hashed.
    ("provenance", 4),
    // A version's metrics: recorded trailers, or the declared files at its commit.
    ("metrics_source", 4),
    // The commands, then the command line above them.
    ("commands", 5),
    ("cli", 6),
];

/// The module path of a file under `src/`: `registry/plan/mod.rs` is `[registry, plan]`,
/// `registry/plan/assign.rs` is `[registry, plan, assign]`; empty for `lib.rs` and `main.rs`.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") || parts == ["lib"] || parts == ["main"] {
        parts.pop();
    }
    parts
}

/// Top-level module of a file under `src/` (`None` for `lib.rs` and `main.rs`).
fn module_of(rel: &Path) -> Option<String> {
    module_path(rel).into_iter().next()
}

/// The first identifier of each item a path leads to: `commands` for `commands::Session`,
/// `[a, b]` for `{a::X, b}` (a grouped import).
fn heads(rest: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let Some(group) = rest.strip_prefix('{') else {
        return vec![ident(rest)];
    };
    let (mut depth, mut items, mut start) = (0usize, Vec::new(), 0usize);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(ident(&group[start..i]));
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(ident(&group[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    items.into_iter().filter(|i| !i.is_empty()).collect()
}

/// Every top-level module a source file at `path` names, through `crate::…` or through enough
/// `super::` to climb out of its own top-level module, comments included (a doc link is a
/// dependency too). `crate as …` is refused outright, since an alias would hide the name.
fn named_modules(text: &str, path: &[String]) -> Vec<String> {
    let mut names = Vec::new();
    let bytes = text.as_bytes();
    // Inline modules (`mod tests { … }`) a position sits in: `super` there climbs out of them
    // first. Braces in strings could fool the count; the source has none that unbalance it.
    let (mut depth, mut inline): (usize, Vec<usize>) = (0, Vec::new());
    let mut i = 0;
    while i < text.len() {
        let at = &text[i..];
        let word_start = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                inline.retain(|&d| d <= depth);
            }
            _ => {}
        }
        if word_start && let Some(rest) = at.strip_prefix("mod ") {
            let name_len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if rest[name_len..].trim_start().starts_with('{') {
                inline.push(depth + 1);
            }
        }
        if word_start && let Some(rest) = at.strip_prefix("crate::") {
            names.extend(heads(rest));
            i += "crate::".len();
            continue;
        }
        if word_start && at.starts_with("crate as ") {
            names.push("crate as (an alias)".to_string());
        }
        if word_start && at.starts_with("super::") {
            let mut up = 0;
            let mut rest = at;
            while let Some(r) = rest.strip_prefix("super::") {
                up += 1;
                rest = r;
            }
            // A file's own module is `path`; `super` of a top-level module is the crate root.
            if up >= path.len() + inline.len() {
                names.extend(heads(rest));
            }
            i += at.len() - rest.len();
            continue;
        }
        i += at.chars().next().map_or(1, char::len_utf8);
    }
    names
}

#[test]
fn no_module_names_a_module_of_its_own_layer_or_above() {
    let layers: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for entry in walkdir(&src) {
        let rel = entry.strip_prefix(&src).unwrap().to_path_buf();
        let Some(module) = module_of(&rel) else {
            continue;
        };
        seen.insert(module.clone());
        let Some(&own) = layers.get(module.as_str()) else {
            wrong.push(format!(
                "src/{}: module '{module}' has no layer in LAYERS",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&entry).unwrap();
        for name in named_modules(&text, &module_path(&rel)) {
            if name == module {
                continue;
            }
            match layers.get(name.as_str()) {
                Some(&theirs) if theirs < own => {}
                Some(&theirs) => wrong.push(format!(
                    "src/{}: '{module}' (layer {own}) names '{name}' (layer {theirs})",
                    rel.display()
                )),
                None => wrong.push(format!(
                    "src/{}: names 'crate::{name}', which has no layer",
                    rel.display()
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Every layer names a module that exists, so the table cannot rot either.
    for (name, _) in LAYERS {
        assert!(
            seen.contains(*name),
            "LAYERS names '{name}', which src/ lacks"
        );
    }
}

#[test]
fn the_rule_itself_catches_an_upward_name() {
    let at = |p: &str| module_path(Path::new(p));
    assert_eq!(
        named_modules(
            "use crate::commands::Session; // crate::cli",
            &at("config.rs")
        ),
        vec!["commands", "cli"]
    );
    // Grouped, and through `super::` out of the file's own top-level module.
    assert_eq!(
        named_modules("use crate::{output, git::Repo};", &at("config.rs")),
        vec!["output", "git"]
    );
    assert_eq!(
        named_modules("use super::commands::Global;", &at("config.rs")),
        vec!["commands"]
    );
    assert_eq!(
        named_modules(
            "use super::super::super::commands::Session;",
            &at("registry/plan/assign.rs")
        ),
        vec!["commands"]
    );
    // Within its own top-level module, `super::` names nothing outside.
    assert!(
        named_modules(
            "use super::super::state::X;",
            &at("registry/plan/assign.rs")
        )
        .is_empty()
    );
    assert!(named_modules("use super::Context;", &at("registry/plan/mod.rs")).is_empty());
    assert!(named_modules("mod tests { use super::*; }", &at("output.rs")).is_empty());
    assert_eq!(
        named_modules("mod tests { use super::super::cli; }", &at("output.rs")),
        vec!["cli"]
    );
    // After a string holding `//`, and under an alias.
    assert_eq!(
        named_modules(
            "let u = \"https://x\"; crate::cli::run();",
            &at("config.rs")
        ),
        vec!["cli"]
    );
    assert_eq!(
        named_modules("use crate as r;", &at("config.rs")),
        vec!["crate as (an alias)"]
    );
    assert_eq!(at("registry/plan/mod.rs"), ["registry", "plan"]);
    assert_eq!(module_of(Path::new("lib.rs")), None);
}

/// Every `.rs` file under `dir`.
fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
