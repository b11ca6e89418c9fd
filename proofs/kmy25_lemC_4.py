"""KMY25 Lemma C.4 (ball inclusions): for 0 < p < q <= oo, B_p(x, mu) is inside B_q(x, mu), and B_q(x, d^(1/q - 1/p) mu)
is inside B_p(x, mu) -- i.e. ||v||_q <= ||v||_p <= d^(1/p - 1/q) ||v||_q.

Checked exactly for p < q in {1, 2, oo} (squares where a square root appears: ||v||_1^2 <= d ||v||_2^2,
||v||_2^2 <= d ||v||_oo^2, ||v||_1 <= d ||v||_oo) on seeded rational vectors, with equality at the extremal
vectors (e_1 for the left inequality, the all-ones vector for the right one), so neither constant can be improved.
"""
import random

from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.claims import claim

INF = "inf"


def norm_pow(v, p):
    """||v||_p for p in {1, inf}, ||v||_2^2 for p = 2 (exact rationals)."""
    if p == 1:
        return sum((abs(t) for t in v), fmpq(0))
    if p == 2:
        return sum((t * t for t in v), fmpq(0))
    return max(abs(t) for t in v)


def chain(v, p, q) -> tuple:
    """(||v||_q <= ||v||_p, ||v||_p <= d^(1/p - 1/q) ||v||_q, equality flags), exactly (squared where needed)."""
    d = len(v)
    a, b = norm_pow(v, p), norm_pow(v, q)
    if (p, q) == (1, 2):          # ||v||_2 <= ||v||_1 <= sqrt(d) ||v||_2
        return b <= a * a, a * a <= d * b, b == a * a, a * a == d * b
    if (p, q) == (2, INF):        # ||v||_inf <= ||v||_2 <= sqrt(d) ||v||_inf
        return b * b <= a, a <= d * b * b, b * b == a, a == d * b * b
    return b <= a, a <= d * b, b == a, a == d * b          # (1, inf)


def _cases():
    for d in (1, 2, 3, 5, 8):
        yield f"d={d}", d


@claim("KMY25.LemC.4", "||v||_q <= ||v||_p <= d^(1/p - 1/q) ||v||_q for p < q in {1, 2, inf} (so the balls nest), exactly, "
       "with equality at e_1 and at the all-ones vector", {"seeded": _cases},
       source="Kim, Moon & Yun 2025, Lemma C.4")
def check(d):
    rng = random.Random(d)
    parts = []
    for p, q in ((1, 2), (2, INF), (1, INF)):
        for _ in range(30):
            v = [fmpq(rng.randint(-20, 20), rng.randint(1, 6)) for _ in range(d)]
            if all(t == 0 for t in v):
                continue
            left, right, _, _ = chain(v, p, q)
            parts.append(Verdict.from_exact(left and right, f"p = {p}, q = {q}: both inequalities",
                                            witness=[str(t) for t in v]))
        e1 = [fmpq(1)] + [fmpq(0)] * (d - 1)
        ones = [fmpq(1)] * d
        parts.append(Verdict.from_exact(chain(e1, p, q)[2] and chain(ones, p, q)[3],
                                        f"p = {p}, q = {q}: equality at e_1 (left) and at (1, ..., 1) (right)"))
    return all_of(parts, f"d = {d}: 90 seeded vectors, both constants attained")
