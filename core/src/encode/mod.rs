//! The one streaming encoder: Prometheus text 0.0.4, Prometheus text 1.0.0
//! and OpenMetrics 1.0, written straight into any [`embedded_io::Write`].
//!
//! # The contract
//! - Producers drive it family by family: [`Encoder::counter`] (and its
//!   siblings) writes the family's metadata and returns a family encoder that
//!   writes that family's samples; the borrow ends before the next family
//!   starts, so a family's samples are always contiguous.
//! - All names reach it validated ([`MetricName`], [`LabelName`], [`Bounds`]),
//!   so **the only way an encode fails is the sink failing**
//!   ([`EncodeError`]). Nothing is allocated; numbers go through a stack
//!   buffer ([`NumberBuffer`]), never `core::fmt`.
//! - OpenMetrics forbids NaN or negative counter-like values. There, a
//!   counter sample whose value is NaN or negative is left out, and a
//!   histogram whose sum is NaN or negative, or that has a negative bucket
//!   bound, is written without `_sum` and `_count` (the `+Inf` bucket still
//!   carries the count). Prometheus text
//!   writes such values as they are. Producers that can see such values
//!   (the SDK adapter) report them.
//! - [`Encoder::finish`] ends the exposition (`# EOF` in OpenMetrics) and
//!   flushes the sink.
//! - [`encoded_len`] (a [`CountingSink`]) gives the exact length of an
//!   exposition, so a caller can size a fixed buffer.
//!
//! ```
//! use otel_prom_core::{Bounds, Encoder, Escaping, Format, Histogram, LabelName, Metadata, MetricName};
//!
//! let method = LabelName::new("method").unwrap();
//! let mut out = Vec::new();
//! let mut enc = Encoder::new(&mut out, Format::Text004, Escaping::Underscores);
//! enc.counter(&Metadata::new(MetricName::new("http_requests").unwrap(), "Requests served."))?
//!     .sample(&[(method, "GET")], 1027u64.into())?;
//! let bounds = Bounds::new(&[0.1, 1.0]).unwrap();
//! enc.histogram(&Metadata::new(MetricName::new("latency_seconds").unwrap(), "Latency."))?
//!     .sample(&(), &Histogram::new(bounds, &[3, 1, 0], 0.42.into()).unwrap())?;
//! enc.finish()?;
//! assert_eq!(String::from_utf8(out).unwrap(), "\
//! ## HELP http_requests_total Requests served.
//! ## TYPE http_requests_total counter
//! http_requests_total{method=\"GET\"} 1027
//! ## HELP latency_seconds Latency.
//! ## TYPE latency_seconds histogram
//! latency_seconds_bucket{le=\"0.1\"} 3
//! latency_seconds_bucket{le=\"1\"} 4
//! latency_seconds_bucket{le=\"+Inf\"} 4
//! latency_seconds_sum 0.42
//! latency_seconds_count 4
//! ");
//! # Ok::<(), otel_prom_core::EncodeError<core::convert::Infallible>>(())
//! ```

mod alike;
#[cfg(not(feature = "compact-histograms"))]
mod assembled;
mod counting;
mod escape;
mod labels;
#[cfg(not(feature = "compact-histograms"))]
mod le_cache;
mod number;
mod shortest;
mod sink;
mod slice;

pub(crate) use alike::{Written, room_for, spelled_alike, written_alike};
pub use counting::{CountingSink, encoded_len};
pub use labels::{LabelSet, LabelVisitor};
pub use number::NumberBuffer;
pub use slice::SliceSink;

use embedded_io::Write;

use crate::error::{EncodeError, NameError};
use crate::float_bits;
use crate::format::{Escaping, Format};
use crate::name::{LabelName, MetricName, NameKind, is_legacy_label_char};
use crate::value::{Bounds, Histogram, Number, Timestamp};
use escape::{Quoting, in_effect, needs_quotes, write_escaped, write_name};
#[cfg(not(feature = "compact-histograms"))]
use le_cache::LeCache;
use sink::Sink;

/// OpenMetrics' limit on an exemplar's label names plus values, in code points.
pub const EXEMPLAR_MAX_LABEL_CHARS: usize = 128;

/// A family's metadata: its name, HELP text and unit.
///
/// The name is the family name *without* type suffixes: the encoder adds
/// `_total`, `_bucket`, `_sum`, `_count`, `_created` and `_info` itself. A
/// counter or info name that already ends in `_total` / `_info` has it
/// stripped first, so a suffix is never doubled.
///
/// ```
/// use otel_prom_core::{Metadata, MetricName};
/// let meta = Metadata::new(MetricName::new("io_bytes").unwrap(), "I/O.")
///     .with_unit("bytes")
///     .unwrap();
/// assert_eq!(meta.unit(), Some("bytes"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metadata<'a> {
    name: MetricName<'a>,
    help: &'a str,
    unit: Option<&'a str>,
    text_total: bool,
}

impl<'a> Metadata<'a> {
    /// Metadata with a name and HELP text (an empty help writes no `# HELP`).
    ///
    /// ```
    /// # use otel_prom_core::{Metadata, MetricName};
    /// let m = Metadata::new(MetricName::new("up").unwrap(), "");
    /// assert_eq!(m.name().as_str(), "up");
    /// ```
    pub const fn new(name: MetricName<'a>, help: &'a str) -> Self {
        Metadata {
            name,
            help,
            unit: None,
            text_total: true,
        }
    }

    /// Sets the OpenMetrics unit (`seconds`, `bytes`, ...). It must match
    /// `[a-zA-Z0-9_]+`. `# UNIT` is written only when the family name ends in
    /// `_<unit>`, as OpenMetrics requires.
    ///
    /// ```
    /// # use otel_prom_core::{Metadata, MetricName, NameError};
    /// let m = Metadata::new(MetricName::new("x").unwrap(), "");
    /// assert_eq!(m.with_unit("a b").unwrap_err(), NameError::InvalidCharacter);
    /// ```
    pub fn with_unit(mut self, unit: &'a str) -> Result<Self, NameError> {
        if unit.is_empty() {
            return Err(NameError::Empty);
        }
        if !unit.chars().all(|c| is_legacy_label_char(c, false)) {
            return Err(NameError::InvalidCharacter);
        }
        self.unit = Some(unit);
        Ok(self)
    }

