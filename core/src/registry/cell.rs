//! The atomic cells that hold recorded values, and the handles that record
//! into them. Recording is one atomic operation (a compare-and-swap loop for
//! float additions): no lock, no allocation, safe from an interrupt handler.

use portable_atomic::{AtomicU64, Ordering};

use crate::error::RecordError;
use crate::float_bits;

/// Adds `delta` to the `f64` stored as bits in `cell`.
#[inline]
pub(crate) fn add_f64(cell: &AtomicU64, delta: f64) {
    let mut old = cell.load(Ordering::Relaxed);
    loop {
        let new = (f64::from_bits(old) + delta).to_bits();
        match cell.compare_exchange_weak(old, new, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return,
            Err(current) => old = current,
        }
    }
}

/// Replaces the value in `cell` by `next(value)`, or leaves it and refuses
/// with [`RecordError::Overflow`] when `next` gives `None`: one
/// compare-and-swap loop, so a concurrent update is never lost.
#[inline]
fn update_checked(
    cell: &AtomicU64,
    next: impl FnMut(u64) -> Option<u64>,
) -> Result<(), RecordError> {
    cell.fetch_update(Ordering::Relaxed, Ordering::Relaxed, next)
        .map(drop)
        .map_err(|_| RecordError::Overflow)
}

/// A counter series, resolved once: `add` is one atomic add.
///
/// ```
/// use otel_prom_core::registry::Registry;
/// static REG: Registry<1, 1, 1> = Registry::new();
/// let id = REG.register_counter("jobs", "Jobs.", "", &[]).unwrap();
/// let jobs = REG.counter(id, &[]).unwrap();
/// jobs.inc();
/// jobs.add(2);
/// assert_eq!(jobs.get(), 3);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Counter<'r> {
    pub(crate) cell: &'r AtomicU64,
}

impl Counter<'_> {
    /// Adds one.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// # static REG: Registry<1, 1, 1> = Registry::new();
    /// # let id = REG.register_counter("c", "", "", &[]).unwrap();
    /// REG.counter(id, &[]).unwrap().inc();
    /// ```
    #[inline]
    pub fn inc(&self) {
        self.add(1);
    }

    /// Adds `n` (wrapping after 2^64, which counting events never reaches;
    /// [`checked_add`](Self::checked_add) refuses instead, for totals of
    /// arbitrary amounts).
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// # static REG: Registry<1, 1, 1> = Registry::new();
    /// # let id = REG.register_counter("c", "", "", &[]).unwrap();
    /// REG.counter(id, &[]).unwrap().add(5);
    /// ```
    #[inline]
    pub fn add(&self, n: u64) {
        self.cell.fetch_add(n, Ordering::Relaxed);
    }

    /// Adds `n` unless the total would pass `u64::MAX`: then nothing is
    /// added and the error is [`RecordError::Overflow`]. Exact under
    /// concurrency (one compare-and-swap loop), so an amount is either
    /// counted whole or refused.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// # use otel_prom_core::error::RecordError;
    /// # static REG: Registry<1, 1, 1> = Registry::new();
    /// # let id = REG.register_counter("c", "", "", &[]).unwrap();
    /// let c = REG.counter(id, &[]).unwrap();
    /// c.checked_add(u64::MAX - 1).unwrap();
    /// assert_eq!(c.checked_add(2), Err(RecordError::Overflow));
    /// assert_eq!(c.get(), u64::MAX - 1);
    /// ```
    #[inline]
    pub fn checked_add(&self, n: u64) -> Result<(), RecordError> {
        update_checked(self.cell, |v| v.checked_add(n))
    }

    /// The current total.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// # static REG: Registry<1, 1, 1> = Registry::new();
    /// # let id = REG.register_counter("c", "", "", &[]).unwrap();
    /// assert_eq!(REG.counter(id, &[]).unwrap().get(), 0);
    /// ```
    pub fn get(&self) -> u64 {
        self.cell.load(Ordering::Relaxed)
    }
}

