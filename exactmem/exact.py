"""Exact scalars: conversion to python-flint ``fmpq``, matrices, rational enclosures.

Conversion rules (see ``docs/numbers.md``):

* ``int``, numpy integer scalars, ``fmpz``, ``fmpq``, ``fractions.Fraction`` and
  sympy ``Rational`` convert to the same rational;
* a string is read as the rational it spells: ``"3/7"``, ``"-2"``, ``"0.1"`` (= 1/10),
  ``"1.5e-3"``;
* a Python or numpy float converts to the dyadic rational it stores, so ``0.1``
  becomes ``3602879701896397/36028797018963968``;
* ``bool``, ``None``, complex numbers, NaN, infinities and everything else raise.

>>> to_rational("0.1")
1/10
>>> to_rational(0.5)
1/2
>>> to_rational(0.1) == to_rational("0.1")
False
>>> fmt(to_rational("-6/4"))
'-3/2'
"""
from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from fractions import Fraction

import flint
import mpmath
from flint import arb, fmpq, fmpq_mat, fmpz

from .errors import (ConversionError, NonFiniteError, ShapeError, UnsupportedTypeError)

try:  # numpy is a dependency; keep the import failure-tolerant anyway
    import numpy as _np
except ImportError:  # pragma: no cover
    _np = None

# A decimal or p/q literal: sign, digits, optional fraction part, optional exponent.
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)
_RATIO = re.compile(r"[+-]?[0-9]+/[0-9]+", re.ASCII)
_MAX_EXPONENT = 10_000  # refuse "1e999999999", which would allocate a giant integer


def _from_string(s: str) -> fmpq:
    t = s.strip().replace("_", "")
    if _RATIO.fullmatch(t):
        num, den = t.split("/")
        num, den = fmpz(num.lstrip("+")), fmpz(den.lstrip("+"))     # fmpz: no 4,300-digit limit
        if den == 0:
            raise ConversionError(f"the string {s!r} has a zero denominator")
        return fmpq(num, den)
    if _DECIMAL.fullmatch(t):
        m = re.search(r"[eE]([+-]?[0-9]+)$", t)
        if m and (len(m.group(1)) > 7 or abs(int(m.group(1))) > _MAX_EXPONENT):
            raise ConversionError(f"the exponent of {s!r} exceeds {_MAX_EXPONENT} in magnitude")
        mant, _, exp = t.lower().partition("e")
        whole, _, part = mant.partition(".")
        sign = -1 if whole.startswith("-") else 1
        digits = (whole.lstrip("+-") + part) or "0"
        q = fmpq(sign * fmpz(digits), fmpz(10) ** len(part))
        e = int(exp) if exp else 0
        return q * fmpq(10) ** e if e >= 0 else q / fmpq(10) ** -e
    low = t.lower()
    if low in {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}:
        raise NonFiniteError(f"the string {s!r} is not a finite number")
    raise ConversionError(f"the string {s!r} is not a rational literal like '3/7', '-2' or '0.125'")


def _from_float(x: float) -> fmpq:
    if math.isnan(x) or math.isinf(x):
        raise NonFiniteError(f"{x!r} is not a finite number")
    num, den = x.as_integer_ratio()
    return fmpq(num, den)


