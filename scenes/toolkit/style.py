"""One palette, one number style, one colour map and the shared builders of the whole lesson."""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from manim import (
    BLUE_C,
    GREY_B,
    LEFT,
    ORANGE,
    RED_C,
    RIGHT,
    TEAL_C,
    UP,
    WHITE,
    YELLOW_C,
    ManimColor,
    MathTex,
    Text,
    VGroup,
    VMobject,
)

from gradcore import Lesson
from gradcore.format import NumberFormat, fmt, fmt_full, num, number_format, setting, tex_num, tex_setting
from gradcore.lessonfile import DEFAULT_LESSON_FILE, LESSON_ENV, load_lesson
from scenes.toolkit.internals import LiveNumber

__all__ = [
    "AXIS",
    "CURVE",
    "DATA",
    "DERIV",
    "FIT",
    "LABEL_SIZE",
    "SLOPE",
    "TANGENT",
    "TEXT",
    "TICK_SIZE",
    "TITLE_SIZE",
    "LiveNumber",
    "SciNumber",
    "display_text",
    "fmt",
    "fmt_full",
    "lesson",
    "num",
    "number",
    "plain_label",
    "readout",
    "setting",
    "tex_num",
    "tex_setting",
    "tex_text",
    "tick",
    "use_lesson",
    "viridis",
]

CURVE: ManimColor = BLUE_C  # functions and loss curves
DERIV: ManimColor = TEAL_C  # derivative curves f'(x)
TANGENT: ManimColor = YELLOW_C  # tangent and secant lines, moving dots
SLOPE: ManimColor = RED_C  # the seed's red slope arrows, residuals
FIT: ManimColor = ORANGE  # the seed's orange descent path and fitted line
DATA: ManimColor = WHITE  # data points
TEXT: ManimColor = WHITE
AXIS: ManimColor = GREY_B

TITLE_SIZE = 40  # font_size of beat titles
LABEL_SIZE = 30  # font_size of axis labels, readouts and formulas
TICK_SIZE = 22  # font_size of tick numbers (readable at 480p)
TEXT_SCALE = 0.7  # Text at 0.7 × a font_size has the cap height of MathTex at that font_size (measured on "H")
DISPLAY_CHARS = 40  # text from a lesson file longer than this is shown cut, ending in an ellipsis

# viridis at 11 evenly spaced stops (matplotlib's colour map, which the seed's plots use)
_VIRIDIS = np.array(
    [
        [0x44, 0x01, 0x54], [0x48, 0x24, 0x75], [0x41, 0x44, 0x87], [0x35, 0x5F, 0x8D], [0x2A, 0x78, 0x8E],
        [0x21, 0x91, 0x8C], [0x22, 0xA8, 0x84], [0x44, 0xBF, 0x70], [0x7A, 0xD1, 0x51], [0xBD, 0xDF, 0x26],
        [0xFD, 0xE7, 0x25],
    ]
) / 255.0  # fmt: skip


def viridis(t: float) -> ManimColor:
    """The viridis colour at ``t`` in [0, 1] (clipped), linearly interpolated between its stops."""
    s = float(np.clip(t, 0.0, 1.0)) * (len(_VIRIDIS) - 1)
    i = min(int(s), len(_VIRIDIS) - 2)
    return ManimColor.from_rgb(_VIRIDIS[i] + (s - i) * (_VIRIDIS[i + 1] - _VIRIDIS[i]))


EXPONENT_SCALE = 0.7  # a power of ten's digits, relative to the mantissa's


class SciNumber(VGroup):
    """``1.50 × 10⁹``: a live mantissa (``[0]``), ``× 10`` and a live raised power (``[2]``), in a
    scientific :class:`~gradcore.format.NumberFormat`; ``set_value`` as :class:`LiveNumber`'s, keeping
    ``edge_to_fix`` in place."""

    def __init__(
        self, value: float, form: NumberFormat, font_size: float = LABEL_SIZE, color: ManimColor = TEXT, edge_to_fix: np.ndarray = LEFT
    ) -> None:
        mantissa, power = form.parts(value)
        self.form = form
        plain = NumberFormat(form.decimals)
        digits = LiveNumber(float(mantissa), plain, font_size=font_size, color=color, edge_to_fix=RIGHT)
        times = MathTex(r"\times 10", font_size=font_size, color=color)
        raised = LiveNumber(power or 0, NumberFormat(0), font_size=font_size * EXPONENT_SCALE, color=color, edge_to_fix=LEFT)
        super().__init__(digits, times, raised)
        times.next_to(digits, RIGHT, buff=0.08)
        raised.next_to(times, RIGHT, buff=0.04).align_to(times, UP).shift(UP * 0.1 * font_size / LABEL_SIZE)
        self.number = float(value)
        self.edge_to_fix = edge_to_fix

    def set_value(self, value: float) -> SciNumber:
        """Show ``value``, the edge ``edge_to_fix`` kept in place (a power that gains a digit grows away from it)."""
        mantissa, power = self.form.parts(value)
        edge = self.get_critical_point(self.edge_to_fix)
        self[0].set_value(float(mantissa))
        self[2].set_value(power or 0)
        self.shift(edge - self.get_critical_point(self.edge_to_fix))
        self.number = float(value)
        return self

    def get_value(self) -> float:
        return self.number


