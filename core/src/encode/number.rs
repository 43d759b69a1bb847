//! Number formatting without `core::fmt`: integers exactly (via `itoa` on
//! 64-bit hosts, a digit loop on wasm32 and 32-bit MCUs), floats as the
//! shortest digits that round-trip (via `ryu`, or with the `compact-float`
//! feature via [`shortest`](super::shortest)) laid out the way Go's
//! `strconv.FormatFloat(v, 'g', -1, 64)` lays them out, which is what
//! Prometheus itself and its client libraries print.

use crate::float_bits;
use crate::value::Number;

/// A stack buffer that formats one number at a time.
///
/// ```
/// use otel_prom_core::encode::NumberBuffer;
/// let mut buf = NumberBuffer::new();
/// assert_eq!(buf.format_f64(1e6), "1e+06");
/// assert_eq!(buf.format_f64(0.0001), "0.0001");
/// assert_eq!(buf.format_f64(1e-05), "1e-05");
/// assert_eq!(buf.format_u64(u64::MAX), "18446744073709551615");
/// assert_eq!(buf.format_openmetrics_f64(1.0), "1.0");
/// ```
pub struct NumberBuffer {
    bytes: [u8; 32],
    ryu: ryu::Buffer,
    itoa: itoa::Buffer,
}

impl Default for NumberBuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl NumberBuffer {
    /// A new, empty buffer.
    ///
    /// ```
    /// let _ = otel_prom_core::encode::NumberBuffer::new();
    /// ```
    pub fn new() -> Self {
        NumberBuffer {
            bytes: [0; 32],
            ryu: ryu::Buffer::new(),
            itoa: itoa::Buffer::new(),
        }
    }

    /// All digits of `v`.
    ///
    /// ```
    /// assert_eq!(otel_prom_core::encode::NumberBuffer::new().format_u64(42), "42");
    /// ```
    pub fn format_u64(&mut self, v: u64) -> &str {
        match INTEGERS {
            Integers::Itoa => self.itoa.format(v),
            _ => as_str(self.u64_bytes(v)),
        }
    }

    /// [`format_u64`](Self::format_u64) as bytes, for the encoder.
    fn u64_bytes(&mut self, v: u64) -> &[u8] {
        match INTEGERS {
            Integers::Itoa => self.itoa.format(v).as_bytes(),
            _ => {
                let start = decimal(v, &mut self.bytes);
                &self.bytes[start..]
            }
        }
    }

    /// All digits of `v`, with a leading `-` when negative.
    ///
    /// ```
    /// assert_eq!(otel_prom_core::encode::NumberBuffer::new().format_i64(i64::MIN), "-9223372036854775808");
    /// ```
    pub fn format_i64(&mut self, v: i64) -> &str {
        as_str(self.i64_bytes(v))
    }

    /// [`format_i64`](Self::format_i64) as bytes, for the encoder.
    fn i64_bytes(&mut self, v: i64) -> &[u8] {
        match INTEGERS {
            Integers::Itoa => self.itoa.format(v).as_bytes(),
            _ => {
                let mut start = decimal(v.unsigned_abs(), &mut self.bytes);
                if v < 0 {
                    start -= 1;
                    self.bytes[start] = b'-';
                }
                &self.bytes[start..]
            }
        }
    }

    /// `v` as Go's `strconv.FormatFloat(v, 'g', -1, 64)` would print it,
    /// with Prometheus' spelling of the specials: `+Inf`, `-Inf`, `NaN`.
    ///
    /// ```
    /// let mut b = otel_prom_core::encode::NumberBuffer::new();
    /// assert_eq!(b.format_f64(123456789.0), "1.23456789e+08");
    /// assert_eq!(b.format_f64(-0.5), "-0.5");
    /// assert_eq!(b.format_f64(f64::NEG_INFINITY), "-Inf");
    /// ```
    pub fn format_f64(&mut self, v: f64) -> &str {
        as_str(self.f64_bytes(v))
    }

    /// [`format_f64`](Self::format_f64) as bytes, for the encoder.
    #[inline]
    pub(crate) fn f64_bytes(&mut self, v: f64) -> &[u8] {
        let a = v.abs();
        // Fast path: where Go uses %f, ryu writes the same digits in
        // decimal notation, adding ".0" to integers. (A float below 1e6
        // never has 1e6 as its shortest form, since 1e6 is itself a float.)
        if !cfg!(feature = "compact-float") && (1e-4..1e6).contains(&a) {
            let s = self.ryu.format_finite(v).as_bytes();
            return s.strip_suffix(b".0").unwrap_or(s);
        }
        let len = self.layout_go(v);
        &self.bytes[..len]
    }

