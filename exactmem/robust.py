"""Robust memorization (Definition 2.2 of Kim, Moon & Yun 2025), checked exactly where possible.

f rho-robustly memorizes D if f(x') = y_i for every x' in the open ball B_p(x_i, mu),
mu = rho * eps_{D,p}.  exactmem decides this exactly for any network and any d by the region
analysis of ``exactmem.analysis``: PROVED by a certificate the kernel checks, REFUTED by an exact
point strictly inside a ball (``docs/analysis.md``).  The balls may instead be given by an absolute radius
(``radius=``, ``exactmem.balls``); the semantics default to label for one output, argmax for several.

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
from .errors import DimensionMismatchError, RhoError
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


def robustly_memorizes(net: ReLUNet, D: Dataset, rho=None, p=2, semantics: str | None = None, budget=None,
                       radius=None, executor=None, checkpoint=None, resume=None) -> Verdict:
    """Decide exactly, for any network and any d, whether ``net`` rho-robustly memorizes D in l_p.

    The region analysis of ``exactmem.analysis`` finds a certificate and the kernel checks it (PROVED, with
    ``details["certificate"]``), or a point strictly inside a ball with a wrong output (REFUTED, checked by
    the kernel); ``budget`` as in ``exactmem.analysis.robustly_memorizes``.  ``semantics``: label, argmax or
    sign; by default label for a network with one output and argmax for several.  Give the balls' size as
    ``rho`` (relative to eps_{D,p}) or as an absolute ``radius`` (0 < radius < eps_{D,p}); ``details["balls"]``
    is the ``Balls`` decided.  ``executor`` (``exactmem.parallel``, e.g. ``parallel.executor(2)``): the searches
    run as work-queues over its workers and the kernel checks the certificate in shares (the same verdict).
    ``checkpoint``: a file where the searches keep their state (tree found, open regions), written every 10 s,
    when the budget stops them and on Ctrl-C; ``resume``: continue from such a file (the same certificate as an
    uninterrupted run).

    >>> f = ReLUNet([([[1], [-1]], [0, 0]), ([[-1, 1], [1, -1]], [0, 0])])      # two outputs: (-x, x)
    >>> robustly_memorizes(f, Dataset([[-1], [1]], [2, 1]), radius="1/2").details["balls"].text()
    'open l_2 balls of radius 1/2 = 0.5 (rho = 1/2 = 0.5 of eps_D = 1)'
    """
    from .analysis.decide import robustly_memorizes as decide
    from .balls import Balls, default_semantics
    if (rho is None) == (radius is None):
        raise RhoError("give the balls' size as rho (relative to eps_D) or as an absolute radius, one of the two")
    if semantics is None and isinstance(net, ReLUNet):
        semantics = default_semantics(net.output_dim)
    if rho is not None or not isinstance(D, Dataset):
        v = decide(net, D, rho, p, semantics, budget, executor, checkpoint, resume)
        return _with_balls(v, Balls.from_rho(D, rho, p, semantics))
    balls = Balls.from_radius(D, radius, p, semantics)
    if balls.rho is not None:                       # the same certificate as the rational rho gives
        return _with_balls(decide(net, D, balls.rho, p, semantics, budget, executor, checkpoint, resume), balls)
    return _with_balls(_decide_balls(net, balls, budget, executor, checkpoint, resume), balls)


def _with_balls(v: Verdict, balls) -> Verdict:
    return Verdict(v.status, v.reason, v.witness, {**v.details, "balls": balls})


def _decide_balls(net: ReLUNet, balls, budget, executor=None, checkpoint=None, resume=None) -> Verdict:
    """Balls whose rho is irrational (p = 2): one region-cover question per ball, radius^2 exact."""
    from .analysis import decide
    from .certify.records import Certificate
    D = balls.dataset
    decide.check_question(net, D, balls.semantics, budget)
    doc = Certificate("region-cover", f"the network is right on every {balls.text()} ({balls.semantics} semantics)",
                      None, net.to_json(sparse=True), {"questions": balls.questions(net.output_dim)}).to_json()
    v, cert = decide._decide(doc, budget, "regions", (executor, checkpoint, resume))
    if v.is_refuted:
        w = v.witness
        return Verdict.refuted(f"ball {w['question']} (label {D.labels[w['question']]}): the network outputs "
                               f"{', '.join(w['output'])} at an exact point strictly inside it",
                               {"ball": w["question"], "x": w["x"], "output": w["output"]})
    return Verdict.proved(v.reason, certificate=cert, **v.details) if v.is_proved else v


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
