"""Copies of a formula's glyphs share their parsed SVG path instead of deep-copying it (see this package's header).

manim keeps each glyph's parsed ``svgelements.Path`` (``VMobjectFromSVGPath.path_obj``) after making its points
from it, and every ``copy()`` deep-copies it again: each Transform, Write and FadeIn, and every formula manim takes
from its SVG cache. That was about 0.9 ms a glyph, half of the time a beat takes to build with skip_animations.
manim 0.22 reads ``path_obj`` only while making the points (``handle_commands``, from ``__init__``), so a copy can
share it: its points, colours and everything else are still copied."""

from __future__ import annotations

from typing import Any

from manim import Mobject
from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath

__all__ = ["share_parsed_svg_paths"]


def _copy_sharing_the_path(self: VMobjectFromSVGPath, memo: dict[int, Any]) -> VMobjectFromSVGPath:
    memo[id(self.path_obj)] = self.path_obj  # deepcopy's memo: "already copied, as itself"
    return Mobject.__deepcopy__(self, memo)


def share_parsed_svg_paths() -> None:
    """From now on, in this process, copying a glyph shares its ``path_obj`` (idempotent)."""
    VMobjectFromSVGPath.__deepcopy__ = _copy_sharing_the_path  # type: ignore[method-assign,assignment]
