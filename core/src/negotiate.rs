//! Content negotiation: an HTTP `Accept` header in, the format and escaping
//! to write and the exact `Content-Type` to answer with out. `no_std`, so the
//! firmware page, the edge worker and the std server answer alike.
//!
//! Rules: the acceptable media range with the highest `q` wins (ties: the
//! first listed). `application/openmetrics-text` (version absent, `0.0.1` or
//! `1.0.0`) → OpenMetrics 1.0; `text/plain` (version absent or `0.0.4`) →
//! Prometheus text 0.0.4, `version=1.0.0` → Prometheus text 1.0.0; `*/*` and
//! `text/*` → 0.0.4. Anything else (protobuf, unknown versions, garbage) is
//! skipped, and when nothing is acceptable the answer is 0.0.4: a scrape is
//! never refused. `escaping=` on the chosen range picks the escaping scheme
//! (default `underscores`; unknown values fall back to it); without the
//! `utf8-names` feature it is ignored and the answer is always `underscores`.

use crate::format::{Escaping, Format};

/// The outcome of negotiation.
///
/// ```
/// use otel_prom_core::{negotiate, Escaping, Format};
/// let n = negotiate(Some("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,text/plain;q=0.4"));
/// # #[cfg(feature = "utf8-names")] {
/// assert_eq!((n.format, n.escaping), (Format::OpenMetrics100, Escaping::AllowUtf8));
/// assert_eq!(n.content_type(), "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8");
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Negotiated {
    /// The format to write.
    pub format: Format,
    /// The escaping scheme to apply (already adjusted for the format).
    pub escaping: Escaping,
}

impl Default for Negotiated {
    fn default() -> Self {
        Negotiated::DEFAULT
    }
}

impl Negotiated {
    /// Prometheus text 0.0.4 with underscore escaping: the answer to a
    /// request without `Accept`.
    pub const DEFAULT: Negotiated = Negotiated {
        format: Format::Text004,
        escaping: Escaping::Underscores,
    };

    /// The `Content-Type` header value for this answer. The `escaping=`
    /// parameter is present when the scheme is not the default `underscores`.
    ///
    /// ```
    /// assert_eq!(otel_prom_core::Negotiated::DEFAULT.content_type(), "text/plain; version=0.0.4; charset=utf-8");
    /// ```
    pub const fn content_type(&self) -> &'static str {
        use Escaping::*;
        match (self.format, self.escaping) {
            (Format::Text004, Dots) => "text/plain; version=0.0.4; charset=utf-8; escaping=dots",
            (Format::Text004, Values) => {
                "text/plain; version=0.0.4; charset=utf-8; escaping=values"
            }
            (Format::Text004, _) => "text/plain; version=0.0.4; charset=utf-8",
            (Format::Text100, AllowUtf8) => {
                "text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8"
            }
            (Format::Text100, Dots) => "text/plain; version=1.0.0; charset=utf-8; escaping=dots",
            (Format::Text100, Values) => {
                "text/plain; version=1.0.0; charset=utf-8; escaping=values"
            }
            (Format::Text100, Underscores) => "text/plain; version=1.0.0; charset=utf-8",
            (Format::OpenMetrics100, AllowUtf8) => {
                "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8"
            }
            (Format::OpenMetrics100, Dots) => {
                "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=dots"
            }
            (Format::OpenMetrics100, Values) => {
                "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=values"
            }
            (Format::OpenMetrics100, Underscores) => {
                "application/openmetrics-text; version=1.0.0; charset=utf-8"
            }
        }
    }
}

/// Negotiates from the `Accept` header (`None` when the request had none).
///
/// ```
/// use otel_prom_core::{negotiate, Format, Negotiated};
/// assert_eq!(negotiate(None), Negotiated::DEFAULT);
/// assert_eq!(negotiate(Some("*/*")), Negotiated::DEFAULT);
/// assert_eq!(negotiate(Some("text/plain;version=1.0.0")).format, Format::Text100);
/// assert_eq!(negotiate(Some(";;;garbage,,")), Negotiated::DEFAULT);
/// ```
pub fn negotiate(accept: Option<&str>) -> Negotiated {
    let Some(accept) = accept else {
        return Negotiated::DEFAULT;
    };
    let mut best: Option<(u16, Negotiated)> = None;
    // Bytes throughout: the separators are ASCII, and bytes need none of
    // `str`'s boundary checks.
    let mut rest = Some(accept.as_bytes());
    while let Some(ranges) = rest {
        let (range, next) = cut(ranges, b',');
        rest = next;
        let Some((q, n)) = parse_range(range) else {
            continue;
        };
        if q == 0 {
            continue;
        }
        if best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, n));
        }
    }
    best.map_or(Negotiated::DEFAULT, |(_, n)| n)
}

