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
from scenes.toolkit.narration import LessonScene, Step, said
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
    def script(cls, lesson: Lesson) -> tuple[Step, ...]:
        start, facts, d = lesson.descent.params[0], lesson.outcome, lesson.descent
        steps = num(d.steps)
        end = {"m": num(d.m[-1], 5), "b": num(d.b[-1], 5), "loss": num(d.loss[-1]), "least": num(lesson.optimum.loss), "steps": steps}
        if facts.converged:
            fit_line = "The last iterate fits the data: its loss is $within."
            end["within"] = within_words(facts, lesson.optimum.loss)
            hold = said("hold", 1.0, "Gradient descent found the line that minimises the loss.", **end)
            if lesson.dataset.units is not None:
                slope, intercept = lesson.dataset.units.line(d.m[-1], d.b[-1])
                fit_line += " In the data's units: y = $slope x + $intercept."
                end |= {"slope": num(slope, 5), "intercept": num(intercept, 5)}
        else:
            fit_line = "The last iterate is not the best fit yet: its loss is $excess above the least-squares line's."
            end["excess"] = num(facts.excess)
            hold = said("hold", 1.0, "After $steps steps gradient descent has not converged: it needs more steps.", **end)
        return (
            said("data", 1.6, "Back to the data."),
            said("start", 1.6, "Descent started from the line m = $m, b = $b.", m=setting(start[0]), b=setting(start[1])),
            said("descend", 6.0, "Each of the $steps steps tilts and shifts the line.", steps=steps),
            said("fit", 2.4, fit_line, fit_numbers(lesson), **end),
            hold,
        )

    def construct(self) -> None:
        self.show_data()
        self.show_start()
        self.descend()
        self.show_fit()
        self.step("hold")
        self.fade_out()

    def show_data(self) -> None:
        title = MathTex(self.title_tex(), font_size=TITLE_SIZE, color=TEXT).to_edge(UP)
        self.axes = data_axes(self.lesson.dataset, x_length=7.5, y_length=5.5).to_edge(LEFT).shift(DOWN * 0.4)
        dots = data_dots(self.axes, self.lesson.dataset)
        self.step("data", Write(title), Create(self.axes), FadeIn(dots, lag_ratio=min(0.03, 1.2 / len(dots))))
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
