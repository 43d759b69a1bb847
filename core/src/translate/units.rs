//! OpenTelemetry (UCUM) units → Prometheus unit words.
//!
//! Policy for units outside the table: `{annotations}` are dropped; what is
//! left is kept as a suffix after sanitizing it to `[a-zA-Z0-9_]` (runs of
//! other characters become one `_`, leading and trailing `_` trimmed), so
//! `packets` stays `packets` and `req-s` becomes `req_s`. Unit `1` adds no
//! suffix (the current specification dropped `ratio`).

use super::names::{Buf, attempt, bytes_eq, written};
use crate::error::NameError;

/// The Prometheus word for a UCUM unit in the table, if any.
///
/// ```
/// use otel_prom_core::translate::unit_word;
/// assert_eq!(unit_word("ms"), Some("milliseconds"));
/// assert_eq!(unit_word("kBy"), Some("kilobytes"));
/// assert_eq!(unit_word("furlongs"), None);
/// ```
pub const fn unit_word(unit: &str) -> Option<&'static str> {
    unit_word_of(unit.as_bytes())
}

const fn unit_word_of(unit: &[u8]) -> Option<&'static str> {
    Some(match unit {
        b"d" => "days",
        b"h" => "hours",
        b"min" => "minutes",
        b"s" => "seconds",
        b"ms" => "milliseconds",
        b"us" => "microseconds",
        b"ns" => "nanoseconds",
        b"By" => "bytes",
        b"KiBy" => "kibibytes",
        b"MiBy" => "mebibytes",
        b"GiBy" => "gibibytes",
        b"TiBy" => "tebibytes",
        b"kBy" => "kilobytes",
        b"MBy" => "megabytes",
        b"GBy" => "gigabytes",
        b"TBy" => "terabytes",
        b"m" => "meters",
        b"V" => "volts",
        b"A" => "amperes",
        b"J" => "joules",
        b"W" => "watts",
        b"g" => "grams",
        b"Cel" => "celsius",
        b"Hz" => "hertz",
        b"%" => "percent",
        _ => return None,
    })
}

/// The word for the denominator of `a/b`.
const fn per_word(unit: &[u8]) -> Option<&'static str> {
    Some(match unit {
        b"s" => "second",
        b"m" => "minute",
        b"h" => "hour",
        b"d" => "day",
        b"w" => "week",
        b"mo" => "month",
        b"y" => "year",
        _ => return None,
    })
}

/// Translates a UCUM unit into `out`, returning the Prometheus unit
/// (`""` when the unit adds no suffix).
///
/// ```
/// use otel_prom_core::translate::prometheus_unit;
/// let mut buf = [0u8; 32];
/// assert_eq!(prometheus_unit("By/s", &mut buf).unwrap(), "bytes_per_second");
/// assert_eq!(prometheus_unit("{packet}", &mut buf).unwrap(), "");
/// assert_eq!(prometheus_unit("{packet}/s", &mut buf).unwrap(), "per_second");
/// assert_eq!(prometheus_unit("1", &mut buf).unwrap(), "");
/// ```
pub fn prometheus_unit<'b>(unit: &str, out: &'b mut [u8]) -> Result<&'b str, NameError> {
    let mut buf = Buf::new(out);
    write_unit(unit.as_bytes(), &mut buf)?;
    let len = buf.len();
    Ok(written(out, len))
}

/// Which table one side of `a/b` is looked up in.
#[derive(Clone, Copy)]
enum Side {
    /// `a`: unit words.
    Main,
    /// `b`: `second`, `minute`, ... first, then unit words.
    Per,
}

/// Appends the translated unit to `buf`.
pub(crate) const fn write_unit(unit: &[u8], buf: &mut Buf<'_>) -> Result<(), NameError> {
    let mut slash = 0;
    while slash < unit.len() && unit[slash] != b'/' {
        slash += 1;
    }
    let (main, rest) = unit.split_at(slash);
    let start = buf.len();
    attempt!(write_part(main, buf, Side::Main));
    if let Some((_, per)) = rest.split_first() {
        let before = buf.len();
        let sep: &[u8] = if before > start { b"_per_" } else { b"per_" };
        attempt!(buf.push(sep));
        let after_sep = buf.len();
        attempt!(write_part(per, buf, Side::Per));
        if buf.len() == after_sep {
            // Nothing after "per": drop the separator again.
            buf.truncate(before);
        }
    }
    Ok(())
}

