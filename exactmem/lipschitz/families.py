"""Exact network families that separate the weight-norm proxy from the Lipschitz constant.

The proxy is P(f) = prod_l ||W_l||_F^2 (``bounds.weight_norm_proxy``).  It bounds Lip_2(f)^2 from above
(||W||_op <= ||W||_F and relu is 1-Lipschitz), and that is all it does: the withdrawn Husain & Balle
(arXiv:2102.08093) argument went from a lower bound on a weight norm to one on Lip.  Here, with every number
exact (the proxy by rational arithmetic, Lip by ``lipschitz_constant`` and, in one dimension, by the exact
pieces of ``pl1d``):

* ``rescaled_units(t)``: relu(t x) / (2t) + relu(x) / 2 = relu(x) for every t > 0.  Rescaling one unit
  (w, a) -> (t w, a / t) keeps the function, but only a rescaling of a whole layer keeps P:
  P = (t^2 + 1)^2 / (4 t^2) >= t^2 / 4, unbounded, while Lip = 1.
* ``carried_identity(k)``: x -> x carried through k hidden layers as relu(x) - relu(-x): P = 4^k, Lip = 1.
* ``cancelling_pairs(t, k)``: relu(x) plus k pairs relu(t x) - relu(t x): P = (1 + 2k t^2)(1 + 2k), Lip = 1.
* ``zigzag(n)`` (the converse): the data (2i, (-1)^i), i < n, are fitted by a two-layer network with
  Lip = 1 = L* (``zigzag``), yet EVERY two-layer ReLU network that fits them has P >= 4 (n - 2)^2
  (``zigzag_floor``).  Proof: f' jumps by a_j w_j at the kink of unit j, so the total variation of f' is at
  most sum_j |a_j w_j| <= ||a||_2 ||w||_2 (Cauchy-Schwarz), whose square is P; the mean slope over
  [2i, 2i + 2] is -(-1)^i, so f' moves by at least 2 between consecutive intervals, n - 2 times.  A lower
  bound on P that grows with n, as a Rademacher argument gives, therefore says nothing about Lip.

>>> rows = husain_balle_demo("rescaled", [1, 2, 4])
>>> [(r.t, r.proxy, r.lip) for r in rows]
[(1, 1, 1), (2, 25/16, 1), (4, 289/64, 1)]
>>> [(r.t, r.proxy, r.floor, r.lip) for r in husain_balle_demo("zigzag", [3, 6])]
[(3, 18, 4, 1), (6, 108, 64, 1)]
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flint import fmpq

from ..analysis.ask import box
from ..errors import NetworkError
from ..exact import fmt, to_rational
from ..network import ReLUNet
from ..pl1d import pieces
from .bounds import weight_norm_proxy
from .exact import lipschitz_constant


def _positive(t, what="t"):
    t = to_rational(t)
    if t <= 0:
        raise NetworkError(f"{what} must be > 0, got {fmt(t)}")
    return t


def _count(k, what, least=0):
    if isinstance(k, bool) or not isinstance(k, int) or k < least:
        raise NetworkError(f"{what} must be an int >= {least}, got {k!r}")
    return k


def rescaled_units(t) -> ReLUNet:
    """relu(t x) / (2t) + relu(x) / 2, which is relu(x) for every t > 0."""
    t = _positive(t)
    return ReLUNet([([[t], [1]], [0, 0]), ([[1 / (2 * t), fmpq(1, 2)]], [0])])


def rescaled_units_proxy(t) -> fmpq:
    """The proxy of ``rescaled_units(t)`` by hand: (t^2 + 1) (1/(4t^2) + 1/4) = (t^2 + 1)^2 / (4 t^2)."""
    t = _positive(t)
    return (t * t + 1) ** 2 / (4 * t * t)


def carried_identity(k: int) -> ReLUNet:
    """x -> x through k >= 1 hidden layers of two units (relu(x), relu(-x)), as ``ReLUNet.deepen`` carries it."""
    k = _count(k, "k", 1)
    return ReLUNet.identity(1).deepen(k)


def carried_identity_proxy(k: int) -> fmpq:
    """||[1; -1]||^2 * ||[[1, -1], [-1, 1]]||^2^(k - 1) * ||[1, -1]||^2 = 2 * 4^(k - 1) * 2 = 4^k."""
    return fmpq(4) ** _count(k, "k", 1)


def cancelling_pairs(t, k: int) -> ReLUNet:
    """relu(x) + sum_{j <= k} (relu(t x) - relu(t x)): 2k units of input weight t whose outputs cancel."""
    t, k = _positive(t), _count(k, "k", 0)
    return ReLUNet([([[1]] + [[t]] * (2 * k), [0] * (2 * k + 1)), ([[1] + [1, -1] * k], [0])])


def cancelling_pairs_proxy(t, k: int) -> fmpq:
    """(1 + 2k t^2)(1 + 2k), by hand."""
    t, k = _positive(t), _count(k, "k", 0)
    return (1 + 2 * k * t * t) * (1 + 2 * k)


def zigzag_data(n: int):
    """(X, y) = ([[0], [2], ..., [2n - 2]], [1, -1, 1, ...]): alternating values two apart, so L* = 1."""
    n = _count(n, "n", 2)
    return [[2 * i] for i in range(n)], [(-1) ** i for i in range(n)]


def pl_interpolant(ts, vs) -> ReLUNet:
    """The two-layer network of the piecewise-linear interpolant through (t_k, v_k) (distinct knots, two or
    more), linear beyond the end knots: v_0 + s_0 (x - t_0) + sum_{0 < k < m} (s_k - s_{k-1}) relu(x - t_k),
    the linear part as s_0 relu(x - t_0) - s_0 relu(t_0 - x).

    >>> pl_interpolant([0, 1, 3], [0, 1, 0])([2])                 # slopes 1 then -1/2
    [1/2]
    """
    ts, vs = [to_rational(t) for t in ts], [to_rational(v) for v in vs]
    pts = sorted(zip(ts, vs))
    if len(ts) < 2 or len(ts) != len(vs) or len(set(ts)) != len(ts):
        raise NetworkError(f"pl_interpolant needs two or more distinct knots, one value each (got {len(ts)} knots "
                           f"and {len(vs)} values)")
    s = [(b[1] - a[1]) / (b[0] - a[0]) for a, b in zip(pts, pts[1:])]
    t0, v0 = pts[0]
    W1 = [[1], [-1]] + [[1]] * (len(pts) - 2)
    b1 = [-t0, t0] + [-t for t, _ in pts[1:-1]]
    a = [s[0], -s[0]] + [s[k] - s[k - 1] for k in range(1, len(s))]
    return ReLUNet([(W1, b1), ([a], [v0])])


def zigzag(n: int) -> ReLUNet:
    """The two-layer interpolant 1 - x + sum_{i=1}^{n-2} 2 (-1)^(i+1) relu(x - 2i) of ``zigzag_data(n)``
    (``pl_interpolant``); slopes +-1, so Lip = 1 = L*.  Its proxy is n (4n - 6)."""
    X, y = zigzag_data(n)
    return pl_interpolant([x[0] for x in X], y)


def zigzag_floor(n: int) -> fmpq:
    """4 (n - 2)^2: a lower bound on the proxy of every two-layer ReLU network that fits ``zigzag_data(n)``
    (see the module docstring for the proof)."""
    n = _count(n, "n", 2)
    return fmpq(4 * (n - 2) ** 2)


def slope_variation(net: ReLUNet) -> fmpq:
    """The total variation of f' over R for a one-input, one-output network, from its exact pieces."""
    ps = pieces(net)
    return sum((abs(q.slope[0] - p.slope[0]) for p, q in zip(ps, ps[1:])), fmpq(0))


