"""The lesson's voice: lines said in words, phrases and cues, the speech cache, steps timed to their speech, and the
sound of every clip (measured on the decoded audio: its length, where each step's speech starts, its loudness)."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import re
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import CLI_RENDER_GROUP, LESSONS, gradlesson, gradlesson_here, renders_lesson, shipped, unchanged_since

from gradcore.lessonfile import DEFAULT_LESSON_FILE, read_lesson_file
from gradcore.narration import CUE_CHARS, PAUSE, TICK, NarrationSpec, Spoken, cues_of, phrases
from gradcore.spoken import said
from gradlesson.video import has_audio, section_clips, stitch
from gradlesson.voice import VoiceError, choose_voice, voiced
from scenes import BEATS

SEED = shipped(DEFAULT_LESSON_FILE.name).lesson  # read once a process, with the other tests of the shipped files
GERMAN = LESSONS / "intro_to_gradients_de.toml"
BEAT = {beat.name: beat for beat in BEATS}
RATE = 48_000
QUIET = 10 ** (-40 / 20)  # a sample louder than -40 dBFS is speech


# --- how a line is said -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "heard"),
    [
        ("Take f(x) = x^2 at the point x0 = 1.", "en", "Take f of (x) = x squared at the point x0 = 1."),
        ("f'(x) = 3x^2 - 8x + 2", "en", "f prime of (x) = 3x squared minus 8x + 2"),
        ("f'(x) = -sin(x)", "en", "f prime of (x) = minus sine of (x)"),
        ("lr = 1×10⁻⁴ crawls, lr = 0.0108 zig-zags", "en", "lr = 1 times 10 to the power minus 4 crawls, lr = 0.0108 zig-zags"),
        ("m = −10, b = -3; L = 1,740.5 at x^n", "en", "m = minus 10, b = minus 3; L = 1,740.5 at x to the power n"),
        ("The loss L_SSE", "en", "The loss L SSE"),
        ("L = 5,177 und 37.32; 8.3-mal", "de", "L = 5177 und 37,32; 8,3-mal"),
        ("f'(x0) = x^3 bei x = −3.14, 0, 3.14", "de-AT", "f Strich von (x0) = x hoch 3 bei x = minus 3,14, 0, 3,14"),
        ("1.50×10⁹", "de", "1,50 mal 10 hoch 9"),
    ],
)
def test_a_line_is_said_in_the_languages_words(text: str, language: str, heard: str) -> None:
    assert said(text, language) == heard


def _phonemes(text: str, language: str = "en-us") -> str:
    return subprocess.run(["espeak-ng", "-v", language, "-q", "-x", text], capture_output=True, text=True, check=True).stdout


def test_espeak_hears_every_minus_and_power_of_the_lessons_lines() -> None:
    """What espeak-ng (whose rules piper uses) makes of the notation: the minus and the power it drops are heard."""
    assert "m'aIn@s" not in _phonemes("m = -10") and "t'En" in _phonemes("10⁻⁴") and "p'aU" not in _phonemes("10⁻⁴")
    assert _phonemes(said("m = -10", "en")).count("m'aIn@s") == 1
    assert _phonemes(said("lr = 1×10⁻⁴", "en")).count("m'aIn@s") == 1 and "p'aU" in _phonemes(said("10⁻⁴", "en"))
    for beat in BEATS:
        for step in beat.load().steps(SEED):
            minus = (
                step.caption.count("minus")
                + step.caption.count("−")
                + step.caption.count("⁻")
                + len(re.findall(r"(?:^|(?<=[\s(=]))-(?=[\w(])|(?<=\s)-(?=\s)", step.caption))
            )
            heard = said(step.caption, "en")
            assert not re.search(r"[\^⁰¹²³⁴⁵⁶⁷⁸⁹⁻×]|'\(", heard), heard
            assert heard.count("minus") == minus, (step.caption, heard)


# --- phrases, cues and the step's seconds -------------------------------------------------------------------------


def test_a_long_line_is_cut_into_cues_at_its_phrase_breaks() -> None:
    for beat in BEATS:
        for step in beat.load().steps(SEED):
            cut = phrases(step.caption)
            assert " ".join(cut) == " ".join(step.caption.split()) and all(len(p) <= CUE_CHARS for p in cut)
    line = "Final losses: lr = 1×10⁻⁴: 9,626; lr = 0.001: 33.19; lr = 0.0108: 33.19; the least is 33.19."
    assert phrases(line) == ("Final losses: lr = 1×10⁻⁴: 9,626; lr = 0.001: 33.19;", "lr = 0.0108: 33.19; the least is 33.19.")
    assert phrases("") == () and phrases("Short.") == ("Short.",)


@pytest.mark.parametrize("planned", [0.2, 2.0, 4.4, 9.8])
@pytest.mark.parametrize("speech", [(0.3,), (2.05, 1.9), (4.38,), (1.0, 1.0, 1.0)])
def test_a_step_lasts_its_animation_or_its_speech_and_a_pause_in_whole_ticks(planned: float, speech: tuple[float, ...]) -> None:
    spoken = cues_of("k", "text", tuple((f"p{i}", f"id{i}", s) for i, s in enumerate(speech)))
    assert spoken.cues[0].start == 0 and all(a.end < b.start for a, b in itertools.pairwise(spoken.cues))
    seconds = spoken.seconds(planned)
    assert seconds >= planned and seconds >= spoken.speech + PAUSE - 1e-9
    assert seconds < max(planned, spoken.speech + PAUSE) + TICK and abs(seconds / TICK - round(seconds / TICK)) < 1e-9
    assert Spoken("k", "", ()).seconds(planned) == planned


# --- voices and the speech cache -----------------------------------------------------------------------------------


def test_the_best_voice_is_piper_in_english_espeak_in_german_and_none_without_words() -> None:
    assert choose_voice("best", "en", 1.0).name == "piper"
    assert choose_voice("best", "de", 1.0).name == "espeak"
    assert choose_voice("best", "fr", 1.0) is None and choose_voice("none", "en", 1.0) is None
    with pytest.raises(VoiceError) as refused:
        choose_voice("piper", "de", 1.0)
    assert refused.value.instead == "espeak"


def test_the_speech_cache_speaks_again_only_a_changed_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADLESSON_SPEECH_CACHE", str(tmp_path))
    voice, beats, said_ = choose_voice("espeak", "en", 1.0), [BEAT["DerivativeAsSlope"]], []
    assert voice is not None
    first = voiced(SEED, beats, voice, said_.append)
    steps = first.voicing.part("DerivativeAsSlope")
    count = sum(len(s.cues) for s in steps)
    assert count == len(list(tmp_path.glob("*.wav"))) == sum(len(phrases(s.caption)) for s in BEAT["DerivativeAsSlope"].load().lines(SEED))
    assert f": {count} phrases, {count} recorded now" in said_[-1]
    voiced(SEED, beats, voice, said_.append)
    assert f": {count} phrases, 0 recorded now" in said_[-1]
    lines = (("DerivativeAsSlope.hold", "The derivative is the tangent's slope."),)
    edited = dataclasses.replace(SEED, config=dataclasses.replace(SEED.config, narration=NarrationSpec(lines=lines)))
    again = voiced(edited, beats, voice, said_.append)
    assert f": {count} phrases, 1 recorded now" in said_[-1] and len(list(tmp_path.glob("*.wav"))) == count + 1
    assert again.voicing.part("DerivativeAsSlope")[:-1] == steps[:-1]
    assert [s.key for s in steps] == [s.key for s in BEAT["DerivativeAsSlope"].load().lines(SEED) if s.caption]
    slower = voiced(SEED, beats, choose_voice("espeak", "en", 0.7), said_.append)
    assert f": {count} phrases, {count} recorded now" in said_[-1]
    assert slower.voicing.part("DerivativeAsSlope")[0].speech > steps[0].speech


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--voice", "piper", "--lesson", str(GERMAN)], 'gradlesson: --voice: piper has no voice for "de"'),
        (["--voice", "festival"], "invalid choice: 'festival'"),
    ],
)
def test_a_voice_that_cannot_speak_is_refused_before_anything_is_written(
    tmp_path: Path, args: list[str], message: str, capfd: pytest.CaptureFixture[str]
) -> None:
    for command in ("render", "kit"):
        result = gradlesson_here(capfd, command, "DerivativeAsSlope", "-q", "d", "--out", str(tmp_path / "media"), *args)
        assert result.returncode == 2 and message in result.stderr and result.stdout == "", result.stderr
        assert not (tmp_path / "media").exists()


# --- the sound of rendered clips -----------------------------------------------------------------------------------


def streams(video: Path) -> dict[str, float]:
    """Each stream's length (s) by its kind; the sound must be stereo AAC at :data:`RATE`."""
    return dict(_streams(unchanged_since(video)))


