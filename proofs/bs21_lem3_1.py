"""Bubeck & Sellke 2021, Lemma 3.1 and the J of §3 (reference notes §7, item 14).

Lemma 3.1 gives J <= Bbar Q R sqrt(p) and, for weights in [-W, W]^p with W >= 1, B(w) <= (W sqrt(pQ))^D; together
J <= R W^D Q^(D/2+1) p^((D+1)/2).  §3 then uses J = R (WQp)^D, which is an upper bound on that only when D >= 2 or
Q = 1: for D = 1 and Q > 1 it is smaller by the factor sqrt(Q) (an exact instance below).
"""
import random

import sympy as sp
from flint import fmpq

from exactmem import ReLUNet, Verdict
from exactmem.bounds.law_catalog import Bbar, D, Q, R, W, law, p
from exactmem.claims import claim
from exactmem.exact import fmt

SRC = "Bubeck & Sellke 2021, Lemma 3.1 and §3"
_t, _u, _v = sp.symbols("t u v", nonnegative=True)
_up = sp.Symbol("u", positive=True)
DERIVED = R * W ** D * Q ** (D / 2 + 1) * p ** ((D + 1) / 2)   # Lemma 3.1's J with Bbar = (W sqrt(pQ))^D


def _log_ratio():
    """ln(simplified / derived) as a sum of exponent * ln(base), for the sign arguments."""
    ratio = sp.powsimp(sp.simplify(law("BS21.Sec3.J").expr / DERIVED), force=True)
    return ratio, sp.expand(sp.expand_log(sp.log(ratio), force=True))


def _parts():
    yield "Lemma 3.1's J at Bbar = (W sqrt(pQ))^D is R W^D Q^(D/2+1) p^((D+1)/2)", "rewrite"
    yield "D >= 2, Q >= 1, p >= 1: R (WQp)^D >= that J", "D>=2"
    yield "Q = 1, D >= 1, p >= 1: R (Wp)^D >= that J", "Q=1"
    yield "D = 1, Q = 4, p = 3, R = W = 1: R (WQp)^D = 12 < 24 = J (not an upper bound)", "D=1"
    yield "D = 1, any Q > 1: the ratio is exactly Q^(-1/2) < 1", "D=1 symbolic"


@claim("BS21.Lem3.1", "J <= R W^D Q^(D/2+1) p^((D+1)/2) <= R (WQp)^D when D >= 2 or Q = 1; for D = 1, Q > 1 the "
       "simplified J of §3 is not an upper bound", {"symbolic": _parts}, source=SRC)
def check(part):
    if part == "rewrite":
        J_lemma = law("BS21.Lem3.1.J").expr.subs(Bbar, law("BS21.Lem3.1.B").expr)
        diff = sp.simplify(sp.powsimp(J_lemma - DERIVED, force=True))
        return Verdict.from_exact(diff == 0, f"Bbar Q R sqrt(p) at Bbar = (W sqrt(pQ))^D minus "
                                  f"R W^D Q^(D/2+1) p^((D+1)/2) = {diff}", witness=str(diff))
    ratio, lr = _log_ratio()
    if part in ("D>=2", "Q=1"):
        subs = {D: 2 + _t, Q: 1 + _u, p: 1 + _v} if part == "D>=2" else {D: 1 + _t, Q: 1, p: 1 + _v}
        e = sp.expand(lr.subs(subs))
        if e.is_nonnegative is True:
            return Verdict.proved(f"ln(R (WQp)^D / J) = {lr} becomes {e} >= 0 (t, u, v >= 0)")
        return Verdict.undecided(f"could not decide the sign of {e}") if e.is_negative is not True else \
            Verdict.refuted(f"ln ratio {e} < 0", str(e))
    if part == "D=1":
        vals = {D: 1, Q: 4, p: 3, R: 1, W: 1}
        simplified, derived = law("BS21.Sec3.J").expr.subs(vals), DERIVED.subs(vals)
        ok = simplified == 12 and derived == 24 and simplified < derived
        return Verdict.from_exact(bool(ok), f"R (WQp)^D = {simplified}, R W^D Q^(D/2+1) p^((D+1)/2) = {derived}: the "
                                  "simplified form is below the J it should bound",
                                  witness={"simplified": str(simplified), "J": str(derived)})
    r1 = sp.simplify(ratio.subs(D, 1))
    log_r1 = sp.expand_log(sp.log(r1.subs(Q, 1 + _up)), force=True)     # Q = 1 + u, u > 0
    ok = sp.simplify(r1 - Q ** sp.Rational(-1, 2)) == 0 and log_r1.is_negative is True
    return Verdict.from_exact(bool(ok), f"at D = 1 the ratio R (WQp)^D / J is {r1}; at Q = 1 + u (u > 0) its log "
                              f"{log_r1} < 0, so it is < 1 for every Q > 1", witness=str(r1))


