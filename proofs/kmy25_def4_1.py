"""KMY25 Definition 4.1 (robust memorization error): L_rho(f, D) = max_i P_{x ~ Unif B(x_i, mu)}[f(x) != y_i],
mu = rho eps_D; f rho-robustly memorizes D with error at most eta when L_rho(f, D) < eta.

For networks of one input the error is computed exactly: on each linear piece f either equals y_i identically or
only at one point, so the bad set of ball i is the ball minus the pieces where f = y_i, a finite union of intervals
of exact rational length.  Checked against hand values (a ramp between two points: below its design radius the
error is 0 -- robust memorization -- and above it (b - a)/(2 mu)-type fractions), and L_rho = 0 exactly when
Definition 2.2's robust memorization holds; the definition's strict "< eta" is checked at eta = L_rho (not
memorized with error at most L_rho, but with error at most anything above it).

For networks of two inputs and l_1 or l_inf balls (Definition C.3) the error is exact too: the ball is a convex
polygon, the network's linear pieces on it are convex polygons with rational vertices (``exactmem.pl2d``), and on
each piece f either equals y_i identically or only on a line, so the bad set of ball i is the union of the pieces
where f is not the constant y_i, of exact rational area.  Checked against hand values (a band whose edge cuts the
square or the diamond: a strip, a corner triangle; a two-layer network whose bad set is a union of a triangle's
complement and two strips), against an independent computation of the good set's area where it is a convex
polygon (band networks: the ball cut by the half-planes of x_i's side of every band, its vertices enumerated from
pairs of lines, sorted by exact angle, shoelace -- no code shared with pl2d), against the partition of the ball
(the pieces' areas sum to 2 mu^2, resp. 4 mu^2), and against Definition 2.2 decided by the kernel: L_rho = 0
exactly when the network rho-robustly memorizes D.

On the l_2 disc the error is irrational in general (areas with pi); it is enclosed rigorously: the pieces on a
square around the disc, each piece's area inside the disc by ``exactmem.pl2d.disc_area`` (arb interval arithmetic,
crossings with the circle decided on the rationals), pi by an arb enclosure.  Whether a bad piece reaches into the
open disc is decided exactly (``meets_disc``), so L_rho = 0 is exact.  Checked against the circular-segment formula
(acos t - t sqrt(1 - t^2)) / pi for a line at distance t mu from the centre (t^2 rational), enclosed separately,
the pieces' areas against pi mu^2, and Definition 2.2 decided by the kernel.
"""
import functools

from flint import fmpq

from exactmem import Dataset, ReLUNet, Verdict, all_of
from exactmem.claims import claim
from exactmem.pl1d import pieces
from exactmem.pl2d import area, ball_polygon, disc_area, meets_disc, pieces as pieces_2d

from ._bands import band_dataset, band_net, band_net_deep, band_radii, dot


def error_1d(net: ReLUNet, D: Dataset, rho) -> tuple:
    """(L_rho, per-ball errors) exactly, for a network of one input and one output."""
    mu = fmpq(rho) * D.eps(1)                     # in one dimension every l_p norm is |.|
    errs = []
    for i in range(D.N):
        x, y = D.point(i)[0], D.labels[i]
        lo, hi = x - mu, x + mu
        good = fmpq(0)
        for p in pieces(net, lo, hi):
            a = lo if p.lo is None else max(lo, p.lo)
            b = hi if p.hi is None else min(hi, p.hi)
            if b > a and p.slope[0] == 0 and p.intercept[0] == y:
                good += b - a
        errs.append((2 * mu - good) / (2 * mu))
    return max(errs), errs


def ramp(a, b, low=1, high=2) -> ReLUNet:
    """low for x <= a, high for x >= b, linear between (a < b)."""
    a, b = fmpq(a), fmpq(b)
    s = (high - low) / (b - a)
    return ReLUNet([([[s], [s]], [-s * a, -s * b]), ([[1, -1]], [low])])