def to_rational(x) -> fmpq:
    """Convert ``x`` exactly to an ``fmpq``; raise an exactmem error otherwise.

    >>> to_rational(3), to_rational("3/7"), to_rational(-0.25)
    (3, 3/7, -1/4)
    >>> to_rational(1 + 2j)
    Traceback (most recent call last):
    ...
    exactmem.errors.UnsupportedTypeError: cannot convert a complex number to a rational
    """
    if isinstance(x, fmpq):
        return x
    if isinstance(x, bool) or (_np is not None and isinstance(x, _np.bool_)):
        raise UnsupportedTypeError("booleans are not numbers for exactmem; pass 0 or 1 explicitly")
    if isinstance(x, (int, fmpz)):
        return fmpq(x)
    if isinstance(x, Fraction):
        return fmpq(x.numerator, x.denominator)
    if isinstance(x, float):
        return _from_float(x)
    if isinstance(x, str):
        return _from_string(x)
    if _np is not None:
        if isinstance(x, _np.integer):
            return fmpq(int(x))
        if isinstance(x, _np.floating):
            if not _np.isfinite(x):
                raise NonFiniteError(f"{x!r} is not a finite number")
            num, den = x.as_integer_ratio()
            return fmpq(int(num), int(den))
        if isinstance(x, _np.complexfloating):
            raise UnsupportedTypeError("cannot convert a complex number to a rational")
    if isinstance(x, complex):
        raise UnsupportedTypeError("cannot convert a complex number to a rational")
    mod = type(x).__module__ or ""
    if mod.startswith("sympy"):
        if getattr(x, "is_Rational", False):
            return fmpq(int(x.p), int(x.q))
        if getattr(x, "is_finite", None) is False or getattr(x, "is_nan", False):
            raise NonFiniteError(f"the sympy value {x} is not finite")
        raise ConversionError(f"the sympy value {x} is not a rational number")
    if isinstance(x, numbers.Rational):  # other exact rationals (gmpy2.mpq, ...)
        return fmpq(int(x.numerator), int(x.denominator))
    if isinstance(x, numbers.Complex) and not isinstance(x, numbers.Real):
        raise UnsupportedTypeError("cannot convert a complex number to a rational")
    raise UnsupportedTypeError(f"cannot convert a value of type {type(x).__name__} to a rational")


def to_int(x, what: str = "value") -> int:
    """Convert an integer-valued exact number to ``int`` (``2``, ``"2"``, ``2.0``); raise otherwise."""
    try:
        q = to_rational(x)
    except UnsupportedTypeError:
        raise UnsupportedTypeError(f"{what} must be an integer, got {type(x).__name__}") from None
    if q.q != 1:
        raise ConversionError(f"{what} must be an integer, got {fmt(q)}")
    return int(q.p)


def fmt(q) -> str:
    """Serialize a rational as ``"p/q"`` (or ``"p"`` when the denominator is 1)."""
    q = to_rational(q)
    return str(q.p) if q.q == 1 else f"{q.p}/{q.q}"


def show(q, digits: int = 7, longest: int = 40) -> str:
    """An exact rational as text with a decimal beside it: ``"1/3 ≈ 0.3333333"``; the exact text is left out
    (``"≈ 1.2e-300"`` and its size) when it is longer than ``longest`` characters; integers stand alone.

    >>> show(fmpq(5, 512)), show(7), show(fmpq(2, 3) ** 100)
    ('5/512 ≈ 0.009765625', '7', '≈ 2.459654e-18 (exact: a 31-digit over a 48-digit integer)')
    """
    q = to_rational(q)
    if q.q == 1 and len(str(q.p)) <= longest:
        return str(q.p)
    with mpmath.workdps(digits + 10):
        dec = mpmath.nstr(mpmath.mpf(int(q.p)) / int(q.q), digits)
    text = fmt(q)
    if len(text) <= longest:
        return f"{text} ≈ {dec}"
    return f"≈ {dec} (exact: a {len(str(abs(q.p)))}-digit over a {len(str(q.q))}-digit integer)"


def _rows_of(x, what):
    if _np is not None and isinstance(x, _np.ndarray):
        if x.ndim != 2:
            raise ShapeError(f"{what} must be two-dimensional, got an array with {x.ndim} dimension(s)")
        return [list(r) for r in x]
    if isinstance(x, fmpq_mat) or isinstance(x, flint.fmpz_mat):
        return [list(r) for r in x.tolist()]
    rows = []
    try:
        for i, r in enumerate(x):
            if isinstance(r, (str, bytes)):
                raise ShapeError(f"row {i} of {what} is a string, not a sequence of numbers")
            rows.append(list(r))
    except TypeError:
        raise ShapeError(f"{what} must be a sequence of rows") from None
    return rows


