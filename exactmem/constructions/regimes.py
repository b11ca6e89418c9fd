"""The three regimes of Theorem 4.2 and the construction that serves each (Theorems B.3, B.5, B.14).

>>> from exactmem import Dataset
>>> D = Dataset([[0], [3], [5]], [1, 2, 1])
>>> choose_regime(D, "1/100"), choose_regime(D, "1/10"), choose_regime(D, "9/10")
('small', 'moderate', 'large')
"""
from __future__ import annotations

from ..data import Dataset
from ..errors import ExactmemError, RhoError
from ..exact import fmt
from ..norms import check_rho

REGIMES = ("small", "moderate", "large")


class RegimeNotImplementedError(ExactmemError, NotImplementedError):
    """The regime chosen for (N, d, rho) has no end-to-end construction in this version."""


def choose_regime(D: Dataset, rho) -> str:
    """'small' if rho^2 <= 1/(25 N^2 d), 'moderate' if rho^2 <= 1/(25 d), else 'large' (exact comparisons)."""
    if not isinstance(D, Dataset):
        raise ExactmemError(f"expected a Dataset, got {type(D).__name__}")
    rho = check_rho(rho)
    r2 = rho * rho
    if 25 * D.N * D.N * D.d * r2 <= 1:
        return "small"
    if 25 * D.d * r2 <= 1:
        return "moderate"
    return "large"


def build(D: Dataset, rho, eta=None, regime=None, mc_samples: int = 0, lp=None):
    """(network, certificate, regime) for the l_2 ratio rho; ``regime`` must agree with rho when given.
    ``lp = (p, rho_p)``: the certificate claims l_p robustness at rho_p (the l_2 balls of rho contain them)."""
    chosen = choose_regime(D, rho)
    if regime is not None and regime != chosen:
        if regime not in REGIMES:
            raise RhoError(f"unknown regime {regime!r}; use one of {', '.join(REGIMES)}")
        raise RhoError(f"rho = {fmt(check_rho(rho))} lies in the {chosen} regime for N = {D.N}, d = {D.d}, not {regime}")
    if chosen == "moderate":
        from .moderate_rho import check_eta, moderate_rho_memorizer
        net, cert = moderate_rho_memorizer(D, rho, check_eta(eta), mc_samples=mc_samples, lp=lp)
    elif chosen == "large":
        from .large_rho import CaseNotImplementedError, large_rho_memorizer
        try:
            net, cert = large_rho_memorizer(D, rho)
        except CaseNotImplementedError as e:
            raise RegimeNotImplementedError(f"rho = {fmt(check_rho(rho))} is in the large regime: {e}") from None
    else:
        from .small_rho import small_rho_memorizer
        net, cert = small_rho_memorizer(D, rho)
    cert.info["regime"] = chosen
    return net, cert, chosen
