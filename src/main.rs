//! Process boundary: parse the command line, run, map the outcome to an exit code.
//!
//! 0 success, 1 error (message and hint on stderr), 2 usage error. A closed stdout (e.g. `| head`)
//! is success, not an error.

use std::io;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use registry::cli::{self, Cli};
use registry::error::{UsageError, UserError};
use registry::output::Output;

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Prints clap's error (or help, or version) and exits with its code. clap quotes the offending
/// value raw; when any argument holds a control character (an ESC sequence, a newline), the
/// message is rendered again uncoloured, every piece of a hostile argument in it is escaped
/// whole (newlines included, so a value cannot start a forged `error:` line), and any other
/// control character is escaped too: a crafted argument cannot drive the terminal, and the
/// message still names the value as typed (issue 8, point 5).
fn usage_error(e: clap::Error) -> ! {
    let is_hostile = |s: &str| {
        s.chars()
            .any(|c| registry::output::is_control(c) && c != '\t')
    };
    let hostile: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .filter(|a| is_hostile(a))
        .collect();
    if hostile.is_empty() || !e.use_stderr() {
        e.exit();
    }
    // With plain styles clap's text holds no escape sequence of its own, so `ansi()` (unlike
    // `Display`, which strips sequences, the user's too) gives the text with the value as typed.
    let raw = match Cli::command()
        .styles(clap::builder::Styles::plain())
        .try_get_matches_from(std::env::args_os())
    {
        Err(again) => again.render().ansi().to_string(),
        Ok(_) => e.render().ansi().to_string(),
    };
    // A message quotes an argument whole, or the part a parser read: after `--flag=`, or the
    // name or version around `@` and `#`. Longest first, so a part never breaks up its whole.
    let mut pieces: Vec<&str> = hostile
        .iter()
        .flat_map(|a| std::iter::once(a.as_str()).chain(a.split(['=', '@', '#'])))
        .filter(|p| is_hostile(p))
        .collect();
    pieces.sort_by_key(|p| std::cmp::Reverse(p.len()));
    pieces.dedup();
    let mut text = raw;
    for piece in pieces {
        text = text.replace(piece, &registry::output::escape(piece));
    }
    let _ = io::Write::write_all(
        &mut io::stderr(),
        registry::output::escape_keeping_lines(&text).as_bytes(),
    );
    std::process::exit(e.exit_code());
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => usage_error(e),
    };
    let mut out = Output::stdio();
    let result = cli::run(cli, &mut out).and_then(|()| out.flush().map_err(Into::into));
    let Err(err) = result else {
        return ExitCode::SUCCESS;
    };
    if is_broken_pipe(&err) {
        return ExitCode::SUCCESS;
    }
    // Anything still buffered belongs before the error message.
    let _ = out.flush();
    if let Some(usage) = err.downcast_ref::<UsageError>() {
        let _ = out.error(&usage.to_string());
        let _ = out.note("\nFor more information, try '--help'.");
        return ExitCode::from(2);
    }
    if let Some(user) = err.downcast_ref::<UserError>() {
        let _ = out.error(user.message.trim_end());
        if let Some(hint) = &user.hint {
            let _ = out.hint(hint);
        }
    } else {
        // `{err:#}` would print libgit2's internals (`class=Zlib (5)`) with its messages.
        let chain: Vec<String> = err.chain().map(registry::plain_cause).collect();
        let _ = out.error(&chain.join(": "));
    }
    let _ = out.flush();
    ExitCode::from(1)
}
