"""Beat 2: a tangent line slides along each function with a live readout of x and f'(x)."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    UP,
    UR,
    Axes,
    Create,
    DecimalNumber,
    Dot,
    Line,
    MathTex,
    Scene,
    ValueTracker,
    VGroup,
    VMobject,
    always_redraw,
    linear,
)

from gradcore import FunctionCurve
from scenes.style import AXIS, CURVE, TANGENT, TEXT, lesson

TANGENT_HALF_LENGTH = 1.2  # scene units either side of the touch point


def curve_axes(curve: FunctionCurve) -> Axes:
    y_lo, y_hi = float(curve.y.min()), float(curve.y.max())
    pad = 0.1 * (y_hi - y_lo)
    return Axes(
        x_range=[curve.function.x_min, curve.function.x_max, 1],
        y_range=[y_lo - pad, y_hi + pad, (y_hi - y_lo) / 5],
        x_length=10,
        y_length=5.5,
        axis_config={"color": AXIS, "include_tip": False},
    )


def curve_path(axes: Axes, curve: FunctionCurve) -> VMobject:
    """The core's samples joined smoothly."""
    return VMobject(color=CURVE).set_points_smoothly(axes.c2p(np.column_stack([curve.x, curve.y])))


def tangent_at(axes: Axes, x: float, y: float, slope: float) -> Line:
    """A fixed-length segment through (x, y) with data slope ``slope``."""
    centre = axes.c2p(x, y)
    direction = axes.c2p(x + 1, y + slope) - centre
    direction /= np.linalg.norm(direction)
    return Line(centre - TANGENT_HALF_LENGTH * direction, centre + TANGENT_HALF_LENGTH * direction, color=TANGENT)


class TangentSlopes(Scene):
    """The slope of x² at every point is its derivative 2x."""

    def construct(self) -> None:
        curve = lesson().curves[0]
        axes = curve_axes(curve).to_edge(DOWN)
        path = curve_path(axes, curve)
        title = MathTex(rf"f(x) = {curve.function.latex}", r"\qquad f'(x) = " + curve.function.dlatex, color=TEXT)
        title.to_edge(UP)
        self.play(Create(axes), Create(path), run_time=2)
        self.play(Create(title))

        index = ValueTracker(0)

        def at() -> int:
            return int(round(index.get_value()))

        tangent = always_redraw(lambda: tangent_at(axes, curve.x[at()], curve.y[at()], curve.dy[at()]))
        dot = always_redraw(lambda: Dot(axes.c2p(curve.x[at()], curve.y[at()]), color=TANGENT))
        readout = VGroup(MathTex("x ="), DecimalNumber(0), MathTex("f'(x) ="), DecimalNumber(0)).arrange()
        readout.to_corner(UR).shift(DOWN)
        readout[1].add_updater(lambda d: d.set_value(curve.x[at()]))
        readout[3].add_updater(lambda d: d.set_value(curve.dy[at()]))
        self.add(tangent, dot, readout)
        self.play(index.animate.set_value(len(curve.x) - 1), run_time=6, rate_func=linear)
        self.wait()
