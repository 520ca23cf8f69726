//! The options field of an allowed-signers line (`cert-authority`, `namespaces="…"`,
//! `valid-after="…"`, `valid-before="…"`), read as OpenSSH's `sshsigopt_parse` reads it: names
//! in any case, values in double quotes, items separated by commas.

use super::quoted;

/// The options a line may carry.
#[derive(Debug, Default)]
pub(super) struct Options {
    pub(super) cert_authority: bool,
    pub(super) namespaces: Option<String>,
    pub(super) valid_after: Option<i64>,
    pub(super) valid_before: Option<i64>,
}

/// `strncasecmp`: `text` without its prefix `word`, in any case.
fn strip_prefix_ci<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let head = text.get(..word.len())?;
    head.eq_ignore_ascii_case(word).then(|| &text[word.len()..])
}

/// The comma-separated options, as `sshsigopt_parse` reads them.
pub(super) fn parse(field: &str) -> Result<Options, String> {
    let mut options = Options::default();
    let mut rest = field;
    while !rest.is_empty() {
        let start = rest;
        if let Some(after) = strip_prefix_ci(rest, "cert-authority") {
            options.cert_authority = true;
            rest = after;
        } else if let Some(after) = strip_prefix_ci(rest, "namespaces=") {
            if options.namespaces.is_some() {
                return Err("namespaces is given twice".to_string());
            }
            let (value, after) = dequote(after, "namespaces")?;
            options.namespaces = Some(value);
            rest = after;
        } else if let Some((name, after)) = ["valid-after", "valid-before"].iter().find_map(|n| {
            strip_prefix_ci(rest, n)
                .and_then(|a| a.strip_prefix('='))
                .map(|a| (*n, a))
        }) {
            let slot = if name == "valid-after" {
                &mut options.valid_after
            } else {
                &mut options.valid_before
            };
            if slot.is_some() {
                return Err(format!("{name} is given twice"));
            }
            let (value, after) = dequote(after, name)?;
            *slot = Some(
                parse_time(&value).map_err(|why| format!("{name}={}: {why}", quoted(&value)))?,
            );
            rest = after;
        }
        if rest.is_empty() {
            break;
        }
        match rest.strip_prefix(',') {
            Some("") => return Err("the options end with a comma".to_string()),
            Some(after) => rest = after,
            None => {
                let name = start.split([',', '=']).next().unwrap_or(start);
                return Err(format!(
                    "unknown option {} (known: cert-authority, namespaces, valid-after, \
                     valid-before)",
                    quoted(name)
                ));
            }
        }
    }
    if let (Some(after), Some(before)) = (options.valid_after, options.valid_before)
        && before <= after
    {
        return Err("valid-before is not later than valid-after".to_string());
    }
    Ok(options)
}

/// A double-quoted option value (`\"` stands for a quote, as `opt_dequote` reads it) and the rest.
fn dequote<'a>(text: &'a str, name: &str) -> Result<(String, &'a str), String> {
    let Some(inside) = text.strip_prefix('"') else {
        return Err(format!(
            "{name}: the value {} must be in double quotes",
            quoted(text.split(',').next().unwrap_or(text))
        ));
    };
    let mut value = String::new();
    let mut chars = inside.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((value, &inside[i + 1..])),
            '\\' if inside[i + 1..].starts_with('"') => {
                value.push('"');
                chars.next();
            }
            _ => value.push(c),
        }
    }
    Err(format!(
        "{name}: the value {} has no closing double quote",
        quoted(text)
    ))
}

/// `YYYYMMDD[HHMM[SS]]`, with an optional `Z` (or `UTC`, as OpenSSH also accepts), read as UTC
/// either way (see the module comment). Unix seconds, after 1970 (OpenSSH refuses 0 too).
fn parse_time(value: &str) -> Result<i64, String> {
    const SHAPE: &str = "expected YYYYMMDD[HHMM[SS]][Z]";
    let digits = strip_suffix_ci(value, "Z")
        .or_else(|| strip_suffix_ci(value, "UTC"))
        .unwrap_or(value);
    if !matches!(digits.len(), 8 | 12 | 14) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("not a time ({SHAPE})"));
    }
    let field = |at: usize, len: usize| -> i16 {
        digits
            .get(at..at + len)
            .and_then(|d| d.parse().ok())
            .unwrap_or(0)
    };
    let narrow = |v: i16| i8::try_from(v).unwrap_or(i8::MAX);
    let datetime = jiff::civil::DateTime::new(
        field(0, 4),
        narrow(field(4, 2)),
        narrow(field(6, 2)),
        narrow(field(8, 2)),
        narrow(field(10, 2)),
        narrow(field(12, 2)),
        0,
    )
    .map_err(|_| format!("no such date or time ({SHAPE})"))?;
    let seconds = jiff::tz::Offset::UTC
        .to_timestamp(datetime)
        .map_err(|_| format!("no such date or time ({SHAPE})"))?
        .as_second();
    if seconds <= 0 {
        return Err("the time must be after 1970-01-01T00:00:00Z".to_string());
    }
    Ok(seconds)
}

fn strip_suffix_ci<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let at = text.len().checked_sub(word.len())?;
    let tail = text.get(at..)?;
    (at > 0 && tail.eq_ignore_ascii_case(word)).then(|| &text[..at])
}
