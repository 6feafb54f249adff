"""Each beat's construct plays its plan: the steps ``steps(lesson)`` lists (and the closing fade), in order, each
for as long as planned, and nothing besides. The plan is what ``gradlesson list``, the subtitles and the sections
are made from, so a play or wait outside a step, or a step that plays longer than planned, would put them out of
step with the video.

Built with manim's skip_animations (:func:`conftest.build`: no frame drawn, no video written): fast, not ``render``.
The builds are the scene tests' too (``conftest.built_scene``, one xdist group a beat)."""

from __future__ import annotations

import pytest
from conftest import build_marks

from scenes import BEATS


@pytest.mark.parametrize("beat", [pytest.param(beat, marks=build_marks(beat.name), id=beat.name) for beat in BEATS])
def test_construct_plays_the_plan_step_by_step(beat, built_scene) -> None:
    scene = built_scene(beat.name)
    plan = type(scene).plan(scene.lesson)
    assert [key for key, _, _ in scene.played] == [step.key for step in plan]
    assert scene.played[0][1] == 0  # nothing is played before the first step
    assert [end - start for _, start, end in scene.played] == pytest.approx([step.seconds for step in plan], abs=1e-9)
    assert scene.renderer.time == pytest.approx(type(scene).duration(scene.lesson), abs=1e-9)
    assert not list(scene.media.rglob("*.mp4"))  # no video written