    /// [`with_unit`](Self::with_unit) for a unit known to be a valid word.
    pub(crate) const fn with_checked_unit(mut self, unit: &'a str) -> Self {
        self.unit = Some(unit);
        self
    }

    /// In the Prometheus text formats, write a counter under its family name
    /// without `_total` (the `without_counter_suffixes` translation).
    /// OpenMetrics requires `_total` on counter samples and always has it.
    ///
    /// ```
    /// # use otel_prom_core::{Metadata, MetricName};
    /// let m = Metadata::new(MetricName::new("x").unwrap(), "").without_total_suffix();
    /// assert!(!m.has_total_suffix());
    /// ```
    pub const fn without_total_suffix(mut self) -> Self {
        self.text_total = false;
        self
    }

    /// The family name.
    ///
    /// ```
    /// # use otel_prom_core::{Metadata, MetricName};
    /// assert_eq!(Metadata::new(MetricName::new("a").unwrap(), "").name().as_str(), "a");
    /// ```
    pub const fn name(&self) -> MetricName<'a> {
        self.name
    }

    /// The HELP text, unescaped.
    ///
    /// ```
    /// # use otel_prom_core::{Metadata, MetricName};
    /// assert_eq!(Metadata::new(MetricName::new("a").unwrap(), "h").help(), "h");
    /// ```
    pub const fn help(&self) -> &'a str {
        self.help
    }

    /// The unit, if set.
    ///
    /// ```
    /// # use otel_prom_core::{Metadata, MetricName};
    /// assert_eq!(Metadata::new(MetricName::new("a").unwrap(), "").unit(), None);
    /// ```
    pub const fn unit(&self) -> Option<&'a str> {
        self.unit
    }

    /// Whether text-format counters carry `_total`.
    ///
    /// ```
    /// # use otel_prom_core::{Metadata, MetricName};
    /// assert!(Metadata::new(MetricName::new("a").unwrap(), "").has_total_suffix());
    /// ```
    pub const fn has_total_suffix(&self) -> bool {
        self.text_total
    }
}

/// An exemplar (OpenMetrics only): labels (typically `trace_id`, `span_id`),
/// the observed value and an optional timestamp.
///
/// An exemplar whose [`label_chars`](LabelSet::label_chars) exceed
/// [`EXEMPLAR_MAX_LABEL_CHARS`] is not written, since it would make the whole
/// scrape invalid; producers should trim their labels first (see
/// [`Exemplar::fits`]).
///
/// ```
/// use otel_prom_core::{Exemplar, LabelName};
/// let labels = [(LabelName::new("trace_id").unwrap(), "4bf92f3577b34da6a3ce929d0e0e4736")];
/// let ex = Exemplar { labels: &labels[..], value: 0.67.into(), timestamp: None };
/// assert!(ex.fits());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Exemplar<L> {
    /// The exemplar's labels.
    pub labels: L,
    /// The observed value.
    pub value: Number,
    /// When it was observed.
    pub timestamp: Option<Timestamp>,
}

impl<L: LabelSet> Exemplar<L> {
    /// True when the labels are within OpenMetrics' 128 code point limit.
    ///
    /// ```
    /// use otel_prom_core::{Exemplar, LabelName};
    /// let long = "x".repeat(200);
    /// let labels = [(LabelName::new("a").unwrap(), long.as_str())];
    /// assert!(!Exemplar { labels: &labels[..], value: 1.0.into(), timestamp: None }.fits());
    /// ```
    pub fn fits(&self) -> bool {
        self.labels.label_chars() <= EXEMPLAR_MAX_LABEL_CHARS
    }
}

/// No exemplar: the type to name in `None::<&NoExemplar>`.
pub type NoExemplar = Exemplar<()>;

/// The streaming encoder. Owns the sink (pass `&mut sink` to keep it).
///
/// ```
/// use otel_prom_core::{Encoder, Escaping, Format, Metadata, MetricName};
/// let mut buf = [0u8; 64];
/// let mut sink = &mut buf[..];
/// let mut enc = Encoder::new(&mut sink, Format::OpenMetrics100, Escaping::Underscores);
/// enc.gauge(&Metadata::new(MetricName::new("up").unwrap(), ""))?.sample(&(), 1u64.into())?;
/// enc.finish()?;
/// let left = sink.len();
/// assert_eq!(&buf[..64 - left], b"# TYPE up gauge\nup 1\n# EOF\n");
/// # Ok::<(), otel_prom_core::EncodeError<embedded_io::SliceWriteError>>(())
/// ```
pub struct Encoder<W: Write> {
    out: Sink<W>,
    format: Format,
    escaping: Escaping,
    num: NumberBuffer,
    /// The suffix the open family's name carries (`_total` of a 0.0.4
    /// counter): escaped with the name; sample suffixes beyond it are not.
    family_suffix: &'static str,
}

impl<W: Write> Encoder<W> {
    /// An encoder writing `format` with names escaped by `escaping` (as
    /// adjusted by [`Format::effective_escaping`]).
    ///
    /// ```
    /// use otel_prom_core::{Encoder, Escaping, Format};
    /// let enc = Encoder::new(otel_prom_core::encode::CountingSink::new(), Format::Text004, Escaping::AllowUtf8);
    /// assert_eq!(enc.escaping(), Escaping::Underscores);
    /// ```
    pub fn new(sink: W, format: Format, escaping: Escaping) -> Self {
        Encoder {
            out: Sink { inner: sink },
            format,
            escaping: format.effective_escaping(escaping),
            num: NumberBuffer::new(),
            family_suffix: "",
        }
    }

    /// The format being written.
    ///
    /// ```
    /// use otel_prom_core::{Encoder, Escaping, Format};
    /// let enc = Encoder::new(otel_prom_core::encode::CountingSink::new(), Format::Text100, Escaping::Dots);
    /// assert_eq!(enc.format(), Format::Text100);
    /// ```
    pub fn format(&self) -> Format {
        self.format
    }

