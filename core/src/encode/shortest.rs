//! The shortest digits that read back as the same float, by exact
//! big-integer arithmetic (the free-format method of Steele & White, in the
//! form Burger & Dybvig give it). It is a few hundred bytes of code where
//! `ryu` needs tables and 128-bit multiplications, and it takes microseconds
//! per float where `ryu` takes nanoseconds: the `compact-float` feature
//! picks it for firmware, where flash is scarcer than time.
//!
//! The digits are the same as `ryu`'s: the shortest string inside the
//! float's rounding interval and, of those, the one closest to it, with
//! ties going to the even digit.

use core::cmp::Ordering;

/// 40 × 32 bits: the largest intermediate value is below 2^1140 (a
/// subnormal's numerator scaled by 10^325, times 10 while digits are made).
const WORDS: usize = 40;

/// An unsigned integer of `WORDS` little-endian 32-bit words.
#[derive(Clone, Copy)]
struct Big([u32; WORDS]);

impl Big {
    fn from_u64(v: u64) -> Big {
        let mut w = [0u32; WORDS];
        w[0] = v as u32;
        w[1] = (v >> 32) as u32;
        Big(w)
    }

    /// `self × 2^bits`, over the low `n` words.
    fn shl(&mut self, bits: u32, n: usize) {
        let words = (bits / 32) as usize;
        let bits = bits % 32;
        for i in (0..n).rev() {
            let lo = i.checked_sub(words).map_or(0, |j| self.0[j]);
            let below = i.checked_sub(words + 1).map_or(0, |j| self.0[j]);
            // `below >> (32 - bits)` in two steps, so that a shift by whole
            // words (bits = 0) takes nothing from below without a branch.
            self.0[i] = (lo << bits) | ((below >> 1) >> (31 - bits));
        }
    }

    /// `self × m`, over the low `n` words.
    fn mul_small(&mut self, m: u32, n: usize) {
        let mut carry = 0u64;
        for w in self.0[..n].iter_mut() {
            let v = u64::from(*w) * u64::from(m) + carry;
            *w = v as u32;
            carry = v >> 32;
        }
    }

    /// `self × 10^k`, over the low `n` words.
    fn mul_pow10(&mut self, mut k: u32, n: usize) {
        while k >= 9 {
            self.mul_small(1_000_000_000, n);
            k -= 9;
        }
        self.mul_small(10u32.pow(k), n);
    }

    /// `self + other` compared with `than`, over the low `n` words, without
    /// forming the sum: going up, the last word that differs decides.
    fn sum_cmp(&self, other: &Big, than: &Big, n: usize) -> Ordering {
        let mut carry = 0u64;
        let mut order = Ordering::Equal;
        for ((a, b), t) in self.0[..n].iter().zip(&other.0).zip(&than.0) {
            let v = u64::from(*a) + u64::from(*b) + carry;
            carry = v >> 32;
            if v as u32 != *t {
                order = (v as u32).cmp(t);
            }
        }
        if carry != 0 { Ordering::Greater } else { order }
    }

    /// `self - other`, for `self >= other`, over the low `n` words.
    fn sub_assign(&mut self, other: &Big, n: usize) {
        let mut borrow = 0i64;
        for (a, b) in self.0[..n].iter_mut().zip(&other.0) {
            let v = i64::from(*a) - i64::from(*b) - borrow;
            borrow = i64::from(v < 0);
            *a = v.rem_euclid(1 << 32) as u32;
        }
    }

    /// Compares the low `n` words (the rest are zero in both).
    fn cmp(&self, other: &Big, n: usize) -> Ordering {
        self.0[..n]
            .iter()
            .zip(&other.0[..n])
            .rev()
            .find(|(a, b)| a != b)
            .map_or(Ordering::Equal, |(a, b)| a.cmp(b))
    }

    /// Words up to and including the highest non-zero one.
    fn used(&self) -> usize {
        WORDS - self.0.iter().rev().take_while(|w| **w == 0).count()
    }
}

