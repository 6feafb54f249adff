"""What ``gradlesson render`` shows while it works and when it is done.

:class:`Board` is the model: per beat, frames written of the frames its plan has, elapsed time, time left
(from the frame rate since its first frame was seen), status. The render loop reports to a :class:`Progress`:

- :class:`PlainProgress` prints one line per beat when it ends (``<video>  (cached)``, ``<video>  (12.3 s)``),
  for logs, pipes and tests;
- :class:`LiveProgress` redraws a rich table of every beat a few times a second on a terminal. It draws
  only when the render loop asks (no drawing thread: the jobs are forked while it is on screen).

:func:`choose_progress` picks one (a terminal, or ``GRADLESSON_PROGRESS=live`` / ``plain``);
:func:`summary` is the table printed at the end (beat, video length, render time, size, cached or rendered).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING

from rich import box
from rich.console import Console, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from gradlesson.render import RenderResult

__all__ = [
    "PROGRESS_ENV",
    "BeatProgress",
    "Board",
    "LiveProgress",
    "PlainProgress",
    "Progress",
    "choose_progress",
    "clock",
    "print_summary",
    "summary",
]

PROGRESS_ENV = "GRADLESSON_PROGRESS"  # "live" or "plain": overrides whether stderr is a terminal
REFRESH = 0.25  # seconds between redraws of the live view
BAR_WIDTH = 24

clock = time.perf_counter


@dataclass
class BeatProgress:
    """One beat's render as the parent sees it: ``done`` of ``total`` frames (``total`` from its plan)."""

    name: str
    total: int | None = None  # None: not known (a cached beat, whose plan is not loaded)
    done: int = 0
    status: str = "queued"  # queued, rendering, finishing (every frame written), done, cached, failed, stopped
    started: float | None = None
    ended: float | None = None
    first: tuple[float, int] | None = None  # (time, frames) when frames were first seen: the rate is measured from here

    def start(self, now: float) -> None:
        self.status, self.started = "rendering", now

    def advance(self, done: int, now: float) -> None:
        """``done`` frames written by ``now``; a count past the plan's total raises the total with it."""
        if done > 0 and self.first is None:
            self.first = (now, done)
        self.done = done
        if self.total is not None and done > self.total:
            self.total = done
        if self.status == "rendering" and self.total is not None and done >= self.total:
            self.status = "finishing"  # manim still joins the clips and cuts the sections

    def end(self, status: str, now: float) -> None:
        self.status, self.ended = status, now

    def elapsed(self, now: float) -> float | None:
        if self.started is None:
            return None
        return (self.ended if self.ended is not None else now) - self.started

    def rate(self, now: float) -> float | None:
        """Frames per second since frames were first seen (None until more have come)."""
        if self.first is None or now <= self.first[0] or self.done <= self.first[1]:
            return None
        return (self.done - self.first[1]) / (now - self.first[0])

    def time_left(self, now: float) -> float | None:
        """Seconds until the last frame at the rate so far; 0 once every frame is written; None if not known."""
        if self.status not in ("rendering", "finishing") or self.total is None:
            return None
        if self.done >= self.total:
            return 0.0
        rate = self.rate(now)
        return None if rate is None else (self.total - self.done) / rate


class Board:
    """Every beat of one render, in the order they were reported."""

    def __init__(self) -> None:
        self.beats: dict[str, BeatProgress] = {}

    def __getitem__(self, name: str) -> BeatProgress:
        return self.beats.setdefault(name, BeatProgress(name))

    def __iter__(self) -> Iterator[BeatProgress]:
        return iter(self.beats.values())


class Progress:
    """What the render loop reports to; keeps the :class:`Board` and shows nothing (subclasses do)."""

    interval: float | None = None  # how often the loop should call :meth:`frames` and :meth:`show` (None: never)

    def __init__(self, now: Callable[[], float] = clock) -> None:
        self.board = Board()
        self.now = now

    def cached(self, name: str, video: Path) -> None:
        self.board[name].end("cached", self.now())
        self.show()

    def queued(self, name: str, frames: int) -> None:
        self.board[name].total = frames

    def started(self, name: str) -> None:
        self.board[name].start(self.now())
        self.show()

    def frames(self, name: str, done: int) -> None:
        self.board[name].advance(done, self.now())

    def rendered(self, name: str, video: Path, seconds: float, frames: int) -> None:
        beat = self.board[name]
        beat.advance(frames, self.now())
        beat.end("done", self.now())
        self.show()

    def failed(self, name: str) -> None:
        self.board[name].end("failed", self.now())
        self.show()

    def show(self) -> None:
        """Bring what is on screen up to date."""

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if kind is not None:  # a failure elsewhere or Ctrl-C/SIGTERM: what was still to do was stopped
            for beat in self.board:
                if beat.status in ("queued", "rendering", "finishing"):
                    beat.end("stopped", self.now())
        self.show()