def _cases():
    D2 = Dataset([[0], [1]], [1, 2])                                   # eps = 1/2
    # by hand: ramp on [1/4, 3/4]; rho = 3/4 -> mu = 3/8, each ball loses 1/8 of its 3/4: error 1/6
    yield "ramp [1/4, 3/4], rho = 3/4", (D2, ramp("1/4", "3/4"), fmpq(3, 4), fmpq(1, 6), [fmpq(1, 6)] * 2)
    # rho = 1/2 -> mu = 1/4: the balls (-1/4, 1/4) and (3/4, 5/4) avoid the ramp: error 0
    yield "ramp [1/4, 3/4], rho = 1/2", (D2, ramp("1/4", "3/4"), fmpq(1, 2), fmpq(0), [fmpq(0)] * 2)
    # ramp on [0, 1/2]: ball of 0 at rho = 1/2 is (-1/4, 1/4), wrong on (0, 1/4): 1/2; ball of 1 is right: 0
    yield "ramp [0, 1/2], rho = 1/2", (D2, ramp(0, "1/2"), fmpq(1, 2), fmpq(1, 2), [fmpq(1, 2), fmpq(0)])
    # three points 0, 2, 3 with labels 1, 2, 1 (eps = 1/2); at rho = 9/10 (mu = 9/20) the double ramp
    # 1 -> 2 on [1, 3/2] and 2 -> 1 on [5/2, 27/10]: the balls of 0 and 2 see a constant; the ball of 3 is
    # (51/20, 69/20), wrong on (51/20, 54/20): 3/20 of 18/20 = 1/6
    D3 = Dataset([[0], [2], [3]], [1, 2, 1])
    net = ReLUNet([([[2], [2], [5], [5]], [-2, -3, fmpq(-25, 2), fmpq(-27, 2)]), ([[1, -1, -1, 1]], [1])])
    yield "three points, rho = 9/10", (D3, net, fmpq(9, 10), fmpq(1, 6), [fmpq(0), fmpq(0), fmpq(1, 6)])


@claim("KMY25.Def4.1", "the robust memorization error max_i P[f(x) != y_i] over B(x_i, rho eps_D), exactly for "
       "one-input networks: hand values, 0 exactly at robust memorization, the strict '< eta'",
       {"hand-derived": _cases}, source="Kim, Moon & Yun 2025, Definition 4.1")
def check(inst):
    from exactmem import robustly_memorizes
    D, net, rho, want, want_each = inst
    L, errs = error_1d(net, D, rho)
    robust = robustly_memorizes(net, D, rho)
    return all_of([Verdict.from_exact(L == want and errs == want_each, f"L_rho = {L}, per ball {errs}; by hand {want}",
                                      witness={"L": str(L), "per_ball": [str(e) for e in errs]}),
                   Verdict.from_exact(robust.is_proved == (L == 0), f"robust memorization {robust.status.value} iff "
                                                                     f"L_rho = 0"),
                   Verdict.from_exact(not (L < L) and L < L + fmpq(1, 10 ** 9), "error at most eta means L < eta")],
                  f"L_rho(f, D) = {L}")


# -- two inputs, l_1 and l_inf balls -------------------------------------------------------------------------------

def error_2d(net: ReLUNet, D: Dataset, rho, p) -> tuple:
    """(L_rho, per-ball errors, per-ball total piece areas) exactly, for a network of two inputs and one output,
    p = 1 or 'inf'."""
    mu = fmpq(rho) * D.eps(p)
    errs, totals = [], []
    for i in range(D.N):
        ps = pieces_2d(net, ball_polygon(D.point(i), mu, p))
        total = sum((area(q.vertices) for q in ps), fmpq(0))
        good = sum((area(q.vertices) for q in ps if q.slope[0] == (0, 0) and q.intercept[0] == D.labels[i]), fmpq(0))
        errs.append((total - good) / total)
        totals.append(total)
    return max(errs), errs, totals


