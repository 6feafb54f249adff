"""Beat 1: the derivative's definition, a secant of x² turning into the tangent as h shrinks."""

from __future__ import annotations

from functools import partial

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    Indicate,
    Line,
    MathTex,
    ValueTracker,
    VGroup,
    Write,
    linear,
)

from gradcore import Lesson
from scenes.toolkit.builders import function_axes, path_through, slope_segment, tracker_index
from scenes.toolkit.narration import LessonScene, Step, said
from scenes.toolkit.style import AXIS, CURVE, DERIV, LABEL_SIZE, TANGENT, TEXT, TITLE_SIZE, num, readout, setting, tex_num, tex_setting

SECANT_EXTRA = 1.2  # scene units the secant reaches beyond its two points
TANGENT_HALF = 2.2  # scene units of the dashed tangent either side of (x0, f(x0))


DEFINITION_TEX = r"f'(x) = \lim_{h \to 0} \frac{f(x+h) - f(x)}{h}"


class DerivativeAsSlope(LessonScene):
    """f'(x) = lim (f(x + h) − f(x)) / h: the secant's slope tends to the tangent's as h → 0."""

    TITLE = "The derivative as a slope"

    @classmethod
    def formulas(cls, lesson: Lesson) -> tuple[str, ...]:
        return DEFINITION_TEX, rf"f(x) = {lesson.curves[0].function.latex}"

    @classmethod
    def script(cls, lesson: Lesson) -> tuple[Step, ...]:
        s, fn = lesson.secant, lesson.curves[0].function
        x0, h, h_end = setting(s.x0), setting(s.h[0]), setting(s.h[-1])
        return (
            said("definition", 3.0, "The derivative is the limit of the average rate of change as h shrinks to 0."),
            said("curve", 2.0, "Take f(x) = $f at the point x0 = $x0.", f=fn.text, x0=x0),
            said("secant", 2.6, "The secant through x0 and x0 + h, with h = $h, has slope $slope.", x0=x0, h=h, slope=num(s.slope[0])),
            said("shrink", 5.0, "As h shrinks to $h, the secant turns into the tangent.", h=h_end, h_start=h),
            said(
                "limit",
                2.2,
                "Its slope tends to f'(x0) = $tangent_slope: the slope of the tangent.",
                (("x0", x0), ("h", h_end), ("secant slope", num(s.slope[-1])), ("f'(x0)", num(s.tangent_slope))),
                tangent_slope=num(s.tangent_slope),
                x0=x0,
                h=h_end,
                secant_slope=num(s.slope[-1]),
            ),
            said("hold", 1.0, "The derivative is the slope of the tangent."),
        )

    def construct(self) -> None:
        self.show_definition()
        self.show_curve()
        self.show_secant()
        self.shrink()
        self.show_limit()
        self.step("hold")
        self.fade_out()

    def show_definition(self) -> None:
        self.definition = MathTex(DEFINITION_TEX, font_size=TITLE_SIZE, color=TEXT).to_edge(UP, buff=0.35)
        self.step("definition", Write(self.definition))

    def show_curve(self) -> None:
        curve, s = self.lesson.curves[0], self.lesson.secant
        # x² from two units left of x0 to the end of its range: room for the secant at every h
        view = curve.dense.x >= np.floor(s.x0) - 2
        x, y = curve.dense.x[view], curve.dense.y[view]
        self.axes = function_axes((float(x[0]), curve.function.x_max), y, x_length=7.4, y_length=4.9)
        self.axes.to_edge(LEFT, buff=0.7).to_edge(DOWN, buff=0.45)
        label = MathTex(rf"f(x) = {curve.function.latex}", font_size=LABEL_SIZE, color=CURVE)
        self.axes.add(label.next_to(self.axes.y_axis.get_end(), RIGHT, buff=0.3))
        path = path_through(self.axes, x, y, CURVE, stroke_width=4)
        self.p_dot = Dot(self.axes.c2p(s.x0, s.y0), radius=0.08, color=TANGENT)
        self.step("curve", AnimationGroup(Create(self.axes), Create(path), FadeIn(self.p_dot)))

    def show_secant(self) -> None:
        s, axes = self.lesson.secant, self.axes
        self.tracker = ValueTracker(0)
        at = partial(tracker_index, self.tracker)  # the secant's h the tracker points at

        def secant_ends() -> tuple[np.ndarray, np.ndarray]:
            """The line through (x0, y0) with the core's secant slope, reaching past (x0 + h, y1)."""
            i = at()
            x_mid, y_mid = s.x0 + s.h[i] / 2, (s.y0 + s.y1[i]) / 2
            half = float(np.linalg.norm(axes.c2p(s.x0 + s.h[i], s.y1[i]) - axes.c2p(s.x0, s.y0))) / 2 + SECANT_EXTRA
            return slope_segment(axes, x_mid, y_mid, s.slope[i], half)

        self.secant_line = Line(axes.c2p(0, 0), axes.c2p(1, 1), color=TANGENT, stroke_width=4)
        self.secant_line.add_updater(lambda m: m.put_start_and_end_on(*secant_ends()))
        self.q_dot = Dot(radius=0.08, color=TANGENT).add_updater(lambda m: m.move_to(axes.c2p(s.x0 + s.h[at()], s.y1[at()])))
        # the dashed legs start at their largest (h[0]) so shrinking only shortens their dashes
        run = DashedLine(axes.c2p(s.x0, s.y0), axes.c2p(s.x0 + s.h[0], s.y0), color=AXIS, stroke_width=3, dash_length=0.08)
        run.add_updater(lambda m: m.put_start_and_end_on(axes.c2p(s.x0, s.y0), axes.c2p(s.x0 + s.h[at()], s.y0)))
        rise = DashedLine(axes.c2p(s.x0 + s.h[0], s.y0), axes.c2p(s.x0 + s.h[0], s.y1[0]), color=AXIS, stroke_width=3, dash_length=0.08)
        rise.add_updater(lambda m: m.put_start_and_end_on(axes.c2p(s.x0 + s.h[at()], s.y0), axes.c2p(s.x0 + s.h[at()], s.y1[at()])))
        h_label = MathTex("h", font_size=LABEL_SIZE, color=TEXT)

        def place_h(m: MathTex) -> None:
            m.next_to(run, UP, buff=0.12)
            m.set_opacity(float(np.clip((run.get_length() - 0.4) / 0.4, 0, 1)))  # gone before it reaches the dots

        h_label.add_updater(place_h)  # type: ignore[arg-type]  # manim types an updater as taking any Mobject; it gets this one
        tangent = DashedLine(*slope_segment(axes, s.x0, s.y0, s.tangent_slope, TANGENT_HALF), color=DERIV, stroke_width=3, dash_length=0.12)
        self.rows = VGroup(
            MathTex(rf"x_0 = {tex_setting(s.x0)}", font_size=LABEL_SIZE, color=TEXT),
            readout("h", s.h[0], s.h, 3),
            readout(r"\frac{f(x_0+h) - f(x_0)}{h}", s.slope[0], s.slope, 4, color=TANGENT),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.4)
        self.rows.next_to(axes, RIGHT, buff=0.8).align_to(axes, UP).shift(DOWN * 0.3)
        self.h_number, self.slope_number = self.rows[1][1], self.rows[2][1]
        self.h_number.add_updater(lambda m: m.set_value(s.h[at()]))
        self.slope_number.add_updater(lambda m: m.set_value(s.slope[at()]))
        movers = (self.secant_line, self.q_dot, run, rise, h_label)
        for m in movers:
            m.update()
        self.tangent = tangent
        self.step(
            "secant",
            AnimationGroup(
                Create(tangent), Create(run), Create(rise), FadeIn(h_label), Create(self.secant_line), FadeIn(self.q_dot), FadeIn(self.rows)
            ),
        )
        self.bring_to_front(self.p_dot, self.q_dot)

    def shrink(self) -> None:
        # h is spaced geometrically, so a steady index slows down as h nears 0
        self.step("shrink", self.tracker.animate.set_value(len(self.lesson.secant.h) - 1), rate_func=linear)

    def show_limit(self) -> None:
        s = self.lesson.secant
        self.limit = MathTex(rf"f'(x_0) = {tex_num(s.tangent_slope)}", font_size=LABEL_SIZE, color=DERIV)
        self.limit.next_to(self.rows, DOWN, buff=0.6, aligned_edge=LEFT)
        self.step("limit", AnimationGroup(Write(self.limit), Indicate(self.tangent, color=DERIV, scale_factor=1.0)))
