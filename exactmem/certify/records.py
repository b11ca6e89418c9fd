"""Certificate records: what a construction claims, serialized for the independent checker.

>>> from exactmem import Dataset
>>> cert = separation_certificate(Dataset([[0, 0], [3, 4]], [1, 2]))
>>> cert.data["eps_sq"], cert.verify().is_proved
('25/4', True)
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..data import Dataset, _load_json
from ..errors import CertificateError, SerializationError
from ..exact import fmt
from ..network import ReLUNet
from . import checker

CERT_SCHEMA = checker.CERT_SCHEMA


def dataset_payload(D: Dataset) -> dict:
    return {"points": [[fmt(q) for q in D.point(i)] for i in range(D.N)], "labels": list(D.labels)}


@dataclass
class Certificate:
    """A certificate: its kind, a one-line claim, and the data the checker needs."""

    kind: str
    claim: str
    dataset: dict | None = None
    network: dict | None = None
    data: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        out = {"format": "exactmem.certificate", "schema_version": CERT_SCHEMA, "kind": self.kind,
               "claim": self.claim, "data": self.data}
        if self.dataset is not None:
            out["dataset"] = self.dataset
        if self.network is not None:
            out["network"] = self.network
        out["digest"] = checker.digest(out)
        return out

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
        if not isinstance(obj, dict):
            obj = _load_json(obj)
        if not isinstance(obj, dict) or obj.get("format") != "exactmem.certificate":
            raise CertificateError("not an exactmem certificate")
        if obj.get("schema_version") != CERT_SCHEMA:
            raise CertificateError(f"certificate schema version {obj.get('schema_version')!r} is not supported")
        return cls(obj.get("kind"), obj.get("claim", ""), obj.get("dataset"), obj.get("network"),
                   obj.get("data", {}))

    def verify(self):
        """Run the independent checker on this certificate (a Verdict)."""
        return checker.check(self.to_json())


def memorization_certificate(net: ReLUNet, D: Dataset) -> Certificate:
    """Certificate of exact memorization: net(x_i) = y_i for all i."""
    return Certificate("exact-memorization", "the network outputs y_i at every x_i",
                       dataset_payload(D), net.to_json(), {})


def separation_certificate(D: Dataset) -> Certificate:
    """Certificate of eps_D**2 with a closest differently labelled pair as witness."""
    i, j = D.eps_pair()
    return Certificate("separation", "eps_D^2 equals data.eps_sq (half the least distance across labels, squared)",
                       dataset_payload(D), None, {"eps_sq": fmt(D.eps_sq), "pair": [i, j]})


def lattice_margin_certificate(points, b, margin) -> Certificate:
    """Lemma B.15: every translated coordinate is at distance >= margin from the integers."""
    from ..exact import to_matrix
    Z = to_matrix(points, "points")
    return Certificate("lattice-margin", "dist(x_ij - b_j, Z) >= margin for all i, j", None, None,
                       {"points": [[fmt(v) for v in r] for r in Z.tolist()], "b": [fmt(v) for v in b],
                        "margin": fmt(margin)})


def grid_cells_certificate(centres, labels, mu, gamma, R: int) -> Certificate:
    """Flatten: every ball B(c_i, mu) sits in one unit cell with margin gamma; labels never share a cell."""
    from ..exact import to_matrix
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
