"""gradlesson kit: what it builds from rendered beats (every clip streamable H.264 of the manifest's length,
captions one cue per step, stills, GIFs within bounds, the deck and the handout), that an unchanged lesson
rebuilds nothing, that a killed build leaves the previous kit, and that bad input writes nothing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import webvtt
from conftest import LESSONS, frame_at, gradlesson, gradlesson_here, probe, seed_lesson
from PIL import Image

from gradlesson.kit import build as kit_build
from gradlesson.kit.manifest import KitManifest, read_manifest
from scenes import BEATS

NAMES = ("DerivativeAsSlope", "FittedLine")
KIT_GROUP = pytest.mark.xdist_group("kit")


@dataclass
class Kit:
    media: Path
    folder: Path
    manifest: KitManifest
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="session")
def draft_kit(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    """``gradlesson kit DerivativeAsSlope FittedLine -q d --transparent`` into a fresh folder, once."""
    media = tmp_path_factory.mktemp("kit") / "media"
    result = gradlesson("kit", *NAMES, "-q", "d", "--transparent", "--out", str(media))
    assert result.returncode == 0, result.stderr[-3000:]
    return Kit(media, media / "kit", read_manifest(media / "kit" / "manifest.json"), result)


def top_level_boxes(path: Path) -> list[str]:
    """The MP4's top-level boxes in file order (``moov`` before ``mdat``: it streams)."""
    boxes, data = [], path.read_bytes()
    at = 0
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        size = struct.unpack(">Q", data[at + 8 : at + 16])[0] if size == 1 else size
        boxes.append(kind.decode("latin-1"))
        at += size if size else len(data)
    return boxes


def seconds_of(stamp: str) -> float:
    """``00:01:02.500`` in seconds (webvtt-py's ``start_in_seconds`` is whole seconds)."""
    h, m, sec = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(sec)


def stream(path: Path) -> dict[str, str]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,pix_fmt:stream_tags=alpha_mode", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    info = json.loads(out)["streams"][0]
    return {"codec": info["codec_name"], "pix_fmt": info["pix_fmt"], "alpha_mode": info.get("tags", {}).get("alpha_mode", "")}


@pytest.mark.render
@KIT_GROUP
def test_every_mp4_streams_as_h264_yuv420p_of_the_manifests_length(draft_kit: Kit) -> None:
    m, kit = draft_kit.manifest, draft_kit.folder
    frame = 1 / m.lesson.fps
    videos = [(m.files["video"], m.lesson.duration)]
    videos += [(b.video, b.end - b.start) for b in m.beats] + [(s.video, s.seconds) for _, s in m.steps]
    assert len(videos) == 1 + 2 + sum(len(b.steps) for b in m.beats)
    for rel, seconds in videos:
        path = kit / rel
        boxes = top_level_boxes(path)
        assert boxes.index("moov") < boxes.index("mdat"), rel  # +faststart
        assert stream(path)["codec"] == "h264" and stream(path)["pix_fmt"] == "yuv420p", rel
        assert probe(path)["duration"] == pytest.approx(seconds, abs=frame), rel
    # the steps tile each beat; the beats tile the lesson (the fade is in the beat, not a step)
    for beat in m.beats:
        assert beat.steps[0].start == beat.start and beat.steps[-1].end < beat.end
        assert all(a.end == pytest.approx(b.start) for a, b in zip(beat.steps, beat.steps[1:], strict=False))
    assert (
        m.beats[0].start == 0 and m.beats[1].start == pytest.approx(m.beats[0].end) and m.beats[-1].end == pytest.approx(m.lesson.duration)
    )


@pytest.mark.render
@KIT_GROUP
def test_the_steps_are_the_plans_with_their_narration_and_captions(draft_kit: Kit) -> None:
    from scenes.toolkit.style import lesson

    m, kit = draft_kit.manifest, draft_kit.folder
    assert [b.name for b in m.beats] == list(NAMES) and [b.folder for b in m.beats] == ["01-DerivativeAsSlope", "02-FittedLine"]
    for beat in m.beats:
        plan = next(b for b in BEATS if b.name == beat.name).load().steps(lesson())
        assert [(s.key, s.narration, s.numbers) for s in beat.steps] == [(p.key, p.caption, dict(p.numbers)) for p in plan]
        assert [s.video for s in beat.steps] == [f"{beat.folder}/{n:02d}-{p.key}.mp4" for n, p in enumerate(plan, start=1)]
        cues = webvtt.read(str(kit / beat.captions))
        assert [c.text for c in cues] == [s.narration for s in beat.steps]
        for step in beat.steps:
            (cue,) = webvtt.read(str(kit / step.captions))
            assert cue.text == step.narration and seconds_of(cue.start) == 0
    from gradcore.format import num

    fit = next(s for b, s in m.steps if b.name == "FittedLine" and s.key == "fit")
    seed = lesson()
    assert fit.numbers["m"] == num(seed.descent.m[-1], 5) and fit.numbers["b*"] == num(seed.optimum.b, 5)  # the speaker notes' numbers
    lesson_cues = webvtt.read(str(kit / m.files["captions"]))
    assert [c.text for c in lesson_cues] == [s.narration for _, s in m.steps]
    assert [seconds_of(c.start) for c in lesson_cues] == pytest.approx([s.start for _, s in m.steps], abs=0.001)
    chapters = webvtt.read(str(kit / m.files["chapters"]))
    assert [c.text for c in chapters] == [f"{b.number}. {b.title}" for b in m.beats]
    assert [seconds_of(c.start) for c in chapters] == pytest.approx([b.start for b in m.beats], abs=0.001)