# -- B(w) <= (W sqrt(pQ))^D on networks (no sharing: Q = 1), with Frobenius norms as exact upper bounds ------
def _networks():
    for seed, dims, Wmax in ((0, [2, 3, 1], 1), (1, [3, 4, 4, 1], 2), (2, [1, 5, 2, 3, 1], 3)):
        rng = random.Random(seed)
        layers = [([[rng.randint(-Wmax, Wmax) for _ in range(a)] for _ in range(b)],
                   [rng.randint(-Wmax, Wmax) for _ in range(b)]) for a, b in zip(dims, dims[1:])]
        yield f"seed {seed}, dims {dims}, weights in [-{Wmax}, {Wmax}]", (ReLUNet(layers), Wmax)


def _near_tight():
    """Rank-one layers with every entry +-W (signs s_i t_j), so ||W_j||_op = ||W_j||_F = W sqrt(entries): the bound
    loses only what the entry counts of the layers lose against p.  By AM-GM, prod_j entries_j <= (p/D)^D, so for
    D >= 2 the lemma is intrinsically loose by at least D^(D/2) (2 at D = 2, 5.2 at D = 3); with the biases the least
    ratios over shapes are about 2.83 (D = 2, dims [2, b, 1], b -> oo) and 7.5 (D = 3).  At D = 1 it is
    sqrt(p / entries) = sqrt(51/50) for a 50-input linear layer: tight up to the bias."""
    # ratio^2 by hand: (W^2 p)^D over the full product W^(2D) prod_j entries_j (the largest of the max_i products)
    for seed, dims, Wmax, want in ((10, [50, 1], 1, fmpq(51, 50)), (11, [2, 40, 1], 3, fmpq(161 ** 2, 80 * 40)),
                                   (12, [20, 2, 20, 1], 2, fmpq(123 ** 3, 40 * 40 * 20))):
        rng = random.Random(seed)
        layers = []
        for a, b in zip(dims, dims[1:]):
            u, v = [rng.choice((-1, 1)) for _ in range(b)], [rng.choice((-1, 1)) for _ in range(a)]
            layers.append(([[Wmax * ui * vj for vj in v] for ui in u], [rng.randint(-Wmax, Wmax) for _ in range(b)]))
        yield f"rank-one +-W layers, dims {dims}, W = {Wmax}", (ReLUNet(layers), Wmax, want)


@claim("BS21.Lem3.1.B", "B(w) = max_i prod_{j != i} ||W_j||_op <= (W sqrt(pQ))^D on integer networks (Q = 1), with "
       "||W_j||_op^2 <= ||W_j||_F^2 exact; on rank-one +-W layers (op = Frobenius) the bound is 1.01x (D = 1), 2.85x "
       "(D = 2) and 7.6x (D = 3) the exact B(w): it is intrinsically loose by >= D^(D/2) for D >= 2",
       {"seeded networks": _networks, "near tight": _near_tight}, source="Bubeck & Sellke 2021, Lemma 3.1")
def check_networks(inst):
    net, Wmax, want = inst if len(inst) == 3 else (*inst, None)
    Dv, pv = net.depth, net.param_count()
    fro = [sum((e * e for e in Wl.entries()), fmpq(0)) for Wl, _ in net.layers]   # ||W_j||_F^2
    prods = []
    for i in range(Dv + 1):                      # i = 0: every factor (the full product)
        prod = fmpq(1)
        for j, f in enumerate(fro, start=1):
            if j != i:
                prod *= f
        prods.append(prod)
    B_sq = max(prods)                            # >= B(w)^2
    bound_sq = law("BS21.Lem3.1.B").expr.subs({W: Wmax, p: pv, Q: 1, D: Dv}) ** 2
    bound_sq = fmpq(int(sp.Rational(bound_sq).p), int(sp.Rational(bound_sq).q))
    # the entry counts recomputed from the weight matrices, not from param_count
    p_own = sum(Wl.nrows() * Wl.ncols() + bl.nrows() for Wl, bl in net.layers)
    ratio = bound_sq / B_sq
    return Verdict.from_exact(B_sq <= bound_sq and p_own == pv and want in (None, ratio),
                              f"max_i prod_(j != i) ||W_j||_F^2 = {B_sq} <= (W^2 p Q)^D = {bound_sq} (D = {Dv}, p = "
                              f"{pv} = the entries counted here: {p_own == pv}); ratio of the squares {fmt(ratio)} = "
                              f"{float(ratio):.4g}, bound / B = {float(ratio) ** 0.5:.3f}" + (f" (by hand {fmt(want)})" if want else ""),
                              witness=str(B_sq))