    /// A sample value as the encoder writes it.
    pub(crate) fn number_bytes(&mut self, v: Number) -> &[u8] {
        match v {
            Number::U64(v) => self.u64_bytes(v),
            Number::I64(v) => self.i64_bytes(v),
            Number::F64(v) => self.f64_bytes(v),
        }
    }

    /// A bucket bound as the `le` label carries it: OpenMetrics' canonical
    /// form (`1.0`) there, Go's layout (`1`) in the Prometheus text formats.
    pub(crate) fn bound_bytes(&mut self, bound: f64, openmetrics: bool) -> &[u8] {
        if openmetrics {
            self.openmetrics_f64_bytes(bound)
        } else {
            self.f64_bytes(bound)
        }
    }

    /// [`format_openmetrics_f64`](Self::format_openmetrics_f64) as bytes.
    pub(crate) fn openmetrics_f64_bytes(&mut self, v: f64) -> &[u8] {
        let a = v.abs();
        if !cfg!(feature = "compact-float") && (1e-4..1e6).contains(&a) {
            // ryu's ".0" on integers is exactly OpenMetrics' canonical form.
            return self.ryu.format_finite(v).as_bytes();
        }
        let len = self.layout_go(v);
        let mut out = Layout {
            bytes: &mut self.bytes,
            len,
        };
        if float_bits::is_finite(v) && !out.bytes[..len].iter().any(|b| *b == b'.' || *b == b'e') {
            out.extend(b".0");
        }
        let len = out.len;
        &self.bytes[..len]
    }

    /// Like [`format_f64`](Self::format_f64), but in OpenMetrics' canonical
    /// form: a float that would print as an integer gets `.0`
    /// (`1.0`, `10.0`), as the OpenMetrics `le` and `quantile` labels want.
    ///
    /// ```
    /// let mut b = otel_prom_core::encode::NumberBuffer::new();
    /// assert_eq!(b.format_openmetrics_f64(10.0), "10.0");
    /// assert_eq!(b.format_openmetrics_f64(1e6), "1e+06");
    /// assert_eq!(b.format_openmetrics_f64(0.25), "0.25");
    /// ```
    pub fn format_openmetrics_f64(&mut self, v: f64) -> &str {
        as_str(self.openmetrics_f64_bytes(v))
    }

    /// The shortest round-trip digits of a positive finite `v`.
    fn digits(&mut self, v: f64) -> Digits {
        if cfg!(feature = "compact-float") {
            let mut digits = Digits {
                digits: [0; 20],
                len: 0,
                point: 0,
            };
            (digits.len, digits.point) = super::shortest::shortest(v, &mut digits.digits);
            digits
        } else {
            Digits::of(self.ryu.format_finite(v).as_bytes())
        }
    }

    /// Writes Go's layout of `v` into `self.bytes`, returning its length.
    fn layout_go(&mut self, v: f64) -> usize {
        let magnitude = float_bits::magnitude(v);
        let special: Option<&[u8]> = if float_bits::is_nan(v) {
            Some(b"NaN")
        } else if float_bits::is_infinite(v) {
            Some(if v.is_sign_negative() {
                b"-Inf"
            } else {
                b"+Inf"
            })
        } else {
            None
        };
        let digits =
            (special.is_none() && magnitude != 0).then(|| self.digits(f64::from_bits(magnitude)));
        let mut out = Layout {
            bytes: &mut self.bytes,
            len: 0,
        };
        if let Some(text) = special {
            out.extend(text);
            return out.len;
        }
        if v.is_sign_negative() {
            out.push(b'-');
        }
        let Some(digits) = digits else {
            out.push(b'0');
            return out.len;
        };
        let d = digits.digits.get(..digits.len).unwrap_or_default();
        let exp = digits.point - 1;
        // Go: %e when the exponent is < -4 or >= 6 (its shortest-form rule),
        // with at least two exponent digits; else %f.
        let scientific = !(-4..6).contains(&exp);
        // Digit `i` stands right of the point when `i >= point`; positions
        // outside the digits are zeros (`0.00123`, `1200`). %e puts the
        // point after the first digit.
        let point = if scientific { 1 } else { digits.point };
        if point <= 0 {
            out.push(b'0');
        }
        for i in point.min(0)..point.max(d.len() as i32) {
            if i == point {
                out.push(b'.');
            }
            let digit = usize::try_from(i).ok().and_then(|i| d.get(i));
            out.push(digit.copied().unwrap_or(b'0'));
        }
        if scientific {
            out.extend(if exp < 0 { b"e-" } else { b"e+" });
            let e = exp.unsigned_abs();
            if e >= 100 {
                out.push(b'0' + (e / 100) as u8);
            }
            out.extend(&[b'0' + (e / 10 % 10) as u8, b'0' + (e % 10) as u8]);
        }
        out.len
    }
}

