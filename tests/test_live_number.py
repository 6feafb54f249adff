"""LiveNumber draws exactly what manim's DecimalNumber draws, for any sequence of values."""

from __future__ import annotations

import numpy as np
import pytest
from manim import LEFT, RIGHT, DecimalNumber, VMobject

from gradcore.format import number_format
from scenes.toolkit.style import LiveNumber, SciNumber
from scenes.toolkit.style import number as live_number

# value changes that move every part of the layout: sign flips, longer and shorter texts, a rounded -0
CHANGES = [
    (1.25, 3.5),
    (3.5, -12.75),
    (-12.75, 0.5),
    (0.5, 1234.5),
    (1234.5, -0.004),
    (-0.004, -7.0),
    (-7.0, -7.001),
    (9.99, 10.0),
    (10.0, -119_701.25),
    (-119_701.25, 1_234_567.5),
]


def drawn(number: DecimalNumber) -> np.ndarray:
    """Every outline point the camera would draw, in order."""
    return np.concatenate([m.points for m in number.family_members_with_points()])


@pytest.mark.parametrize("commas", [False, True], ids=["plain", "commas"])
@pytest.mark.parametrize("edge", [LEFT, RIGHT], ids=["left", "right"])
@pytest.mark.parametrize("digits", [0, 2, 3])
def test_set_value_matches_decimal_number(edge: np.ndarray, digits: int, commas: bool) -> None:
    kwargs = {"num_decimal_places": digits, "group_with_commas": commas, "font_size": 30, "edge_to_fix": edge}
    live, stock = LiveNumber(CHANGES[0][0], **kwargs), DecimalNumber(CHANGES[0][0], **kwargs)
    for number in (live, stock):  # a number placed and scaled by the scene before it updates
        number.scale(1.7).move_to([2.0, -1.0, 0.0])
    for _, value in CHANGES:
        live.set_value(value)
        stock.set_value(value)
        assert live.get_value() == stock.get_value() == value
        assert len(live) == len(stock._get_num_string(value))
        np.testing.assert_allclose(drawn(live), drawn(stock), atol=1e-9)


def test_set_value_reuses_its_character_mobjects() -> None:
    number = LiveNumber(-1.5, num_decimal_places=2)
    before = {id(m) for m in number.submobjects}
    number.set_value(-2.25).set_value(1.0).set_value(-3.75)
    assert {id(m) for m in number.submobjects} == before
    assert all(isinstance(m, VMobject) for m in number.submobjects)


def test_dropped_characters_draw_nothing() -> None:
    """A character dropped from the text may still be in a running animation's list: it has no points."""
    number = LiveNumber(-10.5, num_decimal_places=1)
    last = number.submobjects[-1]
    number.set_value(2.5)
    assert last not in number.submobjects
    assert len(last.points) == 0
    number.set_value(-40.5)
    assert last in number.submobjects and len(last.points) > 0


def test_the_lessons_format_is_what_it_shows() -> None:
    form = number_format([119_701.2, 0.5])
    number = LiveNumber(119_701.2, form)
    assert number._text == form.parts(119_701.2)[0] == "119,701"
    number.set_value(33.187)
    assert number._text == "33.19"  # four significant digits all the way down
    whole = LiveNumber(3, number_format([0, 1, 2, 3]))
    whole.set_value(-0.4)
    assert whole._text == "0"  # never "-0"


def test_a_series_past_a_million_is_a_live_power_of_ten() -> None:
    shown = live_number(4.2e12, [4.2e12, 3.0])
    assert isinstance(shown, SciNumber)
    shown.set_value(1.5e9)
    assert (shown[0]._text, shown[2]._text) == ("1.500", "9")
    assert shown.get_value() == 1.5e9


def test_a_power_of_ten_keeps_its_fixed_edge() -> None:
    from manim import RIGHT

    shown = live_number(4.2e12, [4.2e12, 3.0], edge_to_fix=RIGHT)
    right = shown.get_right().copy()
    shown.set_value(1.5e9)  # the power loses a digit
    np.testing.assert_allclose(shown.get_right(), right, atol=1e-9)
