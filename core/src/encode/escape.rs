//! Escaping: HELP text, label values and quoted names, and the four
//! name-escaping schemes. A label value can never end a line or start a new
//! sample: `\`, `"` and line feed are always escaped inside quotes.

use embedded_io::Write;

use super::sink::Sink;
use crate::error::EncodeError;
use crate::format::Escaping;
use crate::name::NameKind;

/// Which characters a text must escape.
#[derive(Clone, Copy)]
pub(crate) enum Quoting {
    /// HELP in Prometheus text: `\` and line feed.
    Help,
    /// Label values, quoted names and OpenMetrics HELP: `\`, `"`, line feed.
    Quoted,
}

/// Writes `text` with the escapes `quoting` asks for, copying unescaped runs
/// in one write each.
pub(crate) fn write_escaped<W: Write>(
    out: &mut Sink<W>,
    text: &str,
    quoting: Quoting,
) -> Result<(), EncodeError<W::Error>> {
    let bytes = text.as_bytes();
    let quotes = matches!(quoting, Quoting::Quoted);
    let mut start = 0;
    let mut i = next_special(bytes, 0, quotes);
    while i < bytes.len() {
        let escape: &[u8] = match bytes[i] {
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            _ => b"\\\"",
        };
        out.put(&bytes[start..i])?;
        out.put(escape)?;
        start = i + 1;
        i = next_special(bytes, start, quotes);
    }
    out.put(&bytes[start..])
}

/// Index of the first byte at or after `from` that must be escaped
/// (`\`, line feed, and `"` when `quotes`), or `bytes.len()`. Where 64-bit
/// words are registers it scans eight bytes at a time: label values are the
/// bulk of an exposition. On 32-bit targets (Cortex-M, wasm32), where
/// size counts most, a byte at a time: 200 B less firmware.
#[inline]
fn next_special(bytes: &[u8], from: usize, quotes: bool) -> usize {
    if cfg!(target_pointer_width = "64") {
        next_special_by_words(bytes, from, quotes)
    } else {
        next_special_by_bytes(bytes, from, quotes)
    }
}

fn next_special_by_bytes(bytes: &[u8], from: usize, quotes: bool) -> usize {
    let quote = if quotes { b'"' } else { b'\\' };
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\\' || b == b'\n' || b == quote {
            return i;
        }
        i += 1;
    }
    bytes.len()
}

