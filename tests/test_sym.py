"""The shared building blocks of ``derivations.sym``: the LaTeX scientific-notation formatter."""

from __future__ import annotations

import pytest
import sympy as sp

from derivations.sym import sci_latex


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (2.65613988e-5, 4, r"2.656\times10^{-5}"),
        (251188.6, 3, r"2.51\times10^{5}"),
        (8.9e-16, 2, r"8.9\times10^{-16}"),
        (-4.5394e-5, 4, r"-4.539\times10^{-5}"),
        (-3.0e12, 2, r"-3.0\times10^{12}"),  # trailing zeros are significant digits and stay
        (1.0, 3, r"1.00\times10^{0}"),
        (0.0, 3, r"0.00\times10^{0}"),
    ],
)
def test_float_mantissa_and_exponent(value, digits, expected):
    assert sci_latex(value, digits) == expected


def test_rounding_carries_into_the_exponent():
    # 9.995e-3 to 3 digits is 1.00e-2, never 10.0e-3, for a float and for an exact rational
    assert sci_latex(9.995e-3, 3) == r"1.00\times10^{-2}"
    assert sci_latex(sp.Rational(9995, 10**6), 3) == r"1.00\times10^{-2}"
    assert sci_latex(-9.9996e7, 4) == r"-1.000\times10^{8}"


def test_sympy_number_is_rounded_from_its_exact_value():
    # 1/4 + 1e-18 is the float 0.25, which rounds half to even to 2e-1; its exact value rounds up to 3e-1
    just_above_tie = sp.Rational(1, 4) + sp.Rational(1, 10**18)
    assert f"{float(just_above_tie):.0e}" == "2e-01"
    assert sci_latex(just_above_tie, 1) == r"3\times10^{-1}"
    assert sci_latex(sp.Rational(1, 4), 1) == r"2\times10^{-1}"  # an exact tie: half to even
    assert sci_latex(sp.Rational(9, 10) ** 100, 4) == r"2.656\times10^{-5}"
    assert sci_latex(-(sp.Rational(1, 3) ** 20), 4) == r"-2.868\times10^{-10}"
    assert sci_latex(sp.Integer(0), 3) == r"0.00\times10^{0}"
    assert sci_latex(sp.exp(-100), 3) == r"3.72\times10^{-44}"


def test_plain_range_by_exponent_after_rounding():
    plain = range(-2, 3)
    assert sci_latex(0.36603, 4, plain=plain) == "0.3660"
    assert sci_latex(-0.36603, 4, plain=plain) == "-0.3660"
    assert sci_latex(sp.Rational(99, 100) ** 100, 4, plain=plain) == "0.3660"
    assert sci_latex(304.48, 4, plain=plain) == "304.5"
    assert sci_latex(12.5, 2, plain=plain) == "12"  # 2 significant digits, half to even
    assert sci_latex(0.01, 3, plain=plain) == "0.0100"
    assert sci_latex(0.0099999, 3, plain=plain) == "0.0100"  # rounds to exponent -2: inside the range
    assert sci_latex(0.0099, 3, plain=plain) == r"9.90\times10^{-3}"
    assert sci_latex(999.96, 4, plain=plain) == r"1.000\times10^{3}"  # rounds to exponent 3: outside
    assert sci_latex(999.94, 4, plain=plain) == "999.9"
    assert sci_latex(1234.0, 2, plain=range(-2, 4)) == "1234"  # integer digits are never rounded away


def test_bare_zero_exponent():
    assert sci_latex(2.514, 3, bare_zero_exponent=True) == "2.51"
    assert sci_latex(-9.996, 3, bare_zero_exponent=True) == r"-1.00\times10^{1}"
    assert sci_latex(0.25, 3, bare_zero_exponent=True) == r"2.50\times10^{-1}"
