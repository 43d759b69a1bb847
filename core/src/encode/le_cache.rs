//! Formatted `le` label values, kept for the bounds a histogram family
//! used last: every series of a family normally shares its bounds, so each
//! bound is formatted once per family instead of once per bucket line.

use super::number::NumberBuffer;

const MAX_BOUNDS: usize = 16;
const TEXT: usize = 192;

/// Fixed-size cache (336 bytes); bounds lists longer than it, or whose text
/// does not fit, are formatted per line instead.
pub(crate) struct LeCache {
    bounds: [f64; MAX_BOUNDS],
    ends: [u8; MAX_BOUNDS],
    text: [u8; TEXT],
    len: usize,
    valid: bool,
}

impl LeCache {
    pub(crate) const fn new() -> Self {
        LeCache {
            bounds: [0.0; MAX_BOUNDS],
            ends: [0; MAX_BOUNDS],
            text: [0; TEXT],
            len: 0,
            valid: false,
        }
    }

    /// Makes the cache hold `bounds`; false when they do not fit.
    pub(crate) fn load(
        &mut self,
        bounds: &[f64],
        openmetrics: bool,
        num: &mut NumberBuffer,
    ) -> bool {
        if self.valid && self.len == bounds.len() && self.bounds[..self.len] == *bounds {
            return true;
        }
        self.valid = false;
        if bounds.len() > MAX_BOUNDS {
            return false;
        }
        let mut at = 0;
        for (i, b) in bounds.iter().enumerate() {
            let s = num.bound_bytes(*b, openmetrics);
            let end = at + s.len();
            if end > TEXT {
                return false;
            }
            self.text[at..end].copy_from_slice(s);
            self.bounds[i] = *b;
            self.ends[i] = end as u8;
            at = end;
        }
        self.len = bounds.len();
        self.valid = true;
        true
    }

    /// The formatted bound `i` (after a successful `load`).
    pub(crate) fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }
}