def path_sum(net: ReLUNet) -> fmpq:
    """sum_j |a_j| ||w_j||_1 for a two-layer network with one output (for one input, sum_j |a_j w_j|)."""
    if net.depth != 2 or net.output_dim != 1:
        raise NetworkError(f"path_sum is for two-layer networks with one output, got dims {net.dims}")
    (W, _), (A, _) = net.layers
    return sum((abs(A[0, j]) * sum((abs(W[j, k]) for k in range(W.ncols())), fmpq(0)) for j in range(W.nrows())),
               fmpq(0))


FAMILIES = {
    "rescaled": (rescaled_units, rescaled_units_proxy, lambda t: fmpq(1)),
    "deep": (carried_identity, carried_identity_proxy, lambda t: fmpq(1)),
    "cancelling": (lambda t: cancelling_pairs(t, 2), lambda t: cancelling_pairs_proxy(t, 2), lambda t: fmpq(1)),
    "zigzag": (zigzag, lambda n: fmpq(n * (4 * n - 6)), zigzag_floor),
}


@dataclass(frozen=True)
class Row:
    """One member of a family: its parameter t; the proxy P = prod ||W_l||_F^2 computed from the weights (an
    upper bound on Lip^2) and ``formula``, its value by hand; ``floor``, a lower bound on P for every network
    of the member's kind (Lip^2 = 1 for the networks computing relu or the identity, since P >= Lip^2 always;
    4 (n - 2)^2 for every two-layer network fitting the zigzag data); the exact Lip_2^2 on a box holding every
    kink (``lip_sq``; if ``exact`` is False, the proved upper end) and ``lip``, its root when rational (else
    None)."""

    t: fmpq
    proxy: fmpq
    formula: fmpq
    floor: fmpq
    lip_sq: fmpq
    lip: fmpq | None
    exact: bool
    net: ReLUNet = field(repr=False)


