"""The render qualities ``gradlesson render -q`` takes: one table for the CLI, the render jobs and the tests."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["QUALITIES", "Quality"]


@dataclass(frozen=True)
class Quality:
    """Quality ``letter``: ``width`` × ``height`` pixels at ``fps`` frames a second, written into manim's folder
    ``videos/<scene file>/<folder>``; ``manim`` is manim's name for it (its ``--quality``), None for the draft,
    which manim has no name for."""

    letter: str
    manim: str | None
    width: int
    height: int
    fps: int
    note: str = ""

    @property
    def folder(self) -> str:
        """manim's folder for the quality: ``480p15``."""
        return f"{self.height}p{self.fps}"

    @property
    def text(self) -> str:
        """``l 480p15``, as the CLI's help lists it."""
        return f"{self.letter} {self.folder}" + (f" ({self.note})" if self.note else "")

    @property
    def settings(self) -> dict[str, object]:
        """manim's config for it: its named quality, or the draft's size and frame rate."""
        if self.manim:
            return {"quality": self.manim}
        return {"pixel_width": self.width, "pixel_height": self.height, "frame_rate": self.fps}


QUALITIES: dict[str, Quality] = {
    q.letter: q
    for q in (
        # timing, layout and subtitles at a fraction of the cost of l
        Quality("d", None, 480, 270, 10, "draft preview"),
        Quality("l", "low_quality", 854, 480, 15),
        Quality("m", "medium_quality", 1280, 720, 30),
        Quality("h", "high_quality", 1920, 1080, 60),
        Quality("k", "fourk_quality", 3840, 2160, 60),
    )
}
