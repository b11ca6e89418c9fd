"""Independent check of moderate-rho certificates (Theorem B.5 / Lemma B.13): error below eta per ball.

The checker rebuilds the network from the certificate's data with the shared recipe
``recipes.moderate_layers`` (so for every input the output is max(0, mem_1(I_1), ..., mem_B(I_B)) with
I_j = Flatten(z + c_j), z = sigma(s W x + c0)), and then proves for each ball B(x_i, mu):

* the ReLU of the first layer is the identity on the ball image, a box of half-width r >= s mu;
* in the ball's own block every coordinate stays in [k + gamma, k + 1), so Floor is exact (proved on
  its pieces) and the memorizer gives y_i at the cell index;
* in every other block, wherever Floor is exact the index is sum_k R^k n_k with n_k in the digits the
  box can reach; the memorizer is evaluated exactly at all those indices and must give 0 or y_i.  Floor
  can only be inexact on slabs {frac < gamma}; each slab meeting the box has probability at most
  gamma (V_{d-1}/V_d) / (s mu |w_k|) under the uniform measure of the ball (Lemma B.11 in R^d).

The sum of those slab bounds over all other blocks is an exact rational, and it must be below eta.
V_{d-1}/V_d is exact for odd d and bounded with Archimedes' pi > 223/71 for even d; sqrt lower bounds
come from integer square roots.  The checker imports no construction code.
"""
from __future__ import annotations

from itertools import product
from math import factorial, isqrt

from flint import fmpq, fmpq_mat

from ..errors import CertificateError
from ..verdict import Verdict
from .checker import _floor, _min_cross_norm, _network, _vector, evaluate, parse_rational, register
from .recipes import moderate_layers
from .robust_checks import ZERO, floor_exact, grid_header

MAX_CELLS = 1 << 16  # reachable cells per (ball, block) the checker is willing to enumerate


def slab_ratio_hi(d: int) -> fmpq:
    """An upper bound on V_{d-1}/V_d: exact for odd d; 4^k (k!)^2 / ((2k)! pi) with pi > 223/71 for d = 2k."""
    k = d // 2
    if d % 2:
        return fmpq(factorial(2 * k + 2), 4 ** (k + 1) * factorial(k + 1) * factorial(k))
    return fmpq(4 ** k * factorial(k) ** 2 * 71, factorial(2 * k) * 223)


