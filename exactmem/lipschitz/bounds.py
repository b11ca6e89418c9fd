"""Certified bounds on Lipschitz constants, and weight-norm proxies kept apart from them by type.

``UpperBound`` and ``LowerBound`` bound Lip_p(f) (for p = 2 they bound Lip^2, ``squared``); a
``WeightNormProxy`` is a number computed from the weights that bounds nothing from below: the withdrawn
Husain-Balle argument took a lower bound on such a proxy for one on Lip.  No function here accepts a proxy
where a bound is needed, and comparing one with a bound raises ``ProxyMisuseError``.

Upper bounds (ReLU is 1-Lipschitz in every coordinate, so the Jacobian is W_L D_L ... D_1 W_1 with 0 <= D <= I):
``product_bound`` multiplies exact layer norms (l_1, l_inf operator norms exactly; l_2 by Gram iteration),
``path_bound`` takes the norm of |W_L| ... |W_1| (entrywise absolute values: the sum over paths), never
larger than the product for l_1 and l_inf.  Lower bounds: ``data_bound``, max |y_i - y_j| / ||x_i - x_j||,
which any interpolant of the data must reach, and ``region_bound``, the Jacobian's norm at a point inside a
region.

>>> from exactmem import ReLUNet
>>> f = ReLUNet([([[3, 4]], [0]), ([[1]], [0])])            # relu(3x + 4y): Lip_2 = 5
>>> product_bound(f, 2).value, path_bound(f, "inf").value   # Lip_2^2 <= 25, Lip_inf <= 7
(25, 7)
>>> data_bound([[0, 0], [3, 4]], [0, 10], 2).value          # (10 / 5)^2
4
"""
from __future__ import annotations

from dataclasses import dataclass

import math

import mpmath
from flint import fmpq, fmpq_mat

from ..errors import DimensionMismatchError, NetworkError, ProxyMisuseError
from ..exact import fmt, to_rational, to_vector
from ..network import ReLUNet
from ..norms import kernel_p


class _Bound:
    side = ""

    def __init__(self, value, p, method):
        self.value, self.p, self.method = to_rational(value), kernel_p(p), method

    @property
    def squared(self) -> bool:
        return self.p == 2

    def _other(self, o):
        if isinstance(o, WeightNormProxy):
            raise ProxyMisuseError(f"a weight-norm proxy ({o.name}) is not a bound on the Lipschitz constant and "
                                   f"cannot be compared with one")
        return o

    def __lt__(self, o):
        return self.value < self._other(o).value

    def __repr__(self):
        return f"{type(self).__name__}({'Lip^2' if self.squared else 'Lip'} {self.side} {fmt(self.value)}, " \
               f"p={self.p}, {self.method})"


class UpperBound(_Bound):
    """Lip_p(f) <= value (Lip^2 for p = 2), certified exactly by ``method``."""
    side = "<="


class LowerBound(_Bound):
    """Lip_p(f) >= value (Lip^2 for p = 2)."""
    side = ">="

    def __init__(self, value, p, method):
        if isinstance(value, WeightNormProxy):
            raise ProxyMisuseError("a lower bound on a weight-norm proxy is not a lower bound on Lip (the error of "
                                   "the withdrawn Husain-Balle paper)")
        super().__init__(value, p, method)


@dataclass(frozen=True)
class WeightNormProxy:
    """A norm of the weights, e.g. the product of Frobenius norms: it bounds no Lipschitz constant from below."""

    value: fmpq
    name: str

    def __lt__(self, o):
        raise ProxyMisuseError(f"a weight-norm proxy ({self.name}) is not comparable with bounds on Lip")

    __le__ = __gt__ = __ge__ = __lt__

    def __float__(self):
        raise ProxyMisuseError("a weight-norm proxy has no float meaning as a Lipschitz bound; use .value explicitly")


