"""The render pipeline survives faults: a damaged manifest, damaged or missing artefacts, odd paths and arguments."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import gradlesson, seed_lesson

from gradcore import build_lesson
from gradcore.reads import digests
from gradlesson.cli import main
from gradlesson.quality import QUALITIES
from gradlesson.render import _config_for, _drop_damaged_svgs, fingerprint, intact, read_manifest, write_manifest

LESSON = seed_lesson()


@pytest.mark.parametrize("damage", ["", "{not json", "[]", "null", "\x00\xff", "directory"])
def test_a_damaged_manifest_is_treated_as_empty_in_one_line(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "renders.json"
    if damage == "directory":
        path.mkdir()
    else:
        path.write_bytes(damage.encode("latin-1"))
    said: list[str] = []
    assert read_manifest(path, said.append) == {}
    assert len(said) == 1 and "damaged" in said[0] and "\n" not in said[0]


def test_the_manifest_is_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cache" / "renders.json"
    write_manifest(path, {"FittedLine/l": {"key": "a"}})
    before = path.read_text()

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError):
        write_manifest(path, {"FittedLine/l": {"key": "b"}})
    assert path.read_text() == before and json.loads(before)["FittedLine/l"]["key"] == "a"
    assert [p.name for p in path.parent.iterdir()] == ["renders.json"]  # no staging file left behind


def _rendered(tmp_path: Path) -> Path:
    """A beat's files as a render leaves them: video, subtitles, section clips and their index."""
    folder = tmp_path / "videos" / "fit" / QUALITIES["l"].folder
    (folder / "sections").mkdir(parents=True)
    video = folder / "FittedLine.mp4"
    video.write_bytes(b"video" * 100)
    video.with_suffix(".srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nBack to the data.\n")
    for i, key in enumerate(("data", "start", "descend")):
        (folder / "sections" / f"FittedLine_{i:04d}_{i + 1:02d}_{key}.mp4").write_bytes(b"clip%d" % i * 50)
    (folder / "sections" / "FittedLine.json").write_text("[]")
    return video


@pytest.mark.parametrize(
    "damage",
    ["nothing", "section clip deleted", "section clip truncated", "subtitles deleted", "video truncated", "index deleted"],
)
def test_every_file_a_beat_owns_is_checked_before_it_is_reused(tmp_path: Path, damage: str) -> None:
    video = _rendered(tmp_path)
    entry = {"key": "k", "reads": digests(LESSON, ["descent", "dataset"]), "files": fingerprint(video, "FittedLine")}
    assert len(entry["files"]) == 6
    clip = video.parent / "sections" / "FittedLine_0001_02_start.mp4"
    if damage == "section clip deleted":
        clip.unlink()
    elif damage == "section clip truncated":
        clip.write_bytes(clip.read_bytes()[:10])
    elif damage == "subtitles deleted":
        video.with_suffix(".srt").unlink()
    elif damage == "video truncated":
        video.write_bytes(video.read_bytes()[:10])
    elif damage == "index deleted":
        (video.parent / "sections" / "FittedLine.json").unlink()
    assert intact(entry, "k", LESSON, video, "FittedLine") == (damage == "nothing")
    assert not intact(entry, "other key", LESSON, video, "FittedLine")


def test_an_entry_drawn_from_other_lesson_parts_is_not_reused(tmp_path: Path) -> None:
    video = _rendered(tmp_path)
    entry = {"key": "k", "reads": digests(LESSON, ["descent"]), "files": fingerprint(video, "FittedLine")}
    assert intact(entry, "k", LESSON, video, "FittedLine")
    other = build_lesson(replace(LESSON.config, descent=replace(LESSON.config.descent, steps=90)))
    assert not intact(entry, "k", other, video, "FittedLine")
    assert not intact({**entry, "reads": {}}, "k", LESSON, video, "FittedLine")  # a render that noted nothing is not trusted


def test_an_entry_from_before_every_file_was_checked_is_not_trusted(tmp_path: Path) -> None:
    video = _rendered(tmp_path)
    assert not intact({"key": "k", "sha256": "0" * 64}, "k", LESSON, video, "FittedLine")