    /// The escaping scheme in effect (always `underscores` without the
    /// `utf8-names` feature).
    ///
    /// ```
    /// use otel_prom_core::{Encoder, Escaping, Format};
    /// let enc = Encoder::new(otel_prom_core::encode::CountingSink::new(), Format::Text100, Escaping::Dots);
    /// let want = if cfg!(feature = "utf8-names") { Escaping::Dots } else { Escaping::Underscores };
    /// assert_eq!(enc.escaping(), want);
    /// ```
    pub fn escaping(&self) -> Escaping {
        self.escaping
    }

    /// Starts a counter family: writes `# HELP`, `# TYPE` (and `# UNIT`).
    ///
    /// ```
    /// # use otel_prom_core::{encode::CountingSink, *};
    /// let mut enc = Encoder::new(Vec::new(), Format::Text004, Escaping::Underscores);
    /// enc.counter(&Metadata::new(MetricName::new("jobs_total").unwrap(), ""))?.sample(&(), 3u64.into())?;
    /// assert_eq!(String::from_utf8(enc.into_inner()).unwrap(), "# TYPE jobs_total counter\njobs_total 3\n");
    /// # Ok::<(), EncodeError<core::convert::Infallible>>(())
    /// ```
    pub fn counter<'e, 'm>(
        &'e mut self,
        meta: &Metadata<'m>,
    ) -> Result<CounterFamily<'e, 'm, W>, EncodeError<W::Error>> {
        let (name, suffix) = self.scalar_header(meta, Scalar::Counter)?;
        Ok(CounterFamily {
            fam: FamilyEncoder { enc: self, name },
            suffix,
        })
    }

