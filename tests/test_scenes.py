"""Every beat renders: a video of its plan's duration, with subtitles and non-blank frames, from black to black.
Checked on the whole lessons ``gradlesson render -q d`` renders (conftest.lesson_render): the silent csv_data
lesson, whose subtitles are its captions, and the sine lesson spoken by espeak (its steps last as long as their
speech; test_voice checks its sound, sections and subtitles against the phrases spoken)."""

from __future__ import annotations

import functools

import pytest
import srt
from conftest import E2E_VOICES, e2e_marks, frame_at, probe, shipped

from scenes import BEATS
from scenes.toolkit.narration import FADE_OUT

FPS = 10  # -q d
RENDERED = [pytest.param(name, beat, marks=e2e_marks(name), id=f"{name}-{beat.name}") for name in ("csv_data", "sine") for beat in BEATS]


@functools.cache
def _lesson(name: str):
    """The lesson ``name`` as rendered: read from its file, its steps as long as their speech if it is spoken."""
    lesson = shipped(f"{name}.toml").lesson
    if name in E2E_VOICES:
        from gradlesson.voice import choose_voice, voiced

        voice = choose_voice(E2E_VOICES[name], "en", 1.0)
        assert voice is not None
        lesson = voiced(lesson, BEATS, voice, lambda _: None)
    return lesson


def _plan(name: str, beat):
    return beat.load().plan(_lesson(name))


@pytest.mark.parametrize(("name", "beat"), RENDERED)
def test_beat_renders_to_its_planned_duration(lesson_render, name: str, beat) -> None:
    rendered = lesson_render(name)
    assert rendered.result.returncode == 0, rendered.result.stderr[-2000:]
    video = rendered.video(beat.name, "270p10")
    info = probe(video)
    assert (info["width"], info["height"], info["fps"]) == (480, 270, FPS)
    plan = _plan(name, beat)
    planned, length = sum(step.seconds for step in plan), info["frames"] / FPS  # the picture's (the sound may run on)
    assert length == pytest.approx(planned, abs=len(plan) / FPS)
    assert plan[-1] == FADE_OUT
    if name not in E2E_VOICES:  # subtitles: one line per step, in order; the closing fade has none
        cues = [cue.content for cue in srt.parse(video.with_suffix(".srt").read_text())]
        assert cues == [step.caption for step in plan[:-1]]
    # frames are not blank early, in the middle and at the end of the last step before the fade
    before_fade = length - plan[-1].seconds - 1.5 / FPS
    for t in (0.3 * planned, 0.6 * planned, before_fade):
        frame = frame_at(video, t)
        assert frame.max() > 120, f"{beat.name}: blank frame at {t:.1f} s"
        assert frame.std() > 8, f"{beat.name}: featureless frame at {t:.1f} s"


@pytest.mark.parametrize(("name", "beat"), RENDERED)
def test_beat_starts_and_ends_on_black(lesson_render, name: str, beat) -> None:
    """So that the stitched lesson has no hard cuts between beats."""
    video = lesson_render(name).video(beat.name, "270p10")
    assert frame_at(video, 0).max() < 40
    assert frame_at(video, (probe(video)["frames"] - 1.5) / FPS).max() < 40  # the last frame
