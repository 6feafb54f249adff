"""The render qualities ``gradlesson render -q`` takes: one table for the CLI, the render jobs and the tests."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["QUALITIES", "Quality"]


@dataclass(frozen=True)
class Quality:
    """Quality ``letter``: manim's quality ``manim`` (its ``--quality`` name), ``width`` × ``height`` pixels at
    ``fps`` frames a second, written into manim's folder ``videos/<scene file>/<folder>``."""

    letter: str
    manim: str
    width: int
    height: int
    fps: int

    @property
    def folder(self) -> str:
        """manim's folder for the quality: ``480p15``."""
        return f"{self.height}p{self.fps}"

    @property
    def text(self) -> str:
        """``l 480p15``, as the CLI's help lists it."""
        return f"{self.letter} {self.folder}"


QUALITIES: dict[str, Quality] = {
    q.letter: q
    for q in (
        Quality("l", "low_quality", 854, 480, 15),
        Quality("m", "medium_quality", 1280, 720, 30),
        Quality("h", "high_quality", 1920, 1080, 60),
        Quality("k", "fourk_quality", 3840, 2160, 60),
    )
}
