"""The claim "f rho-robustly memorizes D in l_p" (Definitions 2.2, C.2), exactly or with error below eta
(Definition 4.1), proved from the network's own layers.

The sources of ball i are the first layer's pre-activations u_k = w_k.x + b_k (a unit whose row is a
multiple of an earlier row moves with that one).  Over the open ball B_p(x_i, mu) source k stays within
c_ik +- R_k, R_k = mu ||w_k||_q with q dual to p; R_k is exact for p = 1, inf and a rational upper bound
(relative error 2^-128) for p = 2.  The engine derives every register of every layer on the ball; the
claim holds if the output is y_i everywhere.

With eta, hints.exclude lists slabs {frac(alpha u_k + beta) < gamma}: the analysis ignores them and each
ball pays their probability, at most |slab| c_d / R_k (``numbers.slab_density``); the claim holds if every
ball's sum is below eta.  Hints never change what is true, only whether it can be proved.
"""
from __future__ import annotations

import json
from math import gcd

import numpy as np
from flint import fmpq, fmpz_mat

from ..errors import CertificateError
from ..verdict import Verdict
from . import inert as I
from . import parse
from . import sandwich as H
from . import steps as S
from . import streams as B
from . import values as V
from .engine import Col, Compiled, Engine, Skipped, State, Undecided, evaluate, run
from .numbers import slab_density, sqrt_bounds
from .separation import integer_rows, min_cross
from .slabs import Slabs

NORMS = {"1": 1, "2": 2, "inf": "inf"}
CHUNK = 4096                # balls analysed together: the rows of a chunk are all in memory at once
TRIES = 10 ** 6             # integers the slab hints may make ``Balls.slabs`` try before the certificate's size counts


