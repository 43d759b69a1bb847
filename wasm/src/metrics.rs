//! The JS API's model in plain Rust: a registry of fixed capacity, the
//! instruments created on it, and JS number rules. The `wasm-bindgen`
//! layer (`js.rs`) only converts JS values into these calls, so everything
//! here is testable on the host.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use otel_prom_core::error::RecordError;
use otel_prom_core::registry::{
    Counter, CounterId, GaugeF64, GaugeF64Id, GaugeI64, GaugeI64Id, HistogramId, HistogramRecorder,
    Registry,
};
use otel_prom_core::{Negotiated, negotiate};

use crate::error::{Error, ErrorKind};

/// Metric families per registry.
pub const FAMILIES: usize = 64;
/// Series per registry, over all families.
pub const SERIES: usize = 2048;
/// 64-bit value cells: 1 per counter/gauge series, `bounds + 2` per
/// histogram series.
pub const CELLS: usize = 16384;
/// Label names per family.
pub const LABELS: usize = 8;
/// Label value bytes per series (all values together, UTF-8).
pub const VALUE_BYTES: usize = 128;
/// Histogram buckets per family, `+Inf` included (so 31 bounds).
pub const BUCKETS: usize = 32;
/// Bytes per family for the translated name, help, unit and label names.
pub const META: usize = 512;

/// The core registry with this crate's capacity.
pub type CoreRegistry = Registry<FAMILIES, SERIES, CELLS, LABELS, VALUE_BYTES, BUCKETS, META>;

/// OpenTelemetry's default explicit histogram bounds, used when a histogram
/// is created without `bounds`.
pub const DEFAULT_BOUNDS: [f64; 15] = [
    0.0, 5.0, 10.0, 25.0, 50.0, 75.0, 100.0, 250.0, 500.0, 750.0, 1000.0, 2500.0, 5000.0, 7500.0,
    10000.0,
];

/// The largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

struct Shared {
    /// Never replaced or borrowed mutably: resolved series hold borrows
    /// into it (see [`Instrument::series`]).
    registry: Box<CoreRegistry>,
    /// Reused between scrapes: after the first, a scrape allocates nothing
    /// on the Rust side.
    page: RefCell<Vec<u8>>,
}

/// A registry of metrics with the capacity given by this module's constants.
/// Cheap to clone (shared); instruments keep it alive.
///
/// ```
/// use otel_prom_wasm::Metrics;
/// let metrics = Metrics::new();
/// let jobs = metrics.counter("jobs", "Jobs done.", "", &["queue"]).unwrap();
/// jobs.record(2.0, &["mail"]).unwrap();
/// let text = metrics.scrape(None, |_, body| body.to_owned());
/// assert!(text.contains("jobs_total{queue=\"mail\"} 2\n"));
/// ```
#[derive(Clone)]
pub struct Metrics {
    shared: Rc<Shared>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// What an instrument records into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Counter(CounterId),
    UpDownCounter(GaugeI64Id),
    Gauge(GaugeF64Id),
    Histogram(HistogramId),
}

/// The instrument kinds of the JS API.
///
/// ```
/// use otel_prom_wasm::{InstrumentKind, Metrics};
/// let g = Metrics::new().gauge("temp", "", "Cel", &[]).unwrap();
/// assert_eq!(g.kind(), InstrumentKind::Gauge);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstrumentKind {
    /// Monotonic integer total; `record` adds.
    Counter,
    /// Integer that goes up and down; `record` adds a delta.
    UpDownCounter,
    /// Float value; `record` sets it.
    Gauge,
    /// Distribution over fixed bounds; `record` observes.
    Histogram,
}

/// One metric family created on a [`Metrics`] registry.
///
/// ```
/// use otel_prom_wasm::Metrics;
/// let metrics = Metrics::new();
/// let queue = metrics.up_down_counter("queue.depth", "", "{item}", &[]).unwrap();
/// queue.record(5.0, &[]).unwrap();
/// queue.record(-2.0, &[]).unwrap();
/// assert!(metrics.scrape(None, |_, b| b.contains("queue_depth 3\n")));
/// ```
#[derive(Clone)]
pub struct Instrument {
    shared: Rc<Shared>,
    family: Family,
    /// Name and label names as created: for error messages and the Rust
    /// API. One sized `Rc`: unsized ones (`Rc<str>`) cost the .wasm their
    /// layout arithmetic and its panic path.
    names: Rc<Names>,
}

