"""Exact instances for the suspected errata of Kim, Moon & Yun 2025 (see docs/errata.md)."""
import random

from flint import fmpq

from exactmem import Verdict
from exactmem.blocks import floor_net, midpoint_translation, truncated_translation
from exactmem.blocks.floor import floor_delta_net
from exactmem.blocks.translation import frac
from exactmem.claims import claim
from exactmem.exact import floor_q


def _b3_cases():
    for seed, (N, m) in enumerate([(2, 1), (3, 2), (10, 3), (50, 2)]):
        rng = random.Random(seed)
        yield f"N={N} m={m}", (N, [[fmpq(rng.randint(0, 999), rng.randint(1, 97)) for _ in range(m)] for _ in range(N)])
    yield "round-to-nearest counterexample", None


@claim("KMY25.ThmB.3.translation", "Stage II/III: truncating b toward zero keeps distance >= 1/(2N) below and >= 1/(3N) "
       "above every coordinate, so Floor with gamma = 1/(4N) is exact on the balls; rounding to nearest is not",
       {"instances": _b3_cases}, source="Kim, Moon & Yun 2025, Theorem B.3 (notes: suspected erratum 1)")
def check_b3(inst):
    if inst is None:
        # N = 2 points 7/6, 5/3 (shifted by 1 so the cell is k = 1); exact midpoint b = 5/12; K = 4 bits
        pts, N, K = [fmpq(7, 6), fmpq(5, 3)], 2, 4
        b = midpoint_translation([[p] for p in pts])[0][0]
        b_near = fmpq(floor_q(b * 2 ** K + fmpq(1, 2)), 2 ** K)  # 7/16
        z = pts[1] - b_near                                      # 1 + 11/48
        mu, gamma = fmpq(1, 4 * N), fmpq(1, 4 * N)
        x = z - mu * fmpq(119, 120)                               # inside the open ball
        f = floor_net(2, 8)                                       # gamma = 1/8 = 1/(4N), domain [0, 4)
        got = f([x])[0]
        ok = b == fmpq(5, 12) and b_near == fmpq(7, 16) and frac(z) == fmpq(11, 48) and abs(x - z) < mu \
            and frac(x) < gamma and got != floor_q(x)
        return Verdict.from_exact(ok, f"round-to-nearest b = 7/16: ball point {x} has Floor {got} != {floor_q(x)}",
                                  witness={"x": str(x), "floor_net": str(got)})
    N, pts = inst
    b, _ = midpoint_translation(pts)
    bb, _, K = truncated_translation(pts)
    below = min(frac(r[j] - bb[j]) for r in pts for j in range(len(bb)))
    above = min(1 - frac(r[j] - bb[j]) for r in pts for j in range(len(bb)))
    return Verdict.from_exact(below >= fmpq(1, 2 * N) and above >= fmpq(1, 3 * N) and all(v <= w for v, w in zip(bb, b)),
                              f"below >= 1/(2N): {below}; above >= 1/(3N): {above}; so ball points (radius 1/(4N)) "
                              f"have frac in (1/(4N), 1 - 1/(12N))")


def _b13_cases():
    yield "k = 1, |I| = 2", None


@claim("KMY25.LemB.13.margin", "Lemma B.13 with |I| = floor(N^a) + 1: the translation margin 1/(2|I|) can fall below "
       "(4/3) mu; exact instance, and the repair |I| <= floor(N^a) restores it",
       {"instance": _b13_cases}, source="Kim, Moon & Yun 2025, Lemma B.13 (notes: suspected erratum 2)")
def check_b13(_):
    k = 1                       # floor(N^alpha) = 1, so mu = 1/(4k) = 1/4 and |I| may be k + 1 = 2
    mu = fmpq(1, 4 * k)
    pts = [[fmpq(1)], [fmpq(3, 2)]]
    b, margin = midpoint_translation(pts)            # fracs 0, 1/2 -> b = 1/4, margin 1/4 < (4/3) mu = 1/3
    z = pts[1][0] - b[0]                              # 5/4: 1/4 above the integer 1
    t = 16
    x = 1 + fmpq(1, 2 * t)                            # 1 + 1/32, at distance 7/32 < mu from z
    got = floor_net(2, t)([x])[0]
    fails = margin < fmpq(4, 3) * mu and abs(x - z) < mu and got != 1
    # repair: with |I| <= k the exact midpoint gives margin >= 1/(2k) >= (4/3) mu = 1/(3k) for every k >= 1
    repair = all(fmpq(1, 2 * kk) >= fmpq(4, 3) * fmpq(1, 4 * kk) for kk in range(1, 1000))
    return Verdict.from_exact(fails and repair, f"margin {margin} < 1/3; ball point {x}: Floor = {got} != 1; "
                                                f"repair holds for k = 1..999", witness={"x": str(x)})


def _floor_sizes():
    for n, t in [(1, 2), (4, 4), (6, 16), (8, 2)]:
        yield f"n={n} t={t}", (n, t)


@claim("KMY25.LemB.16.size", "finding: the reconstructed Delta-block needs width 6 and 2n + 2 log2 t bits as a plain "
       "net; exactmem's Floor has width 4, 4n - 1 ReLUs, n + log2 t bits", {"sizes": _floor_sizes},
       source="Kim, Moon & Yun 2025, Lemma B.16")
def check_sizes(inst):
    n, t = inst
    lg = t.bit_length() - 1
    f, g = floor_net(n, t), floor_delta_net(n, t)
    ok = (f.width == (3 if n == 1 else 4) and sum(f.widths) == 4 * n - 1 and f.bit_complexity() == n + lg
          and g.width == 6 and g.bit_complexity() == 2 * n + 2 * lg)
    return Verdict.from_exact(ok, f"ours: width {f.width}, {sum(f.widths)} ReLUs, {f.bit_complexity()} bits; "
                                  f"Delta: width {g.width}, {g.bit_complexity()} bits (promised 5, 5n, {2 * n + lg})")


def _transfer_cases():
    yield "d=3 m=1 a=1/10", (3, fmpq(1, 10))
    yield "d=3 m=1 a=1/2", (3, fmpq(1, 2))


@claim("KMY25.ThmB.5.transfer", "a slab's probability under the uniform 3-ball is not bounded by its probability "
       "under the uniform ball of the projected space (so Theorem B.5's transfer step needs the input-space slab "
       "bound)", {"instances": _transfer_cases}, source="Kim, Moon & Yun 2025, Theorem B.5 (notes: observation 6)")
def check_transfer(inst):
    d, a = inst
    # projecting the uniform unit 3-ball to one coordinate gives density (3/4)(1 - t^2) on [-1, 1];
    # integral over [-a, a] = (3/2) a - (1/2) a^3 (exact); the uniform 1-ball gives a
    projected = fmpq(3, 2) * a - fmpq(1, 2) * a ** 3
    return Verdict.from_exact(projected > a, f"P_3-ball(|x_1| < {a}) = {projected} > {a} = P_1-ball(|z| < {a})",
                              witness={"d-ball": str(projected), "m-ball": str(a)})
