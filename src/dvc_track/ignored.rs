//! Whether the commit's `.dvcignore` files leave a DVC record out: DVC collects `*.dvc`,
//! `dvc.yaml` and `dvc.lock` through its ignore-aware walk, so a record a pattern matches (or one
//! inside a matched directory) is no record DVC reads at that commit. Conservative: each
//! `.dvcignore` from the git root down to the record's directory is read from the commit's tree
//! and matched with git's pattern rules (ripgrep's `ignore` crate), on its own — a negation in a
//! deeper file does not let a record back in — so where DVC's quirks differ the record is
//! refused, never read — but for the quirk that would refuse what DVC reads: in the DVC root's
//! file `*/` and `**/` match nothing. Files above the DVC root (the deepest directory holding
//! `.dvc`) are not DVC's. (`src/digest/dvcignore.rs` applies DVC's exact rules, to work-tree
//! files only.)

use std::path::Path;

use anyhow::Result;
use ignore::gitignore::GitignoreBuilder;

use crate::git::Repo;

/// Why DVC does not read the record `file` (repository-relative) at `commit`, finishing "DVC
/// does not read {file}: …"; `None` when no `.dvcignore` of the commit leaves it out.
pub(super) fn left_out(repo: &Repo, commit: &str, file: &str) -> Result<Option<String>> {
    let mut dirs: Vec<&str> = vec![""];
    dirs.extend(file.match_indices('/').map(|(i, _)| &file[..i]));
    let inside = |dir: &str, name: &str| {
        if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        }
    };
    let mut root = 0;
    for (i, dir) in dirs.iter().enumerate() {
        if matches!(
            repo.tree_file(commit, &inside(dir, ".dvc"), 0)?,
            crate::git::TreeFile::NotAFile("a directory")
        ) {
            root = i;
        }
    }
    let short = &commit[..commit.len().min(7)];
    for (i, dir) in dirs.into_iter().enumerate().skip(root) {
        let ignore_file = inside(dir, ".dvcignore");
        let text = match crate::safe_read::declaration_at(repo, commit, &ignore_file)? {
            Ok(Some(text)) => text,
            Ok(None) => continue,
            // DVC cannot use it either: which records it leaves out cannot be told.
            Err(_) => return Ok(Some(format!("{ignore_file} at {short} cannot be read"))),
        };
        let base = Path::new("/r").join(dir);
        let mut builder = GitignoreBuilder::new(&base);
        for line in patterns(&text) {
            if i == root && matches_nothing_at_root(&line) {
                continue;
            }
            // A pattern the glob compiler refuses is dropped, as pathspec drops a bad one.
            let _ = builder.add_line(None, &line);
        }
        let Ok(matcher) = builder.build() else {
            return Ok(Some(format!("{ignore_file} at {short} cannot be read")));
        };
        if matcher
            .matched_path_or_any_parents(Path::new("/r").join(file), false)
            .is_ignore()
        {
            return Ok(Some(format!("it is left out by {ignore_file} at {short}")));
        }
    }
    Ok(None)
}

/// A `.dvcignore`'s patterns as DVC reads the lines (Python's line breaks and `str.strip`; no
/// empty lines or `#` comments).
fn patterns(text: &str) -> Vec<String> {
    let python_space = |c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c);
    text.split(['\n', '\r'])
        .map(|line| line.trim_matches(python_space))
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// In the DVC root's `.dvcignore`, `*/`, `**/`, `**/*/` and `**/*/**` match nothing for DVC
/// (pathspec's regexes; `src/digest/dvcignore/lines.rs` has the whole of DVC's reading).
fn matches_nothing_at_root(line: &str) -> bool {
    let body = line.strip_prefix('!').unwrap_or(line);
    if body.starts_with('/') {
        return false;
    }
    let dir_only = body.ends_with('/');
    let mut segments: Vec<&str> = body.trim_end_matches('/').split('/').collect();
    segments.dedup_by(|a, b| *a == "**" && *b == "**");
    let nothing: &[&[&str]] = if dir_only {
        &[&["*"], &["**"], &["**", "*"]]
    } else {
        &[&["**", "*", "**"]]
    };
    nothing.contains(&segments.as_slice())
}

#[cfg(test)]
mod tests {
    use ignore::gitignore::GitignoreBuilder;
    use std::path::Path;

    #[test]
    fn a_directory_pattern_leaves_out_what_is_below_it() {
        let mut b = GitignoreBuilder::new(Path::new("/r"));
        b.add_line(None, "legacy/").unwrap();
        b.add_line(None, "*.dvc").unwrap();
        let m = b.build().unwrap();
        let hit = |p: &str| {
            m.matched_path_or_any_parents(Path::new("/r").join(p), false)
                .is_ignore()
        };
        assert!(hit("legacy/dvc.lock") && hit("models/m.pkl.dvc"));
        assert!(!hit("dvc.lock") && !hit("legacy.lock"));
    }

    #[test]
    fn what_dvc_matches_nothing_with_at_the_root() {
        for nothing in ["*/", "**/", "**/*/", "**/*/**", "!*/"] {
            assert!(super::matches_nothing_at_root(nothing), "{nothing}");
        }
        for something in ["/*/", "legacy/", "*", "**/*.dvc"] {
            assert!(!super::matches_nothing_at_root(something), "{something}");
        }
    }
}