/// An integer gauge or up-down counter series.
///
/// ```
/// use otel_prom_core::registry::Registry;
/// static REG: Registry<1, 1, 1> = Registry::new();
/// let id = REG.register_gauge_i64("queue_depth", "", "", &[]).unwrap();
/// let depth = REG.gauge_i64(id, &[]).unwrap();
/// depth.add(5);
/// depth.add(-7);
/// assert_eq!(depth.get(), -2);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct GaugeI64<'r> {
    pub(crate) cell: &'r AtomicU64,
}

impl GaugeI64<'_> {
    /// Sets the value.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// # static REG: Registry<1, 1, 1> = Registry::new();
    /// # let id = REG.register_gauge_i64("g", "", "", &[]).unwrap();
    /// let g = REG.gauge_i64(id, &[]).unwrap();
    /// g.set(-4);
    /// assert_eq!(g.get(), -4);
    /// ```
    #[inline]
    pub fn set(&self, v: i64) {
        self.cell.store(v as u64, Ordering::Relaxed);
    }

    /// Adds `delta` (negative to subtract; wrapping in two's complement;
    /// [`checked_add`](Self::checked_add) refuses instead).
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// # static REG: Registry<1, 1, 1> = Registry::new();
    /// # let id = REG.register_gauge_i64("g", "", "", &[]).unwrap();
    /// REG.gauge_i64(id, &[]).unwrap().add(-1);
    /// ```
    #[inline]
    pub fn add(&self, delta: i64) {
        self.cell.fetch_add(delta as u64, Ordering::Relaxed);
    }

    /// Adds `delta` unless the value would leave the `i64` range: then
    /// nothing is added and the error is [`RecordError::Overflow`] (exact
    /// under concurrency, as [`Counter::checked_add`]).
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// # use otel_prom_core::error::RecordError;
    /// # static REG: Registry<1, 1, 1> = Registry::new();
    /// # let id = REG.register_gauge_i64("g", "", "", &[]).unwrap();
    /// let g = REG.gauge_i64(id, &[]).unwrap();
    /// g.checked_add(i64::MIN).unwrap();
    /// assert_eq!(g.checked_add(-1), Err(RecordError::Overflow));
    /// assert_eq!(g.get(), i64::MIN);
    /// ```
    #[inline]
    pub fn checked_add(&self, delta: i64) -> Result<(), RecordError> {
        update_checked(self.cell, |v| {
            (v as i64).checked_add(delta).map(|sum| sum as u64)
        })
    }

    /// The current value.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// # static REG: Registry<1, 1, 1> = Registry::new();
    /// # let id = REG.register_gauge_i64("g", "", "", &[]).unwrap();
    /// assert_eq!(REG.gauge_i64(id, &[]).unwrap().get(), 0);
    /// ```
    pub fn get(&self) -> i64 {
        self.cell.load(Ordering::Relaxed) as i64
    }
}

/// A float gauge series.
///
/// ```
/// use otel_prom_core::registry::Registry;
/// static REG: Registry<1, 1, 1> = Registry::new();
/// let id = REG.register_gauge_f64("temperature", "", "Cel", &[]).unwrap();
/// let t = REG.gauge_f64(id, &[]).unwrap();
/// t.set(21.5);
/// t.add(0.25).unwrap();
/// assert_eq!(t.get(), 21.75);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct GaugeF64<'r> {
    pub(crate) cell: &'r AtomicU64,
}

