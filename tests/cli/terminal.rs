//! What a person at a terminal gets (SPEC §6): shell completions, and colour only on a terminal
//! and never with `NO_COLOR`.
//!
//! A terminal is made with util-linux `script`, which runs the command on a pseudo-terminal and
//! copies what it shows (with `\r\n` line ends). Every other test runs the binary with its
//! output in pipes, and their snapshots are plain text: colour never leaks into pipes.

use std::path::Path;
use std::process::Command;

use crate::fixture::{TestRepo, registry_bin};
use crate::reads::ok;

/// Shell-quotes one word for `script -c`.
fn sh_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', "'\\''"))
}

/// Runs `registry ARGS` on a pseudo-terminal with `TERM=xterm`; `no_color` sets `NO_COLOR`
/// (the fixture's default `NO_COLOR=1` is removed first). Returns what the terminal showed, with
/// `ESC` drawn as `␛` and line ends as `\n`, then the exit code.
fn on_terminal(repo: &TestRepo, args: &[&str], no_color: Option<&str>) -> String {
    let line = std::iter::once(registry_bin().display().to_string())
        .chain(args.iter().map(ToString::to_string))
        .map(|w| sh_quote(&w))
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmd = repo.command(Path::new("script"), &repo.path());
    cmd.env_remove("NO_COLOR").env("TERM", "xterm");
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let out = cmd
        .args(["-qec", &line, "/dev/null"])
        .output()
        .expect("util-linux `script` runs (Debian's bsdutils)");
    let shown = String::from_utf8_lossy(&out.stdout)
        .replace("\r\n", "\n")
        .replace('\x1b', "␛");
    format!(
        "$ registry {}\n{shown}[exit {}]",
        args.join(" "),
        out.status.code().unwrap_or(-1)
    )
}

/// A missing registry tag (error and hint) and a lightweight one (warning).
fn scene() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit("first");
    ok(&repo, &["register", "m"]);
    repo.git(&["tag", "m#prod"]);
    repo
}

#[test]
fn prefixes_are_coloured_on_a_terminal() {
    let repo = scene();
    let mut t = String::new();
    for args in [&["check-ref", "m@v9.9.9"][..], &["check-ref", "m#prod"]] {
        t.push_str(&on_terminal(&repo, args, None));
        t.push('\n');
    }
    insta::assert_snapshot!(t, @"
    $ registry check-ref m@v9.9.9
    ␛[1;31merror:␛[0m tag 'm@v9.9.9' is not found in this repository
    ␛[1;36mhint:␛[0m fetch the tags first (`git fetch --tags`; a shallow CI checkout has none)
    [exit 1]
    $ registry check-ref m#prod
    ␛[1;33mwarning:␛[0m tag 'm#prod' is a lightweight tag; registry tags must be annotated (`git tag -a`), so it means nothing
    [exit 0]
    ");
    // NO_COLOR set but empty counts as unset (no-color.org).
    let empty = on_terminal(&repo, &["check-ref", "m@v9.9.9"], Some(""));
    assert!(empty.contains("␛[1;31merror:␛[0m"), "{empty}");
}

#[test]
fn clap_help_and_errors_are_coloured_on_a_terminal_too() {
    let repo = scene();
    let help = on_terminal(&repo, &["check-ref", "--help"], None);
    assert!(help.contains('␛'), "{help}");
    let usage = on_terminal(&repo, &["check-ref", "--bogus"], None);
    assert!(usage.contains("␛[1m␛[31merror:"), "{usage}");
    assert!(usage.ends_with("[exit 2]"), "{usage}");
    // Our own usage errors (exit 2 too) look the same.
    let ours = on_terminal(
        &repo,
        &[
            "check-ref",
            "m@v0.0.1",
            "--format",
            "github",
            "--output",
            "x",
        ],
        None,
    );
    assert!(ours.contains("␛[1;31merror:␛[0m"), "{ours}");
}

#[test]
fn no_color_means_no_colour_even_on_a_terminal() {
    let repo = scene();
    let mut t = String::new();
    for args in [
        &["check-ref", "m@v9.9.9"][..],
        &["check-ref", "m#prod"],
        &["check-ref", "--bogus"],
    ] {
        t.push_str(&on_terminal(&repo, args, Some("1")));
        t.push('\n');
    }
    insta::assert_snapshot!(t, @"
    $ registry check-ref m@v9.9.9
    error: tag 'm@v9.9.9' is not found in this repository
    hint: fetch the tags first (`git fetch --tags`; a shallow CI checkout has none)
    [exit 1]
    $ registry check-ref m#prod
    warning: tag 'm#prod' is a lightweight tag; registry tags must be annotated (`git tag -a`), so it means nothing
    [exit 0]
    $ registry check-ref --bogus
    error: unexpected argument '--bogus' found

      tip: to pass '--bogus' as a value, use '-- --bogus'

    Usage: registry check-ref [OPTIONS] <REF>

    For more information, try '--help'.
    [exit 2]
    ");
    let help = on_terminal(&repo, &["check-ref", "--help"], Some("1"));
    assert!(!help.contains('␛'), "{help}");
}

#[test]
fn no_colour_in_a_pipe_without_no_color() {
    let repo = scene();
    for args in [
        &["check-ref", "m@v9.9.9"][..],
        &["check-ref", "m#prod"],
        &["check-ref", "--bogus"],
        &["check-ref", "--help"],
    ] {
        let run = repo.run_with(args, |c| {
            c.env_remove("NO_COLOR").env("TERM", "xterm");
        });
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(!all.is_empty() && !all.contains('\x1b'), "{all}");
    }
}

#[test]
fn completions_for_each_shell() {
    // Outside any repository: completions need none.
    let dir = TestRepo::bare_dir();
    for shell in ["bash", "zsh", "fish"] {
        let run = dir.run(&["completions", shell]);
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert!(run.stderr.is_empty(), "{}", run.transcript());
        for word in ["register", "check-ref", "completions", "--format"] {
            assert!(
                run.stdout.contains(word),
                "{shell} completions do not mention {word}:\n{}",
                run.stdout
            );
        }
    }
    insta::assert_snapshot!(dir.t(&["completions", "tcsh"]), @"
    $ registry completions tcsh
    --- stderr
    error: invalid value 'tcsh' for '<SHELL>'
      [possible values: bash, elvish, fish, powershell, zsh]

      tip: a similar value exists: 'zsh'

    For more information, try '--help'.
    [exit 2]
    ");
}

#[test]
fn bash_completion_completes() {
    let dir = TestRepo::bare_dir();
    let script = dir.run(&["completions", "bash"]);
    let file = dir.home().join("registry.bash");
    std::fs::write(&file, script.ok()).unwrap();
    // What bash offers after `registry che<TAB>` and `registry check-ref x --format <TAB>`.
    let probe = format!(
        r#"source {file}
COMP_WORDS=(registry che); COMP_CWORD=1; _registry registry che registry; echo "${{COMPREPLY[*]}}"
COMP_WORDS=(registry check-ref x --format ''); COMP_CWORD=4; _registry registry '' --format; echo "${{COMPREPLY[*]}}""#,
        file = sh_quote(&file.display().to_string())
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &probe])
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "check-ref\ngithub gitlab\n"
    );
}
