"""The ``gradlesson`` command: check, export and render."""

from __future__ import annotations

import csv
import fcntl
import itertools
import json
import os
from pathlib import Path

import numpy as np
import pytest
from conftest import CLI_RENDER_GROUP, ROOT, fork_main, frame_at, gradlesson_here, probe, renders_lesson, seed_lesson, wait_forked

from gradlesson.quality import QUALITIES


def test_export_reproduces_the_seed(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    result = gradlesson_here(capfd, "export", "--out", str(tmp_path / "notes"))
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader((tmp_path / "notes" / "descent.csv").open()))
    assert rows[0] == ["step", "m", "b", "loss", "dL_dm", "dL_db"]
    assert len(rows) == 102 and [int(r[0]) for r in rows[1:]] == list(range(101))
    assert rows[-1][1:3] == ["1.9181494319433217", "-3.235905316463203"]
    descent = seed_lesson().descent
    numbers = np.array([[float(v) for v in r[1:]] for r in rows[1:]])
    np.testing.assert_array_equal(numbers, np.column_stack([descent.params, descent.loss, descent.grad]))

    doc = json.loads((tmp_path / "notes" / "lesson.json").read_text())
    assert len(doc["dataset"]["x"]) == len(doc["dataset"]["y"]) == 40
    assert doc["descent"]["final"]["m"] == 1.9181494319433217
    assert doc["descent"]["final"]["b"] == -3.235905316463203
    A = np.column_stack([doc["dataset"]["x"], np.ones(40)])
    m, b = np.linalg.lstsq(A, np.array(doc["dataset"]["y"]), rcond=None)[0]
    assert doc["optimum"]["m"] == pytest.approx(m, rel=1e-12) and doc["optimum"]["b"] == pytest.approx(b, rel=1e-12)
    assert doc["optimum"]["loss"] < doc["descent"]["final"]["loss"]


