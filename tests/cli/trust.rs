//! The trust gate end to end, through the real binary (issue 10, points 3–5 and 8): keys made
//! here, tags signed by real git or by registry, the policy on the default branch, and what
//! `check-ref --policy`, `audit`, local writes, `doctor` and the JSON reads make of them. This
//! file holds the kit the submodules share: keys with principals, an allowed-signers file, signed,
//! unsigned and tampered tags, clones as CI makes them, and redaction of the random key material.

mod audit;
mod check_ref;
mod doctor;
mod holes;
mod json;
mod writes;

use std::path::{Path, PathBuf};

use crate::fixture::{Run, TestRepo, run_timed_in_with};

/// An ed25519 key made for the test, with the principal the allowed-signers file gives it.
pub(crate) struct Key {
    pub name: &'static str,
    pub principal: String,
    pub file: PathBuf,
    /// `ssh-ed25519 AAAA… NAME`
    pub public: String,
    /// `SHA256:…`
    pub fingerprint: String,
}

/// A program run in `dir` with the fixture's environment; panics on failure, returns stdout.
#[track_caller]
pub(crate) fn sh_in(repo: &TestRepo, dir: &Path, program: &str, args: &[&str]) -> String {
    let out = repo
        .command(Path::new(program), dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Key {
    /// A new key `NAME` in the fixture's HOME, for `principal`.
    pub(crate) fn new(repo: &TestRepo, name: &'static str, principal: &str) -> Key {
        let file = repo.home().join(format!("key_{name}"));
        let f = file.to_str().unwrap();
        sh_in(
            repo,
            &repo.home(),
            "ssh-keygen",
            &["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", f],
        );
        let public = std::fs::read_to_string(format!("{f}.pub"))
            .unwrap()
            .trim()
            .to_string();
        let listed = sh_in(
            repo,
            &repo.home(),
            "ssh-keygen",
            &["-l", "-f", &format!("{f}.pub")],
        );
        let fingerprint = listed.split_whitespace().nth(1).unwrap().to_string();
        Key {
            name,
            principal: principal.to_string(),
            file,
            public,
            fingerprint,
        }
    }

    /// Its allowed-signers line, with extra options (`valid-before="…"`) after the namespace.
    pub(crate) fn line(&self, options: &str) -> String {
        let sep = if options.is_empty() { "" } else { "," };
        format!(
            "{} namespaces=\"git\"{sep}{options} {}\n",
            self.principal, self.public
        )
    }

    /// Makes registry sign with this key (git config of the repository at `dir`).
    pub(crate) fn use_in(&self, repo: &TestRepo, dir: &Path) {
        sh_in(repo, dir, "git", &["config", "gpg.format", "ssh"]);
        sh_in(
            repo,
            dir,
            "git",
            &["config", "user.signingKey", self.file.to_str().unwrap()],
        );
    }
}

/// `git tag -s` signed with `key` (SSH), message `NAME`, in the repository at `dir`.
#[track_caller]
pub(crate) fn signed_tag(repo: &TestRepo, dir: &Path, key: &Key, name: &str, target: &str) {
    let signing_key = format!("user.signingKey={}", key.file.display());
    sh_in(
        repo,
        dir,
        "git",
        &[
            "-c",
            "gpg.format=ssh",
            "-c",
            &signing_key,
            "tag",
            "-s",
            "-m",
            name,
            name,
            target,
        ],
    );
}

/// An annotated tag without signature.
#[track_caller]
pub(crate) fn unsigned_tag(repo: &TestRepo, name: &str, target: &str) {
    repo.git(&["tag", "-a", "-m", name, name, target]);
}

/// Alters one byte of a signed tag's message (its first letter upper-cased) and points the
/// tag at the altered object: what the signature covers no longer matches it.
#[track_caller]
pub(crate) fn tamper(repo: &TestRepo, name: &str) {
    let object = repo.git(&["cat-file", "tag", name]) + "\n";
    let marker = format!("\n\n{name}\n");
    assert!(object.contains(&marker), "{object}");
    let mut altered = name.to_string();
    altered.replace_range(0..1, &name[0..1].to_uppercase());
    let object = object.replacen(&marker, &format!("\n\n{altered}\n"), 1);
    let file = repo.home().join("tampered");
    std::fs::write(&file, object).unwrap();
    let id = repo.git(&["hash-object", "-t", "tag", "-w", file.to_str().unwrap()]);
    repo.git(&["update-ref", &format!("refs/tags/{name}"), &id]);
}

/// The allowed-signers file and policy of the tests: every event from the day the fixture's
/// clock starts must be signed; only alice may assign prod, and not a version she registered.
pub(crate) const POLICY: &str = "\
signatures:
  allowed_signers: .registry/allowed_signers
  required_since: 2023-11-14
authorize:
  stages:
    prod:
      assign: [alice@example.com]
      two_person: true
";

/// Writes `.registry.yaml` (`policy`) and `.registry/allowed_signers` (`signers`), and commits.
pub(crate) fn commit_policy(repo: &TestRepo, policy: &str, signers: &str) -> String {
    repo.write(".registry.yaml", policy);
    repo.write(".registry/allowed_signers", signers);
    repo.commit("trust policy")
}

/// A `git clone` of the repository next to it, named `name`: origin/HEAD names its default
/// branch, as in CI.
pub(crate) fn clone(repo: &TestRepo, name: &str) -> PathBuf {
    let dir = repo.path().parent().unwrap().join(name);
    sh_in(
        repo,
        &repo.home(),
        "git",
        &[
            "clone",
            "-q",
            repo.path().to_str().unwrap(),
            dir.to_str().unwrap(),
        ],
    );
    dir
}

/// `registry ARGS` in `dir`, its key material redacted.
pub(crate) fn run_in(repo: &TestRepo, dir: &Path, keys: &[&Key], args: &[&str]) -> Run {
    let mut run = run_timed_in_with(repo, dir, args, |_| {});
    run.stdout = unplace(repo, &redact(&run.stdout, keys));
    run.stderr = unplace(repo, &redact(&run.stderr, keys));
    run
}

/// The test's temporary directory shown as `TMP` (messages name files by absolute path), and
/// each commit id by its place in history, oldest first (`<commit-1>`, `<c1>` for a short id,
/// padded to the same width): commits hold the allowed-signers file, whose keys are random.
pub(crate) fn unplace(repo: &TestRepo, text: &str) -> String {
    let tmp = repo.path().parent().unwrap().display().to_string();
    let mut text = text.replace(&tmp, "TMP");
    let git = git2::Repository::open(repo.path()).unwrap();
    let mut walk = git.revwalk().unwrap();
    walk.push_glob("*").unwrap();
    walk.set_sorting(git2::Sort::TIME | git2::Sort::REVERSE)
        .unwrap();
    let pad = |s: String, width: usize| format!("{s:.<width$}");
    for (i, id) in walk.enumerate() {
        let id = id.unwrap().to_string();
        text = text.replace(&id, &pad(format!("<commit-{}>", i + 1), 40));
        text = text.replace(&id[..7], &pad(format!("<c{}>", i + 1), 7));
    }
    text
}

/// The transcript of `registry ARGS` in the work tree, its key material redacted.
pub(crate) fn t(repo: &TestRepo, keys: &[&Key], args: &[&str]) -> String {
    unplace(repo, &redact(&repo.t(args), keys))
}

/// Random key material replaced by the key's name, padded to the same width so tables stay
/// aligned: `SHA256:<alice>……`, `<alice:key>……`.
pub(crate) fn redact(text: &str, keys: &[&Key]) -> String {
    let same_width = |what: String, like: &str| {
        let pad = like.chars().count().saturating_sub(what.chars().count());
        format!("{what}{}", ".".repeat(pad))
    };
    let mut text = text.to_string();
    for k in keys {
        let fp = same_width(format!("SHA256:<{}>", k.name), &k.fingerprint);
        text = text.replace(&k.fingerprint, &fp);
        let blob = k.public.split_whitespace().nth(1).unwrap();
        text = text.replace(blob, &format!("<{}:key>", k.name));
    }
    text
}

/// The fingerprint git's verifier names for an OpenPGP-signed tag (`VALIDSIG`'s first field),
/// which `signatures.gpg_keys` pins.
pub(crate) fn validsig(repo: &TestRepo, tag: &str) -> String {
    let raw = repo
        .command(std::path::Path::new("git"), &repo.path())
        .args(["verify-tag", "--raw", tag])
        .output()
        .unwrap();
    let raw = String::from_utf8_lossy(&raw.stderr).into_owned();
    raw.lines()
        .find_map(|l| l.strip_prefix("[GNUPG:] VALIDSIG "))
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("no VALIDSIG in {raw}"))
        .to_string()
}
