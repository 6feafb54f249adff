"""The 3D surface beat's camera: depth order by anchor, gentle shading, and axes shaded once (see this
package's header for the internals it touches)."""

from __future__ import annotations

from typing import cast

import numpy as np
from manim import Camera, Mobject, ThreeDAxes, VMobject

from scenes.toolkit.internals.fast_surface import FastSurfaceCamera

__all__ = ["SHADING", "DepthCamera", "anchor_depth", "fix_axis_shading"]

SHADING = 0.45  # fraction of manim's (strong, whitening) 3D shading kept, so the faces stay close to viridis


class DepthCamera(FastSurfaceCamera):
    """The 3D camera with three changes: it draws :class:`FastSurface` in one pass, shades gently, and paints
    in order of ``mob.depth_anchor`` when set.

    ThreeDCamera sorts only ``shade_in_3d`` mobjects by depth and draws everything else on top. Here a mobject
    with a ``depth_anchor`` (a scene point) is sorted among them by that point's depth, without shading:
    the floor axes lie under the whole surface (anchored far below, so always drawn first), the surface is
    anchored at its centre (its faces are sorted among themselves when it is drawn), and the slices, path and
    labels (no anchor) are drawn over it.
    """

    def get_mobjects_to_display(self, *args, **kwargs) -> list[Mobject]:
        mobjects = Camera.get_mobjects_to_display(self, *args, **kwargs)
        rotation = self.get_rotation_matrix()

        def depth(mob: Mobject) -> float:
            anchor = getattr(mob, "depth_anchor", None)
            if anchor is None:
                if not getattr(mob, "shade_in_3d", False):
                    return np.inf
                anchor = mob.get_z_index_reference_point()
            return float(np.dot(anchor, rotation.T)[2])

        return sorted(mobjects, key=depth)

    def modified_rgbas(self, vmobject: VMobject, rgbas: np.ndarray) -> np.ndarray:
        shaded = super().modified_rgbas(vmobject, rgbas)
        if shaded is rgbas:
            return rgbas
        base = rgbas.repeat(2, axis=0) if len(rgbas) < 2 else rgbas[:2]
        return np.clip(base + SHADING * (shaded - base), 0, 1)


def anchor_depth(mobject: Mobject, point: np.ndarray) -> Mobject:
    """Sort ``mobject`` (its whole family) by the depth of ``point`` under :class:`DepthCamera`."""
    for mob in mobject.get_family():
        mob.depth_anchor = np.asarray(point, dtype=float)  # type: ignore[attr-defined]  # the lesson's own attribute on a manim object
    return mobject


def fix_axis_shading(axes: ThreeDAxes) -> ThreeDAxes:
    """Each axis as one shaded line instead of manim's 20 depth-sorted pieces (:class:`DepthCamera` sorts the
    axes as a whole), with its sheen computed once: manim recomputes it every frame for every piece from the
    whole axis's bounding box, which took most of a frame. The axes do not move in the scene."""
    for axis in axes.axes:
        axis.remove(axis.pieces)  # type: ignore[arg-type]  # manim's undeclared attribute, which its Mobject.__getattr__ types as a method
        axis.set_stroke(width=cast(float, axes.axis_config["stroke_width"]), family=False)
        ends = (axis.get_edge_center(-axes.light_source), axis.get_edge_center(axes.light_source))
        for part in axis.family_members_with_points():
            part.get_gradient_start_and_end_points = lambda ends=ends: ends  # type: ignore[attr-defined]  # a VMobject method replaced per instance (manim types the family as Mobjects)
    return axes
