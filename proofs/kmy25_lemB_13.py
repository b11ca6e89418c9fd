"""KMY25 Lemma B.13 (one active group) and the remark that threshold units give zero error.

Lemma B.13, in our words: take mu = 1/(4 g) for the group size g (the paper's floor(N^alpha)), a group I of at most
g points, and a budget eta.  Some ReLU network f (translation, Floor on each coordinate, base-R index, the integer
memorizer of I's cells) is exactly y_i on every ball B(x_i, mu) of the group, and on every other ball outputs 0 or
that ball's own label y_i except on a set of probability at most eta.

Checked on one block of exactmem's Theorem B.5 network (the plan's translation c_j, Floor's gamma = 1/t, the
integer memorizer of the group; f_j is the block alone, output max(0, mem_j(I_j)) as the running max uses it), in
d = 2 where the first layer is s I (z = s x + c0, so the ball B(x_i, mu) maps onto the disc of radius s mu around
u_i = z_i + c_j):

* the group's balls: the region engine and the kernel decide f_j = y_i on the open balls of radius r >= mu (r a
  rational upper bound of mu = rho eps_D, eps_D by brute force here), for the group's points only;
* every other ball: each cell [n, n + 1) of the grid the disc reaches outside the slabs {frac(u_k) < gamma} is
  enumerated (the closest point of [n + gamma, n + 1] to u_i is nearer than s mu, squared distances exact), and
  f_j is evaluated exactly at a point of the ball in that cell off the slabs: it must be 0 or y_i (Floor is exact
  and the cell constant there, Lemma B.16, so one point per cell decides the cell);
* the probability: the disc meets at most one slab per coordinate (2 s mu + gamma < 1), and the slab {frac(s x_k +
  c) < gamma} has width gamma / s in x_k, whose density under the uniform ball is at most V_{d-1}/(V_d mu) (the
  section of the ball through its centre); so P[f_j not in {0, y_i}] <= m gamma V_{d-1}/(V_d s mu), which must be
  below the block's budget eta / (B - 1) (the B - 1 other blocks of Theorem B.5 share eta).  V_1/V_2 = 2/pi is
  enclosed with 333/106 < pi < 355/113, s mu with an integer square root: nothing here calls the library's
  slab_density_hi or slab_weights.  t is a power of two, so the bound is between half the budget and the budget
  when the union bound sets t: a factor 2 or more of slack shows.

The threshold remark: with threshold (step) units, floor(u) = sum_k 2^k b_k (b_k = H(u' - 2^k) from the top bit
down, H the unit step, u' the remainder) is exact everywhere, so Theorem B.5's network with that Floor has zero
error.  Checked by cell enumeration over whole balls (slabs included): for every ball i and every block j, every
cell the disc reaches gives mem_j(index) in {0, y_i}, and the owner's block gives y_i, so max(0, mem_1, ..., mem_B)
= y_i on the whole ball; the step-unit floor is evaluated exactly beside floor_q.  And the ReLU Floor cannot be
exact: it is continuous, so just below an integer k it is strictly between k - 1 and k somewhere (exact witness)."""
import math
import random

from flint import fmpq

from exactmem import Dataset, Verdict, all_of
from exactmem.claims import claim
from exactmem.constructions.moderate_rho import moderate_rho_network, moderate_rho_plan
from exactmem.exact import fmt

ETA = fmpq(1, 100)


def _data(seed, N, d, C, span=20, twin=None):
    """N seeded points, labels 1 + i mod C; ``twin = (i, v)`` appends x_i + v with x_i's label (its own group)."""
    rng = random.Random(seed)
    pts = []
    while len(pts) < N:
        p = [fmpq(rng.randint(-span, span), rng.randint(1, 2)) for _ in range(d)]
        if p not in pts:
            pts.append(p)
    y = [1 + i % C for i in range(N)]
    if twin is not None:
        i, v = twin
        pts.append([a + b for a, b in zip(pts[i], v)])
        y.append(y[i])
    return Dataset(pts, y)


