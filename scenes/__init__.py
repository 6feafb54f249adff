"""The lesson's Manim scenes, one per beat, in lesson order (``BEATS``)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scenes.toolkit.narration import Narrated

__all__ = ["BEATS", "Beat"]

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Beat:
    """A scene class ``name`` in ``scenes/beats/<file>``."""

    name: str
    file: str

    @property
    def path(self) -> Path:
        return HERE / "beats" / self.file

    @property
    def module(self) -> str:
        return f"scenes.beats.{Path(self.file).stem}"

    def load(self) -> type[Narrated]:
        """The scene class (imports manim)."""
        return getattr(importlib.import_module(self.module), self.name)


BEATS: tuple[Beat, ...] = (
    Beat("DerivativeAsSlope", "derivative.py"),
    Beat("TangentSlopes", "tangents.py"),
    Beat("DatasetAndModel", "dataset.py"),
    Beat("LossCurves", "loss_curves.py"),
    Beat("LossSurface", "surface.py"),
    Beat("DescentOnContours", "contours.py"),
    Beat("FittedLine", "fit.py"),
    Beat("OptimizerRace", "race.py"),
    Beat("LearningRateClinic", "clinic.py"),
)
