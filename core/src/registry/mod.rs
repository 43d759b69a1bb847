//! A fixed-capacity metric registry that can live in a `static`.
//!
//! Capacity is in the type and chosen by the caller; [`Registry::new`] is a
//! `const fn`, so there is no heap and no runtime initialisation, and the
//! registry's RAM is exactly its declared capacity (see [`Registry`] for the
//! formula). Families are registered with OpenTelemetry-style names and units,
//! translated once: at registration (`register_counter`, ...), or by the
//! compiler for a [`Family`] defined in a `const` (then registration only
//! copies it, and a firmware carries no translation code). Series are found
//! by label values, copied into inline storage (`VALUE_BYTES` per series;
//! nothing is borrowed).
//!
//! - **Recording** is one atomic operation on a pre-resolved handle
//!   ([`Counter`], [`GaugeI64`], [`GaugeF64`], [`HistogramRecorder`]) and
//!   never takes a lock or allocates: safe from an interrupt handler. Looking a
//!   series up by label values is lock-free when it exists; creating it takes
//!   the registration lock (a `spin` mutex) briefly.
//! - **Scraping** ([`Registry::encode`], [`Registry::write`]) reads the cells
//!   with plain atomic loads and holds no lock while it writes to the sink.
//! - **Errors**: full capacity, wrong label count, too-long values, NaN and
//!   type conflicts are typed errors ([`RegisterError`], [`RecordError`]);
//!   nothing panics and nothing that was reported recorded is lost.
//!
//! Atomics come from `portable-atomic`: native where the target has them.
//! On targets without CAS (thumbv6m) or without 64-bit atomics (thumbv7em),
//! where interrupts record, enable this crate's `critical-section` feature
//! and link a critical-section implementation in the application.
//!
//! ```
//! use otel_prom_core::registry::Registry;
//! use otel_prom_core::{Escaping, Format};
//!
//! // 4 families, 16 series, 64 value cells; defaults for the rest.
//! static METRICS: Registry<4, 16, 64> = Registry::new();
//!
//! let requests = METRICS.register_counter("http.requests", "Requests.", "{request}", &["route"]).unwrap();
//! let latency = METRICS.register_histogram("http.duration", "Latency.", "s", &[], &[0.01, 0.1, 1.0]).unwrap();
//!
//! let root = METRICS.counter(requests, &["/"]).unwrap(); // resolve once
//! root.inc();                                              // hot path: one atomic add
//! METRICS.add(requests, &["/health"], 2).unwrap();          // lookup + add
//! METRICS.observe(latency, &[], 0.042).unwrap();
//!
//! let mut page = [0u8; 1024];
//! let len = METRICS.encoded_len(Format::Text004, Escaping::Underscores);
//! let mut sink = &mut page[..];
//! METRICS.write(&mut sink, Format::Text004, Escaping::Underscores).unwrap();
//! let text = core::str::from_utf8(&page[..len]).unwrap();
//! assert!(text.contains("http_requests_total{route=\"/health\"} 2\n"));
//! assert!(text.contains("http_duration_seconds_bucket{le=\"0.1\"} 1\n"));
//! ```

mod cell;
mod clash;
mod definition;
mod family;
mod series;

pub use cell::{Counter, GaugeF64, GaugeI64, HistogramRecorder};
use definition::define;
pub use definition::{Family, FamilyKind, kind};
pub use family::{CounterId, GaugeF64Id, GaugeI64Id, HistogramId, InfoId};

use embedded_io::Write;
use heapless::String;
use portable_atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use spin::{Mutex, Once};

use crate::encode::{Encoder, LabelSet, LabelVisitor, NoExemplar, Scalar, SliceSink};
use crate::error::{EncodeError, RecordError, RegisterError};
use crate::float_bits;
use crate::format::{Escaping, Format};
use crate::translate::Strategy;
use crate::translate::names::written;
use crate::value::{Bounds, Histogram, Number};
use family::{FamilyDesc, Kind, Shape};
use series::{NONE, SeriesKey, SeriesSlot, hash, link, target};

/// How a new family is judged against the registered ones.
type Check<const L: usize, const B: usize, const M: usize> =
    fn(&FamilyDesc<L, B, M>, &[Once<FamilyDesc<L, B, M>>]) -> Result<(), RegisterError>;

/// State changed only under the registration lock.
struct Registration<const FAMILIES: usize> {
    /// Last series of each family (to append to the family's list).
    last: [u32; FAMILIES],
    cells_used: usize,
    series_used: usize,
}