/// One side of a unit: annotations dropped, table word or sanitized text.
const fn write_part(part: &[u8], buf: &mut Buf<'_>, side: Side) -> Result<(), NameError> {
    // Drop `{...}` annotations; an unterminated `{` drops the rest. A part
    // longer than the scratch space is kept whole.
    let part = part.trim_ascii();
    let mut clean = [0u8; 64];
    let mut n = 0;
    let mut depth = 0u32;
    let mut long = false;
    let mut i = 0;
    while i < part.len() {
        let b = part[i];
        i += 1;
        if b == b'{' {
            depth += 1;
        } else if b == b'}' && depth > 0 {
            depth -= 1;
        } else if depth == 0 {
            if n == clean.len() {
                long = true;
                break;
            }
            clean[n] = b;
            n += 1;
        }
    }
    let text = if long { part } else { clean.split_at(n).0 }.trim_ascii();
    if text.is_empty() || bytes_eq(text, b"1") {
        return Ok(());
    }
    let word = match side {
        Side::Main => unit_word_of(text),
        Side::Per => match per_word(text) {
            Some(w) => Some(w),
            None => unit_word_of(text),
        },
    };
    if let Some(word) = word {
        return buf.push(word.as_bytes());
    }
    // Unknown unit: keep it, sanitized, with no leading/trailing `_` (a
    // non-ASCII character is a separator, byte by byte).
    let mut pending_sep = false;
    let mut wrote = false;
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        i += 1;
        if b.is_ascii_alphanumeric() {
            if pending_sep && wrote {
                attempt!(buf.push(b"_"));
            }
            pending_sep = false;
            attempt!(buf.push(&[b]));
            wrote = true;
        } else {
            pending_sep = true;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(u: &str) -> String {
        let mut b = [0u8; 64];
        prometheus_unit(u, &mut b).unwrap().to_string()
    }

    #[test]
    fn table() {
        for (u, w) in [
            ("d", "days"),
            ("h", "hours"),
            ("min", "minutes"),
            ("s", "seconds"),
            ("ms", "milliseconds"),
            ("us", "microseconds"),
            ("ns", "nanoseconds"),
            ("By", "bytes"),
            ("KiBy", "kibibytes"),
            ("MiBy", "mebibytes"),
            ("GiBy", "gibibytes"),
            ("TiBy", "tebibytes"),
            ("kBy", "kilobytes"),
            ("MBy", "megabytes"),
            ("GBy", "gigabytes"),
            ("TBy", "terabytes"),
            ("m", "meters"),
            ("V", "volts"),
            ("A", "amperes"),
            ("J", "joules"),
            ("W", "watts"),
            ("g", "grams"),
            ("Cel", "celsius"),
            ("Hz", "hertz"),
            ("%", "percent"),
        ] {
            assert_eq!(unit(u), w, "{u}");
        }
    }

    #[test]
    fn ascii_whitespace_around_units_is_ignored() {
        // OpenTelemetry units are ASCII, so only ASCII whitespace is trimmed.
        assert_eq!(unit(" s\t"), "seconds");
        assert_eq!(unit("By / s"), "bytes_per_second");
        assert_eq!(unit("\u{a0}s"), "s");
    }

    #[test]
    fn per_units_and_annotations() {
        assert_eq!(unit("m/s"), "meters_per_second");
        assert_eq!(unit("By/mo"), "bytes_per_month");
        assert_eq!(unit("1/y"), "per_year");
        assert_eq!(unit("By/m"), "bytes_per_minute");
        assert_eq!(unit("1/h"), "per_hour");
        assert_eq!(unit("{req}/d"), "per_day");
        assert_eq!(unit("{req}/w"), "per_week");
        assert_eq!(unit("{req}/{conn}"), "");
        assert_eq!(unit("J/By"), "joules_per_bytes");
        assert_eq!(unit("ms{request}"), "milliseconds");
        assert_eq!(unit("{packet}By"), "bytes");
        assert_eq!(unit("{a}{b}s"), "seconds");
        assert_eq!(unit("s}"), "s", "a stray closing brace is no annotation");
        assert_eq!(unit("{spans}"), "");
        assert_eq!(unit("1"), "");
        assert_eq!(unit(""), "");
        assert_eq!(unit("packets"), "packets");
        assert_eq!(unit("req-s!"), "req_s");
        assert_eq!(unit("é"), "");
    }
}
