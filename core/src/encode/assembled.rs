//! The histogram fast path: a series' lines assembled in stack buffers.
//!
//! Bucket lines are most of a scrape, and every line of a histogram series
//! repeats its name and labels. Here they are rendered once, each line's
//! start (`name_bucket{labels,le="`) is assembled once, and each line is
//! that start plus its end written in place: one write a line instead of
//! nine. The `compact-histograms` feature leaves this module out, and every
//! line is written field by field (less flash and stack, slower).

use embedded_io::Write;

use super::escape::needs_quotes;
use super::sink::Sink;
use super::{
    EncodeError, Encoder, Exemplar, HistogramState, LabelSet, LabelWriter, SliceSink, write_name,
};
use crate::name::{MetricName, NameKind};
use crate::value::{Histogram, Number, Timestamp};

/// The longest end of a histogram line after its rendered start: a bound
/// (`-1.7976931348623157e+308`, 24 bytes) and `"} `, or a value, then a
/// count of up to 20 digits and the line feed.
const LINE_END_MAX: usize = 24 + 3 + 20 + 1;

impl<W: Write> Encoder<W> {
    /// Renders `labels` once, escaped and without braces, for the lines of
    /// a histogram that all repeat them. `None` when they do not fit `buf`
    /// (the lines then render them one by one).
    fn prerender<L: LabelSet + ?Sized>(&self, labels: &L, buf: &mut [u8]) -> Option<usize> {
        // A `SliceSink`, the sink firmware renders into, so that the name
        // and label writers are not compiled a second time for this buffer.
        let mut sink = Sink {
            inner: SliceSink::new(buf),
        };
        let mut w = LabelWriter {
            out: &mut sink,
            escaping: self.escaping,
            open: true,
            comma: false,
        };
        labels.visit(&mut w).ok()?;
        (!sink.inner.is_truncated()).then_some(sink.inner.len())
    }

    /// Renders what every line of a series starts with: `{"` when the name
    /// is quoted, then the escaped name (histogram and summary family names
    /// carry no suffix of their own). `(length, quoted)`, or `None` when it
    /// does not fit `buf`.
    fn line_head(&self, name: MetricName<'_>, buf: &mut [u8]) -> Option<(usize, bool)> {
        let mut sink = Sink {
            inner: SliceSink::new(buf),
        };
        let legacy = name.is_legacy();
        let quoted = needs_quotes(legacy, self.escaping);
        if quoted {
            sink.put(b"{\"").ok()?;
        }
        write_name(
            &mut sink,
            name.as_str(),
            "",
            "",
            legacy,
            self.escaping,
            NameKind::Metric,
        )
        .ok()?;
        (!sink.inner.is_truncated()).then_some((sink.inner.len(), quoted))
    }

    /// Completes a line start after the `head` bytes [`line_head`] left in
    /// `buf`, for labels prerendered by [`prerender`]:
    /// `<sample_suffix>{labels,le="` when `le` (every bucket line of the
    /// series starts so), else `<sample_suffix>{labels} ` (or the
    /// quoted-name forms). The total length, or `None` when it does not fit.
    ///
    /// [`line_head`]: Self::line_head
    /// [`prerender`]: Self::prerender
    fn line_start_after(
        buf: &mut [u8],
        (head, quoted): (usize, bool),
        sample_suffix: &str,
        labels: &[u8],
        le: bool,
    ) -> Option<usize> {
        let mut sink = Sink {
            inner: SliceSink::new(buf.get_mut(head..)?),
        };
        // Sample suffixes follow the escaped name as they are.
        sink.put_str(sample_suffix).ok()?;
        let (open, close): (&[u8], &[u8]) = match (quoted, le) {
            (true, true) => (b"\",", b",le=\""),
            (true, false) => (b"\",", b"} "),
            (false, true) => (b"{", b",le=\""),
            (false, false) => (b"{", b"} "),
        };
        if labels.is_empty() {
            let bare: &[u8] = match (quoted, le) {
                (true, true) => b"\",le=\"",
                (true, false) => b"\"} ",
                (false, true) => b"{le=\"",
                (false, false) => b" ",
            };
            sink.put(bare).ok()?;
        } else {
            sink.put(open).ok()?;
            sink.put(labels).ok()?;
            sink.put(close).ok()?;
        }
        (!sink.inner.is_truncated()).then_some(head + sink.inner.len())
    }
}

