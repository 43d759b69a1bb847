//! Series: a family index, label values copied into inline storage, and
//! where the series' cells start. Keys are written once (a `spin::Once`) and
//! published into two lock-free linked lists: a hash chain for lookups by
//! label values and the family's list for scrapes.

use heapless::String;
use portable_atomic::{AtomicU32, Ordering};
use spin::Once;

/// Links between series are `index + 1`, so that 0 means "none" and a new
/// registry is all zero bytes: it lives in `.bss` and costs no flash.
pub(crate) const NONE: u32 = 0;

/// The link to series `index`.
pub(crate) const fn link(index: usize) -> u32 {
    index as u32 + 1
}

/// The series a link points to.
pub(crate) const fn target(link: u32) -> Option<usize> {
    match link.checked_sub(1) {
        Some(i) => Some(i as usize),
        None => None,
    }
}

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
        // Ends fall between whole values; `get` keeps str slicing's panic
        // path out of the binary.
        self.values.get(start..self.ends[i] as usize).unwrap_or("")
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

/// Equality of short byte strings, a word at a time where 64-bit words
/// are registers (label values are short; a `memcmp` call costs more than
/// the comparison). On 32-bit targets, plain `==`: less code.
#[inline]
fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if !cfg!(target_pointer_width = "64") {
        return a == b;
    }
    if a.len() != b.len() {
        return false;
    }
    if a.len() < 8 {
        return short_word(a) == short_word(b);
    }
    let last = a.len() - 8;
    let mut i = 0;
    while i < last {
        if word(&a[i..i + 8]) != word(&b[i..i + 8]) {
            return false;
        }
        i += 8;
    }
    // The last word overlaps the previous one: no byte-by-byte tail.
    word(&a[last..]) == word(&b[last..])
}

#[inline]
fn word(c: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&c[..8]);
    u64::from_le_bytes(w)
}

/// Fewer than eight bytes as one word, in at most two loads. Overlapping
/// reads cover every byte, so for equal lengths equal words mean equal bytes.
#[inline]
fn short_word(b: &[u8]) -> u64 {
    let n = b.len();
    if n >= 4 {
        let lo = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64;
        let hi = u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]) as u64;
        lo | hi << 32
    } else if n > 0 {
        b[0] as u64 | (b[n / 2] as u64) << 8 | (b[n - 1] as u64) << 16
    } else {
        0
    }
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
/// `["ab", "c"]` and `["a", "bc"]` differ). Where a 64×64→128-bit multiply
/// is a few instructions, 16 bytes per multiply ([`hash_wide`]); on 32-bit
/// targets (Cortex-M, wasm32), where that multiply is a long sequence or a
/// library call, FNV-1a over 32 bits ([`hash_narrow`]): a multiply per byte,
/// but a cheap one, and 350 B less firmware. Either way a lookup compares
/// the whole key, so the hash only spreads series over buckets.
#[inline]
pub(crate) fn hash(family: u16, values: &[&str]) -> u64 {
    if cfg!(target_pointer_width = "64") {
        hash_wide(family, values)
    } else {
        hash_narrow(family, values)
    }
}

/// FNV-1a (32-bit), with a separator byte after each value.
#[inline]
pub(crate) fn hash_narrow(family: u16, values: &[&str]) -> u64 {
    const PRIME: u32 = 0x0100_0193;
    let mut h = 0x811c_9dc5 ^ family as u32;
    for v in values {
        for b in v.as_bytes() {
            h = (h ^ *b as u32).wrapping_mul(PRIME);
        }
        // Not a byte of UTF-8 text: ends the value.
        h = (h ^ 0xff).wrapping_mul(PRIME);
    }
    h as u64
}

/// Folded 128-bit multiplies, sixteen bytes per multiply.
#[inline]
pub(crate) fn hash_wide(family: u16, values: &[&str]) -> u64 {
    const P0: u64 = 0xa076_1d64_78bd_642f;
    const P1: u64 = 0xe703_7ed1_a0b4_28db;
    // Multiply two words into 128 bits and fold: one step mixes 16 bytes.
    let fold = |a: u64, b: u64| {
        let m = (a as u128).wrapping_mul(b as u128);
        (m as u64) ^ ((m >> 64) as u64)
    };
    let mut h = fold(family as u64 ^ P0, values.len() as u64 ^ P1);
    for v in values {
        let b = v.as_bytes();
        let n = b.len();
        let (x, y) = if n < 8 {
            (short_word(b), 0)
        } else {
            let mut i = 0;
            while i + 16 < n {
                h = fold(word(&b[i..]) ^ P0 ^ h, word(&b[i + 8..]) ^ P1);
                i += 16;
            }
            (word(&b[n.min(i + 8).max(8) - 8..]), word(&b[n - 8..]))
        };
        h = fold(x ^ P0 ^ h, y ^ P1 ^ n as u64);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_and_hash_see_every_byte() {
        for n in 0..48usize {
            let a: Vec<u8> = (0..n as u8).map(|i| b'a' + i % 26).collect();
            let sa = core::str::from_utf8(&a).unwrap();
            assert!(bytes_eq(&a, &a));
            for pos in 0..n {
                let mut b = a.clone();
                b[pos] = b'Z';
                assert!(!bytes_eq(&a, &b), "len {n} pos {pos}");
                let sb = core::str::from_utf8(&b).unwrap();
                for h in [hash_wide, hash_narrow] {
                    assert_ne!(h(0, &[sa]), h(0, &[sb]), "len {n} pos {pos}");
                }
            }
            let longer: Vec<u8> = a.iter().copied().chain([b'x']).collect();
            assert!(!bytes_eq(&a, &longer));
        }
        for h in [hash_wide, hash_narrow] {
            assert_ne!(h(0, &["ab", "c"]), h(0, &["a", "bc"]));
            assert_ne!(h(0, &["a"]), h(1, &["a"]));
            assert_ne!(h(0, &[""]), h(0, &[]));
        }
    }

    #[test]
    fn both_hashes_spread_typical_label_sets() {
        // 1,000 series of a route and a status code over 1,024 buckets, as
        // `Registry` places them (`hash % S`): no bucket holds more than a
        // handful (a uniform hash gives about 5 at most here).
        let codes = ["200", "404", "500", "503"];
        for h in [hash_wide, hash_narrow] {
            let mut load = vec![0u32; 1024];
            for i in 0..1000 {
                let route = format!("/api/v1/items/{i}");
                let code = codes[i % codes.len()];
                load[(h(3, &[&route, code]) % 1024) as usize] += 1;
            }
            let max = load.iter().max().copied().unwrap_or(0);
            assert!(max <= 8, "a bucket holds {max} series");
        }
    }
}
