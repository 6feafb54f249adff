"""Beat 2: for each function a tangent slides along the curve while f'(x) is drawn in step below it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from typing import Any, cast

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    AnimationGroup,
    Arrow,
    Axes,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    GrowArrow,
    GrowFromCenter,
    LaggedStart,
    Line,
    ManimColor,
    MathTex,
    Mobject,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    config,
    linear,
)

from gradcore import FunctionCurve, Lesson
from scenes.toolkit.builders import function_axes, merged, path_through, slope_segment, tracker_index
from scenes.toolkit.narration import LessonScene, Step, said
from scenes.toolkit.style import (
    AXIS,
    CURVE,
    DERIV,
    LABEL_SIZE,
    SLOPE,
    TANGENT,
    TEXT,
    TITLE_SIZE,
    num,
    readout,
    setting,
    tex_num,
)

__all__ = ["TangentSlopes", "function_axes"]

TANGENT_HALF = 1.0  # scene units of tangent either side of the touch point
FLAT_HALF = 0.45  # half length of the flat tangents at zero-slope points


MARGIN = 0.3  # scene units kept clear at the frame's edges
MIN_SCALE = 0.7  # a formula in the right-hand column shrinks to at most this fraction of LABEL_SIZE ...
SCALES = (1.0, 0.9, 0.8, MIN_SCALE)  # ... in these steps, breaking into more lines first
LINE_BUFF = 0.15  # scene units between the lines of a broken formula
INDENT = 0.35  # scene units a continuation line is indented by when it cannot align with the first term


def fit_width(mobject: Mobject, width: float) -> Mobject:
    """Shrink ``mobject`` about its left edge to at most ``width`` (never enlarge it)."""
    if mobject.width > width:
        mobject.scale(width / mobject.width, about_edge=LEFT)
    return mobject


def top_level_terms(latex: str) -> list[str]:
    """``latex`` cut before each + or − that joins two terms outside all braces and ``\\left…\\right``:
    ``- \\frac{e^{- x}}{4} + e^{- x}`` → ``['- \\frac{e^{- x}}{4}', '+ e^{- x}']`` (a leading sign stays put)."""
    terms, depth, start, i = [], 0, 0, 0
    while i < len(latex):
        for word, step in ((r"\left", 1), (r"\right", -1)):
            if latex.startswith(word, i):
                depth += step
                i += len(word)
                break
        else:
            char = latex[i]
            depth += {"{": 1, "}": -1}.get(char, 0)
            before = latex[start:i].rstrip()
            if char in "+-" and depth == 0 and before and before[-1] not in "+-=(,{^_":
                terms.append(latex[start:i].strip())
                start = i
            i += 1
    terms.append(latex[start:].strip())
    return terms


def _lines(parts: list[VMobject], width: float, indent: float, head_alone: bool) -> list[list[VMobject]] | None:
    """``parts`` (the pieces of one formula laid out in a row) packed greedily into lines at most ``width`` wide,
    continuation lines ``indent`` in (the first part alone on the first line if ``head_alone``); None if a part
    does not fit on a line of its own."""
    lines: list[list[VMobject]] = [[parts[0]]] + ([[]] if head_alone else [])
    for part in parts[1:]:
        line = lines[-1]
        span = part.get_right()[0] - (line[0] if line else part).get_left()[0] + (indent if len(lines) > 1 else 0)
        if line and span > width:
            lines.append(line := [])
            span = part.width + indent
        if span > width:
            return None
        line.append(part)
    return lines


def broken_tex(strings: list[str], width: float, height: float = np.inf, color: ManimColor = TEXT) -> VGroup:
    """``strings`` as one formula (``MathTex(*strings)``) at ``LABEL_SIZE``, broken between strings into lines at
    most ``width`` wide and stacked at most ``height`` high: continuation lines align with the second string (the
    first term after ``f'(x) =``) or, if that is too wide, start ``INDENT`` in under the first string standing
    alone. Only if no break fits does it shrink, in ``SCALES`` down to ``MIN_SCALE``; past that (a single term
    wider than the column) it shrinks to fit. Returns the lines, each a VGroup of its strings' glyphs."""

    def stacked(lines: list[list[VMobject]], indent: float) -> VGroup:
        rows = VGroup(*(VGroup(*line) for line in lines if line))
        for above, row in pairwise(rows):
            row.next_to(above, DOWN, buff=LINE_BUFF).align_to(rows[0], LEFT).shift(RIGHT * indent)
        return rows

    for scale in SCALES:
        parts = list(MathTex(*strings, font_size=LABEL_SIZE * scale, color=color))
        options = [(INDENT, True)]
        if len(parts) > 1:
            options.insert(0, (parts[1].get_left()[0] - parts[0].get_left()[0], False))
        for indent, head_alone in options:
            lines = _lines(parts, width, indent, head_alone)
            if lines is not None and (rows := stacked(lines, indent)).height <= height:
                return rows
    rows = stacked(cast("list[list[VMobject]]", _lines(parts, np.inf, 0, False)), 0)  # every part fits an infinite width
    return rows.scale(min(1.0, width / rows.width, height / rows.height), about_edge=UL)


def _values(xs: np.ndarray) -> str:
    return ", ".join(num(x, 3) for x in xs)


@dataclass
class Part:
    """What the scene drew for one function (kept on the scene for the tests)."""

    curve: FunctionCurve
    tracker: ValueTracker
    axes: Axes
    daxes: Axes
    tangent: Line
    dot: Dot
    ddot: Dot
    x_number: Mobject
    dy_number: Mobject
    trace: VMobject
    arrows: VGroup
    zeros: VGroup
    group: VGroup


class TangentSlopes(LessonScene):
    """The slope of each seed function at every x is its derivative, drawn below in step."""

    TITLE = "Slopes everywhere: the derivative"

    @classmethod
    def formulas(cls, lesson: Lesson) -> tuple[str, ...]:
        return tuple(f for c in lesson.curves for f in (rf"f(x) = {c.function.latex}", rf"f'(x) = {c.function.dlatex}"))

    @classmethod
    def script(cls, lesson: Lesson) -> tuple[Step, ...]:
        steps: list[Step] = []
        for i, curve in enumerate(lesson.curves):
            fn = curve.function
            named = {"f": fn.text, "df": fn.dtext}
            zeros = curve.stationary_x
            flat = (
                said(f"zeros_{i}", 2.6, "The tangent is flat where f'(x) = 0: at x = $zeros.", zeros=_values(zeros), **named)
                if len(zeros)
                else said(f"zeros_{i}", 2.6, "The tangent is never flat here: f'(x) is never 0.", **named)
            )
            steps += [
                said(
                    f"show_{i}",
                    2.4,
                    f"{'Now' if i else 'Take'} f(x) = $f, from x = $x_min to $x_max.",
                    x_min=setting(fn.x_min),
                    x_max=setting(fn.x_max),
                    **named,
                ),
                said(f"tangent_{i}", 2.0, "A tangent line touches the curve; below, a plot with the same x axis.", **named),
                said(f"slide_{i}", 4.4, "The tangent's slope at x is f'(x) = $df: the curve drawn below.", **named),
                said(f"arrows_{i}", 2.2, "The red arrows of the lesson show the same slopes along the curve.", **named),
                flat,
                said(f"hold_{i}", 1.0, "The slope of $f at x is $df.", **named),
            ]
        return tuple(steps)

    def construct(self) -> None:
        self.parts: list[Part] = []
        for i, curve in enumerate(self.lesson.curves):
            self.show_function(i, curve)
            self.show_tangent(i)
            self.slide(i)
            self.show_arrows(i)
            self.show_zeros(i)
            self.step(f"hold_{i}")
        self.fade_out()

    # --- layout -------------------------------------------------------------------------------

    def show_function(self, i: int, curve: FunctionCurve) -> None:
        fn = curve.function
        title = MathTex(rf"f(x) = {fn.latex}", font_size=TITLE_SIZE, color=CURVE).to_edge(UP, buff=0.3)
        fit_width(title, config.frame_width - 2 * MARGIN)
        x_range = (fn.x_min, fn.x_max)
        axes = function_axes(x_range, curve.dense.y, x_length=9.0, y_length=2.55)
        axes.to_edge(LEFT, buff=0.7).align_to(np.array([0, 2.95, 0]), UP)
        daxes = function_axes(x_range, curve.dense.dy, x_length=9.0, y_length=2.55)
        daxes.align_to(np.array([0, -0.55, 0]), UP)
        # the same x scale: x = x_min at the same screen x on both axes
        daxes.shift(RIGHT * (axes.c2p(fn.x_min, 0)[0] - daxes.c2p(fn.x_min, 0)[0]))
        for ax, name, color in ((axes, "f(x)", CURVE), (daxes, "f'(x)", DERIV)):
            label = MathTex(name, font_size=LABEL_SIZE - 4, color=color)
            # left of the y axis' top, unless the axis runs down the left edge (0 is left of the x range), where
            # its numbers are: then above it
            on_edge = abs(ax.y_axis.get_end()[0] - ax.c2p(fn.x_min, 0)[0]) < 1e-6
            ax.add(label.next_to(ax.y_axis.get_end(), UP if on_edge else LEFT, buff=0.1 if on_edge else 0.15))
            ax.add(MathTex("x", font_size=LABEL_SIZE - 4, color=TEXT).next_to(ax.x_axis.get_end(), RIGHT, buff=0.15))
        path = path_through(axes, curve.dense.x, curve.dense.y, CURVE, stroke_width=4)
        self.pending: dict[str, Any] = {"title": title, "axes": axes, "daxes": daxes, "path": path}  # mobjects of every kind
        show = AnimationGroup(Write(title), Create(axes), Create(path))
        if self.parts:
            old = self.parts[-1].group
            # lag_ratio=1 rather than Succession: the fade-out finishes (and the old readouts' updaters
            # resume) only at the end of the step, when the old group leaves the scene
            fade = FadeOut(old, run_time=1)
            self.step(f"show_{i}", AnimationGroup(fade, AnimationGroup(show, run_time=1.4), lag_ratio=1))
        else:
            self.step(f"show_{i}", show)

    def show_tangent(self, i: int) -> None:
        curve = self.lesson.curves[i]
        axes, daxes = self.pending["axes"], self.pending["daxes"]
        d = curve.dense
        tracker = ValueTracker(0)
        at = partial(tracker_index, tracker)

        tangent = Line(axes.c2p(0, 0), axes.c2p(1, 1), color=TANGENT, stroke_width=4)
        tangent.add_updater(lambda m: m.put_start_and_end_on(*slope_segment(axes, d.x[at()], d.y[at()], d.dy[at()], TANGENT_HALF)))
        dot = Dot(radius=0.07, color=TANGENT).add_updater(lambda m: m.move_to(axes.c2p(d.x[at()], d.y[at()])))
        ddot = Dot(radius=0.07, color=TANGENT).add_updater(lambda m: m.move_to(daxes.c2p(d.x[at()], d.dy[at()])))
        top = axes.c2p(d.x[0], axes.y_range[1])[1]
        bottom = daxes.c2p(d.x[0], daxes.y_range[0])[1]
        guide = merged(DashedLine([0, top, 0], [0, bottom, 0], color=AXIS, stroke_width=2, dash_length=0.08))
        guide.set_stroke(opacity=0.6).add_updater(lambda m: m.set_x(axes.c2p(d.x[at()], 0)[0]))
        rows = VGroup(readout("x", d.x[0], d.x, 3), readout("f'(x)", d.dy[0], d.dy, 3, color=TANGENT))
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.35).next_to(axes, RIGHT, buff=0.6).align_to(axes, UP).shift(DOWN * 0.5)
        x_number, dy_number = rows[0][1], rows[1][1]
        x_number.add_updater(lambda m: m.set_value(d.x[at()]))
        dy_number.add_updater(lambda m: m.set_value(d.dy[at()]))
        # the right-hand column, under the readouts: the zero-slope note (shown later), then f'(x), broken into
        # lines to fit the column (a typed function's f' can be long)
        column = config.frame_x_radius - MARGIN - rows.get_left()[0]
        note = self.zeros_note(curve, column).next_to(rows, DOWN, buff=0.5, aligned_edge=LEFT)
        top = min(daxes.get_top()[1] - 0.3, note.get_bottom()[1] - 0.35)
        room = top - (-config.frame_y_radius + MARGIN)
        dlabel = broken_tex(["f'(x) =", *top_level_terms(curve.function.dlatex)], column, room, color=DERIV)
        dlabel.align_to(rows, LEFT).align_to(np.array([0, top, 0]), UP)
        movers = VGroup(guide, tangent, dot, ddot)
        for m in movers:
            m.update()
        self.step(
            f"tangent_{i}",
            AnimationGroup(Create(daxes), FadeIn(guide), GrowFromCenter(tangent), FadeIn(dot, ddot), FadeIn(rows), Write(dlabel)),
        )
        self.pending.update(tracker=tracker, tangent=tangent, dot=dot, ddot=ddot, rows=rows, dlabel=dlabel, guide=guide, note=note)

    def slide(self, i: int) -> None:
        p, d = self.pending, self.lesson.curves[i].dense
        full = path_through(p["daxes"], d.x, d.dy, DERIV, stroke_width=4)
        last = len(d.x) - 1
        trace = VMobject(color=DERIV, stroke_width=4)
        trace.add_updater(lambda m: m.pointwise_become_partial(full, 0, tracker_index(p["tracker"]) / last))
        trace.update()
        self.add(trace)
        # the dots stay on top of the trace
        self.bring_to_front(p["dot"], p["ddot"])
        self.step(f"slide_{i}", p["tracker"].animate.set_value(last), rate_func=linear)
        trace.clear_updaters()
        p["trace"] = trace

    def show_arrows(self, i: int) -> None:
        curve, axes = self.lesson.curves[i], self.pending["axes"]
        arrows = VGroup(
            *(
                Arrow(
                    axes.c2p(*tail),
                    axes.c2p(*(tail + delta)),
                    buff=0,
                    color=SLOPE,
                    stroke_width=5,
                    tip_length=0.14,
                    max_tip_length_to_length_ratio=0.6,
                    max_stroke_width_to_length_ratio=25,
                )
                for tail, delta in zip(curve.arrow_tail, curve.arrow_delta, strict=True)
            )
        )
        # the arrows lie along the curve: dim it so they stand out
        dim = self.pending["path"].animate.set_stroke(opacity=0.45)
        self.step(f"arrows_{i}", AnimationGroup(dim, LaggedStart(*(GrowArrow(a) for a in arrows), lag_ratio=0.08)))  # type: ignore[arg-type]  # manim types a VGroup's members as VMobjects: these are Arrows
        self.pending["arrows"] = arrows

    @staticmethod
    def zeros_note(curve: FunctionCurve, width: float) -> VGroup:
        """``f'(x) = 0 at`` over the stationary x values (broken into lines ``width`` wide), or ``f'(x) ≠ 0``."""
        if not len(curve.stationary_x):
            return VGroup(MathTex(r"f'(x) \neq 0", font_size=LABEL_SIZE, color=DERIV), VGroup())
        note = MathTex(r"f'(x) = 0 \text{ at}", font_size=LABEL_SIZE, color=DERIV)
        values = [tex_num(x, 3) for x in curve.stationary_x]
        lines = broken_tex(["x =", *(f"{v}," for v in values[:-1]), values[-1]], width)
        return VGroup(note, lines).arrange(DOWN, aligned_edge=LEFT, buff=0.2)

    def show_zeros(self, i: int) -> None:
        curve, p = self.lesson.curves[i], self.pending
        axes, daxes = p["axes"], p["daxes"]
        zeros = VGroup()
        for x, y in zip(curve.stationary_x, curve.stationary_y, strict=True):
            flat = Line(*slope_segment(axes, x, y, 0.0, FLAT_HALF), color=TANGENT, stroke_width=5)
            top, crossing = axes.c2p(x, y), daxes.c2p(x, 0)
            link = DashedLine(top, crossing, color=DERIV, stroke_width=2, dash_length=0.06).set_stroke(opacity=0.7)
            zeros.add(VGroup(flat, Dot(top, radius=0.06, color=TEXT), link, Dot(crossing, radius=0.07, color=DERIV)))
        text = p["note"]
        zeros.add(text)
        self.step(f"zeros_{i}", LaggedStart(*(Create(z) for z in zeros[:-1]), FadeIn(text), lag_ratio=0.3))
        group = VGroup(
            p["title"], p["axes"], p["path"], p["daxes"], p["guide"], p["trace"], p["arrows"], zeros,
            p["tangent"], p["dot"], p["ddot"], p["rows"], p["dlabel"],
        )  # fmt: skip
        # from here on the whole function is one mobject on screen, so the next step fades out all of it
        self.remove(*self.mobjects)
        self.add(group)
        self.parts.append(
            Part(
                curve,
                p["tracker"],
                axes,
                daxes,
                p["tangent"],
                p["dot"],
                p["ddot"],
                p["rows"][0][1],
                p["rows"][1][1],
                p["trace"],
                p["arrows"],
                zeros,
                group,
            )
        )
