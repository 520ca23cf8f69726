//! No test file is left out: a file under `tests/cli/` that no `mod` line names compiles into
//! nothing, and its tests never run. Every `X.rs` in `tests/cli/` must be named in `main.rs`, and
//! every `D/X.rs` in its parent module's file `D.rs` (as `writes.rs` names `writes/*.rs`).

use std::path::{Path, PathBuf};

/// Whether `parent` (Rust source) declares `mod NAME;`, `pub mod NAME;` or `pub(crate) mod NAME;`.
fn declares(parent: &str, name: &str) -> bool {
    parent.lines().any(|line| {
        let line = line.trim();
        let line = ["pub(crate) ", "pub(super) ", "pub "]
            .iter()
            .find_map(|p| line.strip_prefix(p))
            .unwrap_or(line);
        line.strip_prefix("mod ")
            .and_then(|rest| rest.strip_suffix(';'))
            .is_some_and(|declared| declared.trim() == name)
    })
}

/// The files under `dir` (relative to `root`) that their parent module does not declare.
fn undeclared(root: &Path, dir: &Path) -> Vec<String> {
    let parent_file = if dir == root {
        root.join("main.rs")
    } else {
        dir.with_extension("rs")
    };
    let parent = std::fs::read_to_string(&parent_file).unwrap_or_default();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let mut missing = Vec::new();
    for path in entries {
        let rel = path.strip_prefix(root).unwrap().display().to_string();
        if path.is_dir() {
            if !dir
                .join(format!("{rel_name}.rs", rel_name = file_stem(&path)))
                .is_file()
            {
                missing.push(format!("{rel}/ (no {rel}.rs declares its files)"));
            }
            missing.extend(undeclared(root, &path));
        } else if path.extension().is_some_and(|e| e == "rs")
            && path != root.join("main.rs")
            && !declares(&parent, &file_stem(&path))
        {
            let by = parent_file.strip_prefix(root).unwrap().display();
            missing.push(format!("{rel} (no `mod {};` in {by})", file_stem(&path)));
        }
    }
    missing
}

fn file_stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

#[test]
fn every_test_file_is_declared_by_its_parent_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli");
    let missing = undeclared(&root, &root);
    assert!(
        missing.is_empty(),
        "test files that never run:\n{}",
        missing.join("\n")
    );
}

#[test]
fn a_file_left_out_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("main.rs"),
        "mod kept;\npub mod writes;\n// mod forgotten;\n",
    )
    .unwrap();
    for file in [
        "kept.rs",
        "forgotten.rs",
        "writes/a.rs",
        "writes/b.rs",
        "lonely/c.rs",
    ] {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "").unwrap();
    }
    std::fs::write(root.join("writes.rs"), "mod a;\n").unwrap();
    assert_eq!(
        undeclared(root, root),
        [
            "forgotten.rs (no `mod forgotten;` in main.rs)",
            "lonely/ (no lonely.rs declares its files)",
            "lonely/c.rs (no `mod c;` in lonely.rs)",
            "writes/b.rs (no `mod b;` in writes.rs)",
        ]
    );
}
