"""Theorem B.5 with Lemma B.13: rho <= 1/(5 sqrt d), memorization with error below eta.

Pipeline (exact; the kernel proves the result from the network itself, with the slabs as hints):

1. the projection of Theorem B.3 (identity when m = d), then z = sigma(s W x + c0) with the group size
   g = floor(1/(5 rho sqrt d)) (the paper's ceil(N^alpha)), s <= 1/(4 g mu), so every ball image has
   radius r = 1/(4g), and integers c0 that keep every ball image non-negative;
2. the N points are split into B = ceil(N/g) groups of at most g; block j translates by c_j = K_j - b_j
   (b_j the exact midpoint translation of its group, margin >= 1/(2g) >= 2r; K_j integers keeping all
   digits in [0, R)), computes the cell index I_j = Flatten(z + c_j) with Floor's gamma = 1/t, and
   has the integer memorizer mem_j of its group (Lemma B.10: its labels at its cell indices, 0 at every
   other natural);
3. the running max of the paper, y <- y + sigma(mem_j(I_j) - y), gives max(0, mem_1(I_1), ...,
   mem_B(I_B)).  With B > m exactmem uses the paper's chain (z and y carried through every block);
   with B <= m it computes all B indices first (carrying z through the Flatten blocks only) and then
   runs the memorizers carrying the later indices -- the same function with far fewer parameters under
   Eq. (3) when m is large.  The layers come from ``layers.moderate_layers``.

On its own group's balls a block is exact; on another ball it can only be wrong where some Floor sees a
fractional part below gamma, a union of slabs of width gamma / (s |w_k|) in the input space.  By
Lemma B.11 in the input dimension (docs/errata.md: the projected-space version does not transfer) each
slab has probability at most gamma V_{d-1}/V_d / (s mu |w_k|); t is chosen so that the sum over all
other blocks and coordinates stays below eta.

>>> from exactmem import Dataset
>>> D = Dataset([[0, 0], [3, 1], [1, 4], [4, 4], [6, 0]], [1, 2, 2, 1, 2])
>>> net, cert = moderate_rho_memorizer(D, "1/20", "1/100")
>>> cert.info["blocks"], cert.verify().is_proved
(3, True)
"""
from __future__ import annotations

import math
import random

from flint import fmpq, fmpq_mat

from ..blocks.flatten import cell_certificate
from ..blocks.floor import floor_net
from ..blocks.intmem import integer_memorizer
from ..blocks.translation import midpoint_translation
from .layers import moderate_layers
from .. import sparse
from ..certify.records import robust_certificate
from ..data import Dataset
from ..errors import RhoError
from ..exact import ceil_q, floor_q, fmt, round_sig, sqrt_enclosure, to_rational
from ..network import ReLUNet
from ..norms import INF, check_rho
from ..volumes import slab_density_hi
from .small_rho import ConstructionError, project, stage_one_projection


def check_eta(eta) -> fmpq:
    """eta as an exact rational in (0, 1), or RhoError."""
    if eta is None:
        raise RhoError("the moderate regime memorizes with error eta: pass eta in (0, 1)")
    e = to_rational(eta)
    if not (0 < e < 1):
        raise RhoError(f"eta must lie in (0, 1), got {fmt(e)}")
    return e


def group_size(D: Dataset, rho) -> int:
    """g = floor(1/(5 rho sqrt d)), the largest g with 25 g^2 rho^2 d <= 1, capped at N (at least 1)."""
    rho = check_rho(rho)
    q = 1 / (25 * rho * rho * D.d)
    g = math.isqrt(floor_q(q))
    while (g + 1) ** 2 <= q:
        g += 1
    return max(1, min(g, D.N))


def _sqrt_lo(q: fmpq, bits: int = 64) -> fmpq:
    """A rational lower bound on sqrt(q), q >= 0."""
    return sqrt_enclosure(q, prec=bits).lo if q > 0 else fmpq(0)


def slab_weights(D: Dataset, W, s, mu_sq, lp=None) -> list:
    """Per projected coordinate k, an upper bound on P[slab] / gamma for a slab {s w_k x + c in [n, n + gamma)}.

    l_2 ball (Lemma B.11): V_{d-1}/V_d / (s mu |w_k|_2).  l_p ball B_p(x_i, mu_p), lp = (p, rho_p): the density
    of w.x under the uniform measure of a centrally symmetric convex body K is at most d / (2 h_K(w))
    (Brunn: the density to the power 1/(d-1) is concave and even), h_K(w) = mu_p |w|_q with q the dual
    exponent, so the weight is d / (2 s mu_p |w_k|_q) -- exact rationals."""
    m, d = W.nrows(), W.ncols()
    rows = [[W[k, j] for j in range(d)] for k in range(m)]
    if lp is None:
        ratio, mu_lo = slab_density_hi(d), _sqrt_lo(mu_sq)
        norms = [_sqrt_lo(sum((v * v for v in row), fmpq(0))) for row in rows]
        scale = [ratio / (s * mu_lo * w) if w > 0 else None for w in norms]
    else:
        p, rho_p = lp
        mu_p = rho_p * D.eps(p)
        norms = [sum((abs(v) for v in row), fmpq(0)) if p == INF else max(abs(v) for v in row) for row in rows]
        scale = [fmpq(d) / (2 * s * mu_p * w) if w > 0 else None for w in norms]
    if any(w is None for w in scale):
        raise ConstructionError("a projection row vanishes on the data coordinates")
    return scale


