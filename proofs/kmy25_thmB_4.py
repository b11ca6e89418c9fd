"""KMY25 Theorem B.4 (Vardi, Yehudai & Shamir 2022, Theorem 3.1) in d >= 2: N points of R^d memorized with width
at most 12 and O~(sqrt N) parameters, through a separating line and Lemma B.10's integer memorizer.

The construction (``exactmem.blocks.line_codes``): an integer direction w in {1..N^2}^d that takes a different
value at every point (checked exactly), codes m_i = q w . x_i - min (q the data's common denominator), and the
integer memorizer of (m_i, y_i) with the affine map merged into its first layer.  Per instance the claim

* has the kernel prove exact memorization, F(x_i) = y_i for every i (an ``exact-memorization`` certificate);
* recomputes the codes itself (q w . x_i - shift from the integer rows, distinct naturals) and bounds them by
  q K sum_j (max_i x_ij - min_i x_ij) <= 2 q K d r with r = max ||x_i|| (squares compared), the role of Vardi et
  al.'s R = 5 r N^2 sqrt(pi d) / eps: with K = N^2, max code / R <= (2 / (5 sqrt pi)) q eps sqrt d, so the code
  bits are log2 R + O(log(q eps) + log d);
* asserts the sizes of the theorem's O~(sqrt N) form as Lemma B.10's claim does (docs/sizes.md), counted from the
  matrices: with L the larger of the code and label bit widths and X = N (L + 2), params <= 170 sqrt X +
  120 (L + 2) + 60 + (d - 1) w_1 (w_1 the first layer's width: the projection's extra inputs), depth <= 6 sqrt X
  + 4 (L + 2) + 3, bits <= sqrt(2X) + L + 4, width <= 12.
"""
import random

from flint import fmpq

from exactmem import Dataset, Verdict, all_of
from exactmem.blocks import point_memorizer
from exactmem.certify import memorization_certificate
from exactmem.claims import claim

from ._sizes import b10_bounds, natural_bits, size_verdict


def _points(seed: int, N: int, d: int, C: int, den: int, span: int) -> Dataset:
    rng = random.Random(seed)
    pts = set()
    while len(pts) < N:
        pts.add(tuple(fmpq(rng.randint(-span * den, span * den), den) for _ in range(d)))
    pts = sorted(pts)
    labels = [1 + i % C for i in range(N)]
    rng.shuffle(labels)
    return Dataset([list(p) for p in pts], labels)


def _inst(sizes):
    def make():
        for N, d in sizes:
            yield f"N={N} d={d}", (_points(1000 * d + N, N, d, 2 + d % 4, 1 + d % 3, 20), None)
    return make


def _crowded():
    # every point of the grid {0..3}^2 (16 points, 4 classes) with directions from {1..5}^2: w separates the grid
    # iff w . v != 0 for every difference v in {-3..3}^2, i.e. w_1 / w_2 is not a ratio a / b with |a|, |b| <= 3;
    # 12 of the 25 directions do (counted by enumeration: (1, 4), (1, 5), (2, 5), (3, 4), ... and their mirrors),
    # and seed 0's first two draws do not, so a direction taken without the exact test gives colliding codes
    D = Dataset([[a, b] for a in range(4) for b in range(4)], [1 + (a + 2 * b) % 4 for a in range(4) for b in range(4)])
    yield "grid 4x4, K=5", (D, 5)


def check_memorizer(D: Dataset, K=None) -> Verdict:
    mem = point_memorizer(D.points.tolist(), D.labels, K=K)
    N, d = D.N, D.d
    K = max(2, N * N) if K is None else K
    rows, q = D.integer_form
    w = mem.direction
    codes = [sum(a * b for a, b in zip(w, r)) for r in rows]
    shift = min(codes)
    codes = [c - shift for c in codes]
    spans = [max(r[j] for r in rows) - min(r[j] for r in rows) for j in range(d)]        # integer: q times the span
    R_ours = K * sum(spans)                                   # = q K sum_j span_j
    r_sq = max(sum(fmpq(v) ** 2 for v in D.point(i)) for i in range(N))
    top = max(codes)
    parts = [
        memorization_certificate(mem.net, D).verify(),
        Verdict.from_exact(mem.denominator == q and all(1 <= a <= K for a in w) and codes == mem.codes
                           and len(set(codes)) == N and min(codes) == 0,
                           f"codes q w.x_i - shift recomputed from the integer rows (q = {q}, w in {{1..{K}}}^{d}): "
                           f"{N} distinct naturals", witness={"w": list(w), "q": q}),
        Verdict.from_exact(top <= R_ours and R_ours ** 2 <= 4 * q * q * K * K * d * d * r_sq,
                           f"max code {top} <= q K sum_j span_j = {R_ours} <= 2 q K d r", witness={"max_code": top}),
    ]
    L = natural_bits(top)
    bounds = b10_bounds(N, L, natural_bits(max(D.labels)))
    w1 = mem.net.layers[0][0].nrows()
    bounds["params"] = bounds["params"].plus((d - 1) * w1)
    parts.append(size_verdict(mem.net, bounds, f"N = {N}, d = {d}, L = {L}"))
    return all_of(parts, f"N = {N}, d = {d}: w = {list(w)} (draw {mem.draws}), max code {top} ({L} bits), "
                         f"depth {mem.net.depth}, width {mem.net.width}, {mem.net.param_count()} params")


@claim("KMY25.ThmB.4", "in d = 2..8: F(x_i) = y_i proved by the kernel for a memorizer through a separating integer "
       "direction and integer codes (recomputed, at most q K sum of spans <= 2 q K d r); width <= 12; params, depth, bits "
       "within the O(sqrt(N L)) bounds of Lemma B.10 plus (d - 1) first-layer weights per unit",
       {"seeded": _inst([(10, 2), (40, 2), (100, 2), (30, 3), (100, 3), (50, 4), (200, 4), (60, 5), (80, 6), (40, 7),
                         (300, 8)]),
        "crowded": _crowded,
        "large": _inst([(1000, 2), (3000, 4), (3000, 8)])},
       source="Kim, Moon & Yun 2025, Theorem B.4; Vardi et al. 2022, Theorem 3.1", slow_families=("large",),
       uses=("KMY25.LemB.10",))
def check(inst):
    D, K = inst
    return check_memorizer(D, K)
