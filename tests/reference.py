"""Slow, independent reference implementations used by the tests (pure Python Fractions)."""
from fractions import Fraction


def frac(q):
    return Fraction(int(q.p), int(q.q))


def eval_fraction(layers, x):
    """Evaluate a network given as [(W rows, b)] of Fractions at one input, with Python Fractions."""
    h = list(x)
    for l, (W, b) in enumerate(layers):
        h = [sum((w * v for w, v in zip(row, h)), Fraction(0)) + c for row, c in zip(W, b)]
        if l < len(layers) - 1:
            h = [v if v > 0 else Fraction(0) for v in h]
    return h


def net_as_fractions(net):
    return [([[frac(v) for v in row] for row in W.tolist()], [frac(v) for v in b.entries()]) for W, b in net.layers]


def exp_bounds(x: Fraction, terms: int = 80):
    """Rigorous rational bounds of e^x from the Taylor series with the Lagrange remainder.

    |R_n| <= |x|^n / n! * e^{|x|} and e^{|x|} <= 3^ceil(|x|)."""
    s, t = Fraction(0), Fraction(1)
    for k in range(terms):
        s += t
        t = t * x / (k + 1)
    a = abs(x)
    rem = abs(t) * Fraction(3) ** (-(-a.numerator // a.denominator))
    return s - rem, s + rem


def arctan_inv_bounds(k: int, terms: int = 60):
    """Bounds of arctan(1/k) from its alternating series (partial sums bracket the value)."""
    s = Fraction(0)
    for n in range(terms):
        s += Fraction((-1) ** n, (2 * n + 1) * k ** (2 * n + 1))
    nxt = Fraction(1, (2 * terms + 1) * k ** (2 * terms + 1))
    return (s, s + nxt) if terms % 2 == 0 else (s - nxt, s)


def pi_bounds():
    """Machin: pi = 16 arctan(1/5) - 4 arctan(1/239), with exact series bounds."""
    a_lo, a_hi = arctan_inv_bounds(5)
    b_lo, b_hi = arctan_inv_bounds(239)
    return 16 * a_lo - 4 * b_hi, 16 * a_hi - 4 * b_lo


def resign(cert: dict) -> dict:
    """Recompute a tampered certificate's digest (a tamperer who knows the format)."""
    from exactmem.kernel import sign
    return sign(cert)
