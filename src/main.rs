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
/// value raw. When any argument holds a control character (an ESC sequence, a newline, a tab),
/// the arguments are escaped first and parsed again, and that error is the one printed: clap
/// then quotes values that hold no control character at all, so a crafted argument can neither
/// drive the terminal nor start a forged `error:` line, and the message names the value as
/// typed, escaped (issue 8, point 5). Patching the first message instead is unsound: a value
/// can be built to overlap the place clap quoted another.
fn usage_error(e: clap::Error) -> ! {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let hostile = args.iter().skip(1).any(|a| {
        a.to_string_lossy()
            .chars()
            .any(registry::output::is_control)
    });
    if !hostile || !e.use_stderr() {
        e.exit();
    }
    // Plain styles: clap's own text holds no escape sequence, so `ansi()` (unlike `Display`,
    // which strips sequences, the user's too) gives it as it is.
    let parse = |argv: &[String]| {
        Cli::command()
            .styles(clap::builder::Styles::plain())
            .try_get_matches_from(argv)
            .err()
    };
    let escaped: Vec<String> = args
        .iter()
        .map(|a| registry::output::escape(&a.to_string_lossy()).into_owned())
        .collect();
    let text = match parse(&escaped) {
        Some(again) if again.kind() == e.kind() => again.render().ansi().to_string(),
        // Escaped, the arguments parse (or fail otherwise): the control characters were what
        // was refused (`--description` refuses ESC). The first message then goes on one line,
        // every control character escaped, line breaks too, but for clap's closing line.
        _ => {
            let lossy: Vec<String> = args
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            let raw = parse(&lossy).map_or_else(
                || e.render().ansi().to_string(),
                |first| first.render().ansi().to_string(),
            );
            // clap's closing line is its own; everything before it goes on one line.
            let trailer = "\n\nFor more information, try '--help'.";
            let raw = raw.trim_end();
            let (body, tail) = raw
                .strip_suffix(trailer)
                .map_or((raw, ""), |body| (body, trailer));
            format!("{}{tail}\n", registry::output::escape(body))
        }
    };
    // A backstop: nothing raw may reach the terminal whatever clap printed.
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
    // Interrupted: the signal watcher is removing what this run made (which may be why it
    // failed) and then ends the process with the signal's status. Wait for it.
    while registry::signals::exiting() {
        std::thread::park();
    }
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