/// `s` split at the first `sep`: what comes before it, and what comes after
/// it if it was there. A byte search, not `split`'s general pattern
/// machinery, which costs firmware its code.
fn cut(s: &[u8], sep: u8) -> (&[u8], Option<&[u8]>) {
    match s.iter().position(|b| *b == sep) {
        Some(i) => {
            let (before, after) = s.split_at(i);
            (before, after.get(1..))
        }
        None => (s, None),
    }
}

/// `s` without the `"` around it. Headers are ASCII text around their
/// tokens (HTTP's whitespace is space and tab), so nothing here needs
/// Unicode's notion of whitespace or a general pattern search, which would
/// cost firmware their tables and code.
fn unquote(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|c| *c != b'"').unwrap_or(s.len());
    let end = s.iter().rposition(|c| *c != b'"').map_or(start, |i| i + 1);
    s.get(start..end).unwrap_or_default()
}

/// One media range → (q in thousandths, answer), or `None` if unusable.
fn parse_range(range: &[u8]) -> Option<(u16, Negotiated)> {
    let (media, mut params) = cut(range, b';');
    let media = media.trim_ascii();
    let mut q = 1000u16;
    let mut version: Option<&[u8]> = None;
    let mut escaping = Escaping::Underscores;
    while let Some(rest) = params {
        let (param, next) = cut(rest, b';');
        params = next;
        let (key, Some(value)) = cut(param, b'=') else {
            continue;
        };
        let key = key.trim_ascii();
        let value = unquote(value.trim_ascii());
        if key.eq_ignore_ascii_case(b"q") {
            q = parse_q(value)?;
        } else if key.eq_ignore_ascii_case(b"version") {
            version = Some(value);
        } else if cfg!(feature = "utf8-names") && key.eq_ignore_ascii_case(b"escaping") {
            escaping = Escaping::from_param_bytes(value).unwrap_or(Escaping::Underscores);
        }
    }
    // The version as an index into the known ones, looked up once: `None`
    // when absent, `Some(None)` when unknown.
    const V001: Option<usize> = Some(0);
    const V004: Option<usize> = Some(1);
    const V100: Option<usize> = Some(2);
    let version = version.map(|v| {
        [&b"0.0.1"[..], b"0.0.4", b"1.0.0"]
            .iter()
            .position(|k| *k == v)
    });
    // A media type has no whitespace around its `/` (RFC 9110 §8.3.1).
    let format = if media.eq_ignore_ascii_case(b"application/openmetrics-text") {
        match version {
            None | Some(V001) | Some(V100) => Format::OpenMetrics100,
            _ => return None,
        }
    } else if media.eq_ignore_ascii_case(b"text/plain") {
        match version {
            None | Some(V004) => Format::Text004,
            Some(V100) => Format::Text100,
            _ => return None,
        }
    } else if media == b"*/*" || media.eq_ignore_ascii_case(b"text/*") {
        Format::Text004
    } else {
        return None;
    };
    Some((
        q,
        Negotiated {
            format,
            escaping: format.effective_escaping(escaping),
        },
    ))
}

