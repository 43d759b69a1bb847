//! OpenTelemetry (UCUM) units → Prometheus unit words.
//!
//! Policy for units outside the table: `{annotations}` are dropped; what is
//! left is kept as a suffix after sanitizing it to `[a-zA-Z0-9_]` (runs of
//! other characters become one `_`, leading and trailing `_` trimmed), so
//! `packets` stays `packets` and `req-s` becomes `req_s`. Unit `1` adds no
//! suffix (the current specification dropped `ratio`).

use super::names::Buf;
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
    Some(match unit.as_bytes() {
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
const fn per_word(unit: &str) -> Option<&'static str> {
    Some(match unit.as_bytes() {
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
    write_unit(unit, &mut buf)?;
    Ok(buf.into_str())
}

/// Appends the translated unit to `buf`.
pub(crate) fn write_unit(unit: &str, buf: &mut Buf<'_>) -> Result<(), NameError> {
    let (main, per) = match unit.split_once('/') {
        Some((m, p)) => (m, Some(p)),
        None => (unit, None),
    };
    let start = buf.len();
    write_part(main, buf, unit_word)?;
    if let Some(per) = per {
        let before = buf.len();
        let sep = if before > start { "_per_" } else { "per_" };
        buf.push_str(sep)?;
        let after_sep = buf.len();
        write_part(per, buf, |p| match per_word(p) {
            Some(w) => Some(w),
            None => unit_word(p),
        })?;
        if buf.len() == after_sep {
            // Nothing after "per": drop the separator again.
            buf.truncate(before);
        }
    }
    Ok(())
}

/// One side of a unit: annotations dropped, table word or sanitized text.
fn write_part(
    part: &str,
    buf: &mut Buf<'_>,
    table: fn(&str) -> Option<&'static str>,
) -> Result<(), NameError> {
    // Drop `{...}` annotations; an unterminated `{` drops the rest.
    let mut clean = [0u8; 64];
    let mut n = 0;
    let mut depth = 0u32;
    let mut long = false;
    for b in part.trim_ascii().bytes() {
        match b {
            b'{' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            _ => {
                if n == clean.len() {
                    long = true;
                    break;
                }
                clean[n] = b;
                n += 1;
            }
        }
    }
    let text = if long {
        part.trim_ascii()
    } else {
        core::str::from_utf8(&clean[..n]).unwrap_or("")
    };
    let text = text.trim_ascii();
    if text.is_empty() || text == "1" {
        return Ok(());
    }
    if let Some(word) = table(text) {
        return buf.push_str(word);
    }
    // Unknown unit: keep it, sanitized, with no leading/trailing `_`.
    let mut pending_sep = false;
    let mut wrote = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_sep && wrote {
                buf.push_str("_")?;
            }
            pending_sep = false;
            let mut tmp = [0u8; 4];
            buf.push_str(c.encode_utf8(&mut tmp))?;
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
        assert_eq!(unit("{req}/w"), "per_week");
        assert_eq!(unit("{req}/{conn}"), "");
        assert_eq!(unit("J/By"), "joules_per_bytes");
        assert_eq!(unit("ms{request}"), "milliseconds");
        assert_eq!(unit("{spans}"), "");
        assert_eq!(unit("1"), "");
        assert_eq!(unit(""), "");
        assert_eq!(unit("packets"), "packets");
        assert_eq!(unit("req-s!"), "req_s");
        assert_eq!(unit("é"), "");
    }
}
