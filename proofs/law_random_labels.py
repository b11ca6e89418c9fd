"""The identity behind the Rademacher arguments of the laws (reference notes on the laws, §7 item 18): an exact
interpolant of labels y in {-1, +1}^n has (1/n) sum_i y_i f(x_i) = 1, because y_i f(x_i) = y_i^2 = 1."""
import random

from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.claims import claim
from exactmem.exact import fmt
from exactmem.lipschitz.families import pl_interpolant
from exactmem.lipschitz.mcshane import mcshane_net

from ._lipschitz_instances import signed_dataset


def _seeded():
    for seed, (n, d) in enumerate([(10, 1), (16, 2), (30, 2), (12, 3), (24, 5)]):
        D, y = signed_dataset(900 + seed, n, d, den=2)
        yield f"n={n} d={d} seed={seed}", ([D.point(i) for i in range(D.N)], y)


def _correlation(f, X, y):
    return sum((fmpq(t) * v for t, v in zip(y, f.evaluate(X).entries())), fmpq(0)) / len(y)


@claim("Law.random_labels",
       "an exact interpolant f of +-1 labels has (1/n) sum y_i f(x_i) = 1 (McShane networks in l_inf and l_1, and "
       "two-layer interpolants in 1-D); flipping one label of the fit moves the average to exactly 1 - 2/n",
       {"seeded random": _seeded},
       source="standard (reference notes §7 item 18, INFERRED): the first step of the Rademacher argument of "
              "Bubeck, Li & Nagaraj 2021")
def check(inst):
    X, y = inst
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
    return all_of(parts, f"{n} points in R^{len(X[0])}")
