"""Beat 3: the seeded data, the model y = m x + b, and the SSE of candidate lines as they move."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    AnimationGroup,
    Create,
    FadeIn,
    Indicate,
    MathTex,
    SurroundingRectangle,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    config,
    smooth,
)

from gradcore import Lesson
from scenes.toolkit.builders import EDGE, data_axes, data_dots, model_line, residuals, set_model_line, set_residuals, tracker_index
from scenes.toolkit.narration import LessonScene, Step, said
from scenes.toolkit.style import FIT, LABEL_SIZE, SLOPE, TANGENT, TEXT, TITLE_SIZE, num, readout, setting, tex_num, tex_setting

SSE_TEX = r"\mathrm{L_{SSE}} = \sum_{i=1}^{n} \left(y_i^{\text{true}} - y_i^{\text{pred}}\right)^2"


def _points(lesson: Lesson) -> str:
    """``40 data points``, or ``100,000 data points (1,000 of them drawn)``."""
    data = lesson.dataset
    drawn = len(data.drawn())
    points = f"{num(data.n)} data points" + (f" ({num(drawn)} of them drawn)" if drawn < data.n else "")
    return points + (", standardised: the model sees x and y in standard deviations from their means" if data.units else "")


class DatasetAndModel(LessonScene):
    """Forty seeded points, the model y = m x + b, and the loss of candidate lines moving through them."""

    TITLE = "The data and the model"

    @classmethod
    def formulas(cls, lesson: Lesson) -> tuple[str, ...]:
        return "y = m x + b", SSE_TEX

    @classmethod
    def script(cls, lesson: Lesson) -> tuple[Step, ...]:
        c = lesson.candidates

        def candidate(k: int) -> dict[str, str]:
            m, b = c.params[c.knots[k]]
            return {"k": str(k + 1), "m": setting(m), "b": setting(b), "loss": num(c.loss[c.knots[k]])}

        moves = tuple(
            said(f"move{k}", 2.2, "Candidate $k: m = $m, b = $b gives L = $loss.", **candidate(k)) for k in range(1, len(c.knots))
        )
        best = lesson.candidates.best
        data = lesson.dataset
        drawn = len(data.drawn())
        return (
            said(
                "data",
                1.6,
                "Here are $points, scattered around a line.",
                points=_points(lesson),
                n=num(data.n),
                drawn=num(drawn),
            ),
            said("model", 1.6, "A line y = m x + b has two parameters: the slope m and the bias b."),
            said("candidate", 1.8, "Try a line, m = $m, b = $b: each point misses it by a residual.", **candidate(0)),
            said("sse", 2.2, "The loss L_SSE adds up the squared residuals."),
            *moves,
            said("best", 2.0, "Candidate $k has the smallest loss: it fits best.", **candidate(best)),
            said("hold", 1.0, "A better line has a smaller loss."),
        )

    def construct(self) -> None:
        self.show_data()
        self.show_model()
        self.show_candidate()
        self.show_loss()
        self.move_through_candidates()
        self.show_best()
        self.step("hold")
        self.fade_out()

    def show_data(self) -> None:
        data = self.lesson.dataset
        title = MathTex(self.title_tex(), font_size=TITLE_SIZE, color=TEXT).to_edge(UP)
        self.axes = data_axes(data, x_length=7.0, y_length=5.6).to_edge(LEFT).shift(DOWN * 0.35)
        self.dots: VMobject = data_dots(self.axes, data)
        self.step("data", Write(title), Create(self.axes), FadeIn(self.dots, lag_ratio=0.03))
        self.dots = self.settle(self.dots)
        self.title = title

    def show_model(self) -> None:
        self.model = MathTex("y", "=", "m", "x", "+", "b", font_size=LABEL_SIZE + 6, color=TEXT)
        self.model.set_color_by_tex("m", FIT).set_color_by_tex("b", FIT)
        self.model.next_to(self.axes, RIGHT, buff=0.7).align_to(self.axes, UP)
        self.step("model", Write(self.model))

    def show_candidate(self) -> None:
        c, data = self.lesson.candidates, self.lesson.dataset
        self.tracker = ValueTracker(0)
        self.line = model_line(self.axes, *c.params[0])
        self.residuals = residuals(self.axes, data, *c.params[0])
        self.line.add_updater(lambda line: set_model_line(line, self.axes, *c.params[tracker_index(self.tracker)]))
        self.residuals.add_updater(lambda segs: set_residuals(segs, self.axes, data, *c.params[tracker_index(self.tracker)]))
        self.add(self.residuals, self.line)
        self.bring_to_front(self.dots)  # the points stay on top of their residuals
        self.step("candidate", Create(self.line), Create(self.residuals, lag_ratio=0.02))

    def show_loss(self) -> None:
        c = self.lesson.candidates
        self.sse = MathTex(SSE_TEX, font_size=LABEL_SIZE, color=TEXT)
        self.sse.next_to(self.model, DOWN, buff=0.5, aligned_edge=LEFT)
        self.readouts = VGroup(
            readout("m", c.params[0, 0], c.params[:, 0], color=FIT),
            readout("b", c.params[0, 1], c.params[:, 1], color=FIT),
            readout(r"\mathrm{L_{SSE}}", c.loss[0], c.loss, color=SLOPE),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        self.readouts.next_to(self.sse, DOWN, buff=0.5, aligned_edge=LEFT)
        for row, values in zip(self.readouts, (c.params[:, 0], c.params[:, 1], c.loss), strict=True):
            row[1].add_updater(lambda num, values=values: num.set_value(values[tracker_index(self.tracker)]))
        # every candidate's row, laid out now and shrunk together to fit the frame; shown one by one
        self.rows = VGroup(*(self.table_row(k) for k in range(len(c.knots)))).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        self.rows.next_to(self.readouts, DOWN, buff=0.5, aligned_edge=LEFT)
        room = (config.frame_x_radius - EDGE - self.rows.get_left()[0], self.rows.get_top()[1] + config.frame_y_radius - EDGE)
        self.rows.scale(min(1.0, room[0] / self.rows.width, room[1] / self.rows.height), about_edge=UL)
        self.table = VGroup(self.rows[0])
        self.step("sse", Write(self.sse), FadeIn(self.readouts), FadeIn(self.table[0]))

    def table_row(self, knot: int) -> MathTex:
        """``k.  m = …, b = …:  L = …`` for candidate ``knot``, from the core's numbers."""
        c = self.lesson.candidates
        m, b = c.params[c.knots[knot]]
        return MathTex(
            rf"{knot + 1}.\ \ m = {tex_setting(m)},\ b = {tex_setting(b)}:\ \ \mathrm{{L}} = {tex_num(c.loss[c.knots[knot]])}",
            font_size=LABEL_SIZE - 4,
            color=TEXT,
        )

    def move_through_candidates(self) -> None:
        knots = self.lesson.candidates.knots
        for k in range(1, len(knots)):
            row = self.rows[k]
            self.table.add(row)
            self.step(
                f"move{k}",
                AnimationGroup(
                    self.tracker.animate(rate_func=smooth).set_value(knots[k]),  # type: ignore[operator, arg-type]  # manim types animate as `builder | Self` and AnimationGroup as taking no builders
                    FadeIn(row, shift=0.2 * UP),
                    lag_ratio=0.8,
                ),
            )

    def show_best(self) -> None:
        best = self.lesson.candidates.best
        self.best_box = SurroundingRectangle(self.table[best], color=FIT, buff=0.1)
        self.step(
            "best",
            self.tracker.animate.set_value(self.lesson.candidates.knots[best]),
            Create(self.best_box),
            Indicate(self.line, color=TANGENT, scale_factor=1.0),
        )
