//! Hostile repositories, output (issue 8, point 5): nothing the terminal would execute. A
//! repository whose tagger names, tag messages, trailers, paths, descriptions, YAML keys and file
//! names hold ESC, CSI and OSC 52 (`ESC ] 52 ; c ; … BEL`, which writes to the clipboard) is read
//! by every command that prints them; no raw control character but the line break reaches stdout
//! or stderr, and the escaped form is visible. Every run has a timeout.

use std::process::Command;

use crate::fixture::{Run, TestRepo};
use crate::fixture::{run_timed, run_timed_with};

/// OSC 52 (set the clipboard to "hi"), as written and as it must be shown.
const OSC52: &str = "\x1b]52;c;aGk=\x07";
const OSC52_SHOWN: &str = "\\x1b]52;c;aGk=\\x07";
/// CSI: clear the screen.
const CLEAR: &str = "\x1b[2J";
const CLEAR_SHOWN: &str = "\\x1b[2J";

/// No control character but `\n` in stdout or stderr.
#[track_caller]
fn assert_clean(r: &Run) {
    for (stream, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        if let Some(c) = text.chars().find(|c| c.is_control() && *c != '\n') {
            panic!("raw {c:?} on {stream}:\n{}", r.transcript().escape_debug());
        }
    }
}

/// Runs with a timeout, asserts the exit code and clean output, returns stdout + stderr.
#[track_caller]
fn shown(repo: &TestRepo, args: &[&str], code: i32) -> String {
    let r = run_timed(repo, args);
    assert_eq!(r.code, code, "{}", r.transcript());
    assert_clean(&r);
    format!("{}{}", r.stdout, r.stderr)
}

/// A hand-made annotated tag, written by git for a hostile tagger.
fn evil_tag(repo: &TestRepo, name: &str, target: &str, message: &str) {
    let file = repo.path().join(".git/evil-message");
    std::fs::write(&file, message).unwrap();
    let mut cmd = repo.command(std::path::Path::new("git"), &repo.path());
    cmd.env("GIT_COMMITTER_NAME", format!("Eve {OSC52} {CLEAR}Mallory"))
        .env("GIT_COMMITTER_EMAIL", "eve@example.com")
        .args(["tag", "-a", "--cleanup=verbatim", name, "-F"])
        .arg(&file)
        .arg(target);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The scene: `m` declared with a hostile path, description and key, two hand-made versions and
/// a stage by a hostile tagger with hostile messages and a hostile digest trailer; `d`, a
/// directory registered by `registry` whose file name holds OSC 52.
fn scene() -> TestRepo {
    let repo = TestRepo::new();
    let yaml = |desc: &str, value: &str| {
        format!(
            "m:\n  type: model\n  path: \"m\\e]52;c;aGk=\\a.pkl\"\n  description: \"{desc} \\e[31mred\\e]52;c;aGk=\\a\"\n  \
             \"k\\e[2Jey\": {value}\nd:\n  path: d\n"
        )
    };
    repo.write("artifacts.yaml", &yaml("first", "one"));
    std::fs::create_dir_all(repo.path().join("d")).unwrap();
    std::fs::write(repo.path().join(format!("d/f{OSC52}")), "data\n").unwrap();
    let c1 = repo.commit(&format!("first {CLEAR}commit"));
    repo.run(&["register", "d"]).ok();
    evil_tag(
        &repo,
        "m@v0.0.1",
        &c1,
        &format!(
            "Registering {CLEAR}{OSC52}\n\nArtifact-Path: m.pkl\nArtifact-Digest: sha256:{OSC52}\n\
             Artifact-Digest-Source: git\n"
        ),
    );
    repo.write("artifacts.yaml", &yaml("second", "two"));
    repo.write("m.pkl", "weights");
    let c2 = repo.commit(&format!("second {OSC52}commit touches m"));
    evil_tag(&repo, "m@v0.0.2", &c2, &format!("v2 \x1b[31m{OSC52}\n"));
    evil_tag(&repo, "m#prod#1", &c2, &format!("prod \x1b[31m{OSC52}\n"));
    repo
}

#[test]
fn history_escapes_tagger_names() {
    let repo = scene();
    for args in [
        &["history"][..],
        &["history", "--plain"],
        &["history", "m"],
        &["history", "m", "--plain"],
    ] {
        let t = shown(&repo, args, 0);
        assert!(
            t.contains(&format!("Eve {OSC52_SHOWN} {CLEAR_SHOWN}Mallory")),
            "{t}"
        );
    }
    // JSON is escaped by serde and carries the values as they are.
    let r = run_timed(&repo, &["history", "--json"]);
    assert_clean(&r);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        json.to_string().contains("Eve \\u001b]52;c;aGk=\\u0007"),
        "{json}"
    );
}

#[test]
fn show_stays_clean() {
    let repo = scene();
    for args in [
        &["show"][..],
        &["show", "m"],
        &["show", "--plain"],
        &["show", "m", "--plain"],
    ] {
        shown(&repo, args, 0);
    }
}

