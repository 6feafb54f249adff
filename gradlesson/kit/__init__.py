"""The lecture kit: ``gradlesson kit`` builds ``<media>/kit/`` from the rendered beats (see :mod:`.build`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from gradcore import Lesson
from gradlesson.kit.build import KitBuild, build_kit
from gradlesson.kit.handout import write_handout
from gradlesson.kit.manifest import KitManifest
from gradlesson.kit.presenter import write_presenter
from gradlesson.kit.slides import write_pptx
from gradlesson.render import RenderResult, read_manifest

__all__ = ["build_lesson_kit"]


def build_lesson_kit(
    results: Sequence[RenderResult],
    quality: str,
    lesson: Lesson,
    lesson_file: str,
    media: Path,
    jobs: int,
    transparent: dict[str, Path] | None = None,
) -> KitBuild:
    """The kit of ``results`` (rendered into ``media``) in ``media/kit``, with its presenter, slides and handout."""
    render_manifest = read_manifest(media / "cache" / "renders.json", print)
    return build_kit(results, quality, lesson, lesson_file, media / "kit", render_manifest, jobs, transparent, writers=WRITERS)


def _pptx(kit: Path, manifest: KitManifest) -> None:
    write_pptx(kit, manifest, kit / manifest.files["pptx"])


def _handout(kit: Path, manifest: KitManifest) -> None:
    write_handout(kit, manifest, kit / manifest.files["handout"])


WRITERS = (write_presenter, _pptx, _handout)