def test_export_to_an_unwritable_folder_is_one_line_exit_2(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    result = gradlesson_here(capfd, "export", "--out", str(blocker / "notes"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "cannot write to output folder" in result.stderr


def test_check_passes_here(capfd: pytest.CaptureFixture[str]) -> None:
    result = gradlesson_here(capfd, "check")
    assert result.returncode == 0, result.stdout
    names = [line.split()[1] for line in result.stdout.splitlines()]
    assert names == ["python", "manim", "cairo", "pango", "LaTeX", "dvisvgm", "PyAV", "ffmpeg"]


def test_check_names_what_is_missing_and_the_fix(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no latex, dvisvgm or ffmpeg on this PATH
    result = gradlesson_here(capfd, "check")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    for name in ("LaTeX", "dvisvgm", "ffmpeg"):
        index = next(i for i, line in enumerate(lines) if line.split()[1] == name)
        assert lines[index].startswith("MISSING")
        assert lines[index + 1].strip().startswith("fix: `apt-get install")
    assert next(line for line in lines if line.split()[1] == "manim").startswith("ok")


def test_render_refuses_an_unknown_scene_before_rendering(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    result = gradlesson_here(capfd, "render", "NoSuchScene", "--out", str(tmp_path / "media"))
    assert result.returncode == 2
    assert "unknown scene 'NoSuchScene'; choose from:" in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "media").exists()


def test_render_without_latex_fails_before_rendering(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = gradlesson_here(capfd, "render", "-q", "l", "--out", str(tmp_path / "media"))
    assert result.returncode == 2 and "LaTeX is missing" in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "media").exists()


def test_an_unwritable_contact_sheet_folder_is_refused_before_anything_is_written(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a_file"  # a file where the folder would be (root may write anywhere else)
    blocker.write_text("")
    media = tmp_path / "media"
    result = gradlesson_here(capfd, "render", "FittedLine", "-q", "d", "--out", str(media), "--contact-sheet", str(blocker / "sheets"))
    line = f"gradlesson: cannot write to output folder {blocker / 'sheets'}: Not a directory; choose another with --contact-sheet\n"
    assert result.returncode == 2 and result.stderr == line
    assert not media.exists()


def test_contact_sheets_default_into_the_output_folder(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--contact-sheet`` without DIR: ``<out>/contact_sheets``, not the current folder (a render that writes the
    PNG there: test_pipeline_faults' oddly named folder)."""
    import gradlesson.render as render

    monkeypatch.setattr(render, "render_beats", lambda *args, **kwargs: [])
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    result = gradlesson_here(capfd, "render", "FittedLine", "-q", "d", "--out", str(tmp_path / "media"), "--contact-sheet")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "media" / "contact_sheets").is_dir() and list(here.iterdir()) == []


def test_list_prints_the_beats_in_order_with_their_planned_durations(capfd: pytest.CaptureFixture[str]) -> None:
    from scenes import BEATS
    from scenes.toolkit.style import lesson

    result = gradlesson_here(capfd, "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(BEATS) + 1
    for number, (line, beat) in enumerate(zip(lines, BEATS, strict=False), start=1):
        fields = line.split()
        assert fields[:2] == [f"{number}.", beat.name]
        assert float(fields[2]) == pytest.approx(beat.load().duration(lesson()), abs=0.05)
    total = sum(beat.load().duration(lesson()) for beat in BEATS)
    assert lines[-1].split()[:2] == ["lesson", f"{total:.1f}"]


@pytest.mark.render
@CLI_RENDER_GROUP
@pytest.mark.parametrize("name", ["FittedLine", "DerivativeAsSlope"])
def test_rendered_scenes_have_sections_subtitles_and_a_contact_sheet(cli_render, name: str) -> None:
    """``gradlesson render FittedLine DerivativeAsSlope -q d -j 1 --contact-sheet DIR`` (shared with test_render_pipeline)."""
    from scenes import BEATS
    from scenes.toolkit.style import lesson

    draft = QUALITIES["d"]
    video = cli_render.video(name, draft.folder)
    folder = video.parent
    info = probe(video)
    plan = next(b for b in BEATS if b.name == name).load().plan(lesson())
    assert (info["width"], info["height"], info["fps"]) == (draft.width, draft.height, draft.fps) == (480, 270, 10)
    assert info["duration"] == pytest.approx(sum(s.seconds for s in plan), abs=len(plan) / draft.fps)
    assert frame_at(video, info["duration"] / 2).max() > 100
    # one clip per step for slides, one subtitle line per step
    clips = sorted((folder / "sections").glob(f"{name}_*.mp4"))
    assert len(clips) == len(plan)
    assert sum(probe(c)["duration"] for c in clips) == pytest.approx(info["duration"], abs=0.2)
    srt = video.with_suffix(".srt").read_text()
    assert [line for line in srt.splitlines() if line and not line[0].isdigit()] == [s.caption for s in plan if s.caption]
    # some of the scenes are not stitched; the contact sheet is a small PNG
    assert not (cli_render.media / "lesson").exists()
    sheet = cli_render.sheets / f"{name}.png"
    assert sheet.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and sheet.stat().st_size < 300_000


@renders_lesson("sine")
def test_stitched_lesson_lasts_the_sum_of_its_scenes(lesson_render) -> None:
    """The lesson ``gradlesson render -q d --lesson lessons/sine.toml`` stitched (shared with test_lessonfile)."""
    import srt

    from gradlesson.video import duration
    from scenes import BEATS
    from scenes.toolkit.narration import FADE_OUT

    rendered = lesson_render("sine")
    assert rendered.result.returncode == 0, rendered.result.stderr[-2000:]
    videos = [rendered.video(beat.name, "270p10") for beat in BEATS]
    lesson_video = rendered.media / "lesson" / "lesson.mp4"
    assert rendered.result.stdout.splitlines()[-1] == str(lesson_video)  # stitched once every beat was rendered
    assert duration(lesson_video) == pytest.approx(sum(duration(v) for v in videos), abs=0.05)
    cues = list(srt.parse(lesson_video.with_suffix(".srt").read_text()))
    per_scene = [list(srt.parse(v.with_suffix(".srt").read_text())) for v in videos]
    assert len(cues) == sum(len(c) for c in per_scene)
    fade = FADE_OUT.seconds  # the closing fade has no subtitle
    assert cues[-1].end.total_seconds() == pytest.approx(duration(lesson_video) - fade, abs=0.15)
    assert all(a.start <= b.start for a, b in itertools.pairwise(cues))
    assert sorted(p.name for p in lesson_video.parent.iterdir()) == ["lesson.mp4", "lesson.srt"]  # no temporaries left
    assert lesson_video.stat().st_mode & 0o044 == 0o044  # readable by others, like any rendered video


def broken_latex(folder: Path) -> dict[str, str]:
    """An environment whose ``latex`` is on PATH but exits 1, as a half-installed TeX Live does."""
    fake = folder / "bin" / "latex"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "! LaTeX Error: File standalone.cls not found." > probe.log\nexit 1\n')
    fake.chmod(0o755)
    return {**os.environ, "PATH": f"{fake.parent}:{os.environ['PATH']}"}


def test_check_fails_when_latex_is_there_but_cannot_compile(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", broken_latex(tmp_path)["PATH"])
    result = gradlesson_here(capfd, "check")
    assert result.returncode == 1
    line = next(line for line in result.stdout.splitlines() if " LaTeX " in line)
    assert line.startswith("MISSING") and "cannot compile a formula (exit 1: ! LaTeX Error: File standalone.cls not found.)" in line


def test_render_with_a_broken_latex_stops_before_rendering(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", broken_latex(tmp_path)["PATH"])
    result = gradlesson_here(capfd, "render", "FittedLine", "-q", "l", "--out", str(tmp_path / "media"))
    assert result.returncode == 2 and "LaTeX is missing" in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "media").exists()


def _subcommands() -> list[str]:
    """Every subcommand the parser has."""
    import argparse

    from gradlesson.cli import _parser

    return [name for action in _parser()._actions if isinstance(action, argparse._SubParsersAction) for name in action.choices]


def test_the_help_test_covers_every_subcommand() -> None:
    assert {"check", "export", "list", "render", "kit"} <= set(_subcommands())


@pytest.mark.parametrize("command", [[], *([name] for name in _subcommands())], ids=lambda c: " ".join(c) or "gradlesson")
def test_help_is_plain_text_without_rst_markup(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from gradlesson.cli import main

    with pytest.raises(SystemExit) as stop:
        main([*command, "--help"])
    text = capsys.readouterr().out
    assert stop.value.code == 0 and text.startswith("usage: gradlesson")
    assert "``" not in text and ":class:" not in text and ":func:" not in text


def test_a_reader_that_goes_away_gets_no_traceback(tmp_path: Path) -> None:
    """``gradlesson list --steps | head -1``: the pipe closes early; the command stops quietly. The pipe holds 4 kB
    and the reader reads once: the command's 10 kB cannot all be written before it goes away. In a fork of this
    process (no second spent importing), whose stdout is block-buffered as a process's is without PYTHONUNBUFFERED
    (this machine sets it): the last lines are written by the last flush, which once failed at exit (code 120)."""
    read, write = os.pipe()
    fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, 4096)
    with (tmp_path / "stderr").open("w+b") as err:
        pid = fork_main(["list", "--steps"], write, err.fileno(), parents=[read])
        os.close(write)
        with os.fdopen(read, "rb") as pipe:
            first = pipe.readline()
        code = wait_forked(pid, 120, "gradlesson list --steps")
        err.seek(0)
        error = err.read().decode()
    assert code == 0 and first.startswith(b"DerivativeAsSlope") and not error, error


def test_list_names_each_beats_file_where_it_is(capfd: pytest.CaptureFixture[str]) -> None:
    result = gradlesson_here(capfd, "list")  # its own process: test_list_prints_the_beats_in_order...
    from scenes import BEATS

    for beat in BEATS:
        path = next(line.split()[-1] for line in result.stdout.splitlines() if beat.name in line)
        assert (ROOT / path).is_file(), path
