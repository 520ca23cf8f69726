//! Documentation cannot rot: every `registry …` line in the README and the examples parses with
//! the real clap parser, and every command's `--help` shows an example.

use clap::{CommandFactory, Parser};
use registry::cli::Cli;

/// Splits a shell line into words: single and double quotes, `# comment` outside quotes. Stops
/// at an unquoted redirection or pipe (`> file`, `| head`): what follows is not the command's.
pub(crate) fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut prev_space = true;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                in_word = true;
            }
            None if c == '#' && prev_space => break,
            None if c == '>' || c == '|' => {
                // `2>` names a file descriptor, not an argument.
                if in_word && !cur.bytes().all(|b| b.is_ascii_digit()) {
                    words.push(std::mem::take(&mut cur));
                }
                return words;
            }
            None if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            None => {
                cur.push(c);
                in_word = true;
            }
        }
        prev_space = c.is_whitespace();
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// `registry …` command lines inside the fenced code blocks of a markdown file.
fn readme_commands(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        let l = line.trim();
        if in_code && l.starts_with("registry ") {
            out.push(l.to_string());
        }
    }
    out
}

pub(crate) fn parses(line: &str) -> Result<(), String> {
    let words = shell_words(line);
    Cli::try_parse_from(&words)
        .map(|_| ())
        .map_err(|e| format!("{line:?} does not parse: {e}"))
}

#[test]
fn readme_command_lines_parse() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let lines = readme_commands(&readme);
    assert!(
        lines.len() >= 10,
        "expected the README to show commands, found {lines:?}"
    );
    let errors: Vec<String> = lines.iter().filter_map(|l| parses(l).err()).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn quickstart_command_lines_parse() {
    for script in ["/examples/quickstart.sh", "/examples/metrics.sh"] {
        let text =
            std::fs::read_to_string(format!("{}{script}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let lines: Vec<String> = text
            .lines()
            .filter_map(|l| {
                let l = l.trim();
                l.strip_prefix("run ")
                    .or_else(|| l.strip_prefix("refused "))
            })
            .map(|rest| format!("registry {rest}"))
            .collect();
        assert!(lines.len() >= 6, "{script}: {lines:?}");
        let errors: Vec<String> = lines.iter().filter_map(|l| parses(l).err()).collect();
        assert!(errors.is_empty(), "{script}: {}", errors.join("\n"));
    }
}

#[test]
fn every_help_shows_an_example() {
    let mut cmd = Cli::command();
    let top = cmd.render_long_help().to_string();
    assert!(top.contains("Examples:"), "registry --help:\n{top}");
    for sub in cmd.get_subcommands_mut().filter(|s| s.get_name() != "help") {
        let help = sub.render_long_help().to_string();
        assert!(
            help.contains("Examples:") && help.contains("registry "),
            "registry {} --help has no example:\n{help}",
            sub.get_name()
        );
        // Each example line must itself parse.
        for line in help
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("registry "))
        {
            parses(line).unwrap();
        }
    }
}

#[test]
fn shell_words_splits_like_a_shell() {
    assert_eq!(
        shell_words("registry check-ref 'churn#prod#2' --json  # a comment"),
        vec!["registry", "check-ref", "churn#prod#2", "--json"]
    );
    assert_eq!(
        shell_words("registry show churn#prod"),
        vec!["registry", "show", "churn#prod"]
    );
    assert_eq!(
        shell_words("registry completions zsh > \"${fpath[1]}/_registry\""),
        vec!["registry", "completions", "zsh"]
    );
    assert_eq!(
        shell_words("registry history | head -3"),
        vec!["registry", "history"]
    );
    assert_eq!(
        shell_words("registry show 2>/dev/null"),
        vec!["registry", "show"]
    );
}

#[test]
fn artifacts_yaml_example_shows_every_field_and_parses() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/artifacts.yaml.example"
    ))
    .unwrap();
    let entries = registry::artifacts::parse(&text, "artifacts.yaml.example").unwrap();
    let churn = &entries.iter().find(|(n, _)| n == "churn").unwrap().1;
    for field in ["type", "path", "virtual", "labels", "description", "custom"] {
        assert!(churn.raw.contains_key(field), "the example lacks `{field}`");
    }
    assert!(!churn.is_virtual);
    assert!(
        entries
            .iter()
            .any(|(_, e)| e.is_virtual && e.path.as_deref().is_some_and(|p| p.contains("://")))
    );
}
