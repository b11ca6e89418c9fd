"""Exact instances for the suspected errata of Kim, Moon & Yun 2025 (see docs/errata.md)."""
import random

from flint import fmpq, fmpz

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


# ---- issue 14: errata recorded with exact instances ----------------------------------------------------------

def _c14_cases():
    yield "p=oo N=1 d=100 rho=1/20", (1, 100, "1/20", "inf", 2500, 625)
    yield "p=1 N=3 d=16 rho=1/10", (3, 16, "1/10", "1", None, None)


@claim("KMY25.Table1.C14", "erratum: Table 1's row for Theorem C.14 prints N d^2 (rho gamma_p)^2, the theorem states "
       "N d^2 rho^4 gamma_p^4; exact values differ by the factor 1/(rho gamma_p)^2 (up to 25 d on the row's range)",
       {"instances": _c14_cases}, source="Kim, Moon & Yun 2025, Table 1 and Theorem C.14")
def check_c14(inst):
    import sympy as sp
    from exactmem.bounds import evaluate
    from exactmem.bounds.evaluate import exact_value
    from exactmem.bounds.registry import GAMMA, N, d, gamma_p, p, rho
    Nv, dv, rv, pv, want_printed, want_thm = inst
    thm = evaluate("KMY25.ThmC.14", Nv, dv, rv, pv, with_additive=False)
    pq = sp.oo if pv == "inf" else sp.Rational(pv)
    printed = exact_value((N * d ** 2 * (rho * GAMMA) ** 2).subs(GAMMA, gamma_p(p)),
                          {N: Nv, d: dv, rho: sp.Rational(rv), p: pq})
    g = exact_value(gamma_p(p), {d: dv, p: pq})
    factor = 1 / (sp.Rational(rv) * g) ** 2
    ok = sp.simplify(printed / thm - factor) == 0 and factor > 1
    if want_printed is not None:   # by hand: gamma_oo(100) = 10, rho gamma = 1/2: 10^4/4 = 2500, 10^4/16 = 625
        ok = ok and printed == want_printed and thm == want_thm
    return Verdict.from_exact(bool(ok), f"printed {printed}, theorem {thm}: factor {factor} = 1/(rho gamma_p)^2",
                              witness={"printed": str(printed), "theorem": str(thm)})


def _b5_cases():
    # (N, d, rho) in the moderate regime 1/(5 N sqrt d) < rho <= 1/(5 sqrt d); d a square keeps sqrt d rational
    for N, d, rho in [(100, 16, fmpq(1, 400)), (10, 1, fmpq(1, 20)), (1000, 4, fmpq(1, 37)), (50, 9, fmpq(1, 16)),
                      (7, 25, fmpq(1, 26)), (10 ** 4, 16, fmpq(1, 2000)), (3, 1, fmpq(1, 7))]:
        yield f"N={N} d={d} rho={rho}", (N, d, rho)


@claim("KMY25.ThmB.5.stageI", "erratum (harmless): Theorem B.5's Stage I cites rho <= 1/(5 N sqrt d), false in the "
       "moderate regime; the step holds with rho <= 1/(5 k sqrt d), k = ceil(N^alpha) = floor(1/(5 rho sqrt d)): "
       "11/(45 k) + 1/(180 N) <= 1/(4 floor(N^alpha))", {"instances": _b5_cases},
       source="Kim, Moon & Yun 2025, Theorem B.5, Stage I (the copy of Theorem B.3's step (f))")
def check_b5_stage1(inst):
    N, d, rho = inst
    s = fmpz(d).isqrt()
    if s * s != d:
        return Verdict.undecided(f"d = {d} is not a square")
    moderate = 25 * rho ** 2 * N ** 2 * d > 1 and 25 * rho ** 2 * d <= 1
    cited = 25 * rho ** 2 * N ** 2 * d <= 1                  # rho <= 1/(5 N sqrt d)
    k = floor_q(1 / (5 * rho * s))                            # ceil(N^alpha) := floor(1/(5 rho sqrt d))
    intended = 25 * rho ** 2 * k ** 2 * d <= 1                # rho <= 1/(5 k sqrt d)
    # floor(N^alpha) is k or k - 1 (k - 1 >= 1 unless k = 1); N >= k since rho > 1/(5 N sqrt d)
    chains = [fmpq(11, 45 * k) + fmpq(1, 180 * N) <= fmpq(1, 4 * kf) for kf in {k, max(k - 1, 1)}]
    ok = moderate and not cited and intended and 1 <= k <= N and all(chains)
    return Verdict.from_exact(ok, f"k = {k}: cited rho <= 1/(5N sqrt d) is {cited}, rho <= 1/(5k sqrt d) is {intended}, "
                                  f"chain holds: {all(chains)}", witness={"k": k})


@claim("KMY25.LemB.13.depth", "erratum (harmless): Lemma B.13's Stage III prints depth O~(N); with O~(N) per group "
       "the N^(1-alpha) groups would need depth N^(2-alpha), against Theorem B.1 (ii)'s O~(N d^(1/4) rho^(1/2)); "
       "depth O~(N^(alpha/2)) per group gives N^(1-alpha/2) = sqrt(5) N d^(1/4) rho^(1/2) exactly",
       {"instances": lambda: [("N=10^4 d=16 rho=1/2000", (10 ** 4, 16, "1/2000"))]},
       source="Kim, Moon & Yun 2025, Lemma B.13 (Stage III) and Theorem B.5")