    /// The header of a family of one sample per series; returns the name
    /// and suffix its samples carry. One function for every such type, so
    /// that the registry's scrape writes them all with one loop.
    pub(crate) fn scalar_header<'m>(
        &mut self,
        meta: &Metadata<'m>,
        kind: Scalar,
    ) -> Result<(MetricName<'m>, &'static str), EncodeError<W::Error>> {
        let om = self.format.is_openmetrics();
        // (name, suffix in the header, suffix of samples, types in
        // Prometheus text and in OpenMetrics)
        let (name, header_suffix, sample_suffix, text_type, om_type) = match kind {
            Scalar::Counter => {
                let base = strip_suffix(meta.name, "_total");
                let had_total = base.as_str().len() != meta.name.as_str().len();
                let text_suffix = if meta.text_total || had_total {
                    "_total"
                } else {
                    ""
                };
                let (header, sample) = if om {
                    ("", "_total")
                } else {
                    (text_suffix, text_suffix)
                };
                (base, header, sample, "counter", "counter")
            }
            Scalar::Gauge => (meta.name, "", "", "gauge", "gauge"),
            Scalar::Unknown => (meta.name, "", "", "untyped", "unknown"),
            // Prometheus text has no info type: a gauge named `<name>_info`.
            Scalar::Info => (
                strip_suffix(meta.name, "_info"),
                if om { "" } else { "_info" },
                "_info",
                "gauge",
                "info",
            ),
        };
        self.header(meta, name, header_suffix, text_type, om_type)?;
        Ok((name, sample_suffix))
    }

    /// Starts a gauge family.
    ///
    /// ```
    /// # use otel_prom_core::{encode::CountingSink, *};
    /// let mut enc = Encoder::new(Vec::new(), Format::Text004, Escaping::Underscores);
    /// enc.gauge(&Metadata::new(MetricName::new("t").unwrap(), ""))?.sample(&(), Number::F64(0.5))?;
    /// assert_eq!(String::from_utf8(enc.into_inner()).unwrap(), "# TYPE t gauge\nt 0.5\n");
    /// # Ok::<(), EncodeError<core::convert::Infallible>>(())
    /// ```
    pub fn gauge<'e, 'm>(
        &'e mut self,
        meta: &Metadata<'m>,
    ) -> Result<GaugeFamily<'e, 'm, W>, EncodeError<W::Error>> {
        let (name, _) = self.scalar_header(meta, Scalar::Gauge)?;
        Ok(GaugeFamily(FamilyEncoder { enc: self, name }))
    }

    /// Starts a family of unknown type (`untyped` in Prometheus text).
    ///
    /// ```
    /// # use otel_prom_core::{encode::CountingSink, *};
    /// let mut enc = Encoder::new(Vec::new(), Format::OpenMetrics100, Escaping::Underscores);
    /// enc.unknown(&Metadata::new(MetricName::new("u").unwrap(), ""))?.sample(&(), Number::I64(-2))?;
    /// assert_eq!(String::from_utf8(enc.into_inner()).unwrap(), "# TYPE u unknown\nu -2\n");
    /// # Ok::<(), EncodeError<core::convert::Infallible>>(())
    /// ```
    pub fn unknown<'e, 'm>(
        &'e mut self,
        meta: &Metadata<'m>,
    ) -> Result<GaugeFamily<'e, 'm, W>, EncodeError<W::Error>> {
        let (name, _) = self.scalar_header(meta, Scalar::Unknown)?;
        Ok(GaugeFamily(FamilyEncoder { enc: self, name }))
    }

    /// Starts a histogram family.
    ///
    /// ```
    /// # use otel_prom_core::{encode::CountingSink, *};
    /// let mut enc = Encoder::new(Vec::new(), Format::Text004, Escaping::Underscores);
    /// let h = Histogram::new(Bounds::new(&[]).unwrap(), &[2], 3.0.into()).unwrap();
    /// enc.histogram(&Metadata::new(MetricName::new("h").unwrap(), ""))?.sample(&(), &h)?;
    /// let want = "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\n";
    /// assert_eq!(String::from_utf8(enc.into_inner()).unwrap(), want);
    /// # Ok::<(), EncodeError<core::convert::Infallible>>(())
    /// ```
    pub fn histogram<'e, 'm>(
        &'e mut self,
        meta: &Metadata<'m>,
    ) -> Result<HistogramFamily<'e, 'm, W>, EncodeError<W::Error>> {
        self.header(meta, meta.name, "", "histogram", "histogram")?;
        Ok(HistogramFamily(HistogramState {
            enc: self,
            name: meta.name,
            #[cfg(not(feature = "compact-histograms"))]
            cache: LeCache::new(),
        }))
    }

    /// Starts an info family (`target_info`-style). OpenMetrics writes it as
    /// type `info`; Prometheus text, which has no info type, as a gauge named
    /// `<name>_info` with value 1.
    ///
    /// ```
    /// # use otel_prom_core::{encode::CountingSink, *};
    /// let mut enc = Encoder::new(Vec::new(), Format::Text004, Escaping::Underscores);
    /// let l = [(LabelName::new("v").unwrap(), "1.2")];
    /// enc.info(&Metadata::new(MetricName::new("build").unwrap(), ""))?.sample(&l)?;
    /// assert_eq!(String::from_utf8(enc.into_inner()).unwrap(), "# TYPE build_info gauge\nbuild_info{v=\"1.2\"} 1\n");
    /// # Ok::<(), EncodeError<core::convert::Infallible>>(())
    /// ```
    pub fn info<'e, 'm>(
        &'e mut self,
        meta: &Metadata<'m>,
    ) -> Result<InfoFamily<'e, 'm, W>, EncodeError<W::Error>> {
        let (name, _) = self.scalar_header(meta, Scalar::Info)?;
        Ok(InfoFamily(FamilyEncoder { enc: self, name }))
    }

    /// Ends the exposition (`# EOF` in OpenMetrics) and flushes the sink.
    ///
    /// ```
    /// # use otel_prom_core::{encode::CountingSink, *};
    /// let mut sink = CountingSink::new();
    /// Encoder::new(&mut sink, Format::OpenMetrics100, Escaping::Underscores).finish()?;
    /// assert_eq!(sink.len(), "# EOF\n".len());
    /// # Ok::<(), EncodeError<core::convert::Infallible>>(())
    /// ```
    pub fn finish(mut self) -> Result<W, EncodeError<W::Error>> {
        if self.format.is_openmetrics() {
            self.out.put(b"# EOF\n")?;
        }
        self.out.inner.flush().map_err(EncodeError::Sink)?;
        Ok(self.out.inner)
    }

    /// Gives the sink back without finishing.
    ///
    /// ```
    /// # use otel_prom_core::{encode::CountingSink, *};
    /// let enc = Encoder::new(Vec::new(), Format::OpenMetrics100, Escaping::Underscores);
    /// assert!(enc.into_inner().is_empty());
    /// ```
    pub fn into_inner(self) -> W {
        self.out.inner
    }

    fn header(
        &mut self,
        meta: &Metadata<'_>,
        name: MetricName<'_>,
        suffix: &'static str,
        text_type: &str,
        om_type: &str,
    ) -> Result<(), EncodeError<W::Error>> {
        let om = self.format.is_openmetrics();
        self.family_suffix = suffix;
        if !meta.help.is_empty() {
            self.meta_start(b"# HELP ", name, suffix)?;
            write_escaped(
                &mut self.out,
                meta.help,
                if om { Quoting::Quoted } else { Quoting::Help },
            )?;
            self.out.put(b"\n")?;
        }
        self.meta_start(b"# TYPE ", name, suffix)?;
        self.out.put_str(if om { om_type } else { text_type })?;
        self.out.put(b"\n")?;
        if let (true, Some(unit)) = (om, meta.unit) {
            let n = name.as_str();
            let matches = n.len() > unit.len()
                && n.ends_with(unit)
                && n.as_bytes()[n.len() - unit.len() - 1] == b'_';
            if matches {
                self.meta_start(b"# UNIT ", name, suffix)?;
                // The unit must stay a suffix of the escaped name: where the
                // scheme doubles `_` inside the name, it does in the unit too.
                let scheme = in_effect(self.escaping);
                let doubled =
                    scheme == Escaping::Dots || (scheme == Escaping::Values && !name.is_legacy());
                let mut rest = unit.as_bytes();
                // A byte search, not `str::split`'s pattern machinery, which
                // costs firmware its code.
                while let (true, Some(i)) = (doubled, rest.iter().position(|b| *b == b'_')) {
                    self.out.put(&rest[..i])?;
                    self.out.put(b"__")?;
                    rest = &rest[i + 1..];
                }
                self.out.put(rest)?;
                self.out.put(b"\n")?;
            }
        }
        Ok(())
    }

    /// Writes a family or sample name (with `suffix`) under the escaping
    /// scheme; a name that must be quoted is preceded by `open` (`"` in
    /// metadata lines, `{"` in sample lines) and followed by `"`. Returns
    /// whether it was quoted.
    fn name(
        &mut self,
        name: MetricName<'_>,
        suffix: &str,
        open: &[u8],
    ) -> Result<bool, EncodeError<W::Error>> {
        let quoted = needs_quotes(name.is_legacy(), self.escaping);
        if quoted {
            self.out.put(open)?;
        }
        let (family_suffix, sample_suffix) = match suffix.strip_prefix(self.family_suffix) {
            Some(rest) => (self.family_suffix, rest),
            None => ("", suffix),
        };
        write_name(
            &mut self.out,
            name.as_str(),
            family_suffix,
            sample_suffix,
            name.is_legacy(),
            self.escaping,
            NameKind::Metric,
        )?;
        if quoted {
            self.out.put(b"\"")?;
        }
        Ok(quoted)
    }

    /// `# HELP name ` (or `TYPE`, `UNIT`): a metadata line up to its text.
    fn meta_start(
        &mut self,
        keyword: &[u8],
        name: MetricName<'_>,
        suffix: &str,
    ) -> Result<(), EncodeError<W::Error>> {
        self.out.put(keyword)?;
        self.name(name, suffix, b"\"")?;
        self.out.put(b" ")
    }

    /// Writes `name+suffix{labels,extra}` (or the quoted-name form).
    fn series<L: LabelSet + ?Sized>(
        &mut self,
        name: MetricName<'_>,
        suffix: &str,
        labels: &L,
        extra: Option<(LabelName<'_>, &[u8])>,
    ) -> Result<(), EncodeError<W::Error>> {
        let quoted = self.name(name, suffix, b"{\"")?;
        let mut w = LabelWriter {
            out: &mut self.out,
            escaping: self.escaping,
            open: quoted,
            comma: quoted,
        };
        labels.visit(&mut w)?;
        if let Some((n, v)) = extra {
            // The encoder's own label (`le`): legacy name, ASCII number value.
            w.raw_label(n, v)?;
        }
        if w.open {
            self.out.put(b"}")?;
        }
        Ok(())
    }

    /// One sample line, `name+suffix{labels,extra} value # exemplar`: every
    /// line-by-line sample goes through here, so firmware carries its code
    /// once.
    pub(crate) fn sample_line<L: LabelSet + ?Sized, E: LabelSet>(
        &mut self,
        name: MetricName<'_>,
        suffix: &str,
        labels: &L,
        extra: Option<(LabelName<'_>, &[u8])>,
        v: Number,
        exemplar: Option<&Exemplar<E>>,
    ) -> Result<(), EncodeError<W::Error>> {
        self.series(name, suffix, labels, extra)?;
        self.out.put(b" ")?;
        self.value(v)?;
        self.exemplar(exemplar)?;
        self.out.put(b"\n")
    }

    fn value(&mut self, v: Number) -> Result<(), EncodeError<W::Error>> {
        self.out.put(self.num.number_bytes(v))
    }

    fn timestamp(&mut self, t: Timestamp) -> Result<(), EncodeError<W::Error>> {
        self.out.put_str(self.num.format_u64(t.secs()))?;
        let nanos = t.subsec_nanos();
        if nanos != 0 {
            let mut frac = [b'0'; 10];
            frac[0] = b'.';
            let mut n = nanos;
            for i in (1..10).rev() {
                frac[i] = b'0' + (n % 10) as u8;
                n /= 10;
            }
            let mut len = 10;
            while frac[len - 1] == b'0' {
                len -= 1;
            }
            self.out.put(&frac[..len])?;
        }
        Ok(())
    }

    /// `_created` line, OpenMetrics only. The check is inlined, so that
    /// where no start time is ever passed (the registry) the line's code is
    /// not compiled in.
    #[inline(always)]
    fn created<L: LabelSet + ?Sized>(
        &mut self,
        name: MetricName<'_>,
        labels: &L,
        created: Option<Timestamp>,
    ) -> Result<(), EncodeError<W::Error>> {
        match created {
            Some(t) if self.format.is_openmetrics() => self.created_line(name, labels, t),
            _ => Ok(()),
        }
    }

    fn created_line<L: LabelSet + ?Sized>(
        &mut self,
        name: MetricName<'_>,
        labels: &L,
        t: Timestamp,
    ) -> Result<(), EncodeError<W::Error>> {
        self.series(name, "_created", labels, None)?;
        self.out.put(b" ")?;
        self.timestamp(t)?;
        self.out.put(b"\n")
    }

    /// ` # {labels} value [ts]`, OpenMetrics only, and only when it fits.
    fn exemplar<E: LabelSet>(
        &mut self,
        ex: Option<&Exemplar<E>>,
    ) -> Result<(), EncodeError<W::Error>> {
        let Some(ex) = ex else { return Ok(()) };
        if !self.format.is_openmetrics() || !ex.fits() {
            return Ok(());
        }
        self.out.put(b" # {")?;
        let mut w = LabelWriter {
            out: &mut self.out,
            escaping: self.escaping,
            open: true,
            comma: false,
        };
        ex.labels.visit(&mut w)?;
        self.out.put(b"} ")?;
        self.value(ex.value)?;
        if let Some(t) = ex.timestamp {
            self.out.put(b" ")?;
            self.timestamp(t)?;
        }
        Ok(())
    }
}

/// The types of family with one sample per series.
#[derive(Clone, Copy)]
pub(crate) enum Scalar {
    Counter,
    Gauge,
    Unknown,
    Info,
}

/// OpenMetrics forbids NaN and negative values on counter-like samples
/// (`_total`, `_sum`); one would make a strict scraper reject the scrape.
fn is_counter_like(v: Number) -> bool {
    match v {
        Number::U64(_) => true,
        Number::I64(i) => i >= 0,
        Number::F64(f) => float_bits::is_nonnegative(f),
    }
}

/// `name` without `suffix`, unless that would leave nothing. The rest keeps
/// the name's class: the suffixes stripped are legacy characters, and the
/// first character stays, so no validation is run again.
fn strip_suffix<'m>(name: MetricName<'m>, suffix: &str) -> MetricName<'m> {
    match name.as_str().strip_suffix(suffix) {
        Some(base) if !base.is_empty() => MetricName::from_validated(base, name.is_legacy()),
        _ => name,
    }
}

