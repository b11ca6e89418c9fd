"""Certificate records: what a construction claims, serialized for the kernel (``exactmem.kernel``).

A certificate holds the claim's objects (``dataset``, ``network``: a network document, or the ``ReLUNet`` itself,
written out only when the certificate is: a large construction's document is not held beside the network during
the build), its parameters (``data``: rho, p, eta,
...), ``hints`` that the kernel checks and never trusts, and ``info``: what the construction reports
(regime, case, sizes, a Monte Carlo estimate), which the kernel never reads.

>>> from exactmem import Dataset
>>> cert = separation_certificate(Dataset([[0, 0], [3, 4]], [1, 2]))
>>> cert.data["eps_sq"], cert.verify().is_proved
('25/4', True)
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .. import kernel
from ..data import Dataset
from ..errors import CertificateError, ExactmemError, SerializationError
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
    network: dict | object | None = None      # a document, or a ReLUNet written out by to_json
    data: dict = field(default_factory=dict)
    hints: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        out = {"format": "exactmem.certificate", "schema_version": CERT_SCHEMA, "kind": self.kind,
               "claim": self.claim, "data": self.data, "hints": self.hints, "info": self.info}
        if self.dataset is not None:
            out["dataset"] = self.dataset
        if self.network is not None:
            out["network"] = self.network_json()
        return kernel.sign(out)

    def network_json(self) -> dict | None:
        """The network's document (rendered from the network each time if the certificate holds a ReLUNet)."""
        net = self.network
        return net if net is None or isinstance(net, dict) else net.to_json(sparse=True)

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
                       dataset_payload(D), net, data, hints or {}, info or {})


def memorization_certificate(net, D: Dataset) -> Certificate:
    """Certificate of exact memorization: net(x_i) = y_i for all i."""
    return Certificate("exact-memorization", "the network outputs y_i at every x_i",
                       dataset_payload(D), net)


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


def same_network(doc, network) -> bool:
    """Whether the network document ``doc`` is ``network``: as documents, or (a document written otherwise, e.g.
    with or without repeated layers {"like": k}) as the networks they read as."""
    if not isinstance(doc, dict):               # (never a path or a text to read: the certificate's own field)
        return False
    if doc == network.to_json(sparse=True):
        return True
    from ..network import ReLUNet
    try:
        return ReLUNet.from_json(doc) == network
    except ExactmemError:
        return False


def describe_difference(expected, got, what: str) -> str:
    """Where the certificate's ``got`` first differs from the user's ``expected`` (a dataset or network JSON
    payload): the JSON path, what it is (point i, coordinate j; the weight of row r, column c of layer l),
    both values with a decimal beside them, and a hint when one value is the binary value of a float whose
    decimal is the other.

    >>> D = Dataset([["0.1", 0], [1, 1]], [1, 2])
    >>> F = Dataset([[0.1, 0], [1, 1]], [1, 2])
    >>> text = describe_difference(dataset_payload(D), dataset_payload(F), "dataset")
    >>> print(text[:text.index(";")].replace(": the", ":\\n    the").replace(", the", ",\\n    the"))
    dataset.points[0][0] (point 0, coordinate 0):
        the certificate has 3602879701896397/36028797018963968 ≈ 0.10000000000000000555,
        the dataset has 1/10 ≈ 0.1
    >>> "the float 0.1 read as its exact binary value" in text and "X.astype(str)" in text
    True
    """
    if what == "network" and isinstance(expected, dict) and isinstance(got, dict):
        try:
            found = _network_difference(expected, got)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError, OverflowError):
            found = None                    # a malformed network document: fall back to the JSON walk
        if found is not None:
            return found
    return _json_difference(expected, got, what)


def _json_difference(expected, got, what):
    def walk(a, b, path):
        if type(a) is not type(b):
            return f"{path}: the certificate has {_short(b)}, the {what} has {_short(a)}"
        if isinstance(a, dict):
            first = ("format", "schema_version", "dims", "points", "labels", "layers")    # the natural order
            for k in sorted(set(a) | set(b), key=lambda k: (first.index(k) if k in first else len(first), str(k))):
                if k not in b:
                    return f"{path}.{k}: the certificate has no field {k!r}"
                if k not in a:
                    return f"{path}.{k}: the certificate has a field {k!r} the {what} lacks"
                p = walk(a[k], b[k], f"{path}.{k}")
                if p:
                    return p
            return None
        if isinstance(a, list):
            if len(a) != len(b):
                return f"{path}{_name(path, what)}: {len(b)} {_items(path)} in the certificate, {len(a)} in the {what}"
            for i, (x, y) in enumerate(zip(a, b)):
                p = walk(x, y, f"{path}[{i}]")
                if p:
                    return p
            return None
        if a == b:
            return None
        return f"{path}{_name(path, what)}: {_values(b, a, what)}"
    where = walk(expected, got, what)
    if where is None:
        raise CertificateError("internal: no difference")
    return where


