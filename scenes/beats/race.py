"""Beat 8: the optimizers of the lesson's race start together on the contours and move in step,
each with its colour, name and live loss, while a loss-versus-step plot (log scale) fills in beside it."""

from __future__ import annotations

from typing import cast

import numpy as np
from manim import (
    BLUE_B,
    DOWN,
    LEFT,
    ORANGE,
    PINK,
    PURE_RED,
    RIGHT,
    UP,
    WHITE,
    YELLOW,
    Animation,
    Axes,
    Circumscribe,
    Create,
    Cross,
    DashedLine,
    Dot,
    FadeIn,
    Line,
    ManimColor,
    MathTex,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    linear,
)

from gradcore import Lesson
from gradcore.facts import within_words
from gradcore.lesson import RaceRun
from gradcore.ticks import Ticks, nice_ticks
from scenes.toolkit.builders import keep_left_edge, set_polyline, step_counter, thin_labels, tracker_index
from scenes.toolkit.narration import LessonScene, Step, said
from scenes.toolkit.planes import clipped_steps, filled_contours, plane_axes, plot_frame, set_clipped_path, zoom_grid
from scenes.toolkit.style import (
    AXIS,
    LABEL_SIZE,
    TEXT,
    TICK_SIZE,
    TITLE_SIZE,
    display_text,
    num,
    number,
    plain_label,
    setting,
    tick,
)

__all__ = ["RUNNER_COLOURS", "OptimizerRace", "runner_colour"]

# One colour per runner, in the order of ``lesson.race``; clear of viridis' purples, teals and greens.
RUNNER_COLOURS: tuple[ManimColor, ...] = (ORANGE, PURE_RED, PINK, WHITE, YELLOW, BLUE_B)

NAME_WIDTH = 4.0  # scene units a runner's name may take in the legend (wider is shrunk): clear of the contours


def runner_colour(i: int) -> ManimColor:
    """Runner ``i``'s colour (the palette repeats if the race has more runners than colours)."""
    return RUNNER_COLOURS[i % len(RUNNER_COLOURS)]


def log_axes(steps: int, log_lo: float, log_hi: float, x_length: float, y_length: float) -> Axes:
    """Step k across, log10(loss) up, both ticked by the one tick picker (whole steps; whole powers,
    labelled ``10^n``)."""
    k_ticks, powers = nice_ticks(0, max(steps, 1), integer=True), nice_ticks(log_lo, log_hi, integer=True)
    axes = Axes(
        x_range=[0, max(steps, 1), k_ticks.step],
        y_range=[log_lo, log_hi, 1],
        x_length=x_length,
        y_length=y_length,
        axis_config={"color": AXIS, "include_tip": False, "include_ticks": False},
    )
    ticks, numbers = VGroup(), VGroup()
    for x, shown in zip(k_ticks.values, k_ticks.scaled, strict=True):
        foot = axes.c2p(x, log_lo)
        ticks.add(Line(foot + 0.08 * DOWN, foot + 0.08 * UP, color=AXIS, stroke_width=2))
        numbers.add(tick(shown, k_ticks.format).next_to(foot, DOWN, buff=0.15))
    ticks.add(thin_labels(numbers, k_ticks.values))
    for n in powers.values:
        foot = axes.c2p(0, n)
        ticks.add(Line(foot + 0.08 * LEFT, foot + 0.08 * RIGHT, color=AXIS, stroke_width=2))
        ticks.add(MathTex(rf"10^{{{int(n)}}}", font_size=TICK_SIZE, color=TEXT).next_to(foot, LEFT, buff=0.15))
    axes.k_ticks = k_ticks  # type: ignore[attr-defined]  # the lesson's own attribute on a manim object
    return axes.add(ticks)


def runner_end(run: RaceRun) -> str:
    """``loss 33.19 (within tolerance from step 38)``, or where it diverged."""
    if run.outcome.diverged_at is not None:
        return f"diverged at step {run.outcome.diverged_at}"
    within = f" (within tolerance from step {run.outcome.first_within})" if run.outcome.first_within is not None else ""
    return f"loss {num(run.trajectory.loss[-1])}{within}"


