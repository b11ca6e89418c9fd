"""Bubeck & Sellke 2021, §3: B(w) = prod_j ||W_j||_op bounds the Lipschitz constant of a network with
1-Lipschitz activations (reference notes on the law of robustness, §7 item 6).  ||W||_op is irrational in
general, so exactmem bounds its square by Gram iteration: G_0 = W, G_{t+1} = G_t^T G_t give
sigma_max^(2^(t+1)) <= ||G_t||_F^2, a rational certificate (t = 0 is the Frobenius norm).  Checked: the
product of Gram bounds is at least the exact Lip_2^2 on R^d of seeded deep networks; each Gram bound is at least
sigma_max^2 (sympy's exact eigenvalues of W^T W) and the bound does not increase with t; t = 0 is ||W||_F^2."""
import random

import sympy
from flint import fmpq, fmpq_mat

from exactmem import ReLUNet, Verdict
from exactmem.claims import claim
from exactmem.lipschitz import gram_bound, lipschitz_constant, product_bound


def _matrix(seed, r, c):
    rng = random.Random(seed)
    return fmpq_mat([[fmpq(rng.randint(-6, 6)) for _ in range(c)] for _ in range(r)])


def _instances():
    for seed, shape in ((0, (2, 2)), (1, (3, 2)), (2, (3, 3)), (3, (2, 4)), (4, (4, 4))):
        yield f"W {shape[0]}x{shape[1]}, seed {seed}", ("gram", seed, shape)
    for seed, dims in ((5, [2, 4, 3, 1]), (6, [3, 5, 4, 1]), (7, [2, 3, 3, 3, 1])):
        yield f"network {dims}, seed {seed}", ("net", seed, dims)


def _sigma_sq(W):
    """The largest eigenvalue of W^T W as sympy's exact real root (CRootOf) of its characteristic polynomial."""
    G = sympy.Matrix([[sympy.Integer(int(t.p)) / int(t.q) for t in r] for r in (W.transpose() * W).tolist()])
    return max(sympy.Poly(G.charpoly().as_expr()).real_roots())


@claim("BS21.Sec3.product", "Lip_2 <= prod_j ||W_j||_op, certified in exact rationals by Gram iteration "
       "(sigma_max^(2^(t+1)) <= ||G_t||_F^2, non-increasing in t)", {"matrices and networks": _instances},
       source="Bubeck & Sellke 2021, §3 (B(w) bounds the Lipschitz constant); Gram iteration: Delattre et al. "
       "2023; reference notes §7 item 6")
def check(inst):
    kind, seed, shape = inst
    if kind == "gram":
        W = _matrix(seed, *shape)
        top = _sigma_sq(W)
        bounds = [gram_bound(W, t) for t in range(6)]
        frob = sum((t * t for t in W.entries()), fmpq(0))
        above = all(sympy.Rational(int(u.p), int(u.q)) - top >= 0 for u in bounds)      # sympy decides exactly
        ok = above and all(b <= a for a, b in zip(bounds, bounds[1:])) and bounds[0] == frob
        return Verdict.from_exact(ok, f"sigma_max^2 ~ {float(top):.6g}; Gram bounds t = 0..5: "
                                  f"{', '.join(f'{float(u):.6g}' for u in bounds)} (t = 0: ||W||_F^2 = {frob})")
    rng = random.Random(seed)
    net = ReLUNet([([[fmpq(rng.randint(-4, 4), rng.choice((1, 2))) for _ in range(a)] for _ in range(b)],
                    [fmpq(rng.randint(-2, 2)) for _ in range(b)]) for a, b in zip(shape, shape[1:])])
    L = lipschitz_constant(net, 2).upper_sq
    P = product_bound(net, 2, steps=4).value
    return Verdict.from_exact(L <= P, f"exact Lip_2^2 on R^d = {L} ~ {float(L):.6g} <= product of Gram bounds "
                              f"{float(P):.6g}")