#[test]
fn diff_escapes_keys_digests_summaries_and_taggers() {
    let repo = scene();
    let t = shown(&repo, &["diff", "m", "v0.0.1", "v0.0.2"], 0);
    assert!(
        t.contains(&format!("  k{CLEAR_SHOWN}ey: \"one\" -> \"two\"")),
        "{t}"
    );
    assert!(
        t.contains(&format!("digest: sha256:{OSC52_SHOWN} (git) -> none")),
        "{t}"
    );
    assert!(
        t.contains(&format!("second {OSC52_SHOWN}commit touches m")),
        "{t}"
    );
    assert!(
        t.contains(&format!(
            "by Eve {OSC52_SHOWN} {CLEAR_SHOWN}Mallory (m#prod#1)"
        )),
        "{t}"
    );
}

#[test]
fn describe_escapes_paths_and_descriptions() {
    let repo = scene();
    let path = format!("m{OSC52_SHOWN}.pkl\n");
    assert_eq!(shown(&repo, &["describe", "m", "--path"], 0), path);
    assert_eq!(shown(&repo, &["describe", "m@v0.0.1", "--path"], 0), path);
    assert_eq!(
        shown(&repo, &["describe", "m#prod", "--type"], 0),
        "model\n"
    );
    assert_eq!(
        shown(&repo, &["describe", "m", "--description"], 0),
        format!("second \\x1b[31mred{OSC52_SHOWN}\n")
    );
    // The JSON form is escaped by serde.
    let t = shown(&repo, &["describe", "m"], 0);
    assert!(t.contains("\\u001b]52;c;aGk=\\u0007"), "{t}");
}

#[test]
fn doctor_escapes_every_finding() {
    let repo = scene();
    let t = shown(&repo, &["doctor"], 1);
    assert!(
        t.contains(&format!("problem: artifacts.yaml: path 'm{OSC52_SHOWN}.pkl' of 'm' holds a control character (\\x1b)")),
        "{t}"
    );
}

#[test]
fn verify_escapes_digests_and_file_names() {
    let repo = scene();
    let t = shown(&repo, &["verify", "m@v0.0.1"], 1);
    assert!(
        t.contains(&format!("recorded sha256:{OSC52_SHOWN}, found sha256:")),
        "{t}"
    );
    std::fs::write(repo.path().join(format!("d/f{OSC52}")), "changed\n").unwrap();
    std::fs::write(repo.path().join(format!("d/new{CLEAR}")), "new\n").unwrap();
    let t = shown(&repo, &["verify", "d"], 1);
    assert!(t.contains(&format!("\n  added: new{CLEAR_SHOWN}\n")), "{t}");
    assert!(t.contains(&format!("\n  changed: f{OSC52_SHOWN}")), "{t}");
    let t = shown(&repo, &["verify", "d", "--path", &format!("d/f{OSC52}")], 1);
    assert!(
        t.contains(&format!("'d/f{OSC52_SHOWN}' does not match d v0.0.1")),
        "{t}"
    );
}

#[test]
fn the_coloured_prefixes_stay_and_nothing_else_is_raw() {
    let repo = scene();
    let r = run_timed_with(&repo, &["verify", "m@v0.0.1"], |c: &mut Command| {
        c.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1");
    });
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stderr.starts_with("\x1b[1;31merror:\x1b[0m "),
        "{:?}",
        r.stderr
    );
    let without_prefix = r.stderr.replace("\x1b[1;31merror:\x1b[0m", "error:");
    assert!(!without_prefix.contains('\x1b'), "{without_prefix:?}");
    assert!(without_prefix.contains(OSC52_SHOWN), "{without_prefix}");
}

#[test]
fn warnings_escape_what_they_quote() {
    let repo = TestRepo::new();
    // A top-level artifacts.yaml at HEAD that does not parse, its bad name holding OSC 52.
    repo.write(
        "artifacts.yaml",
        "\"bad\\e]52;c;aGk=\\aname\":\n  path: x\n",
    );
    let c = repo.commit("bad declarations");
    evil_tag(&repo, "m@v0.0.1", &c, &format!("Registering {OSC52}\n"));
    for args in [
        &["show"][..],
        &["show", "m"],
        &["check-ref", "m@v0.0.1"],
        &["history"],
    ] {
        let r = run_timed(&repo, args);
        assert_clean(&r);
        assert_eq!(r.code, 0, "{}", r.transcript());
    }
    let r = run_timed(&repo, &["show"]);
    assert!(
        r.stderr.contains(&format!(
            "warning: artifacts.yaml at HEAD: 'bad{OSC52_SHOWN}name' is not a valid artifact name"
        )),
        "{}",
        r.transcript()
    );
    let t = shown(&repo, &["doctor"], 1);
    assert!(
        t.contains(&format!("problem: artifacts.yaml: 'bad{OSC52_SHOWN}name'")),
        "{t}"
    );
}
