"""Each beat's construct plays its plan: the steps ``steps(lesson)`` lists (and the closing fade), in order, each
for as long as planned, and nothing besides. The plan is what ``gradlesson list``, the subtitles and the sections
are made from, so a play or wait outside a step, or a step that plays longer than planned, would put them out of
step with the video.

Built with manim's skip_animations (:func:`conftest.build`: no frame drawn, no video written): fast, not ``render``."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build

from scenes import BEATS


@pytest.mark.parametrize("beat", BEATS, ids=lambda b: b.name)
def test_construct_plays_the_plan_step_by_step(beat, tmp_path: Path) -> None:
    scene = build(beat.name, tmp_path)
    plan = type(scene).plan(scene.lesson)
    assert [key for key, _, _ in scene.played] == [step.key for step in plan]
    assert scene.played[0][1] == 0  # nothing is played before the first step
    assert [end - start for _, start, end in scene.played] == pytest.approx([step.seconds for step in plan], abs=1e-9)
    assert scene.renderer.time == pytest.approx(type(scene).duration(scene.lesson), abs=1e-9)
    assert not list(tmp_path.rglob("*.mp4"))  # no video written
