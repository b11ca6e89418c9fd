"""``memorize`` and ``verify``: end-to-end robust memorizers with certificates (Theorem 4.2 / B.1).

``memorize(D, rho)`` picks the regime of Theorem 4.2 from (N, d, rho) and says which:
``small`` (rho <= 1/(5 N sqrt d), Theorem B.3), ``moderate`` (up to 1/(5 sqrt d), Theorem B.5, with
error eta) or ``large`` (Theorem B.14).  All three are built; the moderate regime needs ``eta``.

>>> from exactmem import Dataset
>>> D = Dataset([[0], [3], [5]], [1, 2, 1])
>>> choose_regime(D, "1/100"), choose_regime(D, "1/10"), choose_regime(D, "9/10")
('small', 'moderate', 'large')
>>> net, cert = memorize(D, "1/100")
>>> verify(net, D, "1/100", cert).is_proved
True
>>> net, cert = memorize(D, "1/10", eta="1/100")
>>> cert.data["regime"], verify(net, D, "1/10", cert).is_proved
('moderate', True)
"""
from __future__ import annotations

from .certify import checker
from .certify.records import Certificate, dataset_payload
from .data import Dataset
from .errors import CertificateError, ExactmemError, RhoError
from .exact import fmt, to_rational
from .network import ReLUNet
from .norms import check_p, check_rho
from .verdict import Verdict


class RegimeNotImplementedError(ExactmemError, NotImplementedError):
    """The regime chosen for (N, d, rho) has no end-to-end construction in this version."""


def choose_regime(D: Dataset, rho) -> str:
    """'small' if rho^2 <= 1/(25 N^2 d), 'moderate' if rho^2 <= 1/(25 d), else 'large' (exact comparisons)."""
    if not isinstance(D, Dataset):
        raise ExactmemError("expected a Dataset")
    rho = check_rho(rho)
    r2 = rho * rho
    if 25 * D.N * D.N * D.d * r2 <= 1:
        return "small"
    if 25 * D.d * r2 <= 1:
        return "moderate"
    return "large"


def memorize(D: Dataset, rho, p=2, eta=None, regime: str | None = None, mc_samples: int = 0):
    """Build (network, certificate) that rho-robustly memorizes D; the certificate says which regime.

    The moderate regime needs ``eta`` in (0, 1) (the error bound) and can add a Monte Carlo estimate with
    ``mc_samples`` exact points per ball (reported only).  ``p`` = 1 or "inf" reduces to l_2
    (Theorem C.11, ``constructions.lp``); the regime is then that of the l_2 ratio."""
    rho = check_rho(rho)
    p = check_p(p)
    if p != 2:
        from .constructions.lp import lp_memorizer
        return lp_memorizer(D, rho, p, eta=eta, regime=regime)
    chosen = choose_regime(D, rho)
    if regime is not None:
        if regime not in ("small", "moderate", "large"):
            raise RhoError(f"unknown regime {regime!r}")
        if regime != chosen:
            raise RhoError(f"rho = {fmt(rho)} lies in the {chosen} regime for N = {D.N}, d = {D.d}, not {regime}")
    if chosen == "moderate":
        from .constructions.moderate_rho import check_eta, moderate_rho_memorizer
        net, cert = moderate_rho_memorizer(D, rho, check_eta(eta), mc_samples=mc_samples)
    elif chosen == "large":
        from .constructions.large_rho import CaseNotImplementedError, large_rho_memorizer
        try:
            net, cert = large_rho_memorizer(D, rho)
        except CaseNotImplementedError as e:
            raise RegimeNotImplementedError(f"rho = {fmt(rho)} is in the large regime: {e}") from None
    else:
        from .constructions.small_rho import small_rho_memorizer
        net, cert = small_rho_memorizer(D, rho)
    cert.data["regime"] = chosen
    return net, cert


def verify(network: ReLUNet, D: Dataset, rho, certificate, eta=None) -> Verdict:
    """Re-check a certificate with the independent checker, after checking it belongs to these objects.

    With ``eta``, a moderate-regime certificate must also promise an error bound of at most eta."""
    if not isinstance(certificate, Certificate):
        certificate = Certificate.from_json(certificate)
    doc = certificate.to_json()
    if doc.get("dataset") != dataset_payload(D):
        raise CertificateError("the certificate was made for a different dataset")
    if doc.get("network") != network.to_json():
        raise CertificateError("the certificate was made for a different network")
    if to_rational(doc.get("data", {}).get("rho", "0")) != check_rho(rho):
        raise CertificateError("the certificate was made for a different rho")
    if eta is not None:
        cert_eta = doc.get("data", {}).get("eta")
        if cert_eta is None:
            raise CertificateError("eta was given but the certificate proves exact robust memorization (no eta)")
        if to_rational(cert_eta) > to_rational(eta):
            raise CertificateError(f"the certificate bounds the error by {cert_eta}, above the requested eta")
    return checker.check(doc)
