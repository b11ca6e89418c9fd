"""The McShane extension of data (x_i, y_i) as an exact ReLU network, for the l_inf and l_1 norms.

McShane (1934) extends a function known on finitely many points to all of R^d without raising its Lipschitz
constant: f*(x) = min_i (y_i + L ||x - x_i||) with L = L* = max_{i != j} |y_i - y_j| / ||x_i - x_j||, the
least constant any interpolant can have (``bounds.data_bound``).  Each cone y_i + L ||x - x_i|| is
L-Lipschitz, and so is their minimum; y_j <= y_i + L* ||x_j - x_i|| makes the j-th cone the least at x_j.  So
f*(x_j) = y_j and Lip(f*) = L*: the lower bound of every interpolant is attained.  For p in {1, inf} f* is piecewise linear and this module
writes it as a ReLU network with exact rational weights, built from three identities:

* |t| = relu(t) + relu(-t); for l_inf two coordinates at a time, max(|s|, |t|) = (|s + t| + |s - t|) / 2;
* max(a, b) = b + relu(a - b) and min(a, b) = a - relu(a - b), in balanced trees;
* a value a >= 0 is carried through a layer by one unit, relu(a) = a.  Every value the trees carry is >= 0
  (norms, maxima of norms, and the cones shifted by c = min_i y_i, which is added back at the output).

``cone_envelope_net`` is the general min_i (h_i + L ||x - x_i||); with h = 0 and L = 1 it is the distance to a
finite set, from which ``separation_classifier`` builds the nearest-class classifier of Yang et al. (2020).

Size, for n points (after merging repeated points) in R^d: the layers' widths are ``mcshane_dims(n, d, p)``.
Hidden layers: 1 + ceil(log2 n) for l_1, and max(1, ceil(log2 d)) + ceil(log2 n) for l_inf; the first layer
has 2nd units, a tree level over m values has m units.  Depth (affine layers) is one more.  Parameters (the
dense count of ``ReLUNet.param_count``, zeros included): Theta(n^2 d) for l_1 and Theta(n^2 d^2) for l_inf
(d >= 3), dominated by the second layer, which reads all 2nd first-layer units; at most 15nd + 18n + 3 of
them are nonzero.

>>> from exactmem.lipschitz import data_bound
>>> X, y = [[0, 0], [2, 0], [0, 1]], [0, 1, -1]
>>> f = mcshane_net(X, y, p="inf")
>>> [f(x)[0] for x in X], data_bound(X, y, "inf").value      # interpolates, with L* = 1
([0, 1, -1], 1)
>>> f([1, 1]), mcshane_value(X, y, [1, 1], "inf")             # min(0 + 1, 1 + 1, -1 + 1)
([0], 0)
>>> f.dims, mcshane_dims(3, 2, "inf")
([2, 12, 3, 2, 1], [2, 12, 3, 2, 1])
"""
from __future__ import annotations

from flint import fmpq, fmpq_mat

from ..errors import ContradictoryLabelsError, DatasetError, DimensionMismatchError, NormError, ShapeError
from ..exact import fmt, to_rational, to_vector
from ..network import ReLUNet
from ..norms import check_p
from .bounds import steepest

ONE = -1            # the key of the constant term in an affine form {unit: coefficient}
_HALF = fmpq(1, 2)


def _norm(p):
    p = check_p(p)
    if p == 2:
        raise NormError("the McShane extension is piecewise linear only for p = 1 and p = inf; for p = 2 it is not "
                        "a ReLU network")
    return 1 if p == 1 else "inf"


def dist(u, v, p) -> fmpq:
    """||u - v||_p for p in {1, inf}, exactly."""
    w = [abs(a - b) for a, b in zip(u, v)]
    return sum(w, fmpq(0)) if p == 1 else max(w)


def _data(X, y):
    """Validated points and values, repeated points with equal values merged."""
    if isinstance(X, (str, bytes)) or not hasattr(X, "__iter__"):
        raise ShapeError("X must be a sequence of points")
    pts = [to_vector(x, f"X[{i}]") for i, x in enumerate(X)]
    if isinstance(y, (str, bytes)) or not hasattr(y, "__iter__"):
        raise ShapeError("y must be a sequence of values")
    ys = [to_rational(t) for t in y]
    if not pts:
        raise ShapeError("the McShane extension needs at least one point")
    if len(pts) != len(ys):
        raise ShapeError(f"there are {len(pts)} points but {len(ys)} values")
    d = len(pts[0])
    if d == 0:
        raise ShapeError("points must have dimension d >= 1")
    for i, x in enumerate(pts):
        if len(x) != d:
            raise DimensionMismatchError(f"X[{i}] has dimension {len(x)} but X[0] has {d}")
    seen, P, V = {}, [], []
    for i, (x, v) in enumerate(zip(pts, ys)):
        key = tuple(x)
        if key in seen:
            j = seen[key]
            if ys[j] != v:
                raise ContradictoryLabelsError(f"points {j} and {i} coincide but have values {fmt(ys[j])} and "
                                               f"{fmt(v)}: no function takes both", [(j, i)])
            continue
        seen[key] = i
        P.append(x)
        V.append(v)
    return P, V