/// Appends to the number buffer. The longest layout
/// (`-2.2250738585072014e-308`, 24 bytes) fits its 32 bytes, so nothing is
/// ever dropped; `get_mut` keeps panic paths out of the formatter.
struct Layout<'b> {
    bytes: &'b mut [u8; 32],
    len: usize,
}

impl Layout<'_> {
    fn push(&mut self, b: u8) {
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
    }

    fn extend(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.push(*b);
        }
    }
}

/// How this target writes integers.
#[derive(PartialEq, Eq)]
enum Integers {
    /// `itoa`: two digits per step from a table, the fastest on 64-bit
    /// hosts.
    Itoa,
    /// A digit per native 64-bit division (wasm32): as fast there as
    /// `itoa` in a scrape (0.97-1.01x the time), without its tables and
    /// code (650 B of the .wasm).
    Digits,
    /// By [`decimal_by_halfwords`], where a 64-bit division is a library
    /// routine (32-bit Arm, RISC-V): neither `itoa`'s tables nor the
    /// ~900 B software division are linked.
    Halfwords,
}

const INTEGERS: Integers = if cfg!(target_family = "wasm") {
    Integers::Digits
} else if cfg!(target_pointer_width = "32") {
    Integers::Halfwords
} else {
    Integers::Itoa
};

/// Writes the decimal digits of `v` at the end of `out` the way this
/// target does ([`INTEGERS`], not `itoa`); returns where they start.
fn decimal(v: u64, out: &mut [u8; 32]) -> usize {
    if INTEGERS == Integers::Halfwords {
        decimal_by_halfwords(v, out)
    } else {
        decimal_by_digits(v, out)
    }
}

/// Writes the decimal digits of `v` at the end of `out`, one 64-bit
/// division each; returns where they start.
fn decimal_by_digits(mut v: u64, out: &mut [u8; 32]) -> usize {
    let mut start = out.len();
    loop {
        start -= 1;
        out[start] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            return start;
        }
    }
}

/// Writes the decimal digits of `v` at the end of `out`; returns where they
/// start. `v` is held as four 16-bit halfwords, so each digit is four
/// 32-bit divisions by ten (one instruction each on Cortex-M3/M4).
fn decimal_by_halfwords(v: u64, out: &mut [u8; 32]) -> usize {
    let mut halves = [
        (v >> 48) as u32,
        (v >> 32) as u32 & 0xffff,
        (v >> 16) as u32 & 0xffff,
        v as u32 & 0xffff,
    ];
    let mut start = out.len();
    loop {
        let mut rem = 0;
        for h in halves.iter_mut() {
            let cur = rem << 16 | *h;
            *h = cur / 10;
            rem = cur % 10;
        }
        start -= 1;
        out[start] = b'0' + rem as u8;
        if halves == [0; 4] {
            return start;
        }
    }
}

fn as_str(b: &[u8]) -> &str {
    // Only ASCII digits, signs, '.', 'e' and the specials are ever written.
    core::str::from_utf8(b).unwrap_or("NaN")
}

/// The significant digits of a positive finite float (no leading or
/// trailing zeros) and its decimal point position: the value is
/// `0.<digits> × 10^point`.
struct Digits {
    digits: [u8; 20],
    len: usize,
    point: i32,
}

