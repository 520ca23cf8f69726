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
//!
//! Nothing a repository holds reaches the terminal as a control character: every line, table
//! cell and diagnostic is escaped here (see [`escape`]), so a tagger name, tag message, path or
//! file name holding ESC, CSI or OSC sequences prints as visible text. Only the line breaks this
//! module writes itself, and the colour of its own prefixes, stay. JSON is escaped by serde.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};
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

/// Appends `c` as a visible escape: `\n`, `\t`, `\r`; other C0 controls and DEL as `\xNN`;
/// C1 controls (U+0080–U+009F) as `\u{NN}`.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\0'..='\x1f' | '\x7f' => {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        }
        _ => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// C0, DEL and C1 (Unicode's Cc category), and the invisible characters that reorder or break
/// what a terminal shows: the bidirectional overrides, embeddings and isolates of "Trojan
/// Source" (U+202A–U+202E, U+2066–U+2069), the direction marks (U+200E, U+200F, U+061C) and the
/// line and paragraph separators (U+2028, U+2029).
pub fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// `text` with every control character rendered visibly (as git and ripgrep do), except the
/// characters in `keep`.
fn escape_except<'a>(text: &'a str, keep: &[char]) -> Cow<'a, str> {
    if !text.chars().any(|c| is_control(c) && !keep.contains(&c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_control(c) && !keep.contains(&c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// serde_json escapes C0 controls only; DEL and the C1 controls (U+0080–U+009F, where U+009B is
/// a one-character CSI to many terminals) would reach a terminal raw. They can only occur inside
/// JSON strings, so writing them as `\u00XX` leaves the same JSON value.
fn json_escape_controls(text: String) -> String {
    if !text
        .chars()
        .any(|c| c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c))
    {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// One field of a line (a tagger name, a message shown on one line, a path, a YAML key): every
/// control character escaped, line breaks and tabs included, so a field cannot fake a line.
/// ESC becomes `\x1b`, a newline `\n`, a tab `\t`, DEL `\x7f`, U+009B `\u{9b}`.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_except(text, &[])
}

/// A message of several lines (clap's usage errors, which quote the user's values): control
/// characters escaped, its newlines kept.
pub fn escape_keeping_lines(text: &str) -> Cow<'_, str> {
    escape_except(text, &['\n'])
}

/// A file name's bytes as one field: UTF-8 as [`escape`] shows it, any byte that is not UTF-8 as
/// `\xNN`.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(&escape(chunk.valid()));
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

impl Output {
    /// The process's own stdout and stderr.
    pub fn stdio() -> Self {
        Output {
            out: Box::new(io::BufWriter::new(io::stdout())),
            err: Box::new(anstream::stderr()),
        }
    }

    /// A result line on stdout (control characters escaped; a `\n` in `text` starts a line).
    pub fn line(&mut self, text: &str) -> io::Result<()> {
        self.out
            .write_all(escape_except(text, &['\n']).as_bytes())?;
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
        let mut text = json_escape_controls(String::from_utf8(buf).map_err(io::Error::other)?);
        text.push('\n');
        self.out.write_all(text.as_bytes())
    }

    /// A table: boxed by default, GTO's grep-able "plain" form with `plain` (columns left-aligned,
    /// two spaces apart, no border, first column at the start of the line). Empty cells show `-`;
    /// every cell is one line, its control characters escaped by [`escape`].
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
                escape(c).into_owned()
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
            self.line(&render(headers.iter().map(cell).collect()))?;
            for row in rows {
                self.line(&render(row.iter().map(cell).collect()))?;
            }
            return Ok(());
        }
        let mut table = Table::new();
        table.load_preset(presets::UTF8_FULL_CONDENSED);
        table.set_content_arrangement(ContentArrangement::Disabled);
        table.set_header(headers.iter().map(cell));
        for row in rows {
            table.add_row(row.iter().map(cell));
        }
        let text = table.to_string();
        for line in text.lines() {
            self.line(line.trim_end())?;
        }
        Ok(())
    }

    /// The coloured prefix is ours; the message's control characters are escaped (its line
    /// breaks stay: an error may list files on lines of their own).
    ///
    /// A kept line break starts a line indented by two spaces, so no text in a message (a value
    /// read from the repository, say) can print a line of its own that reads as `hint: …` or
    /// `error: …`: only this module starts a line with a prefix.
    fn diagnostic(&mut self, prefix: Prefix, message: &str, keep: &[char]) -> io::Result<()> {
        let text = escape_except(message, keep);
        writeln!(
            self.err,
            "{} {}",
            prefix.styled(),
            text.replace('\n', "\n  ")
        )
    }

    /// A diagnostic on stderr: `warning: …`, always one line (a newline in it shows as `\n`).
    pub fn warn(&mut self, message: &str) -> io::Result<()> {
        self.diagnostic(Prefix::Warning, message, &[])
    }

    /// The failure of a command on stderr: `error: …`.
    pub fn error(&mut self, message: &str) -> io::Result<()> {
        self.diagnostic(Prefix::Error, message, &['\n'])
    }

    /// How to fix it, after an error: `hint: …`.
    pub fn hint(&mut self, message: &str) -> io::Result<()> {
        self.diagnostic(Prefix::Hint, message, &['\n'])
    }

    /// Bytes on stdout as they are (a completion script).
    pub fn raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)
    }

    /// A note on stderr (progress, what was chosen) that must not pollute stdout.
    pub fn note(&mut self, message: &str) -> io::Result<()> {
        writeln!(self.err, "{}", escape_except(message, &['\n']))
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.err.flush()
    }
}