struct Names {
    name: String,
    label_names: Vec<String>,
}

impl Metrics {
    /// An empty registry. Its memory (about 560 KB of wasm linear memory,
    /// [`CoreRegistry::footprint`]) is taken once, here.
    ///
    /// It is allocated and zeroed in place (one `memory.fill`); the
    /// workspace builds this crate with at least `opt-level = 1`, since
    /// unoptimized code would copy it through the stack several times.
    ///
    /// ```
    /// assert_eq!(otel_prom_wasm::Metrics::new().series_len(), 0);
    /// ```
    pub fn new() -> Self {
        Metrics {
            shared: Rc::new(Shared {
                // A compile-time value written into the heap slot: optimized,
                // this is one `memory.fill`, never a stack temporary.
                registry: Box::write(Box::new_uninit(), const { CoreRegistry::new() }),
                page: RefCell::new(Vec::new()),
            }),
        }
    }

    /// A monotonic counter (exported as `<name>_total`).
    ///
    /// ```
    /// let c = otel_prom_wasm::Metrics::new().counter("req", "", "", &[]).unwrap();
    /// assert_eq!(c.name(), "req");
    /// ```
    pub fn counter(
        &self,
        name: &str,
        help: &str,
        unit: &str,
        label_names: &[&str],
    ) -> Result<Instrument, Error> {
        self.define(InstrumentKind::Counter, name, help, unit, label_names, None)
    }

    /// An up-down counter (an integer gauge).
    ///
    /// ```
    /// assert!(otel_prom_wasm::Metrics::new().up_down_counter("conns", "", "", &[]).is_ok());
    /// ```
    pub fn up_down_counter(
        &self,
        name: &str,
        help: &str,
        unit: &str,
        label_names: &[&str],
    ) -> Result<Instrument, Error> {
        let kind = InstrumentKind::UpDownCounter;
        self.define(kind, name, help, unit, label_names, None)
    }

    /// A gauge (a float that is set).
    ///
    /// ```
    /// assert!(otel_prom_wasm::Metrics::new().gauge("temp", "", "Cel", &[]).is_ok());
    /// ```
    pub fn gauge(
        &self,
        name: &str,
        help: &str,
        unit: &str,
        label_names: &[&str],
    ) -> Result<Instrument, Error> {
        self.define(InstrumentKind::Gauge, name, help, unit, label_names, None)
    }

    /// A histogram over `bounds` (finite, increasing, at most
    /// `BUCKETS - 1`; [`DEFAULT_BOUNDS`] when `None`).
    ///
    /// ```
    /// use otel_prom_wasm::Metrics;
    /// let m = Metrics::new();
    /// assert!(m.histogram("lat", "", "s", &[], Some(&[0.1, 1.0])).is_ok());
    /// assert!(m.histogram("bad", "", "s", &[], Some(&[1.0, 0.1])).is_err());
    /// ```
    pub fn histogram(
        &self,
        name: &str,
        help: &str,
        unit: &str,
        label_names: &[&str],
        bounds: Option<&[f64]>,
    ) -> Result<Instrument, Error> {
        let kind = InstrumentKind::Histogram;
        self.define(kind, name, help, unit, label_names, bounds)
    }

    /// An instrument of any kind (`bounds` is read for histograms only):
    /// the one path behind the four above, so that the JS layer, which
    /// learns the kind at run time, has one call to make.
    ///
    /// ```
    /// use otel_prom_wasm::{InstrumentKind, Metrics};
    /// let g = Metrics::new().define(InstrumentKind::Gauge, "temp", "", "Cel", &[], None).unwrap();
    /// assert_eq!(g.kind(), InstrumentKind::Gauge);
    /// ```
    pub fn define(
        &self,
        kind: InstrumentKind,
        name: &str,
        help: &str,
        unit: &str,
        label_names: &[&str],
        bounds: Option<&[f64]>,
    ) -> Result<Instrument, Error> {
        let r = &self.shared.registry;
        let family = match kind {
            InstrumentKind::Counter => r
                .register_counter(name, help, unit, label_names)
                .map(Family::Counter),
            InstrumentKind::UpDownCounter => r
                .register_gauge_i64(name, help, unit, label_names)
                .map(Family::UpDownCounter),
            InstrumentKind::Gauge => r
                .register_gauge_f64(name, help, unit, label_names)
                .map(Family::Gauge),
            InstrumentKind::Histogram => {
                let bounds = bounds.unwrap_or(&DEFAULT_BOUNDS);
                r.register_histogram(name, help, unit, label_names, bounds)
                    .map(Family::Histogram)
            }
        };
        self.instrument(name, label_names, family)
    }

