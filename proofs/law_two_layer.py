"""Reference notes on the law of robustness, §7 item 3: for f = a.relu(W x + b) + c the Lipschitz constant on a
convex set is the largest dual norm of sum_{l in S} a_l w_l over the activation patterns S whose open cell meets
the set's interior (Lip_2^2 with the l_2 norm, Lip_inf with the l_1 norm).  exactmem's branch and bound is
compared with a brute force over all 2^k patterns, each cell decided by the exact simplex method."""
import itertools
import random

from flint import fmpq

from exactmem import ReLUNet, Verdict, box
from exactmem.claims import claim
from exactmem.lipschitz import lipschitz_constant

from ._lipschitz_instances import meets


def two_layer(seed, d, k):
    rng = random.Random(seed)
    W = [[fmpq(rng.randint(-6, 6), rng.choice((1, 2))) for _ in range(d)] for _ in range(k)]
    b = [fmpq(rng.randint(-4, 4), rng.choice((1, 2))) for _ in range(k)]
    a = [fmpq(rng.randint(-6, 6), rng.choice((1, 2))) for _ in range(k)]
    return ReLUNet([(W, b), ([a], [0])])


def brute_force(net, lo, hi, p):
    (W, b), (A, _) = net.layers
    W, b, a = W.tolist(), b.entries(), A.tolist()[0]
    k, d, best = len(W), len(lo), fmpq(0)
    for s in itertools.product((1, -1), repeat=k):
        g = [sum((a[l] * W[l][j] for l in range(k) if s[l] > 0), fmpq(0)) for j in range(d)]
        v = sum((t * t for t in g), fmpq(0)) if p == 2 else sum(map(abs, g), fmpq(0))
        if v > best and meets(W, b, s, lo, hi):
            best = v
    return best


def _instances():
    for seed, d, k in ((0, 1, 5), (1, 2, 5), (2, 2, 7), (3, 3, 6), (4, 3, 8)):
        yield f"d = {d}, k = {k}, seed {seed}", (seed, d, k)


@claim("Law.two_layer", "the Lipschitz constant of a two-layer ReLU network on a box is the largest dual norm of "
       "sum_{l on} a_l w_l over the realised activation cells (l_2 squared, l_inf)",
       {"seeded, k <= 8": _instances}, source="reference notes on the law of robustness, §7 item 3 (INFERRED, "
       "standard); brute force as in Virmaux & Scaman 2018")
def check(inst):
    seed, d, k = inst
    net = two_layer(seed, d, k)
    lo, hi = [fmpq(-2)] * d, [fmpq(3, 2)] * d
    out = []
    for p in (2, "inf"):
        L = lipschitz_constant(net, p, box(lo, hi))
        want = brute_force(net, lo, hi, p)
        got = L.upper_sq if p == 2 else L.upper
        out.append((p, L.is_exact and got == want, got, want))
    return Verdict.from_exact(all(t[1] for t in out), "; ".join(
        f"p = {p}: exact {g}, 2^{k} patterns by exact LP {w}" for p, _, g, w in out))
