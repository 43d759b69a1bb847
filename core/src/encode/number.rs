//! Number formatting without `core::fmt`: integers exactly (via `itoa`), floats
//! as the shortest digits that round-trip (via `ryu`) laid out the way Go's
//! `strconv.FormatFloat(v, 'g', -1, 64)` lays them out, which is what
//! Prometheus itself and its client libraries print.

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
        self.itoa.format(v)
    }

    /// All digits of `v`, with a leading `-` when negative.
    ///
    /// ```
    /// assert_eq!(otel_prom_core::encode::NumberBuffer::new().format_i64(i64::MIN), "-9223372036854775808");
    /// ```
    pub fn format_i64(&mut self, v: i64) -> &str {
        self.itoa.format(v)
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
        let len = self.layout_go(v);
        as_str(&self.bytes[..len])
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
        let mut len = self.layout_go(v);
        if v.is_finite() && !self.bytes[..len].iter().any(|b| *b == b'.' || *b == b'e') {
            self.bytes[len] = b'.';
            self.bytes[len + 1] = b'0';
            len += 2;
        }
        as_str(&self.bytes[..len])
    }

    /// Writes Go's layout of `v` into `self.bytes`, returning its length.
    fn layout_go(&mut self, v: f64) -> usize {
        if v.is_nan() {
            return self.put(0, b"NaN");
        }
        if v.is_infinite() {
            return self.put(0, if v > 0.0 { b"+Inf" } else { b"-Inf" });
        }
        let neg = v.is_sign_negative();
        let mut at = if neg { self.put(0, b"-") } else { 0 };
        if v == 0.0 {
            return self.put(at, b"0");
        }
        let (digits, nd, dp) = shortest_digits(self.ryu.format_finite(v.abs()));
        let d = &digits[..nd];
        // Go: %e when the exponent is < -4 or >= 6 (the shortest-form rule).
        let exp = dp - 1;
        if !(-4..6).contains(&exp) {
            at = self.put(at, &d[..1]);
            if nd > 1 {
                at = self.put(at, b".");
                at = self.put(at, &d[1..]);
            }
            at = self.put(at, if exp < 0 { b"e-" } else { b"e+" });
            let e = exp.unsigned_abs();
            if e < 10 {
                at = self.put(at, b"0");
            }
            let mut tmp = itoa::Buffer::new();
            return self.put(at, tmp.format(e).as_bytes());
        }
        // %f with exactly the digits needed.
        if dp <= 0 {
            at = self.put(at, b"0.");
            for _ in 0..(-dp) {
                at = self.put(at, b"0");
            }
            return self.put(at, d);
        }
        let dp = dp as usize;
        if nd <= dp {
            at = self.put(at, d);
            for _ in nd..dp {
                at = self.put(at, b"0");
            }
            at
        } else {
            at = self.put(at, &d[..dp]);
            at = self.put(at, b".");
            self.put(at, &d[dp..])
        }
    }

    fn put(&mut self, at: usize, s: &[u8]) -> usize {
        self.bytes[at..at + s.len()].copy_from_slice(s);
        at + s.len()
    }
}

fn as_str(b: &[u8]) -> &str {
    // Only ASCII digits, signs, '.', 'e' and the specials are ever written.
    core::str::from_utf8(b).unwrap_or("NaN")
}

/// Splits ryu's rendering of a positive finite float into its significant
/// digits (no leading or trailing zeros) and the decimal point position
/// `dp`, so that the value is `0.<digits> × 10^dp`.
fn shortest_digits(s: &str) -> ([u8; 20], usize, i32) {
    let (mantissa, exp10) = match s.find('e') {
        Some(i) => (&s[..i], s[i + 1..].parse::<i32>().unwrap_or(0)),
        None => (s, 0),
    };
    let int_len = mantissa.find('.').unwrap_or(mantissa.len()) as i32;
    let mut digits = [0u8; 20];
    let mut nd = 0;
    let mut leading_zeros = 0i32;
    for b in mantissa.bytes().filter(u8::is_ascii_digit) {
        if nd == 0 && b == b'0' {
            leading_zeros += 1;
            continue;
        }
        if nd < digits.len() {
            digits[nd] = b;
            nd += 1;
        }
    }
    while nd > 1 && digits[nd - 1] == b'0' {
        nd -= 1;
    }
    (digits, nd, int_len - leading_zeros + exp10)
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

    #[test]
    fn integers_exact() {
        let mut b = NumberBuffer::new();
        assert_eq!(b.format_u64(0), "0");
        assert_eq!(b.format_u64(9007199254740993), "9007199254740993");
        assert_eq!(b.format_i64(-42), "-42");
    }
}
