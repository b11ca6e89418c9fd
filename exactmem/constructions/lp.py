"""l_p robust memorization for p = 1 and p = inf through the l_2 constructions (Theorems C.11-C.14).

An open l_p ball of radius mu_p lies in the open l_2 ball of radius mu_p (p = 1, since ||v||_2 <= ||v||_1)
or sqrt(d) mu_p (p = inf, since ||v||_2 <= sqrt(d) ||v||_inf).  So a network that rho2-robustly
memorizes D in l_2 with

    rho2^2 eps_2^2 >= rho^2 eps_1^2        (p = 1),        rho2^2 eps_2^2 >= d rho^2 eps_inf^2   (p = inf)

rho-robustly memorizes D in l_p.  The paper takes rho2 = gamma_p(d) rho with gamma_p(d) = d^|1/p - 1/2|;
exactmem takes the exact ratio above (rounded up to a rational), which is never larger, because
eps_1 <= sqrt(d) eps_2 and eps_inf <= eps_2.  The l_2 regime is then chosen for rho2.

In the moderate regime containment is not enough: the error is a probability under the uniform
measure of the l_p ball, not of the l_2 ball containing it (the same gap as the projected-space step
of Theorem B.5; docs/errata.md).  There the l_2 construction for rho2 is used unchanged and only Floor's
gamma is chosen for the l_p measure, with the slab bound d / (2 h_K(w)) of Brunn's concavity
(``moderate_rho.slab_weights``).  Either way the certificate claims l_p robustness itself: the kernel
analyses the network on the l_p balls (their sources' ranges are exact rationals) and, in the moderate
regime, bounds the excluded slabs under the l_p ball's own uniform measure.

>>> from exactmem import Dataset
>>> D = Dataset([[0, 0], [3, 1], [1, 4]], [1, 2, 1])
>>> net, cert = lp_memorizer(D, "1/100", "inf")
>>> cert.data["p"], cert.info["regime"], cert.verify().is_proved
('inf', 'small', True)
"""
from __future__ import annotations

from flint import fmpq

from ..certify.records import norm_name, robust_certificate
from ..data import Dataset
from ..errors import NormError, RhoError
from ..exact import fmt, sqrt_enclosure
from ..norms import INF, check_p, check_rho
from .regimes import build


def l2_ratio_sq(D: Dataset, rho, p) -> fmpq:
    """rho2^2 = (l_2 radius containing the l_p ball)^2 / eps_2^2, exactly."""
    rho, p = check_rho(rho), check_p(p)
    if p == 2:
        return rho * rho
    e = D.eps(p)
    scale = D.d if p == INF else 1
    return scale * rho * rho * e * e / D.eps_sq


def lp_memorizer(D: Dataset, rho, p, eta=None, regime: str | None = None):
    """(network, certificate) that rho-robustly memorizes D in l_p, p in {1, inf}: the l_2 construction for the
    ratio rho2 whose balls contain the l_p balls, certified directly for the l_p balls."""
    rho, p = check_rho(rho), check_p(p)
    if p == 2:
        raise NormError("p = 2 needs no reduction; call memorize(D, rho)")
    r2 = l2_ratio_sq(D, rho, p)
    if r2 >= 1:
        raise RhoError(f"rho = {fmt(rho)} maps to an l_2 ratio >= 1 (rho2^2 = {fmt(r2)}); Theorem C.11 covers "
                       f"rho < 1/gamma_p(d) only")
    prec = 64
    rho2 = sqrt_enclosure(r2, prec).hi
    while rho2 >= 1:
        prec *= 2
        rho2 = sqrt_enclosure(r2, prec).hi
    net, inner, chosen = build(D, rho2, eta, regime, lp=(p, rho))
    info = {**inner.info, "rho2": fmt(rho2), "construction": f"Theorem C.11 via {inner.info['construction']}"}
    cert = robust_certificate(D, net, rho, p, eta if chosen == "moderate" else None, hints=inner.hints, info=info,
                              claim=f"Theorem C.11: the network outputs y_i on every open l_{norm_name(p)} ball "
                                    f"B_p(x_i, rho eps_p)" + (" except on a set of probability below eta"
                                                             if chosen == "moderate" else ""))
    return net, cert
