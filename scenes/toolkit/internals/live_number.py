"""A ``DecimalNumber`` cheap to update every frame (see this package's header for the internals it touches)."""

from __future__ import annotations

from typing import Any

import numpy as np
from manim import DecimalNumber, VMobject

from gradcore.format import NumberFormat

__all__ = ["LiveNumber"]

_GLYPHS: dict[tuple[str, float], np.ndarray] = {}
_EMPTY = np.zeros((0, 3))


def _anchor_box(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lower-left, upper-right) of the box manim bounds a VMobject by: its curves' anchors."""
    anchors = np.concatenate([points[0::4], points[3::4]])
    return anchors.min(axis=0), anchors.max(axis=0)


class LiveNumber(DecimalNumber):
    """A :class:`DecimalNumber` that is cheap to update every frame.

    ``set_value`` lays out cached glyph outlines with numpy, exactly as ``DecimalNumber`` does (glyphs
    bottom-aligned ``digit_buff`` apart, a minus sign raised to the middle of the next glyph, the
    edge ``edge_to_fix`` kept in place, the current scale kept), into the same character mobjects: no
    mobject is created per frame, and an unchanged text costs nothing. With ``form`` (a
    :class:`~gradcore.format.NumberFormat`, plain) its text is ``form``'s: the lesson's one number format.
    """

    def __init__(self, number: float = 0, form: NumberFormat | None = None, **kwargs: Any) -> None:
        self.form = form
        if form is not None:
            kwargs.update(num_decimal_places=form.decimals, group_with_commas=True)
        super().__init__(number, **kwargs)

    def _get_num_string(self, number: float | complex) -> str:
        if self.form is None:
            return super()._get_num_string(number)
        return self.form.parts(float(np.real(number)))[0]

    def _string_to_mob(self, string: str, mob_class: type | None = None, **kwargs: object) -> VMobject:
        glyph = VMobject(fill_opacity=1, stroke_width=0)
        glyph.points = self._outline(string, mob_class, **kwargs).copy()
        return glyph

    def _outline(self, char: str, mob_class: type | None = None, **kwargs: object) -> np.ndarray:
        key = (char, self._font_size)
        if key not in _GLYPHS:
            _GLYPHS[key] = super()._string_to_mob(char, mob_class, **kwargs).get_all_points()
        return _GLYPHS[key]

    def _set_submobjects_from_number(self, number: float) -> None:
        super()._set_submobjects_from_number(number)
        self._text = self._get_num_string(number)
        self._glyphs = list(self.submobjects)

    def set_value(self, number: float) -> LiveNumber:
        if self.unit is not None or self.show_ellipsis or self.include_background_rectangle:
            return super().set_value(number)
        text = self._get_num_string(number)
        self.number = number
        if text == self._text:
            return self
        outlines = [self._outline(c, self.mob_class) for c in text]
        placed = _arrange_bottom(outlines, self.digit_buff_per_font_unit * self._font_size)
        for i, c in enumerate(text):  # as DecimalNumber: a minus sign sits at mid-height of what follows,
            if c == "-" and i + 1 < len(text):
                low, high = _anchor_box(placed[i + 1])
                placed[i] = placed[i] + [0, high[1] - _anchor_box(placed[i])[1][1] - (high[1] - low[1]) / 2, 0]
            elif c == ",":  # a comma half its height below the baseline
                low, high = _anchor_box(placed[i])
                placed[i] = placed[i] - [0, (high[1] - low[1]) / 2, 0]
        low, high = _anchor_box(np.concatenate(placed))
        scale = self.height / self.initial_height  # the scale this number has been given since its layout
        self.initial_height = high[1] - low[1]
        fixed = self.get_critical_point(self.edge_to_fix)
        centre = (low + high) / 2
        low, high = centre + scale * (low - centre), centre + scale * (high - centre)
        edge = (low + high) / 2 + (high - low) / 2 * np.sign(self.edge_to_fix)
        shift = fixed - edge
        while len(self._glyphs) < len(text):
            glyph = VMobject().match_style(self._glyphs[0])
            self._glyphs.append(glyph)
        for glyph, points in zip(self._glyphs, placed, strict=False):
            glyph.points = centre + scale * (points - centre) + shift
        for glyph in self._glyphs[len(text) :]:
            glyph.points = _EMPTY  # dropped characters may still be in the frame's list of moving mobjects
        self.submobjects = self._glyphs[: len(text)]
        self._text = text
        return self


def _arrange_bottom(outlines: list[np.ndarray], buff: float) -> list[np.ndarray]:
    """``outlines`` left to right, ``buff`` apart, bottoms aligned, the whole centred at the origin."""
    placed: list[np.ndarray] = []
    for points in outlines:
        low, _ = _anchor_box(points)
        if placed:
            prev_low, prev_high = _anchor_box(placed[-1])
            points = points + [prev_high[0] + buff - low[0], prev_low[1] - low[1], 0]
        placed.append(points)
    low, high = _anchor_box(np.concatenate(placed))
    centre = (low + high) / 2
    return [points - centre for points in placed]