/// A fixed-capacity registry.
///
/// | parameter | meaning | default |
/// |---|---|---|
/// | `FAMILIES` | metric families | |
/// | `SERIES` | series, over all families | |
/// | `CELLS` | 64-bit value cells: 1 per counter or gauge series, `bounds + 2` per histogram series, 0 per info series | |
/// | `LABELS` | label names per family | 4 |
/// | `VALUE_BYTES` | label value bytes per series, all values together | 64 |
/// | `BUCKETS` | histogram buckets per family, `+Inf` included | 16 |
/// | `META` | bytes per family for translated name, help, unit and label names | 192 |
///
/// Memory is exactly the declared capacity. On 64-bit targets,
/// `size_of::<Registry<F, S, C, L, V, B, M>>()` is
///
/// ```text
/// round8(33 + 8·⌈F/2⌉ + F·(family + 4) + S·(series + 4) + 8·C)
///   family = round8(M + 3·L + 8·B + 19) + 8
///   series = round8(V + 2·L + 23) + 16
/// ```
///
/// (a test checks it). [`Registry::footprint`] gives the figure on any target.
///
/// ```
/// use otel_prom_core::registry::Registry;
/// static SMALL: Registry<2, 8, 8, 2, 32, 4, 96> = Registry::new();
/// assert_eq!(core::mem::size_of_val(&SMALL), Registry::<2, 8, 8, 2, 32, 4, 96>::footprint());
/// ```
pub struct Registry<
    const FAMILIES: usize,
    const SERIES: usize,
    const CELLS: usize,
    const LABELS: usize = 4,
    const VALUE_BYTES: usize = 64,
    const BUCKETS: usize = 16,
    const META: usize = 192,
> {
    strategy: Strategy,
    registration: Mutex<Registration<FAMILIES>>,
    family_count: AtomicUsize,
    families: [Once<FamilyDesc<LABELS, BUCKETS, META>>; FAMILIES],
    family_first: [AtomicU32; FAMILIES],
    series: [SeriesSlot<LABELS, VALUE_BYTES>; SERIES],
    buckets: [AtomicU32; SERIES],
    cells: [AtomicU64; CELLS],
}

impl<
    const F: usize,
    const S: usize,
    const C: usize,
    const L: usize,
    const V: usize,
    const B: usize,
    const M: usize,
> Default for Registry<F, S, C, L, V, B, M>
{
    fn default() -> Self {
        Self::new()
    }
}

/// The labels of one series, lent to the encoder without copying.
struct SeriesLabels<'a, const L: usize, const V: usize, const B: usize, const M: usize> {
    desc: &'a FamilyDesc<L, B, M>,
    key: &'a SeriesKey<L, V>,
}

impl<const L: usize, const V: usize, const B: usize, const M: usize> LabelSet
    for SeriesLabels<'_, L, V, B, M>
{
    fn visit<Vis: LabelVisitor>(&self, visitor: &mut Vis) -> Result<(), Vis::Error> {
        for i in 0..self.desc.labels() {
            visitor.label(self.desc.label(i), self.key.value(i))?;
        }
        Ok(())
    }
}

impl<
    const F: usize,
    const S: usize,
    const C: usize,
    const L: usize,
    const V: usize,
    const B: usize,
    const M: usize,
