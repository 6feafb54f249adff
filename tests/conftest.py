"""Shared helpers: run the CLI in a subprocess, probe videos with ffprobe, grab frames with ffmpeg."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

# Labels a lesson file may carry that must never reach TeX (each must be shown as plain text).
TEX_ATTACKS = [
    r"\input{/etc/hostname}",
    r"\include{x}",
    r"\openout1=x",
    r"\write18{touch /tmp/pwned}",
    r"\catcode`\^^5c=12",
    "^^5c",
    "{",
    "}",
    "%",
    "_",
    "&",
    "$",
    "#",
    "~",
    "Größe €",
    "価格",
    "x" * 10_000,
]


def gradlesson(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gradlesson", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


def probe(video: Path) -> dict[str, float]:
    """Duration (s), width, height, frame rate and frame count of a video's first video stream."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
         "format=duration:stream=width,height,r_frame_rate,nb_read_frames", "-of", "json", str(video)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    info = json.loads(out)
    stream = info["streams"][0]
    num, den = (int(v) for v in stream["r_frame_rate"].split("/"))
    return {
        "duration": float(info["format"]["duration"]),
        "width": stream["width"],
        "height": stream["height"],
        "fps": num / den,
        "frames": int(stream["nb_read_frames"]),
    }


def frame_at(video: Path, seconds: float) -> np.ndarray:
    """The RGB frame shown at ``seconds``, as a ``(height, width, 3)`` uint8 array."""
    info = probe(video)
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{seconds}", "-i", str(video), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(info["height"], info["width"], 3)


def shown(num) -> str:
    """The text a DecimalNumber displays for its current value."""
    return num._get_num_string(num.get_value())


@pytest.fixture(scope="session")
def project_root() -> Path:
    return Path(__file__).resolve().parents[1]


# Scene tests render in-process at a small size and low frame rate, once per scene per session.
TEST_FPS = 10
TEST_SIZE = (320, 180)


@dataclass
class Rendered:
    scene: object
    video: Path
    srt: Path
    frames: list = field(default_factory=list)  # what ``record(scene)`` returned at each frame drawn


@contextmanager
def lesson_file(path: Path | None) -> Iterator[None]:
    """Let the scenes draw the lesson file ``path`` (None: the default lesson) while inside; the lesson the
    scenes drew before (and its cache) is back afterwards, so scenes rendered earlier still draw lesson()."""
    from gradcore.lessonfile import load_lesson
    from scenes.toolkit import style

    if path is None:
        yield
        return
    saved = list(style._CHOSEN)
    style.use_lesson(load_lesson(Path(path)))
    try:
        yield
    finally:
        style._CHOSEN[:] = saved


@pytest.fixture(scope="session")
def render_scene(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Rendered]:
    """``render_scene("TangentSlopes")`` renders that beat (cached) and returns the scene object and its video.

    ``lesson``: a lesson file to draw instead of the default lesson. ``record``: a function of the scene, called
    each time the camera has drawn a frame; its results, in order, are ``Rendered.frames`` (a different
    ``record`` renders the beat again)."""
    from manim import tempconfig

    from scenes import BEATS

    done: dict[tuple, Rendered] = {}

    def render(name: str, lesson: Path | None = None, record: Callable[[object], object] | None = None) -> Rendered:
        key = (name, None if lesson is None else str(lesson), record)
        if key not in done:
            beat = next(b for b in BEATS if b.name == name)
            media = tmp_path_factory.mktemp(name)
            settings = {
                "media_dir": str(media),
                "pixel_width": TEST_SIZE[0],
                "pixel_height": TEST_SIZE[1],
                "frame_rate": TEST_FPS,
                "progress_bar": "none",
                "verbosity": "WARNING",
                "disable_caching": True,
            }
            frames: list = []
            with tempconfig(settings), lesson_file(lesson):
                scene = beat.load()()
                if record is not None:
                    camera, capture = scene.camera, scene.camera.capture_mobjects

                    def capture_and_record(*args: object, **kwargs: object) -> None:
                        capture(*args, **kwargs)
                        frames.append(record(scene))

                    camera.capture_mobjects = capture_and_record
                scene.render()
                video = Path(scene.renderer.file_writer.movie_file_path)
            done[key] = Rendered(scene, video, video.with_suffix(".srt"), frames)
        return done[key]

    return render
