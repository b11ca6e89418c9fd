"""Robust memorization (Definition 2.2 of Kim, Moon & Yun 2025), checked exactly where possible.

f rho-robustly memorizes D if f(x') = y_i for every x' in the open ball B_p(x_i, mu),
mu = rho * eps_{D,p}.  exactmem decides this exactly when the input is one-dimensional
(the ball is an interval and the network's pieces are computed exactly).  In higher
dimensions it can still *refute* soundly: it evaluates the network exactly at rational
points that provably lie in the ball; a wrong label there is an exact counterexample.

>>> from exactmem import Dataset, ReLUNet
>>> D = Dataset([[0], [4]], [1, 2])                 # eps_D = 2
>>> f = ReLUNet([([[1], [1]], [-1, -3]), ([["1/2", "-1/2"]], [1])])  # ramp from 1 to 2 on [1, 3]
>>> robustly_memorizes(f, D, "1/2").is_proved
True
>>> robustly_memorizes(f, D, "3/4").is_refuted
True
"""
from __future__ import annotations

from flint import fmpq, fmpq_mat

from .data import Dataset
from .errors import DimensionMismatchError, NetworkError
from .exact import fmt
from .network import ReLUNet
from .norms import check_p, check_rho
from .pl1d import constant_on
from .verdict import Verdict


def _check_args(net, D, rho, p):
    if not isinstance(net, ReLUNet):
        raise NetworkError("expected a ReLUNet")
    if not isinstance(D, Dataset):
        raise NetworkError("expected a Dataset")
    if net.input_dim != D.d:
        raise DimensionMismatchError(f"the network takes {net.input_dim} inputs but the data have d = {D.d}")
    if net.output_dim != 1:
        raise DimensionMismatchError(f"robust memorization needs a scalar output, the network has {net.output_dim}")
    return check_rho(rho), check_p(p)


def ball_probe_points(D: Dataset, i: int, rho, p=2) -> list:
    """Exact rational points inside B_p(x_i, mu): the centre and centre +- r e_j with r < mu rational."""
    rho, p = check_rho(rho), check_p(p)
    x = D.point(i)
    if p == 2:  # largest dyadic r with r**2 < mu**2, a safe inner radius
        mu2 = D.mu_sq(rho)
        r = _inner_radius(mu2)
    else:
        r = D.radius(rho, p) * fmpq(99, 100)
    pts = [list(x)]
    for j in range(D.d):
        for sgn in (1, -1):
            y = list(x)
            y[j] = y[j] + sgn * r
            pts.append(y)
    return pts


def _inner_radius(mu2: fmpq) -> fmpq:
    r = fmpq(1)
    while r * r >= mu2:
        r /= 2
    while (2 * r) ** 2 < mu2:
        r *= 2
    # refine: r in [sqrt(mu2)/2, sqrt(mu2)); bisect a few times towards sqrt(mu2)
    hi = 2 * r
    for _ in range(20):
        mid = (r + hi) / 2
        if mid * mid < mu2:
            r = mid
        else:
            hi = mid
    return r


def robustly_memorizes(net: ReLUNet, D: Dataset, rho, p=2) -> Verdict:
    """Decide (d = 1) or try to refute (d > 1) that ``net`` rho-robustly memorizes ``D`` in l_p."""
    rho, p = _check_args(net, D, rho, p)
    if D.d == 1:
        mu = rho * D.eps(1)  # in one dimension every l_p norm is |.|, and eps is rational
        for i in range(D.N):
            x = D.point(i)[0]
            v = constant_on(net, x - mu, x + mu, D.labels[i])
            if v.is_refuted:
                return Verdict.refuted(f"ball {i} (label {D.labels[i]}): {v.reason}",
                                       {"ball": i, **v.witness})
        return Verdict.proved(f"exact piecewise-linear analysis of all {D.N} intervals (x_i - mu, x_i + mu), "
                              f"mu = {fmt(mu)}", count=D.N)
    probes = []
    owners = []
    for i in range(D.N):
        for y in ball_probe_points(D, i, rho, p):
            probes.append(y)
            owners.append(i)
    out = net.evaluate(fmpq_mat(probes)).entries()
    for y, i, v in zip(probes, owners, out):
        if v != D.labels[i]:
            return Verdict.refuted(f"at a point of ball {i} the network outputs {fmt(v)} instead of {D.labels[i]}",
                                   {"ball": i, "x": [fmt(t) for t in y], "value": fmt(v)})
    return Verdict.undecided(
        f"no counterexample among {len(probes)} exact probe points; exact region analysis for inputs of "
        f"dimension {D.d} is not available for arbitrary networks (use a construction's certificate)")


def memorizes(net: ReLUNet, D: Dataset) -> Verdict:
    """Exact (non-robust) memorization: net(x_i) = y_i for every i, by one batched exact evaluation."""
    if net.input_dim != D.d:
        raise DimensionMismatchError(f"the network takes {net.input_dim} inputs but the data have d = {D.d}")
    out = net.evaluate(D.points).entries()
    for i, (v, y) in enumerate(zip(out, D.labels)):
        if v != y:
            return Verdict.refuted(f"net(x_{i}) = {fmt(v)} but y_{i} = {y}", {"index": i, "value": fmt(v)})
    return Verdict.proved(f"net(x_i) = y_i for all {D.N} points (exact evaluation)")


__all__ = ["robustly_memorizes", "memorizes", "ball_probe_points"]