def member(family: str, t):
    """(network, proxy by hand, floor) of a family member; families: ``FAMILIES``."""
    if family not in FAMILIES:
        raise NetworkError(f"unknown family {family!r}; choose one of {', '.join(FAMILIES)}")
    make, proxy, floor = FAMILIES[family]
    return make(t), proxy(t), floor(t)


def kink_box(family: str, t):
    """A box (as (lo, hi)) holding every kink of the family member, so that Lip on it is Lip on R."""
    if family == "zigzag":
        return [-1], [2 * _count(t, "n", 2) - 1]
    return [-1], [1]


def husain_balle_demo(family: str = "rescaled", ts=(1, 2, 4, 8)) -> list:
    """Rows (t, proxy, formula, floor, exact Lip) for members of a family: the proxy from the weights
    (``weight_norm_proxy``), Lip by ``lipschitz_constant`` (kernel-certified) on ``kink_box``."""
    rows = []
    for t in ts:
        net, want, floor = member(family, t)
        L = lipschitz_constant(net, 2, box(*kink_box(family, t)))
        rows.append(Row(to_rational(t), weight_norm_proxy(net).value, want, floor, L.upper_sq,
                        L.lower if L.is_exact and L.lower == L.upper else None, L.is_exact, net))
    return rows


def table(rows) -> str:
    """The rows as a text table."""
    lines = ["t        proxy (>= Lip^2)    floor    Lip^2"]
    for r in rows:
        lines.append(f"{fmt(r.t):<8} {fmt(r.proxy):<19} {fmt(r.floor):<8} {fmt(r.lip_sq)}")
    return "\n".join(lines)


__all__ = ["FAMILIES", "Row", "cancelling_pairs", "cancelling_pairs_proxy", "carried_identity",
           "carried_identity_proxy", "husain_balle_demo", "kink_box", "member", "path_sum", "pl_interpolant", "rescaled_units",
           "rescaled_units_proxy", "slope_variation", "table", "zigzag", "zigzag_data", "zigzag_floor"]