class Balls:
    """The geometry of all balls: mu, the first layer, the sources' centres c_ik and radii R_k."""

    def __init__(self, X, labels, layers, rho, p):
        rows, L = integer_rows(X)
        sep = fmpq(min_cross(rows, labels, p)[0], 4 * L * L if p == 2 else 2 * L)
        self.p, self.d, self.W1 = p, len(X[0]), layers[0][0]
        self.mu_sq = rho * rho * sep if p == 2 else (rho * sep) ** 2       # mu^2; for p = 1, inf mu is rational
        self.mu = None if p == 2 else rho * sep
        self.R, self.R_lo, self.canon, first = [], [], [], {}
        for k, nz in enumerate(self.W1):
            ws = [w for _, w in nz] or [fmpq(0)]
            if p == 2:
                lo, hi = sqrt_bounds(self.mu_sq * sum((w * w for w in ws), fmpq(0)))
            else:
                lo = hi = self.mu * (sum(map(abs, ws), fmpq(0)) if p == "inf" else max(map(abs, ws)))
            self.R.append(hi)
            self.R_lo.append(lo)
            c = first.setdefault(tuple((j, str(w / nz[0][1])) for j, w in nz), k) if nz else k
            self.canon.append((c, ws[0] / self.W1[c][0][1] if nz else fmpq(1)))     # u_k - c_ik = lam (u_c - c_ic)
        q = 1
        for t in [w for nz in self.W1 for _, w in nz] + layers[0][1]:
            q = q * int(t.q) // gcd(q, int(t.q))
        Wz = fmpz_mat(len(self.W1), self.d)
        for k, nz in enumerate(self.W1):
            for j, w in nz:
                Wz[k, j] = int(w.p) * (q // int(w.q))
        self.den = L * q
        bz = [int(b.p) * (self.den // int(b.q)) for b in layers[0][1]]
        self.c = [[int(v) + b for v, b in zip(row, bz)] for row in (fmpz_mat(rows) * Wz.transpose()).tolist()]

    def centre(self, i, k):
        return fmpq(self.c[i][k], self.den)

    def sources(self, idx):
        """The first layer's pre-activations on the rows of the balls idx, as affine forms of one source."""
        cols, n = [], len(idx)
        for k, (c, lam) in enumerate(self.canon):
            q, num = int(lam.q), np.array([self.c[i][k] * int(lam.q) for i in idx], dtype=object)
            cols.append(Col(num, self.den * q) if self.R[c] == 0 else
                        Col(num, self.den * q, np.full(n, int(lam.p) * self.den, dtype=object), np.full(n, c)))
        return cols

    def slabs(self, i, k, alpha, beta, gamma):
        """Offsets t of source c = canon(k) on ball i with frac(alpha u_k + beta) < gamma, u_k = c_ik + lam t."""
        c, lam = self.canon[k]
        v0, a, R = alpha * self.centre(i, k) + beta, alpha * lam, self.R[c]
        out = []
        for n in range(int((v0 - abs(a) * R).floor()) - 1, int((v0 + abs(a) * R).floor()) + 1):
            lo, hi = sorted(((n - v0) / a, (n + gamma - v0) / a))
            if max(lo, -R) < min(hi, R):
                out.append((max(lo, -R), min(hi, R)))
        return c, out

    def inside(self, i, x, X):
        diff = [a - b for a, b in zip(x, X[i])]
        if self.p == 2:
            return sum((t * t for t in diff), fmpq(0)) < self.mu_sq
        return (max(map(abs, diff)) if self.p == "inf" else sum(map(abs, diff), fmpq(0))) < self.mu

    def radius_sq(self, S, cache):
        """r^2 with ||(u_k - c_ik)_{k in S}|| < r on every ball: Gershgorin's bound of W_S W_S^T times the
        squared radius of an l_2 ball containing the l_p ball (mu, mu, sqrt(d) mu for p = 2, 1, inf)."""
        if S not in cache:
            rows = [dict(self.W1[k]) for k in S]
            cache[S] = max(sum(abs(sum((w * r2.get(j, 0) for j, w in r1.items()), fmpq(0))) for r2 in rows)
                           for r1 in rows)
        return cache[S] * self.mu_sq * (self.d if self.p == "inf" else 1)

    def meets(self, cut, cache):
        """False when no point of a ball has its sources in the cut's intervals (so the row is empty)."""
        S = tuple(sorted(cut))
        return sum((max(fmpq(0), lo, -hi) ** 2 for lo, hi in (cut[k] for k in S)), fmpq(0)) < self.radius_sq(S, cache)

    def quad_box(self, i, S, z) -> tuple:
        """(||c_i - z||^2, least and greatest sum (u_k - z_k)^2 over the box |u_k - c_ik| <= R_k), k in S."""
        es = [(abs(self.centre(i, k) - z[k]), self.R[k]) for k in S]
        return (sum((e * e for e, _ in es), fmpq(0)), sum((max(e - R, fmpq(0)) ** 2 for e, R in es), fmpq(0)),
                sum(((e + R) ** 2 for e, R in es), fmpq(0)))

    def sandwich(self, i, hint, cache):
        """Bounds of a Sep: alpha sum_k q_k + sum_k g_k + c with q_k = min((u_k - centre_k)^2, clip^2), g_k
        bounded exactly on each piece, and the quadratic's range on the ball (``sandwich.interval``)."""
        alpha, centre, clip = hint

        def bound(sep):
            S = tuple(sorted(sep.terms))
            g_lo = g_hi = sep.c
            for k in S:
                lo, hi = V.quad_deviation(sep.terms[k], self.centre(i, k) - centre[k], alpha, clip)
                g_lo, g_hi = g_lo + lo, g_hi + hi
            return H.interval(*self.quad_box(i, S, centre), self.radius_sq(S, cache), g_lo, g_hi, hint)
        return bound


def _hints(doc, m, widths):
    hints = parse.obj(doc.get("hints", {}), "hints")
    ex, qs, bl = hints.get("exclude", []), hints.get("quadratic", []), hints.get("blocks", [])
    if not isinstance(ex, list) or not isinstance(qs, list) or not isinstance(bl, list):
        raise CertificateError("hints.exclude, hints.quadratic and hints.blocks must be lists")
    excl, quad = [], {}
    for h, e in enumerate(ex):
        if not isinstance(e, list) or len(e) != 4:
            raise CertificateError(f"hints.exclude[{h}] must be [source, alpha, beta, gamma]")
        k, (a, b, g) = parse.integer(e[0], f"hints.exclude[{h}][0]", 0, m - 1), parse.vector(e[1:], f"hints.exclude[{h}]")
        if a == 0 or not 0 < g < 1:
            raise CertificateError(f"hints.exclude[{h}]: alpha must be non-zero and gamma in (0, 1)")
        excl.append((k, a, b, g))
    for h, q in enumerate(qs):
        where = f"hints.quadratic[{h}]"
        q = parse.obj(q, where)
        l = parse.integer(q.get("layer"), f"{where}.layer", 1, len(widths) - 1)
        key = (l, parse.integer(q.get("unit"), f"{where}.unit", 0, widths[l] - 1))
        alpha, centre = parse.rational(q.get("alpha"), f"{where}.alpha"), parse.vector(q.get("centre"), f"{where}.centre", m)
        clip = parse.rational(q["clip"], f"{where}.clip") if q.get("clip") is not None else None
        if alpha == 0 or (clip is not None and clip <= 0):
            raise CertificateError(f"{where}: alpha must be non-zero and clip positive")
        quad[key] = (alpha, centre, clip)
    blocks = []
    for h, e in enumerate(bl):
        if not isinstance(e, list) or len(e) != 4:
            raise CertificateError(f"hints.blocks[{h}] must be [first layer, last layer, first slab, end of slabs]")
        a = parse.integer(e[0], f"hints.blocks[{h}][0]", 1, len(widths) - 2)
        b = parse.integer(e[1], f"hints.blocks[{h}][1]", a + 1, len(widths) - 2)
        e0 = parse.integer(e[2], f"hints.blocks[{h}][2]", 0, len(ex))
        blocks.append((a, b, e0, parse.integer(e[3], f"hints.blocks[{h}][3]", e0, len(ex))))
    return excl, quad, blocks


def claim(doc, rho=None, eta=None):
    """(X, labels, layers, rho, p, eta) of a robust-memorization certificate; rho and eta may be overridden."""
    X, labels = parse.dataset(doc.get("dataset"))
    d0, layers = parse.network(doc.get("network"))
    if d0 != len(X[0]) or len(layers[-1][0]) != 1:
        raise CertificateError(f"the network maps R^{d0} to R^{len(layers[-1][0])}; the claim needs R^{len(X[0])} -> R")
    data = parse.obj(doc.get("data"), "data")
    rho = parse.rational(data.get("rho"), "data.rho") if rho is None else rho
    p = NORMS.get(data["p"]) if isinstance(data.get("p"), str) else None
    if eta is None and data.get("eta") is not None:
        eta = parse.rational(data["eta"], "data.eta")
    if p is None or not 0 < rho < 1 or (eta is not None and not 0 < eta < 1):
        raise CertificateError("data.p must be '1', '2' or 'inf', data.rho and data.eta in (0, 1)")
    return X, labels, layers, rho, p, eta


def unproved(balls) -> str:
    return f"the output could not be shown to equal the label on {len(balls)} ball(s), first ball {min(balls)}"


def check(doc, rho=None, eta=None, progress=None, clock=lambda: None, share=None) -> Verdict:
    """The verdict; ``clock()`` may raise Undecided (a budget).  Slab hints may make ``Balls.slabs`` try at most
    max(TRIES, 4 N x their number, the certificate's characters as JSON) integers; they are counted before any is
    tried.  ``share`` = (s, n): only the
    balls i with i mod n = s are analysed (``shares.py``); every other check runs in full."""
    X, labels, layers, rho, p, eta = claim(doc, rho, eta)
    excl, quad, blocks = _hints(doc, len(layers[0][0]), [len(r) for r, _ in layers])
    if excl and eta is None:
        raise CertificateError("hints.exclude drops points from the analysis; only a claim with eta may have it")
    N, balls = len(X), Balls(X, labels, layers, rho, p)
    mine = list(range(N)) if share is None else list(range(share[0], N, share[1]))
    dens = slab_density(len(X[0]), p)
    slabs = Slabs(balls, excl, mine, dens, clock)
    size = len(json.dumps(doc)) if slabs.count > max(TRIES, 4 * N * len(excl)) else slabs.count
    if slabs.count > size:
        raise CertificateError(f"hints.exclude[{-slabs.worst[1]}]: with its source's other hints, the slabs cut the "
                               f"balls' ranges at up to {slabs.count} places, beyond the certificate's size ({size} "
                               f"characters)")
    err = [slabs.err.get(i, fmpq(0)) for i in range(N)]
    cache = {}

    def tick(l, L):
        if progress:
            progress(l, L)
        clock()
    m = len(layers[0][0])
    compiled = Compiled([([[(k, fmpq(1))] for k in range(m)], [fmpq(0)] * m, m)] +
                        [(rows, bias, len(prev[0])) for (rows, bias), prev in zip(layers[1:], layers)])

    def analyse(idx, skip=None, lemma=None, inert=None):
        """{ball: outputs} of the balls idx that are not proved, CHUNK balls at a time (the rows' memory)."""
        bad = {}
        for at in range(0, len(idx), CHUNK):
            part = idx[at:at + CHUNK]
            eng = Engine(balls.R, slabs.gaps,
                         lambda i, l, u: balls.sandwich(i, quad[l, u], cache) if (l, u) in quad else None, tick,
                         lambda cut: balls.meets(cut, cache), clock, skip, lemma)
            for a, sp in (inert.spans.items() if inert else ()):
                eng.spans[a] = (sp.b, lambda st, e, sp=sp: inert.run(sp, st, e))
            bad.update(_wrong(run(compiled, State(part, balls.sources(part)), eng), labels, balls.R))
        return bad
    spans = I.Inert(compiled, blocks, excl, balls) if blocks and eta is not None and mine else None
    compiled.quiet = {l for sp in spans.spans.values() for l in range(sp.a, sp.b + 1)} if spans else set()
    try:
        skip, lemma = H.plan(balls, compiled, quad, clock, cache) if quad and mine else ({}, {})
        steps, reads = S.plan(compiled, balls.R, {(l, u) for l, d in lemma.items() for u in d}) if mine else ({}, {})
        chains, creads, keep = B.plan(compiled, balls.R, {(l, u) for d in (lemma, steps) for l, us in d.items()
                                                          for u in us}) if mine else ({}, {}, set())
        if steps or chains:                     # step tables and bit streams too: skip again with what they read
            for l, fns in list(steps.items()) + list(chains.items()):
                lemma.setdefault(l, {}).update(fns)
            skip = H.unread(compiled, {(l, u) for l, d in lemma.items() for u in d}, reads={**reads, **creads},
                            keep=keep)
        try:
            bad = analyse(mine, skip, lemma, spans)
        except B.Unsteady:                      # a bit stream's rows changed: every ball on the ordinary path
            bad, lemma = analyse(mine), {}
        except Skipped:                         # a lemma's plan skipped a register read (e.g. in an inert span)
            bad, lemma = analyse(mine, inert=spans), {}
        if bad and lemma:                       # the balls the lemma left open, on the ordinary path
            bad = analyse(sorted(bad))
    except Undecided as e:
        return Verdict.undecided(str(e))
    what = f"l_{doc['data']['p']} ball of ratio rho = {rho} (N = {N}, d = {len(X[0])}, {len(layers)} layers)"
    if bad:
        return Verdict.undecided(unproved(bad), balls=sorted(bad), outputs=bad, sources=balls)
    if eta is None:
        return Verdict.proved(f"on every open {what} the network equals the ball's label: every unit of every "
                              f"layer was derived exactly on the ball from the network's weights")
    worst = max(mine or [0], key=lambda i: err[i])
    if not err[worst] < eta:
        return Verdict.undecided(f"ball {worst}: the proved error bound {err[worst]} is not below eta = {eta}",
                                 max_error_bound=err[worst], error_bounds=err)
    return Verdict.proved(f"on every open {what} the network equals the label outside excluded slabs whose "
                          f"probability is at most {err[worst]} < eta = {eta} (uniform measure, slab density "
                          f"{dens}/R_k)", max_error_bound=err[worst], error_bounds=err)


def _wrong(st, labels, R) -> dict:
    """{ball: outputs} of the balls some row of which does not end in the constant label."""
    bad = {}
    for r, i in enumerate(st.ball.tolist()):
        val = st.spec.get(0, {}).get(r, st.cols[0].value(r, R))
        if isinstance(val, V.PL) and val.k in st.cut.get(r, {}):      # the row covers only its cut of the source
            lo, hi = st.cut[r][val.k]
            val = V.PL(val.k, [(max(a, lo), min(b, hi), v, s) for a, b, v, s in val.pieces if max(a, lo) < min(b, hi)])
        if not (val == labels[i] if isinstance(val, fmpq) else val == V.Set([fmpq(labels[i])]) or
                isinstance(val, V.PL) and all(pc[3] == 0 and pc[2] == labels[i] for pc in val.pieces)):
            bad.setdefault(i, []).append(val)
    return bad


def refute(doc, i, x, rho=None) -> Verdict:
    """REFUTED if the exact point x lies in the open ball of x_i and the network's output there is not y_i."""
    X, labels, layers, rho, p, eta = claim(doc, rho)
    x = parse.vector(x, "x", len(X[0])) if not all(isinstance(t, fmpq) for t in x) else x
    balls = Balls(X, labels, layers, rho, p)
    if eta is None and 0 <= i < len(X) and balls.inside(i, x, X):
        out = evaluate(layers, [x])[0][0]
        if out != labels[i]:
            return Verdict.refuted(f"the network outputs {out} at a point of the open ball of x_{i}, whose label "
                                   f"is {labels[i]}", {"ball": i, "x": [str(t) for t in x], "output": str(out)})
    return Verdict.undecided("the point does not refute the claim")