def least_constant(X, y, p="inf") -> tuple:
    """(L*, (i, j)): the least Lipschitz constant of any function with f(x_i) = y_i, and a pair attaining it
    (indices into the merged points; (0, 0) and L* = 0 when there is one point or all values agree)."""
    p = _norm(p)
    return steepest(*_data(X, y), p)


def mcshane_value(X, y, x, p="inf", L=None) -> fmpq:
    """f*(x) = min_i (y_i + L ||x - x_i||_p), by the formula (L defaults to L*)."""
    p = _norm(p)
    P, V = _data(X, y)
    L = least_constant(P, V, p)[0] if L is None else to_rational(L)
    x = to_vector(x, "x")
    if len(x) != len(P[0]):
        raise DimensionMismatchError(f"x has dimension {len(x)} but the points have {len(P[0])}")
    return min(v + L * dist(x, c, p) for c, v in zip(P, V))


def _sub(a, b):
    out = dict(a)
    for k, t in b.items():
        out[k] = out.get(k, 0) - t
    return out


class _Builder:
    """Layers of units relu(affine form of the previous layer's units); forms are {unit: coeff, ONE: const}."""

    def __init__(self, d):
        self.width, self.layers = d, []

    def layer(self, forms):
        """Append a hidden layer with one unit per form; returns the unit indices."""
        W = fmpq_mat(len(forms), self.width)
        b = fmpq_mat(len(forms), 1)
        for r, f in enumerate(forms):
            for k, t in f.items():
                if k == ONE:
                    b[r, 0] = t
                else:
                    W[r, k] = t
        self.layers.append((W, b))
        self.width = len(forms)
        return list(range(len(forms)))

    def output(self, form):
        return ReLUNet(self.layers + [self.layer_out(form)])

    def layer_out(self, form):
        W, b = fmpq_mat(1, self.width), fmpq_mat(1, 1)
        for k, t in form.items():
            if k == ONE:
                b[0, 0] = t
            else:
                W[0, k] = t
        return W, b


def _level(B, groups, op):
    """One tree level: each group of values (forms, all >= 0) is paired up; a pair becomes max or min, an odd
    value rides along as relu(a) = a.  Returns the groups of the next layer."""
    forms, plan = [], []
    for g in groups:
        out = []
        for k in range(0, len(g) - 1, 2):
            a, b = g[k], g[k + 1]
            forms += [_sub(a, b), b if op == "max" else a]   # relu(a - b) and relu(b) (max) or relu(a) (min)
            out.append((len(forms) - 2, len(forms) - 1))
        if len(g) % 2:
            forms.append(g[-1])
            out.append((len(forms) - 1,))
        plan.append(out)
    B.layer(forms)
    sign = 1 if op == "max" else -1
    return [[{u[0]: 1} if len(u) == 1 else {u[1]: 1, u[0]: sign} for u in out] for out in plan]


def _norm_layer(B, P, p):
    """The first layer: per centre c, forms (over its units) of nonnegative values whose max is ||x - c||_p."""
    forms, groups, d = [], [], len(P[0])
    for c in P:
        vals = []
        if p == 1:
            acc = {}
            for k in range(d):
                for s in (1, -1):                                  # relu(s (x_k - c_k))
                    forms.append({k: s, ONE: -s * c[k]})
                    acc[len(forms) - 1] = 1
            vals.append(acc)
        else:
            for k in range(0, d - 1, 2):                           # max(|s|, |t|) = (|s + t| + |s - t|) / 2
                acc = {}
                for e in (1, -1):
                    for s in (1, -1):                              # relu(s (x_k - c_k + e (x_k' - c_k')))
                        forms.append({k: s, k + 1: s * e, ONE: -s * (c[k] + e * c[k + 1])})
                        acc[len(forms) - 1] = _HALF
                vals.append(acc)
            if d % 2:
                acc = {}
                for s in (1, -1):
                    forms.append({d - 1: s, ONE: -s * c[d - 1]})
                    acc[len(forms) - 1] = 1
                vals.append(acc)
        groups.append(vals)
    B.layer(forms)
    return groups


def cone_envelope_net(centres, heights, L, p="inf") -> ReLUNet:
    """The network of x -> min_i (h_i + L ||x - c_i||_p) for p in {1, inf}, any rational heights and L >= 0.

    With h = y and L >= L* it is the McShane extension; with h = 0 and L = 1 it is the distance to the set of
    centres.  No check that it interpolates anything is made here (see ``mcshane_net``).

    >>> cone_envelope_net([[0], [4]], [0, 0], 1, 1)([3])      # the distance from 3 to {0, 4}
    [1]
    """
    p = _norm(p)
    P, H = _data(centres, heights)
    L = to_rational(L)
    if L < 0:
        raise DatasetError(f"the slope L must be >= 0, got {fmt(L)}")
    B = _Builder(len(P[0]))
    groups = _norm_layer(B, P, p)
    while max(len(g) for g in groups) > 1:                        # l_inf: the max tree over coordinate pairs
        groups = _level(B, groups, "max")
    c = min(H)
    cones = [{**{k: L * t for k, t in g[0].items()}, ONE: h - c} for g, h in zip(groups, H)]   # >= 0
    values = [cones]
    while len(values[0]) > 1:                                     # the min tree over the shifted cones
        values = _level(B, values, "min")
    out = dict(values[0][0])
    out[ONE] = out.get(ONE, 0) + c
    return B.output(out)


