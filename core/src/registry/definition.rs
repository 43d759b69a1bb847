//! A family's definition, translated and checked by `const fn`s: in a
//! `const`, the compiler translates OpenTelemetry names and rejects bad
//! ones, and registering the family only copies it, so a firmware carries no
//! translation code. The registry's own `register_*` functions build the
//! same definition at run time.

use core::marker::PhantomData;

use super::clash::{Naming, legacy_names_meet};
use super::family::{CounterId, GaugeF64Id, GaugeI64Id, HistogramId, InfoId, Kind, Shape};
use crate::Bounds;
use crate::error::{NameError, RegisterError};
use crate::name::NameKind;
use crate::translate::names::{Buf, attempt, bytes_eq, translate_label, translate_metric, written};
use crate::translate::{InstrumentKind, Strategy};

/// Kinds of family, as types: a [`Family`]'s kind decides which id
/// registering it returns.
pub mod kind {
    /// A counter family (registers as a [`CounterId`](super::CounterId)).
    #[derive(Debug, Clone, Copy)]
    pub struct Counter;
    /// An integer gauge / up-down counter family.
    #[derive(Debug, Clone, Copy)]
    pub struct GaugeI64;
    /// A float gauge family.
    #[derive(Debug, Clone, Copy)]
    pub struct GaugeF64;
    /// A histogram family.
    #[derive(Debug, Clone, Copy)]
    pub struct Histogram;
    /// An info family.
    #[derive(Debug, Clone, Copy)]
    pub struct Info;
}

// The stored kind is crate-private; a sealed trait cannot be named or
// implemented outside, so the constant only ever serves this crate.
#[allow(private_interfaces)]
mod sealed {
    use super::Kind;

    /// Only this crate's kinds, each with the kind the registry stores.
    pub trait Sealed {
        const KIND: Kind;
    }
    impl Sealed for super::kind::Counter {
        const KIND: Kind = Kind::Counter;
    }
    impl Sealed for super::kind::GaugeI64 {
        const KIND: Kind = Kind::GaugeI64;
    }
    impl Sealed for super::kind::GaugeF64 {
        const KIND: Kind = Kind::GaugeF64;
    }
    impl Sealed for super::kind::Histogram {
        const KIND: Kind = Kind::Histogram;
    }
    impl Sealed for super::kind::Info {
        const KIND: Kind = Kind::Info;
    }
}

/// A kind of family (the types in [`kind`]).
pub trait FamilyKind: sealed::Sealed {
    /// The id that registering a family of this kind returns.
    type Id: Copy;
    #[doc(hidden)]
    fn id(index: u16) -> Self::Id;
}

macro_rules! family_kind {
    ($kind:ident, $id:ident) => {
        impl FamilyKind for kind::$kind {
            type Id = $id;
            fn id(index: u16) -> $id {
                $id(index)
            }
        }
    };
}
family_kind!(Counter, CounterId);
family_kind!(GaugeI64, GaugeI64Id);
family_kind!(GaugeF64, GaugeF64Id);
family_kind!(Histogram, HistogramId);
family_kind!(Info, InfoId);

/// A metric family, translated and checked: OpenTelemetry name and unit
/// into a Prometheus family name and unit word, label names, bounds.
///
/// Its constructors are `const fn`s. Defined in a `const`, the compiler does
/// the translation and a bad definition does not build, and
/// [`Registry::register`](super::Registry::register) then only copies it:
/// the program carries no translation code (about 3 KB of a firmware's
/// flash). The capacities (`LABELS`, `BUCKETS`, `META`) are the registry's.
/// Names are translated with the default strategy
/// (`UnderscoreEscapingWithSuffixes`).
///
/// ```
/// use otel_prom_core::registry::{kind, Family, Registry};
/// use otel_prom_core::{Escaping, Format};
///
/// type Reg = Registry<2, 8, 16, 1, 16, 4, 64>;
/// static METRICS: Reg = Reg::new();
/// const UPTIME: Family<kind::Counter, 1, 4, 64> =
///     Family::valid(Family::counter("device.uptime", "Ticks since boot.", "{tick}", &["source"]));
/// const LATENCY: Family<kind::Histogram, 1, 4, 64> =
///     Family::valid(Family::histogram("isr.latency", "", "s", &[], &[0.001, 0.01, 0.1]));
/// assert_eq!(UPTIME.name(), "device_uptime");
/// assert_eq!(LATENCY.name(), "isr_latency_seconds");
///
/// let ticks = METRICS.register(&UPTIME).unwrap();
/// METRICS.add(ticks, &["systick"], 3).unwrap();
/// let mut page = [0u8; 512];
/// let len = METRICS.render(&mut page, Format::Text004, Escaping::Underscores).unwrap();
/// assert!(page[..len].ends_with(b"device_uptime_total{source=\"systick\"} 3\n"));
/// ```
///
/// A definition that cannot work stops the build:
///
/// ```compile_fail
/// use otel_prom_core::registry::{kind, Family};
/// const BAD: Family<kind::Counter, 1, 4, 64> = Family::valid(Family::counter("", "", "", &[]));
/// let _ = BAD;
/// ```
pub struct Family<K, const LABELS: usize = 4, const BUCKETS: usize = 16, const META: usize = 192> {
    pub(crate) shape: Shape<LABELS, BUCKETS>,
    /// Name, help, unit and label names back to back, as the registry
    /// stores them.
    text: [u8; META],
    text_len: u16,
    kind: PhantomData<K>,
}

