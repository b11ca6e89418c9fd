"""Reference notes on the law of robustness, §7 item 4, the chain for f = a.relu(W x + b) on R^d:
Lip_2^2 = max over realised cells <= max_{S subset [k]} ||sum_{l in S} a_l w_l||^2 <= ||a||^2 ||W||_op^2, and
Lip_2 <= sum_l |a_l| ||w_l||; the first step is an equality when k <= d and W has rank k (every pattern is then
realised).  Outside that hypothesis the first step can be strict, and instances show it is: networks with k > d,
and with k <= d but rank W < k (a row tied to another), where the exact Lip_2^2 is strictly below the subsets'
maximum (two of them by hand) -- so a Lipschitz finder that takes every activation pattern as realised is
refuted, and the hypothesis is shown to matter.  ||W||_op^2 is the largest eigenvalue of W^T W, an algebraic
number: it is compared exactly by counting the eigenvalues above a rational (``kernel.lipschitz.at_most``,
Descartes' rule on the characteristic polynomial); the square roots of the last step by outward-rounded enclosures."""
import itertools
import random

from flint import fmpq, fmpq_mat

from exactmem import ReLUNet, Verdict
from exactmem.claims import claim
from exactmem.exact import largest_eigenvalue, sqrt_enclosure
from exactmem.kernel.lipschitz import at_least
from exactmem.lipschitz import lipschitz_constant


def subsets_max(W, a):
    k, d = len(W), len(W[0])
    best = fmpq(0)
    for S in itertools.product((0, 1), repeat=k):
        g = [sum((a[l] * W[l][j] for l in range(k) if S[l]), fmpq(0)) for j in range(d)]
        best = max(best, sum((t * t for t in g), fmpq(0)))
    return best


def _net(seed, d, k, full_rank=False, tied=False):
    """Seeded W (k x d), b, a; ``full_rank``: redrawn until rank W = k; ``tied``: the last row is -2 times the
    first (rank W < k)."""
    rng = random.Random(seed)
    while True:
        W = [[fmpq(rng.randint(-5, 5), rng.choice((1, 2))) for _ in range(d)] for _ in range(k)]
        if not full_rank or fmpq_mat(W).rank() == k:
            break
    b = [fmpq(rng.randint(-3, 3)) for _ in range(k)]
    a = [fmpq(rng.randint(-4, 4) or 1, rng.choice((1, 2))) for _ in range(k)]
    if tied:
        W[-1] = [-2 * t for t in W[0]]
    return W, b, a


def _hand(d):
    """relu(x_1) - 2 relu(x_1 - 1) with its rows in R^d (d = 1: k = 2 > d; d = 2: the two rows (1, 0), rank 1 < k):
    its slopes in x_1 are 0, 1, -1, so Lip_2^2 = 1, while the subset {2} alone gives ||-2 (1, 0)||^2 = 4."""
    W = [[fmpq(1)] + [fmpq(0)] * (d - 1), [fmpq(1)] + [fmpq(0)] * (d - 1)]
    return W, [fmpq(0), fmpq(-1)], [fmpq(1), fmpq(-2)]


def _instances():
    for seed, d, k in ((0, 2, 5), (1, 3, 7), (2, 2, 8), (3, 4, 6)):
        yield f"k = {k} > d = {d}, seed {seed}", (seed, d, k, "any")
    for seed, d, k in ((4, 3, 3), (5, 4, 2), (6, 5, 4)):
        yield f"k = {k} <= d = {d}, rank k, seed {seed}", (seed, d, k, "full")
    # outside the hypothesis, first step strict: the seeds were picked where it is (about half of the seeds are)
    yield "by hand, k = 2 > d = 1: Lip^2 = 1 < subsets 4", ("hand", 1, 2, "hand")
    yield "by hand, k = 2 = d, rank 1: Lip^2 = 1 < subsets 4", ("hand", 2, 2, "hand")
    for seed, d, k in ((22, 1, 3), (28, 2, 4), (24, 3, 5)):
        yield f"k = {k} > d = {d}, strict, seed {seed}", (seed, d, k, "strict")
    for seed, d, k in ((26, 3, 3), (20, 4, 3)):
        yield f"k = {k} <= d = {d}, rank < k (tied rows), strict, seed {seed}", (seed, d, k, "tied")


@claim("Law.bound_chain", "Lip_2^2 <= max over all activation subsets <= ||a||^2 ||W||_op^2, Lip_2 <= sum |a_l| "
       "||w_l||, with equality in the first step when k <= d and rank W = k; outside that hypothesis (k > d, or "
       "rank W < k) it can be strict",
       {"seeded two-layer networks": _instances},
       source="reference notes on the law of robustness, §7 item 4 (INFERRED); Bubeck, Li & Nagaraj 2021's "
       "spectral proxy is the last term")
def check(inst):
    seed, d, k, mode = inst
    W, b, a = _hand(d) if seed == "hand" else _net(seed, d, k, mode == "full", mode == "tied")
    net = ReLUNet([(W, b), ([a], [0])])
    L = lipschitz_constant(net, 2).upper_sq                               # exact, on R^d
    sub = subsets_max(W, a)
    A = fmpq_mat(W)
    norm_a = sum((t * t for t in a), fmpq(0))
    spec = largest_eigenvalue(A.transpose() * A)                        # ||W||_op^2 enclosed
    tri = sum((abs(t) * sqrt_enclosure(sum((w * w for w in r), fmpq(0)), 128).lo for t, r in zip(a, W)), fmpq(0))
    steps = {"Lip^2 <= subsets": L <= sub,
             "subsets <= ||a||^2 ||W||_op^2": norm_a > 0 and at_least(W, 2, sub / norm_a),
             "Lip <= sum |a_l| ||w_l||": sqrt_enclosure(L, 128).hi <= tri}       # upper end <= lower end
    if mode == "full":
        steps["equality (k <= d, rank k)"] = L == sub
    if mode in ("hand", "strict", "tied"):                                   # the hypothesis fails: strict here
        steps[f"strict Lip^2 < subsets (rank W = {fmpq_mat(W).rank()}, k = {k}, d = {d})"] = L < sub
    if mode == "hand":
        steps["by hand: Lip^2 = 1, subsets = 4"] = (L, sub) == (1, 4)
    bad = [s for s, ok in steps.items() if not ok]
    return Verdict.from_exact(not bad, f"Lip^2 = {L}, subsets {sub}, ||a||^2 ||W||_op^2 in [{float(norm_a * spec.lo):.6g}, "
                              f"{float(norm_a * spec.hi):.6g}]" + (f"; FAILED: {', '.join(bad)}" if bad else ""))

