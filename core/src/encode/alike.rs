//! Whether two names come out of the encoder alike in some scrape.
//!
//! Names kept as UTF-8 meet the escaping schemes: `a.b` and `a_b` are both
//! written `a_b` under `underscores`, `a_b` and `a-b` both `a__b` under
//! `dots`. A registry that wants no family or label name to appear twice in
//! any scrape asks here, and the answer comes from the encoder's own name
//! writer, so it cannot drift from what a scrape writes.

use super::escape::{in_effect, write_name};
use super::sink::Sink;
use super::slice::SliceSink;
use crate::format::Escaping;
use crate::name::NameKind;

/// A name as the encoder writes it: `name` (`legacy` if it is in the legacy
/// set), then `inside` escaped with it as part of one name, then `after`
/// appended after escaping (a sample's `_bucket`, OpenMetrics' `_total`).
#[derive(Clone, Copy)]
pub(crate) struct Written<'a> {
    pub(crate) name: &'a str,
    pub(crate) legacy: bool,
    pub(crate) inside: &'static str,
    pub(crate) after: &'static str,
}

/// Every scheme a scrape can apply. `in_effect` narrows them to what this
/// build writes (only `underscores` without `utf8-names`).
const SCHEMES: [Escaping; 4] = [
    Escaping::Underscores,
    Escaping::Dots,
    Escaping::Values,
    Escaping::AllowUtf8,
];

/// Whether two texts, each given as three parts read as one (a name and
/// its suffixes), are the same. A `const fn`, so that families defined in
/// `const`s can be compared by the compiler.
pub(crate) const fn spelled_alike(a: [&[u8]; 3], b: [&[u8]; 3]) -> bool {
    let len = a[0].len() + a[1].len() + a[2].len();
    if len != b[0].len() + b[1].len() + b[2].len() {
        return false;
    }
    let mut i = 0;
    while i < len {
        if byte_at(a, i) != byte_at(b, i) {
            return false;
        }
        i += 1;
    }
    true
}

/// Byte `i` of three parts read as one text, or 0 past its end (a lookup
/// per byte, for names of a few dozen: smaller code than chained
/// iterators, which cost the wasm package 1 KB).
const fn byte_at(parts: [&[u8]; 3], mut i: usize) -> u8 {
    let mut p = 0;
    while p < parts.len() {
        if i < parts[p].len() {
            return parts[p][i];
        }
        i -= parts[p].len();
        p += 1;
    }
    0
}

/// The three parts of `w` as bytes.
const fn parts(w: Written<'_>) -> [&[u8]; 3] {
    [w.name.as_bytes(), w.inside.as_bytes(), w.after.as_bytes()]
}

/// Room to write a name of up to `len` bytes under any scheme: `dots`
/// writes `.` as five bytes, `values` a character as at most two per byte
/// (and `U__`), and the suffixes add at most 15.
pub(crate) const fn room_for(len: usize) -> usize {
    5 * len + 18
}

/// True when some escaping scheme writes `a` and `b` as the same text.
/// `scratch` holds both as written: exact when each half has
/// [`room_for`] the longer name; a longer text is compared by its length
/// and the part that fits (two such texts are taken as alike).
///
/// `#[inline]` so that it is compiled only where a registry's check uses
/// it: compiled into this crate on its own, its calls to the name writer
/// changed what got inlined in a firmware that never calls it (+98 B).
#[inline]
pub(crate) fn written_alike(
    a: Written<'_>,
    b: Written<'_>,
    kind: NameKind,
    scratch: &mut [u8],
) -> bool {
    if a.legacy && b.legacy {
        // The common case, and every name of the default strategy: each
        // scheme writes a legacy name as it is, save `dots`, which doubles
        // its `_`s (one-to-one) and appends `after` with a single `_`, so
        // where `after` begins still shows. Alike exactly when spelled
        // alike, which needs no writing (registering 256 families took
        // 200× longer writing them).
        return spelled_alike(parts(a), parts(b));
    }
    alike_as_written(a, b, kind, scratch)
}