> Registry<F, S, C, L, V, B, M>
{
    /// An empty registry translating names with the default strategy
    /// (`UnderscoreEscapingWithSuffixes`). Capacities that cannot work are
    /// compile-time errors.
    ///
    /// ```
    /// static REG: otel_prom_core::registry::Registry<8, 64, 128> = otel_prom_core::registry::Registry::new();
    /// assert_eq!(REG.series_len(), 0);
    /// ```
    pub const fn new() -> Self {
        Self::with_strategy(Strategy::UnderscoreEscapingWithSuffixes)
    }

    /// An empty registry translating names with `strategy`.
    ///
    /// ```
    /// use otel_prom_core::{registry::Registry, Strategy};
    /// static REG: Registry<1, 1, 1> = Registry::with_strategy(Strategy::NoTranslation);
    /// REG.register_counter("my.count", "", "", &[]).unwrap();
    /// ```
    pub const fn with_strategy(strategy: Strategy) -> Self {
        const {
            assert!(
                F > 0 && F <= u16::MAX as usize,
                "FAMILIES must be 1..=65535"
            );
            assert!(S > 0 && S < u32::MAX as usize, "SERIES must be at least 1");
            assert!(C < u32::MAX as usize, "CELLS too large");
            assert!(L <= u8::MAX as usize, "LABELS must be at most 255");
            assert!(B >= 1 && B <= u8::MAX as usize, "BUCKETS must be 1..=255");
            assert!(
                V <= u16::MAX as usize && M <= u16::MAX as usize,
                "VALUE_BYTES and META must be at most 65535"
            );
        }
        Registry {
            strategy,
            registration: Mutex::new(Registration {
                last: [NONE; F],
                cells_used: 0,
                series_used: 0,
            }),
            family_count: AtomicUsize::new(0),
            families: [const { Once::new() }; F],
            family_first: [const { AtomicU32::new(NONE) }; F],
            series: [const { SeriesSlot::new() }; S],
            buckets: [const { AtomicU32::new(NONE) }; S],
            cells: [const { AtomicU64::new(0) }; C],
        }
    }

    /// The bytes this registry occupies: its declared capacity.
    ///
    /// ```
    /// use otel_prom_core::registry::Registry;
    /// assert_eq!(Registry::<4, 32, 64>::footprint(), core::mem::size_of::<Registry<4, 32, 64>>());
    /// ```
    pub const fn footprint() -> usize {
        core::mem::size_of::<Self>()
    }

    /// Series registered so far.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// static REG: Registry<1, 4, 4> = Registry::new();
    /// let id = REG.register_counter("c", "", "", &["k"]).unwrap();
    /// REG.add(id, &["a"], 1).unwrap();
    /// assert_eq!(REG.series_len(), 1);
    /// ```
    pub fn series_len(&self) -> usize {
        self.registration.lock().series_used
    }

    /// Families registered so far.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// static REG: Registry<2, 1, 1> = Registry::new();
    /// REG.register_counter("c", "", "", &[]).unwrap();
    /// assert_eq!(REG.families_len(), 1);
    /// ```
    pub fn families_len(&self) -> usize {
        self.family_count.load(Ordering::Acquire)
    }

    /// Registers (or finds) a counter family. `name` and `unit` are
    /// OpenTelemetry names (`http.requests`, `s`, `{request}`), translated
    /// with the registry's strategy; `labels` are the label names.
    /// Registering the same family again returns the same id.
    ///
    /// Every `register_*` refuses a family some scrape would write a name of
    /// twice: a name another family's samples could carry (a gauge `c_total`
    /// beside this counter `c`) is [`RegisterError::NameClash`]; with a
    /// strategy that keeps UTF-8, names an escaping scheme writes alike
    /// (`a.b` and `a_b`) are `NameClash` too, or `DuplicateLabel` for two
    /// label names. The check takes about `11 × META` bytes of stack.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// use otel_prom_core::error::RegisterError;
    /// static REG: Registry<2, 1, 1> = Registry::new();
    /// let a = REG.register_counter("c", "Help.", "", &["k"]).unwrap();
    /// assert_eq!(REG.register_counter("c", "Help.", "", &["k"]), Ok(a));
    /// assert_eq!(REG.register_gauge_i64("c_total", "", "", &[]), Err(RegisterError::NameClash));
    /// ```
    pub fn register_counter(
        &self,
        name: &str,
        help: &str,
        unit: &str,
        labels: &[&str],
    ) -> Result<CounterId, RegisterError> {
        self.define(Kind::Counter, name, help, unit, labels, &[])
            .map(CounterId)
    }

    /// Registers (or finds) an integer gauge / up-down counter family.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// static REG: Registry<1, 1, 1> = Registry::new();
    /// assert!(REG.register_gauge_i64("queue", "", "", &[]).is_ok());
    /// ```
    pub fn register_gauge_i64(
        &self,
        name: &str,
        help: &str,
        unit: &str,
        labels: &[&str],
    ) -> Result<GaugeI64Id, RegisterError> {
        self.define(Kind::GaugeI64, name, help, unit, labels, &[])
            .map(GaugeI64Id)
    }

    /// Registers (or finds) a float gauge family.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// static REG: Registry<1, 1, 1> = Registry::new();
    /// assert!(REG.register_gauge_f64("temp", "", "Cel", &[]).is_ok());
    /// ```
    pub fn register_gauge_f64(
        &self,
        name: &str,
        help: &str,
        unit: &str,
        labels: &[&str],
    ) -> Result<GaugeF64Id, RegisterError> {
        self.define(Kind::GaugeF64, name, help, unit, labels, &[])
            .map(GaugeF64Id)
    }

    /// Registers (or finds) a histogram family with fixed `bounds`
    /// (finite, strictly increasing, at most `BUCKETS - 1`).
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// # use otel_prom_core::error::RegisterError;
    /// static REG: Registry<2, 1, 1, 4, 64, 3> = Registry::new();
    /// assert_eq!(REG.register_histogram("h", "", "", &[], &[1.0, 2.0, 3.0]), Err(RegisterError::TooManyBuckets));
    /// assert!(REG.register_histogram("h", "", "", &[], &[1.0, 2.0]).is_ok());
    /// ```
    pub fn register_histogram(
        &self,
        name: &str,
        help: &str,
        unit: &str,
        labels: &[&str],
        bounds: &[f64],
    ) -> Result<HistogramId, RegisterError> {
        self.define(Kind::Histogram, name, help, unit, labels, bounds)
            .map(HistogramId)
    }

    /// Registers (or finds) an info family (`<name>_info{labels} 1`).
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// static REG: Registry<1, 1, 1> = Registry::new();
    /// assert!(REG.register_info("build", "Build.", &["version"]).is_ok());
    /// ```
    pub fn register_info(
        &self,
        name: &str,
        help: &str,
        labels: &[&str],
    ) -> Result<InfoId, RegisterError> {
        self.define(Kind::Info, name, help, "", labels, &[])
            .map(InfoId)
    }

    /// A family translated with this registry's strategy, registered: the
    /// work of every `register_*`, once for all kinds.
    fn define(
        &self,
        kind: Kind,
        name: &str,
        help: &str,
        unit: &str,
        labels: &[&str],
        bounds: &[f64],
    ) -> Result<u16, RegisterError> {
        let mut text = [0u8; M];
        let (shape, len) = define::<L, B, M>(
            kind,
            self.strategy,
            name,
            help,
            unit,
            labels,
            bounds,
            &mut text,
        )?;
        self.insert_family(shape, written(&text, len as usize), clash::check)
    }

    /// Registers (or finds) a family defined with [`Family`], typically in
    /// a `const`: translated and checked when the program was compiled, so
    /// this only copies it. Registering the same family again returns the
    /// same id. A family of the same name with another type, labels or
    /// bounds is a [`RegisterError::Conflict`]; unlike `register_*`, no more
    /// is compared (a firmware that registers only such families links no
    /// check of names another family's samples could write): assert
    /// [`Family::apart_from`] for them where they are defined, and the
    /// compiler refuses a gauge `x_total` beside a counter `x`.
    ///
    /// ```
    /// use otel_prom_core::registry::{kind, Family, Registry};
    /// static REG: Registry<2, 4, 4> = Registry::new();
    /// const BOOTS: Family<kind::Counter> = Family::valid(Family::counter("device.boots", "Boots.", "", &[]));
    /// let id = REG.register(&BOOTS).unwrap();
    /// assert_eq!(REG.register(&BOOTS), Ok(id));
    /// assert_eq!(REG.register_counter("device.boots", "Boots.", "", &[]), Ok(id));
    /// ```
    pub fn register<K: FamilyKind>(
        &self,
        family: &Family<K, L, B, M>,
    ) -> Result<K::Id, RegisterError> {
        self.insert_family(family.shape, family.text_str(), clash::unchecked)
            .map(K::id)
    }

    /// [`register`](Self::register)'s work, once for every kind of family.
    /// `check` judges a new family against the registered ones, under the
    /// lock: families defined at run time are checked for names some scrape
    /// would write alike (`clash::check`); a [`Family`] defined in a `const`
    /// has legacy names chosen when the program was written, and a firmware
    /// that registers only those links none of the check. (A function
    /// pointer, not a closure: a closure made this generic, and a firmware
    /// got it inlined once per kind, +1.3 KB.)
    fn insert_family(
        &self,
        shape: Shape<L, B>,
        text: &str,
        check: Check<L, B, M>,
    ) -> Result<u16, RegisterError> {
        let mut stored: String<M> = String::new();
        stored
            .push_str(text)
            .map_err(|_| RegisterError::MetadataTooLong)?;
        let desc = FamilyDesc {
            shape,
            text: stored,
        };
        let mut reg = self.registration.lock();
        let count = self.family_count.load(Ordering::Acquire);
        for (i, slot) in self.families[..count].iter().enumerate() {
            let Some(existing) = slot.get() else { continue };
            if existing.name() == desc.name() {
                let same = existing.kind() == desc.kind()
                    && existing.labels() == desc.labels()
                    && (0..desc.labels()).all(|l| existing.label(l) == desc.label(l))
                    // Bit for bit: `-0.0` and `0.0` write different `le`s,
                    // and float equality is a library call on Cortex-M.
                    && existing.bounds().iter().map(|b| b.to_bits())
                        .eq(desc.bounds().iter().map(|b| b.to_bits()));
                return if same {
                    Ok(i as u16)
                } else {
                    Err(RegisterError::Conflict)
                };
            }
        }
        check(&desc, &self.families[..count])?;
        if count == F {
            return Err(RegisterError::FamiliesFull);
        }
        self.families[count].call_once(|| desc);
        reg.last[count] = NONE;
        self.family_count.store(count + 1, Ordering::Release);
        Ok(count as u16)
    }

    /// The family `id` if it exists and has the expected kind.
    fn family(&self, id: u16, kind: Kind) -> Result<&FamilyDesc<L, B, M>, RecordError> {
        let desc = self
            .families
            .get(id as usize)
            .and_then(Once::get)
            .ok_or(RecordError::UnknownFamily)?;
        if desc.kind() != kind {
            return Err(RecordError::UnknownFamily);
        }
        Ok(desc)
    }

    /// Finds or creates the series of family `id` with these label values;
    /// returns its first cell.
    fn series_cell(
        &self,
        id: u16,
        kind: Kind,
        values: &[&str],
    ) -> Result<(usize, &FamilyDesc<L, B, M>), RecordError> {
        let desc = self.family(id, kind)?;
        if values.len() != desc.labels() {
            return Err(RecordError::LabelCount {
                expected: desc.labels() as u8,
                got: values.len().min(u8::MAX as usize) as u8,
            });
        }
        let h = hash(id, values);
        let bucket = (h % S as u64) as usize;
        if let Some(cell) = self.find(h, bucket, id, values) {
            return Ok((cell, desc));
        }
        self.insert(h, bucket, id, values, desc)
            .map(|cell| (cell, desc))
    }

    fn find(&self, h: u64, bucket: usize, id: u16, values: &[&str]) -> Option<usize> {
        let mut next = self.buckets[bucket].load(Ordering::Acquire);
        while let Some(i) = target(next) {
            let slot = &self.series[i];
            if let Some(key) = slot.key.get()
                && key.matches(h, id, values)
            {
                return Some(key.cell as usize);
            }
            next = slot.next_in_bucket();
        }
        None
    }

    fn insert(
        &self,
        h: u64,
        bucket: usize,
        id: u16,
        values: &[&str],
        desc: &FamilyDesc<L, B, M>,
    ) -> Result<usize, RecordError> {
        let mut reg = self.registration.lock();
        // Another thread may have created it while we waited for the lock.
        if let Some(cell) = self.find(h, bucket, id, values) {
            return Ok(cell);
        }
        let mut key_values: String<V> = String::new();
        let mut ends = [0u16; L];
        for (i, v) in values.iter().enumerate() {
            key_values
                .push_str(v)
                .map_err(|_| RecordError::ValueTooLong)?;
            ends[i] = key_values.len() as u16;
        }
        if reg.series_used == S {
            return Err(RecordError::SeriesFull);
        }
        let cells = desc.cells();
        if reg.cells_used + cells > C {
            return Err(RecordError::CellsFull);
        }
        let index = reg.series_used;
        let cell = reg.cells_used;
        let slot = &self.series[index];
        slot.key.call_once(|| SeriesKey {
            hash: h,
            family: id,
            cell: cell as u32,
            values: key_values,
            ends,
            count: values.len() as u8,
        });
        // Publish: the key is complete before either list points at it.
        slot.next_in_bucket.store(
            self.buckets[bucket].load(Ordering::Relaxed),
            Ordering::Relaxed,
        );
        self.buckets[bucket].store(link(index), Ordering::Release);
        match target(reg.last[id as usize]) {
            Some(last) => self.series[last]
                .next_in_family
                .store(link(index), Ordering::Release),
            None => self.family_first[id as usize].store(link(index), Ordering::Release),
        }
        reg.last[id as usize] = link(index);
        reg.series_used += 1;
        reg.cells_used += cells;
        Ok(cell)
    }

    /// The counter series with these label values, created if needed.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// static REG: Registry<1, 2, 2> = Registry::new();
    /// let id = REG.register_counter("c", "", "", &["k"]).unwrap();
    /// let a = REG.counter(id, &["a"]).unwrap();
    /// a.inc();
    /// assert_eq!(REG.counter(id, &["a"]).unwrap().get(), 1);
    /// ```
    pub fn counter(&self, id: CounterId, labels: &[&str]) -> Result<Counter<'_>, RecordError> {
        let (cell, _) = self.series_cell(id.0, Kind::Counter, labels)?;
        Ok(Counter {
            cell: &self.cells[cell],
        })
    }

    /// The integer gauge series with these label values, created if needed.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// static REG: Registry<1, 1, 1> = Registry::new();
    /// let id = REG.register_gauge_i64("g", "", "", &[]).unwrap();
    /// REG.gauge_i64(id, &[]).unwrap().set(3);
    /// ```
    pub fn gauge_i64(&self, id: GaugeI64Id, labels: &[&str]) -> Result<GaugeI64<'_>, RecordError> {
        let (cell, _) = self.series_cell(id.0, Kind::GaugeI64, labels)?;
        Ok(GaugeI64 {
            cell: &self.cells[cell],
        })
    }

    /// The float gauge series with these label values, created if needed.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// static REG: Registry<1, 1, 1> = Registry::new();
    /// let id = REG.register_gauge_f64("g", "", "", &[]).unwrap();
    /// REG.gauge_f64(id, &[]).unwrap().set(0.5);
    /// ```
    pub fn gauge_f64(&self, id: GaugeF64Id, labels: &[&str]) -> Result<GaugeF64<'_>, RecordError> {
        let (cell, _) = self.series_cell(id.0, Kind::GaugeF64, labels)?;
        Ok(GaugeF64 {
            cell: &self.cells[cell],
        })
    }

    /// The histogram series with these label values, created if needed.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// static REG: Registry<1, 1, 3> = Registry::new();
    /// let id = REG.register_histogram("h", "", "", &[], &[1.0]).unwrap();
    /// REG.histogram(id, &[]).unwrap().observe(0.5).unwrap();
    /// ```
    pub fn histogram(
        &self,
        id: HistogramId,
        labels: &[&str],
    ) -> Result<HistogramRecorder<'_>, RecordError> {
        let (cell, desc) = self.series_cell(id.0, Kind::Histogram, labels)?;
        Ok(HistogramRecorder {
            cells: &self.cells[cell..cell + desc.cells()],
            bounds: desc.bounds(),
        })
    }

    /// Adds `n` to the counter series with these label values (wrapping
    /// after 2^64 as [`Counter::add`] does; resolve the series and use
    /// [`Counter::checked_add`] to refuse instead).
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// static REG: Registry<1, 1, 1> = Registry::new();
    /// let id = REG.register_counter("c", "", "", &["k"]).unwrap();
    /// REG.add(id, &["a"], 2).unwrap();
    /// assert_eq!(REG.counter(id, &["a"]).unwrap().get(), 2);
    /// ```
    #[inline]
    pub fn add(&self, id: CounterId, labels: &[&str], n: u64) -> Result<(), RecordError> {
        self.counter(id, labels)?.add(n);
        Ok(())
    }

    /// Records `value` into the histogram series with these label values.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// static REG: Registry<1, 1, 3> = Registry::new();
    /// let id = REG.register_histogram("h", "", "", &[], &[1.0]).unwrap();
    /// REG.observe(id, &[], 0.25).unwrap();
    /// ```
    #[inline]
    pub fn observe(&self, id: HistogramId, labels: &[&str], value: f64) -> Result<(), RecordError> {
        if !float_bits::is_finite(value) {
            return Err(RecordError::NotFinite);
        }
        self.histogram(id, labels)?.observe(value)
    }

    /// Creates the info series with these label values (value 1).
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// static REG: Registry<1, 1, 1> = Registry::new();
    /// let id = REG.register_info("build", "", &["version"]).unwrap();
    /// REG.set_info(id, &["1.0"]).unwrap();
    /// ```
    pub fn set_info(&self, id: InfoId, labels: &[&str]) -> Result<(), RecordError> {
        self.series_cell(id.0, Kind::Info, labels).map(|_| ())
    }

    /// Encodes every family and series (in registration order) into `enc`.
    /// Holds no lock; only the sink can fail.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// use otel_prom_core::{Encoder, Escaping, Format};
    /// static REG: Registry<1, 1, 1> = Registry::new();
    /// let id = REG.register_counter("jobs", "Jobs.", "", &[]).unwrap();
    /// REG.add(id, &[], 3).unwrap();
    /// let mut out = Vec::new();
    /// let mut enc = Encoder::new(&mut out, Format::Text004, Escaping::Underscores);
    /// REG.encode(&mut enc).unwrap();
    /// enc.finish().unwrap();
    /// assert_eq!(String::from_utf8(out).unwrap(), concat!(
    ///     "# HELP jobs_total Jobs.\n",
    ///     "# TYPE jobs_total counter\n",
    ///     "jobs_total 3\n",
    /// ));
    /// ```
    pub fn encode<W: Write>(&self, enc: &mut Encoder<W>) -> Result<(), EncodeError<W::Error>> {
        let count = self.family_count.load(Ordering::Acquire);
        for (f, slot) in self.families[..count].iter().enumerate() {
            let Some(desc) = slot.get() else { continue };
            let meta = desc.metadata();
            let first = self.family_first[f].load(Ordering::Acquire);
            let keys = FamilySeries {
                registry: self,
                next: first,
            };
            let kind = desc.kind();
            match kind {
                Kind::Histogram => {
                    let mut fam = enc.histogram(&meta)?;
                    let bounds = Bounds::from_validated(desc.bounds());
                    let n = bounds.len() + 1;
                    for key in keys {
                        let cells = &self.cells[key.cell as usize..key.cell as usize + n + 1];
                        let mut counts = [0u64; B];
                        for (c, cell) in counts.iter_mut().zip(&cells[..n]) {
                            *c = cell.load(Ordering::Relaxed);
                        }
                        let sum = f64::from_bits(cells[n].load(Ordering::Relaxed));
                        if let Ok(h) = Histogram::new(bounds, &counts[..n], Number::F64(sum)) {
                            fam.sample(&SeriesLabels { desc, key }, &h)?;
                        }
                    }
                }
                // One loop for every family of one sample per series. A
                // counter's value is a `u64`, never one OpenMetrics forbids.
                _ => {
                    let scalar = match kind {
                        Kind::Counter => Scalar::Counter,
                        Kind::Info => Scalar::Info,
                        _ => Scalar::Gauge,
                    };
                    let (name, suffix) = enc.scalar_header(&meta, scalar)?;
                    for key in keys {
                        // An info series has no cell: its value is 1.
                        let bits = match kind {
                            Kind::Info => 1,
                            _ => self.cells[key.cell as usize].load(Ordering::Relaxed),
                        };
                        let v = match kind {
                            Kind::GaugeI64 => Number::I64(bits as i64),
                            Kind::GaugeF64 => Number::F64(f64::from_bits(bits)),
                            _ => Number::U64(bits),
                        };
                        let labels = SeriesLabels { desc, key };
                        enc.sample_line(name, suffix, &labels, None, v, None::<&NoExemplar>)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// A whole scrape: every family, then the format's end (`# EOF`), into
    /// `sink`; returns the sink.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// use otel_prom_core::{Escaping, Format};
    /// static REG: Registry<1, 1, 1> = Registry::new();
    /// REG.register_gauge_i64("up", "", "", &[]).unwrap();
    /// let out = REG.write(Vec::new(), Format::OpenMetrics100, Escaping::Underscores).unwrap();
    /// assert_eq!(out, b"# TYPE up gauge\n# EOF\n");
    /// ```
    pub fn write<W: Write>(
        &self,
        sink: W,
        format: Format,
        escaping: Escaping,
    ) -> Result<W, EncodeError<W::Error>> {
        let mut enc = Encoder::new(sink, format, escaping);
        self.encode(&mut enc)?;
        enc.finish()
    }

    /// Renders a whole scrape into `buf`: `Ok(len)` when it fit, else
    /// `Err(needed)`, the exact size it needs (the buffer then holds a
    /// truncated prefix). Never fails otherwise; no lock is held.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// use otel_prom_core::{Escaping, Format};
    /// static REG: Registry<1, 1, 1> = Registry::new();
    /// REG.register_gauge_i64("up", "", "", &[]).unwrap();
    /// let mut small = [0u8; 4];
    /// assert_eq!(REG.render(&mut small, Format::Text004, Escaping::Underscores), Err(16));
    /// let mut page = [0u8; 64];
    /// assert_eq!(REG.render(&mut page, Format::Text004, Escaping::Underscores), Ok(16));
    /// assert_eq!(&page[..16], b"# TYPE up gauge\n");
    /// ```
    pub fn render(
        &self,
        buf: &mut [u8],
        format: Format,
        escaping: Escaping,
    ) -> Result<usize, usize> {
        // The sink by value, not `&mut`: an encoder over `SliceSink` is the
        // one the encoder's own scratch rendering uses, so firmware carries
        // one copy of the name and label writers.
        let sink = match self.write(SliceSink::new(buf), format, escaping) {
            Ok(sink) => sink,
            Err(EncodeError::Sink(never)) => match never {},
            // A SliceSink accepts every byte; were it ever not so, no buffer
            // would do.
            Err(EncodeError::WriteZero) => return Err(usize::MAX),
        };
        if sink.is_truncated() {
            Err(sink.len())
        } else {
            Ok(sink.len())
        }
    }

    /// The exact length of a scrape now (values recorded in between may
    /// change the length of their digits). Shares its code with
    /// [`render`](Self::render).
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// use otel_prom_core::{Escaping, Format};
    /// static REG: Registry<1, 1, 1> = Registry::new();
    /// REG.register_gauge_i64("up", "", "", &[]).unwrap();
    /// assert_eq!(REG.encoded_len(Format::Text004, Escaping::Underscores), "# TYPE up gauge\n".len());
    /// ```
    pub fn encoded_len(&self, format: Format, escaping: Escaping) -> usize {
        self.render(&mut [], format, escaping)
            .unwrap_or_else(|needed| needed)
    }
}

/// Walks a family's series list.
struct FamilySeries<
    'r,
    const F: usize,
    const S: usize,
    const C: usize,
    const L: usize,
    const V: usize,
    const B: usize,
    const M: usize,
> {
    registry: &'r Registry<F, S, C, L, V, B, M>,
    next: u32,
}

impl<
    'r,
    const F: usize,
    const S: usize,
    const C: usize,
    const L: usize,
    const V: usize,
    const B: usize,
    const M: usize,
> Iterator for FamilySeries<'r, F, S, C, L, V, B, M>
{
    type Item = &'r SeriesKey<L, V>;

    fn next(&mut self) -> Option<Self::Item> {
        while let Some(i) = target(self.next) {
            let slot = self.registry.series.get(i)?;
            self.next = slot.next_in_family.load(Ordering::Acquire);
            if let Some(key) = slot.key.get() {
                return Some(key);
            }
        }
        None
    }
}

#[cfg(all(test, target_pointer_width = "64"))]
mod footprint_tests {
    use super::*;
    use core::mem::size_of;

    const fn round8(n: usize) -> usize {
        n.div_ceil(8) * 8
    }

    /// The documented formula, for 64-bit targets.
    const fn formula(
        f: usize,
        s: usize,
        c: usize,
        l: usize,
        v: usize,
        b: usize,
        m: usize,
    ) -> usize {
        let family = round8(m + 3 * l + 8 * b + 19) + 8;
        let series = round8(v + 2 * l + 23) + 16;
        round8(33 + 8 * f.div_ceil(2) + f * (family + 4) + s * (series + 4) + 8 * c)
    }

    fn check<
        const F: usize,
        const S: usize,
        const C: usize,
        const L: usize,
        const V: usize,
        const B: usize,
        const M: usize,
    >() {
        assert_eq!(
            size_of::<Registry<F, S, C, L, V, B, M>>(),
            formula(F, S, C, L, V, B, M),
            "F{F} S{S} C{C} L{L} V{V} B{B} M{M}"
        );
    }

    #[test]
    fn size_of_matches_documented_formula() {
        check::<1, 1, 1, 4, 64, 16, 192>();
        check::<2, 1, 1, 4, 64, 16, 192>();
        check::<1, 2, 1, 4, 64, 16, 192>();
        check::<3, 7, 5, 2, 32, 4, 96>();
        check::<8, 64, 128, 4, 64, 16, 192>();
        check::<50, 10_000, 70_000, 2, 32, 12, 96>();
        check::<4, 32, 48, 1, 16, 8, 64>();
    }
}
