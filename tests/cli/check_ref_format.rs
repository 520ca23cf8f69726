//! `registry check-ref REF --format github|gitlab` (SPEC §4.4, §6): step outputs for CI, written
//! so that no value can inject another key. Each file is read back the way the CI system reads
//! it (GitHub's runner, GitLab's dotenv parser), not merely compared as text.

use std::path::{Path, PathBuf};

use crate::fixture::TestRepo;
use crate::reads::{ok, tag};

/// The seven keys, in the order they are written (the action's outputs and the examples' job
/// outputs are these too).
pub(crate) const KEYS: [&str; 7] = [
    "name",
    "version",
    "stage",
    "event",
    "type",
    "path",
    "description",
];

/// A description that tries to add keys of its own: a newline, then `event=deploy`, then a
/// block of GitHub's heredoc form with a guessable delimiter, then a dotenv line.
const HOSTILE: &str = "Churn model\nevent=deploy\nstage<<EOF\nprod\nEOF\nREGISTRY_EVENT=deploy\r\nREGISTRY_STAGE=prod";

/// `churn` declared with a hostile description, registered (v0.0.1) and promoted to prod.
fn scene() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("models/churn.pkl", "weights\n");
    let yaml = format!(
        "churn:\n  type: model\n  path: models/churn.pkl\n  description: {}\n",
        serde_json::to_string(HOSTILE).unwrap()
    );
    repo.write("artifacts.yaml", &yaml);
    repo.commit("first");
    ok(&repo, &["register", "churn"]);
    ok(&repo, &["promote", "churn", "prod"]);
    repo
}

/// `$GITHUB_OUTPUT` as the GitHub runner reads it (`SetEnvFileCommand`/`SetOutputFileCommand`
/// in actions/runner): `key=value` lines, and `key<<DELIM` blocks whose value is every line up
/// to the first line that is exactly `DELIM`, without the last newline. Empty lines between
/// entries are skipped. Keys in file order, later ones repeated as written.
pub(crate) fn parse_github_output(text: &str) -> Result<Vec<(String, String)>, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let bare = |l: &str| l.strip_suffix('\n').unwrap_or(l).to_string();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = bare(lines[i]);
        i += 1;
        if line.is_empty() {
            continue;
        }
        let eq = line.find('=');
        let heredoc = line.find("<<");
        match (eq, heredoc) {
            (Some(e), h) if h.is_none_or(|h| e < h) => {
                out.push((line[..e].to_string(), line[e + 1..].to_string()));
            }
            (_, Some(h)) => {
                let (key, delimiter) = (&line[..h], &line[h + 2..]);
                if key.is_empty() || delimiter.is_empty() {
                    return Err(format!("invalid line {line:?}"));
                }
                let mut value = String::new();
                loop {
                    let Some(l) = lines.get(i) else {
                        return Err(format!("matching delimiter not found {delimiter:?}"));
                    };
                    i += 1;
                    if bare(l) == delimiter {
                        break;
                    }
                    value.push_str(l);
                }
                let value = value.strip_suffix('\n').unwrap_or(&value).to_string();
                out.push((key.to_string(), value));
            }
            _ => return Err(format!("invalid line {line:?}")),
        }
    }
    Ok(out)
}

/// A dotenv report as GitLab reads it (`Ci::ParseDotenvArtifactService#scan_line!`): each line
/// split at its first `=`, key and value stripped of surrounding whitespace; quotes are kept.
pub(crate) fn parse_dotenv(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(|l| {
            let (k, v) = l.split_once('=').expect("every line has '='");
            (k.trim().to_string(), v.trim().to_string())
        })
        .collect()
}

fn github_output(repo: &TestRepo) -> PathBuf {
    repo.home().join("github_output")
}

/// `registry ARGS` with `GITHUB_OUTPUT` set.
fn run_github(repo: &TestRepo, args: &[&str]) -> String {
    let file = github_output(repo);
    repo.run_with(args, |c| {
        c.env("GITHUB_OUTPUT", &file);
    })
    .transcript()
}