/// Writes labels as `{a="1",b="2"`. `{` is written lazily, so an empty set
/// writes no braces; `open` says it was written (or is not wanted, as in
/// an exemplar), `comma` that the next label needs a separator.
struct LabelWriter<'o, W> {
    out: &'o mut Sink<W>,
    escaping: Escaping,
    open: bool,
    comma: bool,
}

impl<W: Write> LabelWriter<'_, W> {
    fn separator(&mut self) -> Result<(), EncodeError<W::Error>> {
        if !self.open {
            self.out.put(b"{")?;
            self.open = true;
        } else if self.comma {
            self.out.put(b",")?;
        }
        self.comma = true;
        Ok(())
    }

    /// `,name="` (or `{name="`, or with the name quoted): everything of a
    /// label before its value.
    fn label_start(&mut self, name: LabelName<'_>) -> Result<(), EncodeError<W::Error>> {
        self.separator()?;
        let quoted = needs_quotes(name.is_legacy(), self.escaping);
        if quoted {
            self.out.put(b"\"")?;
        }
        write_name(
            self.out,
            name.as_str(),
            "",
            "",
            name.is_legacy(),
            self.escaping,
            NameKind::Label,
        )?;
        self.out.put(if quoted { b"\"=\"" } else { b"=\"" })
    }

    /// A label whose value needs no escaping.
    fn raw_label(
        &mut self,
        name: LabelName<'_>,
        value: &[u8],
    ) -> Result<(), EncodeError<W::Error>> {
        self.label_start(name)?;
        self.out.put(value)?;
        self.out.put(b"\"")
    }
}