impl Digits {
    /// From `ryu`'s rendering (`123.45`, `0.001`, `1e16`, `1.5e-7`), in one pass.
    fn of(s: &[u8]) -> Self {
        let mut digits = [0u8; 20];
        let mut len = 0;
        let mut before_point = 0i32;
        let mut leading_zeros = 0i32;
        let mut seen_point = false;
        let mut i = 0;
        while i < s.len() {
            let b = s[i];
            match b {
                b'.' => seen_point = true,
                b'e' => break,
                b'0' if len == 0 => {
                    leading_zeros += 1;
                    if !seen_point {
                        before_point += 1;
                    }
                }
                _ => {
                    if len < digits.len() {
                        digits[len] = b;
                        len += 1;
                    }
                    if !seen_point {
                        before_point += 1;
                    }
                }
            }
            i += 1;
        }
        let mut exp10 = 0i32;
        if i < s.len() {
            let mut j = i + 1;
            let neg = s.get(j) == Some(&b'-');
            if neg {
                j += 1;
            }
            while j < s.len() {
                exp10 = exp10 * 10 + (s[j] - b'0') as i32;
                j += 1;
            }
            if neg {
                exp10 = -exp10;
            }
        }
        while len > 1 && digits[len - 1] == b'0' {
            len -= 1;
        }
        Digits {
            digits,
            len,
            point: before_point - leading_zeros + exp10,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_layout_table() {
        // Expected strings are what Go's strconv.FormatFloat(v, 'g', -1, 64) prints.
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (-1.0, "-1"),
            (0.5, "0.5"),
            (100000.0, "100000"),
            (123456.7, "123456.7"),
            (1e6, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00012345, "0.00012345"),
            (1e-05, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e21, "1e+21"),
            (1e100, "1e+100"),
            (0.1 + 0.2, "0.30000000000000004"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "5e-324"),
            (18446744073709551615.0, "1.8446744073709552e+19"),
            (0.005, "0.005"),
            (2.5, "2.5"),
            (10.0, "10"),
        ];
        let mut b = NumberBuffer::new();
        for (v, want) in cases {
            assert_eq!(b.format_f64(*v), *want, "{v:e}");
        }
    }

    #[test]
    fn openmetrics_canonical() {
        let mut b = NumberBuffer::new();
        for (v, want) in [
            (1.0, "1.0"),
            (0.0, "0.0"),
            (-1.0, "-1.0"),
            (100000.0, "100000.0"),
            (1e6, "1e+06"),
            (0.005, "0.005"),
            (f64::INFINITY, "+Inf"),
            (f64::NAN, "NaN"),
        ] {
            assert_eq!(b.format_openmetrics_f64(v), want);
        }
    }

    /// `shortest` must give exactly ryu's digits: special values, every
    /// power of two and of ten, the ends of every binade, and a
    /// deterministic sweep of random bit patterns over all exponents.
    #[test]
    fn compact_digits_equal_ryus() {
        let mut ryu = ryu::Buffer::new();
        let mut check = |v: f64| {
            if !v.is_finite() || v <= 0.0 {
                return;
            }
            let want = Digits::of(ryu.format_finite(v).as_bytes());
            let mut got = [0u8; 20];
            let (len, point) = crate::encode::shortest::shortest(v, &mut got);
            assert_eq!(
                (&got[..len], point),
                (&want.digits[..want.len], want.point),
                "{v:e} ({:#x})",
                v.to_bits()
            );
        };
        for v in [
            5e-324,
            1e-323,
            f64::MIN_POSITIVE,
            f64::MAX,
            0.1,
            0.3,
            2.5,
            1e23,
            9e15,
        ] {
            check(v);
        }
        for e in 0..2047u64 {
            let base = e << 52;
            for fraction in [0, 1, 2, 3, (1 << 52) - 1, (1 << 52) - 2, 1 << 51] {
                check(f64::from_bits(base | fraction));
            }
        }
        for p in -323..=308 {
            let s = std::format!("1e{p}");
            check(s.parse().unwrap());
            let s = std::format!("5e{p}");
            check(s.parse().unwrap());
        }
        let mut state = 0x853c_49e6_748f_ea9bu64;
        for _ in 0..20_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let bits = (state ^ (state >> 29)) & !(1 << 63);
            check(f64::from_bits(bits));
            // Short decimals (sensor readings, bucket bounds) too.
            let short = (state >> 40) as f64 / 1000.0;
            check(short);
        }
    }

    #[test]
    fn halfword_and_digit_decimals_equal_std() {
        let mut out = [0u8; 32];
        let mut check = |v: u64| {
            let start = decimal_by_halfwords(v, &mut out);
            assert_eq!(&out[start..], std::format!("{v}").as_bytes(), "{v}");
            let start = decimal_by_digits(v, &mut out);
            assert_eq!(&out[start..], std::format!("{v}").as_bytes(), "{v}");
        };
        for v in [
            0,
            1,
            9,
            10,
            65_535,
            65_536,
            99_999,
            u32::MAX as u64,
            1 << 32,
            10u64.pow(19),
            u64::MAX,
        ] {
            check(v);
        }
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..10_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            check(state);
            check(state >> (state % 64));
        }
    }

    #[test]
    fn integers_exact() {
        let mut b = NumberBuffer::new();
        assert_eq!(b.format_u64(0), "0");
        assert_eq!(b.format_u64(9007199254740993), "9007199254740993");
        assert_eq!(b.format_i64(-42), "-42");
    }
}