/// The file with its random delimiter replaced by `DELIM`, so a snapshot can show it.
fn readable(text: &str) -> String {
    let delimiter = text
        .lines()
        .find_map(|l| l.split_once("<<").map(|(_, d)| d.to_string()))
        .expect("a heredoc line");
    assert!(delimiter.starts_with("ghadelimiter_"), "{delimiter}");
    assert_eq!(delimiter.len(), "ghadelimiter_".len() + 32);
    text.replace(&delimiter, "DELIM")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn github_outputs_of_a_registration() {
    let repo = scene();
    // GitHub's file may already hold earlier steps' outputs: they stay.
    std::fs::write(github_output(&repo), "earlier=1\n").unwrap();
    insta::assert_snapshot!(run_github(&repo, &["check-ref", "churn@v0.0.1", "--format", "github"]), @r#"
    $ registry check-ref churn@v0.0.1 --format github
    Version "v0.0.1" of artifact "churn" was registered
    [exit 0]
    "#);
    let text = read(&github_output(&repo));
    insta::assert_snapshot!(readable(&text), @"
    earlier=1
    name<<DELIM
    churn
    DELIM
    version<<DELIM
    v0.0.1
    DELIM
    stage<<DELIM

    DELIM
    event<<DELIM
    registration
    DELIM
    type<<DELIM
    model
    DELIM
    path<<DELIM
    models/churn.pkl
    DELIM
    description<<DELIM
    Churn model
    event=deploy
    stage<<EOF
    prod
    EOF
    REGISTRY_EVENT=deploy
    REGISTRY_STAGE=prod
    DELIM
    ");
    let parsed = parse_github_output(&text).unwrap();
    let expected: Vec<(String, String)> = [
        ("earlier", "1"),
        ("name", "churn"),
        ("version", "v0.0.1"),
        ("stage", ""),
        ("event", "registration"),
        ("type", "model"),
        ("path", "models/churn.pkl"),
        ("description", HOSTILE),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(parsed, expected);
}

#[test]
fn github_outputs_of_an_assignment_and_a_deprecation() {
    let repo = scene();
    run_github(
        &repo,
        &["check-ref", "refs/tags/churn#prod#1", "--format", "github"],
    );
    let parsed = parse_github_output(&read(&github_output(&repo))).unwrap();
    let keys: Vec<&str> = parsed.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, KEYS);
    let get = |k: &str| parsed.iter().find(|(key, _)| key == k).unwrap().1.clone();
    assert_eq!(
        (get("event"), get("stage"), get("version")),
        ("assignment".into(), "prod".into(), "v0.0.1".into())
    );

    // A deprecation has no version and no stage.
    ok(&repo, &["deprecate", "churn"]);
    std::fs::remove_file(github_output(&repo)).unwrap();
    insta::assert_snapshot!(run_github(&repo, &["check-ref", "churn@deprecated", "--format", "github"]), @r#"
    $ registry check-ref churn@deprecated --format github
    Artifact "churn" was deprecated
    [exit 0]
    "#);
    let parsed = parse_github_output(&read(&github_output(&repo))).unwrap();
    let pairs: Vec<String> = parsed
        .iter()
        .take(4)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    assert_eq!(
        pairs,
        ["name=churn", "version=", "stage=", "event=deprecation"]
    );
}

#[test]
fn github_without_github_output_is_an_error() {
    let repo = scene();
    insta::assert_snapshot!(repo.t(&["check-ref", "churn@v0.0.1", "--format", "github"]), @"
    $ registry check-ref churn@v0.0.1 --format github
    --- stderr
    error: GITHUB_OUTPUT is not set: --format github appends step outputs to the file it names
    hint: run it in a GitHub Actions step; elsewhere set GITHUB_OUTPUT=FILE, or use --json
    [exit 1]
    ");
    // Set but empty is unset.
    let run = repo.run_with(&["check-ref", "churn@v0.0.1", "--format", "github"], |c| {
        c.env("GITHUB_OUTPUT", "");
    });
    assert_eq!(run.code, 1, "{}", run.transcript());
    // A ref that is not a registry tag needs no file: nothing to write, success.
    insta::assert_snapshot!(repo.t(&["check-ref", "refs/heads/main", "--format", "github"]), @"
    $ registry check-ref refs/heads/main --format github
    [exit 0]
    ");
}

#[test]
fn nothing_is_written_for_what_is_not_an_event() {
    let repo = scene();
    repo.git(&["tag", "churn#staging"]); // lightweight: means nothing
    tag(&repo, "v1.2.3", "HEAD"); // not a registry tag
    let mut t = String::new();
    for r in ["main", "refs/tags/v1.2.3", "churn#staging"] {
        t.push_str(&run_github(&repo, &["check-ref", r, "--format", "github"]));
        t.push('\n');
        t.push_str(&repo.t(&["check-ref", r, "--format", "gitlab"]));
        t.push('\n');
    }
    // A registry-shaped tag that is not here: the tags were not fetched.
    t.push_str(&run_github(
        &repo,
        &["check-ref", "churn@v9.9.9", "--format", "github"],
    ));
    t.push('\n');
    t.push_str(&repo.t(&["check-ref", "churn#prod#7", "--format", "gitlab"]));
    insta::assert_snapshot!(t, @"
    $ registry check-ref main --format github
    [exit 0]
    $ registry check-ref main --format gitlab
    [exit 0]
    $ registry check-ref refs/tags/v1.2.3 --format github
    [exit 0]
    $ registry check-ref refs/tags/v1.2.3 --format gitlab
    [exit 0]
    $ registry check-ref 'churn#staging' --format github
    --- stderr
    warning: tag 'churn#staging' is a lightweight tag; registry tags must be annotated (`git tag -a`), so it means nothing
    [exit 0]
    $ registry check-ref 'churn#staging' --format gitlab
    --- stderr
    warning: tag 'churn#staging' is a lightweight tag; registry tags must be annotated (`git tag -a`), so it means nothing
    [exit 0]
    $ registry check-ref churn@v9.9.9 --format github
    --- stderr
    error: tag 'churn@v9.9.9' is not found in this repository
    hint: fetch the tags first (`git fetch --tags`; a shallow CI checkout has none)
    [exit 1]
    $ registry check-ref 'churn#prod#7' --format gitlab
    --- stderr
    error: tag 'churn#prod#7' is not found in this repository
    hint: fetch the tags first (`git fetch --tags`; a shallow CI checkout has none)
    [exit 1]
    ");
    assert!(!github_output(&repo).exists());
    assert!(!repo.path().join("registry.env").exists());
}

#[test]
fn format_excludes_the_other_output_flags() {
    let repo = scene();
    let mut t = String::new();
    for args in [
        &["check-ref", "churn@v0.0.1", "--format", "github", "--json"][..],
        &["check-ref", "churn@v0.0.1", "--event", "--format", "gitlab"],
        &["check-ref", "churn@v0.0.1", "--output", "x.env"],
        &[
            "check-ref",
            "churn@v0.0.1",
            "--format",
            "github",
            "--output",
            "x.env",
        ],
        &["check-ref", "churn@v0.0.1", "--format", "jenkins"],
    ] {
        t.push_str(&repo.t(args));
        t.push('\n');
    }
    insta::assert_snapshot!(t, @"
    $ registry check-ref churn@v0.0.1 --format github --json
    --- stderr
    error: the argument '--format <CI>' cannot be used with '--json'

    Usage: registry check-ref --format <CI> <REF>

    For more information, try '--help'.
    [exit 2]
    $ registry check-ref churn@v0.0.1 --event --format gitlab
    --- stderr
    error: the argument '--event' cannot be used with '--format <CI>'

    Usage: registry check-ref --event <REF>

    For more information, try '--help'.
    [exit 2]
    $ registry check-ref churn@v0.0.1 --output x.env
    --- stderr
    error: the following required arguments were not provided:
      --format <CI>

    Usage: registry check-ref --format <CI> --output <FILE> <REF>

    For more information, try '--help'.
    [exit 2]
    $ registry check-ref churn@v0.0.1 --format github --output x.env
    --- stderr
    error: --output is for --format gitlab; --format github appends to the file named by $GITHUB_OUTPUT

    For more information, try '--help'.
    [exit 2]
    $ registry check-ref churn@v0.0.1 --format jenkins
    --- stderr
    error: invalid value 'jenkins' for '--format <CI>'
      [possible values: github, gitlab]

    For more information, try '--help'.
    [exit 2]
    ");
    assert!(!repo.path().join("x.env").exists());
}

#[test]
fn gitlab_dotenv_of_a_registration() {
    let repo = scene();
    insta::assert_snapshot!(repo.t(&["check-ref", "churn@v0.0.1", "--format", "gitlab"]), @r#"
    $ registry check-ref churn@v0.0.1 --format gitlab
    Version "v0.0.1" of artifact "churn" was registered
    [exit 0]
    "#);
    let text = read(&repo.path().join("registry.env"));
    // One line per key, GitHub's keys; the description's line breaks are spaces, so its
    // `event=deploy` and `REGISTRY_EVENT=deploy` are text inside `description`, not keys.
    insta::assert_snapshot!(text, @"
    name=churn
    version=v0.0.1
    stage=
    event=registration
    type=model
    path=models/churn.pkl
    description=Churn model event=deploy stage<<EOF prod EOF REGISTRY_EVENT=deploy  REGISTRY_STAGE=prod
    ");
    let parsed = parse_dotenv(&text);
    let keys: Vec<String> = parsed.iter().map(|(k, _)| k.clone()).collect();
    let expected: Vec<String> = KEYS.iter().map(ToString::to_string).collect();
    assert_eq!(keys, expected);
    assert_eq!(parsed[3].1, "registration");
    assert_eq!(parsed[2].1, "");
}

#[test]
fn gitlab_dotenv_of_an_assignment_to_another_file() {
    let repo = scene();
    std::fs::create_dir(repo.path().join("out")).unwrap();
    insta::assert_snapshot!(repo.t(&["check-ref", "churn#prod#1", "--format", "gitlab", "--prefix", "REGISTRY_", "--output", "out/ci.env"]), @r#"
    $ registry check-ref 'churn#prod#1' --format gitlab --prefix REGISTRY_ --output out/ci.env
    Stage "prod" was assigned to version "v0.0.1" of artifact "churn"
    [exit 0]
    "#);
    let parsed = parse_dotenv(&read(&repo.path().join("out/ci.env")));
    assert_eq!(
        parsed[..4],
        [
            ("REGISTRY_NAME".to_string(), "churn".to_string()),
            ("REGISTRY_VERSION".into(), "v0.0.1".into()),
            ("REGISTRY_STAGE".into(), "prod".into()),
            ("REGISTRY_EVENT".into(), "assignment".into()),
        ]
    );
    // The file is replaced, not appended to.
    ok(
        &repo,
        &[
            "check-ref",
            "churn@v0.0.1",
            "--format",
            "gitlab",
            "--output",
            "out/ci.env",
        ],
    );
    let parsed = parse_dotenv(&read(&repo.path().join("out/ci.env")));
    assert_eq!(parsed.len(), 7);
    assert_eq!(parsed[3].1, "registration");
}

#[test]
fn gitlab_shortens_a_description_too_long_for_a_dotenv_report() {
    let repo = TestRepo::new();
    let long = "word ".repeat(400); // 2000 bytes
    repo.write(
        "artifacts.yaml",
        &format!("churn:\n  virtual: true\n  description: {long}\n"),
    );
    repo.commit("first");
    ok(&repo, &["register", "churn"]);
    insta::assert_snapshot!(repo.t(&["check-ref", "churn@v0.0.1", "--format", "gitlab"]), @r#"
    $ registry check-ref churn@v0.0.1 --format gitlab
    Version "v0.0.1" of artifact "churn" was registered
    --- stderr
    warning: description is longer than 1024 bytes and was shortened (GitLab refuses large dotenv reports)
    [exit 0]
    "#);
    let parsed = parse_dotenv(&read(&repo.path().join("registry.env")));
    let description = &parsed[6].1;
    assert!(description.len() <= 1024, "{}", description.len());
    assert!(description.len() > 1000, "{}", description.len());
    assert!(description.starts_with("word word ") && description.ends_with('…'));
}

#[test]
fn no_entry_leaves_the_annotation_empty_and_an_unreadable_one_fails() {
    let repo = TestRepo::new();
    repo.commit("first");
    ok(&repo, &["register", "plain"]);
    run_github(&repo, &["check-ref", "plain@v0.0.1", "--format", "github"]);
    let parsed = parse_github_output(&read(&github_output(&repo))).unwrap();
    let pairs: Vec<String> = parsed.iter().map(|(k, v)| format!("{k}={v}")).collect();
    assert_eq!(
        pairs,
        [
            "name=plain",
            "version=v0.0.1",
            "stage=",
            "event=registration",
            "type=",
            "path=",
            "description="
        ]
    );

    // A broken artifacts.yaml at the tag's commit: an error, and no report (empty values would
    // read as "declares nothing"; tests/cli/hostile_ci.rs has more).
    repo.write("artifacts.yaml", "broken: [\n");
    repo.commit("broken");
    tag(&repo, "plain@v0.0.2", "HEAD");
    let _ = std::fs::remove_file(repo.path().join("registry.env"));
    insta::assert_snapshot!(repo.t(&["check-ref", "plain@v0.0.2", "--format", "gitlab"]), @r#"
    $ registry check-ref plain@v0.0.2 --format gitlab
    --- stderr
    error: cannot read the declaration of 'plain' at d58cd65: artifacts.yaml at d58cd65:2:1: invalid YAML: did not find expected node content at line 2 column 1, while parsing a flow node; no outputs were written
    hint: `registry doctor` tells more; fix or fetch the commit, then run again
    [exit 1]
    "#);
    assert!(!repo.path().join("registry.env").exists());
}

#[test]
fn the_github_parser_of_these_tests_reads_like_the_runner() {
    // Plain lines, a block, an empty value, a value ending in a newline, an unclosed block.
    let text = "a=1\n\nb<<X\nline 1\nline 2\nX\nc<<X\nX\nd<<X\nend\n\nX\n";
    let parsed = parse_github_output(text).unwrap();
    assert_eq!(
        parsed,
        [
            ("a".to_string(), "1".to_string()),
            ("b".into(), "line 1\nline 2".into()),
            ("c".into(), String::new()),
            ("d".into(), "end\n".into()),
        ]
    );
    assert_eq!(
        parse_github_output("e<<X\nno end\n"),
        Err("matching delimiter not found \"X\"".to_string())
    );
    // `=` before `<<` makes a plain line.
    assert_eq!(
        parse_github_output("f=a<<b\n").unwrap(),
        [("f".to_string(), "a<<b".to_string())]
    );
}
