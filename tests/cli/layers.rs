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
    // What the files and tags mean to the shell.
    ("artifacts", 3),
    ("config", 3),
    ("remote", 3),
    ("json", 3),
    ("ci_outputs", 3),
    // What a registration stands for: a declaration's path, hashed.
    ("provenance", 4),
    // The commands, then the command line above them.
    ("commands", 5),
    ("cli", 6),
];

/// Top-level module of a file under `src/` (`None` for `lib.rs` and `main.rs`).
fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib" && name != "main").then(|| name.to_string())
}

/// Every `crate::NAME` a source file names, outside comments.
fn named_modules(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            names.push(name);
        }
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
        for name in named_modules(&text) {
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
    assert_eq!(
        named_modules("use crate::commands::Session; // crate::cli in a comment"),
        vec!["commands"]
    );
    assert_eq!(
        module_of(Path::new("registry/plan/mod.rs")).as_deref(),
        Some("registry")
    );
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