impl<W: Write> HistogramState<'_, '_, W> {
    /// The fast path. Bucket lines are most of a scrape, and every line of
    /// a series repeats its name and labels: those are rendered once, each
    /// line's start (`name_bucket{labels,le="`) is assembled once in a
    /// stack buffer, and each line is that start plus its end written in
    /// place, one write instead of nine. The `le` values are formatted once
    /// per family ([`LeCache`]). `Ok(false)`, having written nothing, when
    /// the series does not fit the buffers.
    pub(super) fn assembled<L: LabelSet + ?Sized, E: LabelSet>(
        &mut self,
        labels: &L,
        histogram: &Histogram<'_>,
        created: Option<Timestamp>,
        exemplars: &[Exemplar<E>],
    ) -> Result<bool, EncodeError<W::Error>> {
        const LINE: usize = 768;
        let mut rendered = [0u8; 256];
        let Some(n) = self.enc.prerender(labels, &mut rendered) else {
            return Ok(false);
        };
        let text = &rendered[..n];
        let mut line = [0u8; LINE];
        // `_bucket{…,le="` is the longest start: when it fits, all do.
        let start_of = |line: &mut [u8], head, suffix: &str, le: bool| {
            Encoder::<W>::line_start_after(line, head, suffix, text, le)
                .filter(|n| n + LINE_END_MAX <= LINE)
        };
        let Some(head) = self.enc.line_head(self.name, &mut line) else {
            return Ok(false);
        };
        let Some(bucket_start) = start_of(&mut line, head, "_bucket", true) else {
            return Ok(false);
        };
        let om = self.enc.format.is_openmetrics();
        let bounds = histogram.bounds();
        let cached = self.cache.load(bounds.as_slice(), om, &mut self.enc.num);
        let mut cumulative = 0u64;
        for (i, count) in histogram.bucket_counts().iter().enumerate() {
            cumulative = cumulative.saturating_add(*count);
            let le: &[u8] = match bounds.as_slice().get(i) {
                Some(_) if cached => self.cache.get(i),
                Some(b) => self.enc.num.bound_bytes(*b, om),
                None => b"+Inf",
            };
            let mut end = bucket_start;
            for part in [le, b"\"} "] {
                line[end..end + part.len()].copy_from_slice(part);
                end += part.len();
            }
            let count = self.enc.num.format_u64(cumulative).as_bytes();
            line[end..end + count.len()].copy_from_slice(count);
            end += count.len();
            match Self::exemplar_of(bounds, exemplars, i) {
                None => {
                    line[end] = b'\n';
                    self.enc.out.put(&line[..=end])?;
                }
                Some(ex) => {
                    self.enc.out.put(&line[..end])?;
                    self.enc.exemplar(Some(ex))?;
                    self.enc.out.put(b"\n")?;
                }
            }
        }
        // The `_sum`, `_count` and `_created` starts are at least two bytes
        // shorter than the bucket start, so they fit where it did (the
        // longest names and label sets are tested against the line-by-line
        // writer).
        if self.has_sum(histogram) {
            for (suffix, v) in [
                ("_sum", histogram.sum()),
                ("_count", Number::U64(cumulative)),
            ] {
                let n = start_of(&mut line, head, suffix, false).unwrap_or(0);
                let digits = self.enc.num.number_bytes(v);
                let end = n + digits.len();
                line[n..end].copy_from_slice(digits);
                line[end] = b'\n';
                self.enc.out.put(&line[..=end])?;
            }
        }
        if let (true, Some(t)) = (om, created) {
            let n = start_of(&mut line, head, "_created", false).unwrap_or(0);
            self.enc.out.put(&line[..n])?;
            self.enc.timestamp(t)?;
            self.enc.out.put(b"\n")?;
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{Escaping, Format};
    use crate::name::LabelName;
    use crate::value::Bounds;
    use crate::{Metadata, MetricName};

    /// One series written by the fast path (`None` if it declined) and
    /// line by line.
    fn both(
        format: Format,
        escaping: Escaping,
        name: &str,
        labels: &[(LabelName<'_>, &str)],
        histogram: &Histogram<'_>,
        created: Option<Timestamp>,
        exemplars: &[Exemplar<[(LabelName<'_>, &str); 1]>],
    ) -> (Option<Vec<u8>>, Vec<u8>) {
        let meta = Metadata::new(MetricName::new(name).unwrap(), "");
        let exemplars = if format.is_openmetrics() {
            exemplars
        } else {
            &[]
        };
        let mut fast = Encoder::new(Vec::new(), format, escaping);
        let wrote = {
            let mut fam = fast.histogram(&meta).unwrap();
            fam.0
                .assembled(labels, histogram, created, exemplars)
                .unwrap()
        };
        let mut slow = Encoder::new(Vec::new(), format, escaping);
        slow.histogram(&meta)
            .unwrap()
            .0
            .line_by_line(labels, histogram, created, exemplars)
            .unwrap();
        (wrote.then(|| fast.into_inner()), slow.into_inner())
    }

    #[test]
    fn the_fast_path_writes_what_line_by_line_writes() {
        let plain = LabelName::new("method").unwrap();
        let dotted = LabelName::new("http.route").unwrap();
        let trace = LabelName::new("trace_id").unwrap();
        let long = "v".repeat(300);
        let label_sets: [&[(LabelName<'_>, &str)]; 4] = [
            &[],
            &[(plain, "GET")],
            &[(plain, "a\"b\\c\nd"), (dotted, "/x")],
            &[(plain, &long)],
        ];
        let bounds_sets: [&[f64]; 3] = [&[], &[0.005, 0.1, 1.0, 2.5e10], &[-1.0, 0.0, 1.0]];
        let sums = [
            Number::F64(1.5),
            Number::F64(f64::NAN),
            Number::F64(-2.0),
            Number::U64(7),
        ];
        let exemplar = [Exemplar {
            labels: [(trace, "4bf92f35")],
            value: Number::F64(0.05),
            timestamp: Some(Timestamp::new(5, 250_000_000)),
        }];
        let mut fast_paths = 0;
        for format in [Format::Text004, Format::Text100, Format::OpenMetrics100] {
            for escaping in [
                Escaping::Underscores,
                Escaping::AllowUtf8,
                Escaping::Dots,
                Escaping::Values,
            ] {
                for name in ["rpc_seconds", "rpc.server.duration", &"n".repeat(700)] {
                    for labels in label_sets {
                        for bounds in bounds_sets {
                            let counts: Vec<u64> = (0..=bounds.len() as u64).collect();
                            for sum in sums {
                                let h = Histogram::new(Bounds::new(bounds).unwrap(), &counts, sum)
                                    .unwrap();
                                for created in [None, Some(Timestamp::new(10, 5))] {
                                    for ex in [&exemplar[..0], &exemplar[..]] {
                                        let (fast, slow) =
                                            both(format, escaping, name, labels, &h, created, ex);
                                        if let Some(fast) = fast {
                                            fast_paths += 1;
                                            assert_eq!(
                                                String::from_utf8(fast).unwrap(),
                                                String::from_utf8(slow).unwrap(),
                                                "{format:?} {escaping:?} {name} {labels:?} {bounds:?} {sum:?}"
                                            );
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // The 300-byte label value does not fit the label buffer; the
        // 700-byte name leaves room in the line buffer only without labels.
        // The other 7 of the 12 name and label combinations take the path.
        assert_eq!(fast_paths, 3 * 4 * 7 * 3 * 4 * 2 * 2);
    }
}
