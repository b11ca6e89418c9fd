"""Scale covariance (reference notes on the laws, §7 item 20): f_s(x) = f(s x) has Lip_p(f_s, B) =
|s| Lip_p(f, sB) on matching sets, and its certified radii are those of f divided by |s|.  A normalisation
bug (data rescaled, constant not) shows up here."""
import random

from flint import fmpq, fmpq_mat

from exactmem import Verdict, all_of, box, certified_radius
from exactmem.claims import claim
from exactmem.exact import fmt

from exactmem.lipschitz import lipschitz_constant

from ._lipschitz_instances import random_net


def _instances():
    for seed, (dims, s) in enumerate([([2, 4, 1], fmpq(2)), ([2, 3, 3, 1], fmpq(-3)), ([2, 5, 1], fmpq(1, 2)),
                                      ([3, 3, 1], fmpq(-5, 7)), ([1, 4, 1], fmpq(7, 3))]):
        yield f"dims={dims} s={s}", (random_net(1100 + seed, dims), s, seed)


@claim("Law.scale",
       "x -> f(s x) has Lip_p = |s| Lip_p(f) on matching boxes (p = 1, 2, inf, exactly; squared for p = 2) and "
       "exact certified radii (sign semantics; p = 1, 2, inf) equal to those of f divided by |s|",
       {"seeded random": _instances},
       source="standard (reference notes §7 item 20, INFERRED)")
def check(inst):
    f, s, seed = inst
    rng = random.Random(seed)
    d = f.input_dim
    fs = f.pre_affine(fmpq_mat(d, d, [s if i == j else 0 for i in range(d) for j in range(d)]))
    lo, hi = [fmpq(-1)] * d, [fmpq(rng.randint(1, 3), 2) for _ in range(d)]
    slo = [min(s * a, s * b) for a, b in zip(lo, hi)]
    shi = [max(s * a, s * b) for a, b in zip(lo, hi)]
    parts = []
    for p in ("inf", 1, 2):
        A, B = lipschitz_constant(fs, p, box(lo, hi)), lipschitz_constant(f, p, box(slo, shi))
        if not (A.is_exact and B.is_exact):
            parts.append(Verdict.undecided(f"p = {p}: a constant is not exact"))
            continue
        a, b = (A.upper_sq, B.upper_sq * s * s) if p == 2 else (A.upper, B.upper * abs(s))
        parts.append(Verdict.from_exact(a == b, f"p = {p}: Lip(f_s) = {fmt(a)} = |s| Lip(f){'^2' if p == 2 else ''}",
                                        witness={"f_s": fmt(a), "|s| f": fmt(b)}))
    # a point x and a shift c = (f(x) + f(z)) / 2 with f(z) != f(x): g = f - c changes sign, so its radius at x
    # is finite
    cands = [[fmpq(rng.randint(-8, 8), 4) for _ in range(d)] for _ in range(20)]
    x = cands[0]
    z = next((c for c in cands if f(c)[0] != f(x)[0]), None)
    if z is None:
        return Verdict.undecided("f takes one value at 20 random points; no radius to compare")
    c = (f(x)[0] + f(z)[0]) / 2
    f, fs = f.post_affine([[1]], [-c]), fs.post_affine([[1]], [-c])
    label = 1 if f(x)[0] < 0 else 2
    for p in ("inf", 1, 2):
        r, rs = certified_radius(f, x, label, p, semantics="sign"), \
            certified_radius(fs, [t / s for t in x], label, p, semantics="sign")
        if not (r.is_exact and rs.is_exact):
            parts.append(Verdict.undecided(f"p = {p}: a certified radius is not exact"))
            continue
        a, b = (rs.lower_sq, r.lower_sq / (s * s)) if p == 2 else (rs.lower, r.lower / abs(s))
        parts.append(Verdict.from_exact(a == b, f"p = {p}: the radius of f_s at x/s is {fmt(a)} = that of f at x "
                                                f"/ |s|{'^2' if p == 2 else ''}", witness={"f_s": fmt(a), "f": fmt(b)}))
    return all_of(parts, f"f with dims {f.dims}, s = {fmt(s)}")
