"""Two-layer ReLU networks that interpolate data EXACTLY: trained in floats, corrected in rationals.

For f(x) = sum_l a_l relu(w_l.x + b_l) + c and data (x_i, y_i), fix a and the activation pattern
s_il = [w_l.x_i + b_l > 0] of the data.  Then f(x_i) = sum_l a_l s_il (w_l.x_i + b_l) + c is linear in
theta = (W, b, c): A theta = f(X), with row i of A equal to (a_l s_il x_i over l, a_l s_il over l, 1).
``correct`` solves for the correction of least Euclidean norm, Delta = A^T (A A^T)^{-1} (y - f(X)), in exact
rationals, and accepts it only if no pre-activation at a data point changes sign or becomes 0 (then the
pattern, hence the linear model, is still right) and exact evaluation gives f(x_i) = y_i for every i.
``train`` is the float finder (full-batch Adam on the square loss, numpy, seeded, then L-BFGS); ``trained_interpolant``
retrains with the next seed when the correction is refused.  ``cap_interpolant`` is a constructed
interpolant of points on the sphere: one unit per point, relu((x_i.x - (1 - delta_i)) / delta_i), times y_i.

>>> from exactmem import ReLUNet
>>> X, y = [[1, 0], [0, 1]], [1, -1]
>>> net = ReLUNet([([[1, 0], [0, 1]], ["1/2", "1/2"]), ([[2, -2]], [0])])   # f(X) = (2, -2)
>>> fix = correct(net, X, y)
>>> fix.net.evaluate(X).entries(), interpolates(fix.net, X, y).is_proved
([1, -1], True)
>>> interpolates(net, X, y).witness
{'index': 0, 'value': '2', 'label': '1'}
>>> cap_interpolant(X, y).evaluate(X).entries()
[1, -1]
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flint import fmpq, fmpq_mat

from ..errors import DimensionMismatchError, NetworkError
from ..exact import fmt, to_matrix, to_rational
from ..network import ReLUNet
from ..verdict import Verdict

DEFAULT_STEPS = 2000
POLISH = 3000
BITS = (10, 16, 24, 32)
ATTEMPTS = 5


@dataclass(frozen=True)
class Correction:
    """The exactly interpolating network (``net``, None when refused), what happened (``reason``) and its
    ``kind``: "exact", or why not: "overdetermined", "zero" (a pre-activation is 0 at a data point), "singular"
    (A A^T), "flip" (the correction changes the pattern), "miss" (exact evaluation disagrees); ``margin``: the
    least |pre-activation| at a data point after the correction (0 when refused)."""

    net: ReLUNet | None
    kind: str
    reason: str
    margin: fmpq = fmpq(0)
    details: dict = field(default_factory=dict)


def _data(X, y):
    Xm = to_matrix(X, "points")
    ys = [to_rational(t) for t in y]
    if Xm.nrows() != len(ys):
        raise DimensionMismatchError(f"{Xm.nrows()} points but {len(ys)} labels")
    if not ys:
        raise DimensionMismatchError("no data points")
    return Xm, ys


def _two_layer(net, d):
    if not isinstance(net, ReLUNet):
        raise NetworkError(f"expected a ReLUNet, got {type(net).__name__}")
    if net.depth != 2 or net.output_dim != 1:
        raise NetworkError(f"expected a two-layer network with one output, got dims {net.dims}")
    if net.input_dim != d:
        raise DimensionMismatchError(f"the network takes {net.input_dim} inputs but the points have dimension {d}")
    return net.layers


def interpolates(net: ReLUNet, X, y) -> Verdict:
    """PROVED if net(x_i) = y_i for every i, by exact evaluation; REFUTED with the first point that misses."""
    Xm, ys = _data(X, y)
    out = net.evaluate(Xm).entries()
    for i, (v, t) in enumerate(zip(out, ys)):
        if v != t:
            return Verdict.refuted(f"f(x_{i}) = {fmt(v)} but y_{i} = {fmt(t)}",
                                   {"index": i, "value": fmt(v), "label": fmt(t)})
    return Verdict.proved(f"f(x_i) = y_i exactly at all {len(ys)} points (exact evaluation)")


def _overdetermined(n, d, k):
    return (f"n = {n} equations but only k(d+1)+1 = {k * (d + 1) + 1} unknowns (W, b, c): the fixed-pattern system "
            f"is overdetermined, so this method cannot interpolate with width {k} (which proves nothing about "
            f"other width-{k} networks)")


def correct(net: ReLUNet, X, y) -> Correction:
    """The least-norm exact correction of (W, b, c) that makes a two-layer net interpolate; see the module."""
    Xm, ys = _data(X, y)
    n, d = Xm.nrows(), Xm.ncols()
    (W, b), (a, c) = _two_layer(net, d)
    k = W.nrows()
    unknowns = k * (d + 1) + 1
    if n > unknowns:
        return Correction(None, "overdetermined", _overdetermined(n, d, k))
    Z = Xm * W.transpose() + fmpq_mat(n, 1, [1] * n) * b.transpose()          # n x k pre-activations
    zs = Z.tolist()
    for i, row in enumerate(zs):
        for l, z in enumerate(row):
            if z == 0:
                return Correction(None, "zero", f"the pre-activation of unit {l} is 0 at x_{i}: the pattern is "
                                                f"ambiguous")
    S = [[1 if z > 0 else 0 for z in row] for row in zs]
    av = a.entries()
    xs = Xm.tolist()
    A = fmpq_mat(n, unknowns)
    for i in range(n):
        for l in range(k):
            if S[i][l] and av[l] != 0:
                for j in range(d):
                    A[i, l * d + j] = av[l] * xs[i][j]
                A[i, k * d + l] = av[l]
        A[i, k * d + k] = 1
    f = [sum((av[l] * zs[i][l] for l in range(k) if S[i][l]), fmpq(0)) + c[0, 0] for i in range(n)]
    r = fmpq_mat(n, 1, [t - v for t, v in zip(ys, f)])
    G = A * A.transpose()
    if G.rank() < n:
        return Correction(None, "singular", f"the {n} fixed-pattern equations are dependent (rank {G.rank()} < "
                                            f"{n}): A A^T is singular")
    delta = A.transpose() * G.solve(r)
    dv = delta.entries()
    dW = fmpq_mat(k, d, dv[:k * d])
    db = fmpq_mat(k, 1, dv[k * d:k * d + k])
    W2, b2, c2 = W + dW, b + db, c + fmpq_mat(1, 1, [dv[-1]])
    Z2 = (Xm * W2.transpose() + fmpq_mat(n, 1, [1] * n) * b2.transpose()).tolist()
    for i in range(n):
        for l in range(k):
            z = Z2[i][l]
            if z == 0 or (z > 0) != bool(S[i][l]):
                return Correction(None, "flip", f"the correction would move the pre-activation of unit {l} at x_{i} "
                                                f"from {float(zs[i][l]):.3g} to {float(z):.3g} (the pattern changes)")
    fixed = ReLUNet([(W2, b2), (a, c2)])
    v = interpolates(fixed, Xm, ys)
    if not v.is_proved:                       # the linear algebra says it cannot happen; never trust it
        return Correction(None, "miss", f"exact evaluation after the correction: {v.reason}")
    margin = min(abs(z) for row in Z2 for z in row)
    size = sum((t * t for t in dv), fmpq(0))
    return Correction(fixed, "exact", v.reason, margin, {"correction_sq": size})


def _unpack(theta, k, d):
    return (theta[:k * d].reshape(k, d), theta[k * d:k * d + k], theta[k * d + k:k * d + 2 * k], theta[-1:])


def _loss_and_gradient(theta, Xf, yf, k):
    """The summed square loss of the two-layer net with flat parameters theta, and its gradient (floats)."""
    import numpy as np
    W, b, a, c = _unpack(theta, k, Xf.shape[1])
    Z = Xf @ W.T + b
    H = np.maximum(Z, 0)
    e = H @ a + c[0] - yf
    G = np.outer(2 * e, a) * (Z > 0)
    return float(e @ e), np.concatenate([(G.T @ Xf).ravel(), G.sum(0), H.T @ (2 * e), [2 * e.sum()]])


def train(X, y, k: int, seed: int = 0, steps: int = DEFAULT_STEPS, lr: float = 0.01, polish: int = POLISH):
    """Float weights (W, b, a, c) of a width-k two-layer net fitted to (X, y): ``steps`` of full-batch Adam on
    the square loss from a seeded Gaussian start, then at most ``polish`` L-BFGS iterations (scipy) to drive
    the residuals towards 0.  A finder: nothing here is exact, and it may fail to fit."""
    import numpy as np
    from scipy.optimize import minimize
    Xf = np.array([[float(t) for t in row] for row in to_matrix(X, "points").tolist()])
    yf = np.array([float(to_rational(t)) for t in y])
    n, d = Xf.shape
    rng = np.random.default_rng([seed, n, d, k, 2])
    theta = np.concatenate([rng.standard_normal(k * d), 0.5 * rng.standard_normal(k),
                            rng.standard_normal(k) / np.sqrt(k), [0.0]])
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    for t in range(1, steps + 1):
        loss, g = _loss_and_gradient(theta, Xf, yf, k)
        if loss < 1e-20:
            break
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        theta = theta - lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-12)
    if polish:
        r = minimize(_loss_and_gradient, theta, args=(Xf, yf, k), jac=True, method="L-BFGS-B",
                     options={"maxiter": polish, "maxfun": 2 * polish, "ftol": 0.0, "gtol": 0.0, "maxcor": 30})
        theta = r.x
    return list(_unpack(theta, k, d))


def dyadic_net(params, bits: int = 10) -> ReLUNet:
    """The two-layer ReLUNet of float weights (W, b, a, c) rounded to multiples of 2^-bits (exact)."""
    W, b, a, c = params

    def q(v):
        return fmpq(int(round(float(v) * 2 ** bits)), 2 ** bits)

    return ReLUNet([([[q(t) for t in row] for row in W], [q(t) for t in b]), ([[q(t) for t in a]], [q(c[0])])])


def trained_interpolant(X, y, k: int, seed: int = 0, steps: int = DEFAULT_STEPS, attempts: int = ATTEMPTS):
    """(net, log): train, round to dyadics (2^-10, 2^-16, ... until the correction is accepted: the shortest
    numbers that work), correct exactly; on refusal retrain with seed + 1, ... (at most ``attempts`` seeds).
    ``net`` is None if every attempt was refused; ``log`` lists (seed, bits, reason) per try."""
    Xm, ys = _data(X, y)
    n, d = Xm.nrows(), Xm.ncols()
    if n > k * (d + 1) + 1:
        return None, [(seed, None, _overdetermined(n, d, k))]
    log = []
    for s in range(seed, seed + attempts):
        params = train(Xm, ys, k, s, steps)
        for bits in BITS:
            fix = correct(dyadic_net(params, bits), Xm, ys)
            log.append((s, bits, fix.reason))
            if fix.net is not None:
                return fix.net, log
            if fix.kind == "singular":          # finer rounding leaves the pattern, hence the rank, alone
                break
    return None, log


def cap_interpolant(X, y) -> ReLUNet:
    """sum_i y_i relu((x_i.x - (1 - delta_i)) / delta_i) for distinct points on the unit sphere, with
    delta_i = min_{j != i} (1 - x_i.x_j) > 0: unit i is 1 at x_i and 0 at every other data point."""
    Xm, ys = _data(X, y)
    n = Xm.nrows()
    xs = Xm.tolist()
    for i, x in enumerate(xs):
        if sum((t * t for t in x), fmpq(0)) != 1:
            raise DimensionMismatchError(f"cap_interpolant needs points on the unit sphere; |x_{i}|^2 != 1")
    if n < 2:
        raise DimensionMismatchError("cap_interpolant needs two or more points")
    G = (Xm * Xm.transpose()).tolist()
    deltas = [min(1 - G[i][j] for j in range(n) if j != i) for i in range(n)]
    if min(deltas) <= 0:
        raise DimensionMismatchError("cap_interpolant needs distinct points")
    W = [[t / e for t in x] for x, e in zip(xs, deltas)]
    b = [(e - 1) / e for e in deltas]
    return ReLUNet([(W, b), ([ys], [0])])
