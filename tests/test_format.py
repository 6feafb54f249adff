"""The one number format."""

from __future__ import annotations

import pytest

from gradcore.format import fmt, fmt_full


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [(1.23456, 2, "1.23"), (-1.23456, 3, "-1.235"), (-0.001, 2, "0.00"), (12345.678, 1, "12345.7"), (0.0, 0, "0")],
)
def test_fmt(value: float, digits: int, text: str) -> None:
    assert fmt(value, digits) == text


def test_fmt_full_prints_the_seeds_digits() -> None:
    assert fmt_full(-3.235905316463203) == "-3.235905316463203"
    assert fmt_full(1.9181494319433217) == "1.9181494319433217"