def check_b13_depth(inst):
    import sympy as sp
    Nv, dv, rv = inst
    Nn, K, dd, r = sp.symbols("N K d rho", positive=True)
    # general identity, K := N^alpha = 1/(5 rho sqrt d): N^(1-alpha) * N^(alpha/2) = N K^(-1/2) = sqrt5 N d^(1/4) rho^(1/2)
    ident = sp.simplify((Nn / K * sp.sqrt(K)).subs(K, 1 / (5 * r * sp.sqrt(dd))) - sp.sqrt(5) * Nn * dd ** sp.Rational(1, 4)
                        * sp.sqrt(r)) == 0
    Kv = 1 / (5 * sp.Rational(rv) * sp.sqrt(dv))              # = 100 = N^(1/2): alpha = 1/2
    groups, per_group = sp.Integer(Nv) / Kv, sp.sqrt(Kv)      # 100 groups, depth 10 each
    total, printed = groups * per_group, groups * Nv
    b1 = sp.sqrt(5) * Nv * sp.Integer(dv) ** sp.Rational(1, 4) * sp.sqrt(sp.Rational(rv))
    ok = ident and Kv == 100 and total == 1000 and b1 == 1000 and printed == 10 ** 6
    return Verdict.from_exact(bool(ok), f"groups {groups} x depth {per_group} = {total} = sqrt5 N d^(1/4) rho^(1/2) "
                                        f"= {b1}; with O~(N) per group: {printed}")


@claim("KMY25.ThmB.4.constant", "erratum (harmless): Kim et al. restate Vardi et al.'s Theorem 3.1 with "
       "R = 5 r N^2 sqrt(pi d) / eps (the notes recall 10); R enters only through log R, and doubling R adds exactly "
       "one to ceil(log2 R)", {"instances": lambda: [(f"N={n} r={r} eps={e} d={dd}", (n, r, e, dd)) for n, r, e, dd in
                                                     [(100, 1, fmpq(1, 2), 4), (7, 3, fmpq(1, 10), 2), (1000, 1, fmpq(1, 8), 784)]]},
       source="Kim, Moon & Yun 2025, Theorem B.4 (= Vardi, Yehudai & Shamir 2022, Theorem 3.1)")
def check_b4(inst):
    import sympy as sp
    from exactmem.bounds.evaluate import compare
    n, r, e, dd = inst
    R5 = 5 * r * n ** 2 / sp.Rational(int(e.p), int(e.q)) * sp.sqrt(sp.pi * dd)

    def ceil_log2(x):
        k = 0
        while compare(x, sp.Integer(2) ** k) > 0:
            k += 1
        return k
    k5, k10 = ceil_log2(R5), ceil_log2(2 * R5)
    hand = {(100, 1, fmpq(1, 2), 4): 19}   # R5 = 2 10^5 sqrt(pi) = 354490.7...: 2^18 < R5 <= 2^19
    ok = k10 == k5 + 1 and hand.get(inst, k5) == k5
    return Verdict.from_exact(ok, f"ceil(log2 R) = {k5} with 5, {k10} with 10")


def _jl_cases():
    yield "alpha=1/5", fmpq(1, 5)
    yield "alpha=1/6", fmpq(1, 6)


@claim("KMY25.LemB.18.dimension", "erratum (harmless for the paper's uses): Lemma B.17 (Matousek 15.2.2) assumes d "
       "larger than a constant, which B.18 drops; every use has d >= m >= 24 alpha^-2 ln N >= 24 alpha^-2 ln 2, i.e. "
       "d >= 416 (alpha = 1/5) or 599 (alpha = 1/6), and there the median bound beta >= sqrt(m/d)/2 holds exactly "
       "(Beta distribution, even d, m)", {"instances": _jl_cases},
       source="Kim, Moon & Yun 2025, Lemmas B.17, B.18 (Matousek, Lectures on Discrete Geometry, Lemma 15.2.2)")
def check_jl_dimension(alpha):
    from math import comb
    from exactmem.exact import ceil_log
    dmin = ceil_log(2, 24 / alpha ** 2)        # 600 ln 2 = 415.9..., 864 ln 2 = 598.9...
    want = {fmpq(1, 5): 416, fmpq(1, 6): 599}[alpha]

    def beta_cdf(x, a, b):                     # P[Beta(a, b) <= x] for integers a, b: a binomial tail
        n = a + b - 1
        return sum((fmpq(comb(n, j)) * x ** j * (1 - x) ** (n - j) for j in range(a, n + 1)), fmpq(0))
    d0 = dmin + dmin % 2
    checked = []
    for dd in (d0, 2 * d0):
        m0 = ceil_log(dd, 10)
        for m in (m0 + m0 % 2, dd // 2 - (dd // 2) % 2, dd - 2):
            # ||phi(x)||^2 ~ Beta(m/2, (d-m)/2) for x uniform on S^(d-1); beta >= sqrt(m/d)/2 iff P[.. <= m/(4d)] <= 1/2
            checked.append(beta_cdf(fmpq(m, 4 * dd), m // 2, (dd - m) // 2) <= fmpq(1, 2))
    return Verdict.from_exact(dmin == want and all(checked), f"m <= d and m >= 24 alpha^-2 ln 2 force d >= {dmin}; "
                                                           f"median bound checked exactly at {len(checked)} (d, m)")
