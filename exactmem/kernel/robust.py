"""The claim "f rho-robustly memorizes D in l_p" (Definition 2.2, C.2), exactly or with error below eta
(Definition 4.1), proved from the network's own layers.

For ball i the sources are the first layer's pre-activations u_k = w_k.x + b_k; over the open ball
B_p(x_i, mu) source k ranges over c_ik +- R_k with R_k = mu ||w_k||_q (q dual to p), which the kernel
bounds above by a rational (exactly for p = 1, inf).  The engine then derives every register of every
layer on the ball; the claim holds on the ball if the output is y_i everywhere.

With eta, hints.exclude lists slabs {x : frac(alpha u_k(x) + beta) < gamma}: the analysis ignores them,
and their probability under the uniform measure of each ball is paid for, at most |slab| c_d / R_k
(the density of w.x on the ball, ``numbers.slab_density``); the claim is proved if every ball's sum is
below eta.  Hints never change what is proved: a wrong hint can only make the proof fail.
"""
from __future__ import annotations

import time
from math import gcd

from flint import fmpq, fmpz_mat

from ..errors import CertificateError
from ..verdict import Verdict
from . import parse
from . import values as V
from .engine import Col, Engine, State, Undecided, compile_layer, evaluate, run
from .numbers import slab_density, sqrt_bounds
from .separation import integer_rows, min_cross

import numpy as np

NORMS = {"1": 1, "2": 2, "inf": "inf"}


def _floor(q):
    return int(q.p) // int(q.q)


