//! The numbers the encoder writes: sample values, timestamps and histograms.

use crate::error::HistogramError;

/// A sample value. Integers are written exactly (a `u64` counter keeps all its
/// digits); floats in the shortest form that parses back to the same `f64`.
///
/// ```
/// use otel_prom_core::Number;
/// assert_eq!(Number::from(3u64), Number::U64(3));
/// assert_eq!(Number::from(-1i64).as_f64(), -1.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// An unsigned integer.
    U64(u64),
    /// A signed integer.
    I64(i64),
    /// A float; NaN and ±Inf are written as `NaN`, `+Inf`, `-Inf`.
    F64(f64),
}

impl Number {
    /// The value as an `f64` (lossy for integers above 2^53).
    ///
    /// ```
    /// assert_eq!(otel_prom_core::Number::U64(2).as_f64(), 2.0);
    /// ```
    pub fn as_f64(self) -> f64 {
        match self {
            Number::U64(v) => v as f64,
            Number::I64(v) => v as f64,
            Number::F64(v) => v,
        }
    }
}

impl From<u64> for Number {
    fn from(v: u64) -> Self {
        Number::U64(v)
    }
}
impl From<i64> for Number {
    fn from(v: i64) -> Self {
        Number::I64(v)
    }
}
impl From<f64> for Number {
    fn from(v: f64) -> Self {
        Number::F64(v)
    }
}

/// A point in time as seconds and nanoseconds since the Unix epoch. Written
/// as an exact decimal (`1700000000.25`), never through a float.
///
/// ```
/// use otel_prom_core::Timestamp;
/// let t = Timestamp::from_unix_nanos(1_700_000_000_250_000_000);
/// assert_eq!((t.secs(), t.subsec_nanos()), (1_700_000_000, 250_000_000));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    secs: u64,
    nanos: u32,
}

impl Timestamp {
    /// From whole seconds and nanoseconds; nanoseconds above 999,999,999 carry
    /// into the seconds.
    ///
    /// ```
    /// let t = otel_prom_core::Timestamp::new(1, 1_500_000_000);
    /// assert_eq!((t.secs(), t.subsec_nanos()), (2, 500_000_000));
    /// ```
    pub const fn new(secs: u64, nanos: u32) -> Self {
        Timestamp {
            secs: secs.saturating_add((nanos / 1_000_000_000) as u64),
            nanos: nanos % 1_000_000_000,
        }
    }

    /// From nanoseconds since the epoch.
    ///
    /// ```
    /// assert_eq!(otel_prom_core::Timestamp::from_unix_nanos(1_000_000_001).subsec_nanos(), 1);
    /// ```
    pub const fn from_unix_nanos(nanos: u64) -> Self {
        Timestamp {
            secs: nanos / 1_000_000_000,
            nanos: (nanos % 1_000_000_000) as u32,
        }
    }

    /// Whole seconds since the epoch.
    ///
    /// ```
    /// assert_eq!(otel_prom_core::Timestamp::new(5, 0).secs(), 5);
    /// ```
    pub const fn secs(&self) -> u64 {
        self.secs
    }

    /// The fraction of a second, in nanoseconds.
    ///
    /// ```
    /// assert_eq!(otel_prom_core::Timestamp::new(5, 7).subsec_nanos(), 7);
    /// ```
    pub const fn subsec_nanos(&self) -> u32 {
        self.nanos
    }
}

/// Histogram bucket upper bounds, checked once: finite, not NaN, strictly
/// increasing. The `+Inf` bucket is implied and always written last.
///
/// ```
/// use otel_prom_core::Bounds;
/// let b = Bounds::new(&[0.1, 0.5, 1.0]).unwrap();
/// assert_eq!(b.len(), 3);
/// assert!(Bounds::new(&[1.0, f64::INFINITY]).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds<'a> {
    bounds: &'a [f64],
}

impl<'a> Bounds<'a> {
    /// Validates `bounds`. An empty slice is allowed: the histogram then has
    /// only the `+Inf` bucket.
    ///
    /// ```
    /// assert!(otel_prom_core::Bounds::new(&[]).unwrap().is_empty());
    /// ```
    pub const fn new(bounds: &'a [f64]) -> Result<Self, HistogramError> {
        let mut i = 0;
        while i < bounds.len() {
            let b = bounds[i];
            if b.is_nan() {
                return Err(HistogramError::NanBound);
            }
            if b.is_infinite() {
                return Err(HistogramError::InfiniteBound);
            }
            if i > 0 && b <= bounds[i - 1] {
                return Err(HistogramError::BoundsNotIncreasing);
            }
            i += 1;
        }
        Ok(Bounds { bounds })
    }