#[inline]
fn next_special_by_words(bytes: &[u8], from: usize, quotes: bool) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Zero bytes of `x` get their high bit set. A borrow can also flag a
    // byte above a real zero, never below one, so the lowest flag is exact.
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let quote = if quotes { b'"' } else { b'\\' };
    let mut i = from;
    while i + 8 <= bytes.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[i..i + 8]);
        let w = u64::from_le_bytes(word);
        let hit = zero_bytes(w ^ (ONES * b'\\' as u64))
            | zero_bytes(w ^ (ONES * b'\n' as u64))
            | zero_bytes(w ^ (ONES * quote as u64));
        if hit != 0 {
            return i + (hit.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    next_special_by_bytes(bytes, i, quotes)
}

/// `scheme` as it can be in this build: without the `utf8-names` feature
/// only `underscores` is ever applied ([`Format::effective_escaping`]), and
/// saying so here lets the compiler leave out the other schemes' code.
///
/// [`Format::effective_escaping`]: crate::Format::effective_escaping
#[inline(always)]
pub(crate) fn in_effect(scheme: Escaping) -> Escaping {
    if cfg!(feature = "utf8-names") {
        scheme
    } else {
        Escaping::Underscores
    }
}

/// True when the name must be written quoted under `scheme`.
#[inline]
pub(crate) fn needs_quotes(legacy: bool, scheme: Escaping) -> bool {
    !legacy && in_effect(scheme) == Escaping::AllowUtf8
}

/// Writes `name` followed by `suffix` as one name under `scheme`, then
/// `sample_suffix` as it is. `suffix` is the part of the *family* name the
/// format adds (`_total` of a 0.0.4 counter); `sample_suffix` the part of
/// a sample name after the family name (`_bucket`, OpenMetrics' `_total`),
/// which is appended after escaping, so that under `dots` and `values`
/// every sample name is still its family name plus the suffix the parser
/// expects (as the Go exposition library writes them). The caller has
/// decided about quotes: inside quotes the text is escaped, not rewritten.
pub(crate) fn write_name<W: Write>(
    out: &mut Sink<W>,
    name: &str,
    suffix: &str,
    sample_suffix: &str,
    legacy: bool,
    scheme: Escaping,
    kind: NameKind,
) -> Result<(), EncodeError<W::Error>> {
    write_family_name(out, name, suffix, legacy, scheme, kind)?;
    out.put_str(sample_suffix)
}

fn write_family_name<W: Write>(
    out: &mut Sink<W>,
    name: &str,
    suffix: &str,
    legacy: bool,
    scheme: Escaping,
    kind: NameKind,
) -> Result<(), EncodeError<W::Error>> {
    let scheme = in_effect(scheme);
    if legacy && scheme != Escaping::Dots {
        out.put_str(name)?;
        return out.put_str(suffix);
    }
    match scheme {
        Escaping::AllowUtf8 => {
            write_escaped(out, name, Quoting::Quoted)?;
            write_escaped(out, suffix, Quoting::Quoted)
        }
        Escaping::Underscores => {
            let mut first = true;
            for c in name.chars().chain(suffix.chars()) {
                let ch = if kind.legal(c, first) { c } else { '_' };
                first = false;
                put_char(out, ch)?;
            }
            Ok(())
        }
        Escaping::Dots => {
            let mut first = true;
            for c in name.chars().chain(suffix.chars()) {
                match c {
                    '_' => out.put(b"__")?,
                    '.' => out.put(b"_dot_")?,
                    c if kind.legal(c, first) => put_char(out, c)?,
                    _ => out.put(b"__")?,
                }
                first = false;
            }
            Ok(())
        }
        Escaping::Values => {
            out.put(b"U__")?;
            let mut first = true;
            for c in name.chars().chain(suffix.chars()) {
                match c {
                    '_' => out.put(b"__")?,
                    c if kind.legal(c, first) => put_char(out, c)?,
                    c => {
                        out.put(b"_")?;
                        put_hex(out, c as u32)?;
                        out.put(b"_")?;
                    }
                }
                first = false;
            }
            Ok(())
        }
    }
}

/// Writes a character of the legacy sets (or `_`): all of them are ASCII,
/// so one byte, with no UTF-8 encoder linked.
fn put_char<W: Write>(out: &mut Sink<W>, c: char) -> Result<(), EncodeError<W::Error>> {
    out.put(&[c as u8])
}

fn put_hex<W: Write>(out: &mut Sink<W>, mut v: u32) -> Result<(), EncodeError<W::Error>> {
    let mut buf = [0u8; 8];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b"0123456789abcdef"[(v & 0xf) as usize];
        v >>= 4;
        if v == 0 {
            break;
        }
    }
    out.put(&buf[i..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str, suffix: &str, scheme: Escaping, kind: NameKind) -> String {
        sample_name(n, suffix, "", scheme, kind)
    }

    fn sample_name(
        n: &str,
        suffix: &str,
        sample_suffix: &str,
        scheme: Escaping,
        kind: NameKind,
    ) -> String {
        let legacy = n.chars().enumerate().all(|(i, c)| kind.legal(c, i == 0));
        let mut v = Vec::new();
        let mut s = Sink { inner: &mut v };
        write_name(&mut s, n, suffix, sample_suffix, legacy, scheme, kind).unwrap();
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn underscore_escaped_names_are_what_the_encoder_writes() {
        use crate::{LabelName, MetricName};
        for n in [
            "a.b",
            "a_b",
            "1st",
            "a:b",
            "é",
            "a..b",
            "http.server.duration",
            "up",
            "x-y/z",
        ] {
            let mut buf = [0u8; 32];
            let metric = MetricName::new(n)
                .unwrap()
                .underscore_escaped(&mut buf)
                .unwrap();
            assert_eq!(
                metric.as_str(),
                name(n, "", Escaping::Underscores, NameKind::Metric),
                "{n}"
            );
            assert!(metric.is_legacy());
            let mut buf = [0u8; 32];
            let label = LabelName::new(n)
                .unwrap()
                .underscore_escaped(&mut buf)
                .unwrap();
            assert_eq!(
                label.as_str(),
                name(n, "", Escaping::Underscores, NameKind::Label),
                "{n}"
            );
            assert!(label.is_legacy());
        }
        let mut small = [0u8; 2];
        assert_eq!(
            MetricName::new("abc")
                .unwrap()
                .underscore_escaped(&mut small),
            Err(crate::NameError::BufferTooSmall)
        );
    }

    #[test]
    #[cfg(feature = "utf8-names")]
    fn sample_suffixes_follow_the_escaped_family_name() {
        use Escaping::*;
        use NameKind::Metric;
        assert_eq!(
            sample_name("a.b", "", "_bucket", Dots, Metric),
            "a_dot_b_bucket"
        );
        assert_eq!(
            sample_name("a_b", "", "_bucket", Dots, Metric),
            "a__b_bucket"
        );
        assert_eq!(
            sample_name("a.b", "", "_total", Values, Metric),
            "U__a_2e_b_total"
        );
        assert_eq!(
            sample_name("a.b", "_total", "", Dots, Metric),
            "a_dot_b__total"
        );
        assert_eq!(
            sample_name("a_b", "", "_sum", Underscores, Metric),
            "a_b_sum"
        );
    }

    #[test]
    #[cfg(feature = "utf8-names")]
    fn schemes() {
        use Escaping::*;
        use NameKind::*;
        assert_eq!(
            name("my.metric", "_total", Underscores, Metric),
            "my_metric_total"
        );
        assert_eq!(name("1abc", "", Underscores, Metric), "_abc");
        assert_eq!(
            name("my.metric", "_total", Dots, Metric),
            "my_dot_metric__total"
        );
        assert_eq!(name("a_b", "", Dots, Metric), "a__b");
        assert_eq!(name("a-b", "", Dots, Metric), "a__b");
        assert_eq!(name("a_b", "", Values, Metric), "a_b");
        assert_eq!(name("a.b_c", "", Values, Metric), "U__a_2e_b__c");
        assert_eq!(name("é", "", Values, Metric), "U___e9_");
        assert_eq!(name("a:b", "", Values, Label), "U__a_3a_b");
        assert_eq!(name("a:b", "", Values, Metric), "a:b");
        assert_eq!(name("a\"b", "", AllowUtf8, Metric), "a\\\"b");
    }

    /// Without `utf8-names` every scheme writes `underscores`, and no
    /// name is quoted.
    #[test]
    #[cfg(not(feature = "utf8-names"))]
    fn only_underscores_without_utf8_names() {
        use Escaping::*;
        use NameKind::*;
        for scheme in [AllowUtf8, Underscores, Dots, Values] {
            assert_eq!(
                name("my.metric", "_total", scheme, Metric),
                "my_metric_total"
            );
            assert_eq!(
                sample_name("a_b", "", "_bucket", scheme, Metric),
                "a_b_bucket"
            );
            assert_eq!(name("a:b", "", scheme, Label), "a_b");
            assert!(!needs_quotes(false, scheme));
        }
    }

    #[test]
    fn special_scan_agrees_with_bytewise() {
        let samples = [
            "",
            "a",
            "plain label value",
            "x\\y",
            "0123456\"89",
            "01234567\n",
            "\u{80}\u{ff}\"",
            "ab\\cdefghijk\\",
        ];
        for s in samples {
            for quotes in [false, true] {
                let b = s.as_bytes();
                for from in 0..=b.len() {
                    let want = (from..b.len())
                        .find(|&i| b[i] == b'\\' || b[i] == b'\n' || (quotes && b[i] == b'"'))
                        .unwrap_or(b.len());
                    assert_eq!(
                        next_special_by_words(b, from, quotes),
                        want,
                        "{s:?} {from} {quotes}"
                    );
                    assert_eq!(
                        next_special_by_bytes(b, from, quotes),
                        want,
                        "{s:?} {from} {quotes}"
                    );
                }
            }
        }
    }

    #[test]
    fn escapes() {
        let mut v = Vec::new();
        let mut s = Sink { inner: &mut v };
        write_escaped(&mut s, "a\\b\"c\nd", Quoting::Quoted).unwrap();
        write_escaped(&mut s, "|a\\b\"c\nd", Quoting::Help).unwrap();
        assert_eq!(
            String::from_utf8(v).unwrap(),
            "a\\\\b\\\"c\\nd|a\\\\b\"c\\nd"
        );
    }
}
