"""gradlesson render's progress: the model (frames, time left), the plain lines, the live table, the summary,
and the frame hook (it counts what manim writes)."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from conftest import CLI_RENDER_GROUP, gradlesson, probe
from rich.console import Console

from gradlesson.progress import BeatProgress, LiveProgress, PlainProgress, choose_progress, print_summary
from gradlesson.render import RenderResult
from scenes import BEATS, Beat

FITTED = next(beat for beat in BEATS if beat.name == "FittedLine")
FITTED_DRAFT_FRAMES = 132  # 13.2 s at 10 fps (-q d)


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_a_beat_counts_its_frames_and_time_left_from_the_rate_since_its_first_frame() -> None:
    beat = BeatProgress("FittedLine", total=200)
    assert beat.status == "queued" and beat.elapsed(0.0) is None and beat.time_left(0.0) is None
    beat.start(10.0)
    beat.advance(0, 12.0)  # building the scene: no frame yet, no rate
    assert beat.status == "rendering" and beat.elapsed(12.0) == 2.0 and beat.time_left(12.0) is None
    beat.advance(20, 13.0)  # first frames seen: the rate is measured from here
    assert beat.time_left(13.0) is None
    beat.advance(60, 15.0)  # 40 frames in 2 s: 20 fps, 140 to go
    assert beat.rate(15.0) == pytest.approx(20.0) and beat.time_left(15.0) == pytest.approx(7.0)
    beat.advance(200, 22.0)  # every frame written; manim still joins the clips
    assert beat.status == "finishing" and beat.time_left(22.0) == 0.0
    beat.advance(203, 22.5)  # more frames than planned: the total follows
    assert beat.total == 203
    beat.end("done", 23.0)
    assert beat.elapsed(99.0) == 13.0 and beat.time_left(99.0) is None


def test_plain_progress_says_one_line_per_beat_as_it_ends() -> None:
    lines: list[str] = []
    clock = Clock()
    progress = PlainProgress(lines.append, now=clock)
    with progress:
        progress.cached("A", Path("media/videos/a/480p15/A.mp4"))
        progress.queued("B", 30)
        progress.started("B")
        clock.t += 1
        progress.frames("B", 10)
        progress.show()
        progress.rendered("B", Path("media/videos/b/480p15/B.mp4"), 12.34, 30)
    assert lines == ["media/videos/a/480p15/A.mp4  (cached)", "media/videos/b/480p15/B.mp4  (12.3 s)"]
    assert [(b.name, b.status, b.done) for b in progress.board] == [("A", "cached", 0), ("B", "done", 30)]


def test_the_live_table_shows_every_beat_and_marks_the_unfinished_stopped() -> None:
    screen = io.StringIO()
    clock = Clock()
    progress = LiveProgress(Console(file=screen, force_terminal=True, width=100, color_system=None), now=clock)
    with pytest.raises(KeyboardInterrupt), progress:
        progress.cached("Cached", Path("c.mp4"))
        for name, frames in (("Fast", 40), ("Slow", 300)):
            progress.queued(name, frames)
            progress.started(name)
        progress.frames("Fast", 10)
        progress.frames("Slow", 30)
        clock.t += 3
        progress.frames("Fast", 40)
        progress.frames("Slow", 60)  # 30 frames in 3 s: 240 to go take 24 s
        progress.rendered("Fast", Path("f.mp4"), 3.0, 40)
        last = screen.getvalue()
        raise KeyboardInterrupt
    rows = {line.split()[0]: line.split() for line in last.splitlines()[-3:]}
    assert rows["Fast"][-4:] == ["40/40", "0:03", "–", "done"]
    assert rows["Slow"][-4:] == ["60/300", "0:03", "0:24", "rendering"]
    assert rows["Cached"][-4:] == ["–", "–", "–", "cached"]
    final = {line.split()[0]: line.split() for line in screen.getvalue().splitlines()[-3:]}
    assert final["Slow"][-1] == "stopped" and final["Fast"][-1] == "done"


def test_the_view_is_plain_off_a_terminal_unless_asked() -> None:
    assert isinstance(choose_progress(stderr=io.StringIO(), environ={}), PlainProgress)
    assert isinstance(choose_progress(stderr=io.StringIO(), environ={"GRADLESSON_PROGRESS": "live"}), LiveProgress)
    assert isinstance(choose_progress(stderr=io.StringIO(), environ={"GRADLESSON_PROGRESS": "plain"}), PlainProgress)


def test_the_summary_is_plain_text_with_a_row_per_beat_and_totals(tmp_path: Path) -> None:
    videos = []
    for name, size in (("A", 1_500_000), ("B", 250_000)):
        videos.append(tmp_path / f"{name}.mp4")
        videos[-1].write_bytes(b"\0" * size)
    results = [RenderResult(Beat("A", "a.py"), videos[0], False, 7.25), RenderResult(Beat("B", "b.py"), videos[1], True, 0.0)]
    out = io.StringIO()
    print_summary(results, {videos[0]: 13.2, videos[1]: 4.0}.__getitem__, file=out)
    text = out.getvalue()
    assert "\x1b" not in text and all(line == line.rstrip() for line in text.splitlines())
    rows = [line.split() for line in text.splitlines()]
    assert rows[0] == ["beat", "video", "(s)", "render", "(s)", "size", "(MB)"]
    assert ["A", "13.2", "7.2", "1.5", "rendered"] in rows and ["B", "4.0", "–", "0.2", "cached"] in rows
    assert rows[-1] == ["total", "17.2", "1.8"]


@pytest.mark.render
def test_the_frame_counter_counts_every_frame_manim_writes(tmp_path: Path) -> None:
    from manim import Circle, Create, Scene, tempconfig

    from scenes.toolkit.internals import counting_frames
    from scenes.toolkit.internals.frame_counter import SceneFileWriter

    class Counter:
        value = 0

    class Short(Scene):
        def construct(self) -> None:
            self.play(Create(Circle()), run_time=1.0)  # 10 frames
            self.wait(0.5)  # a held frame: one write with repeat=5
            self.next_section("second")
            self.play(Create(Circle(radius=0.5)), run_time=0.3)  # 3 frames

    counter, original = Counter(), SceneFileWriter.write_frame
    settings = {"media_dir": str(tmp_path), "pixel_width": 160, "pixel_height": 90, "frame_rate": 10, "disable_caching": True}
    with tempconfig({**settings, "progress_bar": "none", "verbosity": "WARNING", "save_sections": True}), counting_frames(counter):
        scene = Short()
        scene.render()
    assert SceneFileWriter.write_frame is original  # put back
    assert counter.value == probe(Path(scene.renderer.file_writer.movie_file_path))["frames"] == 18


LINE = re.compile(r"^(?P<video>\S+\.mp4)  \((?P<how>cached|\d+\.\d s)\)$")


def summary_rows(stdout: str) -> dict[str, list[str]]:
    return {line.split()[0]: line.split() for line in stdout.splitlines() if line.split() and line.split()[0] in {b.name for b in BEATS}}


@pytest.mark.render
@CLI_RENDER_GROUP
def test_render_says_one_plain_line_per_beat_then_a_summary(cli_render, tmp_path: Path) -> None:
    """The shared ``gradlesson render FittedLine DerivativeAsSlope -q d -j 1`` (a pipe: plain lines), then again."""
    first = cli_render.result
    matches = [LINE.match(line) for line in first.stdout.splitlines()[:2]]
    assert all(matches), first.stdout
    video = cli_render.video("FittedLine", "270p10")
    match = next(m for m in matches if m and Path(m["video"]) == video)
    assert match["how"].endswith(" s") and "\x1b" not in first.stdout + first.stderr
    seconds = float(match["how"][:-2])
    row = summary_rows(first.stdout)["FittedLine"]
    assert row[0] == "FittedLine" and row[4] == "rendered" and float(row[2]) == pytest.approx(seconds, abs=0.051)
    assert float(row[1]) == pytest.approx(probe(video)["duration"], abs=0.05)
    assert float(row[3]) == pytest.approx(video.stat().st_size / 1e6, abs=0.051)
    media = tmp_path / "media"
    shutil.copytree(cli_render.media, media)
    again = gradlesson("render", "FittedLine", "-q", "d", "--out", str(media))
    assert again.stdout.splitlines()[0] == f"{media / video.relative_to(cli_render.media)}  (cached)"
    assert summary_rows(again.stdout)["FittedLine"][1:] == [row[1], "–", row[3], "cached"]


@pytest.mark.render
def test_the_live_view_counts_every_frame_of_the_beat(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "GRADLESSON_PROGRESS": "live", "COLUMNS": "100"}
    result = gradlesson("render", "FittedLine", "-q", "d", "--out", str(tmp_path), env=env)  # the draft: cheap
    assert result.returncode == 0, result.stderr[-2000:]
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stderr)  # the live view's colours and cursor moves
    rows = [line.split() for line in screen.splitlines() if line.strip().startswith("FittedLine")]
    assert rows and rows[-1][-4] == f"{FITTED_DRAFT_FRAMES}/{FITTED_DRAFT_FRAMES}" and rows[-1][-1] == "done"
    counts = [int(row[-4].split("/")[0]) for row in rows]
    assert counts == sorted(counts)  # frames only go up
    video = tmp_path / "videos" / "fit" / "270p10" / "FittedLine.mp4"
    assert probe(video)["frames"] == FITTED_DRAFT_FRAMES
    assert "(cached)" not in result.stdout and not LINE.match(result.stdout.splitlines()[0])  # the table, not the lines
    assert summary_rows(result.stdout)["FittedLine"][-1] == "rendered"
