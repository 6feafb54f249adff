"""The one tick picker: 4 to 10 round ticks at any scale, labels short, bounded by construction."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradcore.format import MAX_DIGITS
from gradcore.landscape import BAND_WIDTHS
from gradcore.ticks import MAX_TICKS, MIN_TICKS, nice_number, nice_ticks, padded_ticks

scales = st.integers(min_value=-6, max_value=12)
ranges = st.tuples(st.floats(min_value=-1.0, max_value=1.0), st.floats(min_value=0.05, max_value=1.0), scales).map(
    lambda t: (t[0] * 10.0 ** t[2], (t[0] + t[1]) * 10.0 ** t[2])
)


def _digits(label: str) -> int:
    return len([c for c in label.lstrip("−0.,").replace(",", "").replace(".", "") if c.isdigit()])


def test_nice_numbers_round_up_or_down_to_1_2_5_exactly_in_decimal() -> None:
    assert [nice_number(v) for v in (7.0, 0.3, 1.0, 10.0, 0.0123, 2.0000000000001)] == [10.0, 0.5, 1.0, 10.0, 0.02, 2.0]
    assert [nice_number(v, down=True) for v in (7.0, 0.0123, 5.0, 0.00049, 0.09999999999999999)] == [5.0, 0.01, 5.0, 0.0002, 0.1]
    assert nice_number(0.27, mantissas=BAND_WIDTHS) == 0.3  # the decimal 0.3, not 3 × 0.1
    assert nice_number(7.0, mantissas=BAND_WIDTHS) == 8.0 and nice_number(8.5, mantissas=BAND_WIDTHS) == 10.0


@given(st.floats(min_value=1e-300, max_value=1e300), st.booleans())
def test_a_nice_number_is_the_nearest_round_one_on_its_side(value: float, down: bool) -> None:
    nice = nice_number(value, down=down)
    mantissa = nice / 10.0 ** math.floor(math.log10(nice) + 1e-12)
    assert min(abs(mantissa - base) for base in (1, 2, 5, 10)) < 1e-9
    assert (nice <= value * (1 + 1e-12)) if down else (nice >= value * (1 - 1e-12))
    assert nice > value / 2.5 * (1 - 1e-9) if down else nice < value * 2.5 * (1 + 1e-9)  # round numbers are ≤ 2.5× apart


@given(ranges)
def test_four_to_ten_round_ticks_inside_any_range(bounds: tuple[float, float]) -> None:
    lo, hi = bounds
    ticks = nice_ticks(lo, hi)
    assert MIN_TICKS <= len(ticks.values) <= MAX_TICKS
    assert ticks.values.min() >= lo - 1e-9 * abs(ticks.step) and ticks.values.max() <= hi + 1e-9 * abs(ticks.step)
    mantissa = ticks.step / 10.0 ** math.floor(math.log10(ticks.step))
    assert min(abs(mantissa - base) for base in (1, 2, 5)) < 1e-9
    assert np.allclose(np.diff(ticks.values), ticks.step)
    for label in ticks.labels():
        assert _digits(label) <= MAX_DIGITS and len(label) <= 8, label


@given(ranges)
def test_labels_are_the_ticks_scaled(bounds: tuple[float, float]) -> None:
    ticks = nice_ticks(*bounds)
    shown = np.array([float(label.replace("−", "-").replace(",", "")) for label in ticks.labels()])
    assert np.allclose(shown * 10.0**ticks.power, ticks.values, rtol=1e-9, atol=ticks.step * 1e-6)
    assert ticks.power % 3 == 0


@given(st.lists(st.floats(min_value=-1, max_value=1), min_size=1, max_size=30), scales)
def test_padded_ticks_cover_the_values_and_end_on_ticks(values: list[float], scale: int) -> None:
    data = np.array(values) * 10.0**scale
    ticks = padded_ticks(data)
    assert MIN_TICKS <= len(ticks.values) <= MAX_TICKS
    assert ticks.lo <= data.min() and ticks.hi >= data.max()
    assert math.isclose(ticks.values[0], ticks.lo, abs_tol=ticks.step * 1e-6)
    assert math.isclose(ticks.values[-1], ticks.hi, abs_tol=ticks.step * 1e-6)


def test_house_prices_read_in_thousands() -> None:
    ticks = padded_ticks(np.array([192_000.0, 555_000.0]))
    assert ticks.power == 3 and ticks.name("price") == "price (×10³)"
    assert ticks.labels()[:3] == ["150", "200", "250"]


def test_the_seeds_axes() -> None:
    assert nice_ticks(-20, 20).labels() == ["−20", "−15", "−10", "−5", "0", "5", "10", "15", "20"]
    assert nice_ticks(0, 120_000).name("Loss") == "Loss (×10³)"
    assert nice_ticks(0.001, 0.005).tex_name("x") == r"x\ (\times 10^{-3})"


def test_integer_ticks_for_step_counts() -> None:
    assert nice_ticks(0, 10_000, integer=True).labels() == ["0", "2", "4", "6", "8", "10"]
    assert list(nice_ticks(0, 100, integer=True).values) == [0, 20, 40, 60, 80, 100]
    assert list(nice_ticks(-3.5, 2.5, integer=True).values) == [-3, -2, -1, 0, 1, 2]


@pytest.mark.parametrize("bounds", [(1.0, 1.0), (2.0, 1.0), (0.0, math.inf), (math.nan, 1.0)])
def test_no_ticks_for_a_degenerate_range(bounds: tuple[float, float]) -> None:
    with pytest.raises(ValueError):
        nice_ticks(*bounds)
