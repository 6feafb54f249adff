"""The ``gradlesson`` command: check, export and render."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import numpy as np
import pytest
from conftest import frame_at, gradlesson, probe

from gradcore import build_lesson


def test_export_reproduces_the_seed(tmp_path: Path) -> None:
    result = gradlesson("export", "--out", str(tmp_path / "notes"))
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader((tmp_path / "notes" / "descent.csv").open()))
    assert rows[0] == ["step", "m", "b", "loss", "dL_dm", "dL_db"]
    assert len(rows) == 102 and [int(r[0]) for r in rows[1:]] == list(range(101))
    assert rows[-1][1:3] == ["1.9181494319433217", "-3.235905316463203"]
    descent = build_lesson().descent
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


def test_export_to_an_unwritable_folder_is_one_line_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    result = gradlesson("export", "--out", str(blocker / "notes"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "cannot write to output folder" in result.stderr


def test_check_passes_here() -> None:
    result = gradlesson("check")
    assert result.returncode == 0, result.stdout
    names = [line.split()[1] for line in result.stdout.splitlines()]
    assert names == ["python", "manim", "cairo", "pango", "LaTeX", "dvisvgm", "PyAV", "ffmpeg"]


def test_check_names_what_is_missing_and_the_fix(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}  # no latex, dvisvgm or ffmpeg on this PATH
    result = gradlesson("check", env=env)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    for name in ("LaTeX", "dvisvgm", "ffmpeg"):
        index = next(i for i, line in enumerate(lines) if line.split()[1] == name)
        assert lines[index].startswith("MISSING")
        assert lines[index + 1].strip().startswith("fix: `apt-get install")
    assert next(line for line in lines if line.split()[1] == "manim").startswith("ok")


def test_render_refuses_an_unknown_scene_before_rendering(tmp_path: Path) -> None:
    result = gradlesson("render", "NoSuchScene", "--out", str(tmp_path / "media"))
    assert result.returncode == 2
    assert "unknown scene 'NoSuchScene'; choose from:" in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "media").exists()


def test_render_without_latex_fails_before_rendering(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}
    result = gradlesson("render", "-q", "l", "--out", str(tmp_path / "media"), env=env)
    assert result.returncode == 2 and "LaTeX is missing" in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "media").exists()


@pytest.mark.render
def test_render_one_scene_low_quality(tmp_path: Path) -> None:
    result = gradlesson("render", "TangentSlopes", "-q", "l", "--out", str(tmp_path / "media"))
    assert result.returncode == 0, result.stderr[-2000:]
    video = next((tmp_path / "media").rglob("480p15/TangentSlopes.mp4"))
    info = probe(video)
    assert (info["width"], info["height"], info["fps"]) == (854, 480, 15)
    assert info["duration"] == pytest.approx(10, abs=0.1) and info["frames"] == 150
    for t in (1.0, 5.0, 9.5):
        assert frame_at(video, t).max() > 100  # something bright is on screen
