//! What DVC leaves out of a directory it hashes (DVC 3's `dvc/ignore.py`): `.dvcignore` files,
//! gitignore syntax, from the DVC repository's root down to the files; its built-in `.hg/`,
//! `.git/`, `.git` and `.dvc/`; and every nested DVC repository (a directory holding `.dvc`).
//!
//! DVC merges all `.dvcignore` files into one pattern list, each file's patterns re-rooted at its
//! directory and placed after those of the files above it, and the last pattern that matches a
//! path decides (`pathspec_math.merge_patterns`). A directory that is left out is not walked,
//! so nothing under it comes back. That is git's own rule, so the matching is the `ignore`
//! crate's [`Gitignore`] (ripgrep's), one per `.dvcignore`, asked deepest first: the deepest
//! one with a match has the last matching pattern of DVC's merged list.
//!
//! The DVC repository's root is the nearest directory above the hashed one that holds a `.dvc`
//! directory (DVC's `find_root`, which stops at a mount point too). With none, no rule applies
//! at all (review G4): a copy outside any repository is what `dvc get` or `dvc artifacts get`
//! wrote, exactly the listing, so an extra entry is never DVC's to leave out. Were the copy's
//! own `.dvcignore`, `.git/` or `.dvc` obeyed there, the copy would choose what is checked, and
//! one that hides an extra file would pass. DVC refuses to hash a directory holding a
//! `.dvcignore` that is not itself ignored (`IgnoreInCollectedDirError`), so its listings never
//! hold one: such a file is counted as a file here, and the copy is then other bytes than any
//! DVC records.

use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

mod lines;
use lines::{as_dvc_reads, patterns};

/// DVC's built-in patterns, in the root's list before the root's `.dvcignore` (`DvcIgnoreFilter`).
const DEFAULTS: [&str; 4] = [".hg/", ".git/", ".git", ".dvc/"];

/// A `.dvcignore` larger than this is refused (one pattern a line; DVC reads it whole).
const MAX_BYTES: u64 = 16 * 1024 * 1024;

/// The rules in force in one directory: the matchers of it and of the directories above it up
/// to the DVC root, shallowest first.
#[derive(Clone, Default)]
pub(super) struct Rules {
    layers: Vec<Arc<Gitignore>>,
}

/// Where a hashed directory stands among DVC's rules.
pub(super) struct Start {
    /// The hashed directory's path as DVC's rules see it (absolute, `.` and `..` resolved
    /// lexically, as Python's `abspath`): the walk's paths are matched from here.
    pub(super) abs: PathBuf,
    /// The rules in force inside it.
    pub(super) rules: Rules,
    /// Whether DVC leaves all of it out: it holds `.dvc` and is not the root, so it is a
    /// nested DVC repository of the one above.
    pub(super) nested_repo: bool,
}