/// A line redrawn in place on stderr while long work runs (hashing a large file), shown only
/// to a person: when stderr is a terminal and `CI` is unset, never in pipes or CI logs. The one
/// writer to stderr besides [`Output`], because it is drawn from a thread while the command's
/// `Output` is borrowed by the work; it writes to the raw stderr (not anstream), since its
/// `\r` and erase-line sequences are cursor movement, not colour, and must survive `NO_COLOR`.
/// What it draws is escaped like every other field ([`escape`]), so a file name cannot move the
/// cursor.
pub struct ProgressLine {
    enabled: bool,
}

impl ProgressLine {
    /// A progress line on this process's stderr, enabled only for a terminal outside CI.
    pub fn stderr() -> Self {
        use std::io::IsTerminal;
        ProgressLine {
            enabled: io::stderr().is_terminal() && std::env::var_os("CI").is_none(),
        }
    }

    /// Whether anything is ever drawn (callers skip the drawing thread otherwise).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Draws `text` over the current line (from its start, without erasing the rest).
    pub fn draw(&self, text: &str) {
        if self.enabled {
            let _ = write!(io::stderr(), "\r{}", escape(text));
        }
    }

    /// Erases the line drawn last and leaves the cursor at its start.
    pub fn clear(&self) {
        if self.enabled {
            let _ = write!(io::stderr(), "\r\x1b[2K");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_visible() {
        assert_eq!(escape("plain ünïcode"), "plain ünïcode");
        assert_eq!(
            escape("a\x1b]52;c;aGk=\x07b\nc\td\re\x7f\u{9b}31m\0"),
            "a\\x1b]52;c;aGk=\\x07b\\nc\\td\\re\\x7f\\u{9b}31m\\x00"
        );
        assert_eq!(escape_except("a\nb\x1b[2J", &['\n']), "a\nb\\x1b[2J");
        assert_eq!(
            escape("evil\u{202e}gnp.exe\u{2066}x\u{2028}y"),
            "evil\\u{202e}gnp.exe\\u{2066}x\\u{2028}y"
        );
        assert_eq!(escape("עברית and العربية"), "עברית and العربية");
        assert_eq!(escape_bytes(b"n\xffo\n\x1b"), "n\\xffo\\n\\x1b");
    }

    #[test]
    fn json_carries_no_raw_del_or_c1_control() {
        let value = serde_json::json!({"name": "a\u{7f}b\u{9b}31mc\u{85}", "ok": "ü€"});
        let text = json_escape_controls(serde_json::to_string(&value).unwrap());
        assert_eq!(text, r#"{"name":"a\u007fb\u009b31mc\u0085","ok":"ü€"}"#);
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