/// [`written_alike`] the long way: each scheme's writing, compared.
/// `#[inline]` for the reason `written_alike` is.
#[inline]
fn alike_as_written(a: Written<'_>, b: Written<'_>, kind: NameKind, scratch: &mut [u8]) -> bool {
    let (buf_a, buf_b) = scratch.split_at_mut(scratch.len() / 2);
    SCHEMES.iter().any(|&scheme| {
        // Through a `SliceSink`, the sink scrapes render into, so that the
        // name writer is not compiled a second time for this.
        let mut out_a = Sink {
            inner: SliceSink::new(buf_a),
        };
        let mut out_b = Sink {
            inner: SliceSink::new(buf_b),
        };
        let scheme = in_effect(scheme);
        // A `SliceSink` takes every byte, so writing cannot fail.
        let _ = write_name(
            &mut out_a, a.name, a.inside, a.after, a.legacy, scheme, kind,
        );
        let _ = write_name(
            &mut out_b, b.name, b.inside, b.after, b.legacy, scheme, kind,
        );
        out_a.inner.len() == out_b.inner.len() && out_a.inner.written() == out_b.inner.written()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(name: &str) -> Written<'_> {
        Written {
            name,
            legacy: NameKind::Metric.all_legacy(name.as_bytes()),
            inside: "",
            after: "",
        }
    }

    #[test]
    fn names_that_escape_alike() {
        let alike = |a, b| written_alike(metric(a), metric(b), NameKind::Metric, &mut [0; 1024]);
        assert!(alike("a_b", "a_b"));
        assert!(alike("a.b", "a_b"), "underscores writes both a_b");
        assert!(alike("a-b", "a.b"));
        assert!(!alike("a_b", "a_c"));
        assert!(!alike("a_b", "a_bc"), "a prefix is not the same name");
        // Long names, differing only at the end.
        let long_a = "x".repeat(40) + ".y";
        let long_b = "x".repeat(40) + "_y";
        let long_c = "x".repeat(40) + "_z";
        assert!(alike(&long_a, &long_b));
        assert!(!alike(&long_a, &long_c));
    }

    #[cfg(feature = "utf8-names")]
    #[test]
    fn values_meets_a_legacy_name_that_looks_escaped() {
        // `values` writes `a.b` as `U__a_2e_b`, which is also a legacy name
        // it leaves as it is; no other scheme writes them alike.
        let alike = written_alike(
            metric("a.b"),
            metric("U__a_2e_b"),
            NameKind::Metric,
            &mut [0; 256],
        );
        assert!(alike);
    }

    #[test]
    fn a_suffix_inside_or_after_the_name() {
        let counter = Written {
            inside: "_total",
            ..metric("x")
        };
        assert!(written_alike(
            counter,
            metric("x_total"),
            NameKind::Metric,
            &mut [0; 256]
        ));
        let sample = Written {
            after: "_count",
            ..metric("h")
        };
        assert!(written_alike(
            sample,
            metric("h_count"),
            NameKind::Metric,
            &mut [0; 256]
        ));
        assert!(!written_alike(
            sample,
            metric("h_sum"),
            NameKind::Metric,
            &mut [0; 256]
        ));
    }

    #[test]
    fn label_names_use_the_label_set() {
        let label = |name| Written {
            name,
            legacy: NameKind::Label.all_legacy(name.as_bytes()),
            inside: "",
            after: "",
        };
        // `:` is legal in metric names only.
        assert!(written_alike(
            label("a:b"),
            label("a_b"),
            NameKind::Label,
            &mut [0; 256]
        ));
        assert!(!written_alike(
            metric("a:b"),
            metric("a_b"),
            NameKind::Metric,
            &mut [0; 256]
        ));
    }

    #[test]
    fn legacy_names_are_alike_exactly_when_spelled_alike() {
        // The shortcut against the long way, over names and suffixes built
        // to meet: doubled, trailing and leading `_`, and `:`.
        let names = [
            "x", "x_", "x__", "_x", "x_total", "x_sum", "x__sum", "x:y", "x_y", "xy",
        ];
        let suffixes = [
            ("", ""),
            ("_total", ""),
            ("", "_total"),
            ("", "_sum"),
            ("_info", ""),
        ];
        let (mut same, mut apart) = (0, 0);
        for a in names {
            for b in names {
                for (ai, aa) in suffixes {
                    for (bi, ba) in suffixes {
                        let wa = Written {
                            inside: ai,
                            after: aa,
                            ..metric(a)
                        };
                        let wb = Written {
                            inside: bi,
                            after: ba,
                            ..metric(b)
                        };
                        let quick = written_alike(wa, wb, NameKind::Metric, &mut [0; 256]);
                        let long = alike_as_written(wa, wb, NameKind::Metric, &mut [0; 256]);
                        assert_eq!(quick, long, "{a}+{ai}+{aa} against {b}+{bi}+{ba}");
                        if quick { same += 1 } else { apart += 1 }
                    }
                }
            }
        }
        assert!(same > 50 && apart > 1000, "{same} alike, {apart} apart");
    }

    #[test]
    fn room_for_holds_the_longest_writing_of_any_name() {
        // The worst character for each scheme, and a mix.
        for name in [
            "..........",
            "\u{10ffff}\u{10ffff}",
            "\"\"\"",
            "é.x\u{10ffff}_",
            "_",
        ] {
            for &scheme in &SCHEMES {
                for (inside, after) in [("_total", "_created"), ("_info", "_bucket")] {
                    let mut buf = [0u8; 128];
                    let mut out = Sink {
                        inner: SliceSink::new(&mut buf),
                    };
                    let _ = write_name(
                        &mut out,
                        name,
                        inside,
                        after,
                        false,
                        scheme,
                        NameKind::Metric,
                    );
                    assert!(
                        out.inner.len() <= room_for(name.len()),
                        "{name:?} under {scheme:?}: {} > {}",
                        out.inner.len(),
                        room_for(name.len())
                    );
                }
            }
        }
    }

    #[test]
    fn texts_longer_than_the_scratch_are_judged_by_length_and_prefix() {
        let a = metric("abcdefgh.1");
        let b = metric("abcdefgh.2");
        assert!(!written_alike(a, b, NameKind::Metric, &mut [0; 64]));
        // Only the first four bytes fit: the same length and prefix count as
        // alike, which can refuse a family but never let a clash through.
        assert!(written_alike(a, b, NameKind::Metric, &mut [0; 8]));
    }
}
