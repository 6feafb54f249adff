"""Lessons that are not the seed (house prices in €, a lab at 10⁻³, 100,000 points, a falling line, y over a
million): every beat builds with round, bounded, readable axes, every number stays inside the frame, and every
sentence that states an outcome is the one the core's facts choose."""

from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from conftest import build, shipped
from manim import Mobject, Text, VMobject, config

from gradcore.format import num
from gradcore.ticks import MAX_TICKS, MIN_TICKS
from scenes import BEATS
from scenes.beats.clinic import behaviour
from scenes.toolkit.style import TICK_SIZE, LiveNumber, SciNumber

LESSONS = Path(__file__).resolve().parents[1] / "lessons"
FAMILY = ("house_prices", "lab_micro", "many_points", "negative_slope", "wide_range")


def built(name: str, tmp: Path) -> dict[str, object]:
    """Every beat of lesson ``name`` played to its end state (:func:`conftest.build`: skip_animations, no frame
    drawn): the mobjects as the viewer last sees them."""
    return {beat.name: build(beat.name, tmp, LESSONS / f"{name}.toml") for beat in BEATS}


# each lesson's builds are shared by its tests: one xdist group a lesson (builds, no video: marked render as slow)
@pytest.fixture(
    scope="module", params=[pytest.param(name, marks=[pytest.mark.render, pytest.mark.xdist_group(f"family:{name}")]) for name in FAMILY]
)
def family(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    checked = shipped(f"{request.param}.toml")
    return request.param, checked, built(request.param, tmp_path_factory.mktemp(request.param))


@pytest.fixture(scope="module", params=FAMILY)
def checked(request: pytest.FixtureRequest):
    """The lesson file read and checked (no scene built): for the tests of what the lesson says."""
    return shipped(f"{request.param}.toml")


def test_every_beat_plays_its_plan(family) -> None:
    """As test_plans checks for the seed: construct plays each planned step, in order, for as long as planned."""
    _, checked, scenes = family
    for name, scene in scenes.items():
        plan = type(scene).plan(checked.lesson)
        assert [key for key, _, _ in scene.played] == [step.key for step in plan], name
        assert scene.played[0][1] == 0, name  # nothing played before the first step
        assert [end - start for _, start, end in scene.played] == pytest.approx([step.seconds for step in plan], abs=1e-9), name


def _visible(mobject: Mobject) -> bool:
    parts = mobject.family_members_with_points()
    return bool(parts) and any((isinstance(p, VMobject) and (p.get_fill_opacity() > 0.01 or p.get_stroke_opacity() > 0.01)) for p in parts)


def _box(mobject: Mobject) -> tuple[float, float, float, float]:
    points = np.concatenate([p.points for p in mobject.family_members_with_points()])
    return points[:, 0].min(), points[:, 1].min(), points[:, 0].max(), points[:, 1].max()


def _apart(a: Mobject, b: Mobject) -> bool:
    ax0, ay0, ax1, ay1 = _box(a)
    bx0, by0, bx1, by1 = _box(b)
    return ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0


def _texts(scene) -> list[Mobject]:
    """Every number and label the viewer can see (in 2D beats)."""
    found = []
    for mobject in scene.mobjects:
        for m in mobject.get_family():
            texts = isinstance(m, LiveNumber | SciNumber | Text) or type(m).__name__ in ("MathTex", "Tex", "SingleStringMathTex")
            if texts and _visible(m):
                found.append(m)
    return found


def _tick_labels(scene) -> list[list[LiveNumber]]:
    """The visible tick numbers of each axis, grouped by the group that holds them."""
    groups = []
    for mobject in scene.mobjects:
        for m in mobject.get_family():
            numbers = [c for c in m.submobjects if isinstance(c, LiveNumber) and c.font_size == pytest.approx(TICK_SIZE) and _visible(c)]
            rows: dict[float, list[LiveNumber]] = {}  # one group may hold both axes' numbers: a row each, the rest a column
            for number in numbers:
                rows.setdefault(round(number.get_y(), 3), []).append(number)
            axis_x = [row for row in rows.values() if len(row) >= 2]
            axis_y = [n for row in rows.values() if len(row) < 2 for n in row]
            groups += [row for row in [*axis_x, axis_y] if len(row) >= 2]
    return groups


def test_every_axis_has_4_to_10_round_ticks(family) -> None:
    _, _, scenes = family
    for name, scene in scenes.items():
        axes = [m for mob in scene.mobjects for m in mob.get_family() if hasattr(m, "x_range") and hasattr(m, "y_range")]
        for ax in axes:
            for attribute in ("x_ticks", "y_ticks", "m_ticks", "b_ticks"):
                ticks = getattr(ax, attribute, None)
                if ticks is not None:
                    assert MIN_TICKS <= len(ticks.values) <= MAX_TICKS, (name, attribute, ticks.values)
            steps = [ax.x_range[2], ax.y_range[2]] + ([ax.z_range[2]] if hasattr(ax, "z_range") else [])
            spans = [ax.x_range[1] - ax.x_range[0], ax.y_range[1] - ax.y_range[0]] + (
                [ax.z_range[1] - ax.z_range[0]] if hasattr(ax, "z_range") else []
            )
            for step, span in zip(steps, spans, strict=True):
                assert span / step <= MAX_TICKS + 1, (name, span, step)  # manim's own tick marks are bounded too


def test_tick_numbers_are_short_and_never_touch(family) -> None:
    _, _, scenes = family
    for name, scene in scenes.items():
        if name == "LossSurface":
            continue  # its axes carry tick marks only
        groups = _tick_labels(scene)
        assert groups, name
        for numbers in groups:
            assert len(numbers) <= MAX_TICKS, name
            for number in numbers:
                digits = re.sub(r"\D", "", number._text)
                assert len(digits.lstrip("0")) <= 6, (name, number._text)
            for a, b in combinations(numbers, 2):
                assert _apart(a, b), (name, a._text, b._text)


def test_every_text_and_number_is_inside_the_frame(family) -> None:
    _, _, scenes = family
    for name, scene in scenes.items():
        # the surface's labels are laid out in the frame
        mobjects = [pin.label for pin in scene.pins] if name == "LossSurface" else _texts(scene)
        assert mobjects, name
        for m in mobjects:
            x0, y0, x1, y1 = _box(m)
            assert -config.frame_x_radius - 1e-6 <= x0 and x1 <= config.frame_x_radius + 1e-6, (name, m)
            assert -config.frame_y_radius - 1e-6 <= y0 and y1 <= config.frame_y_radius + 1e-6, (name, m)


def test_the_sentences_are_the_facts(checked) -> None:
    lesson = checked.lesson
    captions = {beat.name: {s.key: s.caption for s in beat.load().steps(lesson)} for beat in BEATS}
    reached = "has reached the bottom" in captions["DescentOnContours"]["hold"]
    assert reached == lesson.outcome.converged
    assert ("found the line that minimises" in captions["FittedLine"]["hold"]) == lesson.outcome.converged
    best, at = lesson.race_leader
    finish = captions["OptimizerRace"]["finish"]
    assert lesson.race[best].entry.label in finish and not lesson.race[best].outcome.diverged
    assert ("is the first within" in finish) == (at is not None)
    if at is not None:
        assert finish.endswith(f", at step {num(at)}."), finish  # the step itself, not a number it begins
    named = [int(step) for step in re.findall(r"diverged at step (\d+)", captions["LearningRateClinic"]["diverged"])]
    assert named == [run.outcome.diverged_at for run in lesson.clinic if run.outcome.diverged]  # each run's step, whole
    every = " ".join(c for steps in captions.values() for c in steps.values())
    assert "inf" not in every.split() and "nan" not in every.split()


def test_the_clinic_panels_say_what_each_run_did(family) -> None:
    _, checked, scenes = family
    clinic = scenes["LearningRateClinic"]
    assert [p.header[0].get_tex_string() for p in clinic.panels] == [rf"\text{{{behaviour(r.outcome)}}}" for r in checked.lesson.clinic]


def test_the_numbers_said_have_at_most_six_digits(checked) -> None:
    for beat in BEATS:
        name = beat.name
        for step in beat.load().steps(checked.lesson):
            if (name, step.key) == ("DescentOnContours", "final"):
                continue
            for number in re.findall(r"\d[\d,]*(?:\.\d+)?", step.caption):
                assert len(number.replace(",", "").replace(".", "").lstrip("0")) <= 6, (name, step.key, number)


def test_a_large_dataset_is_drawn_with_at_most_a_thousand_points(family) -> None:
    _name, checked, scenes = family
    data = checked.lesson.dataset
    residuals = scenes["DatasetAndModel"].residuals
    assert len(residuals.points) // 4 == min(data.n, 1000)
    if data.n > 1000:
        assert "(1,000 of them drawn)" in type(scenes["DatasetAndModel"]).steps(checked.lesson)[0].caption


def test_every_live_number_shows_at_most_six_digits(family) -> None:
    _, _, scenes = family
    for name, scene in scenes.items():
        for m in _texts(scene):
            if isinstance(m, LiveNumber) and m.form is not None:
                digits = re.sub(r"\D", "", m._text).lstrip("0")
                assert len(digits) <= 6, (name, m._text)


def test_export_says_whether_the_descent_converged(checked, tmp_path: Path) -> None:
    import json

    from gradlesson.export import MEASURE, export_lesson

    export_lesson(checked.lesson, tmp_path)
    document = json.loads((tmp_path / "lesson.json").read_text())
    facts = checked.lesson.outcome
    assert document["descent"]["converged"] is facts.converged and document["descent"]["diverged_at"] == facts.diverged_at
    assert document["measure"] == MEASURE and "1%" in MEASURE
    assert [r["converged"] for r in document["race"]] == [r.outcome.converged for r in checked.lesson.race]
    assert [c["oscillates"] for c in document["clinic"]] == [c.outcome.oscillates for c in checked.lesson.clinic]


def test_a_tiny_rate_reads_as_a_power_of_ten_in_the_update_rule() -> None:
    from scenes.beats.contours import update_rule

    rule = update_rule(2e-6, (5e-5, 1.0)).get_tex_string()
    assert r"2 \times 10^{-6}" in rule and r"5 \times 10^{-5}" in rule and "0.000" not in rule


def test_standardised_data_is_numbered_in_the_data_units() -> None:
    from scenes.toolkit.builders import data_axes

    data = shipped("house_prices_standard.toml").lesson.dataset
    axes = data_axes(data)
    u = data.units
    x_ticks, y_ticks = axes.x_ticks, axes.y_ticks
    assert x_ticks.values.min() >= 40 and y_ticks.power == 3  # m² and thousands of €, not standard deviations
    labels = list(axes.tick_labels)
    for label, value in zip(labels[: len(x_ticks.values)], x_ticks.values, strict=True):
        x, _ = axes.p2c(label.get_center())  # each number sits under its tick
        assert x == pytest.approx((value - u.x_mean) / u.x_sd, abs=1e-6)