def to_vector(v, what: str = "vector") -> list:
    """Convert a one-dimensional sequence or array to a list of ``fmpq``."""
    if _np is not None and isinstance(v, _np.ndarray):
        if v.ndim != 1:
            raise ShapeError(f"{what} must be one-dimensional, got an array with {v.ndim} dimensions")
        return _array_to_rationals(v, what)
    if isinstance(v, (str, bytes)) or not hasattr(v, "__iter__"):
        raise ShapeError(f"{what} must be a sequence of numbers")
    out = []
    for k, e in enumerate(v):
        if hasattr(e, "__iter__") and not isinstance(e, str):
            raise ShapeError(f"entry {k} of {what} is itself a sequence; expected a flat vector")
        out.append(_convert_entry(e, what, (k,)))
    return out


def _convert_entry(e, what, index):
    try:
        return to_rational(e)
    except (ConversionError, UnsupportedTypeError) as err:
        raise type(err)(f"entry {index} of {what}: {err}") from None


def _array_to_rationals(a, what) -> list:
    """Flattened exact conversion of a numpy array, with a fast path for integer dtypes."""
    kind = a.dtype.kind
    flat = a.ravel()
    if kind in "iu":
        return [fmpq(int(e)) for e in flat.tolist()]
    if kind == "f":
        bad = ~_np.isfinite(flat)
        if bad.any():
            k = int(_np.flatnonzero(bad)[0])
            idx = _np.unravel_index(k, a.shape)
            raise NonFiniteError(f"entry {tuple(int(i) for i in idx)} of {what} is {flat[k]!r}, not finite")
        if a.dtype.itemsize <= 8:  # float16/32/64 values are exactly Python floats
            return [_from_float(e) for e in flat.astype(_np.float64).tolist()]
        return [to_rational(e) for e in flat]  # longdouble: keep every stored bit
    if kind == "b":
        raise UnsupportedTypeError(f"{what} has boolean dtype; booleans are not numbers for exactmem")
    if kind == "c":
        raise UnsupportedTypeError(f"{what} has complex dtype; cannot convert to rationals")
    out = []
    for k, e in enumerate(flat.tolist() if kind != "O" else flat):
        out.append(_convert_entry(e, what, tuple(int(i) for i in _np.unravel_index(k, a.shape))))
    return out


def dyadic_matrix(a, what: str = "matrix") -> fmpq_mat:
    """A 2-D float (float16/32/64) or integer numpy array as the ``fmpq_mat`` of the exact values it stores,
    in time proportional to its size: one integer matrix and one power of two, not a Python object per entry.

    >>> import numpy as np
    >>> dyadic_matrix(np.array([[0.5, -3.0], [0.1, 0.0]], dtype=np.float32))[1, 0] == to_rational(float(np.float32(0.1)))
    True
    """
    if a.ndim != 2:
        raise ShapeError(f"{what} must be two-dimensional, got an array with {a.ndim} dimension(s)")
    r, c = a.shape
    if not (r and c):
        return fmpq_mat(r, c)
    if a.dtype.kind in "iu":
        return fmpq_mat(flint.fmpz_mat(r, c, [int(v) for v in a.ravel().tolist()]))
    if a.dtype.kind != "f" or a.dtype.itemsize > 8:
        return fmpq_mat(r, c, _array_to_rationals(a, what))
    x = a.astype(_np.float64).ravel()
    bad = ~_np.isfinite(x)
    if bad.any():
        k = int(_np.flatnonzero(bad)[0])
        idx = _np.unravel_index(k, a.shape)
        raise NonFiniteError(f"entry {tuple(int(i) for i in idx)} of {what} is {x[k]!r}, not finite")
    m, e = _np.frexp(x)                                   # x = m 2^e, |m| in [1/2, 1): m 2^53 is an integer
    k = (m * 2.0 ** 53).astype(_np.int64)
    s = e.astype(_np.int64) - 53
    nz = k != 0
    if not nz.any():
        return fmpq_mat(r, c)
    low = _np.where(nz, k & -k, 1)                        # strip trailing zero bits: smaller integers
    tz = _np.frexp(low.astype(_np.float64))[1].astype(_np.int64) - 1
    k, s = k >> tz, s + tz
    E = int(s[nz].min())
    shift = _np.where(nz, s - E, 0)
    if int(shift.max()) + 54 < 63:
        ints = (k << shift).tolist()
    else:                                                 # a wide exponent range: Python integers
        ints = [int(v) << int(t) for v, t in zip(k.tolist(), shift.tolist())]
    M = fmpq_mat(flint.fmpz_mat(r, c, ints))
    return M * (fmpq(2) ** E) if E else M


