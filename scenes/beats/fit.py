"""Beat 7: the data with the line moving through the descent's iterates to the final fit."""

from __future__ import annotations

from functools import partial

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
    config,
    linear,
)

from gradcore import Lesson
from gradcore.facts import within_words
from scenes.toolkit.builders import (
    EDGE,
    data_axes,
    data_dots,
    descent_readouts,
    fit_right,
    model_line,
    set_model_line,
    tracker_index,
)
from scenes.toolkit.narration import LessonScene, Step
from scenes.toolkit.style import FIT, LABEL_SIZE, TEXT, TITLE_SIZE, num, setting, tex_num


def fit_numbers(lesson: Lesson) -> tuple[tuple[str, str], ...]:
    """The last iterate's line and loss beside the least-squares line's, as the beat shows them."""
    d, best = lesson.descent, lesson.optimum
    return (
        ("m", num(d.m[-1], 5)),
        ("b", num(d.b[-1], 5)),
        ("loss", num(d.loss[-1])),
        ("m*", num(best.m, 5)),
        ("b*", num(best.b, 5)),
        ("L*", num(best.loss)),
    )


class FittedLine(LessonScene):
    """The line y = m x + b through every iterate of gradient descent, ending at the fit."""

    TITLE = "The fitted line"

    @classmethod
    def steps(cls, lesson: Lesson) -> tuple[Step, ...]:
        start, facts = lesson.descent.params[0], lesson.outcome
        if facts.converged:
            fit = f"The last iterate fits the data: its loss is {within_words(facts, lesson.optimum.loss)}."
            hold = "Gradient descent found the line that minimises the loss."
            if lesson.dataset.units is not None:
                slope, intercept = lesson.dataset.units.line(lesson.descent.m[-1], lesson.descent.b[-1])
                fit += f" In the data's units: y = {num(slope, 5)} x + {num(intercept, 5)}."
        else:
            fit = f"The last iterate is not the best fit yet: its loss is {num(facts.excess)} above the least-squares line's."
            hold = f"After {num(lesson.descent.steps)} steps gradient descent has not converged: it needs more steps."
        return (
            Step("data", 1.6, "Back to the data."),
            Step("start", 1.6, f"Descent started from the line m = {setting(start[0])}, b = {setting(start[1])}."),
            Step("descend", 6.0, f"Each of the {num(lesson.descent.steps)} steps tilts and shifts the line."),
            Step("fit", 2.4, fit, fit_numbers(lesson)),
            Step("hold", 1.0, hold),
        )

    def construct(self) -> None:
        self.show_data()
        self.show_start()
        self.descend()
        self.show_fit()
        self.step("hold")
        self.fade_out()

    def show_data(self) -> None:
        title = MathTex(rf"\text{{{self.TITLE}}}", font_size=TITLE_SIZE, color=TEXT).to_edge(UP)
        self.axes = data_axes(self.lesson.dataset, x_length=7.5, y_length=5.5).to_edge(LEFT).shift(DOWN * 0.4)
        dots = data_dots(self.axes, self.lesson.dataset)
        self.step("data", Write(title), Create(self.axes), LaggedStart(*(FadeIn(d) for d in dots), lag_ratio=min(0.03, 1.2 / len(dots))))
        self.settle(dots)

    def show_start(self) -> None:
        d = self.lesson.descent
        self.k = ValueTracker(0)
        at = partial(tracker_index, self.k, d.steps)  # the descent step k the tracker points at
        self.line = model_line(self.axes, *d.params[0])
        self.line.add_updater(lambda line: set_model_line(line, self.axes, *d.params[at()]))
        self.readouts = descent_readouts(d, at).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        self.readouts.next_to(self.axes, RIGHT, buff=0.8).align_to(self.axes, UP)
        fit_right(self.readouts, config.frame_x_radius - EDGE)
        self.step("start", Create(self.line), FadeIn(self.readouts))

    def descend(self) -> None:
        self.step("descend", self.k.animate.set_value(self.lesson.descent.steps), rate_func=linear)

    def show_fit(self) -> None:
        d, best = self.lesson.descent, self.lesson.optimum
        fit = MathTex(
            rf"y = {tex_num(d.m[-1], 5)}\,x {'+' if d.b[-1] >= 0 else '-'} {tex_num(abs(d.b[-1]), 5)}", font_size=LABEL_SIZE, color=FIT
        )
        best_text = VGroup(
            MathTex(r"\text{least squares:}", font_size=LABEL_SIZE, color=TEXT),
            MathTex(rf"m^* = {tex_num(best.m, 5)},\ b^* = {tex_num(best.b, 5)}", font_size=LABEL_SIZE, color=TEXT),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        notes = VGroup(fit, best_text)
        units = self.lesson.dataset.units
        if units is not None:  # the standardised fit, back in the data's units
            slope, intercept = units.line(d.m[-1], d.b[-1])
            notes.add(
                VGroup(
                    MathTex(r"\text{in the data's units:}", font_size=LABEL_SIZE, color=TEXT),
                    MathTex(
                        rf"y = {tex_num(slope, 5)}\,x {'+' if intercept >= 0 else '-'} {tex_num(abs(intercept), 5)}",
                        font_size=LABEL_SIZE,
                        color=FIT,
                    ),
                ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
            )
        notes.arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        notes.next_to(self.readouts, DOWN, buff=0.6, aligned_edge=LEFT)
        fit_right(notes, config.frame_x_radius - EDGE)
        self.step("fit", Indicate(self.line, color=FIT), Write(notes))
        self.notes = notes