def _halfplane_area(rows) -> fmpq:
    """Area of {x in R^2 : a x_1 + b x_2 <= c for every (a, b, c)} (bounded), by vertex enumeration: every pair of
    lines meeting in one point that satisfies all rows, sorted by exact angle around their mean, shoelace."""
    pts = set()
    for k, (a1, b1, c1) in enumerate(rows):
        for a2, b2, c2 in rows[k + 1:]:
            det = a1 * b2 - a2 * b1
            if det == 0:
                continue
            x = ((c1 * b2 - c2 * b1) / det, (a1 * c2 - a2 * c1) / det)
            if all(a * x[0] + b * x[1] <= c for a, b, c in rows):
                pts.add(x)
    if len(pts) < 3:
        return fmpq(0)
    n = len(pts)
    cx, cy = sum((q[0] for q in pts), fmpq(0)) / n, sum((q[1] for q in pts), fmpq(0)) / n

    def half(q):
        dx, dy = q[0] - cx, q[1] - cy
        return 0 if dy > 0 or (dy == 0 and dx > 0) else 1

    def cmp(q, r):
        if half(q) != half(r):
            return half(q) - half(r)
        cross = (q[0] - cx) * (r[1] - cy) - (q[1] - cy) * (r[0] - cx)
        return -1 if cross > 0 else (1 if cross < 0 else 0)
    ring = sorted(pts, key=functools.cmp_to_key(cmp))
    twice = sum((ring[k][0] * ring[(k + 1) % n][1] - ring[(k + 1) % n][0] * ring[k][1] for k in range(n)), fmpq(0))
    return abs(twice) / 2


def _ball_rows(x, mu, p) -> list:
    if p == 1:
        return [(s, t, s * x[0] + t * x[1] + mu) for s in (1, -1) for t in (1, -1)]
    return [(1, 0, x[0] + mu), (-1, 0, -x[0] + mu), (0, 1, x[1] + mu), (0, -1, -x[1] + mu)]


def _band_rows(bands):
    """Ball i's good set for a band network: the half-planes of x_i's side of every band."""
    def rows(x):
        out = []
        for v, a, hi, c in bands:
            if dot(v, x) <= a:
                out.append((fmpq(v[0]), fmpq(v[1]), fmpq(a)))
            else:
                out.append((-fmpq(v[0]), -fmpq(v[1]), -fmpq(hi)))
        return out
    return rows


def _plane_hand():
    # D = {(0, 0) -> 1, (4, 0) -> 2}: eps_1 = eps_inf = 2; ramp 1 -> 2 along x_1 on [1, 3].  rho = 3/4, mu = 3/2:
    # square of side 3 (area 9) loses the strip 1 < x_1 < 3/2 (area 3/2): 1/6; the diamond (area 9/2) loses the
    # triangle beyond x_1 = 1 (base 1, height 1/2: 1/4): 1/18; ball 2 by symmetry the same
    D = Dataset([[0, 0], [4, 0]], [1, 2])
    b = [((1, 0), 1, 3, 1)]
    yield "strip, l_inf", (D, band_net(b), fmpq(3, 4), "inf", fmpq(1, 6), [fmpq(1, 6)] * 2, _band_rows(b))
    yield "strip, l1", (D, band_net(b), fmpq(3, 4), 1, fmpq(1, 18), [fmpq(1, 18)] * 2, _band_rows(b))
    # D = {(0, 0) -> 1, (3, 3) -> 2}: eps_inf = 3/2, eps_1 = 3; ramp along (1, 1) on [2, 4].  rho = 9/10: l_inf
    # mu = 27/20, the corner triangle x_1 + x_2 > 2 of legs 27/10 - 2 = 7/10 (area 49/200) of the square (729/100):
    # 49/1458; l1 mu = 27/10, in s = x_1 + x_2, t = x_1 - x_2 (area ds dt / 2) the strip 2 < s < 27/10, |t| < 27/10:
    # (7/10)(27/5)/2 = 189/100 of 2 mu^2 = 1458/100: 7/54.  At rho = 1/2 (mu = 3/4, resp. 3/2) the balls avoid
    # the band: 0, and the kernel proves robust memorization
    D = Dataset([[0, 0], [3, 3]], [1, 2])
    b = [((1, 1), 2, 4, 1)]
    f = band_net(b)
    yield "corner, l_inf", (D, f, fmpq(9, 10), "inf", fmpq(49, 1458), [fmpq(49, 1458)] * 2, _band_rows(b))
    yield "diagonal strip, l1", (D, f, fmpq(9, 10), 1, fmpq(7, 54), [fmpq(7, 54)] * 2, _band_rows(b))
    yield "diagonal, l_inf, rho = 1/2", (D, f, fmpq(1, 2), "inf", fmpq(0), [fmpq(0)] * 2, _band_rows(b))
    yield "diagonal, l1, rho = 1/2", (D, f, fmpq(1, 2), 1, fmpq(0), [fmpq(0)] * 2, _band_rows(b))
    # two hidden layers: s = relu(x_1) + relu(x_2), f = 1 + clip(s - 1); D = {(0, 0) -> 1, (4, 4) -> 2},
    # eps_inf = 2, eps_1 = 4, rho = 3/4.  l_inf, mu = 3/2: bad = {s > 1}: in the first quadrant the square
    # (3/2)^2 minus the triangle x_1 + x_2 <= 1 (1/2): 7/4, and two strips 1 < x_j < 3/2 of length 3/2: 3/4 each;
    # 13/4 of 9: 13/36.  l1, mu = 3: first quadrant 9/2 - 1/2 = 4, two regions x_j in (1, 3) under the diamond's
    # edge: int_1^3 (3 - t) dt = 2 each; 8 of 18: 4/9.  Ball 2 has s >= 5 (l1) or 5 (l_inf): f = 2, error 0.
    # rho = 1/4 (mu = 1/2, resp. 1): s < 1 on the open balls (s = 1 only at a corner): 0
    D = Dataset([[0, 0], [4, 4]], [1, 2])
    g = ReLUNet([([[1, 0], [0, 1]], [0, 0]), ([[1, 1], [1, 1]], [-1, -2]), ([[1, -1]], [1])])

    def rows_g(x):
        if x == [0, 0]:
            return [(fmpq(1), fmpq(0), fmpq(1)), (fmpq(0), fmpq(1), fmpq(1)), (fmpq(1), fmpq(1), fmpq(1))]
        return [(fmpq(-1), fmpq(-1), fmpq(-2))]                 # s = x_1 + x_2 >= 2 where x > 0
    yield "two layers, l_inf", (D, g, fmpq(3, 4), "inf", fmpq(13, 36), [fmpq(13, 36), fmpq(0)], rows_g)
    yield "two layers, l1", (D, g, fmpq(3, 4), 1, fmpq(4, 9), [fmpq(4, 9), fmpq(0)], rows_g)
    yield "two layers, l_inf, rho = 1/4", (D, g, fmpq(1, 4), "inf", fmpq(0), [fmpq(0)] * 2, rows_g)
    yield "two layers, l1, rho = 1/4", (D, g, fmpq(1, 4), 1, fmpq(0), [fmpq(0)] * 2, rows_g)