impl<K, const L: usize, const B: usize, const M: usize> Family<K, L, B, M> {
    /// The definition, or a compile-time error naming what is wrong with
    /// it when evaluated in a `const` (a panic at run time).
    ///
    /// ```
    /// use otel_prom_core::registry::{kind, Family};
    /// const JOBS: Family<kind::Counter> = Family::valid(Family::counter("jobs", "", "", &[]));
    /// assert_eq!(JOBS.name(), "jobs");
    /// ```
    pub const fn valid(definition: Result<Self, RegisterError>) -> Self {
        match definition {
            Ok(family) => family,
            Err(e) => panic!("{}", e.reason()),
        }
    }

    /// The translated family name.
    ///
    /// ```
    /// use otel_prom_core::registry::{kind, Family};
    /// let f: Family<kind::GaugeF64> = Family::gauge_f64("board.temp", "", "Cel", &[]).unwrap();
    /// assert_eq!(f.name(), "board_temp_celsius");
    /// ```
    pub fn name(&self) -> &str {
        self.text_str()
            .get(..self.shape.name_end as usize)
            .unwrap_or("")
    }

    /// Whether no scrape writes a name of this family and a name of `other`
    /// alike: neither's family name is a sample name the other could write
    /// (a gauge `x_total` beside a counter `x`, `h_count` beside a
    /// histogram `h`, which OpenMetrics forbids). The registry checks that
    /// for families defined at run time; [`register`] only copies a
    /// family defined in a `const`, so assert it where they are defined,
    /// and a clash stops the build:
    ///
    /// ```
    /// use otel_prom_core::registry::{kind, Family};
    /// const JOBS: Family<kind::Counter> = Family::valid(Family::counter("jobs", "", "", &[]));
    /// const QUEUE: Family<kind::GaugeI64> = Family::valid(Family::gauge_i64("jobs.queued", "", "", &[]));
    /// const _: () = assert!(JOBS.apart_from(&QUEUE));
    /// const CREATED: Family<kind::GaugeI64> = Family::valid(Family::gauge_i64("jobs_created", "", "", &[]));
    /// assert!(!JOBS.apart_from(&CREATED)); // OpenMetrics' `jobs_created` is the counter's
    /// ```
    ///
    /// [`register`]: super::Registry::register
    pub const fn apart_from<K2, const L2: usize, const B2: usize, const M2: usize>(
        &self,
        other: &Family<K2, L2, B2, M2>,
    ) -> bool {
        // The default strategy writes legacy names only, which meet exactly
        // when spelled alike: no escaping to run.
        self.shape.name_legacy
            && other.shape.name_legacy
            && !legacy_names_meet(self.naming(), other.naming())
    }

    const fn naming(&self) -> Naming<'_> {
        Naming {
            kind: self.shape.kind,
            name: self.text.split_at(self.shape.name_end as usize).0,
            total: self.shape.total,
        }
    }

    /// All the text, as the registry stores it.
    pub(crate) fn text_str(&self) -> &str {
        written(&self.text, self.text_len as usize)
    }

    /// Translates (with the default strategy) and checks a definition
    /// (see [`Family`]).
    const fn build(
        name: &str,
        help: &str,
        unit: &str,
        labels: &[&str],
        bounds: &[f64],
    ) -> Result<Self, RegisterError>
    where
        K: FamilyKind,
    {
        let mut text = [0u8; M];
        match define(
            K::KIND,
            Strategy::UnderscoreEscapingWithSuffixes,
            name,
            help,
            unit,
            labels,
            bounds,
            &mut text,
        ) {
            Ok((shape, text_len)) => Ok(Family {
                shape,
                text,
                text_len,
                kind: PhantomData,
            }),
            Err(e) => Err(e),
        }
    }
}