impl<W: Write> LabelVisitor for LabelWriter<'_, W> {
    type Error = EncodeError<W::Error>;

    fn label(&mut self, name: LabelName<'_>, value: &str) -> Result<(), Self::Error> {
        self.label_start(name)?;
        write_escaped(self.out, value, Quoting::Quoted)?;
        self.out.put(b"\"")
    }
}

/// Shared state of the family encoders.
struct FamilyEncoder<'e, 'm, W: Write> {
    enc: &'e mut Encoder<W>,
    name: MetricName<'m>,
}

impl<W: Write> FamilyEncoder<'_, '_, W> {
    fn line<L: LabelSet + ?Sized>(
        &mut self,
        suffix: &str,
        labels: &L,
        v: Number,
    ) -> Result<(), EncodeError<W::Error>> {
        self.enc
            .sample_line(self.name, suffix, labels, None, v, None::<&NoExemplar>)
    }
}

/// Writes the samples of one counter family, whose header
/// [`Encoder::counter`] has written. Each `sample` adds a series and
/// returns the family, so a family's series chain.
///
/// ```
/// # use otel_prom_core::*;
/// let route = LabelName::new("route").unwrap();
/// let mut enc = Encoder::new(Vec::new(), Format::Text004, Escaping::Underscores);
/// enc.counter(&Metadata::new(MetricName::new("http_requests").unwrap(), "Requests."))?
///     .sample(&[(route, "/")], 3u64.into())?
///     .sample(&[(route, "/api")], 1u64.into())?;
/// let want = "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\n\
///             http_requests_total{route=\"/\"} 3\nhttp_requests_total{route=\"/api\"} 1\n";
/// assert_eq!(String::from_utf8(enc.into_inner()).unwrap(), want);
/// # Ok::<(), EncodeError<core::convert::Infallible>>(())
/// ```
pub struct CounterFamily<'e, 'm, W: Write> {
    fam: FamilyEncoder<'e, 'm, W>,
    suffix: &'static str,
}

impl<W: Write> CounterFamily<'_, '_, W> {
    /// One series' value.
    ///
    /// ```
    /// # use otel_prom_core::{encode::CountingSink, *};
    /// let mut enc = Encoder::new(Vec::new(), Format::Text004, Escaping::Underscores);
    /// enc.counter(&Metadata::new(MetricName::new("c").unwrap(), ""))?.sample(&(), u64::MAX.into())?;
    /// assert_eq!(String::from_utf8(enc.into_inner()).unwrap(), "# TYPE c_total counter\nc_total 18446744073709551615\n");
    /// # Ok::<(), EncodeError<core::convert::Infallible>>(())
    /// ```
    pub fn sample<L: LabelSet + ?Sized>(
        &mut self,
        labels: &L,
        value: Number,
    ) -> Result<&mut Self, EncodeError<W::Error>> {
        self.sample_with(labels, value, None, None::<&NoExemplar>)
    }

    /// One series' value with its start time (`_created`) and an exemplar;
    /// both are written in OpenMetrics only.
    ///
    /// ```
    /// # use otel_prom_core::{encode::CountingSink, *};
    /// let mut enc = Encoder::new(Vec::new(), Format::OpenMetrics100, Escaping::Underscores);
    /// let ex = Exemplar { labels: [(LabelName::new("trace_id").unwrap(), "ab")], value: 1u64.into(), timestamp: None };
    /// enc.counter(&Metadata::new(MetricName::new("c").unwrap(), ""))?
    ///     .sample_with(&(), 1u64.into(), Some(Timestamp::new(10, 0)), Some(&ex))?;
    /// let want = "# TYPE c counter\nc_total 1 # {trace_id=\"ab\"} 1\nc_created 10\n";
    /// assert_eq!(String::from_utf8(enc.into_inner()).unwrap(), want);
    /// # Ok::<(), EncodeError<core::convert::Infallible>>(())
    /// ```
    pub fn sample_with<L: LabelSet + ?Sized, E: LabelSet>(
        &mut self,
        labels: &L,
        value: Number,
        created: Option<Timestamp>,
        exemplar: Option<&Exemplar<E>>,
    ) -> Result<&mut Self, EncodeError<W::Error>> {
        let f = &mut self.fam;
        if f.enc.format.is_openmetrics() && !is_counter_like(value) {
            return Ok(self);
        }
        f.enc
            .sample_line(f.name, self.suffix, labels, None, value, exemplar)?;
        f.enc.created(f.name, labels, created)?;
        Ok(self)
    }
}

/// Writes the samples of one gauge family (from [`Encoder::gauge`]) or
/// unknown-type family (from [`Encoder::unknown`]): one line per series.
///
/// ```
/// # use otel_prom_core::*;
/// let core = LabelName::new("core").unwrap();
/// let mut enc = Encoder::new(Vec::new(), Format::Text004, Escaping::Underscores);
/// enc.gauge(&Metadata::new(MetricName::new("cpu_temp").unwrap(), ""))?
///     .sample(&[(core, "0")], 41.5.into())?
///     .sample(&[(core, "1")], (-3i64).into())?;
/// let want = "# TYPE cpu_temp gauge\ncpu_temp{core=\"0\"} 41.5\ncpu_temp{core=\"1\"} -3\n";
/// assert_eq!(String::from_utf8(enc.into_inner()).unwrap(), want);
/// # Ok::<(), EncodeError<core::convert::Infallible>>(())
/// ```
pub struct GaugeFamily<'e, 'm, W: Write>(FamilyEncoder<'e, 'm, W>);