def number(
    value: float, values: float | Iterable[float] | None = None, digits: int = 4, font_size: float = LABEL_SIZE, **kwargs: Any
) -> VMobject:
    """A live number in the lesson's one format, chosen once for the whole series ``values`` (default: the
    value alone) so that it keeps its width: a :class:`LiveNumber` with thousands separators, or a
    :class:`SciNumber` when the series reaches outside [10⁻³, 10⁶)."""
    form = number_format(value if values is None else values, digits)
    if form.scientific:
        return SciNumber(value, form, font_size=font_size, color=kwargs.get("color", TEXT), edge_to_fix=kwargs.get("edge_to_fix", LEFT))
    return LiveNumber(value, form, font_size=font_size, **kwargs)


def tick(value: float, form: NumberFormat, color: ManimColor = TEXT) -> LiveNumber:
    """A tick label (a :class:`~gradcore.ticks.Ticks` label: ``value`` already scaled), from cached digit
    glyphs like :func:`number`, so an axis costs no LaTeX runs."""
    return LiveNumber(value, form, font_size=TICK_SIZE, color=color)


def readout(label: str, value: float, values: float | Iterable[float] | None = None, digits: int = 4, color: ManimColor = TEXT) -> VGroup:
    """``label = <number>``: a MathTex label (the project's own TeX) beside a live :func:`number` (``group[1]``)
    formatted for the series ``values``."""
    group = VGroup(MathTex(label, "=", font_size=LABEL_SIZE, color=color), number(value, values, digits, color=color))
    return group.arrange(buff=0.15)


_TEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def tex_text(text: str) -> str:
    """``text`` (a title from a lesson file) escaped for LaTeX's text mode: its special characters set as themselves."""
    return "".join(_TEX_SPECIALS.get(c, c) for c in text)


def display_text(text: str) -> str:
    """``text`` from a lesson file as one line to show: control and other unprintable characters and runs of
    whitespace become one space, and past :data:`DISPLAY_CHARS` it is cut, ending in "…"."""
    line = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return line if len(line) <= DISPLAY_CHARS else line[: DISPLAY_CHARS - 1] + "…"


def plain_label(text: str, font_size: float = LABEL_SIZE, color: ManimColor = TEXT, max_width: float | None = None) -> Text:
    """Text from a lesson file (a race label, a name) as a label: :func:`display_text` of it set by Pango as
    plain text, never TeX or markup, with the cap height of MathTex at ``font_size``, shrunk to ``max_width``
    if it is wider."""
    label = Text(display_text(text), font_size=font_size * TEXT_SCALE, color=color)
    if max_width is not None and label.width > max_width:
        label.scale_to_fit_width(max_width)
    return label


_CHOSEN: list[Lesson] = []  # a lesson handed over by use_lesson, which lesson() returns instead of loading one


def use_lesson(chosen: Lesson) -> None:
    """Make :func:`lesson` return ``chosen`` in this process (a render job forked with the lesson already built)."""
    _CHOSEN[:] = [chosen]


def lesson() -> Lesson:
    """The lesson the scenes draw: the one given to :func:`use_lesson`, else (computed once per process) the
    lesson file named by the environment variable ``GRADLESSON_LESSON`` (plain ``manim render`` with it set),
    else the default lesson's file, ``lessons/intro_to_gradients.toml``."""
    return _CHOSEN[0] if _CHOSEN else _loaded()


@cache
def _loaded() -> Lesson:
    return load_lesson(Path(os.environ.get(LESSON_ENV) or DEFAULT_LESSON_FILE))