def mcshane_net(X, y, p="inf", L=None) -> ReLUNet:
    """The McShane extension f*(x) = min_i (y_i + L ||x - x_i||_p) as an exact ReLU network (p in {1, inf}).

    ``L`` defaults to L*, the least Lipschitz constant of the data; a larger L gives another interpolant with
    Lipschitz constant exactly L; a smaller one is refused (no L-Lipschitz function takes the values).
    Repeated points must carry equal values (they are merged); see the module docstring for the size.

    >>> f = mcshane_net([[0], [2], [3]], [0, 2, 0], p=1)        # L* = 2 (from the last pair)
    >>> [f([t])[0] for t in (0, 1, 2, "5/2", 3, 4)]
    [0, 2, 2, 1, 0, 2]
    """
    p = _norm(p)
    P, V = _data(X, y)
    star, (i, j) = least_constant(P, V, p)
    if L is None:
        L = star
    else:
        L = to_rational(L)
        if L < star:
            raise DatasetError(f"L = {fmt(L)} is below the data's least Lipschitz constant L* = {fmt(star)} "
                               f"(points {i} and {j}): no L-Lipschitz function takes these values; use L >= L* "
                               f"or L=None")
    return cone_envelope_net(P, V, L, p)


def separation_classifier(X, labels, r, p="inf") -> ReLUNet:
    """The classifier of Yang et al. (2020): C outputs, score_c(x) = -dist_p(x, X^(c)) / r, where X^(c) holds
    the points of label c (labels 1..C, each present); its argmax is the nearest class.  Each score is
    1/r-Lipschitz; if points of different labels are at least 2r apart, the argmax is right on every open
    ball of radius r around a point (the distance to its own class is < r there, to any other > r).

    >>> g = separation_classifier([[0], [4], [10]], [1, 2, 1], 2, 1)
    >>> g([1]), g([3])                                          # nearest class 1, then 2
    ([-1/2, -3/2], [-3/2, -1/2])
    """
    r = to_rational(r)
    if r <= 0:
        raise DatasetError(f"the radius r must be > 0, got {fmt(r)}")
    if isinstance(labels, (str, bytes)) or not hasattr(labels, "__iter__"):
        raise ShapeError("labels must be a sequence of integers 1..C")
    if isinstance(X, (str, bytes)) or not hasattr(X, "__iter__"):
        raise ShapeError("X must be a sequence of points")
    labels, X = list(labels), list(X)
    if len(labels) != len(X):
        raise ShapeError(f"there are {len(X)} points but {len(labels)} labels")
    C = max(labels, default=0)
    if C < 2 or any(not isinstance(c, int) or isinstance(c, bool) or c < 1 for c in labels) or \
            len(set(labels)) != C:
        raise DatasetError("labels must be integers 1..C with C >= 2, every class present")
    nets = [cone_envelope_net([x for x, c in zip(X, labels) if c == k], [0] * labels.count(k), 1, p)
            for k in range(1, C + 1)]
    scale = [[-1 / r if i == j else 0 for j in range(C)] for i in range(C)]
    return ReLUNet.parallel(*nets).post_affine(scale)


def mcshane_dims(n: int, d: int, p="inf") -> list:
    """The dims [d, d_1, ..., 1] of ``mcshane_net`` for n distinct points in R^d (see the module docstring)."""
    p = _norm(p)
    for name, v in (("n", n), ("d", d)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ShapeError(f"{name} must be a positive int, got {v!r}")
    dims = [d, 2 * n * d]
    m = 1 if p == 1 else (d + 1) // 2                # values per centre after the first layer
    while m > 1:
        dims.append(n * m)
        m = (m + 1) // 2
    k = n
    while k > 1:
        dims.append(k)
        k = (k + 1) // 2
    return dims + [1]


def mcshane_size(n: int, d: int, p="inf") -> dict:
    """{"params", "depth", "hidden", "width"} of ``mcshane_net`` for n distinct points in R^d: the dense
    parameter count of Eq. (3), sum (d_{l-1} + 1) d_l, from ``mcshane_dims``.

    >>> mcshane_size(3, 2, "inf")
    {'params': 86, 'depth': 4, 'hidden': 3, 'width': 12}
    """
    dims = mcshane_dims(n, d, p)
    return {"params": sum((a + 1) * b for a, b in zip(dims, dims[1:])), "depth": len(dims) - 1,
            "hidden": len(dims) - 2, "width": max(dims[1:-1])}


__all__ = ["cone_envelope_net", "dist", "least_constant", "mcshane_dims", "mcshane_net", "mcshane_size",
           "mcshane_value", "separation_classifier"]
