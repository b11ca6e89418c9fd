"""Bubeck & Sellke 2021, Theorem 2 and its use in the proof of Theorem 3 (reference notes §7, item 13): applying
the tail at (eps/2, 2L) to the net, the two weakenings of the exponents and the net size, checked symbolically.

Theorem 2 is encoded with the NeurIPS-submission constant 8^4 in its second exponent; the 9^4 reading of a
secondary source is checked too (Theorem 3's 8^6 covers it).
"""
import sympy as sp

from exactmem import Verdict, all_of
from exactmem.bounds.law_catalog import (Fsize, J, K, L, W, bs_thm2_tail, bs_thm3_tail_terms, c, d, eps, n, p)
from exactmem.claims import claim

SRC = "Bubeck & Sellke 2021, Theorem 2 (used in the proof of Theorem 3)"
NET = p * sp.log(60 * W * J / eps)          # ln|net| = p ln(60WJ/eps)


def _terms(expr):
    """The exponential terms of a tail, ordered: (mixture term, class term)."""
    a, b = sorted(sp.Add.make_args(expr), key=lambda t: t.has(Fsize) or t.has(d))
    return a, b


def _exponent(term):
    return sp.expand(sp.log(term.as_independent(sp.exp)[1]).expand(force=True), force=True)


def _weaker(used, derived, what):
    """The tail the proof uses must dominate the one Theorem 2 gives: used >= derived, i.e. the exponent
    difference is >= 0 for all positive values (decided by sympy's sign reasoning)."""
    gap = sp.simplify(_exponent(used) - _exponent(derived))
    coeff = sp.simplify(used.as_independent(sp.exp)[0] - derived.as_independent(sp.exp)[0])
    if gap.is_nonnegative is True and coeff == 0:
        return Verdict.proved(f"{what}: exponent gap {gap} >= 0, same coefficient")
    if gap.is_negative is True:
        return Verdict.refuted(f"{what}: the used tail is smaller than the derived one (gap {gap})", str(gap))
    return Verdict.undecided(f"{what}: could not decide the sign of {gap} (coefficient gap {coeff})")


def _all(parts):
    return all_of(parts, "; ".join(v.reason for v in parts))


def _parts():
    yield "mixture term at eps/2: 2^11 weakened to 2^12 = 8^4", "first"
    yield "class term at (eps/2, 2L) with ln|F| = p ln(60WJ/eps): 2^16 weakened to 2^18 = 8^6", "second"
    yield "the same with the 9^4 reading of Theorem 2: 2^4 9^4 = 104976 <= 2^18", "second-9^4"
    yield "net size: 3W / (eps/(6J)) = 18WJ/eps and (18WJ/eps)^p <= (60WJ/eps)^p", "net"


@claim("BS21.Thm2.composition", "Theorem 2 at (eps/2, 2L) on an eps/(6J)-net gives a tail that the proof of "
       "Theorem 3 validly weakens (2^11 -> 2^12, 2^16 -> 2^18), with net size (18WJ/eps)^p <= (60WJ/eps)^p",
       {"symbolic": _parts}, source=SRC)
def check(part):
    first_used, second_used = bs_thm3_tail_terms()
    if part == "net":
        size = sp.simplify(3 * W / (eps / (6 * J)))
        base = sp.simplify((60 * W * J / eps) / size)            # (60WJ/eps)^p / size^p = base^p
        return _all([Verdict.from_exact(sp.simplify(size - 18 * W * J / eps) == 0,
                                        f"a (eps/(6J))-net of a set of diameter W: 3W/(eps/(6J)) = {size}"),
                     Verdict.from_exact(bool(base.is_Rational and base > 1) and (p * sp.log(base)).is_positive is True,
                                        f"(60WJ/eps)^p / (18WJ/eps)^p = ({base})^p > 1 for p > 0")])
    if part == "first":
        derived, _ = _terms(bs_thm2_tail(eps_=eps / 2, L_=2 * L, log_size=NET))
        want = 4 * K * sp.exp(-n * eps ** 2 / (2 ** 11 * K))
        return _all([Verdict.from_exact(sp.simplify(derived - want) == 0,
                                        f"Theorem 2's first term at eps/2 is {derived}"),
                     _weaker(first_used, derived, "4K exp(-n eps^2/(2^12 K)) >= 4K exp(-n eps^2/(2^11 K))")])
    if part == "second":
        _, derived = _terms(bs_thm2_tail(eps_=eps / 2, L_=2 * L, log_size=NET))
        want = 2 * sp.exp(NET - eps ** 2 * n * d / (2 ** 16 * c * L ** 2))
        return _all([Verdict.from_exact(sp.simplify(derived - want) == 0,
                                        f"Theorem 2's second term at (eps/2, 2L) is {derived}"),
                     _weaker(second_used, derived, "exponent with 2^18 >= exponent with 2^16")])
    # the secondary source's 9^4 in Theorem 2's second exponent
    derived = 2 * sp.exp(NET - (eps / 2) ** 2 * n * d / (9 ** 4 * c * (2 * L) ** 2))
    return _weaker(second_used, derived, "exponent with 2^18 >= exponent with 2^4 9^4 = 104976")
