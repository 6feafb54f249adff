"""The lesson's Manim scenes, one per beat, in lesson order (``BEATS``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["BEATS", "Beat"]

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Beat:
    """A scene class ``name`` in ``scenes/<file>``."""

    name: str
    file: str

    @property
    def path(self) -> Path:
        return HERE / self.file


BEATS: tuple[Beat, ...] = (Beat("TangentSlopes", "tangents.py"),)