    fn instrument(
        &self,
        name: &str,
        label_names: &[&str],
        family: Result<Family, otel_prom_core::error::RegisterError>,
    ) -> Result<Instrument, Error> {
        let family = family.map_err(|e| Error::new(name, ErrorKind::Register(e)))?;
        Ok(Instrument {
            shared: Rc::clone(&self.shared),
            family,
            names: Rc::new(Names {
                name: name.into(),
                label_names: label_names.iter().map(|&l| String::from(l)).collect(),
            }),
        })
    }

    /// Series created so far.
    ///
    /// ```
    /// let m = otel_prom_wasm::Metrics::new();
    /// m.gauge("g", "", "", &["k"]).unwrap().record(1.0, &["a"]).unwrap();
    /// assert_eq!(m.series_len(), 1);
    /// ```
    pub fn series_len(&self) -> usize {
        self.shared.registry.series_len()
    }

    /// Renders a scrape for an `Accept` header (`None`: Prometheus text
    /// 0.0.4) and hands `f` the `Content-Type` and the body, which borrows
    /// the registry's reused page buffer.
    ///
    /// ```
    /// let m = otel_prom_wasm::Metrics::new();
    /// m.gauge("up", "", "", &[]).unwrap().record(1.0, &[]).unwrap();
    /// let (ct, body) = m.scrape(Some("application/openmetrics-text"), |ct, b| (ct, b.to_owned()));
    /// assert_eq!(ct, "application/openmetrics-text; version=1.0.0; charset=utf-8");
    /// assert_eq!(body, "# TYPE up gauge\nup 1\n# EOF\n");
    /// ```
    pub fn scrape<R>(&self, accept: Option<&str>, f: impl FnOnce(&'static str, &str) -> R) -> R {
        let negotiated = negotiate(accept);
        let Negotiated { format, escaping } = negotiated;
        let mut page = self.shared.page.borrow_mut();
        // Rendered into a slice, as the firmware does, not written into the
        // Vec: the .wasm then carries one instance of the encoder, not two
        // (~2 KB). The buffer keeps the last scrape's size; when the page
        // has grown, `render` says exactly how much it needs, and nothing
        // records before the second pass (JS runs one thing at a time).
        let len = loop {
            match self.shared.registry.render(&mut page, format, escaping) {
                Ok(len) => break len,
                Err(needed) => page.resize(needed, 0),
            }
        };
        let content_type = negotiated.content_type();
        // The encoder writes only UTF-8 (names and values came in as &str),
        // so no byte is ever replaced here; the loop exists so that a broken
        // invariant could never become a panic. (`String::from_utf8_lossy`
        // would do the same with 1 KB more code.)
        let page = page.get_mut(..len).unwrap_or_default();
        loop {
            match core::str::from_utf8(page) {
                Ok(body) => return f(content_type, body),
                Err(e) => page[e.valid_up_to()] = b'?',
            }
        }
    }
}

impl Instrument {
    /// The name the instrument was created with (OpenTelemetry form).
    ///
    /// ```
    /// let h = otel_prom_wasm::Metrics::new().histogram("a.b", "", "ms", &[], None).unwrap();
    /// assert_eq!(h.name(), "a.b");
    /// ```
    pub fn name(&self) -> &str {
        &self.names.name
    }

    /// The family's label names, in the order values are given.
    ///
    /// ```
    /// let c = otel_prom_wasm::Metrics::new().counter("c", "", "", &["route", "code"]).unwrap();
    /// assert_eq!(c.label_names(), ["route", "code"]);
    /// ```
    pub fn label_names(&self) -> &[String] {
        &self.names.label_names
    }

    /// What this instrument is.
    ///
    /// ```
    /// use otel_prom_wasm::{InstrumentKind, Metrics};
    /// assert_eq!(Metrics::new().counter("c", "", "", &[]).unwrap().kind(), InstrumentKind::Counter);
    /// ```
    pub fn kind(&self) -> InstrumentKind {
        match self.family {
            Family::Counter(_) => InstrumentKind::Counter,
            Family::UpDownCounter(_) => InstrumentKind::UpDownCounter,
            Family::Gauge(_) => InstrumentKind::Gauge,
            Family::Histogram(_) => InstrumentKind::Histogram,
        }
    }

