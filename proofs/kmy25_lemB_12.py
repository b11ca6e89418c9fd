"""KMY25 Lemma B.12: R_d = V_d / V_{d-1} is strictly decreasing in d and at most R_1 = 2 (used by Lemma B.11's
slab bound in the moderate regime), checked exactly with outward-rounded enclosures of pi, for every d up to 3000
(6000 with ``--full``).  The library's V_{d-1}/V_d = q / pi^e (``slab_density_ratio``) must equal, for every d, the
claim's own recursion V_d = (2 pi / d) V_{d-2}, i.e. r_d = V_{d-1}/V_d = d/(d - 1) r_{d-2} from r_1 = 1/2 and
r_2 = 2/pi.  The rational upper bound on V_{d-1}/V_d that the constructions use for Lemma B.11's slab constant
(``slab_density_hi``, from a 64-bit enclosure of pi) must not lie below the lower end of this claim's 256-bit
enclosure (below it, it is below the true ratio: rounded the wrong way)."""
from flint import fmpq

from exactmem import Verdict
from exactmem.claims import claim
from exactmem.exact import pi_enclosure
from exactmem.volumes import slab_density_hi, slab_density_ratio


def recursion(top):
    """[(q_d, e_d)] for d = 1..top with V_{d-1}/V_d = q_d / pi^e_d, from r_d = d/(d - 1) r_{d-2}."""
    out = [(fmpq(1, 2), 0), (fmpq(2), 1)][:top]
    for d in range(3, top + 1):
        q, e = out[d - 3]
        out.append((q * fmpq(d, d - 1), e))
    return out


def _ranges(top):
    return lambda: [(f"d = 1..{top}", top)]


def _enclosure(q, e, pi):
    """[lo, hi] containing q / pi^e (e in {0, 1})."""
    return (q, q) if e == 0 else (q / pi.hi, q / pi.lo)


@claim("KMY25.LemB.12", "V_d / V_{d-1} <= 2 with equality only at d = 1, and strictly decreasing in d",
       {"exact enclosures": _ranges(3000), "larger": _ranges(6000)}, slow_families=("larger",),
       source="Kim, Moon & Yun 2025, Lemma B.12")
def check(top):
    pi = pi_enclosure(256)
    own = recursion(top)
    lib = [slab_density_ratio(d) for d in range(1, top + 1)]
    differ = [d for d, (a, b) in enumerate(zip(own, lib), 1) if a != b]
    encl = [_enclosure(q, e, pi) for q, e in own]
    first = encl[0] == (fmpq(1, 2), fmpq(1, 2))                       # V_0 / V_1 = 1/2, i.e. R_1 = 2
    above = all(lo > fmpq(1, 2) for lo, _ in encl[1:])                 # R_d < 2 for d >= 2
    increasing = all(b[0] > a[1] for a, b in zip(encl, encl[1:]))      # V_{d-1}/V_d increases: R_d decreases
    low = [d for d, (lo, _) in enumerate(encl, 1) if slab_density_hi(d) < lo]    # below the true value
    return Verdict.from_exact(first and above and increasing and not low and not differ,
                              f"V_(d-1)/V_d for d = 1..{top}: = 1/2 at d = 1, > 1/2 after, strictly increasing "
                              f"(disjoint enclosures); the library's value "
                              + (f"differs from the recursion at d = {differ[:5]}; " if differ else
                                 "equals the recursion's at every d; ")
                              + (f"slab_density_hi below the true ratio at d = {low[:5]}"
                                 if low else "slab_density_hi not below it for any d"),
                              {"slab_density_hi below": low[:5], "library differs at": differ[:5]})
