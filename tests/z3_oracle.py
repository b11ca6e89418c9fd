"""z3 (exact real arithmetic) as an independent oracle for the tests: a network's outputs as z3 terms, balls,
and exact optima of piecewise-linear objectives."""
import z3
from flint import fmpq


def q(v):
    return z3.Q(int(v.p), int(v.q))


def outputs(net, x):
    """The network's outputs at the z3 terms x, ReLU as if-then-else (from the dense layers)."""
    h = x
    for l, (W, b) in enumerate(net.layers):
        h = [z3.Sum([q(w) * v for w, v in zip(row, h)]) + q(bb) for row, bb in zip(W.tolist(), b.entries())]
        if l < net.depth - 1:
            h = [z3.If(v > 0, v, 0) for v in h]
    return h


def inside(x, centre, size, p, open_):
    """x in the l_p ball around centre; size is the radius (the squared radius for p = 2)."""
    c = [q(v) for v in centre]
    if p == 2:
        n, s = z3.Sum([(a - b) * (a - b) for a, b in zip(x, c)]), q(size)
    elif p == "inf":
        return z3.And(*[z3.And(a - b < q(size), b - a < q(size)) if open_ else
                        z3.And(a - b <= q(size), b - a <= q(size)) for a, b in zip(x, c)])
    else:
        n, s = z3.Sum([z3.If(a > b, a - b, b - a) for a, b in zip(x, c)]), q(size)
    return n < s if open_ else n <= s


def value(v) -> fmpq:
    v = z3.simplify(z3.ToReal(v)) if z3.is_int_value(v) else v
    return fmpq(int(v.numerator_as_long()), int(v.denominator_as_long()))


def optimum(constraints, objective, maximize=False):
    """The exact optimum of a linear-with-ite objective under the constraints (bounded problems only)."""
    o = z3.Optimize()
    o.add(*constraints)
    h = o.maximize(objective) if maximize else o.minimize(objective)
    assert o.check() == z3.sat
    return value(o.upper(h) if maximize else o.lower(h))