def _cases():
    # g = floor(1/(5 rho sqrt 2)) = 3 at rho = 1/25 (25 g^2 rho^2 d = 18/25 <= 1 < 32/25 at g = 4): 15 points and
    # a twin of x_7 (same label, 1/10 away) in the sixth group, so B = 6 and the block's budget is eta / 5; the twin's
    # ball reaches x_7's active cell, where the block outputs the twin's own label
    yield "N=16 d=2 C=2 g=3 block 2 of 6", (_data(1301, 15, 2, 2, twin=(7, [fmpq(1, 10), 0])), fmpq(1, 25), 2)
    yield "N=13 d=2 C=3 g=5 block 3 of 3 (3 points)", (_data(5, 13, 2, 3), fmpq(1, 40), 2)


def eps_sq_brute(D) -> fmpq:
    X, y = D.points.tolist(), D.labels
    return min(sum(((a - b) ** 2 for a, b in zip(X[i], X[j])), fmpq(0))
               for i in range(D.N) for j in range(i) if y[i] != y[j]) / 4


def sqrt_between(q: fmpq, bits: int = 64) -> tuple:
    """(lo, hi) with lo <= sqrt(q) <= hi, from the integer square root of a b 4^bits."""
    a, b = int(q.p), int(q.q)
    r = math.isqrt(a * b * 4 ** bits)
    return fmpq(r, b * 2 ** bits), fmpq(r + 1, b * 2 ** bits)


def _plan(D, rho):
    pl = moderate_rho_plan(D, rho, ETA)
    m, d = pl["W1"].nrows(), pl["W1"].ncols()
    s = pl["s"]
    if m != d or any(pl["W1"][a, b] != (s if a == b else 0) for a in range(m) for b in range(d)):
        raise ValueError("the instance needs the identity projection (first layer s I)")
    return pl


def _frac(q):
    return q - math.floor(q)


def reached_cells(u, rad_sq, lo_off):
    """Cells n (integer vectors) of the grid whose part {n_k + lo_off <= u'_k <= n_k + 1} is nearer to u than
    sqrt(rad_sq), each with its closest point of that part: lo_off = gamma (off the slabs) or 0 (whole cells)."""
    rad_hi = sqrt_between(rad_sq)[1]
    ranges = [range(math.floor(c - rad_hi) - 1, math.floor(c + rad_hi) + 1) for c in u]
    out = []
    for n in _product(ranges):
        q = [min(max(c, nk + lo_off), fmpq(nk + 1)) for c, nk in zip(u, n)]
        if sum(((a - b) ** 2 for a, b in zip(q, u)), fmpq(0)) < rad_sq:
            out.append((n, q))
    return out


def _product(ranges):
    if not ranges:
        yield ()
        return
    for a in ranges[0]:
        for rest in _product(ranges[1:]):
            yield (a,) + rest


def _inside(u, q, rad_sq, n):
    """A point of the open disc in the cell n's half-open box: q moved off the upper faces n_k + 1, toward u."""
    delta = fmpq(1, 2)
    while True:
        p = [min(qk, nk + 1 - delta) for qk, nk in zip(q, n)]
        if sum(((a - b) ** 2 for a, b in zip(p, u)), fmpq(0)) < rad_sq:
            return p
        delta /= 2


def _block_net(pl, j):
    return moderate_rho_network(dict(pl, groups=[pl["groups"][j]], shifts=[pl["shifts"][j]], mems=[pl["mems"][j]],
                                     layout="chain"))


@claim("KMY25.LemB.13", "one active group: the block of group I (translation, Floor with gamma = 1/t, base-R index, "
       "integer memorizer) is y_i on every ball of I (kernel), is 0 or y_i in every cell another ball reaches off the "
       "slabs (exact evaluation per cell), and the slabs' probability m gamma V_1/V_2 / (s mu) is below the block's "
       "share eta/(B - 1) of eta, within a factor 2 of it", {"seeded": _cases},
       source="Kim, Moon & Yun 2025, Lemma B.13 (with the repair |I| <= floor(N^alpha))",
       uses=("KMY25.LemB.15", "KMY25.LemB.16", "KMY25.LemB.10", "KMY25.LemB.11", "KMY25.Flatten"))
