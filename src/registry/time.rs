//! Tagger times: seconds since the epoch plus the tagger's UTC offset, as git stores them.
//!
//! Formats them as ISO-8601 with offset (JSON) and as Python's `str(datetime)` (tables), and
//! parses the date formats `GIT_COMMITTER_DATE` takes. Pure calendar arithmetic, no clock.

use std::fmt;

/// A point in time as git records it on a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    pub seconds: i64,
    /// Offset from UTC in minutes (`+0130` is 90).
    pub offset_minutes: i32,
}

impl Timestamp {
    pub fn new(seconds: i64, offset_minutes: i32) -> Self {
        Timestamp {
            seconds,
            offset_minutes,
        }
    }

    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "rem_euclid(86_400) is in 0..86_400, so each part is a small non-negative number"
    )]
    fn local_parts(&self) -> (i64, u32, u32, u32, u32, u32) {
        let local = self.seconds + i64::from(self.offset_minutes) * 60;
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        (
            y,
            m,
            d,
            (secs / 3600) as u32,
            ((secs % 3600) / 60) as u32,
            (secs % 60) as u32,
        )
    }

    fn offset_string(&self) -> String {
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let abs = self.offset_minutes.unsigned_abs();
        format!("{sign}{:02}:{:02}", abs / 60, abs % 60)
    }

    /// `2026-11-22T10:09:25+00:00`, the form of GTO's JSON.
    pub fn iso(&self) -> String {
        let (y, mo, d, h, mi, s) = self.local_parts();
        format!(
            "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{}",
            self.offset_string()
        )
    }

    /// `2026-11-22 10:09:25+00:00`, Python's `str(datetime)` as GTO's tables print it.
    pub fn human(&self) -> String {
        self.iso().replacen('T', " ", 1)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "the algorithm keeps the day in 1..=31 and the month in 1..=12"
)]
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses a UTC offset: `+0200`, `-05:30`, `Z`, `+00`.
fn parse_offset(s: &str) -> Option<i32> {
    if s == "Z" || s == "z" {
        return Some(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h * 60 + m))
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Parses the date formats git accepts in `GIT_COMMITTER_DATE`: git's internal
/// `[@]SECONDS [+-]HHMM`, ISO 8601 (`2026-03-01T12:00:00+01:00`, `2026-03-01 12:00:00 +0100`),
/// and RFC 2822 (`Sun, 01 Mar 2026 12:00:00 +0100`). A missing offset means UTC.
pub(crate) fn parse_git_date(input: &str) -> Option<Timestamp> {
    let s = input.trim();
    // Internal format: "1700000000 +0000" or "@1700000000 +0000".
    let mut parts = s.split_whitespace();
    if let Some(first) = parts.next() {
        let digits = first.strip_prefix('@').unwrap_or(first);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && digits.len() >= 9 {
            let seconds: i64 = digits.parse().ok()?;
            let offset = match parts.next() {
                Some(o) => parse_offset(o)?,
                None => 0,
            };
            if parts.next().is_some() {
                return None;
            }
            return Some(Timestamp::new(seconds, offset));
        }
    }
    parse_iso(s).or_else(|| parse_rfc2822(s))
}

fn parse_iso(s: &str) -> Option<Timestamp> {
    // YYYY-MM-DD[T ]HH:MM[:SS][offset]
    let b = s.as_bytes();
    if b.len() < 16 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ') {
        return None;
    }
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let mo: u32 = s.get(5..7)?.parse().ok()?;
    let d: u32 = s.get(8..10)?.parse().ok()?;
    let rest = &s[11..];
    let time_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ':'))
        .unwrap_or(rest.len());
    let (time, offset) = rest.split_at(time_end);
    let mut t = time.split(':');
    let h: u32 = t.next()?.parse().ok()?;
    let mi: u32 = t.next()?.parse().ok()?;
    let sec: u32 = match t.next() {
        Some(x) => x.parse().ok()?,
        None => 0,
    };
    if t.next().is_some() {
        return None;
    }
    let offset = offset.trim();
    let offset = if offset.is_empty() {
        0
    } else {
        parse_offset(offset)?
    };
    build(y, mo, d, h, mi, sec, offset)
}

