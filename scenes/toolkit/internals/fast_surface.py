"""A quad-mesh surface drawn as one mobject: all faces projected, depth-sorted and filled in one cairo pass.

Manim's stock :class:`~manim.Surface` is a VGroup of one ``ThreeDVMobject`` per face. Every frame the
Cairo camera sorts those faces by depth one mobject at a time, projects each face's Bézier points on its
own, shades it (a gradient pattern per face) and fills and strokes it through the generic VMobject path:
~0.3 ms per face, so a 32 × 32 surface costs ~300 ms a frame.

:class:`FastSurface` holds the same picture as plain arrays and leaves the drawing to a camera hook:

- ``points`` — the mesh's nodes in scene space, shape ``(N, 3)`` (so shift / scale / apply_function,
  ``get_all_points`` and ``Transform`` between two FastSurfaces with the same faces work as for any mobject);
- ``faces`` — quads as node indices, shape ``(F, 4)``, corners in order around the quad;
- ``fill_rgbas`` — one RGBA per face, shape ``(F, 4)``, lighting included (precomputed: see :func:`shade_faces`);
- ``stroke_rgba``, ``stroke_width`` — the mesh lines, one colour and width for all faces (manim units, as
  ``VMobject.set_stroke``).

:func:`draw_fast_surface` (used by :class:`FastSurfaceCamera`, or by any ``ThreeDCamera`` subclass that
copies its ``type_or_raise`` / ``display_fast_surfaces``) projects all nodes in one numpy call, sorts the faces
back to front by the depth of their centres (as ``ThreeDCamera`` sorts ``shade_in_3d`` mobjects), then
for each face: move_to, line_to × 3, close_path, fill_preserve, stroke. The faces are straight-edged quads,
as in a stock ``Surface`` made with ``should_make_jagged=True``. The mesh lines are stroked with cairo's fast
antialiasing (``MESH_ANTIALIAS``) in frames from 720 px high: half the cost of a 1080p frame, same look.

Not supported (not needed by the lesson): per-face stroke colours, partial drawing (``Create``), fill
gradients and lighting that changes while the camera moves (the light is baked into ``fill_rgbas``).
"""

from __future__ import annotations

from typing import Any

import cairo
import numpy as np
from manim import ManimColor, Mobject, ThreeDCamera
from manim.utils.color import ParsableManimColor

__all__ = [
    "FastSurface",
    "FastSurfaceCamera",
    "draw_fast_surface",
    "grid_faces",
    "shade_faces",
]

MESH_ANTIALIAS = cairo.Antialias.FAST  # cairo's default antialiasing strokes a thin line at twice the cost...
FAST_MESH_HEIGHT = 720  # ...and is kept below this frame height (px), where the mesh lines are a fraction of a pixel