def check(inst):
    from exactmem.robust import robustly_memorizes
    D, rho, j = inst
    pl = _plan(D, rho)
    X, y, N, d = D.points.tolist(), D.labels, D.N, D.d
    g = 1                                                     # the largest g with 25 g^2 rho^2 d <= 1
    while g < N and 25 * (g + 1) ** 2 * rho * rho * d <= 1:
        g += 1
    I = pl["groups"][j]
    B = -(-N // g)
    mu_sq = rho * rho * eps_sq_brute(D)
    s, gamma, c, m = pl["s"], fmpq(1, pl["t"]), pl["shifts"][j], pl["m"]
    f = _block_net(pl, j)
    head = f"g = {g}, |I| = {len(I)}, B = {B}, mu^2 = {fmt(mu_sq)}, gamma = 1/{pl['t']}"
    if len(I) > g or len(pl["groups"]) != B:
        return Verdict.refuted(head + ": the group is larger than g, or the blocks are not ceil(N/g)", {"I": I})
    # the group's balls, by the kernel, on balls of radius r >= mu
    r = sqrt_between(mu_sq)[1]
    DI = Dataset([X[i] for i in I], [y[i] for i in I])
    own = robustly_memorizes(f, DI, radius=r)
    # every other ball, cell by cell off the slabs
    rad_sq = s * s * mu_sq
    cells = hits = 0
    bad = []
    for i in range(N):
        if i in I:
            continue
        u = [s * X[i][k] + pl["c0"][k] + c[k] for k in range(m)]
        for n, q in reached_cells(u, rad_sq, gamma):
            p = _inside(u, q, rad_sq, n)
            x = [(p[k] - c[k] - pl["c0"][k]) / s for k in range(m)]
            v = f(x)[0]
            cells += 1
            hits += v == y[i]
            if v not in (0, y[i]):
                bad.append((i, n, fmt(v)))
    others = Verdict.from_exact(not bad, f"{cells} cells reached by the other {N - len(I)} balls off the slabs, "
                                f"{hits} of them in an active cell of the same label (output y_i), the rest 0"
                                + (f"; outputs not in {{0, y_i}}: {bad[:3]}" if bad else ""), {"bad": bad[:3]})
    # the slabs' probability against the block's budget eta / (B - 1)
    two_over_pi = (2 * fmpq(113, 355), 2 * fmpq(106, 333))          # V_1 / V_2 = 2 / pi
    smu_lo, smu_hi = sqrt_between(rad_sq)
    one_slab = 2 * smu_hi + gamma < 1
    lo, hi = m * gamma * two_over_pi[0] / smu_hi, m * gamma * two_over_pi[1] / smu_lo
    budget = ETA / (B - 1)
    what = (f"slab probability m gamma V_1/V_2 / (s mu) in [{float(lo):.4g}, {float(hi):.4g}] against the block's "
            f"budget eta/(B - 1) = {fmt(budget)} (ratio {float(hi / budget):.3f})")
    if not one_slab or lo >= budget:
        prob = Verdict.refuted(what + ("" if one_slab else "; the disc meets two slabs of one coordinate"),
                               {"bound_lo": fmt(lo), "budget": fmt(budget)})
    elif hi < budget and 2 * hi > budget:
        prob = Verdict.proved(what + ", and above half of it (t a power of two)")
    elif hi < budget:
        prob = Verdict.refuted(what + ": more than a factor 2 below the budget, so gamma was not chosen by the union "
                               "bound (instance not tight)", {"bound_hi": fmt(hi)})
    else:
        prob = Verdict.undecided(what + ": the enclosure straddles the budget")
    return all_of([own, others, prob], f"{head}: {own.reason}; {others.reason}; {prob.reason}")


def step_floor(u: fmpq, n: int) -> int:
    """floor(u) for 0 <= u < 2^n by n threshold units: b_k = H(u' - 2^k), u' <- u' - 2^k b_k, from k = n - 1 down."""
    out, rest = 0, u
    for k in range(n - 1, -1, -1):
        b = 1 if rest - 2 ** k >= 0 else 0
        out += b << k
        rest -= b << k
    return out


def _threshold_cases():
    yield "N=15 d=2 C=2 g=3 (5 blocks)", (_data(1301, 15, 2, 2), fmpq(1, 25))
    yield "N=12 d=2 C=3 g=5 (3 blocks)", (_data(5, 12, 2, 3), fmpq(1, 40))
    yield "N=30 d=2 C=3 g=8 (4 blocks)", (_data(951, 30, 2, 3, 30), fmpq(1, 60))


@claim("KMY25.Rem.threshold", "with threshold units (an exact floor: n step units per coordinate) Theorem B.5's "
       "network has zero error: on every ball, every cell reached in every block gives 0 or y_i and the owner gives "
       "y_i; the ReLU Floor is continuous, so it cannot be exact just below an integer", {"seeded": _threshold_cases},
       source="Kim, Moon & Yun 2025, Section 4 remark on threshold activations (notes: threshold-activation remark)",
       uses=("KMY25.ThmB.5", "KMY25.LemB.13", "KMY25.LemB.16"))
def check_threshold(inst):
    D, rho = inst
    pl = _plan(D, rho)
    X, y, N = D.points.tolist(), D.labels, D.N
    s, m, R, n = pl["s"], pl["m"], pl["R"], pl["n"]
    rad_sq = s * s * rho * rho * eps_sq_brute(D)
    owner = {i: j for j, grp in enumerate(pl["groups"]) for i in grp}
    cells = slab_cells = 0                       # slab_cells: (ball, block) pairs whose disc crosses a grid line
    wrong = []
    memo = {}
    for i in range(N):
        best = fmpq(0)
        for j, c in enumerate(pl["shifts"]):
            u = [s * X[i][k] + pl["c0"][k] + c[k] for k in range(m)]
            full = reached_cells(u, rad_sq, 0)
            rad_hi = sqrt_between(rad_sq)[1]           # the disc meets a slab {frac(u_k) < gamma}: lines crossed
            slab_cells += any(math.floor(uk + rad_hi) > math.floor(uk - rad_hi) for uk in u)
            vals = set()
            for nn, q in full:
                p = _inside(u, q, rad_sq, nn)
                digits = [step_floor(pk, n) for pk in p]          # the threshold Floor, evaluated exactly
                if digits != [math.floor(pk) for pk in p] or not all(0 <= t < R for t in digits):
                    wrong.append((i, j, "step floor", nn))
                idx = sum(t * R ** k for k, t in enumerate(digits))
                if (j, idx) not in memo:
                    memo[(j, idx)] = pl["mems"][j].net([idx])[0]
                vals.add(memo[(j, idx)])
                cells += 1
            if not vals <= {0, y[i]} or (owner[i] == j and vals != {y[i]}):
                wrong.append((i, j, sorted(fmt(v) for v in vals)))
            best = max([best] + list(vals))
        if best != y[i]:
            wrong.append((i, "max", fmt(best)))
    # the ReLU Floor: exact at k - 1/(4t) (frac >= gamma), so by continuity k - 1 at k too, where the floor is k
    fl = pl["floor"]
    k0 = R // 2
    near = fl([fmpq(k0) - fmpq(1, 4 * pl["t"])])[0]
    at = fl([fmpq(k0)])[0]
    relu_inexact = near == k0 - 1 and at != k0
    return Verdict.from_exact(not wrong and relu_inexact,
                              f"{len(pl['groups'])} blocks: {cells} (ball, block, cell) triples, {slab_cells} (ball, "
                              f"block) pairs where the disc crosses a grid line (meets a slab), every block 0 or y_i and the owner y_i on every ball "
                              f"(zero error with the step floor); the ReLU Floor_{n} gives {fmt(near)} at "
                              f"{k0} - 1/(4t) (exact floor {k0 - 1}) and {fmt(at)} at {k0}"
                              + (f"; wrong: {wrong[:3]}" if wrong else ""), {"wrong": [str(w) for w in wrong[:3]]})