impl<W: Write> GaugeFamily<'_, '_, W> {
    /// One series' value.
    ///
    /// ```
    /// # use otel_prom_core::{encode::CountingSink, *};
    /// let mut enc = Encoder::new(Vec::new(), Format::Text004, Escaping::Underscores);
    /// enc.gauge(&Metadata::new(MetricName::new("g").unwrap(), ""))?.sample(&(), f64::NAN.into())?;
    /// assert_eq!(String::from_utf8(enc.into_inner()).unwrap(), "# TYPE g gauge\ng NaN\n");
    /// # Ok::<(), EncodeError<core::convert::Infallible>>(())
    /// ```
    pub fn sample<L: LabelSet + ?Sized>(
        &mut self,
        labels: &L,
        value: Number,
    ) -> Result<&mut Self, EncodeError<W::Error>> {
        self.0.line("", labels, value)?;
        Ok(self)
    }
}

/// Writes the samples of one info family (from [`Encoder::info`]): each
/// series is a set of labels with the value 1. Prometheus text 0.0.4 has no
/// info type, so there the family is a gauge named `<name>_info`.
///
/// ```
/// # use otel_prom_core::*;
/// let version = LabelName::new("version").unwrap();
/// let mut enc = Encoder::new(Vec::new(), Format::Text004, Escaping::Underscores);
/// enc.info(&Metadata::new(MetricName::new("build").unwrap(), ""))?.sample(&[(version, "1.2.0")])?;
/// let want = "# TYPE build_info gauge\nbuild_info{version=\"1.2.0\"} 1\n";
/// assert_eq!(String::from_utf8(enc.into_inner()).unwrap(), want);
/// # Ok::<(), EncodeError<core::convert::Infallible>>(())
/// ```
pub struct InfoFamily<'e, 'm, W: Write>(FamilyEncoder<'e, 'm, W>);

impl<W: Write> InfoFamily<'_, '_, W> {
    /// One info series (value 1).
    ///
    /// ```
    /// # use otel_prom_core::{encode::CountingSink, *};
    /// let mut enc = Encoder::new(Vec::new(), Format::OpenMetrics100, Escaping::Underscores);
    /// enc.info(&Metadata::new(MetricName::new("target").unwrap(), ""))?.sample(&())?;
    /// assert_eq!(String::from_utf8(enc.into_inner()).unwrap(), "# TYPE target info\ntarget_info 1\n");
    /// # Ok::<(), EncodeError<core::convert::Infallible>>(())
    /// ```
    pub fn sample<L: LabelSet + ?Sized>(
        &mut self,
        labels: &L,
    ) -> Result<&mut Self, EncodeError<W::Error>> {
        self.0.line("_info", labels, Number::U64(1))?;
        Ok(self)
    }
}

/// Writes the samples of one histogram family (from
/// [`Encoder::histogram`]): per series, its buckets, sum and count.
///
/// ```
/// # use otel_prom_core::*;
/// let route = LabelName::new("route").unwrap();
/// let bounds = Bounds::new(&[0.1, 1.0]).unwrap();
/// let mut enc = Encoder::new(Vec::new(), Format::Text004, Escaping::Underscores);
/// enc.histogram(&Metadata::new(MetricName::new("latency_seconds").unwrap(), ""))?
///     // Per-bucket counts, the last one above every bound; the encoder accumulates them.
///     .sample(&[(route, "/")], &Histogram::new(bounds, &[4, 1, 0], 0.9.into()).unwrap())?;
/// let page = String::from_utf8(enc.into_inner()).unwrap();
/// assert!(page.starts_with("# TYPE latency_seconds histogram\n"));
/// assert!(page.contains("latency_seconds_bucket{route=\"/\",le=\"1\"} 5\n"));
/// assert!(page.ends_with("latency_seconds_sum{route=\"/\"} 0.9\nlatency_seconds_count{route=\"/\"} 5\n"));
/// # Ok::<(), EncodeError<core::convert::Infallible>>(())
/// ```
pub struct HistogramFamily<'e, 'm, W: Write>(HistogramState<'e, 'm, W>);

/// A histogram family's encoder and its `le` cache.
struct HistogramState<'e, 'm, W: Write> {
    enc: &'e mut Encoder<W>,
    name: MetricName<'m>,
    #[cfg(not(feature = "compact-histograms"))]
    cache: LeCache,
}

impl<W: Write> HistogramFamily<'_, '_, W> {
    /// One series: cumulative `_bucket` lines ending in `le="+Inf"`, `_sum`,
    /// `_count` (equal to the `+Inf` bucket).
    ///
    /// ```
    /// # use otel_prom_core::{encode::CountingSink, *};
    /// let mut enc = Encoder::new(Vec::new(), Format::OpenMetrics100, Escaping::Underscores);
    /// let h = Histogram::new(Bounds::new(&[1.0]).unwrap(), &[1, 1], 2.5.into()).unwrap();
    /// enc.histogram(&Metadata::new(MetricName::new("h").unwrap(), ""))?.sample(&(), &h)?;
    /// let want = "# TYPE h histogram\nh_bucket{le=\"1.0\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 2.5\nh_count 2\n";
    /// assert_eq!(String::from_utf8(enc.into_inner()).unwrap(), want);
    /// # Ok::<(), EncodeError<core::convert::Infallible>>(())
    /// ```
    pub fn sample<L: LabelSet + ?Sized>(
        &mut self,
        labels: &L,
        histogram: &Histogram<'_>,
    ) -> Result<&mut Self, EncodeError<W::Error>> {
        self.sample_with(labels, histogram, None, &[] as &[NoExemplar])
    }

