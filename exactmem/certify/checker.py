"""The independent certificate checker.

This module re-derives every fact a certificate states, in exact arithmetic, from the
certificate's own data.  It imports nothing from exactmem's construction code -- only
python-flint, numpy, the standard library, and exactmem's dependency-free ``verdict``
and ``errors`` modules (a test enforces this) -- so a bug in a construction cannot
make a false certificate pass.

Rationals in certificates are JSON integers or strings ``"p/q"`` / ``"-p"``; nothing else.

>>> cert = {"format": "exactmem.certificate", "schema_version": 1, "kind": "separation",
...         "dataset": {"points": [["0"], ["3"]], "labels": [1, 2]},
...         "data": {"eps_sq": "9/4", "pair": [0, 1]}}
>>> check(cert).is_proved
True
"""
from __future__ import annotations

import hashlib
import json
import re

from flint import fmpq, fmpq_mat, fmpz_mat

from ..errors import CertificateError
from ..verdict import Verdict

CERT_SCHEMA = 1
_RAT = re.compile(r"^-?\d+(/\d+)?$")


def parse_rational(v, where: str) -> fmpq:
    """Strict parser: a JSON integer, or a string 'p', '-p', 'p/q' with q > 0."""
    if isinstance(v, bool):
        raise CertificateError(f"{where}: a boolean is not a rational")
    if isinstance(v, int):
        return fmpq(v)
    if not isinstance(v, str) or not _RAT.match(v.strip()):
        raise CertificateError(f"{where}: {v!r} is not a rational of the form 'p/q'")
    t = v.strip()
    if "/" in t:
        p, q = t.split("/")
        if int(q) == 0:
            raise CertificateError(f"{where}: zero denominator in {v!r}")
        return fmpq(int(p), int(q))
    return fmpq(int(t))


def _matrix(rows, where) -> list:
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise CertificateError(f"{where} must be a non-empty list of rows")
    n = len(rows[0])
    if n == 0 or any(len(r) != n for r in rows):
        raise CertificateError(f"{where} is empty or ragged")
    return [[parse_rational(v, f"{where}[{i}][{j}]") for j, v in enumerate(r)] for i, r in enumerate(rows)]


def _dataset(obj):
    if not isinstance(obj, dict) or "points" not in obj or "labels" not in obj:
        raise CertificateError("the certificate's dataset needs 'points' and 'labels'")
    X = _matrix(obj["points"], "dataset.points")
    labels = obj["labels"]
    if not isinstance(labels, list) or len(labels) != len(X):
        raise CertificateError("dataset.labels must be a list with one label per point")
    for i, y in enumerate(labels):
        if isinstance(y, bool) or not isinstance(y, int) or y < 1:
            raise CertificateError(f"dataset.labels[{i}] = {y!r} is not a positive integer")
    return X, labels


def _network(obj):
    if not isinstance(obj, dict) or not isinstance(obj.get("layers"), list) or not obj["layers"]:
        raise CertificateError("the certificate's network needs a non-empty list 'layers'")
    layers = []
    prev = None
    for l, layer in enumerate(obj["layers"], start=1):
        if not isinstance(layer, dict):
            raise CertificateError(f"network layer {l} is not an object")
        W = _matrix(layer.get("W"), f"network.layers[{l}].W")
        b = layer.get("b")
        if not isinstance(b, list) or len(b) != len(W):
            raise CertificateError(f"network layer {l}: b must have one entry per row of W")
        b = [parse_rational(v, f"network.layers[{l}].b") for v in b]
        if prev is not None and len(W[0]) != prev:
            raise CertificateError(f"network layer {l} takes {len(W[0])} inputs but receives {prev}")
        prev = len(W)
        layers.append((W, b))
    return layers


def evaluate(layers, X) -> list:
    """Exact evaluation of the certificate's network on the rows of X (list of lists of fmpq)."""
    H = fmpq_mat(X)
    n = len(X)
    ones = fmpq_mat(n, 1, [1] * n)
    zero = fmpq(0)
    for l, (W, b) in enumerate(layers):
        H = H * fmpq_mat(W).transpose() + ones * fmpq_mat(1, len(b), b)
        if l < len(layers) - 1:
            H = fmpq_mat(H.nrows(), H.ncols(), [v if v > zero else zero for v in H.entries()])
    return [H.table()[i] for i in range(n)]


