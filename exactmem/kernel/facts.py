"""Certificates of single facts about data and matrices (block lemmas, lower bounds).

* ``separation``: eps_D^2 (p = 2) or eps_{D,p} equals the stated value;
* ``exact-memorization``: the network outputs y_i at every x_i;
* ``first-layer-collision``: two points in open balls of differently labelled points have W x = W x', so
  no network with first layer W robustly memorizes the data (Prop. 3.2, C.6, C.7);
* ``lattice-margin``: every translated coordinate x_ij - b_j is at least ``margin`` from the integers;
* ``grid-cells``: every open ball B(c_i, mu) lies in one unit cell, above its corner by gamma, digits in
  [0, R), and differently labelled balls lie in different cells;
* ``projection``: W_full has exactly orthonormal rows and eps_{WD}^2 >= kappa_sq eps_D^2 (W: d columns).
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


def _p(data, default=None):
    p = data.get("p", default)
    if not isinstance(p, str) or p not in NORMS:
        raise CertificateError("data.p must be '1', '2' or 'inf'")
    return NORMS[p]


def _sep(X, labels, p):
    """eps_D^2 (p = 2) or eps_{D,p} (p = 1, inf), exactly."""
    rows, L = integer_rows(X)
    return fmpq(min_cross(rows, labels, p)[0], 4 * L * L if p == 2 else 2 * L)


def separation(doc, data) -> Verdict:
    X, labels = parse.dataset(doc.get("dataset"))
    p = _p(data, "2")
    key = "eps_sq" if p == 2 else "eps"
    exact = _sep(X, labels, p)
    return Verdict.from_exact(parse.rational(data.get(key), f"data.{key}") == exact,
                              f"{key} = {exact} (l_{data.get('p', '2')}), recomputed over all differently labelled pairs")


def memorization(doc, data) -> Verdict:
    X, labels = parse.dataset(doc.get("dataset"))
    d0, layers = parse.network(doc.get("network"))
    if d0 != len(X[0]) or len(layers[-1][0]) != 1:
        raise CertificateError("the network must map R^d to R")
    wrong = [(i, out[0]) for i, (out, y) in enumerate(zip(evaluate(layers, X), labels)) if out[0] != y]
    if wrong:
        return Verdict.refuted(f"the network outputs {wrong[0][1]} at x_{wrong[0][0]}", {"index": wrong[0][0]})
    return Verdict.proved(f"re-evaluated exactly: f(x_i) = y_i for all {len(X)} points")


def collision(doc, data) -> Verdict:
    X, labels = parse.dataset(doc.get("dataset"))
    d, W, rho, p = len(X[0]), parse.matrix(data.get("W"), "data.W"), parse.rational(data.get("rho"), "data.rho"), _p(data)
    if len(W[0]) != d or not 0 < rho < 1:
        raise CertificateError("data.W must take d inputs and data.rho lie in (0, 1)")
    if doc.get("network") is not None and parse.network(doc["network"])[1][0][0] != \
            [[(j, w) for j, w in enumerate(r) if w != 0] for r in W]:
        raise CertificateError("data.W is not the first layer of the certificate's network")
    i, ip = (parse.integer(data.get(key), f"data.{key}", 0, len(X) - 1) for key in ("i", "i_prime"))
    x, xp = parse.vector(data.get("x"), "data.x", d), parse.vector(data.get("x_prime"), "data.x_prime", d)
    if labels[i] == labels[ip]:
        return Verdict.refuted("the two balls carry the same label", {"i": i, "i_prime": ip})
    r = rho * rho * _sep(X, labels, 2) if p == 2 else rho * _sep(X, labels, p)
    for y, k in ((x, i), (xp, ip)):
        v = [a - b for a, b in zip(y, X[k])]
        if not (sum((t * t for t in v), fmpq(0)) if p == 2 else max(map(abs, v)) if p == "inf" else sum(map(abs, v))) < r:
            return Verdict.refuted(f"the point for ball {k} is not inside its open robustness ball", {"ball": k})
    if any(sum((w * (a - b) for w, a, b in zip(row, x, xp)), fmpq(0)) != 0 for row in W):
        return Verdict.refuted("W x != W x'", {})
    return Verdict.proved(f"x in B(x_{i}, mu), x' in B(x_{ip}, mu) (open l_{data['p']} balls), labels {labels[i]} != "
                          f"{labels[ip]}, W x = W x': every network with first layer W maps them to one output")


def lattice_margin(doc, data) -> Verdict:
    Z = parse.matrix(data.get("points"), "data.points")
    b, margin = parse.vector(data.get("b"), "data.b", len(Z[0])), parse.rational(data.get("margin"), "data.margin")
    worst = min((min(t - _floor(t), 1 - t + _floor(t)), i, j) for i, row in enumerate(Z)
                for j, t in enumerate(v - c for v, c in zip(row, b)))
    return Verdict.from_exact(worst[0] >= margin, f"every translated coordinate is >= {worst[0]} from Z (coordinate "
                              f"({worst[1]}, {worst[2]}) attains it); claimed margin {margin}", {"point": worst[1]})


def grid_cells(doc, data) -> Verdict:
    C, labels = parse.matrix(data.get("centres"), "data.centres"), data.get("labels")
    if not isinstance(labels, list) or len(labels) != len(C):
        raise CertificateError("data.labels must have one label per centre")
    labels = [parse.integer(y, f"data.labels[{i}]", 1) for i, y in enumerate(labels)]
    mu, gamma, R = parse.rational(data.get("mu"), "data.mu"), parse.rational(data.get("gamma"), "data.gamma"), \
        parse.integer(data.get("R"), "data.R", 2)
    if not (mu > 0 and 0 < gamma < 1):
        raise CertificateError("data.mu must be positive and data.gamma in (0, 1)")
    owner = {}
    for i, c in enumerate(C):
        cell = tuple(_floor(v) for v in c)
        if not all(k + gamma <= v - mu and v + mu <= k + 1 and 0 <= k < R for v, k in zip(c, cell)):
            return Verdict.refuted(f"ball {i} is not inside one cell above its corner by gamma, digits < R", {"ball": i})
        o = owner.setdefault(cell, i)
        if labels[o] != labels[i]:
            return Verdict.refuted(f"balls {o} and {i} share a cell but have different labels", {"balls": [o, i]})
    return Verdict.proved(f"{len(C)} balls of radius {mu} in single cells above their corners by {gamma}, digits < "
                          f"{R} (an injective base-R index), no cell shared across labels")


def projection(doc, data) -> Verdict:
    X, labels = parse.dataset(doc.get("dataset"))
    full, kappa_sq = parse.matrix(data.get("W_full"), "data.W_full"), parse.rational(data.get("kappa_sq"), "data.kappa_sq")
    d, m = len(X[0]), len(full)
    if len(full[0]) < d:
        raise CertificateError("data.W_full has fewer columns than the data have coordinates")
    F = fmpq_mat(full)
    if m > len(full[0]) or F * F.transpose() != fmpq_mat(m, m, [int(i == j) for i in range(m) for j in range(m)]):
        return Verdict.refuted("the rows of W_full are not exactly orthonormal", {})
    proj, orig = _sep((fmpq_mat(X) * fmpq_mat([r[:d] for r in full]).transpose()).tolist(), labels, 2), _sep(X, labels, 2)
    return Verdict.from_exact(proj >= kappa_sq * orig, f"W W^T = I (W is 1-Lipschitz) and eps_WD^2 = {proj} vs "
                              f"kappa_sq eps_D^2 = {kappa_sq * orig}")


CHECKS = {"separation": separation, "exact-memorization": memorization, "first-layer-collision": collision,
          "lattice-margin": lattice_margin, "grid-cells": grid_cells, "projection": projection}
