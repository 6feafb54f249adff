"""A vmobject's cairo path is kept while its points stay the same, and replayed instead of rebuilt (see this
package's header).

Every frame, manim's ``Camera.set_cairo_context_path`` finds each vmobject's subpaths (numpy over its points) and
hands cairo one ``curve_to`` per curve, for every vmobject it draws: a third of a frame's time, much of it for
axes, numbers and formulas that do not move. Here, once a vmobject has been drawn twice from the same points (as
the camera sees them: ``transform_points_pre_display``), its path is copied from cairo (``copy_path``) and
replayed (``append_path``) until its points change; a vmobject that moves costs one comparison of its points a
frame. The pictures are the stock camera's, pixel for pixel (``tests/test_cairo_paths.py``)."""

from __future__ import annotations

import weakref
from typing import Any

import cairo
from manim import VMobject
from manim.camera.camera import Camera

__all__ = ["keep_cairo_paths"]

_STOCK = Camera.set_cairo_context_path
# per vmobject: the points it was last drawn from, and their path once it was drawn twice from them
_KEPT: weakref.WeakKeyDictionary[VMobject, tuple[Any, cairo.Path | None]] = weakref.WeakKeyDictionary()


def _set_path_keeping_it(self: Camera, ctx: cairo.Context, vmobject: VMobject) -> Camera:
    """``Camera.set_cairo_context_path``, with the path replayed while ``vmobject``'s points are unchanged."""
    points = self.transform_points_pre_display(vmobject, vmobject.points)
    if len(points) == 0:
        return _STOCK(self, ctx, vmobject)
    seen = (vmobject.tolerance_for_point_equality, points.tobytes())
    kept = _KEPT.get(vmobject)
    if kept is not None and kept[1] is not None and kept[0] == seen:
        ctx.new_path()
        ctx.append_path(kept[1])
        return self
    _STOCK(self, ctx, vmobject)
    _KEPT[vmobject] = (seen, ctx.copy_path() if kept is not None and kept[0] == seen else None)
    return self


def keep_cairo_paths() -> None:
    """From now on, in this process, every camera replays the paths of vmobjects that did not move (idempotent)."""
    Camera.set_cairo_context_path = _set_path_keeping_it  # type: ignore[method-assign,assignment]