def best(bounds):
    """(largest lower bound, smallest upper bound) among LowerBound and UpperBound objects of one p."""
    lo, hi = None, None
    for b in bounds:
        if isinstance(b, WeightNormProxy) or not isinstance(b, (LowerBound, UpperBound)):
            raise ProxyMisuseError(f"best() takes LowerBound and UpperBound objects only, got {type(b).__name__}")
        if isinstance(b, LowerBound):
            lo = b if lo is None or lo.value < b.value else lo
        else:
            hi = b if hi is None or b.value < hi.value else hi
    return lo, hi


def _root_up(F, k):
    """A rational r >= F^(1/k) (F >= 0 rational), within about 2^-60 relative."""
    if F == 0 or k == 1:
        return F
    a, b, e = int(F.p), int(F.q), k                           # exact when F is a 2^t-th power
    while e > 1 and math.isqrt(a) ** 2 == a and math.isqrt(b) ** 2 == b:
        a, b, e = math.isqrt(a), math.isqrt(b), e // 2
    if e == 1:
        return fmpq(a, b)
    with mpmath.workprec(80):
        r = mpmath.root(mpmath.mpf(int(F.p)) / int(F.q), k) * (1 + mpmath.mpf(2) ** -60)
        m, e = mpmath.frexp(r)
        num = int(mpmath.ceil(m * 2 ** 64))
    q = fmpq(num) * (fmpq(2) ** (e - 64) if e >= 64 else fmpq(1, 2 ** (64 - e)))
    while q ** k < F:                                          # never in practice; keeps the bound honest
        q *= fmpq(1025, 1024)
    return q


def gram_bound(W, steps: int = 3) -> fmpq:
    """A rational upper bound on sigma_max(W)^2 by Gram iteration: G_0 = W, G_{t+1} = G_t^T G_t satisfy
    sigma_max^(2^(t+1)) <= ||G_t||_F^2; the best over t = 0..steps (t = 0 is ||W||_F^2)."""
    G = W if isinstance(W, fmpq_mat) else fmpq_mat([[to_rational(t) for t in r] for r in W])
    best_, k = None, 1
    for t in range(steps + 1):
        F = sum((G[i, j] ** 2 for i in range(G.nrows()) for j in range(G.ncols())), fmpq(0))
        u = _root_up(F, k)
        best_ = u if best_ is None or u < best_ else best_
        G, k = G.transpose() * G, 2 * k
    return best_


def layer_norm(W, p, steps: int = 3) -> fmpq:
    """The operator norm of W from l_p to l_p: exact for p = 1 (largest column sum of |W|) and p = inf (largest
    row sum); for p = 2 a rational upper bound on its square (``gram_bound``)."""
    p = kernel_p(p)
    M = W if isinstance(W, fmpq_mat) else fmpq_mat([[to_rational(t) for t in r] for r in W])
    if p == 2:
        return gram_bound(M, steps)
    sums = [sum((abs(M[i, j]) for j in range(M.ncols())), fmpq(0)) for i in range(M.nrows())] if p == "inf" else \
        [sum((abs(M[i, j]) for i in range(M.nrows())), fmpq(0)) for j in range(M.ncols())]
    return max(sums)


def _net(net):
    if not isinstance(net, ReLUNet):
        raise NetworkError(f"expected a ReLUNet, got {type(net).__name__}")
    return [W for W, _ in net.layers]


def product_bound(net, p=2, steps: int = 3) -> UpperBound:
    """Lip_p <= product of the layers' l_p operator norms (for p = 2: Lip^2 <= product of Gram bounds), on all of
    R^d; with one output the last factor is the dual norm of its row, with several the operator norm."""
    out = fmpq(1)
    for W in _net(net):
        out *= layer_norm(W, p, steps)
    return UpperBound(out, p, "product of layer norms" + (f" (Gram iteration, {steps} steps)" if kernel_p(p) == 2 else ""))


