"""KMY25 Lemma B.17 (Matousek, Lemma 15.2.2): for x uniform on the sphere S^(d-1) and phi the projection to the
first m coordinates, ||phi(x)|| concentrates around its median beta: P[||phi(x)|| >= beta + t] <= 2 e^(-t^2 d/2) and
P[||phi(x)|| <= beta - t] <= 2 e^(-t^2 d/2); and beta >= (1/2) sqrt(m/d) when m >= 10 ln d.

Exact route: ||phi(x)||^2 ~ Beta(m/2, (d-m)/2), whose distribution function for even m and d is the polynomial
F(z) = sum_{j >= m/2} C(d/2 - 1, j) z^j (1 - z)^(d/2 - 1 - j) (exact rationals).  So

* beta >= (1/2) sqrt(m/d)  iff  F(m/(4d)) < 1/2  -- decided exactly;
* rational beta_lo <= beta <= beta_hi from F(beta_lo^2) < 1/2 <= F(beta_hi^2) (bisection), and the tails are
  bounded by 1 - F((beta_lo + t)^2) and F((beta_hi - t)^2), compared with a lower enclosure of 2 e^(-t^2 d/2).

Matousek states the lemma for d larger than a suitable constant; the paper drops that.  The family here has
d = 64 ... 512 and every instance holds (m >= 10 ln d itself needs d >= 36); an exploration with floats
found no violation for any even 2 <= m < d <= 80 either; the median bound is
also checked at some m below 10 ln d, where the lemma does not claim it.
"""
from math import comb

from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.claims import claim
from exactmem.exact import ceil_log, exp_enclosure


def beta_cdf(z, m: int, d: int) -> fmpq:
    """P[||phi(x)||^2 <= z] for x uniform on S^(d-1), m and d even, 0 <= z <= 1 (exact)."""
    a, n = m // 2, d // 2 - 1
    z = fmpq(z)
    return sum((comb(n, j) * z ** j * (1 - z) ** (n - j) for j in range(a, n + 1)), fmpq(0))


def median_bracket(m: int, d: int, steps: int = 40) -> tuple:
    """Rationals lo < hi with F(lo^2) < 1/2 <= F(hi^2), hi - lo = 2^-steps: lo <= beta <= hi."""
    lo, hi = fmpq(0), fmpq(1)
    for _ in range(steps):
        mid = (lo + hi) / 2
        if beta_cdf(mid * mid, m, d) < fmpq(1, 2):
            lo = mid
        else:
            hi = mid
    return lo, hi


def _cases():
    for d in (64, 128, 256, 512):                        # m >= 10 ln d needs d >= 36 (Lemma B.22)
        m0 = int(ceil_log(d, 10))
        for m in sorted(k for k in {m0 + (m0 % 2), (m0 + d) // 4 * 2, d // 2, d - 2} if k >= m0):
            yield f"d={d} m={m}", (m, d, True)
    for d, m in ((64, 2), (64, 10), (256, 4)):            # below 10 ln d: not claimed by the lemma
        yield f"d={d} m={m} (below 10 ln d)", (m, d, False)


@claim("KMY25.LemB.17", "||phi(x)|| for x uniform on S^(d-1): median beta >= (1/2) sqrt(m/d) for m >= 10 ln d, and both "
       "tails at t = 1/20, 1/10, 1/5, 1/3 below 2 exp(-t^2 d/2) (exact Beta distribution functions, even m, d)",
       {"even m and d": _cases}, source="Kim, Moon & Yun 2025, Lemma B.17 (Matousek 2002, Lemma 15.2.2)")
def check(inst):
    m, d, claimed = inst
    half = fmpq(1, 2)
    parts = [Verdict.from_exact(beta_cdf(fmpq(m, 4 * d), m, d) < half,
                                "F(m/(4d)) < 1/2: beta > (1/2) sqrt(m/d)" + ("" if claimed else " (beyond the lemma)"))]
    if claimed:
        parts.insert(0, Verdict.from_exact(m >= int(ceil_log(d, 10)), f"m = {m} >= 10 ln d"))
    lo, hi = median_bracket(m, d)
    for t in (fmpq(1, 20), fmpq(1, 10), fmpq(1, 5), fmpq(1, 3)):
        bound = 2 * exp_enclosure(-t * t * d / 2, 64).lo
        up = 1 - beta_cdf(min(fmpq(1), (lo + t) ** 2), m, d) if lo + t < 1 else fmpq(0)
        down = beta_cdf((hi - t) ** 2, m, d) if hi > t else fmpq(0)
        parts.append(Verdict.from_exact(up <= bound and down <= bound,
                                        f"t = {t}: tails <= {float(max(up, down)):.3g} <= 2 e^(-t^2 d/2) = {float(bound):.3g}",
                                        witness={"t": str(t), "upper": str(up), "lower": str(down)}))
    return all_of(parts, f"m = {m}, d = {d}: beta in [{float(lo):.6f}, {float(hi):.6f}], (1/2) sqrt(m/d) = "
                         f"{(m / d) ** 0.5 / 2:.6f} (display only)")
