"""One palette, one number format, one set of timings for the whole lesson."""

from __future__ import annotations

from functools import cache

from manim import BLUE_C, GREY_B, ORANGE, RED_C, TEAL_C, WHITE, YELLOW_C, ManimColor

from gradcore import Lesson, build_lesson

__all__ = ["CURVE", "DATA", "DERIV", "FIT", "SLOPE", "TANGENT", "TEXT", "AXIS", "fmt", "lesson"]

CURVE: ManimColor = BLUE_C
DERIV: ManimColor = TEAL_C
TANGENT: ManimColor = YELLOW_C
SLOPE: ManimColor = RED_C  # the seed's red slope arrows
FIT: ManimColor = ORANGE  # the seed's orange descent path and fitted line
DATA: ManimColor = WHITE
TEXT: ManimColor = WHITE
AXIS: ManimColor = GREY_B


def fmt(value: float, digits: int = 2) -> str:
    """The lesson's one number format: fixed point, a true minus sign for negatives, no "-0.00"."""
    text = f"{value:.{digits}f}"
    if float(text) == 0:
        text = f"{0:.{digits}f}"
    return text


@cache
def lesson() -> Lesson:
    """The default lesson, computed once per process."""
    return build_lesson()
