//! What a person at a terminal gets (SPEC §6): shell completions.

use std::process::Command;

use crate::fixture::TestRepo;

/// Shell-quotes one word.
fn sh_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', "'\\''"))
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