def path_bound(net, p=2, steps: int = 3) -> UpperBound:
    """Lip_p <= ||(|W_L| ... |W_1|)||_p, the norm of the entrywise absolute product (a sum over paths), on R^d."""
    Ws = _net(net)
    A = None
    for W in Ws:
        B = fmpq_mat([[abs(W[i, j]) for j in range(W.ncols())] for i in range(W.nrows())])
        A = B if A is None else B * A
    return UpperBound(layer_norm(A, p, steps), p, "norm of the product of |W| (paths)")


def data_bound(X, y, p=2) -> LowerBound:
    """max over pairs of |y_i - y_j| / ||x_i - x_j||_p (squared for p = 2): every interpolant's Lip is at least
    this, and the McShane extension attains it."""
    p = kernel_p(p)
    pts, ys = [to_vector(x, f"x[{i}]") for i, x in enumerate(X)], [to_rational(t) for t in y]
    if len(pts) != len(ys) or len(pts) < 2:
        raise DimensionMismatchError(f"data_bound needs two or more points with one value each, got {len(pts)} "
                                     f"points and {len(ys)} values")
    return LowerBound(steepest(pts, ys, p)[0], p, "data: max |y_i - y_j| / ||x_i - x_j||")


def steepest(pts, ys, p):
    """(max over pairs of |y_i - y_j| / ||x_i - x_j||_p, squared for p = 2; the first pair (j, i) attaining it, or
    (0, 0) when no pair has different values), for exact points and values; coinciding points must agree."""
    best_, pair = fmpq(0), (0, 0)
    for i in range(len(pts)):
        for j in range(i):
            v = [a - b for a, b in zip(pts[i], pts[j])]
            n = sum((t * t for t in v), fmpq(0)) if p == 2 else \
                max(map(abs, v)) if p == "inf" else sum(map(abs, v), fmpq(0))
            if n == 0:
                if ys[i] != ys[j]:
                    raise DimensionMismatchError(f"points {j} and {i} coincide with different values: no function "
                                                 f"interpolates them")
                continue
            dy = abs(ys[i] - ys[j])
            q = dy * dy / n if p == 2 else dy / n
            if q > best_:
                best_, pair = q, (j, i)
    return best_, pair


def region_bound(net, x, p=2) -> LowerBound:
    """||J(x)|| (squared for p = 2): the network is affine near an exact point x where no hidden pre-activation
    is 0, so this is a lower bound on its Lipschitz constant on every set with x in its interior (for several
    outputs and p = 2 a rational below the largest eigenvalue of J^T J).

    >>> region_bound(ReLUNet([([[3, 4]], [0]), ([[1]], [0])]), [1, 1], 2).value       # grad (3, 4)
    25
    """
    from ..exact import largest_eigenvalue
    from ..kernel.lipschitz import _top, jacobian
    p = kernel_p(p)
    if not isinstance(net, ReLUNet):
        raise NetworkError(f"expected a ReLUNet, got {type(net).__name__}")
    x = to_vector(x, "x")
    if len(x) != net.input_dim:
        raise DimensionMismatchError(f"the network takes {net.input_dim} inputs, x has {len(x)}")
    J = jacobian(net.sparse_layers(), x, net.input_dim)
    if J is None:
        raise NetworkError("x lies on a kink (a hidden pre-activation is 0 there): no region has it inside")
    if len(J) > 1 and p == 2:
        A = fmpq_mat(J)
        value = largest_eigenvalue(A * A.transpose() if len(J) <= len(J[0]) else A.transpose() * A).lo
    else:
        value = _top(J, p)
    return LowerBound(value, p, "the Jacobian's norm on one region, at an interior point")


def weight_norm_proxy(net) -> WeightNormProxy:
    """The product of the layers' squared Frobenius norms: a weight-norm proxy (an upper bound on Lip^2, and
    nothing from below)."""
    out = fmpq(1)
    for W in _net(net):
        out *= sum((W[i, j] ** 2 for i in range(W.nrows()) for j in range(W.ncols())), fmpq(0))
    return WeightNormProxy(out, "product of squared Frobenius norms")
