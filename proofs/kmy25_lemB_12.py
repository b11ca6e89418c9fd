"""KMY25 Lemma B.12: R_d = V_d / V_{d-1} is strictly decreasing in d and at most R_1 = 2 (used by Lemma B.11's
slab bound in the moderate regime), checked exactly with outward-rounded enclosures of pi.  The rational upper
bound on V_{d-1}/V_d that the constructions use for Lemma B.11's slab constant (``slab_density_hi``, from a 64-bit
enclosure of pi) must not lie below the lower end of this claim's 256-bit enclosure (below it, it is below the true
ratio: rounded the wrong way)."""
from flint import fmpq

from exactmem import Verdict
from exactmem.claims import claim
from exactmem.exact import pi_enclosure
from exactmem.volumes import slab_density_hi, slab_density_ratio


def _ranges():
    yield "d = 1..200", 200


def _enclosure(d, pi):
    """[lo, hi] containing V_{d-1}/V_d = q / pi^e."""
    q, e = slab_density_ratio(d)
    return (q, q) if e == 0 else (q / pi.hi, q / pi.lo)


@claim("KMY25.LemB.12", "V_d / V_{d-1} <= 2 with equality only at d = 1, and strictly decreasing in d",
       {"exact enclosures": _ranges}, source="Kim, Moon & Yun 2025, Lemma B.12")
def check(top):
    pi = pi_enclosure(256)
    encl = [_enclosure(d, pi) for d in range(1, top + 1)]
    first = encl[0] == (fmpq(1, 2), fmpq(1, 2))                       # V_0 / V_1 = 1/2, i.e. R_1 = 2
    above = all(lo > fmpq(1, 2) for lo, _ in encl[1:])                 # R_d < 2 for d >= 2
    increasing = all(b[0] > a[1] for a, b in zip(encl, encl[1:]))      # V_{d-1}/V_d increases: R_d decreases
    low = [d for d, (lo, _) in enumerate(encl, 1) if slab_density_hi(d) < lo]    # below the true value
    return Verdict.from_exact(first and above and increasing and not low,
                              f"V_(d-1)/V_d for d = 1..{top}: = 1/2 at d = 1, > 1/2 after, strictly increasing "
                              f"(disjoint enclosures); " + (f"slab_density_hi below the true ratio at d = {low[:5]}"
                                                            if low else "slab_density_hi not below it for any d"),
                              {"slab_density_hi below": low[:5]})
