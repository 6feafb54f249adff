"""Beat 6: gradient descent from (−15, −30) moving step by step across the filled loss contours."""

from __future__ import annotations

from functools import partial
from typing import cast

import numpy as np
from manim import (
    BLACK,
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Axes,
    Circumscribe,
    Create,
    Cross,
    FadeIn,
    LaggedStart,
    MathTex,
    Rectangle,
    Star,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    config,
    linear,
)

from gradcore import Lesson
from gradcore.facts import within_words
from gradcore.ticks import nice_ticks
from scenes.toolkit.builders import EDGE, descent_readouts, fit_right, keep_left_edge, set_polyline, tracker_index
from scenes.toolkit.narration import LessonScene, Step, said
from scenes.toolkit.planes import filled_contours, plane_axes, plot_frame
from scenes.toolkit.style import FIT, LABEL_SIZE, SLOPE, TANGENT, TEXT, TITLE_SIZE, fmt_full, num, setting, tex_setting, tick, viridis

MARKED = 100  # iterates marked with a star at most (every iterate up to 100 steps)


def marked_iterates(steps: int) -> np.ndarray:
    """The iterates that get a star: all of them up to :data:`MARKED` steps, else every ``ceil(steps / MARKED)``-th
    and the last."""
    every = -(-steps // MARKED)
    return np.unique(np.append(np.arange(0, steps + 1, every), steps))


def colour_bar(levels: np.ndarray, height: float) -> VGroup:
    """One swatch per band with the one tick picker's round ticks beside it, titled Loss (with its scale)."""
    bands = len(levels) - 1
    swatches = VGroup(
        *(
            Rectangle(width=0.3, height=height / bands, stroke_width=0, fill_color=viridis(j / (bands - 1)), fill_opacity=1)
            for j in range(bands)
        )
    ).arrange(UP, buff=0)
    marks = nice_ticks(levels[0], levels[-1])
    ticks = VGroup()
    for value, shown in zip(marks.values, marks.scaled, strict=True):
        y = swatches.get_bottom()[1] + height * (value - levels[0]) / (levels[-1] - levels[0])
        label = tick(shown, marks.format)
        ticks.add(label.move_to((swatches.get_right()[0] + 0.1, y, 0), aligned_edge=LEFT))
    title = MathTex(marks.tex_name(r"\text{Loss}"), font_size=LABEL_SIZE, color=TEXT).next_to(swatches, UP, buff=0.15)
    return VGroup(swatches, ticks, title)


def streamline_paths(axes: Axes, lines: tuple[np.ndarray, ...]) -> VGroup:
    """The core's streamlines as thin red curves, each with an arrowhead halfway along."""
    group = VGroup()
    for line in lines:
        points = axes.c2p(line)
        curve = VMobject(stroke_color=SLOPE, stroke_width=1.5, stroke_opacity=0.9).set_points_as_corners(points)
        mid = len(points) // 2
        direction = points[mid + 1] - points[mid]
        angle = np.arctan2(direction[1], direction[0])
        head = MathTex(r"\blacktriangleright", font_size=14, color=SLOPE).rotate(angle).move_to(points[mid])
        group.add(VGroup(curve, head))
    return group


def update_rule_tex(lr: float, scale: tuple[float, float]) -> tuple[str, str, str]:
    """``m ← m − lr · s_m ∂L/∂m``, ``b ← b − lr · s_b ∂L/∂b`` with the lesson's numbers: the two lines and the break."""

    def factor(s: float) -> str:
        if s == 1:
            return ""
        inverse = 1 / s
        small = inverse == round(inverse) and inverse < 1000
        return rf"\tfrac{{1}}{{{inverse:.0f}}}\," if small else rf"{tex_setting(s)}\cdot "

    return (
        rf"m &\leftarrow m - {tex_setting(lr)}\cdot {factor(scale[0])}\frac{{\partial L}}{{\partial m}}",
        r"\\",
        rf"b &\leftarrow b - {tex_setting(lr)}\cdot {factor(scale[1])}\frac{{\partial L}}{{\partial b}}",
    )


def update_rule(lr: float, scale: tuple[float, float]) -> MathTex:
    """:func:`update_rule_tex` typeset."""
    return MathTex(*update_rule_tex(lr, scale), font_size=LABEL_SIZE, color=TEXT)


class DescentOnContours(LessonScene):
    """Filled contours, the gradient field as streamlines, and the descent walking down to the optimum."""

    TITLE = "Gradient descent on the contours"

    @classmethod
    def formulas(cls, lesson: Lesson) -> tuple[str, ...]:
        d = lesson.config.descent
        return (r"\begin{aligned}" + "".join(update_rule_tex(d.lr, d.grad_scale)) + r"\end{aligned}",)

    @classmethod
    def script(cls, lesson: Lesson) -> tuple[Step, ...]:
        d, spec, facts = lesson.descent, lesson.config.descent, lesson.outcome
        start = {"m": setting(d.params[0][0]), "b": setting(d.params[0][1])}
        steps = num(d.steps)
        end = {
            "steps": steps,
            "b": num(d.b[-1], 5),
            "m": num(d.m[-1], 5),
            "loss": num(d.loss[-1]),
            "least": num(lesson.optimum.loss),
        }
        if facts.converged:
            hold = said(
                "hold",
                1.0,
                "Gradient descent has reached the bottom of the bowl: its loss is $within.",
                within=within_words(facts, lesson.optimum.loss),
                **end,
            )
        else:
            hold = said(
                "hold",
                1.0,
                "Gradient descent has not reached the bottom yet: its loss is still $excess above the least.",
                excess=num(facts.excess),
                **end,
            )
        return (
            said("landscape", 2.4, "Seen from above, the loss landscape becomes $bands contour bands.", bands=str(len(lesson.levels) - 1)),
            said("field", 2.4, "Streamlines follow the descent direction: minus the scaled gradient."),
            said("start", 2.0, "Descent starts at m = $m, b = $b with lr = $lr.", lr=setting(spec.lr), **start),
            said("descend", 12.0, "Each of the $steps steps moves against the gradient.", steps=steps),
            said(
                "optimum",
                2.0,
                "The cross marks the closed-form least-squares optimum.",
                m=num(lesson.optimum.m, 5),
                b=num(lesson.optimum.b, 5),
            ),
            said(
                "final",
                2.4,
                "After $steps steps: b = $b..., m = $m...",
                (
                    ("steps", steps),
                    ("b", fmt_full(d.b[-1])),
                    ("m", fmt_full(d.m[-1])),
                    ("loss", num(d.loss[-1])),
                    ("least-squares loss", num(lesson.optimum.loss)),
                ),
                **end,
            ),
            hold,
        )

    def construct(self) -> None:
        self.show_landscape()
        self.show_field()
        self.show_start()
        self.descend()
        self.mark_optimum()
        self.show_final_values()
        self.step("hold")
        self.fade_out()

    def show_landscape(self) -> None:
        lesson = self.lesson
        title = MathTex(self.title_tex(), font_size=TITLE_SIZE, color=TEXT).to_edge(UP, buff=0.3)
        self.axes = plane_axes(lesson.landscape, 6.6, 6.0).to_edge(LEFT, buff=1.2).to_edge(DOWN, buff=0.9)
        frame = plot_frame(self.axes)
        keep_left_edge(frame, self.axes)
        self.contours = filled_contours(self.axes, lesson.landscape, lesson.levels)
        bar = colour_bar(lesson.levels, height=cast(float, self.axes.y_length) * 0.9)  # plane_axes gave it
        bar.next_to(self.axes, RIGHT, buff=0.45).align_to(self.axes, DOWN).shift(UP * 0.3)
        self.bar = bar
        self.step("landscape", Write(title), FadeIn(self.contours), Create(frame), FadeIn(bar))

    def show_field(self) -> None:
        self.field = streamline_paths(self.axes, self.lesson.streamlines)
        self.step("field", LaggedStart(*(Create(line) for line in self.field), lag_ratio=0.03))

    def show_start(self) -> None:
        d, spec = self.lesson.descent, self.lesson.config.descent
        self.k = ValueTracker(0)
        at = partial(tracker_index, self.k, d.steps)  # the descent step k the tracker points at
        points = self.axes.c2p(d.params)
        marked = marked_iterates(d.steps)
        # pale yellow with a dark rim drawn under the fill: clear of the salmon streamlines and the orange path,
        # and a cluster of stars near the optimum reads as stars, not as a tangle of outlines
        star = Star(outer_radius=0.09, fill_color=TANGENT, fill_opacity=1, stroke_width=0).set_stroke(BLACK, width=3, background=True)
        outline = star.points - star.get_center()
        self.stars = star.copy()  # the marked iterates reached so far, as one mobject
        self.stars.points = outline + points[0]

        def show_stars(stars: VMobject) -> None:
            reached = points[marked[marked <= at()]]
            stars.points = (reached[:, None, :] + outline[None]).reshape(-1, 3)

        self.path = set_polyline(VMobject(stroke_color=FIT, stroke_width=2.5), points, 0)
        self.path.add_updater(lambda path: set_polyline(path, points, at()))
        self.stars.add_updater(show_stars)  # type: ignore[arg-type]  # manim types an updater as taking any Mobject; it gets this one

        rule = update_rule(spec.lr, spec.grad_scale)
        self.readouts = descent_readouts(d, at).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        panel = VGroup(rule, self.readouts).arrange(DOWN, aligned_edge=LEFT, buff=0.45)
        panel.next_to(self.bar, RIGHT, buff=0.35).align_to(self.axes, UP)
        fit_right(panel, config.frame_x_radius - EDGE)
        self.panel = panel
        self.step("start", FadeIn(self.path), FadeIn(self.stars, scale=2), Write(rule), FadeIn(self.readouts))  # stars over the path

    def descend(self) -> None:
        self.step("descend", self.k.animate.set_value(self.lesson.descent.steps), rate_func=linear)

    def mark_optimum(self) -> None:
        best = self.lesson.optimum
        self.optimum = Cross(scale_factor=0.12, stroke_color=TEXT, stroke_width=4).move_to(self.axes.c2p(best.m, best.b))
        self.optimum.set_stroke(BLACK, width=7, background=True)  # a dark edge: white on the pale stars it lies over
        self.step("optimum", Create(self.optimum), Circumscribe(self.readouts[1:3], color=FIT))

    def show_final_values(self) -> None:
        d = self.lesson.descent
        card = VGroup(
            MathTex(rf"\text{{after {num(d.steps)} steps:}}", font_size=LABEL_SIZE, color=TEXT),
            MathTex(rf"b = {fmt_full(d.b[-1])}", font_size=LABEL_SIZE, color=FIT),
            MathTex(rf"m = {fmt_full(d.m[-1])}", font_size=LABEL_SIZE, color=FIT),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        card.next_to(self.panel, DOWN, buff=0.45, aligned_edge=LEFT)
        fit_right(card, config.frame_x_radius - EDGE)  # the notebook's digits in full, always inside the frame
        self.final_card = card
        self.step("final", Write(card))
