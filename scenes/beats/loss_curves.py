"""Beat 4: the loss along m (b fixed at 5), then along b (m fixed at 5), each traced beside its line."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
from manim import (
    DOWN,
    LEFT,
    PI,
    RIGHT,
    UP,
    AnimationGroup,
    Arrow,
    Axes,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    GrowArrow,
    LaggedStart,
    Line,
    MathTex,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    linear,
    smooth,
)

from gradcore import Lesson
from gradcore.lesson import LossSlice
from gradcore.ticks import nice_ticks, padded_ticks
from scenes.toolkit.builders import (
    data_axes,
    data_dots,
    model_line,
    path_through,
    residuals,
    set_model_line,
    set_residuals,
    thin_labels,
    tracker_index,
)
from scenes.toolkit.narration import LessonScene, Step, said
from scenes.toolkit.style import (
    AXIS,
    CURVE,
    FIT,
    LABEL_SIZE,
    SLOPE,
    TANGENT,
    TEXT,
    TITLE_SIZE,
    num,
    readout,
    setting,
    tex_setting,
    tick,
)

PARTIAL_TEX = {
    "m": r"\frac{\partial \mathrm{L}}{\partial m} = -2 \sum_{i=1}^{n} x_i "
    r"\left(y_i^{\text{true}} - y_i^{\text{pred}}\right)",
    "b": r"\frac{\partial \mathrm{L}}{\partial b} = -2 \sum_{i=1}^{n} \left(y_i^{\text{true}} - y_i^{\text{pred}}\right)",
}


def other(parameter: str) -> str:
    return "b" if parameter == "m" else "m"


def params_along(s: LossSlice) -> np.ndarray:
    """(m, b) of every dense sample of the slice: the swept parameter's values beside the fixed one."""
    swept, fixed = s.dense.x, np.full_like(s.dense.x, s.fixed)
    return np.column_stack([swept, fixed] if s.parameter == "m" else [fixed, swept])


def loss_axes(s: LossSlice, x_length: float = 5.9, y_length: float = 4.3) -> Axes:
    """Axes over the slice's parameter range and 0 … the loss rounded up, both ticked by the one tick picker
    (the loss axis' name carries its scale, e.g. ``Loss (×10³)``).

    The loss axis is drawn at the left end of the parameter range (as the seed's plots have it):
    manim puts it at parameter 0, so that one is hidden and a copy is shown at the left edge
    (``c2p``/``p2c`` still use the hidden one, which is unchanged)."""
    x0, x1 = float(s.seed.x[0]), float(s.seed.x[-1])
    x_ticks = nice_ticks(x0, x1)
    y_ticks = padded_ticks(np.array([0.0, float(np.max(s.dense.y))]), margin=0.04)
    axes = Axes(
        x_range=[x0, x1, x_ticks.step],
        y_range=[0, y_ticks.hi, y_ticks.step],
        x_length=x_length,
        y_length=y_length,
        axis_config={"color": AXIS, "include_tip": False, "include_ticks": False},
    )
    # manim draws the loss axis at parameter 0, or at the range's edge when 0 is outside it
    left = axes.y_axis.copy().shift(RIGHT * (axes.c2p(x0, 0)[0] - axes.y_axis.get_start()[0]))
    axes.y_axis.set_opacity(0)
    numbers = VGroup()
    for y, shown in zip(y_ticks.values[1:], y_ticks.scaled[1:], strict=True):
        foot = axes.c2p(x0, y)
        left.add(Line(foot + 0.08 * LEFT, foot + 0.08 * RIGHT, color=AXIS, stroke_width=2))
        numbers.add(tick(shown, y_ticks.format).next_to(foot, LEFT, buff=0.2))
    for x, shown in zip(x_ticks.values, x_ticks.scaled, strict=True):
        foot = axes.c2p(x, 0)
        axes.x_axis.add(Line(foot + 0.08 * DOWN, foot + 0.08 * UP, color=AXIS, stroke_width=2))
        numbers.add(tick(shown, x_ticks.format).next_to(foot, DOWN, buff=0.2))
    thin_labels(numbers[: len(y_ticks.values) - 1], y_ticks.values[1:])
    thin_labels(numbers[len(y_ticks.values) - 1 :], x_ticks.values)
    name = x_ticks.tex_name(s.parameter)
    x_label = MathTex(rf'\text{{choice of parameter ``}}{name}\text{{"}}', font_size=LABEL_SIZE - 4, color=TEXT)
    x_label.next_to(numbers, DOWN, buff=0.15).set_x(axes.x_axis.get_x())
    y_label = MathTex(y_ticks.tex_name(r"\text{Loss}"), font_size=LABEL_SIZE - 4, color=TEXT).rotate(PI / 2)
    y_label.next_to(VGroup(left, *numbers[: len(y_ticks.values) - 1]), LEFT, buff=0.2)
    axes.add(left, numbers, x_label, y_label)
    axes.visible_y_axis = left  # type: ignore[attr-defined]  # the lesson's own attribute on a manim object
    axes.tick_labels = numbers  # type: ignore[attr-defined]  # the lesson's own attribute on a manim object
    axes.loss_labels = list(numbers[: len(y_ticks.values) - 1])  # type: ignore[attr-defined]  # the lesson's own attribute on a manim object
    return axes


