"""KMY25 Lemma B.22: t >= 10 ln t for every real t >= e^4.

The proof, checked step by step: u(t) = t - 10 ln t has u'(t) = 1 - 10/t (sympy's derivative), positive for
t > 10, and e^4 > 10; u(e^4) = e^4 - 40 > 0 from an outward-rounded enclosure of e^4.  So u is increasing
on [e^4, oo) and positive there.  Beside the proof: the inequality at sample points (log enclosures), and that
the hypothesis matters -- t = 20 and t = 35 violate it, t = 36 satisfies it, so the crossing t* lies in (35, 36),
below e^4 = 54.59...: the threshold is sufficient, not sharp.  (Used by Lemma B.20 and Theorem B.14 Case IV for
10 ln d <= d when d >= 600 ln 2 > 415.)
"""
import sympy as sp
from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.claims import claim
from exactmem.exact import exp_enclosure, log_enclosure


def holds_at(t) -> Verdict:
    """t >= 10 ln t decided exactly at a rational t > 0 (ln t is irrational for t != 1: enclosures decide it)."""
    t = fmpq(t)
    for prec in (64, 256, 1024):
        e = log_enclosure(t, prec)
        if t >= 10 * e.hi:
            return Verdict.proved(f"t = {t} >= 10 ln t <= {float(10 * e.hi):.6g}")
        if t < 10 * e.lo:
            return Verdict.refuted(f"t = {t} < 10 ln t >= {float(10 * e.lo):.6g}", {"t": str(t)})
    return Verdict.undecided(f"could not decide t >= 10 ln t at t = {t}")


def _cases():
    yield "proof on [e^4, oo)", ("proof", None)
    for t in (55, 60, 100, 415, 599, 1000, 10 ** 6, fmpq(2183, 40)):    # 2183/40 = 54.575 < e^4: below, still holds
        yield f"t = {t}", ("holds", t)
    for t in (20, 35, fmpq(71, 2)):                                        # below the crossing t* in (35.5, 36)
        yield f"t = {t} (below the crossing)", ("fails", t)
    yield "t = 36 (above the crossing)", ("holds", 36)


@claim("KMY25.LemB.22", "t >= 10 ln t for all t >= e^4: u = t - 10 ln t is increasing there (u' = 1 - 10/t, "
       "e^4 > 10) and u(e^4) = e^4 - 40 > 0; the crossing lies in (35.5, 36), below e^4",
       {"proof and instances": _cases}, source="Kim, Moon & Yun 2025, Lemma B.22")
def check(inst):
    kind, t = inst
    if kind == "proof":
        x = sp.Symbol("t", positive=True)
        deriv_ok = sp.simplify(sp.diff(x - 10 * sp.log(x), x) - (1 - 10 / x)) == 0
        e4 = exp_enclosure(4, 128)
        return all_of([Verdict.from_exact(bool(deriv_ok), "u'(t) = 1 - 10/t (sympy)"),
                       Verdict.from_exact(e4.lo > 10, f"e^4 >= {float(e4.lo):.6f} > 10, so u' > 0 on [e^4, oo)"),
                       Verdict.from_exact(e4.lo - 40 > 0, f"u(e^4) = e^4 - 40 >= {float(e4.lo - 40):.6f} > 0")],
                      "t - 10 ln t is increasing and positive on [e^4, oo)")
    v = holds_at(t)
    if kind == "holds":
        return v
    if v.is_refuted:
        return Verdict.proved(f"the inequality fails below the crossing, as it must: {v.reason}")
    return Verdict.refuted(f"expected t = {t} to violate t >= 10 ln t: {v.reason}", {"t": str(t)})