@pytest.mark.render
@KIT_GROUP
def test_stills_are_the_first_and_last_frames_and_gifs_are_bounded(draft_kit: Kit) -> None:
    m, kit = draft_kit.manifest, draft_kit.folder
    for _, step in m.steps:
        clip = kit / step.video
        first = np.asarray(Image.open(kit / step.first).convert("RGB"), dtype=float)
        last = np.asarray(Image.open(kit / step.last).convert("RGB"), dtype=float)
        assert first.shape == last.shape == (m.lesson.height, m.lesson.width, 3)
        assert np.abs(first - np.asarray(frame_at(clip, 0), dtype=float)).mean() < 1.0, step.first
        end = np.asarray(frame_at(clip, step.seconds - 1.2 / m.lesson.fps), dtype=float)  # the last frame: the first at or after
        assert np.abs(last - end).mean() < 1.0, step.last
        gif = Image.open(kit / step.gif)
        assert gif.format == "GIF" and gif.width <= kit_build.GIF_MAX_WIDTH and (kit / step.gif).stat().st_size <= kit_build.GIF_MAX_BYTES
        assert getattr(gif, "n_frames", 1) > 1
    fitted = next(b for b in m.beats if b.name == "FittedLine")
    assert "least squares" not in fitted.formulas  # the formulas are LaTeX the beat typesets, each compiled once
    for beat in m.beats:
        assert len(beat.formula_svgs) == len(beat.formulas)
        assert all((kit / svg).read_text().startswith("<?xml") for svg in beat.formula_svgs)


