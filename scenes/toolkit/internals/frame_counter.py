"""Count the frames manim writes, for a progress display in another process (see this package's header)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from manim.scene.scene_file_writer import SceneFileWriter

__all__ = ["counting_frames"]


class Counter(Protocol):
    """Anything with an integer ``value``: a ``multiprocessing.RawValue("q")`` shared with a parent process."""

    value: int


@contextmanager
def counting_frames(counter: Counter) -> Iterator[None]:
    """While inside, add to ``counter.value`` every frame this process's scenes hand to manim's file writer
    (``SceneFileWriter.write_frame``, which both renderers call once per frame, or once with ``repeat`` for a
    held frame); the writer is put back afterwards. One integer addition per frame: nothing measurable."""
    write = SceneFileWriter.write_frame

    @functools.wraps(write)
    def write_and_count(self: SceneFileWriter, pixels: Any, *, repeat: int = 1) -> None:
        write(self, pixels, repeat=repeat)
        counter.value += repeat

    SceneFileWriter.write_frame = write_and_count  # type: ignore[method-assign]
    try:
        yield
    finally:
        SceneFileWriter.write_frame = write  # type: ignore[method-assign]