def moderate_rho_plan(D: Dataset, rho, eta, tries: int = 20, seed: int = 0, lp=None) -> dict:
    """Everything of Theorem B.5's network but the dense matrices (groups, shifts, grid, gamma = 1/t, the
    integer memorizers, the layout); ``moderate_rho_memorizer`` assembles it.  With ``lp = (p, rho_p)``
    (p = 1 or inf) the l_2 ratio rho must contain the l_p balls (see ``constructions.lp``), and gamma is
    chosen for the uniform measure of the l_p balls."""
    rho = check_rho(rho)
    eta = check_eta(eta)
    if 25 * D.d * rho * rho > 1:
        raise RhoError(f"rho = {fmt(rho)} is above 1/(5 sqrt d) for d = {D.d} (Theorem B.5's range)")
    N = D.N
    W_full, W = stage_one_projection(D, tries, seed)
    m = W.nrows()
    g = group_size(D, rho)
    mu_sq = D.mu_sq(rho)
    mu_hi = sqrt_enclosure(mu_sq, prec=64).hi
    s = 1 / (4 * g * mu_hi)
    s = round_sig(s, 40)                                   # shorter; still <= the bound, at any scale
    r = fmpq(1, 4 * g)
    W1 = W * s
    Z = project(D, W_full, W1)
    c0 = [1 - floor_q(min(row[k] for row in Z)) for k in range(m)]
    z = [[v + c for v, c in zip(row, c0)] for row in Z]
    groups = [list(range(a, min(N, a + g))) for a in range(0, N, g)]
    B = len(groups)
    lows = [min(row[k] for row in z) for k in range(m)]
    highs = [max(row[k] for row in z) for k in range(m)]
    shifts = []
    for members in groups:
        b, margin = midpoint_translation([z[i] for i in members])
        if not margin >= 2 * r:
            raise ConstructionError(f"translation margin {fmt(margin)} below 2r = {fmt(2 * r)}")
        K = [ceil_q(r - (lows[k] - b[k])) for k in range(m)]     # every ball image's digits >= 0
        shifts.append([Kk - bk for Kk, bk in zip(K, b)])
    R = max(2, max(floor_q(highs[k] + c[k] + r) + 1 for c in shifts for k in range(m)))
    n = max(1, (R - 1).bit_length())
    # gamma = 1/t: every other block adds at most one slab per coordinate (2r + gamma < 1)
    need = sum(slab_weights(D, W, s, mu_sq, lp)) * (B - 1) / eta
    t = 1 << max(2, (max(4 * g, floor_q(need) + 1) - 1).bit_length())
    mems = []
    for members, c in zip(groups, shifts):
        centres = [[z[i][k] + c[k] for k in range(m)] for i in members]
        cells = cell_certificate(centres, [D.labels[i] for i in members], r, fmpq(1, t), R)
        if not cells["ok"]:
            raise ConstructionError("grid certificate failed: " + "; ".join(cells["problems"][:3]))
        pairs = {}
        for idx, i in zip(cells["indices"], members):
            pairs[idx] = D.labels[i]
        mems.append(integer_memorizer(list(pairs), list(pairs.values())))
    layout = "indices" if B <= m else "chain"   # carry B indices or z through the memorizers, whichever is less
    return {"rho": rho, "eta": eta, "W_full": W_full, "W1": W1, "m": m, "g": g, "s": s, "r": r, "c0": c0,
            "groups": groups, "shifts": shifts, "R": R, "n": n, "t": t, "floor": floor_net(n, t), "mems": mems,
            "layout": layout, "lp": lp}


def moderate_rho_network(pl: dict) -> ReLUNet:
    """The network of a plan (``layers.moderate_layers``); the chain's blocks go to pl["spans"]."""
    pl["spans"] = []
    layers = moderate_layers({"W1": sparse.from_matrix(pl["W1"]), "c0": [fmpq(v) for v in pl["c0"]],
                              "shifts": [[fmpq(v) for v in c] for c in pl["shifts"]], "R": pl["R"],
                              "floor": pl["floor"].sparse_layers(), "mems": [mem.net.sparse_layers() for mem in pl["mems"]],
                              "layout": pl["layout"]}, pl["spans"])
    layers.reverse()
    return ReLUNet.from_sparse((layers.pop() for _ in range(len(layers))), pl["W1"].ncols())   # each freed once read


