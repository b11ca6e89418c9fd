"""Certificate records: what a construction claims, serialized for the kernel (``exactmem.kernel``).

A certificate holds the claim's objects (``dataset``, ``network``), its parameters (``data``: rho, p, eta,
...), ``hints`` that the kernel checks and never trusts, and ``info``: what the construction reports
(regime, case, sizes, a Monte Carlo estimate), which the kernel never reads.

>>> from exactmem import Dataset
>>> cert = separation_certificate(Dataset([[0, 0], [3, 4]], [1, 2]))
>>> cert.data["eps_sq"], cert.verify().is_proved
('25/4', True)
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from .. import kernel
from ..data import Dataset
from ..errors import CertificateError, SerializationError
from ..exact import fmt, to_matrix
from ..norms import INF

CERT_SCHEMA = kernel.SCHEMA


def dataset_payload(D: Dataset) -> dict:
    return {"points": [[fmt(q) for q in D.point(i)] for i in range(D.N)], "labels": list(D.labels)}


def norm_name(p) -> str:
    return "inf" if p == INF else str(p)


@dataclass
class Certificate:
    """A certificate: its kind, a one-line claim, the claim's objects and parameters, hints and info."""

    kind: str
    claim: str
    dataset: dict | None = None
    network: dict | None = None
    data: dict = field(default_factory=dict)
    hints: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        out = {"format": "exactmem.certificate", "schema_version": CERT_SCHEMA, "kind": self.kind,
               "claim": self.claim, "data": self.data, "hints": self.hints, "info": self.info}
        if self.dataset is not None:
            out["dataset"] = self.dataset
        if self.network is not None:
            out["network"] = self.network
        return kernel.sign(out)

    def dumps(self) -> str:
        return json.dumps(self.to_json())

    def save(self, path) -> None:
        try:
            with open(path, "w") as fh:
                json.dump(self.to_json(), fh)
        except OSError as e:
            raise SerializationError(f"cannot write {path!r}: {e}") from None

    @classmethod
    def from_json(cls, obj) -> "Certificate":
        """From a dict, JSON text or a path; the kernel's reader checks format, schema and digest."""
        doc = kernel.read(obj)
        return cls(doc["kind"], doc.get("claim", ""), doc.get("dataset"), doc.get("network"), doc.get("data", {}),
                   doc.get("hints", {}), doc.get("info", {}))

    def verify(self, **kw):
        """The kernel's verdict on this certificate (with a counterexample search, ``refute.check``)."""
        from .refute import check
        return check(self.to_json(), **kw)


def robust_certificate(D: Dataset, net, rho, p=2, eta=None, claim: str = "", hints=None, info=None) -> Certificate:
    """The claim: ``net`` rho-robustly memorizes D in l_p (with error below eta, if given)."""
    data = {"rho": fmt(rho), "p": norm_name(p)}
    if eta is not None:
        data["eta"] = fmt(eta)
    return Certificate("robust-memorization", claim or f"the network outputs y_i on every open l_{data['p']} ball "
                       f"B(x_i, rho eps_D)" + (" except on a set of probability below eta" if eta is not None else ""),
                       dataset_payload(D), net.to_json(sparse=True), data, hints or {}, info or {})


def memorization_certificate(net, D: Dataset) -> Certificate:
    """Certificate of exact memorization: net(x_i) = y_i for all i."""
    return Certificate("exact-memorization", "the network outputs y_i at every x_i",
                       dataset_payload(D), net.to_json(sparse=True))


def separation_certificate(D: Dataset, p=2) -> Certificate:
    """Certificate of eps_D^2 (p = 2) or eps_{D,p} (p = 1, inf)."""
    name = norm_name(p)
    value = {"eps_sq": fmt(D.eps_sq)} if name == "2" else {"eps": fmt(D.eps(p))}
    return Certificate("separation", "eps_D is half the least distance between differently labelled points",
                       dataset_payload(D), None, {"p": name, **value})


def lattice_margin_certificate(points, b, margin) -> Certificate:
    """Lemma B.15: every translated coordinate is at distance >= margin from the integers."""
    Z = to_matrix(points, "points")
    return Certificate("lattice-margin", "dist(x_ij - b_j, Z) >= margin for all i, j", None, None,
                       {"points": [[fmt(v) for v in r] for r in Z.tolist()], "b": [fmt(v) for v in b],
                        "margin": fmt(margin)})


def grid_cells_certificate(centres, labels, mu, gamma, R: int) -> Certificate:
    """Flatten: every ball B(c_i, mu) sits in one unit cell with margin gamma; labels never share a cell."""
    C = to_matrix(centres, "centres")
    return Certificate("grid-cells", "each robustness ball lies in one grid cell above Floor's gamma; the base-R "
                       "index is injective; differently labelled balls are in different cells", None, None,
                       {"centres": [[fmt(v) for v in r] for r in C.tolist()], "labels": [int(y) for y in labels],
                        "mu": fmt(mu), "gamma": fmt(gamma), "R": int(R)})


def projection_certificate(D: Dataset, W_full, kappa_sq) -> Certificate:
    """Lemma B.19/B.20: exactly orthonormal rows and eps_{WD}^2 >= kappa_sq * eps_D^2 (W = first d columns)."""
    return Certificate("projection", "W W^T = I and the projected data keep eps^2 >= kappa_sq * eps_D^2",
                       dataset_payload(D), None,
                       {"W_full": [[fmt(v) for v in r] for r in W_full.tolist()], "kappa_sq": fmt(kappa_sq)})


def describe_difference(expected, got, what: str) -> str:
    """A short account of the first place where two JSON values differ (for 'made for another ...' errors)."""
    def walk(a, b, path):
        if type(a) is not type(b):
            return path
        if isinstance(a, dict):
            for k in sorted(set(a) | set(b)):
                if k not in a or k not in b:
                    return f"{path}.{k}"
                p = walk(a[k], b[k], f"{path}.{k}")
                if p:
                    return p
            return None
        if isinstance(a, list):
            if len(a) != len(b):
                return f"{path} (length {len(b)} instead of {len(a)})"
            for i, (x, y) in enumerate(zip(a, b)):
                p = walk(x, y, f"{path}[{i}]")
                if p:
                    return p
            return None
        return None if a == b else f"{path} ({str(b)[:40]} instead of {str(a)[:40]})"
    where = walk(expected, got, what)
    if where is None:
        raise CertificateError("internal: no difference")
    return where