/// A family's translation and checks, once for every kind (behind
/// [`Family`]'s constructors and the registry's `register_*`): the shape,
/// and the text written into `text` (its length returned).
#[allow(clippy::too_many_arguments)]
pub(crate) const fn define<const L: usize, const B: usize, const M: usize>(
    kind: Kind,
    strategy: Strategy,
    name: &str,
    help: &str,
    unit: &str,
    labels: &[&str],
    bounds: &[f64],
    text: &mut [u8; M],
) -> Result<(Shape<L, B>, u16), RegisterError> {
    if matches!(kind, Kind::Histogram) {
        if let Err(e) = Bounds::new(bounds) {
            return Err(RegisterError::Bounds(e));
        }
        if bounds.len() >= B {
            return Err(RegisterError::TooManyBuckets);
        }
    }
    if labels.len() > L {
        return Err(RegisterError::TooManyLabels);
    }
    let instrument = match kind {
        Kind::Counter => InstrumentKind::Counter,
        Kind::GaugeI64 | Kind::GaugeF64 => InstrumentKind::Gauge,
        Kind::Histogram => InstrumentKind::Histogram,
        Kind::Info => InstrumentKind::Info,
    };
    let mut scratch = [0u8; M];
    let translated = match translate_metric(name, unit, instrument, strategy, &mut scratch) {
        Ok(t) => t,
        Err(e) => return Err(name_error(e)),
    };
    let (name, _) = scratch.split_at(translated.len);
    let unit = name.split_at(name.len() - translated.unit_len).1;
    // OpenMetrics' `# UNIT` takes `[a-zA-Z0-9_]+`. The translator writes
    // units as such words; checked here, once, so that a scrape need not.
    let unit = if is_unit_word(unit) { unit } else { &[] };
    let mut buf = Buf::new(text);
    attempt!(fits(buf.push(name)));
    let name_end = buf.len() as u16;
    attempt!(fits(buf.push(help.as_bytes())));
    let help_end = buf.len() as u16;
    attempt!(fits(buf.push(unit)));
    let unit_end = buf.len() as u16;
    let mut label_ends = [0u16; L];
    let mut label_legacy = [false; L];
    let mut i = 0;
    while i < labels.len() {
        let mut scratch = [0u8; M];
        let len = match translate_label(labels[i], strategy, &mut scratch) {
            Ok(len) => len,
            Err(e) => return Err(name_error(e)),
        };
        let label = scratch.split_at(len).0;
        if matches!(kind, Kind::Histogram) && bytes_eq(label, b"le") {
            return Err(RegisterError::ReservedLabel);
        }
        let mut prev = unit_end as usize;
        let mut j = 0;
        while j < i {
            let end = label_ends[j] as usize;
            let earlier = buf.bytes().split_at(end).0.split_at(prev).1;
            if bytes_eq(earlier, label) {
                return Err(RegisterError::DuplicateLabel);
            }
            prev = end;
            j += 1;
        }
        attempt!(fits(buf.push(label)));
        label_ends[i] = buf.len() as u16;
        label_legacy[i] = NameKind::Label.all_legacy(label);
        i += 1;
    }
    let text_len = buf.len() as u16;
    let mut stored = [0.0; B];
    let mut b = 0;
    while b < bounds.len() {
        stored[b] = bounds[b];
        b += 1;
    }
    Ok((
        Shape {
            kind,
            name_end,
            help_end,
            unit_end,
            label_ends,
            label_count: labels.len() as u8,
            name_legacy: NameKind::Metric.all_legacy(name),
            label_legacy,
            total: translated.total,
            bounds: stored,
            bound_count: bounds.len() as u8,
        },
        text_len,
    ))
}

/// A name that does not fit the scratch space means the family's text
/// cannot fit either.
const fn name_error(e: NameError) -> RegisterError {
    match e {
        NameError::BufferTooSmall => RegisterError::MetadataTooLong,
        e => RegisterError::Name(e),
    }
}