def to_matrix(x, what: str = "matrix", ncols: int | None = None) -> fmpq_mat:
    """Convert a rectangular 2-D array-like to an ``fmpq_mat``; ragged rows raise ``ShapeError``.

    >>> to_matrix([[1, "1/2"], [0.25, 3]])
    [  1, 1/2]
    [1/4,   3]
    """
    if isinstance(x, fmpq_mat):
        m = x
    elif isinstance(x, flint.fmpz_mat):
        m = fmpq_mat(x)
    elif _np is not None and isinstance(x, _np.ndarray):
        if x.ndim != 2:
            raise ShapeError(f"{what} must be two-dimensional, got an array with {x.ndim} dimension(s)")
        m = dyadic_matrix(x, what)
    else:
        rows = _rows_of(x, what)
        widths = {len(r) for r in rows}
        if len(widths) > 1:
            first = len(rows[0])
            bad = next(i for i, r in enumerate(rows) if len(r) != first)
            raise ShapeError(f"{what} is ragged: row 0 has {first} entries but row {bad} has {len(rows[bad])}")
        c = widths.pop() if widths else (ncols or 0)
        entries = []
        for i, r in enumerate(rows):
            if all(type(e) is fmpq or type(e) is int for e in r):  # fast path: already exact
                entries.extend(r)
                continue
            for j, e in enumerate(r):
                if hasattr(e, "__iter__") and not isinstance(e, str):
                    raise ShapeError(f"entry ({i}, {j}) of {what} is a sequence; expected a number")
                entries.append(_convert_entry(e, what, (i, j)))
        m = fmpq_mat(len(rows), c, entries) if rows and c else fmpq_mat(len(rows), c)
    if ncols is not None and m.ncols() != ncols and m.nrows():
        raise ShapeError(f"{what} must have {ncols} columns, got {m.ncols()}")
    return m


def column(v, what="vector") -> fmpq_mat:
    """A vector as an n x 1 ``fmpq_mat``."""
    if isinstance(v, fmpq_mat):
        if v.ncols() != 1:
            raise ShapeError(f"{what} must be a column, got a {v.nrows()}x{v.ncols()} matrix")
        return v
    entries = to_vector(v, what)
    return fmpq_mat(len(entries), 1, entries) if entries else fmpq_mat(0, 1)


def common_denominator(values) -> int:
    """Least common multiple of the denominators of some rationals (1 for none)."""
    d = fmpz(1)
    for q in values:
        qd = q.q
        if qd != 1:
            d = d * qd // d.gcd(qd)
    return int(d)


# --- rational enclosures ----------------------------------------------------------

@dataclass(frozen=True)
class Enclosure:
    """Exact rational bounds ``lo <= value <= hi`` of a real number, from outward rounding.

    >>> e = sqrt_enclosure(2, prec=30)
    >>> e.lo ** 2 <= 2 <= e.hi ** 2
    True
    """

    lo: fmpq
    hi: fmpq
    what: str = ""

    @property
    def width(self) -> fmpq:
        return self.hi - self.lo

    def contains(self, q) -> bool:
        q = to_rational(q)
        return self.lo <= q <= self.hi

    def is_exact(self) -> bool:
        return self.lo == self.hi

    def to_json(self) -> dict:
        return {"what": self.what, "lo": fmt(self.lo), "hi": fmt(self.hi)}


