"""Robust memorization (Definition 2.2 of Kim, Moon & Yun 2025), checked exactly where possible.

f rho-robustly memorizes D if f(x') = y_i for every x' in the open ball B_p(x_i, mu),
mu = rho * eps_{D,p}.  exactmem decides this exactly for any network and any d by the region
analysis of ``exactmem.analysis``: PROVED by a certificate the kernel checks, REFUTED by an exact
point strictly inside a ball (``docs/analysis.md``).

>>> from exactmem import Dataset, ReLUNet
>>> D = Dataset([[0], [4]], [1, 2])                 # eps_D = 2
>>> f = ReLUNet([([[1], [1]], [-1, -3]), ([["1/2", "-1/2"]], [1])])  # ramp from 1 to 2 on [1, 3]
>>> robustly_memorizes(f, D, "1/2").is_proved
True
>>> robustly_memorizes(f, D, "3/4").is_refuted
True
"""
from __future__ import annotations

from flint import fmpq

from .data import Dataset
from .errors import DimensionMismatchError
from .exact import fmt
from .network import ReLUNet
from .norms import check_p, check_rho
from .verdict import Verdict


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


def robustly_memorizes(net: ReLUNet, D: Dataset, rho, p=2, semantics: str = "label", budget=None) -> Verdict:
    """Decide exactly, for any network and any d, whether ``net`` rho-robustly memorizes D in l_p.

    The region analysis of ``exactmem.analysis`` finds a certificate and the kernel checks it (PROVED, with
    ``details["certificate"]``), or a point strictly inside a ball with a wrong output (REFUTED, checked by
    the kernel); ``semantics`` and ``budget`` as in ``exactmem.analysis.robustly_memorizes``."""
    from .analysis.decide import robustly_memorizes as decide
    return decide(net, D, rho, p, semantics, budget)


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