def _check_memorization(cert) -> Verdict:
    X, labels = _dataset(cert.get("dataset"))
    layers = _network(cert.get("network"))
    if len(layers[0][0][0]) != len(X[0]):
        raise CertificateError("the network's input dimension does not match the dataset")
    if len(layers[-1][0]) != 1:
        raise CertificateError("memorization needs a network with one output")
    out = evaluate(layers, X)
    for i, (row, y) in enumerate(zip(out, labels)):
        if row[0] != y:
            return Verdict.refuted(f"the network outputs {row[0]} at x_{i} but y_{i} = {y}", {"index": i})
    return Verdict.proved(f"re-evaluated exactly: f(x_i) = y_i for all {len(X)} points")


def _min_sq_cross(X, labels):
    """Exact min over differently labelled pairs of the squared distance, via integer Gram blocks."""
    den = 1
    for r in X:
        for v in r:
            q = int(v.q)
            den = den * q // _gcd(den, q)
    Z = [[int(v.p) * (den // int(v.q)) for v in r] for r in X]
    n = len(Z)
    G = fmpz_mat(Z)
    norms = [sum(v * v for v in r) for r in Z]
    best = None
    step = 256
    for r0 in range(0, n, step):
        rows = list(range(r0, min(n, r0 + step)))
        block = (fmpz_mat([Z[i] for i in rows]) * G.transpose()).tolist()
        for a, i in enumerate(rows):
            for j in range(i + 1, n):
                if labels[i] != labels[j]:
                    v = norms[i] + norms[j] - 2 * int(block[a][j])
                    if best is None or v < best:
                        best = v
    return fmpq(best, den * den)


def _gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def _check_separation(cert) -> Verdict:
    X, labels = _dataset(cert.get("dataset"))
    data = cert.get("data")
    if not isinstance(data, dict) or "eps_sq" not in data or "pair" not in data:
        raise CertificateError("a separation certificate needs data.eps_sq and data.pair")
    claimed = parse_rational(data["eps_sq"], "data.eps_sq")
    pair = data["pair"]
    if (not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(k, int) and not isinstance(k, bool)
                                                                 and 0 <= k < len(X) for k in pair)):
        raise CertificateError("data.pair must be two point indices")
    i, j = pair
    if labels[i] == labels[j]:
        return Verdict.refuted(f"the witness pair ({i}, {j}) has equal labels", {"pair": pair})
    d2 = sum(((a - b) ** 2 for a, b in zip(X[i], X[j])), fmpq(0))
    if d2 != 4 * claimed:
        return Verdict.refuted(f"the witness pair is at squared distance {d2}, not 4 * eps_sq = {4 * claimed}",
                               {"pair": pair})
    m = _min_sq_cross(X, labels)
    if m != d2:
        return Verdict.refuted(f"a closer differently labelled pair exists (squared distance {m})", {"min": str(m)})
    return Verdict.proved(f"eps_D^2 = {claimed}: witness pair checked and the minimum recomputed over all pairs")


def _min_cross_norm(X, labels, p):
    """Exact min over differently labelled pairs of ||x_i - x_j||_p (p = "1" or "inf")."""
    best = None
    for i in range(len(X)):
        for j in range(i + 1, len(X)):
            if labels[i] != labels[j]:
                diff = [abs(a - b) for a, b in zip(X[i], X[j])]
                v = sum(diff, fmpq(0)) if p == "1" else max(diff)
                best = v if best is None or v < best else best
    return best


def _vector(v, n, where):
    if not isinstance(v, list) or len(v) != n:
        raise CertificateError(f"{where} must be a list of {n} rationals")
    return [parse_rational(t, where) for t in v]


def _data_object(cert, kind: str) -> dict:
    data = cert.get("data")
    if not isinstance(data, dict):
        raise CertificateError(f"a {kind} certificate needs a data object")
    return data


def _check_collision(cert) -> Verdict:
    """x and x' lie in open robustness balls of differently labelled points and W x = W x'."""
    X, labels = _dataset(cert.get("dataset"))
    data = _data_object(cert, "collision")
    W = _matrix(data.get("W"), "data.W")
    d = len(X[0])
    if len(W[0]) != d:
        raise CertificateError("data.W does not take d inputs")
    if cert.get("network") is not None:
        layers = _network(cert["network"])
        if len(layers) < 2 or layers[0][0] != W:
            raise CertificateError("data.W is not the first layer of the certificate's network")
    rho = parse_rational(data.get("rho"), "data.rho")
    if not (0 < rho < 1):
        raise CertificateError("data.rho must lie in (0, 1)")
    p = data.get("p")
    if p not in ("1", "2", "inf"):
        raise CertificateError("data.p must be '1', '2' or 'inf'")
    i, ip = data.get("i"), data.get("i_prime")
    if not all(isinstance(k, int) and not isinstance(k, bool) and 0 <= k < len(X) for k in (i, ip)):
        raise CertificateError("data.i and data.i_prime must be point indices")
    x, xp = _vector(data.get("x"), d, "data.x"), _vector(data.get("x_prime"), d, "data.x_prime")
    if labels[i] == labels[ip]:
        return Verdict.refuted("the two balls carry the same label", {"i": i, "i_prime": ip})
    if p == "2":
        mu2 = rho * rho * _min_sq_cross(X, labels) / 4
        inside = [sum(((a - b) ** 2 for a, b in zip(y, X[k])), fmpq(0)) < mu2 for y, k in ((x, i), (xp, ip))]
    else:
        mu = rho * _min_cross_norm(X, labels, p) / 2
        norm = (lambda v: sum(v, fmpq(0))) if p == "1" else max
        inside = [norm([abs(a - b) for a, b in zip(y, X[k])]) < mu for y, k in ((x, i), (xp, ip))]
    if not all(inside):
        return Verdict.refuted("a witness point is not inside its open robustness ball", {"inside": inside})
    Wx = [sum((w * v for w, v in zip(row, x)), fmpq(0)) for row in W]
    Wxp = [sum((w * v for w, v in zip(row, xp)), fmpq(0)) for row in W]
    if Wx != Wxp:
        return Verdict.refuted("W x != W x'", {})
    return Verdict.proved(f"x in B(x_{i}, mu), x' in B(x_{ip}, mu) (l_{p}, open), labels {labels[i]} != "
                          f"{labels[ip]}, and W x = W x': every network with first layer W maps them to the same "
                          f"output, so none rho-robustly memorizes the dataset")


def _floor(q: fmpq) -> int:
    return int(q.p) // int(q.q)


def _check_lattice_margin(cert) -> Verdict:
    """Every coordinate of every translated point x_i - b is at distance >= margin from the integers."""
    data = _data_object(cert, "lattice-margin")
    Z = _matrix(data.get("points"), "data.points")
    b = _vector(data.get("b"), len(Z[0]), "data.b")
    margin = parse_rational(data.get("margin"), "data.margin")
    worst = None
    for i, row in enumerate(Z):
        for j, v in enumerate(row):
            t = v - b[j]
            f = t - _floor(t)
            dist = min(f, 1 - f)
            if worst is None or dist < worst[0]:
                worst = (dist, i, j)
    if worst[0] < margin:
        return Verdict.refuted(f"coordinate ({worst[1]}, {worst[2]}) is only {worst[0]} from the lattice",
                               {"point": worst[1], "coordinate": worst[2]})
    return Verdict.proved(f"all {len(Z) * len(b)} translated coordinates are >= {margin} from Z (min {worst[0]})")


def _check_grid_cells(cert) -> Verdict:
    """Each open ball B(c_i, mu) lies in one unit cell with k_j + gamma <= c_ij - mu, c_ij + mu <= k_j + 1,
    digits in [0, R), and balls with different labels lie in different cells."""
    data = _data_object(cert, "grid-cells")
    C = _matrix(data.get("centres"), "data.centres")
    labels = data.get("labels")
    if not isinstance(labels, list) or len(labels) != len(C):
        raise CertificateError("data.labels must have one label per centre")
    mu, gamma = parse_rational(data.get("mu"), "data.mu"), parse_rational(data.get("gamma"), "data.gamma")
    R = data.get("R")
    if isinstance(R, bool) or not isinstance(R, int) or R < 2:
        raise CertificateError("data.R must be an integer >= 2")
    owner = {}
    for i, c in enumerate(C):
        cell = tuple(_floor(v) for v in c)
        for j, (v, k) in enumerate(zip(c, cell)):
            if not (k + gamma <= v - mu and v + mu <= k + 1 and 0 <= k < R):
                return Verdict.refuted(f"ball {i} is not inside its cell with margin in coordinate {j}", {"ball": i})
        if cell in owner and labels[owner[cell]] != labels[i]:
            return Verdict.refuted(f"balls {owner[cell]} and {i} share a cell but have different labels",
                                   {"balls": [owner[cell], i]})
        owner.setdefault(cell, i)
    return Verdict.proved(f"{len(C)} balls in single cells with margin {gamma}, digits < {R} (injective base-R "
                          f"index), no cell shared across labels")


def _check_projection(cert) -> Verdict:
    """W W^T = I exactly for the full matrix, W is its first d columns, and eps_{WD}^2 >= kappa_sq * eps_D^2."""
    X, labels = _dataset(cert.get("dataset"))
    data = _data_object(cert, "projection")
    full = _matrix(data.get("W_full"), "data.W_full")
    d = len(X[0])
    if len(full[0]) < d:
        raise CertificateError("data.W_full has fewer columns than the data have coordinates")
    kappa_sq = parse_rational(data.get("kappa_sq"), "data.kappa_sq")
    F = fmpq_mat(full)
    m = len(full)
    if F * F.transpose() != fmpq_mat(m, m, [1 if i == j else 0 for i in range(m) for j in range(m)]):
        return Verdict.refuted("the rows of W_full are not exactly orthonormal", {})
    W = [row[:d] for row in full]
    Y = (fmpq_mat(X) * fmpq_mat(W).transpose()).tolist()
    proj = _min_sq_cross(Y, labels) / 4
    orig = _min_sq_cross(X, labels) / 4
    if proj < kappa_sq * orig:
        return Verdict.refuted(f"projected eps^2 = {proj} < kappa^2 eps^2 = {kappa_sq * orig}", {})
    return Verdict.proved(f"W W^T = I (so W is 1-Lipschitz) and eps_WD^2 = {proj} >= {kappa_sq} * eps_D^2")


CHECKS = {"exact-memorization": _check_memorization, "separation": _check_separation,
          "first-layer-collision": _check_collision, "lattice-margin": _check_lattice_margin,
          "grid-cells": _check_grid_cells, "projection": _check_projection}


def register(kind: str, fn) -> None:
    """Add a checker for a certificate kind (used by later modules of the checker package)."""
    CHECKS[kind] = fn


def digest(cert: dict) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces) of the certificate without its digest."""
    body = {k: v for k, v in cert.items() if k != "digest"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def check(cert) -> Verdict:
    """Check a certificate (dict, JSON text or path). Malformed input raises ``CertificateError``."""
    from . import lp_checks, moderate_checks, robust_checks  # noqa: F401  (register the end-to-end kinds)
    if isinstance(cert, str):
        try:
            if cert.lstrip().startswith("{"):
                cert = json.loads(cert)
            else:
                with open(cert) as fh:
                    cert = json.load(fh)
        except (OSError, json.JSONDecodeError) as e:
            raise CertificateError(f"cannot read the certificate: {e}") from None
    if not isinstance(cert, dict) or cert.get("format") != "exactmem.certificate":
        raise CertificateError("not an exactmem certificate (format != 'exactmem.certificate')")
    if cert.get("schema_version") != CERT_SCHEMA:
        raise CertificateError(f"certificate schema version {cert.get('schema_version')!r} is not supported")
    if "digest" in cert and cert["digest"] != digest(cert):
        return Verdict.refuted("the certificate was altered after it was issued (digest mismatch)", {})
    kind = cert.get("kind")
    if kind not in CHECKS:
        raise CertificateError(f"unknown certificate kind {kind!r}; known: {sorted(CHECKS)}")
    return CHECKS[kind](cert)