def test_a_truncated_tex_svg_is_dropped_and_said_in_one_line(tmp_path: Path) -> None:
    whole = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0L1 1"/></svg>\n'
    (tmp_path / "a.svg").write_text(whole)
    (tmp_path / "b.svg").write_text(whole[:40])
    (tmp_path / "c.svg").write_bytes(b"")
    said: list[str] = []
    _drop_damaged_svgs(tmp_path, said.append)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.svg"]
    assert len(said) == 2 and all("was damaged; compiling that formula again" in line for line in said)


def test_an_output_folder_with_a_percent_sign_or_braces_configures_manim(tmp_path: Path) -> None:
    """The TeX folder falls back into the output folder, whose name manim's config would read as ``%%`` or a
    ``{b}`` placeholder."""
    from manim import config, tempconfig

    tex = tmp_path / "100% {b}" / "Tex"
    tex.mkdir(parents=True)
    (tmp_path / "scratch").mkdir()
    cfg = _config_for(tex, tmp_path / "scratch")
    with tempconfig({}):
        config.digest_file(cfg)  # as a render job reads it
        tex_dir = config.get_dir("tex_dir")
    assert tex_dir is not None and tex_dir.resolve() == tex.resolve()


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_a_number_of_jobs_below_one_is_refused_in_one_line(jobs: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["render", "FittedLine", "-j", jobs])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("gradlesson: argument -j/--jobs: ")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.startswith("gradlesson 0.")


def _as_from_a_terminal() -> None:
    """Ctrl-C's SIGINT at its default, as a terminal's foreground command has it: a shell without job control starts
    background commands with SIGINT ignored, and a Python started so never raises KeyboardInterrupt (the render
    would run to its end, exit 0)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.render
@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_a_stopped_render_stops_every_job_and_says_so_in_one_line(tmp_path: Path, signal_name: str) -> None:
    import signal
    import subprocess
    import sys
    import time

    from gradlesson.render import PROJECT_ROOT

    media = tmp_path / "media"
    # the longest beat, as a draft: tens of seconds of frames still to draw once the first clip is being written
    command = [sys.executable, "-m", "gradlesson", "render", "TangentSlopes", "-q", "d", "-j", "1", "--out", str(media)]
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_as_from_a_terminal
    )
    folder = media / "videos" / "tangents" / "270p10"
    clips = folder / "partial_movie_files" / "TangentSlopes"
    deadline = time.monotonic() + 300  # a guard against a hang, not a timing: the job is drawing frames once a clip exists
    while not any(clips.glob("*.mp4")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None and any(clips.glob("*.mp4")), f"the job never started drawing: {process.returncode}"
    process.send_signal(getattr(signal, signal_name))
    _out, err = process.communicate(timeout=60)
    assert process.returncode == (143 if signal_name == "SIGTERM" else 130), err
    assert err.count("\n") == 1 and "every render job was stopped" in err, err
    assert "Traceback" not in err
    assert not (folder / "TangentSlopes.mp4").exists()  # stopped mid-beat, not after it
    children = subprocess.run(["pgrep", "-f", f"--out {media}"], capture_output=True, text=True).stdout.split()
    assert children == [], "a render job outlived gradlesson"


def test_the_default_lesson_is_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --lesson the commands read lessons/intro_to_gradients.toml: a lecturer's edit of it shows."""
    from gradcore import lessonfile

    edited = tmp_path / "intro_to_gradients.toml"
    edited.write_text(lessonfile.DEFAULT_LESSON_FILE.read_text().replace("n = 40", "n = 24"))
    monkeypatch.setattr(lessonfile, "DEFAULT_LESSON_FILE", edited)
    assert main(["export", "--out", str(tmp_path / "out")]) == 0
    document = json.loads((tmp_path / "out" / "lesson.json").read_text())
    assert len(document["dataset"]["x"]) == 24


