"""Beat 7: the data with the line moving through the descent's iterates to the final fit."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    Indicate,
    LaggedStart,
    MathTex,
    ValueTracker,
    VGroup,
    Write,
    linear,
)

from gradcore import Lesson
from scenes.builders import at_iterate, data_axes, data_dots, model_line, set_model_line
from scenes.narration import LessonScene, Step
from scenes.style import FIT, LABEL_SIZE, TEXT, TITLE_SIZE, fmt, readout


class FittedLine(LessonScene):
    """The line y = m x + b through every iterate of gradient descent, ending at the fit."""

    @classmethod
    def steps(cls, lesson: Lesson) -> tuple[Step, ...]:
        start = lesson.descent.params[0]
        return (
            Step("data", 1.6, "Back to the data."),
            Step("start", 1.6, f"Descent started from the line m = {fmt(start[0], 0)}, b = {fmt(start[1], 0)}."),
            Step("descend", 6.0, f"Each of the {lesson.descent.steps} steps tilts and shifts the line."),
            Step("fit", 2.4, "The last iterate fits the data, next to the least-squares line."),
            Step("hold", 1.0, "Gradient descent found the line that minimises the loss."),
        )

    def construct(self) -> None:
        self.show_data()
        self.show_start()
        self.descend()
        self.show_fit()
        self.step("hold")
        self.fade_out()

    def show_data(self) -> None:
        title = MathTex(r"\text{The fitted line}", font_size=TITLE_SIZE, color=TEXT).to_edge(UP)
        self.axes = data_axes(self.lesson.dataset, x_length=7.5, y_length=5.5).to_edge(LEFT).shift(DOWN * 0.4)
        self.step("data", Write(title), Create(self.axes), LaggedStart(*(FadeIn(d) for d in data_dots(self.axes, self.lesson.dataset)), lag_ratio=0.03))

    def show_start(self) -> None:
        d = self.lesson.descent
        self.k = ValueTracker(0)
        self.line = model_line(self.axes, *d.params[0])
        self.line.add_updater(lambda line: set_model_line(line, self.axes, *d.params[self.iterate()]))
        self.readouts = VGroup(
            readout("k", 0, 0), readout("m", d.m[0], 4), readout("b", d.b[0], 4), readout(r"\text{loss}", d.loss[0], 2)
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        self.readouts.next_to(self.axes, RIGHT, buff=0.8).align_to(self.axes, UP)
        for row, values in zip(self.readouts, (range(len(d.loss)), d.m, d.b, d.loss), strict=True):
            row[1].add_updater(lambda num, values=values: num.set_value(values[self.iterate()]))
        self.step("start", Create(self.line), FadeIn(self.readouts))

    def iterate(self) -> int:
        """The descent step k the tracker points at."""
        return at_iterate(self.k.get_value(), self.lesson.descent)

    def descend(self) -> None:
        self.step("descend", self.k.animate.set_value(self.lesson.descent.steps), rate_func=linear)

    def show_fit(self) -> None:
        d, best = self.lesson.descent, self.lesson.optimum
        fit = MathTex(rf"y = {fmt(d.m[-1], 4)}\,x {'+' if d.b[-1] >= 0 else '-'} {fmt(abs(d.b[-1]), 4)}", font_size=LABEL_SIZE, color=FIT)
        best_text = VGroup(
            MathTex(r"\text{least squares:}", font_size=LABEL_SIZE, color=TEXT),
            MathTex(rf"m^* = {fmt(best.m, 4)},\ b^* = {fmt(best.b, 4)}", font_size=LABEL_SIZE, color=TEXT),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        notes = VGroup(fit, best_text).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        notes.next_to(self.readouts, DOWN, buff=0.6, aligned_edge=LEFT)
        self.step("fit", Indicate(self.line, color=FIT), Write(notes))
        self.notes = notes
