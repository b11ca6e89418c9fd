"""Certificates of single facts about data and matrices (used by the block lemmas and lower bounds).

* ``separation``: eps_D (or eps_D^2 for p = 2) equals the stated value;
* ``exact-memorization``: the network outputs y_i at every x_i;
* ``first-layer-collision``: two points in open balls of differently labelled points have W x = W x'
  (so no network with first layer W robustly memorizes the data);
* ``lattice-margin``: every translated coordinate x_ij - b_j is at least ``margin`` away from the integers;
* ``grid-cells``: every open ball B(c_i, mu) lies in one unit cell, above the cell's corner by gamma,
  with digits in [0, R), and differently labelled balls lie in different cells;
* ``projection``: W_full has exactly orthonormal rows and eps_{WD}^2 >= kappa_sq eps_D^2 (W = first d columns).
"""
from __future__ import annotations

from flint import fmpq, fmpq_mat

from ..errors import CertificateError
from ..verdict import Verdict
from . import parse
from .engine import evaluate
from .separation import integer_rows, min_cross

NORMS = {"1": 1, "2": 2, "inf": "inf"}


def _floor(q):
    return int(q.p) // int(q.q)


def _sep(X, labels, p):
    """eps_D^2 (p = 2) or eps_D (p = 1, inf), exactly."""
    rows, L = integer_rows(X)
    v = min_cross(rows, labels, p)[0]
    return fmpq(v, 4 * L * L) if p == 2 else fmpq(v, 2 * L)


def _norm(v, p):
    return sum((t * t for t in v), fmpq(0)) if p == 2 else (sum((abs(t) for t in v), fmpq(0)) if p == 1 else
                                                              max(abs(t) for t in v))


def separation(doc, data) -> Verdict:
    X, labels = parse.dataset(doc.get("dataset"))
    p = NORMS.get(data.get("p", "2")) if isinstance(data.get("p", "2"), str) else None
    if p is None:
        raise CertificateError("data.p must be '1', '2' or 'inf'")
    claimed = parse.rational(data.get("eps_sq" if p == 2 else "eps"), "data.eps_sq" if p == 2 else "data.eps")
    exact = _sep(X, labels, p)
    return Verdict.from_exact(claimed == exact, f"eps_D{'^2' if p == 2 else ''} = {exact} (l_{data.get('p', '2')}), "
                              f"recomputed over all differently labelled pairs", {"exact": str(exact)})


def memorization(doc, data) -> Verdict:
    X, labels = parse.dataset(doc.get("dataset"))
    d0, layers = parse.network(doc.get("network"))
    if d0 != len(X[0]) or len(layers[-1][0]) != 1:
        raise CertificateError("the network must map R^d to R")
    for i, (out, y) in enumerate(zip(evaluate(layers, X), labels)):
        if out[0] != y:
            return Verdict.refuted(f"the network outputs {out[0]} at x_{i} but y_{i} = {y}", {"index": i})
    return Verdict.proved(f"re-evaluated exactly: f(x_i) = y_i for all {len(X)} points")


def collision(doc, data) -> Verdict:
    X, labels = parse.dataset(doc.get("dataset"))
    d = len(X[0])
    W = parse.matrix(data.get("W"), "data.W")
    if len(W[0]) != d:
        raise CertificateError("data.W must take d inputs")
    if doc.get("network") is not None:
        _, layers = parse.network(doc["network"])
        if [[w for _, w in nz] for nz in layers[0][0]] != [[w for w in r if w != 0] for r in W] or \
                [[j for j, _ in nz] for nz in layers[0][0]] != [[j for j, w in enumerate(r) if w != 0] for r in W]:
            raise CertificateError("data.W is not the first layer of the certificate's network")
    rho, p = parse.rational(data.get("rho"), "data.rho"), NORMS.get(data.get("p")) if isinstance(data.get("p"), str) else None
    if p is None or not 0 < rho < 1:
        raise CertificateError("data.p must be '1', '2' or 'inf' and data.rho in (0, 1)")
    i, ip = (parse.integer(data.get(key), f"data.{key}", 0, len(X) - 1) for key in ("i", "i_prime"))
    x, xp = parse.vector(data.get("x"), "data.x", d), parse.vector(data.get("x_prime"), "data.x_prime", d)
    if labels[i] == labels[ip]:
        return Verdict.refuted("the two balls carry the same label", {"i": i, "i_prime": ip})
    r = rho * rho * _sep(X, labels, 2) if p == 2 else rho * _sep(X, labels, p)
    if not all(_norm([a - b for a, b in zip(y, X[k])], p) < r for y, k in ((x, i), (xp, ip))):
        return Verdict.refuted("a witness point is not inside its open robustness ball", {})
    if any(sum((w * (a - b) for w, a, b in zip(row, x, xp)), fmpq(0)) != 0 for row in W):
        return Verdict.refuted("W x != W x'", {})
    return Verdict.proved(f"x in B(x_{i}, mu) and x' in B(x_{ip}, mu) (open l_{data['p']} balls), labels {labels[i]} "
                          f"!= {labels[ip]}, W x = W x': every network with first layer W maps them to one output")