def sqrt_lo(q: fmpq, bits: int = 64) -> fmpq:
    """floor(sqrt(q) 2^bits) / 2^bits <= sqrt(q), from an integer square root."""
    if q <= 0:
        return ZERO
    a, b = int(q.p), int(q.q)
    return fmpq(isqrt(a * 4 ** bits // b), 2 ** bits)


def _slab_weights(X, labels, data, full, s, gamma, rho, mu_sq):
    """(per-coordinate bound on one slab's probability, description of the measure), or a refutation.

    l_2 balls: gamma V_{d-1}/V_d / (s mu |w_k|) (Lemma B.11).  With data.lp = {p, rho_p}: the l_p balls
    B_p(x_i, rho_p eps_p) must lie in the l_2 balls of ratio rho (so every box fact above holds for them),
    and under the uniform measure of a centrally symmetric convex body K the density of w.x is at most
    d / (2 h_K(w)) (Brunn's concavity), h_K(w) = mu_p |w|_q with q dual to p: gamma d / (2 s mu_p |w_k|_q)."""
    d, m = len(X[0]), len(full)
    lp = data.get("lp")
    if lp is None:
        ratio, mu_lo = slab_ratio_hi(d), sqrt_lo(mu_sq)
        out = []
        for k in range(m):
            wn = sqrt_lo(sum((v * v for v in full[k][:d]), ZERO))
            out.append(gamma * ratio / (s * mu_lo * wn) if wn > 0 else None)
        return out, f"uniform on the l_2 balls (Lemma B.11 in R^{d}, V_(d-1)/V_d <= {ratio})"
    if not isinstance(lp, dict) or lp.get("p") not in ("1", "inf"):
        raise CertificateError("data.lp must be {p: '1' or 'inf', rho}")
    p, rho_p = lp["p"], parse_rational(lp.get("rho"), "data.lp.rho")
    if not (0 < rho_p < 1):
        raise CertificateError("data.lp.rho must lie in (0, 1)")
    mu_p = rho_p * _min_cross_norm(X, labels, p) / 2
    if not mu_sq >= (d if p == "inf" else 1) * mu_p * mu_p:
        return Verdict.refuted(f"the l_{p} balls of ratio {rho_p} are not inside the l_2 balls of ratio {rho}", {}), ""
    out = []
    for k in range(m):
        row = [abs(v) for v in full[k][:d]]
        q = sum(row, ZERO) if p == "inf" else max(row)
        out.append(gamma * d / (2 * s * mu_p * q) if q > 0 else None)
    return out, f"uniform on the l_{p} balls of ratio {rho_p} (Brunn: density of w.x <= d / (2 h_K(w)))"


def _check_moderate_rho(cert) -> Verdict:
    head = grid_header(cert)
    if isinstance(head, Verdict):
        return head
    X, labels, data, rho, mu_sq, full, (s, r, gamma, R, n) = head
    N, d, m = len(X), len(X[0]), len(full)
    eta = parse_rational(data.get("eta"), "data.eta")
    if not (0 < eta < 1):
        raise CertificateError("data.eta must lie in (0, 1)")
    c0 = _vector(data.get("c0"), m, "data.c0")
    blocks = data.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        raise CertificateError("data.blocks must be a non-empty list")
    owner = {}
    parsed = []
    for j, blk in enumerate(blocks):
        if not isinstance(blk, dict):
            raise CertificateError(f"data.blocks[{j}] must be an object")
        members = blk.get("members")
        if not isinstance(members, list) or not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < N
                                                     for i in members):
            raise CertificateError(f"data.blocks[{j}].members must list ball indices in [0, {N})")
        for i in members:
            if i in owner:
                raise CertificateError(f"ball {i} is listed in two blocks")
            owner[i] = j
        c = _vector(blk.get("c"), m, f"data.blocks[{j}].c")
        mem = _network(blk.get("memorizer"))
        if len(mem[0][0][0]) != 1 or len(mem[-1][0]) != 1:
            raise CertificateError(f"data.blocks[{j}].memorizer must have one input and one output")
        parsed.append((c, mem))
    if len(owner) != N:
        raise CertificateError("every ball must belong to exactly one block")
    floor_layers = _network(data.get("floor"))
    if len(floor_layers[0][0][0]) != 1 or len(floor_layers[-1][0]) != 1:
        raise CertificateError("the floor block must have one input and one output")
    # (0) the certified network is exactly the recipe of its data (so f = max(0, mem_j(I_j)) for all x)
    plan = {"W1": [[s * v for v in row[:d]] for row in full], "c0": c0, "shifts": [c for c, _ in parsed],
            "R": R, "floor": floor_layers, "mems": [mem for _, mem in parsed], "layout": data.get("layout")}
    if plan["layout"] not in ("chain", "indices"):
        raise CertificateError("data.layout must be 'chain' or 'indices'")
    expected = moderate_layers(plan)
    given = _network(cert.get("network"))
    if len(given) != len(expected) or any(gW != eW or gb != eb for (gW, gb), (eW, eb) in zip(given, expected)):
        return Verdict.refuted("the certificate's network is not the block recipe of its data", {})
    # (1) ball images: ||s W (x - x_i)|| < s mu <= r
    if not s * s * mu_sq <= r * r:
        return Verdict.refuted(f"s^2 mu^2 = {s * s * mu_sq} > r^2 = {r * r}", {})
    bad = floor_exact(floor_layers, n, gamma)
    if bad is not None:
        return Verdict.refuted(f"the floor block is wrong at y = {bad}", {"y": str(bad)})
    W1 = fmpq_mat([[s * v for v in row[:d]] for row in full])
    Z = (fmpq_mat(X) * W1.transpose()).tolist()
    z = [[v + c for v, c in zip(row, c0)] for row in Z]
    for i, row in enumerate(z):
        if any(v - r < 0 for v in row):
            return Verdict.refuted(f"ball {i}: the first ReLU is not the identity on its image", {"ball": i})
    weights, measure = _slab_weights(X, labels, data, full, s, gamma, rho, mu_sq)
    if isinstance(weights, Verdict):
        return weights
    err = [ZERO] * N
    queries = [dict() for _ in parsed]    # block -> {index: set of allowed values}
    cells = 0
    for i, row in enumerate(z):
        for j, (c, _) in enumerate(parsed):
            v = [a + b for a, b in zip(row, c)]
            if j == owner[i]:
                cell = [_floor(t) for t in v]
                if not all(k + gamma <= t - r and t + r <= k + 1 and 0 <= k < R for t, k in zip(v, cell)):
                    return Verdict.refuted(f"ball {i} is not inside one cell of its block {j} with margin",
                                           {"ball": i})
                idx = sum(k * R ** e for e, k in enumerate(cell))
                queries[j].setdefault(idx, set()).add((labels[i],))
                continue
            digits, count = [], 1
            for k, t in enumerate(v):
                lo, hi = t - r, t + r
                if lo < 0 or hi > R:
                    return Verdict.refuted(f"ball {i} leaves [0, R) in block {j}", {"ball": i, "block": j})
                slabs = max(0, -_floor(-hi) - 1 - _floor(lo - gamma))   # integers in (lo - gamma, hi)
                if slabs:
                    if weights[k] is None:
                        return Verdict.undecided(f"coordinate {k} has no slab bound (zero row)")
                    err[i] += slabs * weights[k]
                ds = list(range(_floor(lo), -_floor(-hi)))              # floors of points in (lo, hi)
                digits.append(ds)
                count *= len(ds)
            if count > MAX_CELLS:
                return Verdict.undecided(f"ball {i} reaches {count} cells of block {j}; too many to enumerate")
            cells += count
            for combo in product(*digits):
                idx = sum(k * R ** e for e, k in enumerate(combo))
                queries[j].setdefault(idx, set()).add((0, labels[i]))
    worst = max(range(N), key=lambda i: err[i])
    if not err[worst] < eta:
        return Verdict.refuted(f"ball {worst}: error bound {err[worst]} is not below eta = {eta}", {"ball": worst})
    # (2) the memorizers at every index that matters: the owner's label, or 0 / y_i elsewhere
    for j, (c, mem) in enumerate(parsed):
        idxs = sorted(queries[j])
        out = [r_[0] for r_ in evaluate(mem, [[fmpq(x)] for x in idxs])] if idxs else []
        for x, val in zip(idxs, out):
            for allowed in queries[j][x]:
                if val not in allowed:
                    return Verdict.refuted(f"block {j}: memorizer gives {val} at index {x}, allowed {allowed}",
                                           {"block": j, "index": x})
    return Verdict.proved(
        f"the network is max(0, mem_j(Flatten(z + c_j)), j <= {len(parsed)}) with z = sigma(s W x + c0); on each ball its own "
        f"block is exact (cells with margin {gamma}, Floor proved on its pieces), and every other block gives 0 "
        f"or y_i at all {cells} reachable cell indices wherever Floor is exact; Floor can fail only on slabs "
        f"whose probability sums to at most {err[worst]} < eta = {eta}, measure {measure}. N = {N}, rho = {rho}.",
        error_bounds=[str(e) for e in err], max_error_bound=str(err[worst]))


register("robust-memorization-moderate-rho", _check_moderate_rho)