fn parse_rfc2822(s: &str) -> Option<Timestamp> {
    // [Day, ]DD Mon YYYY HH:MM:SS +ZZZZ
    let s = match s.split_once(',') {
        Some((_, rest)) => rest.trim(),
        None => s,
    };
    let mut it = s.split_whitespace();
    let d: u32 = it.next()?.parse().ok()?;
    let mon = it.next()?.to_ascii_lowercase();
    let mo = u32::try_from(MONTHS.iter().position(|m| mon.starts_with(m))?).ok()? + 1;
    let y: i64 = it.next()?.parse().ok()?;
    let mut t = it.next()?.split(':');
    let h: u32 = t.next()?.parse().ok()?;
    let mi: u32 = t.next()?.parse().ok()?;
    let sec: u32 = t.next().map_or(Some(0), |x| x.parse().ok())?;
    let offset = match it.next() {
        Some(o) => parse_offset(o)?,
        None => 0,
    };
    if it.next().is_some() {
        return None;
    }
    build(y, mo, d, h, mi, sec, offset)
}

/// A local date and time at `offset` minutes from UTC, as a timestamp. The calendar check is
/// jiff's: `2026-02-31` or `2026-13-01` is no date (not rolled over to March), and a leap
/// second (`:60`) is none either.
fn build(y: i64, mo: u32, d: u32, h: u32, mi: u32, sec: u32, offset: i32) -> Option<Timestamp> {
    civil(y, mo, d, h, mi, sec).ok()?;
    let local = days_from_civil(y, mo, d) * 86_400
        + i64::from(h) * 3600
        + i64::from(mi) * 60
        + i64::from(sec);
    Some(Timestamp::new(local - i64::from(offset) * 60, offset))
}

/// Validates a civil date and time; the error says what is wrong (`day 31 is out of range…`).
fn civil(y: i64, mo: u32, d: u32, h: u32, mi: u32, sec: u32) -> Result<(), String> {
    let narrow = |v: i64| i8::try_from(v).map_err(|_| format!("{v} is out of range"));
    let year = i16::try_from(y).map_err(|_| format!("year {y} is out of range"))?;
    jiff::civil::DateTime::new(
        year,
        narrow(i64::from(mo))?,
        narrow(i64::from(d))?,
        narrow(i64::from(h))?,
        narrow(i64::from(mi))?,
        narrow(i64::from(sec))?,
        0,
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

/// Why a `YYYY-MM-DD` day is no calendar day (`None` when it is one, or is not of that shape).
pub(crate) fn invalid_day(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let shaped = b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&i| b[i].is_ascii_digit())
        && (b.len() == 10 || b[10] == b' ' || b[10] == b'T');
    if !shaped {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    civil(i64::from(num(0..4)), num(5..7), num(8..10), 0, 0, 0).err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_python() {
        let t = Timestamp::new(1_795_860_565, 0);
        assert_eq!(t.iso(), "2026-11-28T10:09:25+00:00");
        assert_eq!(t.human(), "2026-11-28 10:09:25+00:00");
        let t = Timestamp::new(0, -330);
        assert_eq!(t.iso(), "1969-12-31T18:30:00-05:30");
    }

    #[test]
    fn parses_git_date_formats() {
        let want = Timestamp::new(1_700_000_000, 60);
        assert_eq!(parse_git_date("1700000000 +0100"), Some(want));
        assert_eq!(parse_git_date("@1700000000 +0100"), Some(want));
        assert_eq!(parse_git_date("2023-11-14T23:13:20+01:00"), Some(want));
        assert_eq!(parse_git_date("2023-11-14 23:13:20 +0100"), Some(want));
        assert_eq!(
            parse_git_date("Tue, 14 Nov 2023 23:13:20 +0100"),
            Some(want)
        );
        assert_eq!(
            parse_git_date("2023-11-14T22:13:20Z"),
            Some(Timestamp::new(1_700_000_000, 0))
        );
        for bad in [
            "",
            "yesterday",
            "2023-13-01 00:00:00",
            "1700000000 +9999",
            "12 +0000",
        ] {
            assert_eq!(parse_git_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn impossible_days_are_refused_not_rolled_over() {
        for bad in [
            "2026-02-31 12:00:00 +0000",
            "2026-02-29T00:00:00Z",
            "2026-04-31 00:00",
            "31 Feb 2026 12:00:00 +0000",
            "2026-01-01 24:00:00",
            "2026-01-01 23:59:60",
        ] {
            assert_eq!(parse_git_date(bad), None, "{bad}");
        }
        assert!(parse_git_date("2024-02-29 12:00:00 +0000").is_some());
        assert!(invalid_day("2026-02-31").is_some_and(|why| why.contains("day")));
        assert!(invalid_day("2026-13-01").is_some());
        assert_eq!(invalid_day("2024-02-29"), None);
        assert_eq!(invalid_day("main"), None);
        assert_eq!(invalid_day("2024-02-29x"), None);
    }

    #[test]
    fn calendar_round_trips() {
        for days in [-800_000, -1, 0, 1, 59, 365, 11_016, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