def _plane_seeded(cases):
    # band networks of proofs/_bands.py (two bands, c = 1, 2): at rho* = r*/eps (error 0, robust) and at
    # (1 + rho*)/2 (error > 0); the same function with two hidden layers (other pieces, the same error)
    def make():
        for seed, N in cases:
            D, bands = band_dataset(seed, N, 2)
            for p in (1, "inf"):
                rho = min(band_radii(D, bands, p)) / D.eps(p)
                for r, tag in ((rho, "rho*"), ((1 + rho) / 2, "(1 + rho*)/2")):
                    for net, depth in ((band_net(bands), 1), (band_net_deep(bands), 2)):
                        yield (f"seed={seed} N={N} l{p} {tag} {depth} hidden",
                               (D, net, r, p, None, None, _band_rows(bands)))
    return make


@claim("KMY25.Def4.1.plane", "the robust memorization error over l1 and l_inf balls, exactly for two-input networks "
       "(exact pieces, rational areas): hand values, an independent vertex enumeration of the good set, the pieces "
       "partition the ball, L_rho = 0 exactly when the kernel proves robust memorization, the strict '< eta'",
       {"hand-derived": _plane_hand, "seeded": _plane_seeded([(1, 8)]), "larger": _plane_seeded([(2, 12), (5, 16)])},
       source="Kim, Moon & Yun 2025, Definitions 4.1 and C.3", slow_families=("larger",))
