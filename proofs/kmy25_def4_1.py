"""KMY25 Definition 4.1 (robust memorization error): L_rho(f, D) = max_i P_{x ~ Unif B(x_i, mu)}[f(x) != y_i],
mu = rho eps_D; f rho-robustly memorizes D with error at most eta when L_rho(f, D) < eta.

For networks of one input the error is computed exactly: on each linear piece f either equals y_i identically or
only at one point, so the bad set of ball i is the ball minus the pieces where f = y_i, a finite union of intervals
of exact rational length.  Checked against hand values (a ramp between two points: below its design radius the
error is 0 -- robust memorization -- and above it (b - a)/(2 mu)-type fractions), and L_rho = 0 exactly when
Definition 2.2's robust memorization holds; the definition's strict "< eta" is checked at eta = L_rho (not
memorized with error at most L_rho, but with error at most anything above it).
"""
from flint import fmpq

from exactmem import Dataset, ReLUNet, Verdict, all_of
from exactmem.claims import claim
from exactmem.pl1d import pieces


def error_1d(net: ReLUNet, D: Dataset, rho) -> tuple:
    """(L_rho, per-ball errors) exactly, for a network of one input and one output."""
    mu = fmpq(rho) * D.eps(1)                     # in one dimension every l_p norm is |.|
    errs = []
    for i in range(D.N):
        x, y = D.point(i)[0], D.labels[i]
        lo, hi = x - mu, x + mu
        good = fmpq(0)
        for p in pieces(net, lo, hi):
            a = lo if p.lo is None else max(lo, p.lo)
            b = hi if p.hi is None else min(hi, p.hi)
            if b > a and p.slope[0] == 0 and p.intercept[0] == y:
                good += b - a
        errs.append((2 * mu - good) / (2 * mu))
    return max(errs), errs


def ramp(a, b, low=1, high=2) -> ReLUNet:
    """low for x <= a, high for x >= b, linear between (a < b)."""
    a, b = fmpq(a), fmpq(b)
    s = (high - low) / (b - a)
    return ReLUNet([([[s], [s]], [-s * a, -s * b]), ([[1, -1]], [low])])


def _cases():
    D2 = Dataset([[0], [1]], [1, 2])                                   # eps = 1/2
    # by hand: ramp on [1/4, 3/4]; rho = 3/4 -> mu = 3/8, each ball loses 1/8 of its 3/4: error 1/6
    yield "ramp [1/4, 3/4], rho = 3/4", (D2, ramp("1/4", "3/4"), fmpq(3, 4), fmpq(1, 6), [fmpq(1, 6)] * 2)
    # rho = 1/2 -> mu = 1/4: the balls (-1/4, 1/4) and (3/4, 5/4) avoid the ramp: error 0
    yield "ramp [1/4, 3/4], rho = 1/2", (D2, ramp("1/4", "3/4"), fmpq(1, 2), fmpq(0), [fmpq(0)] * 2)
    # ramp on [0, 1/2]: ball of 0 at rho = 1/2 is (-1/4, 1/4), wrong on (0, 1/4): 1/2; ball of 1 is right: 0
    yield "ramp [0, 1/2], rho = 1/2", (D2, ramp(0, "1/2"), fmpq(1, 2), fmpq(1, 2), [fmpq(1, 2), fmpq(0)])
    # three points 0, 2, 3 with labels 1, 2, 1 (eps = 1/2); at rho = 9/10 (mu = 9/20) the double ramp
    # 1 -> 2 on [1, 3/2] and 2 -> 1 on [5/2, 27/10]: the balls of 0 and 2 see a constant; the ball of 3 is
    # (51/20, 69/20), wrong on (51/20, 54/20): 3/20 of 18/20 = 1/6
    D3 = Dataset([[0], [2], [3]], [1, 2, 1])
    net = ReLUNet([([[2], [2], [5], [5]], [-2, -3, fmpq(-25, 2), fmpq(-27, 2)]), ([[1, -1, -1, 1]], [1])])
    yield "three points, rho = 9/10", (D3, net, fmpq(9, 10), fmpq(1, 6), [fmpq(0), fmpq(0), fmpq(1, 6)])


@claim("KMY25.Def4.1", "the robust memorization error max_i P[f(x) != y_i] over B(x_i, rho eps_D), exactly for "
       "one-input networks: hand values, 0 exactly at robust memorization, the strict '< eta'",
       {"hand-derived": _cases}, source="Kim, Moon & Yun 2025, Definition 4.1")
def check(inst):
    from exactmem import robustly_memorizes
    D, net, rho, want, want_each = inst
    L, errs = error_1d(net, D, rho)
    robust = robustly_memorizes(net, D, rho)
    return all_of([Verdict.from_exact(L == want and errs == want_each, f"L_rho = {L}, per ball {errs}; by hand {want}",
                                      witness={"L": str(L), "per_ball": [str(e) for e in errs]}),
                   Verdict.from_exact(robust.is_proved == (L == 0), f"robust memorization {robust.status.value} iff "
                                                                     f"L_rho = 0"),
                   Verdict.from_exact(not (L < L) and L < L + fmpq(1, 10 ** 9), "error at most eta means L < eta")],
                  f"L_rho(f, D) = {L}")