def _name(path: str, what: str) -> str:
    """What a dataset path means in words: point i, coordinate j; the label of point i."""
    m = re.fullmatch(r"dataset\.points\[(\d+)\]\[(\d+)\]", path)
    if m:
        return f" (point {m.group(1)}, coordinate {m.group(2)})"
    m = re.fullmatch(r"dataset\.points\[(\d+)\]", path)
    if m:
        return f" (point {m.group(1)})"
    m = re.fullmatch(r"dataset\.labels\[(\d+)\]", path)
    if m:
        return f" (the label of point {m.group(1)})"
    return ""


def _items(path: str) -> str:
    return {"dataset.points": "points", "dataset.labels": "labels"}.get(path, "coordinates" if
                                                                           path.startswith("dataset.points[") else
                                                                           "entries")


def _short(v, n: int = 60) -> str:
    t = json.dumps(v) if not isinstance(v, str) else v
    return t if len(t) <= n else t[:n - 3] + "..."


def _number(v):
    from ..errors import ExactmemError
    from ..exact import to_rational
    if isinstance(v, bool) or not isinstance(v, (str, int)):
        return None
    try:
        return to_rational(v)
    except ExactmemError:
        return None


def _values(cert_value, own_value, what: str) -> str:
    """'the certificate has A ≈ a, the dataset has B ≈ b', with a note on floats and on equal numbers."""
    from fractions import Fraction
    from ..exact import show
    a, b = _number(cert_value), _number(own_value)
    if a is None or b is None:
        return f"the certificate has {_short(cert_value)}, the {what} has {_short(own_value)}"
    for digits in (7, 12, 20, 30, 40):          # enough digits for the two decimals to differ, where they do
        sa, sb = show(a, digits), show(b, digits)
        if a == b or sa.partition("≈ ")[2].split(" ")[0] != sb.partition("≈ ")[2].split(" ")[0]:
            break
    text = f"the certificate has {sa}, the {what} has {sb}"
    if a == b:
        return text + " (the same number written differently: the certificate's JSON is not in lowest terms)"
    for x, y, whose in ((a, b, "the certificate's"), (b, a, f"the {what}'s")):
        if x.q & (x.q - 1) == 0 and x.q > 1 and abs(y) < 2 ** 1000:    # x is dyadic: is it the float nearest y?
            f = float(Fraction(int(y.p), int(y.q)))
            if Fraction(*f.as_integer_ratio()) == Fraction(int(x.p), int(x.q)):
                return (text + f"; {whose} value is the float {f!r} read as its exact binary value, the other its "
                        f"decimal: load both from the same data the same way (floats as the decimals they print: "
                        f"X.astype(str); as their binary values: Dataset.from_numpy(X); docs/datasets.md)")
    return text


def _resolve(layers, l) -> dict:
    """Layer l of a network document, a {"like": k} reference followed (an ill-formed one: no weights)."""
    layer = layers[l]
    while isinstance(layer, dict) and "like" in layer:
        k = layer["like"]
        if type(k) is not int or not 0 <= k < l:
            return {"W_rows": [], "b": [], "cols": 0}
        layer, l = layers[k], k
    return layer


def _layer_weights(layer) -> tuple:
    """({(row, col): value}, [bias], cols) of a layer given sparsely (W_rows, cols) or densely (W)."""
    if "W_rows" in layer:
        W = {(r, int(j)): v for r, row in enumerate(layer["W_rows"]) for j, v in row}
        return W, list(layer["b"]), int(layer["cols"]), len(layer["W_rows"])
    rows = layer["W"]
    W = {(r, j): v for r, row in enumerate(rows) for j, v in enumerate(row)}
    return W, list(layer["b"]), (len(rows[0]) if rows else 0), len(rows)


def _network_difference(expected, got):
    """The first weight, bias or width in which two network documents differ, as numbers."""
    de, dg = expected.get("dims"), got.get("dims")
    if de != dg:
        return (f"network.dims: the certificate's network has layer widths {_short(dg)}, this network "
                f"{_short(de)}")
    for l, (le, lg) in enumerate(zip(expected["layers"], got["layers"])):
        We, be, _, rows = _layer_weights(_resolve(expected["layers"], l))
        Wg, bg, _, _ = _layer_weights(_resolve(got["layers"], l))
        for r in range(rows):
            keys = sorted({c for (i, c) in We if i == r} | {c for (i, c) in Wg if i == r})
            for c in keys:
                x, y = _number(Wg.get((r, c), "0")), _number(We.get((r, c), "0"))
                if x is None or y is None or x != y:
                    return (f"network.layers[{l}].W[{r}][{c}] (layer {l}, the weight of unit {r} on input {c}): "
                            f"{_values(Wg.get((r, c), '0'), We.get((r, c), '0'), 'network')}")
            x, y = _number(bg[r]) if r < len(bg) else None, _number(be[r])
            if x is None or x != y:
                return (f"network.layers[{l}].b[{r}] (layer {l}, the bias of unit {r}): "
                        f"{_values(bg[r] if r < len(bg) else None, be[r], 'network')}")
    return None
