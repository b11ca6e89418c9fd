"""Bubeck & Sellke 2021, §3: B(w) = prod_j ||W_j||_op bounds the Lipschitz constant of a network with
1-Lipschitz activations (reference notes on the law of robustness, §7 item 6).  ||W||_op is irrational in
general, so exactmem bounds its square by Gram iteration: G_0 = W, G_{t+1} = G_t^T G_t give
sigma_max^(2^(t+1)) <= ||G_t||_F^2, a rational certificate (t = 0 is the Frobenius norm).  Checked: the
product of Gram bounds is at least the exact Lip_2^2 on R^d of seeded deep networks; each Gram bound is at least
sigma_max^2 (sympy's exact eigenvalues of W^T W) and the bound does not increase with t; t = 0 is ||W||_F^2.
Besides integer matrices (sigma_max >= 1) the matrices and networks include non-integer, sub-unit ones (entries
k/7, k/3 and k/1000; sigma_max < 1, so every ||G_t||_F^2 < 1 and its 2^t-th root lies above it): a root or
bound that is right only for values >= 1 is refuted there.  The same statement in l_1 and l_inf, where the operator
norms are exact: each layer norm equals the largest column (l_1) or row (l_inf) sum of |W| recomputed here (the
matrices are not symmetric, so the two differ), and on the networks the product of layer norms and the path bound
||(|W_L| ... |W_1|)||_p are at least the exact Lip_p on R^d (p = 1, inf; the path bound also for p = 2), the path
bound never above the product."""
import random

import sympy
from flint import fmpq, fmpq_mat

from exactmem import ReLUNet, Verdict
from exactmem.claims import claim
from exactmem.lipschitz import gram_bound, lipschitz_constant, path_bound, product_bound
from exactmem.lipschitz.bounds import layer_norm


def _matrix(seed, r, c, top=6, den=1):
    """A seeded r x c matrix of entries k/den, k in [-top, top] (not all zero)."""
    rng = random.Random(seed)
    while True:
        W = fmpq_mat([[fmpq(rng.randint(-top, top), den) for _ in range(c)] for _ in range(r)])
        if any(t != 0 for t in W.entries()):
            return W


def _instances():
    for seed, shape in ((0, (2, 2)), (1, (3, 2)), (2, (3, 3)), (3, (2, 4)), (4, (4, 4))):
        yield f"W {shape[0]}x{shape[1]}, seed {seed}", ("gram", seed, shape)
    # sub-unit and non-integer: ||W||_F^2 <= r c top^2 / den^2 < 1 for these, so sigma_max < 1
    for seed, shape, top, den in ((10, (1, 1), 1, 3), (11, (2, 2), 2, 7), (12, (3, 2), 2, 7), (13, (3, 3), 6, 1000),
                                  (14, (2, 4), 1, 3)):
        yield f"W {shape[0]}x{shape[1]}, entries k/{den}, |k| <= {top}, seed {seed}", ("gram", seed, shape, top, den)
    yield "W = [[1/3, 2/7], [0, 1/1000]]", ("given", [[fmpq(1, 3), fmpq(2, 7)], [0, fmpq(1, 1000)]])
    for seed, dims in ((5, [2, 4, 3, 1]), (6, [3, 5, 4, 1]), (7, [2, 3, 3, 3, 1])):
        yield f"network {dims}, seed {seed}", ("net", seed, dims)
    for seed, dims, den in ((8, [2, 4, 3, 1], 7), (9, [3, 3, 3, 1], 1000)):      # weights k/den, |k| <= 4: Lip < 1
        yield f"network {dims}, weights k/{den}, seed {seed}", ("net", seed, dims, den)


def _sigma_sq(W):
    """The largest eigenvalue of W^T W as sympy's exact real root (CRootOf) of its characteristic polynomial."""
    G = sympy.Matrix([[sympy.Integer(int(t.p)) / int(t.q) for t in r] for r in (W.transpose() * W).tolist()])
    return max(sympy.Poly(G.charpoly().as_expr()).real_roots())


@claim("BS21.Sec3.product", "Lip_2 <= prod_j ||W_j||_op, certified in exact rationals by Gram iteration "
       "(sigma_max^(2^(t+1)) <= ||G_t||_F^2, non-increasing in t)", {"matrices and networks": _instances},
       source="Bubeck & Sellke 2021, §3 (B(w) bounds the Lipschitz constant); Gram iteration: Delattre et al. "
       "2023; reference notes §7 item 6")
def check(inst):
    kind = inst[0]
    if kind in ("gram", "given"):
        W = _matrix(inst[1], *inst[2], *inst[3:]) if kind == "gram" else \
            fmpq_mat([[fmpq(t) for t in r] for r in inst[1]])
        top = _sigma_sq(W)
        bounds = [gram_bound(W, t) for t in range(6)]
        frob = sum((t * t for t in W.entries()), fmpq(0))
        below = [t for t, u in enumerate(bounds) if sympy.Rational(int(u.p), int(u.q)) - top < 0]   # sympy, exactly
        fails = ([f"below sigma_max^2 at t = {below}"] if below else []) + \
            (["increases with t"] if any(b > a for a, b in zip(bounds, bounds[1:])) else []) + \
            (["t = 0 is not ||W||_F^2"] if bounds[0] != frob else [])
        rows = [[abs(t) for t in r] for r in W.tolist()]
        by_hand = {1: max(sum(col) for col in zip(*rows)), "inf": max(sum(r) for r in rows)}   # column, row sums
        fails += [f"||W||_{p} = {layer_norm(W, p)}, by hand {v}" for p, v in by_hand.items() if layer_norm(W, p) != v]
        return Verdict.from_exact(not fails, f"sigma_max^2 ~ {float(top):.6g}; Gram bounds t = 0..5: "
                                  f"{', '.join(f'{float(u):.6g}' for u in bounds)} (t = 0: ||W||_F^2 = {frob})"
                                  + (f"; FAILED: {'; '.join(fails)}" if fails else ""))
    _, seed, shape, *den = inst
    rng = random.Random(seed)
    scale = fmpq(1, den[0]) if den else fmpq(1)            # sub-unit weights k/den; else k/1 or k/2
    net = ReLUNet([([[fmpq(rng.randint(-4, 4), 1 if den else rng.choice((1, 2))) * scale for _ in range(a)]
                     for _ in range(b)], [fmpq(rng.randint(-2, 2)) * scale for _ in range(b)])
                   for a, b in zip(shape, shape[1:])])
    L = lipschitz_constant(net, 2).upper_sq
    P = product_bound(net, 2, steps=4).value
    fails = [] if L <= P else ["product of Gram bounds below Lip_2^2"]
    if path_bound(net, 2).value < lipschitz_constant(net, 2).lower_sq:
        fails.append("path bound below Lip_2^2")
    for p in (1, "inf"):
        Lp, Pp, Qp = lipschitz_constant(net, p).lower, product_bound(net, p).value, path_bound(net, p).value
        fails += [f"p = {p}: {what} {v} below Lip_{p} = {Lp}" for what, v in (("product", Pp), ("path bound", Qp))
                  if v < Lp] + ([f"p = {p}: path bound {Qp} above the product {Pp}"] if Qp > Pp else [])
    return Verdict.from_exact(not fails, f"exact Lip_2^2 on R^d = {L} ~ {float(L):.6g} {'<=' if L <= P else '>'} "
                              f"product of Gram bounds {float(P):.6g}; l_1, l_inf products and path bounds above "
                              f"the exact Lip_p" + (f"; FAILED: {'; '.join(fails)}" if fails else ""))
