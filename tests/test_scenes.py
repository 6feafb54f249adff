"""Every beat renders: a video of its plan's duration, with subtitles, sections and non-blank frames."""

from __future__ import annotations

import pytest
from conftest import TEST_FPS, TEST_SIZE, frame_at, probe

from scenes import BEATS
from scenes.style import lesson

pytestmark = pytest.mark.render


@pytest.mark.parametrize("beat", BEATS, ids=lambda b: b.name)
def test_beat_renders_to_its_planned_duration(beat, render_scene) -> None:
    rendered = render_scene(beat.name)
    info = probe(rendered.video)
    assert (info["width"], info["height"]) == TEST_SIZE
    plan = beat.load().plan(lesson())
    planned = sum(step.seconds for step in plan)
    assert info["duration"] == pytest.approx(planned, abs=len(plan) / TEST_FPS)
    # subtitles: one line per step, in order
    srt = rendered.srt.read_text()
    for step in plan:
        assert step.caption in srt
    # frames are not blank at the start, middle and end
    for t in (0.3 * planned, 0.6 * planned, info["duration"] - 1.5 / TEST_FPS):
        frame = frame_at(rendered.video, t)
        assert frame.max() > 120, f"{beat.name}: blank frame at {t:.1f} s"
        assert frame.std() > 8, f"{beat.name}: featureless frame at {t:.1f} s"