    /// For bounds validated earlier (stored by the registry).
    pub(crate) const fn from_validated(bounds: &'a [f64]) -> Self {
        Bounds { bounds }
    }

    /// The bounds, without the implied `+Inf`.
    ///
    /// ```
    /// assert_eq!(otel_prom_core::Bounds::new(&[1.0]).unwrap().as_slice(), &[1.0]);
    /// ```
    pub const fn as_slice(&self) -> &'a [f64] {
        self.bounds
    }

    /// Number of finite bounds.
    ///
    /// ```
    /// assert_eq!(otel_prom_core::Bounds::new(&[1.0, 2.0]).unwrap().len(), 2);
    /// ```
    pub const fn len(&self) -> usize {
        self.bounds.len()
    }

    /// True when only the `+Inf` bucket exists.
    ///
    /// ```
    /// assert!(!otel_prom_core::Bounds::new(&[1.0]).unwrap().is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// Index of the bucket that `value` falls in (`value <= bound`); the last
    /// index (`len()`) is the `+Inf` bucket. NaN falls in `+Inf`.
    ///
    /// ```
    /// let b = otel_prom_core::Bounds::new(&[1.0, 2.0]).unwrap();
    /// assert_eq!(b.bucket_of(1.0), 0);
    /// assert_eq!(b.bucket_of(1.5), 1);
    /// assert_eq!(b.bucket_of(9.0), 2);
    /// ```
    pub fn bucket_of(&self, value: f64) -> usize {
        if value.is_nan() {
            return self.bounds.len();
        }
        self.bounds.partition_point(|b| *b < value)
    }
}

/// One histogram data point: per-bucket (not cumulative) counts, one per
/// bound plus the `+Inf` bucket, and the sum of observations. The encoder
/// accumulates the counts, so `_count` always equals the `+Inf` bucket.
///
/// ```
/// use otel_prom_core::{Bounds, Histogram};
/// let bounds = Bounds::new(&[1.0, 2.0]).unwrap();
/// let h = Histogram::new(bounds, &[1, 0, 2], 9.5.into()).unwrap();
/// assert_eq!(h.count(), 3);
/// assert!(Histogram::new(bounds, &[1, 0], 0.0.into()).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Histogram<'a> {
    bounds: Bounds<'a>,
    counts: &'a [u64],
    sum: Number,
}

impl<'a> Histogram<'a> {
    /// Checks that there is one count per bucket (`bounds.len() + 1`).
    ///
    /// ```
    /// let b = otel_prom_core::Bounds::new(&[]).unwrap();
    /// assert!(otel_prom_core::Histogram::new(b, &[4], 2.0.into()).is_ok());
    /// ```
    pub const fn new(
        bounds: Bounds<'a>,
        counts: &'a [u64],
        sum: Number,
    ) -> Result<Self, HistogramError> {
        if counts.len() != bounds.len() + 1 {
            return Err(HistogramError::CountMismatch);
        }
        Ok(Histogram {
            bounds,
            counts,
            sum,
        })
    }

    /// The bucket bounds.
    ///
    /// ```
    /// # use otel_prom_core::{Bounds, Histogram};
    /// let h = Histogram::new(Bounds::new(&[1.0]).unwrap(), &[0, 0], 0.0.into()).unwrap();
    /// assert_eq!(h.bounds().len(), 1);
    /// ```
    pub const fn bounds(&self) -> Bounds<'a> {
        self.bounds
    }

    /// Per-bucket counts, `+Inf` last.
    ///
    /// ```
    /// # use otel_prom_core::{Bounds, Histogram};
    /// let h = Histogram::new(Bounds::new(&[1.0]).unwrap(), &[2, 3], 0.0.into()).unwrap();
    /// assert_eq!(h.bucket_counts(), &[2, 3]);
    /// ```
    pub const fn bucket_counts(&self) -> &'a [u64] {
        self.counts
    }

    /// Sum of the observations.
    ///
    /// ```
    /// # use otel_prom_core::{Bounds, Histogram, Number};
    /// let h = Histogram::new(Bounds::new(&[]).unwrap(), &[1], Number::U64(4)).unwrap();
    /// assert_eq!(h.sum(), Number::U64(4));
    /// ```
    pub const fn sum(&self) -> Number {
        self.sum
    }

    /// Total number of observations (saturating at `u64::MAX`).
    ///
    /// ```
    /// # use otel_prom_core::{Bounds, Histogram};
    /// let h = Histogram::new(Bounds::new(&[1.0]).unwrap(), &[2, 3], 0.0.into()).unwrap();
    /// assert_eq!(h.count(), 5);
    /// ```
    pub fn count(&self) -> u64 {
        self.counts.iter().fold(0u64, |a, c| a.saturating_add(*c))
    }
}
