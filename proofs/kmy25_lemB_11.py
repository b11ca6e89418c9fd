"""KMY25 Lemma B.11 (error region of a slab): for x uniform in B(x0, mu), a unit vector u and
f(x) = (u.x + b)/(2 mu), every interval I of length eta has P[f(x) in I] <= 2 eta V_{d-1}/V_d.

Writing x = x0 + mu y, f(x) in I iff u.y lies in an interval J of length 2 eta, and u.y has the density
c_d (1 - t^2)^((d-1)/2) on [-1, 1] with c_d = V_{d-1}/V_d (exactmem.volumes.slab_density_ratio).  Checked exactly:

* the density integrates to 1: c_d I((d-1)/2) = 1 with I(a) = int_{-1}^{1} (1 - t^2)^a dt from the recursion
  I(a) = 2a/(2a+1) I(a-1), I(0) = 2, I(1/2) = pi/2 (independent of the volume formula; exact for odd and even d,
  the powers of pi cancel);
* for odd d the density is a polynomial: P[u.y in J] is computed exactly for seeded intervals J (also reaching
  outside [-1, 1]) and must be <= |J| c_d, and for J = [-delta, delta] at least 2 delta c_d (1 - delta^2)^a -- so
  the constant is sharp as delta -> 0;
* the reduction: for seeded x0, mu, a rational unit u and b, the exact image of I is J = [2 alpha - s, 2 alpha - s
  + 2 eta] with s = (u.x0 + b)/mu, and f(x0 + mu y) - (u.y)/2 - s/2 = 0 for exact sample points y.
"""
import random
from fractions import Fraction as Fr

from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.claims import claim
from exactmem.volumes import slab_density_ratio


def I_half_power(a2: int) -> tuple:
    """int_{-1}^{1} (1 - t^2)^(a2/2) dt = r pi^e as (r, e), by the recursion I(a) = 2a/(2a+1) I(a-1)."""
    r, e = (Fr(2), 0) if a2 % 2 == 0 else (Fr(1, 2), 1)
    for k in range(2 if a2 % 2 == 0 else 3, a2 + 1, 2):      # a = k/2
        r *= Fr(k, k + 1)
    return r, e


def poly_integral(a: int, lo: Fr, hi: Fr) -> Fr:
    """int_lo^hi (1 - t^2)^a dt for an integer a >= 0, exactly (binomial expansion), with [lo, hi] cut to [-1, 1]."""
    lo, hi = max(lo, Fr(-1)), min(hi, Fr(1))
    if lo >= hi:
        return Fr(0)
    from math import comb
    return sum(comb(a, j) * (-1) ** j * (hi ** (2 * j + 1) - lo ** (2 * j + 1)) / (2 * j + 1) for j in range(a + 1))


def _cases():
    for d in range(1, 16):
        yield f"d={d} normalisation", ("norm", d)
    for d in (1, 3, 5, 9, 15, 31):
        yield f"d={d} slabs", ("slabs", d)
    for d in (2, 3, 6):
        yield f"d={d} reduction", ("reduction", d)


@claim("KMY25.LemB.11", "P[f(x) in I] <= 2 eta V_{d-1}/V_d for a slab of width eta under the uniform ball, with the "
       "density normalised exactly, exact slab probabilities (odd d) and the constant sharp",
       {"exact": _cases}, source="Kim, Moon & Yun 2025, Lemma B.11",
       uses=('KMY25.LemB.12',))
def check(inst):
    kind, d = inst
    q, e = slab_density_ratio(d)
    c = Fr(int(q.p), int(q.q))
    if kind == "norm":
        r, pe = I_half_power(d - 1)
        return Verdict.from_exact(pe == e and c * r == 1, f"c_d int (1-t^2)^((d-1)/2) = {c * r} (pi^{e} / pi^{pe})")
    if kind == "slabs":
        a = (d - 1) // 2
        rng = random.Random(d)
        parts = []
        for _ in range(20):
            lo = Fr(rng.randint(-120, 100), 100)
            width = Fr(rng.randint(1, 60), 100)                  # |J| = 2 eta
            p = c * poly_integral(a, lo, lo + width)
            parts.append(Verdict.from_exact(p <= width * c, f"P[J] = {float(p):.5f} <= |J| c_d",
                                            witness={"J": [str(lo), str(lo + width)]}))
        for delta in (Fr(1, 10), Fr(1, 100), Fr(1, 1000)):
            p = c * poly_integral(a, -delta, delta)
            parts.append(Verdict.from_exact(2 * delta * c * (1 - delta * delta) ** a <= p <= 2 * delta * c,
                                            f"central slab of half-width {delta}: within (1 - delta^2)^a of the bound"))
        return all_of(parts, f"d = {d}: 20 seeded slabs below |J| V_(d-1)/V_d, central slabs sharp")
    rng = random.Random(100 + d)
    x0 = [fmpq(rng.randint(-9, 9), 4) for _ in range(d)]
    mu, b, alpha, eta = fmpq(3, 7), fmpq(rng.randint(-5, 5), 3), fmpq(1, 5), fmpq(1, 8)
    u = [fmpq(3, 5), fmpq(4, 5)] + [fmpq(0)] * (d - 2)           # a rational unit vector
    dot = lambda p, r: sum((s * t for s, t in zip(p, r)), fmpq(0))
    s = (dot(u, x0) + b) / mu
    J = (2 * alpha - s, 2 * alpha - s + 2 * eta)
    parts = [Verdict.from_exact(dot(u, u) == 1 and J[1] - J[0] == 2 * eta, "u is a unit vector, |J| = 2 eta")]
    for _ in range(10):
        y = [fmpq(rng.randint(-30, 30), 100) for _ in range(d)]
        x = [a + mu * t for a, t in zip(x0, y)]
        f = (dot(u, x) + b) / (2 * mu)
        parts.append(Verdict.from_exact(f - dot(u, y) / 2 - s / 2 == 0 and
                                        ((alpha <= f <= alpha + eta) == (J[0] <= dot(u, y) <= J[1])),
                                        "f(x0 + mu y) = (u.y + s)/2, and f in I iff u.y in J"))
    return all_of(parts, f"d = {d}: the slab of f maps to a slab of u.y of twice the width")
