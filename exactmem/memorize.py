"""``memorize`` and ``verify``: end-to-end robust memorizers with certificates (Theorem 4.2 / B.1).

``memorize(D, rho)`` picks the regime of Theorem 4.2 from (N, d, rho) and says which (``cert.info``):
``small`` (rho <= 1/(5 N sqrt d), Theorem B.3), ``moderate`` (up to 1/(5 sqrt d), Theorem B.5, with
error eta) or ``large`` (Theorem B.14).  ``verify`` asks the kernel whether the certificate proves that
*this* network rho-robustly memorizes *this* dataset in l_p.

>>> from exactmem import Dataset
>>> D = Dataset([[0], [3], [5]], [1, 2, 1])
>>> net, cert = memorize(D, "1/100")
>>> verify(net, D, "1/100", cert).is_proved, verify(net, D, "1/1000", cert).is_proved    # any rho' <= rho
(True, True)
>>> net, cert = memorize(D, "1/10", eta="1/100")
>>> v = verify(net, D, "1/10", cert)
>>> cert.info["regime"], v.is_proved, v.details["max_error_bound"]      # the proved bound, exact
('moderate', True, 1/128)
"""
from __future__ import annotations

import numbers

from numpy import bool_ as np_bool

from . import kernel
from .certify.records import Certificate, dataset_payload, describe_difference, norm_name, same_network
from .certify.refute import check
from .constructions.regimes import RegimeNotImplementedError, build, choose_regime  # noqa: F401 (public names)
from .data import Dataset
from .errors import CertificateError, ExactmemError, NormError, OptionError, RhoError, UnsupportedTypeError
from .exact import fmt, show, to_rational
from .network import ReLUNet
from .norms import check_p, check_rho
from .progress import Progress
from .sparse import gc_paused
from .verdict import Verdict


def _check_mc(mc_samples) -> int:
    """mc_samples as an int >= 0 (numpy integers too); a bool, a float or a string is refused."""
    if isinstance(mc_samples, (bool, np_bool)) or not isinstance(mc_samples, numbers.Integral):
        raise UnsupportedTypeError(f"mc_samples must be a non-negative integer (exact points per ball), got "
                                   f"{mc_samples!r} of type {type(mc_samples).__name__}")
    if mc_samples < 0:
        raise OptionError(f"mc_samples must be a non-negative integer (exact points per ball), got {mc_samples}")
    return int(mc_samples)


def memorize(D: Dataset, rho, p=2, eta=None, regime: str | None = None, mc_samples: int = 0):
    """Build (network, certificate) that rho-robustly memorizes D; ``cert.info["regime"]`` says which regime.

    The moderate regime needs ``eta`` in (0, 1) (the error bound) and can add a Monte Carlo estimate with
    ``mc_samples`` exact points per ball (reported in ``cert.info`` only).  ``p`` = 1 or "inf" reduces to l_2
    (Theorem C.11, ``constructions.lp``); the regime is then that of the l_2 ratio."""
    if not isinstance(D, Dataset):
        raise ExactmemError(f"memorize needs a Dataset, got {type(D).__name__}")
    rho, p, mc_samples = check_rho(rho), check_p(p), _check_mc(mc_samples)
    if mc_samples and p != 2:
        raise NormError(f"mc_samples: the Monte Carlo estimate draws points from l_2 balls; it is not available "
                        f"for p = {norm_name(p)}")
    chosen = choose_regime(D, rho) if p == 2 else None
    if mc_samples and chosen != "moderate":
        raise RhoError(f"mc_samples: the Monte Carlo estimate is made in the moderate regime only (an error bound "
                       f"eta); rho = {fmt(rho)} lies in the {chosen} regime for N = {D.N}, d = {D.d}, whose "
                       f"certificate is exact")
    with Progress(f"memorize (N = {D.N}, d = {D.d}, rho = {fmt(rho) if len(fmt(rho)) < 20 else show(rho)})") as bar, \
            gc_paused():
        if p != 2:
            from .constructions.lp import lp_memorizer
            bar.step(f"l_{norm_name(p)} through l_2 (Theorem C.11)")
            return lp_memorizer(D, rho, p, eta=eta, regime=regime)
        bar.step(f"{chosen} regime")
        net, cert, _ = build(D, rho, eta, regime, mc_samples)
    return net, cert


def verify(network: ReLUNet, D: Dataset, rho, certificate, p=2, eta=None, progress=None) -> Verdict:
    """The kernel's verdict on "``network`` rho-robustly memorizes ``D`` in l_p" from ``certificate``.

    The certificate must be a robust-memorization certificate for exactly this dataset, network and norm,
    at a ratio >= rho (a certificate at rho proves every rho' <= rho: the kernel re-derives the claim at
    rho).  An error-bounded certificate (moderate regime) is PROVED when the kernel's bound at rho is below
    ``eta`` (default: the certificate's own eta); the bound is in ``details["max_error_bound"]``.  Anything
    that does not match raises ``CertificateError`` saying what differs."""
    if not isinstance(network, ReLUNet):
        raise CertificateError(f"verify needs a ReLUNet as its network, got {type(network).__name__}")
    if not isinstance(D, Dataset):
        raise CertificateError(f"verify needs a Dataset, got {type(D).__name__}")
    if certificate is None:
        raise CertificateError("no certificate was given")
    doc = certificate.to_json() if isinstance(certificate, Certificate) else kernel.read(certificate)
    rho, p = check_rho(rho), check_p(p)
    if doc["kind"] != "robust-memorization":
        raise CertificateError(f"a {doc['kind']!r} certificate does not prove robust memorization")
    data = doc.get("data")
    if not isinstance(data, dict):
        raise CertificateError("the certificate has no data object")
    if doc.get("dataset") != dataset_payload(D):
        where = describe_difference(dataset_payload(D), doc.get("dataset"), "dataset")
        raise CertificateError(f"the certificate was made for a different dataset: it differs at {where}")
    if not same_network(doc.get("network"), network):
        where = describe_difference(network.to_json(sparse=True), doc.get("network"), "network")
        raise CertificateError(f"the certificate was made for a different network: it differs at {where}")
    if data.get("p") != norm_name(p):
        raise CertificateError(f"the certificate is about l_{data.get('p')} balls, not l_{norm_name(p)}")
    cert_rho = kernel.parse.rational(data.get("rho"), "data.rho")
    if rho > cert_rho:
        raise CertificateError(f"the certificate proves rho = {fmt(cert_rho)}, less than the rho = {fmt(rho)} asked")
    if eta is not None:
        eta = to_rational(eta)
        if not 0 < eta < 1:
            raise CertificateError(f"eta must lie in (0, 1), got {fmt(eta)}")
        if data.get("eta") is None:
            eta = None                 # an exact certificate proves every error bound: check it exactly
    if progress is not None:
        return check(doc, rho=rho, eta=eta, progress=progress)
    with Progress(f"verify (N = {D.N}, d = {D.d}, {len(network.dims) - 1} layers)", unit="layers") as bar:
        return check(doc, rho=rho, eta=eta, progress=bar.update)