    /// Records `value` for the series with these label values (in
    /// [`label_names`](Self::label_names) order): a counter adds it (a
    /// non-negative integer up to 2^53 - 1), an up-down counter adds it (an
    /// integer within ±(2^53 - 1)), a gauge is set to it, a histogram
    /// observes it. NaN and ±Infinity are refused everywhere, and so is an
    /// addition that would carry a counter past 2^64 or an up-down counter
    /// out of ±2^63
    /// ([`RecordError::Overflow`](otel_prom_core::error::RecordError::Overflow)).
    ///
    /// ```
    /// use otel_prom_wasm::{ErrorKind, Metrics};
    /// let c = Metrics::new().counter("c", "", "", &[]).unwrap();
    /// assert_eq!(c.record(0.5, &[]).unwrap_err().kind, ErrorKind::NotAnInteger(0.5));
    /// ```
    pub fn record(&self, value: f64, labels: &[&str]) -> Result<(), Error> {
        self.check(value)?;
        self.record_checked(value, labels)
    }

    /// Creates the series with these label values now (a counter at 0, an
    /// empty histogram) so that it is scraped before its first recording,
    /// and so that capacity and label errors show here, once.
    ///
    /// ```
    /// let m = otel_prom_wasm::Metrics::new();
    /// let c = m.counter("c", "", "", &["route"]).unwrap();
    /// c.create_series(&["/"]).unwrap();
    /// assert!(m.scrape(None, |_, b| b.contains("c_total{route=\"/\"} 0\n")));
    /// ```
    pub fn create_series(&self, labels: &[&str]) -> Result<(), Error> {
        self.series(labels).map(drop)
    }

    /// The series with these label values, created now (as
    /// [`create_series`](Self::create_series)) and resolved once:
    /// recording into it skips the label lookup.
    ///
    /// ```
    /// let m = otel_prom_wasm::Metrics::new();
    /// let c = m.counter("c", "", "", &["route"]).unwrap();
    /// let home = c.series(&["/"]).unwrap();
    /// home.record(2.0).unwrap();
    /// assert!(m.scrape(None, |_, b| b.contains("c_total{route=\"/\"} 2\n")));
    /// ```
    pub fn series(&self, labels: &[&str]) -> Result<Series, Error> {
        let registry = self.shared.registry.as_ref();
        #[allow(unsafe_code)]
        // SAFETY: the borrow is made `'static` only to be stored in the
        // `Series` returned, beside a clone of this instrument, whose `Rc`
        // keeps the boxed registry alive and in place for as long as the
        // `Series` exists (a `Box`'s contents never move, nothing takes
        // `&mut` to the registry, and the core registry never removes a
        // series, so its cells stay the series' cells). `Series` keeps the
        // handle private: the borrow never leaves it. Recording through
        // the handle measured 0.51-0.61x the time of a label lookup per
        // recording (from JS, the crossing included); the safe alternative,
        // an index resolved on every recording, measured 0.81x for 1.3 KB
        // more .wasm.
        let registry: &'static CoreRegistry = unsafe { &*core::ptr::from_ref(registry) };
        let handle = self.handle(registry, labels)?;
        Ok(Series {
            handle,
            instrument: self.clone(),
        })
    }

    /// The number rules of [`record`](Self::record), without recording.
    ///
    /// ```
    /// use otel_prom_wasm::{ErrorKind, Metrics};
    /// let c = Metrics::new().counter("c", "", "", &[]).unwrap();
    /// assert!(c.check(3.0).is_ok());
    /// assert_eq!(c.check(-3.0).unwrap_err().kind, ErrorKind::NegativeIncrement(-3.0));
    /// ```
    pub fn check(&self, value: f64) -> Result<(), Error> {
        let err = |kind| Error::new(self.name(), kind);
        if !value.is_finite() {
            return Err(err(ErrorKind::NotFinite(value)));
        }
        match self.family {
            Family::Counter(_) if value < 0.0 => Err(err(ErrorKind::NegativeIncrement(value))),
            Family::Counter(_) | Family::UpDownCounter(_) => {
                exact_integer(value).map(drop).map_err(err)
            }
            Family::Gauge(_) | Family::Histogram(_) => Ok(()),
        }
    }

    /// [`record`](Self::record) for a value [`check`](Self::check) passed
    /// (the JS layer checks before it reads labels).
    pub(crate) fn record_checked(&self, value: f64, labels: &[&str]) -> Result<(), Error> {
        self.handle(&self.shared.registry, labels)?
            .record(value)
            .map_err(|e| self.record_error(e))
    }

