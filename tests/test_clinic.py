"""The learning-rate clinic runs the lesson's own descent (its optimizer and settings) at four rates: the panel at
the lesson's rate is the lesson's descent, the two largest straddle where that optimizer starts to diverge, and the
narration names the optimizer the panels run."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import numpy as np
import pytest
from conftest import LESSONS, builds, seed_lesson, shipped

from gradcore import Lesson, build_lesson, make_dataset
from gradcore.advice import REACH
from gradcore.lesson import DescentSpec, LessonConfig, clinic_rates
from gradcore.lessonfile import read_lesson_file
from gradcore.optimizers import NAMES, OPTIMIZERS
from scenes.beats.clinic import LearningRateClinic, behaviour

NEEDS = {"sgd": "batch_size = 10\n"}  # what an optimizer needs besides its name (every other key is derived)


def optimizer_file(folder: Path, name: str) -> Path:
    """A lesson file: the seed's data with its descent run by ``name``, everything else derived, 100 steps."""
    path = folder / f"{name}.toml"
    path.write_text(f'[descent]\noptimizer = "{name}"\nsteps = 100\n{NEEDS.get(name, "")}')
    return path


@functools.cache
def optimizer_lesson(name: str) -> Lesson:
    """:func:`optimizer_file`'s lesson, read once a test process (an adaptive optimizer's clinic searches for the
    rate at which it diverges: up to 60 descents)."""
    with tempfile.TemporaryDirectory() as folder:
        return read_lesson_file(optimizer_file(Path(folder), name)).lesson


def lessons(source: str) -> Lesson:
    """The lesson of a source: a shipped file's name, or an optimizer's (:func:`optimizer_lesson`)."""
    return shipped(source).lesson if source.endswith(".toml") else optimizer_lesson(source)


SOURCES = ["intro_to_gradients.toml", "csv_data.toml", *OPTIMIZERS]
pytestmark = pytest.mark.xdist_group("clinic")  # on one worker: each lesson above is read once a run


@pytest.mark.parametrize("source", SOURCES)
def test_the_panel_at_the_lessons_rate_is_the_lessons_descent(source: str) -> None:
    lesson = lessons(source)
    mine = [run for run in lesson.clinic if run.lr == lesson.config.descent.lr]
    assert len(mine) == 1
    for field in ("params", "loss", "grad"):
        np.testing.assert_array_equal(getattr(mine[0].trajectory, field), getattr(lesson.descent, field), strict=True)
    assert mine[0].outcome == lesson.outcome


@pytest.mark.parametrize("source", SOURCES)
def test_the_two_largest_rates_straddle_where_the_descent_diverges(source: str) -> None:
    lesson = lessons(source)
    low, mine, high, top = lesson.clinic
    assert low.lr == mine.lr / 10 and mine.lr == lesson.config.descent.lr < high.lr < top.lr
    assert not high.outcome.diverged and top.outcome.diverged


@pytest.mark.parametrize("source", SOURCES)
def test_a_panel_that_crawls_ends_below_where_it_started(source: str) -> None:
    for run in lessons(source).clinic:
        loss = run.trajectory.loss
        if behaviour(run.outcome) == "crawls":
            assert loss[-1] < loss[0] and not run.outcome.converged and run.outcome.first_within is None
        if behaviour(run.outcome) == "gets worse":
            assert loss[-1] > loss[0] and not run.outcome.diverged


def test_the_seeds_clinic_keeps_its_rates() -> None:
    assert [run.lr for run in seed_lesson().clinic] == [0.0001, 0.001, 0.01076800892459625, 0.01316089979672875]


def test_the_csv_lessons_clinic_runs_its_momentum() -> None:
    lesson = shipped("csv_data.toml").lesson
    assert [run.lr for run in lesson.clinic] == [0.00030000000000000003, 0.003, 0.011693859264431635, 0.014292494656527556]
    assert [round(float(run.trajectory.loss[-1]), 2) for run in lesson.clinic[:3]] == [858.37, 672.56, 672.56]
    assert lesson.clinic[3].outcome.diverged_at == 12


def test_with_no_diverging_rate_in_reach_the_clinic_shows_the_largest_tried() -> None:
    data = make_dataset()
    spec = DescentSpec(lr=1e-12, grad_scale=(1.0, 1.0), optimizer="adam")  # Adam's steps are about lr long
    assert clinic_rates(data, spec) == (1e-13, 1e-12, REACH / 2 * 1e-12, REACH * 1e-12)
    lesson = build_lesson(LessonConfig(descent=spec))
    assert not any(run.outcome.diverged for run in lesson.clinic)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_the_narration_names_the_optimizer_the_panels_run(name: str) -> None:
    lesson = optimizer_lesson(name)
    steps = {step.key: step.caption for step in LearningRateClinic.steps(lesson)}
    assert steps["panels"] == f"{NAMES[name]}, 4 learning rates, side by side."
    if name == "gd":
        assert NAMES[name] == "Plain gradient descent"
    top = lesson.clinic[3]
    if top.trajectory.diverged_at == 1:  # run() stopped it at its first step: the loss exploded
        assert steps["blowup"] == "Too large: its first step lands so far off that the loss explodes."
        assert len(top.trajectory.loss) == 1 and not top.outcome.oscillates
    else:
        assert steps["blowup"].startswith("Too large, and ")


