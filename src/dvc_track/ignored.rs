//! Whether the commit's `.dvcignore` files leave a DVC record out: DVC collects `*.dvc`,
//! `dvc.yaml` and `dvc.lock` through its ignore-aware walk, so a record a pattern matches (or one
//! inside a matched directory) is no record DVC reads at that commit. Conservative: each
//! `.dvcignore` from the DVC root (the deepest directory holding `.dvc`) down to the record's
//! directory is read from the commit's tree, turned into globs exactly as DVC reads its patterns
//! (`digest::dvcignore::dvc_globs`, the work tree's reader), and matched on its own: a negation
//! in a deeper file does not let a record back in, so where files disagree the record is
//! refused, never read.

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
    // The commit's own DVC root: records are judged as the commit has them.
    let root = match super::dvc_root(repo, commit, file, false)? {
        Some(root) => dirs.iter().position(|d| *d == root).unwrap_or(0),
        None => 0,
    };
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
        builder.allow_unclosed_class(false);
        for glob in crate::digest::dvcignore::dvc_globs(&text, i == root) {
            // A pattern the glob compiler refuses is dropped, as pathspec drops a bad one.
            let _ = builder.add_line(None, &glob);
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
    fn the_root_files_quirks_come_from_dvcs_reading() {
        let ignored = |text: &str, at_root: bool, path: &str| {
            let mut b = GitignoreBuilder::new(Path::new("/r"));
            for glob in crate::digest::dvcignore::dvc_globs(text, at_root) {
                let _ = b.add_line(None, &glob);
            }
            b.build()
                .unwrap()
                .matched_path_or_any_parents(Path::new("/r").join(path), false)
                .is_ignore()
        };
        // In the DVC root's file `*/` matches nothing for DVC; below the root it works as git's.
        assert!(!ignored("*/\n", true, "legacy/dvc.lock"));
        assert!(ignored("*/\n", false, "legacy/dvc.lock"));
        assert!(ignored("legacy/\n", true, "legacy/dvc.lock"));
        assert!(!ignored("# legacy/\n", true, "legacy/dvc.lock"));
    }
}
