"""Beat 9: the lesson's descent (its optimizer and settings: plain gradient descent in the seed) from the same start
with four learning rates, side by side: too small, the lesson's, one that oscillates and one that diverges (the core
detects it; its path leaves the panel)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
from manim import (
    DOWN,
    LEFT,
    UP,
    Axes,
    Circumscribe,
    Create,
    Cross,
    Dot,
    FadeIn,
    MathTex,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    linear,
)

from gradcore import Lesson
from gradcore.facts import Outcome
from gradcore.lesson import ClinicRun
from gradcore.optimizers import NAMES, Trajectory
from scenes.toolkit.builders import axes_box, clip_segment, on_baseline, step_counter, tracker_index
from scenes.toolkit.narration import LessonScene, Step, said
from scenes.toolkit.planes import clipped_steps, filled_contours, plane_axes, plot_frame, set_clipped_path, zoom_grid
from scenes.toolkit.style import (
    FIT,
    LABEL_SIZE,
    SLOPE,
    TEXT,
    TITLE_SIZE,
    num,
    readout,
    setting,
    tex_setting,
)

__all__ = ["LearningRateClinic", "behaviour"]

PANEL = 3.0  # side of each square panel
PITCH = 3.3  # distance between panel centres


def behaviour(facts: Outcome) -> str:
    """What a clinic run did, in a word or two chosen from the core's facts: a run that neither converged nor
    diverged crawls, unless its loss ended above where it started, or it came within tolerance of the least loss and
    left again (an adaptive step does not shrink near the bottom)."""
    if facts.diverged:
        return "diverges"
    if facts.oscillates:
        return "zig-zags"
    if facts.converged:
        return "converges"
    if facts.worse:
        return "gets worse"
    return "does not settle" if facts.first_within is not None else "crawls"


def exit_arrow(axes: Axes, params: np.ndarray, k: int) -> np.ndarray | None:
    """Where the path's last segment ``k-1 → k`` leaves the axes' box, as an arrowhead's three corners
    (tip on the border, pointing along the segment); None while iterate k is inside the box."""
    lo, hi = axes_box(axes)
    if k == 0 or np.all((params[k] >= lo) & (params[k] <= hi)):
        return None
    piece = clip_segment(params[k - 1], params[k], lo, hi)
    if piece is None:
        return None
    tip = axes.c2p(*piece[1])
    direction = tip - axes.c2p(*piece[0])
    if np.linalg.norm(direction) < 1e-9:
        direction = axes.c2p(*params[k]) - axes.c2p(*params[k - 1])
    u = direction / np.linalg.norm(direction)
    normal = np.array([-u[1], u[0], 0.0])
    back = tip - 0.22 * u
    return np.array([tip, back + 0.11 * normal, back - 0.11 * normal])


@dataclass
class Panel:
    """One learning rate's panel: its axes, the path so far, the current iterate's dot (hidden when
    outside the panel), the arrowhead where the path leaves it, the live loss and the header."""

    run: ClinicRun
    axes: Axes
    frame: VGroup
    contours: VGroup
    optimum: Cross
    header: VGroup
    path: VMobject
    dot: Dot
    arrow: VMobject
    loss: VGroup
    diverged: MathTex | None = None

    @property
    def trajectory(self) -> Trajectory:
        return self.run.trajectory


def split_step(lesson: Lesson) -> int | None:
    """The latest step at which a clinic run diverged, or None."""
    steps = [run.outcome.diverged_at for run in lesson.clinic if run.outcome.diverged_at is not None]
    return max(steps) if steps else None


class LearningRateClinic(LessonScene):
    """Four panels of the lesson's descent (its optimizer, named by the first line) with the clinic's learning rates,
    moving in step."""

    TITLE = "The learning-rate clinic"

    EARLY = 8  # steps shown slowly, to see the overshoots

    @classmethod
    def script(cls, lesson: Lesson) -> tuple[Step, ...]:
        start = lesson.config.descent.start
        n = lesson.config.descent.steps
        runs = lesson.clinic
        words = [behaviour(run.outcome) for run in runs]
        diverged = [run for run in runs if run.outcome.diverged]
        # each rate as the panels show it: $lr1 .. $lr4, and what it did
        rates = {f"lr{i}": setting(run.lr, 3) for i, run in enumerate(runs, start=1)}
        did = {f"did{i}": word for i, word in enumerate(words, start=1)}
        # where a run diverged ($at4), else its final loss ($loss1)
        for i, run in enumerate(runs, start=1):
            if run.outcome.diverged_at is not None:
                did[f"at{i}"] = str(run.outcome.diverged_at)
            else:
                did[f"loss{i}"] = num(run.trajectory.loss[-1])
        early = (
            "A larger rate takes larger steps: past a point it overshoots, from side to side."
            if any(run.outcome.oscillates for run in runs)
            else "A larger rate takes larger steps."
        )
        if not diverged:
            blowup = "None of these rates is too large: no run blows up."
        elif all(run.trajectory.diverged_at == 1 for run in diverged):  # run() stopped it: the first step's loss exploded
            blowup = "Too large: its first step lands so far off that the loss explodes."
        elif any(run.outcome.oscillates for run in diverged):
            blowup = "Too large, and every overshoot is bigger than the last."
        else:
            blowup = "Too large, and the loss grows step after step."
        ends = "; ".join(f"lr = {setting(run.lr, 3)}: {num(run.trajectory.loss[-1])}" for run in runs if not run.outcome.diverged)
        diverged_at = "; ".join(f"lr = {setting(run.lr, 3)} diverged at step {run.outcome.diverged_at}" for run in diverged)
        return (
            said(
                "panels",
                2.4,
                "$optimizer, $rates learning rates, side by side.",
                optimizer=NAMES[lesson.config.descent.optimizer],
                rates=str(len(runs)),
                **rates,
            ),
            said("start", 1.6, "All start at m = $m, b = $b.", m=setting(start[0]), b=setting(start[1])),
            said("early", 4.0, early, **rates),
            said("blowup", 3.6, blowup, **rates, **did),
            said(
                "diverged",
                2.0,
                "$diverged." if diverged else "None of the runs diverged.",
                diverged=diverged_at,
                **rates,
                **did,
            ),
            said("rest", 4.0, "The others carry on to step $steps.", steps=num(n)),
            said(
                "compare",
                2.4,
                "Final losses: $ends; the least is $least." if ends else "Every run diverged.",
                tuple(
                    (
                        f"lr = {setting(run.lr, 3)}",
                        f"diverged at step {run.outcome.diverged_at}" if run.outcome.diverged else num(run.trajectory.loss[-1]),
                    )
                    for run in runs
                ),
                ends=ends,
                least=num(lesson.optimum.loss),
                **rates,
                **did,
            ),
            said(
                "hold",
                1.0,
                "The learning rate decides: " + ", ".join(f"lr = ${{lr{i}}} ${{did{i}}}" for i in range(1, len(runs) + 1)) + ".",
                **rates,
                **did,
            ),
        )

    def construct(self) -> None:
        self.show_panels()
        self.show_start()
        n = self.lesson.config.descent.steps
        split = split_step(self.lesson) or n // 2
        self.step("early", self.k.animate.set_value(min(self.EARLY, split)), rate_func=linear)
        self.step("blowup", self.k.animate.set_value(split), rate_func=linear)
        self.show_divergence()
        self.step("rest", self.k.animate.set_value(n), rate_func=linear)
        self.compare()
        self.step("hold")
        self.fade_out()

    def show_panels(self) -> None:
        lesson = self.lesson
        title = MathTex(self.title_tex(), font_size=TITLE_SIZE, color=TEXT).to_edge(UP, buff=0.3)
        self.title = title
        settled = [run.trajectory.params for run in lesson.clinic if not run.outcome.diverged] or [
            run.trajectory.params for run in lesson.clinic
        ]
        grid = zoom_grid(lesson.landscape, np.concatenate([*settled, [[lesson.optimum.m, lesson.optimum.b]]]))
        levels = lesson.levels[::2]  # fewer bands than the big contour plot
        self.k = ValueTracker(0)
        self.panels: list[Panel] = []
        all_losses = np.concatenate([run.trajectory.loss for run in lesson.clinic])
        for i, run in enumerate(lesson.clinic):
            axes = plane_axes(grid, PANEL, PANEL)
            axes.move_to(((i - 1.5) * PITCH + 0.3, 0.2, 0))
            t = run.trajectory
            rate = MathTex(rf"\text{{lr}} = {tex_setting(run.lr, 3)}", font_size=LABEL_SIZE, color=TEXT).set_x(axes.get_x())
            on_baseline(rate, axes.get_top()[1] + 0.25)  # baselines line up across the panels (a comma descends, 10⁻⁴ rises)
            name = MathTex(rf"\text{{{behaviour(run.outcome)}}}", font_size=LABEL_SIZE, color=TEXT).set_x(axes.get_x())
            on_baseline(name, axes.get_top()[1] + 0.25 + 0.55)
            header = VGroup(name, rate)
            path = VMobject(stroke_color=FIT, stroke_width=2.5, fill_opacity=0)
            dot = Dot(axes.c2p(*t.params[0]), radius=0.07, color=FIT)
            arrow = VMobject(stroke_width=0, fill_color=SLOPE, fill_opacity=0)
            arrow.set_points_as_corners(np.repeat(axes.c2p(*t.params[0])[None], 4, axis=0))
            loss = readout(r"\text{loss}", t.loss[0], all_losses, digits=3)
            best = lesson.optimum
            panel = Panel(
                run=run,
                axes=axes,
                frame=plot_frame(axes, numbers_left=i == 0, compact=True),
                contours=filled_contours(axes, grid, levels),
                optimum=Cross(scale_factor=0.07, stroke_color=TEXT, stroke_width=2.5).move_to(axes.c2p(best.m, best.b)),
                header=header,
                path=path,
                dot=dot,
                arrow=arrow,
                loss=loss,
            )
            loss.next_to(panel.frame, DOWN, buff=0.3).align_to(axes, LEFT)
            self.attach(panel)
            self.panels.append(panel)
        self.step_count = step_counter(self.k, self.lesson.config.descent.steps)
        self.step_count.move_to((self.panels[-1].axes.get_left()[0] + 0.9, title.get_y(), 0), aligned_edge=LEFT)
        self.step(
            "panels",
            Write(title),
            *(FadeIn(VGroup(p.contours, p.optimum)) for p in self.panels),
            *(Create(p.frame) for p in self.panels),
            *(Write(p.header) for p in self.panels),
        )

    def attach(self, panel: Panel) -> None:
        """The updaters that draw ``panel`` at the tracker's step."""
        t, axes = panel.trajectory, panel.axes
        lo, hi = axes_box(axes)
        at = partial(tracker_index, self.k, t.steps)

        def place_dot(dot: Dot) -> None:
            p = t.params[at()]
            dot.move_to(axes.c2p(*p))
            dot.set_opacity(1 if np.all((p >= lo) & (p <= hi)) else 0)

        def place_arrow(arrow: VMobject) -> None:
            corners = exit_arrow(axes, t.params, at())
            if corners is None:
                arrow.set_fill(opacity=0)
            else:
                arrow.set_points_as_corners([*corners, corners[0]]).set_fill(opacity=1)

        steps, start = clipped_steps(axes, t.params), axes.c2p(*t.params[0])
        panel.path.add_updater(lambda path: set_clipped_path(path, steps, start, at()))
        panel.path.update()
        panel.dot.add_updater(place_dot)  # type: ignore[arg-type]  # manim types an updater as taking any Mobject; it gets this one
        panel.arrow.add_updater(place_arrow)  # type: ignore[arg-type]  # manim types an updater as taking any Mobject; it gets this one
        panel.loss[1].add_updater(lambda number: number.set_value(t.loss[at()]))

    def show_start(self) -> None:
        self.step(
            "start",
            *(FadeIn(p.path) for p in self.panels),
            *(FadeIn(p.dot, scale=2) for p in self.panels),
            *(FadeIn(p.loss) for p in self.panels),
            FadeIn(self.step_count),
        )
        self.add(*(p.arrow for p in self.panels))

    def show_divergence(self) -> None:
        labels = []
        for panel in self.panels:
            at = panel.run.outcome.diverged_at
            if at is not None:
                panel.diverged = MathTex(rf"\text{{diverged at step {at}}}", font_size=LABEL_SIZE, color=SLOPE)
                panel.diverged.next_to(panel.loss, DOWN, buff=0.25).align_to(panel.axes, LEFT)
                labels.append(panel.diverged)
        self.step("diverged", *(Write(label) for label in labels), *(Circumscribe(label, color=SLOPE) for label in labels))

    def compare(self) -> None:
        self.step("compare", *(Circumscribe(p.loss, color=FIT) for p in self.panels if not p.run.outcome.diverged))