/// The shortest round-trip digits of a positive finite `v` (ASCII, no
/// leading or trailing zeros) into `out`, and the decimal point position:
/// `v ≈ 0.<digits> × 10^point`. Returns `(length, point)`.
pub(crate) fn shortest(v: f64, out: &mut [u8; 20]) -> (usize, i32) {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (mantissa, exp) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    // A mantissa that is even owns the ends of its rounding interval
    // (round-half-even on reading); at a power of two the gap below is half
    // the gap above.
    let even = mantissa % 2 == 0;
    let uneven_gaps = fraction == 0 && biased > 1;

    // Words enough for every value below: about |exp| bits, plus the
    // mantissa, a power of ten's excess over its power of two, and ×10.
    let n = ((exp.unsigned_abs() as usize + 80) / 32 + 2).min(WORDS);
    // v = r / s; the interval's ends are (r - low) / s and (r + high) / s.
    let mut r = Big::from_u64(mantissa);
    let mut s = Big::from_u64(1);
    let mut low = Big::from_u64(1);
    let scale = if uneven_gaps { 2 } else { 1 };
    if exp >= 0 {
        r.shl(exp as u32 + scale, n);
        s.shl(scale, n);
        low.shl(exp as u32, n);
    } else {
        r.shl(scale, n);
        s.shl((-exp) as u32 + scale, n);
    }
    // The gap above: the gap below, or twice it at a power of two.
    let mut high = low;
    if uneven_gaps {
        high.shl(1, n);
    }

    // k: a lower estimate of the decimal exponent from the binary one
    // (78913 / 2^18 is just below log10(2)), then raised until the
    // interval's top lies below 10^k.
    let top_bit = 63 - mantissa.leading_zeros() as i32 + exp;
    let mut k = (top_bit * 78913) >> 18;
    if k >= 0 {
        s.mul_pow10(k as u32, n);
    } else {
        r.mul_pow10((-k) as u32, n);
        low.mul_pow10((-k) as u32, n);
        high.mul_pow10((-k) as u32, n);
    }
    let reaches = |r: &Big, high: &Big, s: &Big, n: usize| {
        let top = r.sum_cmp(high, s, n);
        top == Ordering::Greater || (even && top == Ordering::Equal)
    };
    while reaches(&r, &high, &s, n) {
        s.mul_small(10, n);
        k += 1;
    }
    // From here on every value stays below 2^5 · s: one spare word covers
    // them.
    let n = (s.used() + 1).min(n);

    let mut len = 0;
    loop {
        r.mul_small(10, n);
        low.mul_small(10, n);
        high.mul_small(10, n);
        let mut digit = 0u8;
        while r.cmp(&s, n) != Ordering::Less {
            r.sub_assign(&s, n);
            digit += 1;
        }
        let below = match r.cmp(&low, n) {
            Ordering::Less => true,
            Ordering::Equal => even,
            Ordering::Greater => false,
        };
        let above = reaches(&r, &high, &s, n);
        let digit = match (below, above) {
            (false, false) => {
                out[len] = b'0' + digit;
                len += 1;
                // 17 digits always identify a double; the bound is a guard.
                if len < out.len() {
                    continue;
                }
                digit
            }
            (true, false) => digit,
            (false, true) => digit + 1,
            (true, true) => {
                // Both candidates round-trip: the closer, ties to even.
                let mut twice = r;
                twice.mul_small(2, n);
                match twice.cmp(&s, n) {
                    Ordering::Less => digit,
                    Ordering::Greater => digit + 1,
                    Ordering::Equal => digit + digit % 2,
                }
            }
        };
        if len < out.len() {
            out[len] = b'0' + digit;
            len += 1;
        }
        break;
    }
    (len, k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(v: f64) -> (std::string::String, i32) {
        let mut out = [0u8; 20];
        let (len, point) = shortest(v, &mut out);
        (
            std::string::String::from_utf8(out[..len].to_vec()).unwrap(),
            point,
        )
    }

    #[test]
    fn known_values() {
        assert_eq!(digits(1.0), ("1".into(), 1));
        assert_eq!(digits(100.0), ("1".into(), 3));
        assert_eq!(digits(0.005), ("5".into(), -2));
        assert_eq!(digits(0.1 + 0.2), ("30000000000000004".into(), 0));
        assert_eq!(digits(5e-324), ("5".into(), -323));
        assert_eq!(digits(f64::MAX), ("17976931348623157".into(), 309));
        assert_eq!(
            digits(f64::MIN_POSITIVE),
            ("22250738585072014".into(), -307)
        );
        assert_eq!(digits(9007199254740993.0), ("9007199254740992".into(), 16));
    }
}
