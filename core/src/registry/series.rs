//! Series: a family index, label values copied into inline storage, and
//! where the series' cells start. Keys are written once (a `spin::Once`) and
//! published into two lock-free linked lists: a hash chain for lookups by
//! label values and the family's list for scrapes.

use heapless::String;
use portable_atomic::{AtomicU32, Ordering};
use spin::Once;

/// Marks the end of a chain.
pub(crate) const NONE: u32 = u32::MAX;

/// A series' identity. Label values live back to back in `values`.
pub(crate) struct SeriesKey<const LABELS: usize, const VALUE_BYTES: usize> {
    /// [`hash`] of family and values: most non-matches end here.
    pub(crate) hash: u64,
    pub(crate) family: u16,
    pub(crate) cell: u32,
    pub(crate) values: String<VALUE_BYTES>,
    pub(crate) ends: [u16; LABELS],
    pub(crate) count: u8,
}

impl<const L: usize, const V: usize> SeriesKey<L, V> {
    pub(crate) fn value(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.values[start..self.ends[i] as usize]
    }

    pub(crate) fn matches(&self, hash: u64, family: u16, values: &[&str]) -> bool {
        if self.hash != hash || self.family != family || self.count as usize != values.len() {
            return false;
        }
        let stored = self.values.as_bytes();
        let mut start = 0;
        for (end, v) in self.ends.iter().zip(values) {
            let end = *end as usize;
            if !bytes_eq(&stored[start..end], v.as_bytes()) {
                return false;
            }
            start = end;
        }
        true
    }
}

/// Equality of short byte strings, eight bytes at a time (label values are
/// short; a `memcmp` call costs more than the comparison).
#[inline]
fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in (&mut ca).zip(&mut cb) {
        if word(x) != word(y) {
            return false;
        }
    }
    tail(ca.remainder()) == tail(cb.remainder())
}

#[inline]
fn word(c: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(c);
    u64::from_le_bytes(w)
}

/// Up to seven bytes as a word, without a variable-length copy.
#[inline]
fn tail(rest: &[u8]) -> u64 {
    rest.iter()
        .enumerate()
        .fold(0, |w, (i, b)| w | (*b as u64) << (8 * i))
}

/// One series slot of a registry.
pub(crate) struct SeriesSlot<const LABELS: usize, const VALUE_BYTES: usize> {
    pub(crate) key: Once<SeriesKey<LABELS, VALUE_BYTES>>,
    /// Next series in the same hash bucket.
    pub(crate) next_in_bucket: AtomicU32,
    /// Next series of the same family, in registration order.
    pub(crate) next_in_family: AtomicU32,
}

impl<const L: usize, const V: usize> SeriesSlot<L, V> {
    pub(crate) const fn new() -> Self {
        SeriesSlot {
            key: Once::new(),
            next_in_bucket: AtomicU32::new(NONE),
            next_in_family: AtomicU32::new(NONE),
        }
    }

    pub(crate) fn next_in_bucket(&self) -> u32 {
        self.next_in_bucket.load(Ordering::Acquire)
    }
}

/// Hash of a family and its label values (length-delimited, so
/// `["ab", "c"]` and `["a", "bc"]` differ). Eight bytes per step.
#[inline]
pub(crate) fn hash(family: u16, values: &[&str]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = (family as u64).wrapping_mul(K);
    let mut mix = |w: u64| h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    for v in values {
        let b = v.as_bytes();
        mix(b.len() as u64);
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            mix(word(c));
        }
        if !chunks.remainder().is_empty() {
            mix(tail(chunks.remainder()));
        }
    }
    h ^ (h >> 29)
}