def test_every_optimizer_has_a_name() -> None:
    assert NAMES.keys() == OPTIMIZERS.keys()


def test_the_german_clinic_lines_state_what_its_clinic_does() -> None:
    checked = shipped("intro_to_gradients_de.toml")
    lines, lesson = dict(checked.config.narration.lines), checked.lesson
    # "Einfacher Gradientenabstieg": its clinic runs plain descent
    assert lines["LearningRateClinic.panels"].startswith("Einfacher Gradientenabstieg") and lesson.config.descent.optimizer == "gd"
    # "lr = $lr4 divergiert bei Schritt $at4", "Endverluste: $loss1, $loss2 und $loss3": only the fourth diverges
    assert [run.outcome.diverged for run in lesson.clinic] == [False, False, False, True]
    # "jedes Überschießen ist größer als das letzte": the run that diverges zig-zags
    assert "Überschießen" in lines["LearningRateClinic.blowup"] and lesson.clinic[3].outcome.oscillates


def test_a_run_stopped_at_its_first_step_has_no_step_to_draw() -> None:
    from manim import VMobject

    from scenes.toolkit.planes import clipped_steps, plane_axes, set_clipped_path

    axes = plane_axes(seed_lesson().landscape, 3.0, 3.0)
    start = np.array([[-15.0, -30.0]])  # what run() keeps of a run whose first step exploded
    steps = clipped_steps(axes, start)
    assert steps.shape == (0, 4, 3)
    path = set_clipped_path(VMobject(), steps, axes.c2p(*start[0]), 1)
    np.testing.assert_allclose(path.points, np.repeat(axes.c2p(*start[0])[None], 4, axis=0))


@builds("LearningRateClinic", "adam")
def test_the_clinic_of_an_adaptive_lesson_builds_with_its_first_step_divergence(tmp_path: Path) -> None:
    from conftest import build

    lesson = optimizer_lesson("adam")
    scene = build("LearningRateClinic", tmp_path / "media", optimizer_file(tmp_path, "adam"))
    top = scene.panels[3]
    assert top.run.trajectory.diverged_at == 1 and top.diverged.get_tex_string() == r"\text{diverged at step 1}"
    np.testing.assert_allclose(top.axes.p2c(top.dot.get_center()), lesson.descent.params[0], atol=1e-6)
    assert [p.header[0].get_tex_string() for p in scene.panels] == [rf"\text{{{behaviour(r.outcome)}}}" for r in lesson.clinic]


def test_a_panel_that_reached_the_bottom_and_left_does_not_settle(tmp_path: Path) -> None:
    """RMSProp at the sine lesson's data: at lr = 0.3 its loss is within tolerance from step 52 and above it at step
    100 (its steps do not shrink near the bottom); it was called "crawls"."""
    lesson_file = tmp_path / "sine_rmsprop.toml"
    descent = '[descent]\noptimizer = "gd"\nstart = [6.0, -10.0]\nlr = 0.002\ngrad_scale = [0.25, 1.0]\n'
    text = (LESSONS / "sine.toml").read_text(encoding="utf-8")
    assert descent in text
    lesson_file.write_text(text.replace(descent, '[descent]\noptimizer = "rmsprop"\nstart = [6.0, -10.0]\nlr = 0.3\n'))
    run = read_lesson_file(lesson_file).lesson.clinic[1]
    assert run.lr == 0.3 and not run.outcome.converged and not run.outcome.worse and run.outcome.first_within is not None
    assert run.trajectory.loss[-1] - run.trajectory.loss.min() > run.outcome.tolerance  # it left the bottom
    assert behaviour(run.outcome) == "does not settle"


def test_labels_on_one_baseline_line_up_as_text_does() -> None:
    """The clinic's headers: "gets worse" (a descender) beside "crawls", "lr = 2,200" (a comma) beside
    "lr = 1 × 10⁻⁴" (a raised exponent): their letters on the line ("e", "c", "l") end at one height, where lining
    up the labels' bottoms (or tops) would not."""
    from manim import MathTex

    from scenes.toolkit.builders import on_baseline

    pairs = (((r"\text{gets worse}", 1), (r"\text{crawls}", 0)), ((r"\text{lr} = 2{,}200", 0), (r"\text{lr} = 1 \times 10^{-4}", 0)))
    for pair in pairs:
        labels = [on_baseline(MathTex(text), 1.0) for text, _ in pair]
        letters = [label.family_members_with_points()[i].get_bottom()[1] for label, (_, i) in zip(labels, pair, strict=True)]
        assert letters == pytest.approx([1.0, 1.0], abs=0.01)
        assert abs(labels[0].get_bottom()[1] - labels[1].get_bottom()[1]) > 0.05