def lattice_margin(doc, data) -> Verdict:
    Z = parse.matrix(data.get("points"), "data.points")
    b = parse.vector(data.get("b"), "data.b", len(Z[0]))
    margin = parse.rational(data.get("margin"), "data.margin")
    worst = min((min(t - _floor(t), 1 - t + _floor(t)), i, j) for i, row in enumerate(Z)
                for j, t in enumerate(v - c for v, c in zip(row, b)))
    return Verdict.from_exact(worst[0] >= margin, f"every translated coordinate is >= {worst[0]} from Z "
                              f"(coordinate ({worst[1]}, {worst[2]}) attains it); claimed margin {margin}",
                              {"point": worst[1], "coordinate": worst[2]})


def grid_cells(doc, data) -> Verdict:
    C = parse.matrix(data.get("centres"), "data.centres")
    labels = data.get("labels")
    if not isinstance(labels, list) or len(labels) != len(C):
        raise CertificateError("data.labels must have one label per centre")
    labels = [parse.integer(y, f"data.labels[{i}]", 1) for i, y in enumerate(labels)]
    mu, gamma = parse.rational(data.get("mu"), "data.mu"), parse.rational(data.get("gamma"), "data.gamma")
    R = parse.integer(data.get("R"), "data.R", 2)
    if not (mu > 0 and 0 < gamma < 1):
        raise CertificateError("data.mu must be positive and data.gamma in (0, 1)")
    owner = {}
    for i, c in enumerate(C):
        cell = tuple(_floor(v) for v in c)
        for j, (v, k) in enumerate(zip(c, cell)):
            if not (k + gamma <= v - mu and v + mu <= k + 1 and 0 <= k < R):
                return Verdict.refuted(f"ball {i} is not inside its cell with margin in coordinate {j}", {"ball": i})
        o = owner.setdefault(cell, i)
        if labels[o] != labels[i]:
            return Verdict.refuted(f"balls {o} and {i} share a cell but have different labels", {"balls": [o, i]})
    return Verdict.proved(f"{len(C)} balls of radius {mu} in single cells above their corners by {gamma}, digits < "
                          f"{R} (an injective base-R index), no cell shared across labels")


def projection(doc, data) -> Verdict:
    X, labels = parse.dataset(doc.get("dataset"))
    full = parse.matrix(data.get("W_full"), "data.W_full")
    d, m = len(X[0]), len(full)
    if len(full[0]) < d:
        raise CertificateError("data.W_full has fewer columns than the data have coordinates")
    kappa_sq = parse.rational(data.get("kappa_sq"), "data.kappa_sq")
    F = fmpq_mat(full)
    if F * F.transpose() != fmpq_mat(m, m, [int(i == j) for i in range(m) for j in range(m)]):
        return Verdict.refuted("the rows of W_full are not exactly orthonormal", {})
    Y = (fmpq_mat(X) * fmpq_mat([row[:d] for row in full]).transpose()).tolist()
    proj, orig = _sep(Y, labels, 2), _sep(X, labels, 2)
    return Verdict.from_exact(proj >= kappa_sq * orig, f"W W^T = I (W is 1-Lipschitz) and eps_WD^2 = {proj} vs "
                              f"kappa_sq eps_D^2 = {kappa_sq * orig}")


CHECKS = {"separation": separation, "exact-memorization": memorization, "first-layer-collision": collision,
          "lattice-margin": lattice_margin, "grid-cells": grid_cells, "projection": projection}
