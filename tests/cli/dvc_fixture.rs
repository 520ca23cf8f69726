//! The DVC-bytes tests' helpers: a DVC repository, awkward files, and reading what DVC and
//! registry write (`.dvc` outs, tag trailers). DVC itself is found and run by `dvc_peer`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::fixture::TestRepo;

use crate::dvc_peer::Dvc;
pub(crate) use crate::dvc_peer::dvc_or_skip;

/// Runs DVC in the repository, hermetically (the one runner, `dvc_peer`); panics on failure.
/// Returns stdout.
#[track_caller]
pub(crate) fn dvc(repo: &TestRepo, bin: &Path, args: &[&str]) -> String {
    Dvc::new(bin.to_path_buf(), repo).run(args)
}

/// Runs DVC in `dir`, hermetically; panics on failure. Returns stdout.
#[track_caller]
pub(crate) fn dvc_in(repo: &TestRepo, bin: &Path, dir: &Path, args: &[&str]) -> String {
    Dvc::new(bin.to_path_buf(), repo).run_in(dir, args)
}

/// A repository with git and DVC initialized and `.dvc/` committed.
pub(crate) fn dvc_repo(bin: &Path) -> TestRepo {
    let repo = TestRepo::new();
    dvc(&repo, bin, &["init", "-q"]);
    repo.commit("dvc init");
    repo
}

/// Writes raw bytes in the work tree.
pub(crate) fn write_bytes(repo: &TestRepo, rel: &str, bytes: &[u8]) {
    let path = repo.path().join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// The trailers of a tag's message, by key.
pub(crate) fn trailers(repo: &TestRepo, tag: &str) -> BTreeMap<String, String> {
    let text = repo.git(&["tag", "-l", "--format=%(contents)", tag]);
    let last = text.trim_end().rsplit_once("\n\n").map_or("", |(_, t)| t);
    last.lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// DVC's record of its one out in a `.dvc` file's text: `(md5, size, nfiles)`.
pub(crate) fn dvc_out(text: &str) -> (String, u64, Option<u64>) {
    let value: yaml_serde::Value = yaml_serde::from_str(text).unwrap();
    let out = &value["outs"][0];
    assert_eq!(out["hash"].as_str(), Some("md5"), "{text}");
    (
        out["md5"].as_str().unwrap().to_string(),
        out["size"].as_u64().unwrap(),
        out["nfiles"].as_u64(),
    )
}

/// Declares `name` at `path` (artifacts.yaml).
pub(crate) fn declare(repo: &TestRepo, name: &str, path: &str) {
    repo.run(&["annotate", name, "--type", "model", "--path", path])
        .ok();
}

/// Files whose names and bytes are awkward: spaces, unicode (astral too), nesting, an empty
/// file, CRLF line ends (which DVC 3 hashes as they are).
pub(crate) fn awkward_dir(repo: &TestRepo, dir: &str) {
    for (rel, bytes) in [
        ("a file.txt", &b"x\n"[..]),
        ("ünï/cödé 😀.bin", "é".as_bytes()),
        ("nested/deeper/empty", b""),
        ("crlf.txt", b"a\r\nb\r\n"),
        ("sub/b.txt", b"y\n"),
    ] {
        write_bytes(repo, &format!("{dir}/{rel}"), bytes);
    }
}