def moderate_rho_memorizer(D: Dataset, rho, eta, tries: int = 20, seed: int = 0, mc_samples: int = 0, lp=None):
    """Build (network, certificate) for rho <= 1/(5 sqrt d) with error below eta (Theorem B.5).

    The certificate's hints list the slabs where a block's Floor may be inexact (frac(z_k + c_jk) < gamma for
    every block j and coordinate k); the kernel analyses the network off them and bounds their probability.
    ``mc_samples`` > 0 adds a Monte Carlo estimate (that many exact points per ball) to ``info``, never read by
    the kernel.  ``lp = (p, rho_p)``: the claim is about the l_p balls B_p(x_i, rho_p eps_p) instead (Theorem
    C.13; used by ``constructions.lp``), whose uniform measure gamma was chosen for."""
    pl = moderate_rho_plan(D, rho, eta, tries, seed, lp)
    net = moderate_rho_network(pl)
    pl["mems"] = None           # memory only: the memorizers' own networks (0.5 GB at 1,797 digits) are in net now
    gamma = fmt(fmpq(1, pl["t"]))
    m = pl["m"]
    hints = {"exclude": [[k, "1", fmt(c[k]), gamma] for c in pl["shifts"] for k in range(m)]}
    if pl["spans"]:             # block j's layers and its m slab hints (kernel: ``inert``)
        hints["blocks"] = [[a, b, j * m, (j + 1) * m] for j, (a, b) in enumerate(pl["spans"])]
    info = {"construction": "Theorem B.5", "blocks": len(pl["groups"]), "group_size": pl["g"], "layout": pl["layout"],
            "m": pl["m"], "scale": fmt(pl["s"]), "gamma": gamma, "R": pl["R"], "n": pl["n"],
            "repairs": "exact midpoint translation per group; groups of at most g = floor(1/(5 rho sqrt d)) points "
                       "(margin 1/(2g) >= 2r, no off-by-one); the slab bound of Lemma B.11 is applied in the "
                       "input space with the input dimension d"}
    p, rho_claim = (2, pl["rho"]) if lp is None else lp
    cert = robust_certificate(D, net, rho_claim, p, pl["eta"], hints=hints, info=info,
                              claim="Theorem B.5: on every open ball B(x_i, rho eps_D) the network differs from y_i "
                                    "with probability below eta (uniform measure)")
    if mc_samples and lp is None:      # the sampler draws from l_2 balls
        cert.info["monte_carlo"] = monte_carlo_error(net, D, pl["rho"], mc_samples, seed)
    return net, cert


def ball_samples(D: Dataset, rho, per_ball: int, seed: int = 0):
    """(points, owners): ``per_ball`` exact rational points drawn (approximately) uniformly in each open
    ball B(x_i, mu); every point is checked exactly to lie strictly inside its ball."""
    rng = random.Random(seed)
    mu_sq = D.mu_sq(rho)
    mu = sqrt_enclosure(mu_sq, prec=64).lo            # exact; offsets are drawn in units of mu (any scale)
    d = D.d
    X = D.points.tolist()
    pts, owners = [], []
    for i, x in enumerate(X):
        got = 0
        while got < per_ball:
            v = [rng.gauss(0.0, 1.0) for _ in range(d)]
            norm = math.sqrt(sum(t * t for t in v)) or 1.0
            rad = rng.random() ** (1.0 / d)
            y = [xi + mu * fmpq(round(rad * t / norm * 2 ** 40), 2 ** 40) for xi, t in zip(x, v)]
            if sum(((a - b) ** 2 for a, b in zip(y, x)), fmpq(0)) < mu_sq:
                pts.append(y)
                owners.append(i)
                got += 1
    return pts, owners


def monte_carlo_error(net: ReLUNet, D: Dataset, rho, per_ball: int, seed: int = 0) -> dict:
    """Estimate of the misclassification rate on the balls: exact evaluation at sampled exact points.

    An estimate only: the certificate's proof is the slab bound, never this number."""
    pts, owners = ball_samples(D, rho, per_ball, seed)
    out = net.evaluate(fmpq_mat(pts)).entries()
    wrong = [0] * D.N
    for v, i in zip(out, owners):
        if v != D.labels[i]:
            wrong[i] += 1
    return {"samples": len(pts), "per_ball": per_ball, "seed": seed, "misclassified": sum(wrong),
            "max_per_ball": max(wrong), "note": "Monte Carlo estimate, reported only; not part of the proof"}