impl Rules {
    /// Whether DVC leaves `path` (absolute, under every layer's directory) out.
    pub(super) fn ignored(&self, path: &Path, is_dir: bool) -> bool {
        for layer in self.layers.iter().rev() {
            match layer.matched(path, is_dir) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        false
    }

    /// The rules inside directory `dir` (absolute; not left out): these, and `dir/.dvcignore`
    /// when there is one that is not itself left out.
    pub(super) fn enter(&self, dir: &Path) -> Result<Rules> {
        self.with_file(dir, &[], false)
    }

    /// The rules inside `dir`, with `first` before the patterns of `dir/.dvcignore`.
    /// `at_root`: whether `dir` is the DVC root (whose file DVC reads as it is).
    fn with_file(&self, dir: &Path, first: &[&str], at_root: bool) -> Result<Rules> {
        let file = dir.join(".dvcignore");
        let lines = if self.ignored(&file, false) || std::fs::metadata(&file).is_err() {
            Vec::new()
        } else {
            patterns(&read(&file)?)
        };
        if first.is_empty() && lines.is_empty() {
            return Ok(self.clone());
        }
        let mut builder = GitignoreBuilder::new(dir);
        // git (and pathspec, DVC's matcher) drop a pattern with an unclosed `[`.
        builder.allow_unclosed_class(false);
        for line in first
            .iter()
            .copied()
            .chain(lines.iter().map(String::as_str))
        {
            for glob in as_dvc_reads(line, at_root) {
                // A pattern the glob compiler refuses is dropped, as pathspec drops a bad range.
                let _ = builder.add_line(None, &glob);
            }
        }
        let matcher = builder
            .build()
            .with_context(|| format!("cannot use {}", file.display()))?;
        let mut layers = self.layers.clone();
        layers.push(Arc::new(matcher));
        Ok(Rules { layers })
    }
}

/// A `.dvcignore`'s text as the git globs that match what DVC matches for it (`at_root`: the
/// file is the DVC root's), for a matcher of records read from a commit's tree
/// (`dvc_track::ignored`).
pub(crate) fn dvc_globs(text: &str, at_root: bool) -> Vec<String> {
    patterns(text)
        .iter()
        .flat_map(|line| as_dvc_reads(line, at_root))
        .collect()
}

/// The rules in force inside `dir`, found as DVC finds them (see the module comment); `None`
/// when no DVC repository holds `dir`, so nothing in it is left out.
pub(super) fn start(dir: &Path) -> Result<Option<Start>> {
    let abs = lexical_absolute(dir)?;
    let root = abs
        .ancestors()
        .skip(1)
        .take_while(|a| !a.as_os_str().is_empty())
        .scan(None, |below: &mut Option<PathBuf>, a| {
            // Past a mount point DVC stops looking (`os.path.ismount`).
            let crossed = below.as_deref().is_some_and(|b| !same_device(a, b));
            *below = Some(a.to_path_buf());
            (!crossed).then_some(a)
        })
        .find(|a| a.join(".dvc").is_dir())
        .map(Path::to_path_buf);
    let Some(root) = root else {
        return Ok(None);
    };
    let mut rules = Rules::default().with_file(&root, &DEFAULTS, true)?;
    let below: Vec<&Path> = abs
        .strip_prefix(&root)
        .map(|rel| {
            let mut dirs: Vec<&Path> = abs.ancestors().take(rel.components().count()).collect();
            dirs.reverse();
            dirs
        })
        .unwrap_or_default();
    for d in below {
        rules = rules.enter(d)?;
    }
    let nested_repo = abs != root && std::fs::metadata(abs.join(".dvc")).is_ok();
    Ok(Some(Start {
        abs,
        rules,
        nested_repo,
    }))
}

/// Whether two directories are on one file system (a mount point lies between them if not).
#[cfg(unix)]
fn same_device(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_device(_: &Path, _: &Path) -> bool {
    true
}

/// `path` made absolute against the current directory, `.` and `..` resolved by the names
/// alone (Python's `os.path.abspath`, what DVC's rules are matched against): links are not
/// followed.
fn lexical_absolute(path: &Path) -> Result<PathBuf> {
    let joined = std::path::absolute(path)
        .with_context(|| format!("cannot tell where {} is", path.display()))?;
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// A `.dvcignore`'s bytes: a regular file (a link to one is followed, as DVC follows it),
/// opened non-blocking so a FIFO put in its place never hangs the read, at most [`MAX_BYTES`].
fn read(path: &Path) -> Result<String> {
    let refuse = |why: String| {
        crate::error::UserError::new(format!(
            "cannot use {} as DVC's ignore rules: {why}",
            crate::output::escape(&path.display().to_string())
        ))
        .with_hint("a .dvcignore is a regular UTF-8 text file of gitignore patterns; DVC cannot use this one either")
    };
    let mut options = File::options();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options
        .open(path)
        .map_err(|e| refuse(format!("cannot open it: {e}")))?;
    let meta = file
        .metadata()
        .map_err(|e| refuse(format!("cannot read it: {e}")))?;
    if !meta.is_file() {
        return Err(refuse(format!(
            "it is {}, not a regular file",
            crate::file_kind::describe(meta.file_type())
        ))
        .into());
    }
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| refuse(format!("cannot read it: {e}")))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(refuse(format!("it is over {} MiB", MAX_BYTES >> 20)).into());
    }
    String::from_utf8(bytes).map_err(|e| {
        refuse(format!(
            "it is not UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        ))
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_at(root: &Path, lines: &[&str]) -> Rules {
        let mut b = GitignoreBuilder::new(root);
        b.allow_unclosed_class(false);
        for l in DEFAULTS.iter().chain(lines) {
            for glob in as_dvc_reads(l, true) {
                let _ = b.add_line(None, &glob);
            }
        }
        Rules {
            layers: vec![Arc::new(b.build().unwrap())],
        }
    }

    /// Whether a walk leaves `path` out: it, or a directory above it, is ignored.
    fn walk_ignores(r: &Rules, path: &str, is_dir: bool) -> bool {
        let root = Path::new("/r");
        let parts: Vec<&str> = path.split('/').collect();
        (1..parts.len()).any(|i| r.ignored(&root.join(parts[..i].join("/")), true))
            || r.ignored(&root.join(path), is_dir)
    }

    /// Each case is DVC 3.67's own answer (`DvcIgnorePatterns.matches`) for the patterns.
    #[test]
    fn patterns_match_as_dvcs_do() {
        let root = Path::new("/r");
        let r = rules_at(
            root,
            &[
                "*.tmp",
                "!keep.tmp",
                "/top",
                "build/",
                "a/**/z",
                "logs/**",
                "!logs/k",
                "?.q",
                "[ab].c",
                "[x",
            ],
        );
        let cases: &[(&str, bool, bool)] = &[
            ("x.tmp", false, true),
            ("d/x.tmp", false, true),
            ("d/keep.tmp", false, false),
            ("top", false, true),
            ("d/top", false, false),
            ("build", true, true),
            ("build", false, false),
            ("d/build", true, true),
            ("a/z", false, true),
            ("a/b/c/z", false, true),
            // Unlike git, `logs/**` leaves out `logs` itself, so `!logs/k` cannot let it in.
            ("logs", true, true),
            ("logs/k", false, true),
            ("1.q", false, true),
            ("12.q", false, false),
            ("a.c", false, true),
            ("c.c", false, false),
            ("[x", false, false),
            (".git", false, true),
            (".git", true, true),
            ("d/.hg", true, true),
            ("d/.hg", false, false),
            ("d/.dvc", true, true),
            ("d/.dvc", false, false),
            ("plain", false, false),
        ];
        let check = |r: &Rules, cases: &[(&str, bool, bool)]| {
            for &(path, is_dir, want) in cases {
                assert_eq!(walk_ignores(r, path, is_dir), want, "{path} dir={is_dir}");
            }
        };
        check(&r, cases);
        // Unlike git, a negation lets in what is below what it matches (`foo/s/f`), a
        // directory-only one the directories below (`bar/s`, whose files `*` still leaves out).
        let r = rules_at(root, &["*", "!foo", "!bar/"]);
        check(
            &r,
            &[
                ("foo", true, false),
                ("foo/f", false, false),
                ("foo/s/f", false, false),
                ("bar", true, false),
                ("bar/f", false, true),
                ("bar/s", true, false),
                ("bar/s/f", false, true),
                ("z", false, true),
            ],
        );
        // Braces and POSIX classes are literal text to DVC (review G10): DVC 3.67's answers.
        let r = rules_at(root, &["{a,b}", "c}", "[[:alpha:]]", "[{]x"]);
        check(
            &r,
            &[
                ("a", false, false),
                ("b", false, false),
                ("{a,b}", false, true),
                ("c}", false, true),
                ("z", false, false),
                ("h]", false, true),
                ("{x", false, true),
                ("x", false, false),
            ],
        );
        // Unlike git, `*/` and `**/*/` match nothing; `!x/**` lets `x` itself in.
        let r = rules_at(root, &["*/", "x", "!x/**", "**/*/"]);
        check(
            &r,
            &[
                ("d", true, false),
                ("x", true, false),
                ("x/f", false, false),
                ("d/x", true, true),
            ],
        );
    }

    #[test]
    fn deeper_files_decide_first_and_a_root_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".dvc")).unwrap();
        std::fs::create_dir_all(root.join("data/d/s")).unwrap();
        std::fs::write(root.join(".dvcignore"), "*.tmp\n/data/d/anchored\n").unwrap();
        std::fs::write(root.join("data/.dvcignore"), "!keep.tmp\nx/\n").unwrap();
        let s = start(&root.join("data/./d")).unwrap().unwrap();
        assert!(!s.nested_repo);
        let d = root.join("data/d");
        assert_eq!(s.abs, d);
        let ignored = |p: &str, dir: bool| s.rules.ignored(&d.join(p), dir);
        assert!(ignored("a.tmp", false) && ignored("s/a.tmp", false));
        assert!(!ignored("keep.tmp", false) && !ignored("s/keep.tmp", false));
        assert!(ignored("anchored", false) && !ignored("s/anchored", false));
        assert!(ignored("s/x", true) && !ignored("s/x", false));
        // Inside, a `.dvcignore` adds its own patterns for what is below it.
        std::fs::write(d.join("s/.dvcignore"), "keep.tmp\n").unwrap();
        let inner = s.rules.enter(&d.join("s")).unwrap();
        assert!(inner.ignored(&d.join("s/keep.tmp"), false));
        assert!(!inner.ignored(&d.join("s/.dvcignore"), false));
        // A directory holding `.dvc` below the root is a nested repository.
        std::fs::write(d.join("s/.dvc"), "").unwrap();
        assert!(start(&d.join("s")).unwrap().unwrap().nested_repo);
        // Outside any repository no rule applies, not even a `.dvc` of the directory's own.
        let out = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(out.path().join("dl/.dvc")).unwrap();
        assert!(start(&out.path().join("dl")).unwrap().is_none());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_or_non_utf8_dvcignore_is_refused_without_hanging() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join(".dvcignore");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&f)
                .status()
                .unwrap()
                .success()
        );
        let err = format!("{:#}", Rules::default().enter(dir.path()).err().unwrap());
        assert!(err.contains("not a regular file"), "{err}");
        std::fs::remove_file(&f).unwrap();
        std::fs::write(&f, b"a\xff\n").unwrap();
        let err = format!("{:#}", Rules::default().enter(dir.path()).err().unwrap());
        assert!(err.contains("not UTF-8"), "{err}");
    }
}