    /// The series with these label values in `registry` (this instrument's,
    /// borrowed for as long as the caller needs): one lookup for both
    /// [`record`](Self::record) and [`series`](Self::series).
    fn handle<'r>(&self, registry: &'r CoreRegistry, labels: &[&str]) -> Result<Handle<'r>, Error> {
        let handle = match self.family {
            Family::Counter(id) => registry.counter(id, labels).map(Handle::Counter),
            Family::UpDownCounter(id) => registry.gauge_i64(id, labels).map(Handle::UpDownCounter),
            Family::Gauge(id) => registry.gauge_f64(id, labels).map(Handle::Gauge),
            Family::Histogram(id) => registry.histogram(id, labels).map(Handle::Histogram),
        };
        handle.map_err(|e| self.record_error(e))
    }

    fn record_error(&self, e: RecordError) -> Error {
        Error::new(self.name(), ErrorKind::Record(e))
    }
}

/// One series of an [`Instrument`], resolved once ([`Instrument::series`]):
/// recording into it updates its cells without looking its labels up.
///
/// ```
/// let m = otel_prom_wasm::Metrics::new();
/// let lat = m.histogram("lat", "", "s", &["route"], Some(&[0.1])).unwrap();
/// let home = lat.series(&["/"]).unwrap();
/// home.record(0.05).unwrap();
/// assert!(home.record(f64::NAN).is_err());
/// assert!(m.scrape(None, |_, b| b.contains("lat_seconds_count{route=\"/\"} 1\n")));
/// ```
pub struct Series {
    /// Borrows from `instrument`'s registry (see [`Instrument::series`]);
    /// declared first so that it is dropped first.
    handle: Handle<'static>,
    instrument: Instrument,
}

/// A series' cells in a registry borrowed for `'r`.
enum Handle<'r> {
    Counter(Counter<'r>),
    UpDownCounter(GaugeI64<'r>),
    Gauge(GaugeF64<'r>),
    Histogram(HistogramRecorder<'r>),
}

impl Handle<'_> {
    /// Records a value [`Instrument::check`] passed: the value is finite,
    /// and an exact integer where the kind needs one, so the casts are
    /// exact. Integer totals are checked: JS may add up to 2^53 - 1 a
    /// call, so 2^11 calls could carry a counter past 2^64.
    fn record(&self, value: f64) -> Result<(), RecordError> {
        match self {
            Handle::Counter(c) => c.checked_add(value as u64),
            Handle::UpDownCounter(g) => g.checked_add(value as i64),
            Handle::Gauge(g) => {
                g.set(value);
                Ok(())
            }
            Handle::Histogram(h) => h.observe(value),
        }
    }
}

impl Series {
    /// The instrument this series belongs to.
    ///
    /// ```
    /// let c = otel_prom_wasm::Metrics::new().counter("c", "", "", &[]).unwrap();
    /// assert_eq!(c.series(&[]).unwrap().instrument().name(), "c");
    /// ```
    pub fn instrument(&self) -> &Instrument {
        &self.instrument
    }

    /// Records `value` by the rules of [`Instrument::record`].
    ///
    /// ```
    /// use otel_prom_wasm::{ErrorKind, Metrics};
    /// let c = Metrics::new().counter("c", "", "", &[]).unwrap();
    /// let s = c.series(&[]).unwrap();
    /// s.record(1.0).unwrap();
    /// assert_eq!(s.record(-1.0).unwrap_err().kind, ErrorKind::NegativeIncrement(-1.0));
    /// ```
    pub fn record(&self, value: f64) -> Result<(), Error> {
        self.instrument.check(value)?;
        self.record_checked(value)
    }

    /// [`record`](Self::record) for a value [`Instrument::check`] passed.
    pub(crate) fn record_checked(&self, value: f64) -> Result<(), Error> {
        self.handle
            .record(value)
            .map_err(|e| self.instrument.record_error(e))
    }
}

/// A JS number as an exact integer: no fraction, within ±(2^53 - 1).
fn exact_integer(v: f64) -> Result<i64, ErrorKind> {
    if v % 1.0 != 0.0 {
        return Err(ErrorKind::NotAnInteger(v));
    }
    if v.abs() > MAX_SAFE_INTEGER {
        return Err(ErrorKind::NotSafeInteger(v));
    }
    Ok(v as i64)
}
