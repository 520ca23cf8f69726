//! All output goes through here: lines, GTO-shaped JSON, tables, warnings.
//!
//! Commands build plain views and hand them over; this module owns the formats (4-space JSON as
//! GTO prints it, a boxed or plain table, one value per line). Nothing uses `println!`, which
//! panics on a closed pipe: writes return errors, and `main` treats a broken pipe as success.
//!
//! Colour: the `error:`, `warning:` and `hint:` prefixes on stderr are coloured, and stderr goes
//! through anstream, which drops the colour unless stderr is a terminal and `NO_COLOR` is unset
//! or empty (it also honours `CLICOLOR=0`, `CLICOLOR_FORCE` and `TERM=dumb`). That is the rule
//! clap applies to its own help and errors, so the whole program colours alike.

use std::io::{self, Write};

use comfy_table::{presets, ContentArrangement, Table};
use serde::Serialize;

/// Where a command writes: stdout for results, stderr for diagnostics.
pub struct Output {
    out: Box<dyn Write>,
    /// Takes ANSI styles; strips them where colour is not wanted.
    err: Box<dyn Write>,
}

/// A diagnostic's prefix and its colour (bold red, yellow, cyan).
#[derive(Debug, Clone, Copy)]
enum Prefix {
    Error,
    Warning,
    Hint,
}

impl Prefix {
    fn styled(self) -> &'static str {
        match self {
            Prefix::Error => "\x1b[1;31merror:\x1b[0m",
            Prefix::Warning => "\x1b[1;33mwarning:\x1b[0m",
            Prefix::Hint => "\x1b[1;36mhint:\x1b[0m",
        }
    }
}

impl Output {
    /// The process's own stdout and stderr.
    pub fn stdio() -> Self {
        Output {
            out: Box::new(io::BufWriter::new(io::stdout())),
            err: Box::new(anstream::stderr()),
        }
    }

    /// A result line on stdout.
    pub fn line(&mut self, text: &str) -> io::Result<()> {
        self.out.write_all(text.as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// Several result lines.
    pub fn lines<S: AsRef<str>>(&mut self, lines: &[S]) -> io::Result<()> {
        for l in lines {
            self.line(l.as_ref())?;
        }
        Ok(())
    }

    /// JSON with 4-space indentation, as GTO prints it.
    pub fn json<T: Serialize>(&mut self, value: &T) -> io::Result<()> {
        let mut buf = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
        value.serialize(&mut ser).map_err(io::Error::other)?;
        buf.push(b'\n');
        self.out.write_all(&buf)
    }

    /// A table: boxed by default, GTO's grep-able "plain" form with `plain` (columns left-aligned,
    /// two spaces apart, no border, first column at the start of the line). Empty cells show `-`.
    pub fn table(
        &mut self,
        headers: &[String],
        rows: &[Vec<String>],
        plain: bool,
    ) -> io::Result<()> {
        let cell = |c: &String| {
            if c.is_empty() {
                "-".to_string()
            } else {
                c.clone()
            }
        };
        if plain {
            let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
            for row in rows {
                for (i, c) in row.iter().enumerate() {
                    if let Some(w) = widths.get_mut(i) {
                        *w = (*w).max(cell(c).chars().count());
                    }
                }
            }
            let render = |cells: Vec<String>| {
                let mut line = String::new();
                for (i, c) in cells.iter().enumerate() {
                    if i > 0 {
                        line.push_str("  ");
                    }
                    line.push_str(c);
                    let pad = widths
                        .get(i)
                        .copied()
                        .unwrap_or(0)
                        .saturating_sub(c.chars().count());
                    line.extend(std::iter::repeat_n(' ', pad));
                }
                line.trim_end().to_string()
            };
            self.line(&render(headers.to_vec()))?;
            for row in rows {
                self.line(&render(row.iter().map(cell).collect()))?;
            }
            return Ok(());
        }
        let mut table = Table::new();
        table.load_preset(presets::UTF8_FULL_CONDENSED);
        table.set_content_arrangement(ContentArrangement::Disabled);
        table.set_header(headers.iter().cloned());
        for row in rows {
            table.add_row(row.iter().map(cell));
        }
        let text = table.to_string();
        for line in text.lines() {
            self.line(line.trim_end())?;
        }
        Ok(())
    }

    fn diagnostic(&mut self, prefix: Prefix, message: &str) -> io::Result<()> {
        writeln!(self.err, "{} {message}", prefix.styled())
    }

    /// A diagnostic on stderr: `warning: …`.
    pub fn warn(&mut self, message: &str) -> io::Result<()> {
        self.diagnostic(Prefix::Warning, message)
    }

    /// The failure of a command on stderr: `error: …`.
    pub fn error(&mut self, message: &str) -> io::Result<()> {
        self.diagnostic(Prefix::Error, message)
    }

    /// How to fix it, after an error: `hint: …`.
    pub fn hint(&mut self, message: &str) -> io::Result<()> {
        self.diagnostic(Prefix::Hint, message)
    }

    /// Bytes on stdout as they are (a completion script).
    pub fn raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)
    }

    /// A note on stderr (progress, what was chosen) that must not pollute stdout.
    pub fn note(&mut self, message: &str) -> io::Result<()> {
        writeln!(self.err, "{message}")
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.err.flush()
    }
}