def gradient_arrows(axes: Axes, s: LossSlice) -> VGroup:
    """The seed's red arrows: from each tail to tail + delta, in data units."""
    arrows = VGroup()
    for tail, delta in zip(s.arrow_tail, s.arrow_delta, strict=True):
        start, end = axes.c2p(*tail), axes.c2p(*(tail + delta))
        arrows.add(Arrow(start, end, buff=0, color=SLOPE, stroke_width=4, tip_length=0.16, max_tip_length_to_length_ratio=0.45))
    return arrows


@dataclass
class SliceView:
    """Everything drawn for one slice; ``tracker`` indexes its dense samples."""

    slice: LossSlice
    params: np.ndarray  # (601, 2): the (m, b) of each dense sample
    tracker: ValueTracker
    axes: Axes
    curve: VMobject  # the whole curve, never shown: the trace is a partial copy of it
    trace: VMobject
    dot: Dot
    drop: Line  # from the dot down to the parameter axis
    line: Line
    residuals: VMobject
    arrows: VGroup
    formula: MathTex
    fixed: MathTex
    readouts: VGroup  # rows: parameter, loss, partial derivative; row[1] is the live number

    @property
    def value(self) -> VMobject:
        return self.readouts[0][1]  # type: ignore[return-value]  # manim types a VMobject's members as Mobjects

    @property
    def loss(self) -> VMobject:
        return self.readouts[1][1]  # type: ignore[return-value]  # manim types a VMobject's members as Mobjects

    @property
    def partial(self) -> VMobject:
        return self.readouts[2][1]  # type: ignore[return-value]  # manim types a VMobject's members as Mobjects


