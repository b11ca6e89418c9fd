"""Band networks: ReLU networks on R^d whose exact robust radius and robust memorization error are known by hand.

f(x) = y0 + sum_k c_k clip((v_k . x - a_k) / (b_k - a_k)), clip(t) = relu(t) - relu(t - 1), with every data point
outside every open band a_k < v_k . x < b_k.  On the closed polyhedron of the points on x_i's side of every band
f = y_i; with integer directions of integer l_2 norm the radii min_k gap_ik / ||v_k||_q are rational for p = 1, 2
and inf.  Used by the claims of Definitions 2.2 and 4.1 in d >= 2.
"""
import math
import random

from flint import fmpq

from exactmem import Dataset, ReLUNet

_DIRS = {2: [(3, 4), (-5, 12), (1, 0), (8, 15), (4, -3)], 3: [(1, 2, 2), (2, 3, -6), (-2, 1, 2), (0, 3, 4)]}


def dot(v, x) -> fmpq:
    return sum((fmpq(a) * b for a, b in zip(v, x)), fmpq(0))


def dual_norm(v, p) -> fmpq:
    """||v||_q, q dual to p, for an integer v (p = 2 only when ||v||_2 is an integer)."""
    if p == 1:
        return fmpq(max(abs(a) for a in v))
    if p == "inf":
        return fmpq(sum(abs(a) for a in v))
    s = sum(a * a for a in v)
    r = math.isqrt(s)
    if r * r != s:
        raise ValueError(f"||{v}||_2 is irrational")
    return fmpq(r)


def band_net(bands, y0=1) -> ReLUNet:
    """1 + sum_k c_k clip((v_k . x - a_k)/(b_k - a_k)) for bands (v_k, a_k, b_k, c_k): one hidden layer of 2K."""
    W, b, out = [], [], []
    for v, a, hi, c in bands:
        W += [list(v), list(v)]
        b += [-fmpq(a), -fmpq(hi)]
        s = fmpq(c) / (fmpq(hi) - fmpq(a))
        out += [s, -s]
    return ReLUNet([(W, b), ([out], [y0])])


def band_radii(D: Dataset, bands, p) -> list:
    """r_i = min_k gap_ik / ||v_k||_q per point (every point must lie outside every open band)."""
    radii = []
    for i in range(D.N):
        x, r = D.point(i), None
        for v, a, hi, c in bands:
            t = dot(v, x)
            if a < t < hi:
                raise ValueError(f"point {i} lies inside a band")
            g = (a - t if t <= a else t - hi) / dual_norm(v, p)
            r = g if r is None or g < r else r
        radii.append(r)
    return radii


def band_dataset(seed: int, N: int, d: int, span: int = 6) -> tuple:
    """Seeded integer points and two bands (c = 1, 2) in the widest gap of the middle half of each direction's
    projections; labels 1..4, every combination present."""
    rng = random.Random(seed)
    while True:
        pts = set()
        while len(pts) < N:
            pts.add(tuple(fmpq(rng.randint(-span, span)) for _ in range(d)))
        pts = sorted(pts)
        bands = []
        for k, v in enumerate(rng.sample(_DIRS[d], 2)):
            s = sorted({dot(v, x) for x in pts})
            g, j = max((s[j + 1] - s[j], j) for j in range(len(s) // 4, len(s) - len(s) // 4 - 1))
            bands.append((v, s[j] + g / 4, s[j + 1] - g / 4, 1 + k))
        labels = [1 + sum(c for v, a, hi, c in bands if dot(v, x) >= hi) for x in pts]
        if sorted(set(labels)) == [1, 2, 3, 4]:
            return Dataset([list(x) for x in pts], labels), bands

def band_net_deep(bands, y0=1) -> ReLUNet:
    """The same function as ``band_net`` with two hidden layers: h_k = relu(v_k . x - a_k), then relu(h_k) and
    relu(h_k - (b_k - a_k)), so its linear pieces are cut differently."""
    W1 = [list(v) for v, a, hi, c in bands]
    b1 = [-fmpq(a) for v, a, hi, c in bands]
    K = len(bands)
    W2, b2, out = [], [], []
    for k, (v, a, hi, c) in enumerate(bands):
        e = [1 if j == k else 0 for j in range(K)]
        W2 += [e, e]
        b2 += [0, -(fmpq(hi) - fmpq(a))]
        s = fmpq(c) / (fmpq(hi) - fmpq(a))
        out += [s, -s]
    return ReLUNet([(W1, b1), (W2, b2), ([out], [y0])])