def _arb_exact_to_fmpq(a) -> fmpq:
    man, exp = a.man_exp()
    man, exp = int(man), int(exp)
    return fmpq(man * 2 ** exp) if exp >= 0 else fmpq(man, 2 ** (-exp))


def _arb_bounds(x: arb) -> tuple[fmpq, fmpq]:
    """Exact rational ``[mid - rad, mid + rad]`` of a finite ``arb`` ball."""
    if not x.is_finite():
        raise ConversionError("interval evaluation did not give a finite enclosure")
    mid = _arb_exact_to_fmpq(x.mid())
    rad = _arb_exact_to_fmpq(x.rad())
    return mid - rad, mid + rad


def _check_prec(prec):
    if isinstance(prec, bool) or not isinstance(prec, int) or prec < 2 or prec > 1_000_000:
        raise ConversionError(f"prec must be an int in [2, 1000000] (bits), got {prec!r}")


def _enclose(fn, what: str, prec: int) -> Enclosure:
    """Evaluate ``fn()`` in arb, raising the working precision until the ball is tight enough."""
    _check_prec(prec)
    old = flint.ctx.prec
    work = prec + 20
    try:
        for _ in range(8):
            flint.ctx.prec = work
            val = fn()
            lo, hi = _arb_bounds(val)
            scale = max(abs(lo), abs(hi)) or fmpq(1)          # relative to the size of the number
            if hi - lo <= scale * fmpq(1, 2 ** prec):
                return Enclosure(lo, hi, what)
            work *= 2
        return Enclosure(lo, hi, what)
    finally:
        flint.ctx.prec = old


def _arb_of(q: fmpq) -> arb:
    # arb(p)/arb(q) is an enclosure of p/q at the working precision
    return arb(q.p) / arb(q.q)


def sqrt_enclosure(x, prec: int = 64) -> Enclosure:
    """Rational bounds of sqrt(x) for a rational x >= 0 (exact when x is a rational square).

    >>> sqrt_enclosure("9/4")
    Enclosure(lo=3/2, hi=3/2, what='sqrt(9/4)')
    """
    q = to_rational(x)
    if q < 0:
        raise ConversionError(f"sqrt of a negative number {fmt(q)}")
    p, d = fmpz(q.p), fmpz(q.q)
    if p.is_square() and d.is_square():
        r = fmpq(p.isqrt(), d.isqrt())
        return Enclosure(r, r, f"sqrt({fmt(q)})")
    enc = _enclose(lambda: _arb_of(q).sqrt(), f"sqrt({fmt(q)})", prec)
    return Enclosure(max(enc.lo, fmpq(0)), enc.hi, enc.what)


def largest_eigenvalue(G, prec: int = 64) -> Enclosure:
    """Rational bounds of the largest eigenvalue of a symmetric rational matrix (an fmpq_mat), from the
    real roots of its exact characteristic polynomial, factored over Q (exact when that root is rational).

    >>> e = largest_eigenvalue(fmpq_mat([[2, 1], [1, 3]]))        # (5 + sqrt 5) / 2 = 3.618...
    >>> fmpq(3618033, 10 ** 6) < e.lo <= e.hi < fmpq(3618034, 10 ** 6), e.width < fmpq(1, 10 ** 15)
    (True, True)
    >>> largest_eigenvalue(fmpq_mat([[1, 1], [1, 1]]))
    Enclosure(lo=2, hi=2, what='largest eigenvalue')
    """
    if not isinstance(G, fmpq_mat) or G.nrows() != G.ncols() or G.nrows() == 0 or G != G.transpose():
        raise ConversionError("largest_eigenvalue needs a non-empty symmetric fmpq_mat")
    factors = [f for f, _ in G.charpoly().factor()[1]]
    rational = [-f.coeffs()[0] / f.coeffs()[1] for f in factors if f.degree() == 1]
    others = [f for f in factors if f.degree() > 1]
    top = max(rational) if rational else None
    if not others:
        return Enclosure(top, top, "largest eigenvalue")

    def fn():
        roots = [z.real for f in others for z, _ in f.complex_roots()]
        return arb.union(max(r.lower() for r in roots), max(r.upper() for r in roots))
    enc = _enclose(fn, "largest eigenvalue", prec)
    if top is not None and top >= enc.hi:
        return Enclosure(top, top, enc.what)
    return enc if top is None else Enclosure(max(enc.lo, top), enc.hi, enc.what)