class LossCurves(LessonScene):
    """Loss as a function of one parameter at a time, its slope the partial derivative."""

    TITLE = "The loss, one parameter at a time"

    @classmethod
    def formulas(cls, lesson: Lesson) -> tuple[str, ...]:
        return PARTIAL_TEX["m"], PARTIAL_TEX["b"]

    @classmethod
    def script(cls, lesson: Lesson) -> tuple[Step, ...]:
        steps: list[Step] = []
        for s, trace_seconds in ((lesson.loss_vs_m, 6.0), (lesson.loss_vs_b, 5.0)):
            p, q, i = s.parameter, other(s.parameter), s.lowest
            fixed = setting(s.fixed)
            intro = (
                said("axes_m", 1.8, "How does the loss change if only m varies? Hold b at $fixed.", fixed=fixed)
                if p == "m"
                else said("axes_b", 1.8, "Now hold m at $fixed and vary the bias b.", fixed=fixed)
            )
            ends = {"start": setting(s.dense.x[0]), "end": setting(s.dense.x[-1])}
            steps += [
                intro,
                said(
                    f"start_{p}",
                    2.0 if p == "m" else 1.6,
                    f"At {p} = $start the line is far off: the loss is $loss.",
                    loss=num(s.dense.y[0]),
                    **ends,
                ),
                said(f"trace_{p}", trace_seconds, f"Sweeping {p} from $start to $end traces the loss curve.", **ends),
                said(
                    f"slope_{p}",
                    3.0,
                    f"Its slope is the partial derivative of L with respect to {p}, {q} held constant: the red arrows.",
                    fixed=fixed,
                ),
                said(
                    f"lowest_{p}",
                    2.4,
                    f"At the bottom, near {p} = $lowest, the slope is almost zero."
                    if 0 < i < len(s.dense.x) - 1
                    else f"The loss is lowest at the edge, {p} = $lowest: the bottom lies beyond this range.",
                    lowest=num(s.dense.x[i]),
                ),
            ]
        steps.append(said("hold", 1.2, "One parameter at a time, the loss is a parabola."))
        return tuple(steps)

    def construct(self) -> None:
        self.show_axes_m()
        self.start("m")
        self.trace("m")
        self.show_slope("m")
        self.go_lowest("m")
        self.switch_to_b()
        self.start("b")
        self.trace("b")
        self.show_slope("b")
        self.go_lowest("b")
        self.step("hold")
        self.fade_out()

    # --- layout -------------------------------------------------------------------------------
    def show_axes_m(self) -> None:
        data = self.lesson.dataset
        self.title = MathTex(self.title_tex(), font_size=TITLE_SIZE, color=TEXT)
        self.title.to_edge(UP)
        self.data_axes = data_axes(data, x_length=5.4, y_length=3.5)
        self.data_axes.to_edge(RIGHT, buff=0.4)
        self.data_axes.shift(UP * (self.title.get_bottom()[1] - 0.3 - self.data_axes.get_top()[1]))
        self.dots: VMobject = data_dots(self.data_axes, data)
        self.views = {"m": self.build_view(self.lesson.loss_vs_m)}
        self.step(
            "axes_m",
            Write(self.title),
            Create(self.views["m"].axes),
            Create(self.data_axes),
            FadeIn(self.dots, lag_ratio=min(0.03, 1.2 / len(self.dots))),
            FadeIn(self.views["m"].fixed),
        )
        self.dots = self.settle(self.dots)

    def build_view(self, s: LossSlice) -> SliceView:
        p, q = s.parameter, other(s.parameter)
        params = params_along(s)
        tracker = ValueTracker(0)
        axes = loss_axes(s).to_corner(LEFT + DOWN, buff=0.3)
        curve = path_through(axes, s.dense.x, s.dense.y, color=CURVE, stroke_width=4)
        trace = curve.copy().pointwise_become_partial(curve, 0, 0)
        dot = Dot(axes.c2p(s.dense.x[0], s.dense.y[0]), radius=0.09, color=TANGENT)
        drop = Line(axes.c2p(s.dense.x[0], 0), dot.get_center(), color=TANGENT, stroke_width=2, stroke_opacity=0.6)
        line = model_line(self.data_axes, *params[0])
        segs = residuals(self.data_axes, self.lesson.dataset, *params[0])
        formula = MathTex(PARTIAL_TEX[p], font_size=LABEL_SIZE, color=TEXT)
        formula.next_to(self.title, DOWN, buff=0.3).align_to(axes, LEFT)
        fixed = MathTex(rf"{q} = {tex_setting(s.fixed)}\ \text{{(fixed)}}", font_size=LABEL_SIZE, color=FIT)
        rows = VGroup(
            readout(p, s.dense.x[0], s.dense.x, color=FIT),
            readout(r"\mathrm{L}", s.dense.y[0], s.dense.y, color=CURVE),
            readout(rf"\partial \mathrm{{L}} / \partial {p}", s.dense.dy[0], s.dense.dy, color=SLOPE),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.22)
        fixed.next_to(self.data_axes, DOWN, buff=0.45).align_to(self.data_axes, LEFT).shift(RIGHT * 0.3)
        rows.next_to(fixed, DOWN, buff=0.22, aligned_edge=LEFT)
        arrows = gradient_arrows(axes, s)
        view = SliceView(s, params, tracker, axes, curve, trace, dot, drop, line, segs, arrows, formula, fixed, rows)
        self.wire(view)
        return view

    def wire(self, v: SliceView) -> None:
        """Updaters that only look the tracker's sample up in the core's arrays."""
        s, axes, data = v.slice, v.axes, self.lesson.dataset
        last = len(s.dense.x) - 1
        at = partial(tracker_index, v.tracker)
        v.trace.add_updater(lambda t: t.pointwise_become_partial(v.curve, 0, at() / last))
        v.dot.add_updater(lambda d: d.move_to(axes.c2p(s.dense.x[at()], s.dense.y[at()])))

        def drop_ends() -> np.ndarray:
            i = at()
            return axes.c2p(np.array([[s.dense.x[i], 0.0], [s.dense.x[i], s.dense.y[i]]]))

        v.drop.add_updater(lambda ln: ln.put_start_and_end_on(*drop_ends()))
        v.line.add_updater(lambda ln: set_model_line(ln, self.data_axes, *v.params[at()]))
        v.residuals.add_updater(lambda segs: set_residuals(segs, self.data_axes, data, *v.params[at()]))
        for row, values in zip(v.readouts, (s.dense.x, s.dense.y, s.dense.dy), strict=True):
            row[1].add_updater(lambda num, values=values: num.set_value(values[at()]))

    # --- beats --------------------------------------------------------------------------------
    def switch_to_b(self) -> None:
        old = self.views["m"]
        new = self.views["b"] = self.build_view(self.lesson.loss_vs_b)
        gone = VGroup(old.axes, old.trace, old.arrows, old.formula, old.dot, old.drop)
        gone.add(old.line, old.residuals, old.fixed, old.readouts)
        self.step(
            "axes_b",
            AnimationGroup(FadeOut(gone), AnimationGroup(Create(new.axes), FadeIn(new.fixed)), lag_ratio=0.6),
        )

    def start(self, parameter: str) -> None:
        v = self.views[parameter]
        self.add(v.trace, v.residuals, v.line)
        self.bring_to_front(self.dots)
        self.step(
            f"start_{parameter}",
            Create(v.line),
            Create(v.residuals, lag_ratio=0.02),
            FadeIn(v.dot, scale=0.5),
            Create(v.drop),
            FadeIn(v.readouts),
        )

    def trace(self, parameter: str) -> None:
        v = self.views[parameter]
        self.step(f"trace_{parameter}", v.tracker.animate.set_value(len(v.slice.dense.x) - 1), rate_func=linear)
        v.trace.clear_updaters()  # traced: the whole curve stays while the dot moves on
        self.bring_to_front(v.drop, v.dot)

    def show_slope(self, parameter: str) -> None:
        v = self.views[parameter]
        self.step(
            f"slope_{parameter}",
            Write(v.formula),
            LaggedStart(*(GrowArrow(a) for a in v.arrows), lag_ratio=0.15),  # type: ignore[arg-type]  # manim types a VGroup's members as VMobjects: these are Arrows
        )
        self.bring_to_front(v.drop, v.dot)

    def go_lowest(self, parameter: str) -> None:
        v = self.views[parameter]
        self.step(f"lowest_{parameter}", v.tracker.animate.set_value(v.slice.lowest), rate_func=smooth)
