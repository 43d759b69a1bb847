//! Float classification by bit pattern. Where floats are emulated
//! (Cortex-M has no double-precision unit), every float comparison, even
//! `is_finite`, is a library call; these are a mask and an integer compare.

const SIGN: u64 = 1 << 63;
/// The bits of `f64::INFINITY`: a larger magnitude is a NaN.
const INFINITY: u64 = 0x7ff0_0000_0000_0000;

/// The bits of `v.abs()`.
pub(crate) const fn magnitude(v: f64) -> u64 {
    v.to_bits() & !SIGN
}

/// `v.is_nan()`.
pub(crate) const fn is_nan(v: f64) -> bool {
    magnitude(v) > INFINITY
}

/// `v.is_infinite()`.
pub(crate) const fn is_infinite(v: f64) -> bool {
    magnitude(v) == INFINITY
}

/// `v.is_finite()`.
pub(crate) const fn is_finite(v: f64) -> bool {
    magnitude(v) < INFINITY
}

/// `v >= 0.0`: not NaN, and positive or a zero of either sign.
pub(crate) const fn is_nonnegative(v: f64) -> bool {
    !is_nan(v) && (v.to_bits() & SIGN == 0 || magnitude(v) == 0)
}

/// `v < 0.0`.
pub(crate) const fn is_negative(v: f64) -> bool {
    !is_nan(v) && v.to_bits() & SIGN != 0 && magnitude(v) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_float_comparisons() {
        let nan_with_payload = f64::from_bits(0x7ff8_0000_0000_0001);
        for v in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            nan_with_payload,
            -nan_with_payload,
        ] {
            assert_eq!(magnitude(v), v.abs().to_bits(), "{v:?}");
            assert_eq!(is_nan(v), v.is_nan(), "{v:?}");
            assert_eq!(is_infinite(v), v.is_infinite(), "{v:?}");
            assert_eq!(is_finite(v), v.is_finite(), "{v:?}");
            assert_eq!(is_nonnegative(v), v >= 0.0, "{v:?}");
            assert_eq!(is_negative(v), v < 0.0, "{v:?}");
        }
    }
}