class PlainProgress(Progress):
    """One line per beat, through ``log``, when it ends: ``<video>  (cached)`` or ``<video>  (12.3 s)``."""

    def __init__(self, log: Callable[[str], None] = print, now: Callable[[], float] = clock) -> None:
        super().__init__(now)
        self.log = log

    def cached(self, name: str, video: Path) -> None:
        super().cached(name, video)
        self.log(f"{video}  (cached)")

    def rendered(self, name: str, video: Path, seconds: float, frames: int) -> None:
        super().rendered(name, video, seconds, frames)
        self.log(f"{video}  ({seconds:.1f} s)")


def _clock_text(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


STYLES = {
    "queued": "dim",
    "rendering": "cyan",
    "finishing": "cyan",
    "done": "green",
    "cached": "green",
    "failed": "bold red",
    "stopped": "yellow",
}


def board_table(board: Board, now: float) -> RenderableType:
    """The live view: one row per beat (name, bar, frames done/total, elapsed, time left, status)."""
    if not board.beats:
        return Text("gradlesson: checking what needs rendering…", style="dim")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    for heading, justify in (
        ("beat", "left"),
        ("", "left"),
        ("frames", "right"),
        ("elapsed", "right"),
        ("left", "right"),
        ("status", "left"),
    ):
        table.add_column(heading, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for beat in board:
        bar: RenderableType = Text("")
        if beat.status == "cached":
            bar = ProgressBar(total=1, completed=1, width=BAR_WIDTH)
        elif beat.total:
            bar = ProgressBar(total=beat.total, completed=beat.done, width=BAR_WIDTH)
        table.add_row(
            beat.name,
            bar,
            f"{beat.done}/{beat.total}" if beat.total is not None else "–",
            _clock_text(beat.elapsed(now)),
            _clock_text(beat.time_left(now)),
            Text(beat.status, style=STYLES.get(beat.status, "")),
        )
    return table


class LiveProgress(Progress):
    """A rich ``Live`` table of every beat on ``console``, redrawn each :data:`REFRESH` seconds by the render loop.

    Lines printed while it is on screen (``print`` goes through rich) appear above it; on leaving, the last
    table stays on screen, with any beat still queued or rendering marked stopped."""

    interval = REFRESH

    def __init__(self, console: Console, now: Callable[[], float] = clock) -> None:
        super().__init__(now)
        self.console = console
        self.live = Live(console=console, auto_refresh=False, transient=False, redirect_stdout=True, redirect_stderr=False)

    def show(self) -> None:
        if self.live.is_started:
            self.live.update(board_table(self.board, self.now()), refresh=True)

    def __enter__(self) -> LiveProgress:
        self.live.start()
        self.show()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        try:
            super().__exit__(kind, error, trace)
        finally:
            self.live.stop()


def choose_progress(log: Callable[[str], None] = print, stderr: IO[str] | None = None, environ: dict[str, str] | None = None) -> Progress:
    """:class:`LiveProgress` on ``stderr`` if it is a terminal (and stdout too, so that a redirected output
    still gets its lines), else :class:`PlainProgress`; ``GRADLESSON_PROGRESS=live`` or ``plain`` decides instead."""
    stderr = stderr if stderr is not None else sys.stderr
    wanted = (environ if environ is not None else os.environ).get(PROGRESS_ENV, "").strip().lower()
    if wanted == "live":
        return LiveProgress(Console(file=stderr, force_terminal=True))
    console = Console(file=stderr)
    if wanted != "plain" and console.is_terminal and sys.stdout.isatty():
        return LiveProgress(console)
    return PlainProgress(log)


def summary(results: Iterable[RenderResult], length: Callable[[Path], float]) -> Table:
    """Beat, video length (s, ``length`` of its file), render time (s), size (MB), cached or rendered, and totals."""
    table = Table(box=box.SIMPLE, show_edge=False, show_footer=True)
    rows = [(r.beat.name, length(r.video), r.seconds, r.video.stat().st_size / 1e6, "cached" if r.cached else "rendered") for r in results]
    total_video, total_size = sum(row[1] for row in rows), sum(row[3] for row in rows)
    table.add_column("beat", footer="total", no_wrap=True)
    table.add_column("video (s)", footer=f"{total_video:.1f}", justify="right")
    table.add_column("render (s)", footer="", justify="right")
    table.add_column("size (MB)", footer=f"{total_size:.1f}", justify="right")
    table.add_column("", footer="", no_wrap=True)
    for name, video, seconds, size, how in rows:
        table.add_row(name, f"{video:.1f}", "–" if how == "cached" else f"{seconds:.1f}", f"{size:.1f}", how)
    return table


def print_summary(results: Iterable[RenderResult], length: Callable[[Path], float], file: IO[str] | None = None) -> None:
    """:func:`summary` on ``file`` (stdout): plain text, no colours, when it is not a terminal."""
    console = Console(file=file if file is not None else sys.stdout)
    with console.capture() as captured:
        console.print(summary(results, length))
    console.file.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
    console.file.flush()