def race_sentences(lesson: Lesson) -> tuple[tuple[str, dict[str, str]], ...]:
    """The race's ``race``, ``finish`` and ``hold`` lines with their numbers, chosen from the core's facts (who led,
    who converged and who diverged, :mod:`gradcore.facts`); runners' labels are numbers too (``$leader``), never
    part of a line."""
    runs, steps = lesson.race, lesson.config.descent.steps
    best, at = lesson.race_leader
    arrived = sum(r.outcome.converged for r in runs)
    diverged = [r for r in runs if r.outcome.diverged]
    values = {
        "steps": num(steps),
        "runners": str(len(runs)),
        "leader": display_text(runs[best].entry.label),
        "arrived": str(arrived),
    }
    if diverged:
        values["diverged"] = ", ".join(
            f"{display_text(r.entry.label)} diverges at step {num(cast(int, r.outcome.diverged_at))}" for r in diverged
        )
    race = "They move in step, $steps steps each" + ("; $diverged." if diverged else ".")
    if at is not None:
        finish = "$leader is the first $within, at step $at."
        values |= {"within": within_words(runs[best].outcome, lesson.optimum.loss), "at": num(at)}
    elif not runs[best].outcome.diverged:
        finish = "After $steps steps $leader has the lowest loss, but none is $within."
        values["within"] = within_words(runs[best].outcome, lesson.optimum.loss)
    else:
        finish = "Every runner diverged; $leader lasted longest."
    if arrived == len(runs):
        hold = "Same start, same landscape: different routes to the bottom."
    else:
        hold = "Same start, same landscape: $arrived of $runners reached the bottom in $steps steps."
    return (race, values), (finish, values), (hold, values)


