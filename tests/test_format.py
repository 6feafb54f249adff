"""The one number format: plain with separators in [10⁻³, 10⁶), else ×10^k; at most 6 digits."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradcore.format import MAX_DIGITS, fmt, fmt_full, num, number_format, setting_format, tex_num


@pytest.mark.parametrize(("value", "digits", "text"), [(0.0, 2, "0.00"), (-0.001, 2, "0.00"), (1.23456, 3, "1.235")])
def test_fmt(value: float, digits: int, text: str) -> None:
    assert fmt(value, digits) == text


def test_fmt_full_prints_the_seeds_digits() -> None:
    assert fmt_full(-3.235905316463203) == "-3.235905316463203"
    assert fmt_full(1.9181494319433217) == "1.9181494319433217"


@pytest.mark.parametrize(
    ("value", "text", "tex"),
    [
        (119_701.23, "119,701", "119{,}701"),
        (-3.2359, "−3.236", "-3.236"),
        (4_188_798_696_450.0, "4.189×10¹²", r"4.189 \times 10^{12}"),
        (90.5374156600052, "90.54", "90.54"),
        (2e-6, "2.000×10⁻⁶", r"2.000 \times 10^{-6}"),
        (0.0, "0", "0"),
        (9.99999e5, "999,999", "999{,}999"),
        (9_999_999.0, "1.000×10⁷", r"1.000 \times 10^{7}"),
    ],
)
def test_one_value(value: float, text: str, tex: str) -> None:
    assert num(value) == text
    assert tex_num(value) == tex


@pytest.mark.parametrize(("value", "text"), [(0.001, "0.001"), (2e-6, "2×10⁻⁶"), (0.25, "0.25"), (6e12, "6×10¹²"), (0.0123, "0.0123")])
def test_settings_are_written_exactly(value: float, text: str) -> None:
    assert setting_format(value).text(value) == text


@given(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False), st.integers(min_value=1, max_value=8))
def test_never_more_than_six_digits_and_it_reads_back(value: float, digits: int) -> None:
    form = number_format(value, digits)
    text = form.text(value)
    mantissa, _, power = text.partition("×10")
    shown = list(mantissa.replace(",", "").replace("−", "").replace(".", "").lstrip("0"))
    assert len(shown) <= MAX_DIGITS, text
    back = float(mantissa.replace(",", "").replace("−", "-"))
    if power:
        back *= 10.0 ** int(power.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
    assert math.isclose(back, value, rel_tol=10.0 ** (1 - min(digits, MAX_DIGITS)), abs_tol=1e-3)


def test_a_series_keeps_its_digits_as_it_falls() -> None:
    form = number_format([119_701.2, 3_000.5, 33.187, 0.0024])
    assert [form.text(v) for v in (119_701.2, 33.187, 0.0024)] == ["119,701", "33.19", "0.002400"]
    assert number_format([1e9, 1.0]).scientific and not number_format([999_999.0, 1.0]).scientific
    assert number_format([0, 1, 200]).text(200) == "200"