def pi_enclosure(prec: int = 64) -> Enclosure:
    """Rational bounds of pi."""
    return _enclose(lambda: arb.pi(), "pi", prec)


def log_enclosure(x, prec: int = 64) -> Enclosure:
    """Rational bounds of the natural logarithm of a rational x > 0 (exact 0 at x = 1)."""
    q = to_rational(x)
    if q <= 0:
        raise ConversionError(f"log of a non-positive number {fmt(q)}")
    if q == 1:
        return Enclosure(fmpq(0), fmpq(0), "log(1)")
    return _enclose(lambda: _arb_of(q).log(), f"log({fmt(q)})", prec)


def exp_enclosure(x, prec: int = 64) -> Enclosure:
    """Rational bounds of exp(x) for a rational x (exact 1 at x = 0)."""
    q = to_rational(x)
    if abs(q) > 10 ** 6:
        raise ConversionError(f"exp argument {fmt(q)} is too large to enclose")
    if q == 0:
        return Enclosure(fmpq(1), fmpq(1), "exp(0)")
    return _enclose(lambda: _arb_of(q).exp(), f"exp({fmt(q)})", prec)


def ceil_log(x, c=1, prec: int = 64) -> int:
    """The exact integer ceil(c * ln x) for rationals c > 0, x > 0, decided from enclosures.

    c ln x is irrational unless x = 1 (Lindemann), so raising the precision always decides it.

    >>> ceil_log(2, 864)      # 864 ln 2 = 598.88...
    599
    """
    q, c = to_rational(x), to_rational(c)
    if c <= 0:
        raise ConversionError(f"the coefficient must be positive, got {fmt(c)}")
    if q == 1:
        return 0
    p = prec
    while p <= 8192:
        e = log_enclosure(q, p)
        lo_c, hi_c = _ceil(c * e.lo), _ceil(c * e.hi)
        if lo_c == hi_c:
            return lo_c
        p *= 4
    raise ConversionError(f"could not decide ceil({fmt(c)} ln({fmt(q)}))")


def _ceil(q: fmpq) -> int:
    return -((-q.p) // q.q)


def floor_q(q) -> int:
    """Exact floor of a rational."""
    q = to_rational(q)
    return int(q.p // q.q)


def ceil_q(q) -> int:
    """Exact ceiling of a rational."""
    return _ceil(to_rational(q))


def round_sig(q, bits: int = 40, up: bool = False) -> fmpq:
    """A rational with at most ``bits`` significant bits, <= q (or >= q with ``up``): relative rounding,
    the same at every scale.

    >>> round_sig(fmpq(1, 3), 8), round_sig(fmpq(1, 3), 8, up=True), round_sig(fmpq(10) ** -300, 8) > 0
    (85/256, 171/512, True)
    """
    q = to_rational(q)
    if q == 0:
        return q
    e = bits - (int(abs(q.p)).bit_length() - int(q.q).bit_length())
    scaled = q * fmpq(2) ** e
    k = _ceil(scaled) if up else int(scaled.p // scaled.q)
    return fmpq(k) / fmpq(2) ** e


def isqrt_ceil(n: int) -> int:
    """ceil(sqrt(n)) for an integer n >= 0."""
    r = math.isqrt(n)
    return r if r * r == n else r + 1