def check_plane(inst):
    from exactmem import robustly_memorizes
    D, net, rho, p, want, want_each, good_rows = inst
    L, errs, totals = error_2d(net, D, rho, p)
    mu = rho * D.eps(p)
    full = 2 * mu * mu if p == 1 else 4 * mu * mu
    parts = [Verdict.from_exact(all(t == full for t in totals), f"the pieces' areas sum to the ball's {full}")]
    if want is not None:
        parts.append(Verdict.from_exact(L == want and errs == want_each, f"L_rho = {L}, per ball {errs}; by hand "
                                        f"{want}", witness={"L": str(L), "per_ball": [str(e) for e in errs]}))
    indep = [1 - _halfplane_area(_ball_rows(D.point(i), mu, p) + good_rows(D.point(i))) / full for i in range(D.N)]
    parts.append(Verdict.from_exact(indep == errs, f"per-ball errors by vertex enumeration of the good set: "
                                                   f"{[str(e) for e in indep]}"))
    robust = robustly_memorizes(net, D, rho, p=p)
    parts.append(Verdict.from_exact(robust.is_proved == (L == 0) and (robust.is_proved or robust.is_refuted),
                                    f"robust memorization {robust.status.value} iff L_rho = 0"))
    parts.append(Verdict.from_exact(not (L < L) and L < L + fmpq(1, 10 ** 9), "error at most eta means L < eta"))
    return all_of(parts, f"L_rho(f, D) = {L} (l_{p})")


# -- two inputs, the l_2 disc: rigorous enclosures -----------------------------------------------------------------

def _arb_enclosure(fn, prec=128) -> tuple:
    """(lo, hi) rationals around the arb value fn() at the given precision."""
    import flint
    from exactmem.exact import _arb_bounds
    old = flint.ctx.prec
    try:
        flint.ctx.prec = prec
        return _arb_bounds(fn())
    finally:
        flint.ctx.prec = old


def error_disc(net: ReLUNet, D: Dataset, rho) -> tuple:
    """(L enclosure (lo, hi), per-ball enclosures, per-ball total-area enclosures, pi mu^2 enclosure, exact zero
    flags) for a two-input network on the open l_2 discs of radius rho eps_D."""
    from exactmem.exact import pi_enclosure, sqrt_enclosure
    mu2 = fmpq(rho) ** 2 * D.eps_sq
    half = sqrt_enclosure(mu2).hi                     # a square of half-side >= mu holds the disc
    pi = pi_enclosure(128)
    disc = (pi.lo * mu2, pi.hi * mu2)
    errs, totals, zero = [], [], []
    for i in range(D.N):
        x = D.point(i)
        bad, tot, none = [fmpq(0), fmpq(0)], [fmpq(0), fmpq(0)], True
        for q in pieces_2d(net, ball_polygon(x, half, "inf")):
            if not meets_disc(q.vertices, x, mu2):
                continue
            e = disc_area(q.vertices, x, mu2, 100)
            tot = [tot[0] + e.lo, tot[1] + e.hi]
            if not (q.slope[0] == (0, 0) and q.intercept[0] == D.labels[i]):
                bad, none = [bad[0] + e.lo, bad[1] + e.hi], False
        errs.append((fmpq(0), fmpq(0)) if none else (max(fmpq(0), bad[0] / disc[1]), bad[1] / disc[0]))
        totals.append(tuple(tot))
        zero.append(none)
    L = (max(e[0] for e in errs), max(e[1] for e in errs))
    return L, errs, totals, disc, zero


def segment_fraction(t_sq) -> tuple:
    """Enclosure of (acos t - t sqrt(1 - t^2)) / pi, the share of a disc beyond a line at distance t mu."""
    from flint import arb
    from exactmem.exact import _arb_of
    t_sq = fmpq(t_sq)

    def fn():
        t = _arb_of(t_sq).sqrt()
        return (t.acos() - t * (1 - _arb_of(t_sq)).sqrt()) / arb.pi()
    return _arb_enclosure(fn)