class Ball:
    """Geometry shared by all balls: radius, source rows, ranges R_k (upper) and their lower bounds."""

    def __init__(self, X, labels, layers, rho, p):
        rows, L = integer_rows(X)
        sep = min_cross(rows, labels, p)[0]
        self.p, self.d = p, len(X[0])
        if p == 2:
            self.mu_sq = rho * rho * fmpq(sep, 4 * L * L)
        else:
            self.mu = rho * fmpq(sep, 2 * L)
            self.mu_sq = self.mu * self.mu
        W1, b1 = layers[0]
        self.W1 = W1
        self.R, self.R_lo = [], []
        for nz in W1:
            if p == 2:
                lo, hi = sqrt_bounds(self.mu_sq * sum((w * w for _, w in nz), fmpq(0)))
            else:
                lo = hi = self.mu * (sum((abs(w) for _, w in nz), fmpq(0)) if p == "inf" else
                                     max((abs(w) for _, w in nz), default=fmpq(0)))
            self.R.append(hi)
            self.R_lo.append(lo)
        q = 1
        for nz, b in zip(W1, b1):
            for t in [w for _, w in nz] + [b]:
                q = q * int(t.q) // gcd(q, int(t.q))
        Wz = fmpz_mat(len(W1), self.d)
        for k, nz in enumerate(W1):
            for j, w in nz:
                Wz[k, j] = int(w.p) * (q // int(w.q))
        C = (fmpz_mat(rows) * Wz.transpose()).tolist()
        self.den = L * q
        self.c_int = [[int(v) + int(b.p) * (self.den // int(b.q)) for v, b in zip(row, b1)] for row in C]
        self.canon, first = [], {}        # unit k moves as lam * (unit c): w_k = lam w_c, c the first such unit
        for k, nz in enumerate(W1):
            c = first.setdefault(tuple((j, str(w / nz[0][1])) for j, w in nz), k) if nz else k
            self.canon.append((c, nz[0][1] / W1[c][0][1] if nz else fmpq(1)))

    def centre(self, i, k):
        return fmpq(self.c_int[i][k], self.den)

    def sources(self, balls):
        """Layer-1 pre-activations on rows of the given balls, as one-source forms."""
        cols = []
        for k, (c, lam) in enumerate(self.canon):
            q = int(lam.q)
            num = np.array([self.c_int[i][k] * q for i in balls], dtype=object)
            if self.R[c] == 0:
                cols.append(Col(num, self.den * q))
            else:
                cols.append(Col(num, self.den * q, np.full(len(balls), int(lam.p) * self.den, dtype=object),
                                np.full(len(balls), c, dtype=np.int64)))
        return cols


def _slabs(ball, i, k, alpha, beta, gamma):
    """The excluded intervals [a, b] of the offset t of unit k's source on ball i: frac(alpha u_k + beta) < gamma
    with u_k = c_ik + lam t, t in [-R, R]."""
    c, lam = ball.canon[k]
    R, alpha = ball.R[c], alpha * lam
    v0 = alpha * ball.centre(i, k) / lam + beta
    lo, hi = sorted((v0 - abs(alpha) * R, v0 + abs(alpha) * R))
    out = []
    for n in range(_floor(lo) - 1, _floor(hi) + 1):
        a, b = sorted(((n - v0) / alpha, (n + gamma - v0) / alpha))
        a, b = max(a, -R), min(b, R)
        if a < b:
            out.append((a, b))
    return out


def _union(intervals):
    out = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _hints(doc, m, nlayers):
    hints = parse.obj(doc.get("hints", {}), "hints")
    ex = hints.get("exclude", [])
    if not isinstance(ex, list):
        raise CertificateError("hints.exclude must be a list")
    excl = []
    for h, e in enumerate(ex):
        if not isinstance(e, list) or len(e) != 4:
            raise CertificateError(f"hints.exclude[{h}] must be [source, alpha, beta, gamma]")
        k = parse.integer(e[0], f"hints.exclude[{h}][0]", 0, m - 1)
        a, b, g = (parse.rational(v, f"hints.exclude[{h}]") for v in e[1:])
        if a == 0 or not 0 < g < 1:
            raise CertificateError(f"hints.exclude[{h}]: alpha must be non-zero and gamma in (0, 1)")
        excl.append((k, a, b, g))
    quad, qs = {}, hints.get("quadratic", [])
    if not isinstance(qs, list):
        raise CertificateError("hints.quadratic must be a list")
    for h, q in enumerate(qs):
        q = parse.obj(q, f"hints.quadratic[{h}]")
        key = (parse.integer(q.get("layer"), f"hints.quadratic[{h}].layer", 1, nlayers - 1),
               parse.integer(q.get("unit"), f"hints.quadratic[{h}].unit", 0))
        alpha = parse.rational(q.get("alpha"), f"hints.quadratic[{h}].alpha")
        centre = parse.vector(q.get("centre"), f"hints.quadratic[{h}].centre", m)
        clip = parse.rational(q["clip"], f"hints.quadratic[{h}].clip") if q.get("clip") is not None else None
        if alpha == 0 or (clip is not None and clip <= 0):
            raise CertificateError(f"hints.quadratic[{h}]: alpha must be non-zero and clip positive")
        quad[key] = (alpha, centre, clip)
    return excl, quad


def _sandwich(ball, i, hint, cache):
    """Bounds of a Sep from alpha sum_k q(u_k - centre_k) + deviations, q = square clipped at clip^2."""
    alpha, centre, clip = hint

    def bound(sep):
        S = tuple(sorted(sep.terms))
        if S not in cache:        # Gershgorin: ||W_S v||^2 <= max_row sum |G| ||v||^2, G = W_S W_S^T
            rows = [dict(ball.W1[k]) for k in S]
            cache[S] = max(sum((abs(sum((w * r2.get(j, 0) for j, w in r1.items()), fmpq(0))) for r2 in rows), fmpq(0))
                           for r1 in rows)
        rad2 = cache[S] * ball.mu_sq * (ball.d if ball.p == "inf" else 1)
        g_lo = g_hi = sep.c
        D2 = q_lo = q_hi = fmpq(0)
        for k in S:
            e = ball.centre(i, k) - centre[k]
            lo, hi = V.quad_deviation(sep.terms[k], e, alpha, clip)
            g_lo, g_hi, D2 = g_lo + lo, g_hi + hi, D2 + e * e
            near = max(abs(e) - ball.R[k], fmpq(0))
            q_lo, q_hi = q_lo + near * near, q_hi + (abs(e) + ball.R[k]) ** 2
        cross = sqrt_bounds(D2 * rad2)[1]
        q_hi = min(q_hi, D2 + rad2 + 2 * cross)
        if D2 > rad2:
            q_lo = max(q_lo, D2 + rad2 - 2 * cross)
        s_lo = min(q_lo, clip * clip) if clip is not None else q_lo
        lo_, hi_ = (alpha * s_lo, alpha * q_hi) if alpha > 0 else (alpha * q_hi, alpha * s_lo)
        return g_lo + lo_, g_hi + hi_
    return bound


def _witness(d0, layers, X, labels, ball, i, rows_out):
    """An exact point of the open ball with a wrong output: the centre, or a midpoint of a wrong piece."""
    cands = [list(X[i])]
    for val in rows_out:
        if isinstance(val, V.PL):
            w = dict(ball.W1[val.k])
            for lo, hi, v, a in val.pieces:
                t = (lo + hi) / 2
                if a * t + v != labels[i] and abs(t) < ball.R_lo[val.k]:
                    x = list(X[i])
                    if ball.p == 2:
                        n2 = sum((c * c for c in w.values()), fmpq(0))
                        for j, c in w.items():
                            x[j] += t * c / n2
                    elif ball.p == "inf":
                        n1 = sum((abs(c) for c in w.values()), fmpq(0))
                        for j, c in w.items():
                            x[j] += t * (1 if c > 0 else -1) / n1
                    else:
                        j, c = max(w.items(), key=lambda jc: abs(jc[1]))
                        x[j] += t / c
                    cands.append(x)
    outs = evaluate(layers, cands)
    for x, out in zip(cands, outs):
        diff = [a - b for a, b in zip(x, X[i])]
        norm = (sum((t * t for t in diff), fmpq(0)) if ball.p == 2 else
                max(abs(t) for t in diff) if ball.p == "inf" else sum((abs(t) for t in diff), fmpq(0)))
        inside = norm < ball.mu_sq if ball.p == 2 else norm < ball.mu
        if inside and out[0] != labels[i]:
            return x, out[0]
    return None


def check(doc, rho=None, eta=None, progress=None, budget=None) -> Verdict:
    X, labels = parse.dataset(doc.get("dataset"))
    d0, layers = parse.network(doc.get("network"))
    if d0 != len(X[0]) or len(layers[-1][0]) != 1:
        raise CertificateError(f"the network maps R^{d0} to R^{len(layers[-1][0])}; the claim needs R^{len(X[0])} -> R")
    data = parse.obj(doc.get("data"), "data")
    rho = parse.rational(data.get("rho"), "data.rho") if rho is None else rho
    p = NORMS.get(data["p"]) if isinstance(data.get("p"), str) else None
    if p is None or not 0 < rho < 1:
        raise CertificateError("data.p must be '1', '2' or 'inf' and data.rho must lie in (0, 1)")
    if eta is None and data.get("eta") is not None:
        eta = parse.rational(data["eta"], "data.eta")
    if eta is not None and not 0 < eta < 1:
        raise CertificateError("data.eta must lie in (0, 1)")
    excl, quad = _hints(doc, len(layers[0][0]), len(layers))
    if excl and eta is None:
        raise CertificateError("hints.exclude drops points from the analysis; only a claim with eta may have it")
    N, ball = len(X), Ball(X, labels, layers, rho, p)
    gaps, err = {}, [fmpq(0)] * N
    dens = slab_density(len(X[0]), p)
    for i in range(N):
        per = {}
        for k, a, b, g in excl:
            if ball.R[ball.canon[k][0]] > 0:
                per.setdefault(ball.canon[k][0], []).extend(_slabs(ball, i, k, a, b, g))
        for k, iv in per.items():
            u = _union(iv)
            gaps[i, k] = ([s for s, _ in u], [e for _, e in u])
            err[i] += sum((e - s for s, e in u), fmpq(0)) * dens / ball.R_lo[k]
    start = time.monotonic()

    def tick(l, L):
        if progress:
            progress(l, L)
        if budget is not None and time.monotonic() - start > budget:
            raise Undecided(f"budget of {budget} s spent at layer {l + 1} of {L}")
    cache = {}
    eng = Engine(ball.R, lambda i, k: gaps.get((i, k)),
                 lambda i, l, u: _sandwich(ball, i, quad[l, u], cache) if (l, u) in quad else None, tick)
    m = len(layers[0][0])
    ident = compile_layer([[(k, fmpq(1))] for k in range(m)], [fmpq(0)] * m, m)
    compiled, width = [ident], m
    for rows, bias in layers[1:]:
        compiled.append(compile_layer(rows, bias, width))
        width = len(rows)
    try:
        st = run(compiled, State(range(N), ball.sources(range(N))), eng)
    except Undecided as e:
        return Verdict.undecided(str(e))
    bad = {}
    for r, i in enumerate(st.ball.tolist()):
        val = st.spec.get(r, {}).get(0)
        val = st.cols[0].value(r, ball.R) if val is None else val
        ok = (val == labels[i] if isinstance(val, fmpq) else val == V.Set([fmpq(labels[i])]) if isinstance(val, V.Set)
              else isinstance(val, V.PL) and all(pc[3] == 0 and pc[2] == labels[i] for pc in val.pieces))
        if not ok:
            bad.setdefault(i, []).append(val)
    what = f"l_{data['p']} balls of ratio rho = {rho} (N = {N}, d = {len(X[0])}, {len(layers)} layers)"
    if bad:
        i = min(bad)
        w = _witness(d0, layers, X, labels, ball, i, bad[i])
        if w is not None and eta is None:
            return Verdict.refuted(f"the network outputs {w[1]} at a point of the open ball of x_{i}, whose label is "
                                   f"{labels[i]}", {"ball": i, "x": [str(t) for t in w[0]], "output": str(w[1])})
        return Verdict.undecided(f"the output could not be shown to equal the label on {len(bad)} ball(s), first "
                                 f"ball {i}" + (f" (an exact point there gets {w[1]})" if w else ""), balls=sorted(bad))
    if eta is None:
        return Verdict.proved(f"on every {what} the network equals the ball's label: every unit of every layer was "
                              f"derived exactly on the ball from the network's weights")
    worst = max(range(N), key=lambda i: err[i])
    if not err[worst] < eta:
        return Verdict.undecided(f"ball {worst}: the proved error bound {err[worst]} is not below eta = {eta}",
                                 max_error_bound=err[worst], error_bounds=err)
    return Verdict.proved(f"on every {what} the network equals the label outside excluded slabs whose probability "
                          f"is at most {err[worst]} < eta = {eta} (uniform measure, density bound {dens}/R_k)",
                          max_error_bound=err[worst], error_bounds=err)