/// Text that does not fit is `MetadataTooLong`.
const fn fits(pushed: Result<(), NameError>) -> Result<(), RegisterError> {
    match pushed {
        Ok(()) => Ok(()),
        Err(_) => Err(RegisterError::MetadataTooLong),
    }
}

macro_rules! constructor {
    ($(#[$doc:meta])* $fn:ident, $kind:ident) => {
        impl<const L: usize, const B: usize, const M: usize> Family<kind::$kind, L, B, M> {
            $(#[$doc])*
            pub const fn $fn(
                name: &str,
                help: &str,
                unit: &str,
                labels: &[&str],
            ) -> Result<Self, RegisterError> {
                Self::build(name, help, unit, labels, &[])
            }
        }
    };
}

constructor!(
    /// A counter family (`_total` in the text formats).
    ///
    /// ```
    /// use otel_prom_core::registry::{kind, Family};
    /// const C: Family<kind::Counter> = Family::valid(Family::counter("http.requests", "", "{request}", &["route"]));
    /// assert_eq!(C.name(), "http_requests");
    /// ```
    counter,
    Counter
);
constructor!(
    /// An integer gauge / up-down counter family.
    ///
    /// ```
    /// use otel_prom_core::registry::{kind, Family};
    /// const Q: Family<kind::GaugeI64> = Family::valid(Family::gauge_i64("queue.depth", "", "{item}", &[]));
    /// assert_eq!(Q.name(), "queue_depth");
    /// ```
    gauge_i64,
    GaugeI64
);
constructor!(
    /// A float gauge family.
    ///
    /// ```
    /// use otel_prom_core::registry::{kind, Family};
    /// const T: Family<kind::GaugeF64> = Family::valid(Family::gauge_f64("board.temp", "", "Cel", &[]));
    /// assert_eq!(T.name(), "board_temp_celsius");
    /// ```
    gauge_f64,
    GaugeF64
);

impl<const L: usize, const B: usize, const M: usize> Family<kind::Histogram, L, B, M> {
    /// A histogram family with fixed `bounds` (finite, strictly increasing,
    /// at most `BUCKETS - 1`).
    ///
    /// ```
    /// use otel_prom_core::registry::{kind, Family};
    /// use otel_prom_core::error::RegisterError;
    /// const H: Family<kind::Histogram, 4, 4> = Family::valid(Family::histogram("lat", "", "ms", &[], &[1.0, 5.0]));
    /// assert_eq!(H.name(), "lat_milliseconds");
    /// assert!(matches!(Family::<kind::Histogram, 4, 4>::histogram("lat", "", "", &[], &[1.0, 2.0, 3.0, 4.0]), Err(RegisterError::TooManyBuckets)));
    /// ```
    pub const fn histogram(
        name: &str,
        help: &str,
        unit: &str,
        labels: &[&str],
        bounds: &[f64],
    ) -> Result<Self, RegisterError> {
        Self::build(name, help, unit, labels, bounds)
    }
}

impl<const L: usize, const B: usize, const M: usize> Family<kind::Info, L, B, M> {
    /// An info family (`<name>_info{labels} 1`).
    ///
    /// ```
    /// use otel_prom_core::registry::{kind, Family};
    /// const I: Family<kind::Info> = Family::valid(Family::info("device.build", "", &["version"]));
    /// assert_eq!(I.name(), "device_build");
    /// ```
    pub const fn info(name: &str, help: &str, labels: &[&str]) -> Result<Self, RegisterError> {
        Self::build(name, help, "", labels, &[])
    }
}

/// Whether `unit` is a word OpenMetrics' `# UNIT` line can carry.
const fn is_unit_word(unit: &[u8]) -> bool {
    let mut i = 0;
    while i < unit.len() {
        if !(unit[i].is_ascii_alphanumeric() || unit[i] == b'_') {
            return false;
        }
        i += 1;
    }
    !unit.is_empty()
}

#[cfg(test)]
mod tests {
    use super::is_unit_word;

    #[test]
    fn unit_words() {
        for ok in ["seconds", "a_b", "kB", "_"] {
            assert!(is_unit_word(ok.as_bytes()), "{ok}");
        }
        for bad in ["", "a:b", "a.b", "°C", "a b"] {
            assert!(!is_unit_word(bad.as_bytes()), "{bad}");
        }
    }
}