@pytest.mark.render
def test_two_renders_into_one_folder_both_succeed(tmp_path: Path) -> None:
    """The second waits for the first, then finds its beat cached: no "latex failed", no lost manifest entry."""
    import subprocess
    import sys

    from gradlesson.render import PROJECT_ROOT

    media = tmp_path / "media"

    def start(beat: str) -> subprocess.Popen:
        command = [sys.executable, "-m", "gradlesson", "render", beat, "-q", "d", "-j", "1", "--out", str(media)]
        return subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    runs = [start("FittedLine"), start("FittedLine"), start("DerivativeAsSlope")]
    results = [(p.wait(timeout=600), *p.communicate()) for p in runs]
    assert [code for code, _, _ in results] == [0, 0, 0], [err[-500:] for _, _, err in results]
    manifest = json.loads((media / "cache" / "renders.json").read_text())
    assert {"FittedLine/d", "DerivativeAsSlope/d"} <= set(manifest)
    assert sum("(cached)" in out for _, out, _ in results[:2]) == 1  # one of the two FittedLine renders did the work


def test_a_beat_named_twice_renders_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gradlesson.render as render

    asked: list[list[str]] = []
    monkeypatch.setattr(render, "render_beats", lambda beats, *a, **k: asked.append([b.name for b in beats]) or [])
    main(["render", "FittedLine", "FittedLine", "-q", "l", "--out", str(tmp_path)])
    assert asked == [["FittedLine"]]


def test_formulas_are_kept_in_the_user_cache_or_else_in_the_output_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gradlesson.render import tex_cache

    monkeypatch.setenv("GRADLESSON_TEX_CACHE", str(tmp_path / "cache" / "tex"))
    said: list[str] = []
    assert tex_cache(tmp_path / "media", said.append) == tmp_path / "cache" / "tex" and not said
    blocker = tmp_path / "a_file"  # a file where the cache's folder would be (root may write anywhere else)
    blocker.write_text("")
    monkeypatch.setenv("GRADLESSON_TEX_CACHE", str(blocker / "tex"))
    assert tex_cache(tmp_path / "media", said.append) == tmp_path / "media" / "Tex"
    assert said == [
        f"gradlesson: cannot keep formulas in {blocker / 'tex'} (Not a directory); keeping them in {tmp_path / 'media' / 'Tex'}"
    ]


# every character a folder's name broke a render on, or might: manim's list of clips to join quotes paths in '...' and
# is read line by line, its folder settings are str.format templates, and the TeX folder's setting was once written %%
ODD_NAME = 'it\'s "odd" ~ 100% {b} café\nline'


@pytest.mark.render
def test_a_render_into_an_oddly_named_folder_writes_only_there(tmp_path: Path) -> None:
    """``render FittedLine --out <odd> --contact-sheet`` from another folder: rendered, the contact sheet in
    ``<odd>/contact_sheets`` (the default), nothing in the current folder; the clips stitch."""
    from gradlesson.video import duration, stitch

    here, media = tmp_path / "here", tmp_path / ODD_NAME
    here.mkdir()
    result = gradlesson("render", "FittedLine", "-q", "d", "-j", "1", "--out", str(media), "--contact-sheet", cwd=here)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    video = media / "videos" / "fit" / QUALITIES["d"].folder / "FittedLine.mp4"
    assert (media / "contact_sheets" / "FittedLine.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(here.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["here", ODD_NAME])
    stitched = stitch([video, video], media / "lesson" / "lesson.mp4")
    assert duration(stitched) == pytest.approx(2 * duration(video), abs=0.2)


@pytest.mark.render
def test_a_render_over_a_manifest_that_is_a_folder_succeeds_in_one_line(tmp_path: Path) -> None:
    """``<out>/cache/renders.json`` a folder: said once, the beat rendered, the manifest written; the next render
    finds the beat cached and says nothing of damage."""
    manifest = tmp_path / "cache" / "renders.json"
    (manifest / "inside").mkdir(parents=True)
    command = ("render", "FittedLine", "-q", "d", "-j", "1", "--out", str(tmp_path))
    first = gradlesson(*command)
    assert first.returncode == 0, first.stderr[-2000:]
    said = [line for line in first.stdout.splitlines() + first.stderr.splitlines() if "damaged" in line]
    assert said == [f"gradlesson: {manifest} is damaged; rendering as if nothing were cached"]
    assert "Traceback" not in first.stderr
    assert set(json.loads(manifest.read_text())) == {"FittedLine/d"}
    again = gradlesson(*command)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "(cached)" in again.stdout and "damaged" not in again.stdout + again.stderr