class OptimizerRace(LessonScene):
    """Every optimizer of ``lesson.race`` from the same start, in step, on the contours and on a loss plot."""

    TITLE = "The optimizer race"

    @classmethod
    def script(cls, lesson: Lesson) -> tuple[Step, ...]:
        start = lesson.config.descent.start
        (race, values), (finish, _), (hold, _) = race_sentences(lesson)
        return (
            said("landscape", 2.0, "Back on the loss contours, zoomed in on the action."),
            said(
                "runners",
                2.4,
                "$runners optimizers start together at m = $m, b = $b.",
                runners=str(len(lesson.race)),
                m=setting(start[0]),
                b=setting(start[1]),
            ),
            said("plot", 2.0, "Beside them, each one's loss against the step, on a log scale."),
            said("race", 12.0, race, **values),
            said("finish", 2.4, finish, tuple((display_text(r.entry.label), runner_end(r)) for r in lesson.race), **values),
            said("hold", 1.0, hold, **values),
        )

    def construct(self) -> None:
        self.show_landscape()
        self.show_runners()
        self.show_plot()
        self.race()
        self.finish()
        self.step("hold")
        self.fade_out()

    def show_landscape(self) -> None:
        lesson = self.lesson
        self.runs = lesson.race
        title = MathTex(self.title_tex(), font_size=TITLE_SIZE, color=TEXT).to_edge(UP, buff=0.3)
        everything = np.concatenate([run.trajectory.params for run in self.runs] + [[[lesson.optimum.m, lesson.optimum.b]]])
        self.grid = zoom_grid(lesson.landscape, everything)
        self.axes = plane_axes(self.grid, x_length=5.4, y_length=5.9)
        self.axes.to_edge(LEFT, buff=1.15).to_edge(DOWN, buff=0.85)
        frame = plot_frame(self.axes)
        keep_left_edge(frame, self.axes)
        contours = filled_contours(self.axes, self.grid, lesson.levels)
        best = lesson.optimum
        self.optimum = Cross(scale_factor=0.1, stroke_color=TEXT, stroke_width=3).move_to(self.axes.c2p(best.m, best.b))
        self.title = title
        self.step("landscape", Write(title), FadeIn(contours), Create(frame), Create(self.optimum))

    def show_runners(self) -> None:
        self.k = ValueTracker(0)
        self.paths, self.dots, self.rows, self.losses = VGroup(), VGroup(), VGroup(), []
        all_losses = np.concatenate([run.trajectory.loss for run in self.runs])
        for i, run in enumerate(self.runs):
            t, colour = run.trajectory, runner_colour(i)
            path = VMobject(stroke_color=colour, stroke_width=2.5, fill_opacity=0)
            steps, start = clipped_steps(self.axes, t.params), self.axes.c2p(*t.params[0])
            set_clipped_path(path, steps, start, 0)
            path.add_updater(lambda p, t=t, steps=steps, start=start: set_clipped_path(p, steps, start, tracker_index(self.k, t.steps)))
            dot = Dot(self.axes.c2p(*t.params[0]), radius=0.075, color=colour, stroke_width=1, stroke_color=WHITE)
            dot.set_stroke(opacity=0.6)
            dot.add_updater(lambda d, t=t: d.move_to(self.axes.c2p(*t.params[tracker_index(self.k, t.steps)])))
            loss = number(t.loss[0], all_losses, color=TEXT, edge_to_fix=RIGHT)
            loss.add_updater(lambda num, t=t: num.set_value(t.loss[tracker_index(self.k, t.steps)]))
            name: VMobject = plain_label(run.entry.label, LABEL_SIZE, colour, max_width=NAME_WIDTH)
            self.paths.add(path)
            self.dots.add(dot)
            self.losses.append(loss)
            self.rows.add(VGroup(Dot(radius=0.075, color=colour), name, loss))
        # legend: swatch, name, loss right-aligned in one column
        header = MathTex(r"\text{loss}", font_size=LABEL_SIZE, color=TEXT)
        names_right = 0.25 + max(row[1].width for row in self.rows)
        column = names_right + 0.35 + max(row[2].width for row in self.rows)
        for i, row in enumerate(self.rows):
            swatch, name, loss = row
            y = -0.42 * i
            swatch.move_to((0, y, 0))
            name.move_to((0.25, y, 0), aligned_edge=LEFT)
            loss.move_to((column, y, 0), aligned_edge=RIGHT)
        header.move_to((column, 0.5, 0), aligned_edge=RIGHT)
        self.step_count = step_counter(self.k, self.lesson.config.descent.steps)
        self.step_count.move_to((0, 0.5, 0), aligned_edge=LEFT)
        self.legend = VGroup(header, self.step_count, self.rows)
        self.legend.to_edge(RIGHT, buff=0.6).align_to(self.axes, UP).shift(UP * 0.4)
        # the first runners on top: gradient descent, the lesson's own, is not hidden under its look-alikes
        self.step(
            "runners",
            FadeIn(self.legend),
            *(FadeIn(path) for path in reversed(self.paths)),
            *(FadeIn(dot, scale=2) for dot in reversed(self.dots)),
        )

    def show_plot(self) -> None:
        n = self.lesson.config.descent.steps
        # the core's losses on a log axis, floored 9 decades below the start (a perfect fit has L* = 0)
        floor_loss = max(self.lesson.optimum.loss, 1e-9 * max(float(run.trajectory.loss[0]) for run in self.runs), 1e-300)
        self.log_losses = [np.log10(np.maximum(run.trajectory.loss, floor_loss)) for run in self.runs]
        best = floor_loss
        lows = min(float(v.min()) for v in self.log_losses)
        highs = max(float(v.max()) for v in self.log_losses)
        log_lo, log_hi = np.floor((lows - 0.2) * 2) / 2, np.ceil((highs + 0.1) * 2) / 2
        self.plot = log_axes(n, log_lo, log_hi, x_length=5.0, y_length=2.4)
        self.plot.next_to(self.legend, DOWN, buff=0.6).align_to(self.legend, RIGHT).shift(LEFT * 0.45)
        step_label = MathTex(cast(Ticks, self.plot.k_ticks).tex_name(r"\text{step } k"), font_size=LABEL_SIZE, color=TEXT)
        step_label.next_to(self.plot.c2p(n, log_lo), DOWN, buff=0.5).align_to(self.plot.c2p(n, log_lo), RIGHT)
        loss_label = MathTex(r"\text{loss}", font_size=LABEL_SIZE, color=TEXT).next_to(self.plot.c2p(0, log_hi), UP, buff=0.15)
        floor = DashedLine(self.plot.c2p(0, np.log10(best)), self.plot.c2p(n, np.log10(best)), color=AXIS, stroke_width=2)
        floor_label = MathTex(r"L^*", font_size=TICK_SIZE, color=AXIS).next_to(floor, RIGHT, buff=0.1)
        self.curves = VGroup()
        for i, (run, values) in enumerate(zip(self.runs, self.log_losses, strict=True)):
            colour = runner_colour(i)
            points = self.plot.c2p(np.column_stack([np.arange(len(values)), values]))
            curve = VMobject(stroke_color=colour, stroke_width=2.5, fill_opacity=0)
            set_polyline(curve, points, 0)
            curve.add_updater(lambda c, points=points, t=run.trajectory: set_polyline(c, points, tracker_index(self.k, t.steps)))
            self.curves.add(curve)
        self.floor = VGroup(floor, floor_label)
        self.step(
            "plot", Create(self.plot), Write(step_label), Write(loss_label), Create(self.floor), *(FadeIn(c) for c in reversed(self.curves))
        )

    def race(self) -> None:
        self.step("race", self.k.animate.set_value(self.lesson.config.descent.steps), rate_func=linear)

    def finish(self) -> None:
        best, at = self.lesson.race_leader
        colour = runner_colour(best)
        animations: list[Animation] = [Circumscribe(self.rows[best], color=colour)]
        if at is not None:  # mark the arrival on the loss plot: a dot on the curve, dropped to the step axis
            arrival = self.plot.c2p(at, self.log_losses[best][at])
            foot = self.plot.c2p(at, self.plot.y_range[0])
            self.arrival = VGroup(DashedLine(arrival, foot, color=colour, stroke_width=2), Dot(arrival, radius=0.06, color=colour))
            animations.append(Create(self.arrival))
        self.step("finish", *animations)