@pytest.mark.render
@KIT_GROUP
def test_the_kit_carries_the_lessons_numbers_deck_handout_and_transparent_beats(draft_kit: Kit) -> None:
    m, kit = draft_kit.manifest, draft_kit.folder
    seed = seed_lesson()
    assert m.numbers["descent"]["m"] == float(seed.descent.m[-1]) and m.numbers["descent"]["b"] == float(seed.descent.b[-1])
    assert m.numbers["optimum"]["loss"] == seed.optimum.loss and len(m.numbers["race"]) == len(seed.race)
    assert (kit / "descent.csv").read_text().count("\n") == len(seed.descent.loss) + 1
    assert json.loads((kit / "lesson.json").read_text())["dataset"]["x"] == seed.dataset.x.tolist()
    for role, rel in m.files.items():
        assert (kit / rel).is_file() and (kit / rel).stat().st_size > 0, role
    for beat in m.beats:
        webm, mov = kit / beat.transparent["webm"], kit / beat.transparent["mov"]
        assert stream(webm)["codec"] == "vp9" and stream(webm)["alpha_mode"] == "1"
        assert stream(mov)["codec"] == "prores" and stream(mov)["pix_fmt"].startswith("yuva444p")
        still = subprocess.run(
            ["ffmpeg", "-v", "error", "-ss", f"{(beat.steps[-1].start + beat.steps[-1].end) / 2 - beat.start:.2f}", "-i", str(mov), "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-"],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        alpha = np.asarray(Image.open(__import__("io").BytesIO(still)).convert("RGBA"))[..., 3]
        assert (alpha == 0).mean() > 0.5 and (alpha == 255).any()  # a transparent background, opaque drawing
    # a manifest a script can read: relative paths only
    raw = json.loads((kit / "manifest.json").read_text())
    assert raw["schema"] == 1 and raw["lesson"]["quality"] == "d" and not any(p.startswith("/") for p in raw["files"].values())


@pytest.mark.render
@KIT_GROUP
def test_an_unchanged_lesson_rebuilds_nothing_and_a_killed_build_leaves_the_previous_kit(draft_kit: Kit, tmp_path: Path) -> None:
    media = tmp_path / "media"
    shutil.copytree(draft_kit.media, media)  # the renders and the kit, as built
    before = {p: p.stat().st_mtime_ns for p in (media / "kit").rglob("*")}
    again = gradlesson("kit", *NAMES, "-q", "d", "--transparent", "--out", str(media))
    assert again.returncode == 0 and "kit unchanged" in again.stdout, again.stdout + again.stderr
    assert {p: p.stat().st_mtime_ns for p in (media / "kit").rglob("*")} == before
    # a new title changes the kit only (no beat draws it): kill that build once its staging folder exists
    retitled = tmp_path / "retitled.toml"
    retitled.write_text(
        (LESSONS / "intro_to_gradients.toml").read_text().replace('title = "Introduction to gradients"', 'title = "Gradients, retold"')
    )
    args = [sys.executable, "-m", "gradlesson", "kit", *NAMES, "-q", "d", "--transparent", "--out", str(media), "--lesson", str(retitled)]
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not any(p.is_dir() and any(p.iterdir()) for p in media.glob(".kit.building-*")) and child.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert child.poll() is None, "the build ended before it could be killed"
    time.sleep(0.5)  # well inside the build
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    kept = read_manifest(media / "kit" / "manifest.json")
    assert kept.lesson.title == "Introduction to gradients" and kept.key == draft_kit.manifest.key
    assert {p: p.stat().st_mtime_ns for p in (media / "kit").rglob("*")} == before  # the previous kit, whole
    finished = gradlesson(*args[3:])
    assert finished.returncode == 0 and "kit built" in finished.stdout, finished.stderr[-2000:]
    assert read_manifest(media / "kit" / "manifest.json").lesson.title == "Gradients, retold"
    assert not list(media.glob(".kit.building-*"))  # the killed build's staging folder is gone


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NoSuchScene"], "unknown scene 'NoSuchScene'"),
        (["--lesson", "missing.toml"], "missing.toml: file: not found"),
        (["-j", "0"], "0 jobs"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    tmp_path: Path, args: list[str], message: str, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "media"
    monkeypatch.chdir(tmp_path)
    result = gradlesson_here(capfd, "kit", *args, "-q", "d", "--out", str(out))
    assert result.returncode == 2 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not out.exists()


def test_a_bad_title_is_refused_with_a_fix(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text('title = "two\\nlines"\n')
    result = gradlesson_here(capfd, "kit", "--lesson", str(lesson), "--out", str(tmp_path / "media"))
    assert result.returncode == 2 and "lesson.toml: title:" in result.stderr and "give one line of 1 to 80 characters" in result.stderr
    lesson.write_text('title = "Gradients for chemists"\n')
    from gradcore.lessonfile import read_lesson_file

    assert read_lesson_file(lesson).lesson.config.title == "Gradients for chemists"  # the fix works


def test_a_gif_too_large_is_made_smaller_until_it_fits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clip = tmp_path / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=800x450:rate=12:duration=0.5", "-pix_fmt", "yuv420p", str(clip)],
        check=True,
    )
    big = tmp_path / "big.gif"
    kit_build._gif(clip, big, 800, 12)
    assert Image.open(big).width == kit_build.GIF_MAX_WIDTH
    monkeypatch.setattr(kit_build, "GIF_MAX_BYTES", big.stat().st_size // 2)
    small = tmp_path / "small.gif"
    kit_build._gif(clip, small, 800, 12)
    assert Image.open(small).width < kit_build.GIF_MAX_WIDTH and small.stat().st_size <= big.stat().st_size // 2
    monkeypatch.setattr(kit_build, "GIF_MAX_BYTES", 10)
    monkeypatch.setattr(kit_build, "GIF_TRIES", kit_build.GIF_TRIES[:2])  # two tries that fail are as good as four
    with pytest.raises(RuntimeError, match="no GIF of it fits"):
        kit_build._gif(clip, tmp_path / "none.gif", 800, 12)


def test_the_swap_puts_the_new_kit_in_place_in_one_step(tmp_path: Path) -> None:
    old, new = tmp_path / "kit", tmp_path / ".kit.building-1"
    old.mkdir()
    (old / "a").write_text("old")
    new.mkdir()
    (new / "a").write_text("new")
    kit_build._swap_into_place(new, old)
    assert (old / "a").read_text() == "new" and not new.exists()
    first = tmp_path / "first"
    new.mkdir()
    kit_build._swap_into_place(new, first)
    assert first.is_dir() and not new.exists()


@pytest.mark.render
@KIT_GROUP
def test_the_real_kits_deck_and_handout_hold_every_step(draft_kit: Kit) -> None:
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    from gradcore.format import num

    m, kit = draft_kit.manifest, draft_kit.folder
    deck = Presentation(str(kit / m.files["pptx"]))
    assert len(deck.slides) == 1 + len(m.steps)
    for slide, (_, step) in zip(list(deck.slides)[1:], m.steps, strict=True):
        assert step.narration in slide.notes_slide.notes_text_frame.text
        assert [shape.shape_type for shape in slide.shapes].count(MSO_SHAPE_TYPE.MEDIA) == 1  # its clip
    text = subprocess.run(["pdftotext", str(kit / m.files["handout"]), "-"], capture_output=True, text=True, check=True).stdout
    words = " ".join(text.replace("-\n", "-").split())
    for _, step in m.steps:
        assert " ".join(step.narration.split()) in words, step.narration
    seed = seed_lesson()
    assert num(float(seed.descent.b[-1])) in words and num(float(seed.descent.m[-1])) in words  # the seed's final b and m