/// `q` as thousandths: `0`, `1`, or `0.` followed by up to three digits
/// (RFC 9110 `qvalue`). Anything else makes the range unusable.
fn parse_q(b: &[u8]) -> Option<u16> {
    if b.is_empty() || b.len() > 5 || b.get(1).is_some_and(|c| *c != b'.') {
        return None;
    }
    // The unit digit and three fraction digits, missing ones as zeros.
    let mut n = 0u16;
    for i in [0, 2, 3, 4] {
        let d = b.get(i).copied().unwrap_or(b'0');
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u16::from(d - b'0');
    }
    // A unit above 1, or 1 with a non-zero fraction, is no qvalue.
    (n <= 1000).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_2_accept_header_prefers_openmetrics() {
        let h = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        let n = negotiate(Some(h));
        assert_eq!(n.format, Format::OpenMetrics100);
        assert_eq!(n.escaping, Escaping::Underscores);
        assert_eq!(
            n.content_type(),
            "application/openmetrics-text; version=1.0.0; charset=utf-8"
        );
    }

    #[test]
    #[cfg(feature = "utf8-names")]
    fn prometheus_3_accept_header() {
        let h = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
        let n = negotiate(Some(h));
        assert_eq!(
            (n.format, n.escaping),
            (Format::OpenMetrics100, Escaping::AllowUtf8)
        );
    }

    /// Without `utf8-names` the format is still negotiated, `escaping=` is
    /// not: the answer says `underscores` by leaving the parameter out.
    #[test]
    #[cfg(not(feature = "utf8-names"))]
    fn escaping_ignored_without_utf8_names() {
        let h = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,text/plain;version=1.0.0;escaping=dots;q=0.4";
        let n = negotiate(Some(h));
        assert_eq!(
            (n.format, n.escaping),
            (Format::OpenMetrics100, Escaping::Underscores)
        );
        assert_eq!(
            n.content_type(),
            "application/openmetrics-text; version=1.0.0; charset=utf-8"
        );
        let n = negotiate(Some("text/plain;version=1.0.0;escaping=values"));
        assert_eq!(n.content_type(), "text/plain; version=1.0.0; charset=utf-8");
    }

    #[test]
    fn whitespace_and_quotes_around_tokens() {
        let n = negotiate(Some(
            " application/openmetrics-text ;\tversion = \"1.0.0\" ; q=0.9 , text/plain;q=0.1",
        ));
        assert_eq!(n.format, Format::OpenMetrics100);
        // A quoted empty version is no version.
        let n = negotiate(Some("text/plain;version=\"\""));
        assert_eq!(n, Negotiated::DEFAULT);
    }

    #[test]
    fn qvalues() {
        for (v, want) in [
            ("1", Some(1000)),
            ("1.", Some(1000)),
            ("1.000", Some(1000)),
            ("0", Some(0)),
            ("0.5", Some(500)),
            ("0.05", Some(50)),
            ("0.123", Some(123)),
            ("1.001", None),
            ("1.5", None),
            ("2", None),
            ("0.1234", None),
            ("", None),
            (".5", None),
            ("00", None),
            ("0.a", None),
            ("-0", None),
        ] {
            assert_eq!(parse_q(v.as_bytes()), want, "{v:?}");
        }
    }

    #[test]
    fn q_order_and_ties() {
        let n = negotiate(Some("text/plain;q=0.5, application/openmetrics-text;q=0.9"));
        assert_eq!(n.format, Format::OpenMetrics100);
        let n = negotiate(Some(
            "text/plain;version=1.0.0, application/openmetrics-text",
        ));
        assert_eq!(n.format, Format::Text100);
        let n = negotiate(Some(
            "application/openmetrics-text;q=0, text/plain;version=1.0.0;q=0.001",
        ));
        assert_eq!(n.format, Format::Text100);
    }

    #[test]
    #[cfg(feature = "utf8-names")]
    fn utf8_in_004_is_downgraded() {
        let n = negotiate(Some("text/plain;version=0.0.4;escaping=allow-utf-8"));
        assert_eq!(
            (n.format, n.escaping),
            (Format::Text004, Escaping::Underscores)
        );
        let n = negotiate(Some("text/plain;version=1.0.0;escaping=allow-utf-8"));
        assert_eq!(
            n.content_type(),
            "text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8"
        );
    }

    #[test]
    fn unusable_ranges_fall_back() {
        for h in [
            "",
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
            "text/plain;version=9.9.9",
            "text/plain;q=2",
            "text/plain;q=abc",
            "\u{0}\u{ffff};;=;=,",
            "application/json",
        ] {
            assert_eq!(negotiate(Some(h)), Negotiated::DEFAULT, "{h:?}");
        }
        let n = negotiate(Some("text/plain;escaping=bogus;version=1.0.0"));
        assert_eq!(
            (n.format, n.escaping),
            (Format::Text100, Escaping::Underscores)
        );
    }

    /// `*/*` and `text/*` stand for text 0.0.4 at their own weight; other
    /// media types are not ours and never outbid one that is.
    #[test]
    fn wildcards_bid_for_text_and_foreign_types_do_not() {
        for h in ["*/*", "TEXT/*"] {
            let n = negotiate(Some(&format!(
                "{h};q=1, application/openmetrics-text;q=0.5"
            )));
            assert_eq!(n.format, Format::Text004, "{h}");
        }
        for h in ["application/json", "text/html", "image/*"] {
            let n = negotiate(Some(&format!(
                "{h};q=1, application/openmetrics-text;q=0.5"
            )));
            assert_eq!(n.format, Format::OpenMetrics100, "{h}");
        }
    }

    /// Only `escaping=` sets the scheme: a parameter after it leaves it.
    #[test]
    #[cfg(feature = "utf8-names")]
    fn other_parameters_leave_the_escaping() {
        let n = negotiate(Some(
            "text/plain;version=1.0.0;escaping=allow-utf-8;charset=utf-8;level=1",
        ));
        assert_eq!(
            (n.format, n.escaping),
            (Format::Text100, Escaping::AllowUtf8)
        );
    }

    #[test]
    #[cfg(feature = "utf8-names")]
    fn escaping_params() {
        let n = negotiate(Some("text/plain;version=0.0.4;escaping=values"));
        assert_eq!(
            n.content_type(),
            "text/plain; version=0.0.4; charset=utf-8; escaping=values"
        );
        let n = negotiate(Some("application/openmetrics-text; escaping=\"dots\""));
        assert_eq!(
            n.content_type(),
            "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=dots"
        );
    }
}