def _disc_hand():
    # D = {(0, 0) -> 1, (4, 0) -> 2}, eps = 2, ramp along x_1 on [1, 3], rho = 3/4: mu = 3/2, the line x_1 = 1 at
    # distance 1 = (2/3) mu from the centre (t^2 = 4/9); ball 2 the same by symmetry
    D = Dataset([[0, 0], [4, 0]], [1, 2])
    yield "strip", (D, band_net([((1, 0), 1, 3, 1)]), fmpq(3, 4), fmpq(4, 9))
    # D = {(0, 0) -> 1, (3, 3) -> 2}, eps^2 = 9/2 (eps irrational), band along (1, 1) on [2, 4], rho = 9/10:
    # mu^2 = 729/200; the line x_1 + x_2 = 2 at distance sqrt 2: t^2 = 2 / (729/200) = 400/729.  At rho = 1/2
    # (mu^2 = 9/8 < 2) the discs miss the band: 0
    D = Dataset([[0, 0], [3, 3]], [1, 2])
    f = band_net([((1, 1), 2, 4, 1)])
    yield "diagonal", (D, f, fmpq(9, 10), fmpq(400, 729))
    yield "diagonal, rho = 1/2", (D, f, fmpq(1, 2), None)
    # two layers, f = 1 + clip(relu(x_1) + relu(x_2) - 1), D = {(0, 0) -> 1, (4, 4) -> 2}, eps^2 = 8, rho = 1/4:
    # mu^2 = 1/2, the largest x_1 + x_2 on the disc is sqrt 2 mu = 1, reached only on the circle: error 0, and the
    # kernel proves robust memorization on the open discs
    g = ReLUNet([([[1, 0], [0, 1]], [0, 0]), ([[1, 1], [1, 1]], [-1, -2]), ([[1, -1]], [1])])
    yield "two layers, rho = 1/4 (tangent)", (Dataset([[0, 0], [4, 4]], [1, 2]), g, fmpq(1, 4), None)


def _disc_seeded(cases):
    # band networks (two bands): at a rational rho just below rho* = r*/eps_D (the l_2 radius of proofs/_bands.py,
    # eps_D irrational in general) the error is 0 exactly; at (1 + rho)/2 it is positive
    def make():
        from exactmem.exact import sqrt_enclosure
        for seed, N in cases:
            D, bands = band_dataset(seed, N, 2)
            r = min(band_radii(D, bands, 2))
            rho = sqrt_enclosure(r * r / D.eps_sq, 30).lo
            for x, tag in ((rho, "rho <= rho*"), ((1 + rho) / 2, "(1 + rho)/2")):
                yield f"seed={seed} N={N} {tag}", (D, band_net(bands), x, None if x == rho else "positive")
    return make


@claim("KMY25.Def4.1.disc", "the robust memorization error over l_2 discs for two-input networks, enclosed "
       "rigorously (exact pieces, arb areas, pi enclosed): the circular-segment formula's enclosure meets the "
       "areas', the pieces' areas enclose pi mu^2, L_rho = 0 exactly when the kernel proves robust memorization",
       {"hand-derived": _disc_hand, "seeded": _disc_seeded([(1, 8)])}, source="Kim, Moon & Yun 2025, Definition 4.1")
def check_disc(inst):
    from exactmem import robustly_memorizes
    D, net, rho, t_sq = inst
    L, errs, totals, disc, zero = error_disc(net, D, rho)
    tiny = fmpq(1, 2 ** 60)
    parts = [Verdict.from_exact(all(t[0] <= disc[1] and disc[0] <= t[1] and t[1] - t[0] < tiny for t in totals),
                                "the pieces' areas inside each disc enclose pi mu^2 (width < 2^-60)")]
    if t_sq == "positive":
        parts.append(Verdict.from_exact(not all(zero) and L[0] > 0, "above rho*: a bad piece meets a disc, L > 0"))
    elif t_sq is None:
        parts.append(Verdict.from_exact(all(zero) and L == (0, 0), "by hand: no bad piece meets an open disc: L = 0"))
    else:
        lo, hi = segment_fraction(t_sq)
        parts.append(Verdict.from_exact(
            not any(zero) and hi - lo < tiny and all(e[0] <= hi and lo <= e[1] and e[1] - e[0] < tiny for e in errs),
            f"every ball's error enclosure [{float(errs[0][0]):.12f}, ...] meets the segment formula's "
            f"[{float(lo):.12f}, {float(hi):.12f}] (width < 2^-60)", witness={"lo": str(lo), "hi": str(hi)}))
    robust = robustly_memorizes(net, D, rho, p=2)
    parts.append(Verdict.from_exact(robust.is_proved == all(zero) and (robust.is_proved or robust.is_refuted),
                                    f"robust memorization {robust.status.value} iff L_rho = 0"))
    if not all(zero):                          # L < eta decided from the enclosure on either side of it
        parts.append(Verdict.from_exact(L[0] > 0 and L[1] < L[1] + tiny and not (L[1] + tiny <= L[0]),
                                        "L < eta holds at eta = hi + 2^-60 and fails at eta = lo"))
    return all_of(parts, f"L_rho in [{float(L[0]):.12f}, {float(L[1]):.12f}] (l_2)")
