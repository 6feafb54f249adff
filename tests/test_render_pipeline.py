"""gradlesson render: parallel jobs, a cache keyed on what each beat depends on, no reuse of broken clips."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CLI_RENDER_GROUP, gradlesson

from gradlesson.quality import QUALITIES
from gradlesson.render import PROJECT_ROOT, _project_imports, scene_key
from scenes import BEATS

BY_NAME = {beat.name: beat for beat in BEATS}


def frame_hashes(video: Path) -> list[str]:
    """MD5 of every decoded frame: equal pictures whatever the container bytes."""
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-f", "framemd5", "-"], capture_output=True, text=True, check=True)
    return [line.split(",")[-1].strip() for line in out.stdout.splitlines() if not line.startswith("#")]


def test_a_beat_depends_on_the_modules_it_imports_and_no_others() -> None:
    derivative = {p.relative_to(PROJECT_ROOT).as_posix() for p in _project_imports(BY_NAME["DerivativeAsSlope"].path)}
    fit = {p.relative_to(PROJECT_ROOT).as_posix() for p in _project_imports(BY_NAME["FittedLine"].path)}
    assert {
        "scenes/beats/derivative.py",
        "scenes/toolkit/builders.py",
        "scenes/toolkit/style.py",
        "scenes/toolkit/narration.py",
    } <= derivative
    assert "scenes/beats/tangents.py" not in fit and "scenes/beats/contours.py" not in fit
    assert {"scenes/beats/fit.py", "scenes/toolkit/builders.py", "scenes/toolkit/style.py"} <= fit


def test_a_beats_key_follows_its_relative_imports(tmp_path: Path) -> None:
    files = {
        "scenes/__init__.py": "",
        "scenes/beats/__init__.py": "",
        "scenes/beats/derivative.py": "from .tangents import TangentSlopes\nfrom . import race\nfrom ..toolkit import style\n",
        "scenes/beats/tangents.py": "",
        "scenes/beats/race.py": "",
        "scenes/beats/fit.py": "",
        "scenes/toolkit/__init__.py": "",
        "scenes/toolkit/style.py": "from .builders import merged\n",
        "scenes/toolkit/builders.py": "",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = {p.relative_to(tmp_path).as_posix() for p in _project_imports(tmp_path / "scenes/beats/derivative.py", tmp_path)}
    assert found == set(files) - {"scenes/__init__.py", "scenes/beats/fit.py"}


DRAFT = QUALITIES["d"].folder  # 270p10
KEYS = "import json; from gradlesson.render import scene_key; from scenes import BEATS; print(json.dumps({b.name: scene_key(b, 'l') for b in BEATS}))"


def test_keys_differ_by_beat_and_quality_and_are_stable(tmp_path: Path) -> None:
    keys = {f"{beat.name}/{q}": scene_key(beat, q) for beat in BEATS for q in QUALITIES}  # every letter, the draft too
    assert len(set(keys.values())) == len(QUALITIES) * len(BEATS)
    # stable: another process (another hash seed, another working folder) computes the same keys
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    fresh = subprocess.run([sys.executable, "-c", KEYS], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert fresh.returncode == 0, fresh.stderr
    assert json.loads(fresh.stdout) == {beat.name: keys[f"{beat.name}/l"] for beat in BEATS}
    # and a save that changes nothing (a new modification time, as a checkout gives) keeps the key
    beat = BY_NAME["FittedLine"]
    before = beat.path.stat()
    try:
        os.utime(beat.path, ns=(before.st_atime_ns, before.st_mtime_ns + 10**9))
        assert scene_key(beat, "l") == keys["FittedLine/l"]
    finally:
        os.utime(beat.path, ns=(before.st_atime_ns, before.st_mtime_ns))


@pytest.mark.render
@CLI_RENDER_GROUP
def test_second_render_is_cached_and_a_truncated_clip_is_rendered_again(cli_render, tmp_path: Path) -> None:
    media = tmp_path / "media"
    shutil.copytree(cli_render.media, media)  # the first render: FittedLine (and DerivativeAsSlope) rendered here
    video = media / "videos" / "fit" / DRAFT / "FittedLine.mp4"
    frames = frame_hashes(video)
    second = gradlesson("render", "FittedLine", "-q", "d", "--out", str(media))
    assert "(cached)" in second.stdout and frame_hashes(video) == frames
    # a killed render leaves a truncated file: it must not be reused
    video.write_bytes(video.read_bytes()[: video.stat().st_size // 3])
    third = gradlesson("render", "FittedLine", "-q", "d", "--out", str(media))
    assert third.returncode == 0 and "(cached)" not in third.stdout
    assert frame_hashes(video) == frames


@pytest.mark.render
@CLI_RENDER_GROUP
def test_parallel_render_equals_serial_render(cli_render, tmp_path: Path) -> None:
    names = ["FittedLine", "DerivativeAsSlope"]  # cli_render rendered these with -j 1
    result = gradlesson("render", *names, "-q", "d", "-j", "2", "--out", str(tmp_path / "jobs2"))
    assert result.returncode == 0, result.stderr[-2000:]
    for name in names:
        stem = BY_NAME[name].path.stem
        serial, parallel = cli_render.video(name, DRAFT), tmp_path / "jobs2" / "videos" / stem / DRAFT / f"{name}.mp4"
        assert frame_hashes(serial) == frame_hashes(parallel)


def test_a_failed_job_names_the_beat_and_the_error_in_one_line_and_caches_nothing(tmp_path: Path) -> None:
    from manim import Scene

    from gradlesson.render import render_beats
    from scenes import Beat

    class Boom(Scene):
        @classmethod
        def duration(cls, lesson: object) -> float:
            return 1.0

        def construct(self) -> None:
            raise ValueError("the scene broke")

    class BrokenBeat(Beat):
        def load(self) -> type:
            return Boom  # the forked job inherits this class from the test process

    with pytest.raises(RuntimeError, match=r"^rendering Boom failed: ValueError: the scene broke \(manim's log: .*Boom\.log\)$") as info:
        render_beats([BrokenBeat("Boom", "fit.py")], "l", tmp_path, jobs=1, log=lambda line: None)
    log = tmp_path / "logs" / "Boom.log"
    assert str(log) in str(info.value) and "the scene broke" in log.read_text()  # kept, with manim's traceback
    assert "Boom/l" not in (tmp_path / "cache" / "renders.json").read_text()