    /// One series with its start time (`_created`) and exemplars (both
    /// OpenMetrics only). Each exemplar goes on the bucket its value falls
    /// in; when several fall in one bucket, the last one wins.
    ///
    /// ```
    /// # use otel_prom_core::{encode::CountingSink, *};
    /// let mut enc = Encoder::new(Vec::new(), Format::OpenMetrics100, Escaping::Underscores);
    /// let h = Histogram::new(Bounds::new(&[1.0]).unwrap(), &[1, 0], 0.5.into()).unwrap();
    /// let ex = [Exemplar { labels: (), value: 0.5.into(), timestamp: None }];
    /// enc.histogram(&Metadata::new(MetricName::new("h").unwrap(), ""))?.sample_with(&(), &h, None, &ex)?;
    /// let want = "# TYPE h histogram\nh_bucket{le=\"1.0\"} 1 # {} 0.5\nh_bucket{le=\"+Inf\"} 1\nh_sum 0.5\nh_count 1\n";
    /// assert_eq!(String::from_utf8(enc.into_inner()).unwrap(), want);
    /// # Ok::<(), EncodeError<core::convert::Infallible>>(())
    /// ```
    pub fn sample_with<L: LabelSet + ?Sized, E: LabelSet>(
        &mut self,
        labels: &L,
        histogram: &Histogram<'_>,
        created: Option<Timestamp>,
        exemplars: &[Exemplar<E>],
    ) -> Result<&mut Self, EncodeError<W::Error>> {
        let f = &mut self.0;
        let exemplars = if f.enc.format.is_openmetrics() {
            exemplars
        } else {
            &[]
        };
        #[cfg(not(feature = "compact-histograms"))]
        if f.assembled(labels, histogram, created, exemplars)? {
            return Ok(self);
        }
        f.line_by_line(labels, histogram, created, exemplars)?;
        Ok(self)
    }
}

impl<W: Write> HistogramState<'_, '_, W> {
    /// The exemplar that goes on bucket `i` (the last one that falls in it).
    /// The emptiness check is inlined, so that where no exemplars are ever
    /// passed (the registry) the search is not compiled in.
    #[inline(always)]
    fn exemplar_of<'x, E>(
        bounds: Bounds<'_>,
        exemplars: &'x [Exemplar<E>],
        i: usize,
    ) -> Option<&'x Exemplar<E>> {
        if exemplars.is_empty() {
            return None;
        }
        exemplars
            .iter()
            .rev()
            .find(|e| bounds.bucket_of(e.value.as_f64()) == i)
    }

    /// Whether `_sum` and `_count` are written: OpenMetrics leaves them out
    /// when the sum is not counter-like or a bucket bound is negative.
    fn has_sum(&self, histogram: &Histogram<'_>) -> bool {
        let negative_buckets = histogram
            .bounds()
            .as_slice()
            .first()
            .is_some_and(|b| float_bits::is_negative(*b));
        !self.enc.format.is_openmetrics() || (is_counter_like(histogram.sum()) && !negative_buckets)
    }

    /// Every line written on its own, fields straight into the sink: no
    /// buffers, the least code and stack. The path for any series the
    /// assembled path cannot take.
    fn line_by_line<L: LabelSet + ?Sized, E: LabelSet>(
        &mut self,
        labels: &L,
        histogram: &Histogram<'_>,
        created: Option<Timestamp>,
        exemplars: &[Exemplar<E>],
    ) -> Result<(), EncodeError<W::Error>> {
        let om = self.enc.format.is_openmetrics();
        let bounds = histogram.bounds();
        let le_name = LabelName::reserved_ok("le");
        let mut cumulative = 0u64;
        for (i, count) in histogram.bucket_counts().iter().enumerate() {
            cumulative = cumulative.saturating_add(*count);
            // The bound is copied out of the number buffer, which the
            // count is formatted in next.
            let mut number = [0u8; 32];
            let le: &[u8] = match bounds.as_slice().get(i) {
                Some(b) => {
                    let s = self.enc.num.bound_bytes(*b, om);
                    number[..s.len()].copy_from_slice(s);
                    &number[..s.len()]
                }
                None => b"+Inf",
            };
            self.enc.sample_line(
                self.name,
                "_bucket",
                labels,
                Some((le_name, le)),
                Number::U64(cumulative),
                Self::exemplar_of(bounds, exemplars, i),
            )?;
        }
        if self.has_sum(histogram) {
            for (suffix, v) in [
                ("_sum", histogram.sum()),
                ("_count", Number::U64(cumulative)),
            ] {
                self.enc
                    .sample_line(self.name, suffix, labels, None, v, None::<&NoExemplar>)?;
            }
        }
        self.enc.created(self.name, labels, created)
    }
}

// The one test here is about the schemes `utf8-names` brings.
#[cfg(all(test, feature = "utf8-names"))]
mod tests {
    use super::*;

    fn unit_line(name: &str, unit: &str, escaping: Escaping) -> String {
        let meta = Metadata::new(MetricName::new(name).unwrap(), "")
            .with_unit(unit)
            .unwrap();
        let mut enc = Encoder::new(Vec::new(), Format::OpenMetrics100, escaping);
        enc.gauge(&meta).unwrap();
        let text = String::from_utf8(enc.into_inner()).unwrap();
        text.lines()
            .find(|l| l.starts_with("# UNIT "))
            .unwrap_or("")
            .to_string()
    }

    #[test]
    fn a_unit_stays_a_suffix_of_the_escaped_name() {
        // Where the scheme doubles `_` in the name, it does in the unit.
        let cases = [
            (
                "io_kilo_bytes",
                "kilo_bytes",
                Escaping::Underscores,
                "# UNIT io_kilo_bytes kilo_bytes",
            ),
            (
                "io_kilo_bytes",
                "kilo_bytes",
                Escaping::Dots,
                "# UNIT io__kilo__bytes kilo__bytes",
            ),
            (
                "io_kilo_bytes",
                "kilo_bytes",
                Escaping::Values,
                "# UNIT io_kilo_bytes kilo_bytes",
            ),
            (
                "a.io_kilo_bytes",
                "kilo_bytes",
                Escaping::Values,
                "# UNIT U__a_2e_io__kilo__bytes kilo__bytes",
            ),
            (
                "a.io_seconds",
                "seconds",
                Escaping::AllowUtf8,
                "# UNIT \"a.io_seconds\" seconds",
            ),
            ("io_seconds", "bytes", Escaping::Underscores, ""),
        ];
        for (name, unit, escaping, want) in cases {
            assert_eq!(unit_line(name, unit, escaping), want, "{name} {escaping:?}");
        }
    }
}
