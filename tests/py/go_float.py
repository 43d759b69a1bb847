"""Reference for Go's strconv.FormatFloat(v, 'g', -1, 64), independent of
our Rust code: shortest round-trip digits from Python's repr (David Gay's
algorithm, round-half-even like Go), laid out by Go's 'g' rule.

Reads one float per line as 16 hex digits of its IEEE-754 bits, prints one
formatted value per line.
"""
import math
import struct
import sys


def go_g(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, v) < 0 else ""
    if v == 0:
        return sign + "0"
    r = repr(abs(v))
    mant, _, exp = r.partition("e")
    exp10 = int(exp) if exp else 0
    whole, _, frac = mant.partition(".")
    digits = (whole + frac).lstrip("0")
    lead = len(whole + frac) - len((whole + frac).lstrip("0"))
    dp = len(whole) - lead + exp10
    digits = digits.rstrip("0") or "0"
    x = dp - 1
    if x < -4 or x >= 6:
        m = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return "%s%se%s%02d" % (sign, m, "-" if x < 0 else "+", abs(x))
    if dp <= 0:
        return sign + "0." + "0" * (-dp) + digits
    if len(digits) <= dp:
        return sign + digits + "0" * (dp - len(digits))
    return sign + digits[:dp] + "." + digits[dp:]


out = []
for line in sys.stdin:
    line = line.strip()
    if line:
        out.append(go_g(struct.unpack(">d", bytes.fromhex(line))[0]))
sys.stdout.write("\n".join(out) + "\n")
