import math
from fractions import Fraction

import numpy as np
import pytest
import sympy
from flint import fmpq
from hypothesis import given, strategies as st

from exactmem import (ExactmemError, Status, Verdict, all_of, exp_enclosure, log_enclosure, pi_enclosure,
                      sqrt_enclosure, to_matrix, to_rational, to_vector)
from exactmem.errors import ConversionError, NonFiniteError, ShapeError, UnsupportedTypeError
from exactmem.exact import ceil_log, fmt

from reference import exp_bounds, frac, pi_bounds


def test_documented_conversions():
    assert to_rational("0.1") == fmpq(1, 10)
    # 0.1 as a double is 3602879701896397 / 2**55 (Python's Fraction(float) is exact and independent)
    assert to_rational(0.1) == fmpq(3602879701896397, 36028797018963968)
    assert frac(to_rational(0.1)) == Fraction(0.1)
    assert to_rational("3/7") == fmpq(3, 7)
    assert to_rational(" -6/4 ") == fmpq(-3, 2)
    assert to_rational("1.5e-3") == fmpq(3, 2000)
    assert to_rational(Fraction(5, 3)) == fmpq(5, 3)
    assert to_rational(sympy.Rational(-7, 9)) == fmpq(-7, 9)
    assert to_rational(np.int64(-12)) == -12
    assert to_rational(np.float32(0.1)) == fmpq(13421773, 134217728)  # float32(0.1) = 13421773 * 2**-27
    assert to_rational(np.uint8(200)) == 200


@pytest.mark.parametrize("bad, err", [
    (float("nan"), NonFiniteError), (float("inf"), NonFiniteError), (-math.inf, NonFiniteError),
    (np.float64("nan"), NonFiniteError), ("nan", NonFiniteError), ("-inf", NonFiniteError),
    (1 + 2j, UnsupportedTypeError), (np.complex128(1), UnsupportedTypeError), (True, UnsupportedTypeError),
    (np.bool_(False), UnsupportedTypeError), (None, UnsupportedTypeError), ([1], UnsupportedTypeError),
    ("abc", ConversionError), ("1/0", ConversionError), ("", ConversionError), ("1e99999999", ConversionError),
    (sympy.sqrt(2), ConversionError), (sympy.oo, NonFiniteError),
])
def test_bad_scalars_raise_named_errors(bad, err):
    with pytest.raises(err):
        to_rational(bad)
    with pytest.raises(ExactmemError):
        to_rational(bad)


@given(st.fractions())
def test_fraction_roundtrip(f):
    q = to_rational(f)
    assert frac(q) == f
    assert to_rational(fmt(q)) == q


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_convert_to_their_stored_value(x):
    assert frac(to_rational(x)) == Fraction(x)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=None))
def test_decimal_strings_are_read_as_spelled(dec):
    s = str(dec)
    if "E" in s.upper() and abs(dec.as_tuple().exponent) > 10_000:
        return
    assert frac(to_rational(s)) == Fraction(dec)


def test_matrices_and_vectors():
    M = to_matrix([[1, "1/2"], [0.25, 3]])
    assert M.tolist() == [[1, fmpq(1, 2)], [fmpq(1, 4), 3]]
    assert to_matrix(np.array([[1, 2], [3, 4]], dtype=np.int32)).tolist() == [[1, 2], [3, 4]]
    with pytest.raises(ShapeError, match="ragged"):
        to_matrix([[1, 2], [3]])
    with pytest.raises(NonFiniteError, match=r"\(1, 0\)"):
        to_matrix(np.array([[1.0, 2.0], [np.nan, 4.0]]))
    with pytest.raises(UnsupportedTypeError):
        to_matrix(np.array([[True]]))
    with pytest.raises(ShapeError):
        to_vector([[1, 2]])
    assert to_vector(np.array([0.5, -2.0])) == [fmpq(1, 2), -2]


def test_verdict_is_not_a_bool():
    v = Verdict.proved("x")
    with pytest.raises(TypeError):
        bool(v)
    with pytest.raises(TypeError):
        if Verdict.undecided("y"):
            pass
    with pytest.raises(TypeError):
        bool(Status.PROVED)
    with pytest.raises(TypeError):
        Verdict.from_exact(1, "not a bool")


def test_all_of_priority():
    p, u, r = Verdict.proved("p"), Verdict.undecided("u"), Verdict.refuted("r", witness=3)
    assert all_of([p, p]).is_proved
    assert all_of([p, u]).is_undecided
    assert all_of([u, r, p]).is_refuted and all_of([u, r]).witness == 3
    with pytest.raises(TypeError):
        all_of([True])


@given(st.fractions(min_value=0, max_value=10 ** 6))
def test_sqrt_enclosure_contains_sqrt(x):
    e = sqrt_enclosure(x, prec=40)
    lo, hi = frac(e.lo), frac(e.hi)
    assert 0 <= lo <= hi and lo * lo <= x <= hi * hi  # exact containment test
    assert hi - lo <= max(hi, 1) * Fraction(1, 2 ** 40)


def test_sqrt_is_exact_on_squares():
    e = sqrt_enclosure("49/16")
    assert e.is_exact() and e.lo == fmpq(7, 4)


def test_pi_enclosure_contains_pi():
    a, b = pi_bounds()  # an independent Machin-series enclosure of width ~ 1e-80
    for prec in (10, 53, 200):
        e = pi_enclosure(prec)
        assert frac(e.lo) <= a and b <= frac(e.hi)
        assert frac(e.width) <= 4 * Fraction(1, 2 ** prec)


@given(st.fractions(min_value=-20, max_value=20, max_denominator=1000))
def test_exp_enclosure_contains_exp(x):
    e = exp_enclosure(x, prec=50)
    a, b = exp_bounds(x, 250)  # 20**250/250! < 1e-150: far tighter than the enclosure
    assert frac(e.lo) <= a and b <= frac(e.hi)


@given(st.fractions(min_value=Fraction(1, 1000), max_value=10 ** 6, max_denominator=1000))
def test_log_enclosure_contains_log(x):
    e = log_enclosure(x, prec=40)
    # ln x in [lo, hi]  <=>  e^lo <= x <= e^hi ; use the independent Taylor bounds of e^lo and e^hi
    assert exp_bounds(frac(e.lo), 120)[1] <= x <= exp_bounds(frac(e.hi), 120)[0]


@pytest.mark.parametrize("x, k", [(1, 0), (2, 1), (3, 2), (1000, 7), ("1/2", 0), (55, 5)])
def test_ceil_log(x, k):
    # hand values: e < 3 < e^2 (7.39), e^6 = 403.4 < 1000 < e^7 = 1096.6, e^4 = 54.6 < 55
    assert ceil_log(x) == k


def test_enclosure_argument_errors():
    with pytest.raises(ConversionError):
        sqrt_enclosure(-1)
    with pytest.raises(ConversionError):
        log_enclosure(0)
    with pytest.raises(ConversionError):
        pi_enclosure(prec=1)
