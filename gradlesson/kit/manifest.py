"""The kit's ``manifest.json``: what a course platform, a script, the presenter, the slides and the handout read.

Every path is relative to the kit folder, with ``/`` separators. Times are seconds in the lesson video
(``lesson.mp4``, the beats one after another, each with its closing fade). Steps are the narrated steps of a
beat; a beat's closing fade to black is in its video and in the lesson's, never a step.

Layout (``NN`` is a 1-based number, two digits)::

    index.html  manifest.json  lesson.pptx  handout.pdf  descent.csv  lesson.json
    lesson.mp4  lesson.vtt  chapters.vtt
    NN-<Beat>/<Beat>.mp4  NN-<Beat>/<Beat>.vtt
    NN-<Beat>/NN-<step key>.mp4 .vtt .gif  -first.png  -last.png
    formulas/<Beat>-NN.svg                      (the beat's formulas, for the handout)
    transparent/<Beat>.webm  transparent/<Beat>.mov   (with --transparent)
    assets/...                                  (the presenter's scripts, styles and reveal.js)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["SCHEMA", "KitBeat", "KitLesson", "KitManifest", "KitStep", "read_manifest"]

SCHEMA = 1


@dataclass(frozen=True)
class KitStep:
    """Step ``number`` (1-based within its beat) ``key`` of a beat, narrated by ``narration``, shown from ``start``
    to ``end`` in the lesson video; its clip (H.264, faststart), captions (WebVTT, one cue), stills of its
    first and last frame (PNG) and a GIF. ``numbers``: the numbers the step states, as the screen shows them."""

    number: int
    key: str
    narration: str
    start: float
    end: float
    video: str
    captions: str
    first: str
    last: str
    gif: str
    numbers: dict[str, str] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return round(self.end - self.start, 6)

    @property
    def stem(self) -> str:
        """``03-DatasetAndModel/02-residuals``: the step's files without their endings."""
        return self.video.removesuffix(".mp4")


@dataclass(frozen=True)
class KitBeat:
    """Beat ``number`` (1-based), the scene ``name`` titled ``title``, from ``start`` to ``end`` in the lesson video
    (its fade included); its video and captions, its formulas (LaTeX as the beat typesets them, and each compiled to
    an SVG), its steps, and with ``--transparent`` its WebM (VP9 with alpha) and MOV (ProRes 4444)."""

    number: int
    name: str
    title: str
    start: float
    end: float
    video: str
    captions: str
    formulas: tuple[str, ...]
    formula_svgs: tuple[str, ...]
    steps: tuple[KitStep, ...]
    transparent: dict[str, str] = field(default_factory=dict)

    @property
    def folder(self) -> str:
        return f"{self.number:02d}-{self.name}"


@dataclass(frozen=True)
class KitLesson:
    """The lesson: its ``title``, the lesson ``file`` it was built from (as given, or the default's path), the
    render quality (``-q`` letter, pixels, frame rate) and the lesson video's length."""

    title: str
    file: str
    quality: str
    width: int
    height: int
    fps: int
    duration: float


@dataclass(frozen=True)
class KitManifest:
    """The whole kit. ``key``: sha256 over everything the kit is built from (its code, the clips' checksums,
    the lesson's numbers, the options); an unchanged key means nothing to rebuild. ``files``: the kit-wide files
    by role (presenter, pptx, handout, video, captions, chapters, descent_csv, lesson_json). ``numbers``: the
    lesson's numbers at full precision (the descent's final m, b and loss, the optimum, the race), for scripts;
    shown numbers go through :mod:`gradcore.format`."""

    key: str
    lesson: KitLesson
    files: dict[str, str]
    beats: tuple[KitBeat, ...]
    numbers: dict[str, Any]
    schema: int = SCHEMA

    @property
    def steps(self) -> list[tuple[KitBeat, KitStep]]:
        """Every step of the lesson in order, with its beat."""
        return [(beat, step) for beat in self.beats for step in beat.steps]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"


def read_manifest(path: Path) -> KitManifest:
    """The manifest at ``path`` (``kit/manifest.json``) as dataclasses; ``ValueError`` if it is not one."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or raw.get("schema") != SCHEMA:
        raise ValueError(f"{path}: not a gradlesson kit manifest of schema {SCHEMA}")
    beats = tuple(
        KitBeat(
            **{
                **beat,
                "formulas": tuple(beat["formulas"]),
                "formula_svgs": tuple(beat["formula_svgs"]),
                "steps": tuple(KitStep(**step) for step in beat["steps"]),
            }
        )
        for beat in raw["beats"]
    )
    return KitManifest(raw["key"], KitLesson(**raw["lesson"]), raw["files"], beats, raw["numbers"], raw["schema"])
