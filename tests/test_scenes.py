"""Every beat renders: a video of its plan's duration, with subtitles, sections and non-blank frames."""

from __future__ import annotations

import pytest
import srt
from conftest import TEST_FPS, TEST_SIZE, frame_at, probe, render_marks

from scenes import BEATS
from scenes.toolkit.narration import FADE_OUT
from scenes.toolkit.style import lesson

RENDERED = [pytest.param(beat, marks=render_marks(beat.name), id=beat.name) for beat in BEATS]


@pytest.mark.parametrize("beat", RENDERED)
def test_beat_renders_to_its_planned_duration(beat, render_scene) -> None:
    rendered = render_scene(beat.name)
    info = probe(rendered.video)
    assert (info["width"], info["height"]) == TEST_SIZE
    plan = beat.load().plan(lesson())
    planned = sum(step.seconds for step in plan)
    assert info["duration"] == pytest.approx(planned, abs=len(plan) / TEST_FPS)
    # subtitles: one line per step, in order; the closing fade has none
    cues = [cue.content for cue in srt.parse(rendered.srt.read_text())]
    assert cues == [step.caption for step in plan[:-1]]
    assert plan[-1] == FADE_OUT
    # frames are not blank early, in the middle and at the end of the last step before the fade
    before_fade = info["duration"] - plan[-1].seconds - 1.5 / TEST_FPS
    for t in (0.3 * planned, 0.6 * planned, before_fade):
        frame = frame_at(rendered.video, t)
        assert frame.max() > 120, f"{beat.name}: blank frame at {t:.1f} s"
        assert frame.std() > 8, f"{beat.name}: featureless frame at {t:.1f} s"


@pytest.mark.parametrize("beat", RENDERED)
def test_beat_starts_and_ends_on_black(beat, render_scene) -> None:
    """So that the stitched lesson has no hard cuts between beats."""
    rendered = render_scene(beat.name)
    info = probe(rendered.video)
    assert frame_at(rendered.video, 0).max() < 40
    assert frame_at(rendered.video, info["duration"] - 1.5 / TEST_FPS).max() < 40