impl GaugeF64<'_> {
    /// Sets the value. Any float is accepted: NaN and ±Inf are valid gauge
    /// values in Prometheus and are written as `NaN`, `+Inf`, `-Inf`.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// # static REG: Registry<1, 1, 1> = Registry::new();
    /// # let id = REG.register_gauge_f64("g", "", "", &[]).unwrap();
    /// REG.gauge_f64(id, &[]).unwrap().set(f64::NAN);
    /// ```
    #[inline]
    pub fn set(&self, v: f64) {
        self.cell.store(v.to_bits(), Ordering::Relaxed);
    }

    /// Adds `delta`. A NaN or infinite delta is rejected: it would poison
    /// the gauge for good.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// # use otel_prom_core::error::RecordError;
    /// # static REG: Registry<1, 1, 1> = Registry::new();
    /// # let id = REG.register_gauge_f64("g", "", "", &[]).unwrap();
    /// let g = REG.gauge_f64(id, &[]).unwrap();
    /// assert_eq!(g.add(f64::NAN), Err(RecordError::NotFinite));
    /// ```
    #[inline]
    pub fn add(&self, delta: f64) -> Result<(), RecordError> {
        if !float_bits::is_finite(delta) {
            return Err(RecordError::NotFinite);
        }
        add_f64(self.cell, delta);
        Ok(())
    }

    /// The current value.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// # static REG: Registry<1, 1, 1> = Registry::new();
    /// # let id = REG.register_gauge_f64("g", "", "", &[]).unwrap();
    /// assert_eq!(REG.gauge_f64(id, &[]).unwrap().get(), 0.0);
    /// ```
    pub fn get(&self) -> f64 {
        f64::from_bits(self.cell.load(Ordering::Relaxed))
    }
}

/// A histogram series: per-bucket counts (exact `u64`) and the sum.
///
/// The exposition's `_count` is derived from the bucket counts, so a scrape
/// that races with observations always shows `_count` equal to the `+Inf`
/// bucket and non-decreasing cumulative buckets; only `_sum` may include or
/// miss an observation in flight.
///
/// ```
/// use otel_prom_core::registry::Registry;
/// static REG: Registry<1, 1, 4> = Registry::new();
/// let id = REG.register_histogram("latency", "", "s", &[], &[0.1, 1.0]).unwrap();
/// let h = REG.histogram(id, &[]).unwrap();
/// h.observe(0.05).unwrap();
/// h.observe(5.0).unwrap();
/// assert_eq!(h.count(), 2);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct HistogramRecorder<'r> {
    /// `bounds.len() + 1` bucket cells, then the sum cell.
    pub(crate) cells: &'r [AtomicU64],
    pub(crate) bounds: &'r [f64],
}

impl HistogramRecorder<'_> {
    /// Records one observation. NaN and infinities are rejected (they
    /// would make `_sum` meaningless for the rest of the process).
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// # use otel_prom_core::error::RecordError;
    /// # static REG: Registry<1, 1, 4> = Registry::new();
    /// # let id = REG.register_histogram("h", "", "", &[], &[1.0]).unwrap();
    /// let h = REG.histogram(id, &[]).unwrap();
    /// assert_eq!(h.observe(f64::INFINITY), Err(RecordError::NotFinite));
    /// assert_eq!(h.count(), 0);
    /// ```
    #[inline]
    pub fn observe(&self, v: f64) -> Result<(), RecordError> {
        if !float_bits::is_finite(v) {
            return Err(RecordError::NotFinite);
        }
        // Linear scan: bounds are few and this beats a binary search there.
        let mut i = 0;
        while i < self.bounds.len() && v > self.bounds[i] {
            i += 1;
        }
        self.cells[i].fetch_add(1, Ordering::Relaxed);
        add_f64(&self.cells[self.bounds.len() + 1], v);
        Ok(())
    }

    /// Observations so far (the sum of the bucket counts).
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// # static REG: Registry<1, 1, 4> = Registry::new();
    /// # let id = REG.register_histogram("h", "", "", &[], &[1.0]).unwrap();
    /// assert_eq!(REG.histogram(id, &[]).unwrap().count(), 0);
    /// ```
    pub fn count(&self) -> u64 {
        self.cells[..=self.bounds.len()]
            .iter()
            .fold(0u64, |a, c| a.wrapping_add(c.load(Ordering::Relaxed)))
    }

    /// Sum of the observations so far.
    ///
    /// ```
    /// # use otel_prom_core::registry::Registry;
    /// # static REG: Registry<1, 1, 4> = Registry::new();
    /// # let id = REG.register_histogram("h", "", "", &[], &[1.0]).unwrap();
    /// let h = REG.histogram(id, &[]).unwrap();
    /// h.observe(0.5).unwrap();
    /// assert_eq!(h.sum(), 0.5);
    /// ```
    pub fn sum(&self) -> f64 {
        f64::from_bits(self.cells[self.bounds.len() + 1].load(Ordering::Relaxed))
    }
}
