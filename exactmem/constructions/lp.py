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
(``moderate_rho.slab_weights``); the certificate is a moderate-rho certificate with an ``lp`` entry.

>>> from exactmem import Dataset
>>> D = Dataset([[0, 0], [3, 1], [1, 4]], [1, 2, 1])
>>> net, cert = lp_memorizer(D, "1/100", "inf")
>>> cert.data["p"], cert.data["l2"]["data"]["regime"], cert.verify().is_proved
('inf', 'small', True)
"""
from __future__ import annotations

from flint import fmpq

from ..certify.records import Certificate, dataset_payload
from ..data import Dataset
from ..errors import NormError, RhoError
from ..exact import fmt, sqrt_enclosure
from ..norms import INF, check_p, check_rho


def l2_ratio_sq(D: Dataset, rho, p) -> fmpq:
    """rho2^2 = (l_2 radius containing the l_p ball)^2 / eps_2^2, exactly."""
    rho, p = check_rho(rho), check_p(p)
    if p == 2:
        return rho * rho
    e = D.eps(p)
    scale = D.d if p == INF else 1
    return scale * rho * rho * e * e / D.eps_sq


def lp_memorizer(D: Dataset, rho, p, eta=None, regime: str | None = None):
    """(network, certificate) that rho-robustly memorizes D in l_p, p in {1, inf}."""
    from ..memorize import choose_regime, memorize
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
    if choose_regime(D, rho2) == "moderate":
        from .moderate_rho import check_eta, moderate_rho_memorizer
        if regime not in (None, "moderate"):
            raise RhoError(f"the l_2 ratio of rho = {fmt(rho)} lies in the moderate regime, not {regime}")
        net, inner = moderate_rho_memorizer(D, rho2, check_eta(eta), lp=(p, rho))
        inner.data["regime"] = "moderate"
    else:
        net, inner = memorize(D, rho2, regime=regime, eta=eta)
    data = {"p": "inf" if p == INF else str(p), "rho": fmt(rho), "rho2": fmt(rho2), "regime": inner.data["regime"],
            "l2": {"kind": inner.kind, "claim": inner.claim, "data": inner.data}}
    if "eta" in inner.data:
        data["eta"] = inner.data["eta"]
    cert = Certificate("robust-memorization-lp",
                       f"Theorem C.11: the network outputs y_i on every open l_{data['p']} ball B_p(x_i, rho eps_p)",
                       dataset_payload(D), net.to_json(), data)
    return net, cert