@functools.cache
def _streams(video: tuple[str, int, int]) -> tuple[tuple[str, float], ...]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name,channels,sample_rate,duration", "-of", "json", video[0]],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    found = {}
    for stream in json.loads(out)["streams"]:
        found[stream["codec_type"]] = float(stream["duration"])
        if stream["codec_type"] == "audio":
            assert (stream["codec_name"], stream["channels"], stream["sample_rate"]) == ("aac", 2, str(RATE))
    return tuple(found.items())


def decoded(video: Path) -> np.ndarray:
    """The video's sound, mixed to mono at :data:`RATE` (read-only: shared by the calls on one unchanged file)."""
    return _decoded(unchanged_since(video))


@functools.lru_cache(maxsize=2)  # the stitched lesson's (read once per beat) and one clip's
def _decoded(video: tuple[str, int, int]) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", video[0], "-ac", "1", "-ar", str(RATE), "-f", "f32le", "-"], capture_output=True, check=True
    ).stdout
    return np.frombuffer(raw, np.float32)


def loudness(video: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of the video's sound, by ffmpeg's EBU R 128 meter."""
    report = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", str(video), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    summary = report[report.rindex("Summary:") :]
    return tuple(float(re.search(rf"{label}:\s+(-?[\d.]+)", summary).group(1)) for label in ("I", "Peak"))


def assert_speech_starts_with_each_step(video: Path, plan, fps: int, offset: float = 0.0) -> None:
    """Each spoken step's first sound within 50 ms of its start (and its first cue's start), silence before it."""
    audio, t = decoded(video), offset
    for step in plan:
        if step.cues:
            first = round(t * RATE)
            loud = np.flatnonzero(np.abs(audio[first : first + RATE]) > QUIET)
            assert len(loud) and loud[0] / RATE <= 0.05, (video.name, step.key, loud[:1] / RATE)
            before = audio[max(0, first - RATE // 10) : first]
            assert not len(before) or np.abs(before).max() < 10 ** (-50 / 20), (video.name, step.key)
        t += round(step.seconds * fps) / fps


def assert_voiced_beat(video: Path, name: str, lesson, fps: int) -> None:
    """The beat's video and each section clip: sound as long as the picture (±1 frame), speech where its steps
    start, subtitles the phrases spoken, each from when it is heard."""
    import srt

    plan = BEAT[name].load().plan(lesson)
    for clip, step in zip([video, *section_clips(video, name)], [None, *plan], strict=True):
        length = streams(clip)
        assert abs(length["audio"] - length["video"]) <= 1 / fps + 1e-6, (clip.name, length)
        if step is not None:
            assert length["video"] == pytest.approx(step.seconds, abs=1 / fps + 1e-6)
    assert_speech_starts_with_each_step(video, plan, fps)
    cues, t = [], 0.0
    for step in plan:
        cues += [(round(t + cue.start, 3), cue.text) for cue in step.cues]
        t += step.seconds
    shown = [(c.start.total_seconds(), c.content) for c in srt.parse(video.with_suffix(".srt").read_text())]
    assert [text for _, text in shown] == [text for _, text in cues]
    assert [start for start, _ in shown] == pytest.approx([start for start, _ in cues], abs=0.0015)  # SRT keeps ms


@pytest.mark.render
@CLI_RENDER_GROUP
def test_a_lesson_without_a_voice_is_silent(cli_render) -> None:
    """``voice = "none"`` (the default lesson's): no sound stream anywhere, as before the voice existed."""
    for name in ("FittedLine", "DerivativeAsSlope"):
        video = cli_render.video(name, "270p10")
        assert video.exists() and not any(has_audio(clip) for clip in [video, *section_clips(video, name)])


@renders_lesson("sine")
def test_every_beat_and_section_of_a_spoken_lesson_has_its_sound(lesson_render) -> None:
    """``lessons/sine.toml`` rendered with ``--voice espeak`` (conftest.E2E_VOICES), stitched: all nine beats."""
    rendered = lesson_render("sine")
    assert rendered.result.returncode == 0, rendered.result.stderr[-2000:]
    assert "gradlesson: voice: espeak-ng, voice en" in rendered.result.stderr
    voice = choose_voice("espeak", "en", 1.0)
    assert voice is not None
    lesson = voiced(shipped("sine.toml").lesson, BEATS, voice, lambda _: None)
    for beat in BEATS:
        assert_voiced_beat(rendered.video(beat.name, "270p10"), beat.name, lesson, 10)
    whole = rendered.media / "lesson" / "lesson.mp4"
    length = streams(whole)
    assert abs(length["audio"] - length["video"]) <= 0.1
    offset = 0.0
    for beat in BEATS:  # stitched, each beat's speech still starts on its steps
        plan = beat.load().plan(lesson)
        assert_speech_starts_with_each_step(whole, plan[:2], 10, offset)
        offset += sum(round(s.seconds * 10) / 10 for s in plan)
    integrated, peak = loudness(whole)
    assert -17 <= integrated <= -15 and peak <= -1.0


@pytest.fixture(scope="module")
def piper_render(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("piper")
    result = gradlesson("kit", "DerivativeAsSlope", "-q", "d", "--voice", "piper", "--out", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    return out, result


@pytest.mark.render
@pytest.mark.xdist_group("voice:piper")
def test_piper_speaks_a_beat_and_its_kit_at_the_lessons_loudness(piper_render, tmp_path: Path) -> None:
    out, result = piper_render
    assert "gradlesson: voice: piper, voice en_US joe (medium), speed 1" in result.stderr
    video = out / "videos" / "derivative" / "270p10" / "DerivativeAsSlope.mp4"
    voice = choose_voice("piper", "en", 1.0)
    assert voice is not None
    lesson = voiced(SEED, [BEAT["DerivativeAsSlope"]], voice, lambda _: None)
    assert_voiced_beat(video, "DerivativeAsSlope", lesson, 10)
    integrated, peak = loudness(video)
    assert -17 <= integrated <= -15 and peak <= -1.0
    plan = BEAT["DerivativeAsSlope"].load().plan(lesson)
    twice = stitch([video, video], tmp_path / "twice.mp4")  # no drift from one clip to the next
    assert_speech_starts_with_each_step(twice, plan, 10, offset=sum(round(s.seconds * 10) / 10 for s in plan))
    kit = out / "kit"
    for clip in sorted((kit / "01-DerivativeAsSlope").glob("*.mp4")):
        assert "audio" in streams(clip), clip.name
    with zipfile.ZipFile(kit / "lesson.pptx") as deck:
        movies = [name for name in deck.namelist() if name.startswith("ppt/media/") and name.endswith(".mp4")]
        assert movies
        for name in movies:
            (tmp_path / "slide.mp4").write_bytes(deck.read(name))
            assert "audio" in streams(tmp_path / "slide.mp4"), name


@pytest.mark.render
@pytest.mark.xdist_group("voice:german")
def test_the_german_lesson_renders_and_speaks_at_q_l(tmp_path: Path) -> None:
    result = gradlesson("render", "DerivativeAsSlope", "-q", "l", "--lesson", str(GERMAN), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "gradlesson: voice: espeak-ng, voice de" in result.stderr
    voice = choose_voice("espeak", "de", 1.0)
    assert voice is not None
    lesson = voiced(read_lesson_file(GERMAN).lesson, [BEAT["DerivativeAsSlope"]], voice, lambda _: None)
    video = tmp_path / "videos" / "derivative" / "480p15" / "DerivativeAsSlope.mp4"
    assert_voiced_beat(video, "DerivativeAsSlope", lesson, 15)
    assert "Grenzwert" in video.with_suffix(".srt").read_text()


@pytest.mark.render
@pytest.mark.browser
@pytest.mark.xdist_group("voice:piper")
def test_the_presenter_plays_a_step_with_its_voice(piper_render, tmp_path: Path) -> None:
    """In headless Chromium (its output muted by ``--mute-audio``; the page's video is not): → plays the first step
    unmuted, and its sound is decoded as it plays."""
    from selenium.webdriver.common.keys import Keys

    from gradlesson.kit.browse import chromium, open_presenter, press, state, wait_for

    out, _ = piper_render
    sound = "const v = Reveal.getCurrentSlide().querySelector('video.kit-clip'); return [v.muted, v.webkitAudioDecodedByteCount];"
    with chromium(tmp_path / "profile") as driver:
        open_presenter(driver, out / "kit")
        press(driver, Keys.ARROW_RIGHT)
        playing = wait_for(lambda: (s := state(driver)) and not s["paused"] and s["currentTime"] > 1.0 and s)
        assert playing["step"] == 1
        muted, decoded_bytes = driver.execute_script(sound)
        assert muted is False and decoded_bytes > 10_000