def grid_faces(rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """Quads of a ``rows × cols`` grid of nodes (node ``(i, j)`` at index ``i * cols + j``).

    Returns ``faces`` ``(F, 4)``: cell ``(i, j)`` spans nodes (i, j), (i, j + 1), (i + 1, j + 1), (i + 1, j) —
    the corner order of a stock ``Surface`` face with u along j and v along i — and ``cells`` ``(F, 2)``: its
    ``(i, j)``, row-major.
    """
    i, j = (axis.ravel() for axis in np.meshgrid(np.arange(rows - 1), np.arange(cols - 1), indexing="ij"))
    corner = i * cols + j
    faces = np.column_stack([corner, corner + 1, corner + cols + 1, corner + cols])
    return faces, np.column_stack([i, j])


def shade_faces(nodes: np.ndarray, faces: np.ndarray, rgb: np.ndarray, light: np.ndarray, strength: float = 1.0) -> np.ndarray:
    """``rgb`` ``(F, 3)`` lit as manim's 3D shading does (``get_shaded_rgb``: brighter facing the light,
    darker facing away), evaluated once at each face's centre with its normal, and scaled by ``strength``.

    The normal is ``(c2 − c0) × (c3 − c1)``: it points towards a viewer who sees the corners anticlockwise.
    """
    corners = nodes[faces]  # (F, 4, 3)
    centres = corners.mean(axis=1)
    normals = np.cross(corners[:, 2] - corners[:, 0], corners[:, 3] - corners[:, 1])
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    to_light = light - centres
    to_light /= np.linalg.norm(to_light, axis=1, keepdims=True)
    amount = 0.5 * np.einsum("ij,ij->i", normals, to_light) ** 3
    amount = np.where(amount < 0, 0.5 * amount, amount)
    return np.clip(rgb + strength * amount[:, None], 0, 1)


class FastSurface(Mobject):
    """A quad mesh drawn in one pass by :func:`draw_fast_surface` (see the module docstring).

    ``nodes`` ``(N, 3)`` become the mobject's ``points``; ``faces`` ``(F, 4)`` index them; ``fill_rgbas``
    ``(F, 4)`` (or ``(F, 3)``, opaque) colour them. Without a camera hook (e.g. a plain 2D ``Camera``) the
    surface is not drawn, like any bare ``Mobject``.
    """

    def __init__(
        self,
        nodes: np.ndarray,
        faces: np.ndarray,
        fill_rgbas: np.ndarray,
        stroke_color: ParsableManimColor = "#000000",
        stroke_width: float = 0.5,
        stroke_opacity: float = 1.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        nodes = np.asarray(nodes, dtype=float).reshape(-1, 3)
        self.faces = np.asarray(faces, dtype=np.intp).reshape(-1, 4)
        if self.faces.size and (self.faces.min() < 0 or self.faces.max() >= len(nodes)):
            raise ValueError("faces index nodes that do not exist")
        rgbas = np.asarray(fill_rgbas, dtype=float)
        if rgbas.shape == (len(self.faces), 3):
            rgbas = np.column_stack([rgbas, np.ones(len(rgbas))])
        if rgbas.shape != (len(self.faces), 4):
            raise ValueError(f"fill_rgbas must be (F, 3) or (F, 4) for F = {len(self.faces)} faces, got {rgbas.shape}")
        self.fill_rgbas = rgbas
        self.points = nodes
        self.set_mesh(stroke_color, stroke_width, stroke_opacity)

    @property
    def nodes(self) -> np.ndarray:
        """The mesh's nodes in scene space, ``(N, 3)`` (the mobject's points)."""
        return self.points

    def set_mesh(self, color: ParsableManimColor, width: float, opacity: float = 1.0) -> FastSurface:
        """The mesh lines: one colour, opacity and width (0: none) for every face's outline."""
        self.stroke_rgba = np.append(ManimColor(color).to_rgb(), opacity)
        self.stroke_width = float(width)
        return self

    def face_centres(self) -> np.ndarray:
        """``(F, 3)``: the mean of each face's four corners."""
        return self.points[self.faces].mean(axis=1)

    def interpolate_color(self, mobject1: Mobject, mobject2: Mobject, alpha: float) -> FastSurface:
        """For ``Transform`` between two FastSurfaces with the same faces: blend fills and mesh."""
        for name in ("fill_rgbas", "stroke_rgba"):
            setattr(self, name, (1 - alpha) * getattr(mobject1, name) + alpha * getattr(mobject2, name))
        self.stroke_width = (1 - alpha) * mobject1.stroke_width + alpha * mobject2.stroke_width  # type: ignore[operator]  # FastSurfaces; manim's Mobject.__getattr__ types any attribute as a method
        return self


def draw_fast_surface(camera: ThreeDCamera, surface: FastSurface, ctx: cairo.Context) -> None:
    """Draw ``surface`` with ``camera``'s projection on ``ctx``, back to front (painter's order by the depth
    of the face centres, as ``ThreeDCamera`` orders ``shade_in_3d`` mobjects), mesh line over each fill."""
    nodes = surface.points
    if len(surface.faces) == 0 or len(nodes) == 0:
        return
    projected = camera.transform_points_pre_display(surface, nodes)[:, :2]
    depth = surface.face_centres() @ camera.get_rotation_matrix()[2]  # rotated z: larger is nearer the camera
    order = np.argsort(depth, kind="stable")
    quads = projected[surface.faces[order]].reshape(-1, 8).tolist()
    fills = surface.fill_rgbas[order][:, [2, 1, 0, 3]].tolist()  # cairo's ARGB32 data is read as BGRA
    r, g, b, a = surface.stroke_rgba.tolist()
    stroke = surface.stroke_width > 0 and a > 0
    if stroke:
        ctx.set_line_width(surface.stroke_width * camera.cairo_line_width_multiple)
        ctx.set_line_join(cairo.LineJoin.MITER)  # manim's LineJointType.AUTO
        ctx.set_line_cap(cairo.LineCap.BUTT)  # manim's CapStyleType.AUTO
    antialias = ctx.get_antialias()
    mesh_antialias = MESH_ANTIALIAS if camera.pixel_height >= FAST_MESH_HEIGHT else antialias
    new_path, move_to, line_to, close = ctx.new_path, ctx.move_to, ctx.line_to, ctx.close_path
    source, fill, fill_preserve, draw = ctx.set_source_rgba, ctx.fill, ctx.fill_preserve, ctx.stroke
    set_antialias = ctx.set_antialias
    for (x0, y0, x1, y1, x2, y2, x3, y3), (fb, fg, fr, fa) in zip(quads, fills, strict=False):
        new_path()
        move_to(x0, y0)
        line_to(x1, y1)
        line_to(x2, y2)
        line_to(x3, y3)
        close()
        source(fb, fg, fr, fa)
        if stroke:
            fill_preserve()
            source(b, g, r, a)
            set_antialias(mesh_antialias)
            draw()
            set_antialias(antialias)
        else:
            fill()
    ctx.new_path()


class FastSurfaceCamera(ThreeDCamera):
    """``ThreeDCamera`` that also draws :class:`FastSurface` mobjects, each as one mobject in its place in
    the display order (a FastSurface is not ``shade_in_3d``, so stock ``ThreeDCamera`` ordering draws it after
    the depth-sorted 3D mobjects, in the scene's order among the rest; subclasses may sort it otherwise)."""

    def type_or_raise(self, mobject: Mobject) -> type[Mobject]:
        # manim rebuilds ``display_funcs`` in every call; FastSurface must win over its base class Mobject
        # (which draws nothing), and ``capture_mobjects`` looks the returned type up in ``display_funcs``
        kind = super().type_or_raise(mobject)
        self.display_funcs[FastSurface] = self.display_fast_surfaces  # type: ignore[assignment]  # manim types its by-type table as taking any Mobjects: this entry gets FastSurfaces
        return FastSurface if isinstance(mobject, FastSurface) else kind

    def display_fast_surfaces(self, surfaces: list[FastSurface], pixel_array: np.ndarray) -> None:
        ctx = self.get_cairo_context(pixel_array)
        for surface in surfaces:
            draw_fast_surface(self, surface, ctx)
