"""Independent check of l_p robust-memorization certificates (p = 1, inf) by reduction to l_2.

The checker recomputes eps_p and eps_2^2 exactly, proves that every open l_p ball B_p(x_i, rho eps_p)
lies in the l_2 ball B_2(x_i, rho2 eps_2) (||v||_2 <= ||v||_1 and ||v||_2 <= sqrt(d) ||v||_inf), and then
checks the embedded l_2 certificate for rho2 on the same dataset and network.  Imports no construction code.
"""
from __future__ import annotations

from ..errors import CertificateError
from ..verdict import Verdict
from .checker import CERT_SCHEMA, check, _min_cross_norm, _min_sq_cross, parse_rational, register
from .robust_checks import _robust_header


def _check_lp(cert) -> Verdict:
    X, labels, data, rho = _robust_header(cert)
    p = data.get("p")
    if p not in ("1", "inf"):
        raise CertificateError("data.p must be '1' or 'inf'")
    rho2 = parse_rational(data.get("rho2"), "data.rho2")
    if not (0 < rho2 < 1):
        raise CertificateError("data.rho2 must lie in (0, 1)")
    inner = data.get("l2")
    if not isinstance(inner, dict) or inner.get("kind") not in ("robust-memorization-small-rho",
                                                                "robust-memorization-large-rho",
                                                                "robust-memorization-moderate-rho"):
        raise CertificateError("data.l2 must hold a small-, moderate- or large-rho certificate")
    if inner["kind"] == "robust-memorization-moderate-rho":
        lp = inner.get("data", {}).get("lp") if isinstance(inner.get("data"), dict) else None
        if not isinstance(lp, dict) or lp.get("p") != p or parse_rational(lp.get("rho"), "data.l2.data.lp.rho") != rho:
            raise CertificateError("a moderate-rho certificate inside an l_p certificate must bound the error "
                                   "under the same l_p balls (data.lp)")
    if not isinstance(inner.get("data"), dict) or parse_rational(inner["data"].get("rho"), "data.l2.rho") != rho2:
        raise CertificateError("the embedded l_2 certificate is not for rho2")
    e_p = _min_cross_norm(X, labels, p) / 2
    eps2_sq = _min_sq_cross(X, labels) / 4
    need = (len(X[0]) if p == "inf" else 1) * rho * rho * e_p * e_p
    if not rho2 * rho2 * eps2_sq >= need:
        return Verdict.refuted(f"rho2^2 eps_2^2 = {rho2 * rho2 * eps2_sq} < {need}: the l_{p} balls are not inside "
                               f"the l_2 balls", {})
    sub = {"format": "exactmem.certificate", "schema_version": CERT_SCHEMA, "kind": inner["kind"],
           "claim": inner.get("claim", ""), "data": inner["data"], "dataset": cert.get("dataset"),
           "network": cert.get("network")}
    v = check(sub)
    if not v.is_proved:
        return Verdict(v.status, f"the embedded l_2 certificate: {v.reason}", v.witness, v.details)
    return Verdict.proved(
        f"B_{p}(x_i, rho eps_{p}) lies in B_2(x_i, rho2 eps_2) since rho2^2 eps_2^2 >= {need}; and the l_2 "
        f"certificate for rho2 = {rho2} is proved: {v.reason}")


register("robust-memorization-lp", _check_lp)
