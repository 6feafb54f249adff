"""The lesson's Manim scenes, one per beat, in lesson order (``BEATS``)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gradcore import Lesson
    from scenes.toolkit.narration import Narrated

__all__ = ["BEATS", "Beat", "check_narration"]

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


def check_narration(path: Path | str, lesson: Lesson) -> None:
    """Check each line of the lesson's ``[narration.lines]`` against the beats (imports manim): its beat and step
    exist in this lesson, every ``$name`` it uses is one its step offers, and filled in it fits a subtitle;
    :class:`~gradcore.lessonfile.LessonFileError` naming the first key that does not."""
    from gradcore.lessonfile import LessonFileError, quoted_key
    from gradcore.narration import MAX_LINE, TITLE_KEY, NarrationError, fill

    by_name = {beat.name: beat for beat in BEATS}
    for key, text in lesson.config.narration.lines:
        where = f"[narration.lines] {quoted_key(key)}"
        name, _, step_key = key.partition(".")
        if name not in by_name:
            raise LessonFileError(path, where, f"no beat {name!r}", f"beats: {', '.join(by_name)}; see gradlesson list --steps")
        scene = by_name[name].load()
        values: dict[str, str] = {}
        if step_key != TITLE_KEY:
            steps = {step.key: step for step in scene.script(lesson)}
            if step_key not in steps:
                raise LessonFileError(
                    path,
                    where,
                    f"{name} has no step {step_key!r} in this lesson",
                    f"its steps: {', '.join(steps)}, title; see gradlesson list --steps",
                )
            values = dict(steps[step_key].values)
        try:
            filled = fill(text, values)
        except NarrationError as error:
            raise LessonFileError(path, where, error.problem, error.fix) from None
        if len(filled) > MAX_LINE:
            raise LessonFileError(
                path,
                where,
                f"{len(filled)} characters with its numbers filled in, too long for a subtitle",
                f"shorten it to at most {MAX_LINE} characters",
            )
