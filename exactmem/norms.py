"""Norm indices and robustness ratios: validation shared by every public entry point.

>>> check_p("inf"), check_p(2)
(inf, 2)
>>> check_rho("1/2")
1/2
>>> check_rho(1)
Traceback (most recent call last):
...
exactmem.errors.RhoError: rho must lie in the open interval (0, 1), got 1
"""
from __future__ import annotations

import math

from flint import fmpq

from .errors import ConversionError, NormError, RhoError, UnsupportedTypeError
from .exact import fmt, to_rational

INF = math.inf


KERNEL_NAMES = {1: "1", 2: "2", "inf": "inf"}      # the norm names certificates use


def kernel_p(p):
    """1, 2 or "inf" (the kernel's names) from anything ``check_p`` accepts."""
    p = check_p(p)
    return p if p in (1, 2) else "inf"


def check_p(p):
    """Normalise a norm index to 1, 2 or ``math.inf``; anything else raises ``NormError``."""
    if isinstance(p, str):
        key = p.strip().lower()
        if key in {"inf", "infinity", "oo", "max"}:
            return INF
        try:
            p = int(key)
        except ValueError:
            raise NormError(f"unknown norm {p!r}; use 1, 2 or 'inf'") from None
    if isinstance(p, bool):
        raise NormError("the norm index must be 1, 2 or inf, not a bool")
    if isinstance(p, (int, float)) and p in (1, 2):
        return int(p)
    if isinstance(p, float) and math.isinf(p) and p > 0:
        return INF
    raise NormError(f"unsupported norm index {p!r}; exact checks support p = 1, 2 and inf")


def check_rho(rho) -> fmpq:
    """Convert a robustness ratio exactly and require 0 < rho < 1."""
    try:
        q = to_rational(rho)
    except (ConversionError, UnsupportedTypeError) as e:
        raise RhoError(f"rho must be a number in (0, 1): {e}") from None
    if not (0 < q < 1):
        raise RhoError(f"rho must lie in the open interval (0, 1), got {fmt(q)}")
    return q


def vec_norm(v, p):
    """Exact ||v||_1 or ||v||_inf, or the squared norm ||v||_2**2 for p = 2."""
    if p == 2:
        return sum((x * x for x in v), fmpq(0))
    if p == 1:
        return sum((abs(x) for x in v), fmpq(0))
    return max((abs(x) for x in v), default=fmpq(0))
