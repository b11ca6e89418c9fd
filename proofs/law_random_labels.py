"""The identity behind the Rademacher arguments of the laws (reference notes on the laws, §7 item 18): an exact
interpolant of labels y in {-1, +1}^n has (1/n) sum_i y_i f(x_i) = 1, because y_i f(x_i) = y_i^2 = 1.

Once f(x_i) = y_i is checked that average is 1 by definition, so the claim also checks the step the argument takes
from it: 1 = (1/n) sum y_i f(x_i) <= sup over the class F_L of (1/n) sum y_i g(x_i), where F_L holds the models
of Lipschitz constant at most L.  Below the data's least constant L* = max |y_i - y_j| / ||x_i - x_j|| no member
of F_L fits: the cone envelope g_L(x) = min_i (y_i + L ||x - x_i||) (L-Lipschitz, the McShane construction at a
slope L < L*) has an average that is computed twice -- from the network's exact outputs and from the formula
written here, with L* by brute force over the pairs -- and must agree, and be below 1.  That average can differ
from 1, so a network or a slope that is wrong where f does not interpolate is refuted."""
import random

from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.claims import claim
from exactmem.exact import fmt
from exactmem.lipschitz.families import pl_interpolant
from exactmem.lipschitz.mcshane import cone_envelope_net, mcshane_net

from ._lipschitz_instances import signed_dataset


def _seeded():
    for seed, (n, d) in enumerate([(10, 1), (16, 2), (30, 2), (12, 3), (24, 5)]):
        D, y = signed_dataset(900 + seed, n, d, den=2)
        yield f"n={n} d={d} seed={seed}", ([D.point(i) for i in range(D.N)], y)


def _correlation(f, X, y):
    return sum((fmpq(t) * v for t, v in zip(y, f.evaluate(X).entries())), fmpq(0)) / len(y)


def _dist(u, v, p):
    w = [abs(a - b) for a, b in zip(u, v)]
    return sum(w, fmpq(0)) if p == 1 else max(w)


def least_constant(X, y, p):
    """L* = max over pairs |y_i - y_j| / ||x_i - x_j||_p, by brute force (distinct points)."""
    return max(abs(fmpq(y[i]) - fmpq(y[j])) / _dist(X[i], X[j], p) for i in range(len(X)) for j in range(i))


def envelope_average(X, y, L, p):
    """(1/n) sum_j y_j g_L(x_j) with g_L(x) = min_i (y_i + L ||x - x_i||_p), from the formula."""
    return sum((fmpq(y[j]) * min(fmpq(y[i]) + L * _dist(X[j], X[i], p) for i in range(len(X)))
                for j in range(len(X))), fmpq(0)) / len(X)


@claim("Law.random_labels",
       "an exact interpolant f of +-1 labels has (1/n) sum y_i f(x_i) = 1 (McShane networks in l_inf and l_1, and "
       "two-layer interpolants in 1-D); flipping one label of the fit moves the average to exactly 1 - 2/n; the "
       "L-Lipschitz cone envelope min_i (y_i + L ||x - x_i||) at L = L*/2 and (1 - 1/n) L* (L* the data's least "
       "constant) has the average of its formula, below 1: no model of Lip < L* fits",
       {"seeded random": _seeded},
       source="standard (reference notes §7 item 18, INFERRED): the first step of the Rademacher argument of "
              "Bubeck, Li & Nagaraj 2021, 1 = (1/n) sum y_i f(x_i) <= sup over the class")
def check(inst):
    X, y = inst
    X = [[fmpq(t) for t in x] for x in X]
    n = len(y)
    nets = {"McShane l_inf": mcshane_net(X, y, "inf"), "McShane l_1": mcshane_net(X, y, 1)}
    if len(X[0]) == 1:
        nets["two-layer"] = pl_interpolant([x[0] for x in X], y)
    parts = []
    for name, f in nets.items():
        fits = f.evaluate(X).entries() == [fmpq(t) for t in y]
        c = _correlation(f, X, y)
        parts.append(Verdict.from_exact(fits and c == 1, f"{name}: interpolates, (1/n) sum y_i f(x_i) = {fmt(c)}",
                                        witness={"average": fmt(c)}))
    k = random.Random(n).randrange(n)                   # a fit of the labels with label k flipped: y_k z_k = -1
    z = [-t if i == k else t for i, t in enumerate(y)]
    c = _correlation(mcshane_net(X, z, "inf"), X, y)
    parts.append(Verdict.from_exact(c == 1 - fmpq(2, n), f"one label flipped: the average is {fmt(c)} = 1 - 2/n",
                                    witness={"average": fmt(c)}))
    for p in ("inf", 1):                                # below L*: the class cannot reach 1
        star = least_constant(X, y, p)
        at_star = envelope_average(X, y, star, p)
        parts.append(Verdict.from_exact(at_star == 1, f"l_{p}: the envelope's formula at L* = {fmt(star)} averages "
                                        f"{fmt(at_star)}", witness={"L*": fmt(star), "average": fmt(at_star)}))
        for L in (star / 2, star * (1 - fmpq(1, n))):
            net_avg = _correlation(cone_envelope_net(X, y, L, p), X, y)
            formula = envelope_average(X, y, L, p)
            parts.append(Verdict.from_exact(net_avg == formula < 1,
                                            f"l_{p}, L = {fmt(L)} < L* = {fmt(star)}: the network's average "
                                            f"{fmt(net_avg)}, the formula's {fmt(formula)}",
                                            witness={"L": fmt(L), "network": fmt(net_avg), "formula": fmt(formula)}))
    return all_of(parts, f"{n} points in R^{len(X[0])}")
