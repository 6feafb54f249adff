"""Beat 5: the loss over both parameters as a 3D surface, its two slices, the descent path, then the top view."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from manim import (
    DEGREES,
    DOWN,
    IN,
    LEFT,
    OUT,
    RIGHT,
    UL,
    UP,
    Camera,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    MathTex,
    Mobject,
    ReplacementTransform,
    Succession,
    Surface,
    ThreeDAxes,
    VGroup,
    VMobject,
    Write,
    linear,
)

from gradcore import Lesson
from gradcore.loss import LossGrid
from scenes.fast_surface import FastSurface, FastSurfaceCamera, grid_faces, shade_faces
from scenes.narration import LessonScene3D, Step
from scenes.style import (
    AXIS,
    CURVE,
    FIT,
    LABEL_SIZE,
    TANGENT,
    TEXT,
    TITLE_SIZE,
    fmt,
    viridis,
)

SIDE = 5.6  # scene units of the m and b axes (the top view is a square, like the contour plot that follows)
HEIGHT = 3.2  # scene units of the loss axis
# the first view: from the front left, a little zoomed out so the walls stay in frame as the camera turns
START = {"phi": 64 * DEGREES, "theta": -150 * DEGREES, "zoom": 0.9, "focal_distance": 20.0}
FLAT = 400.0  # focal distance of the top view: next to no perspective, like the 2D contour plot that follows
TURN = 0.38  # rad/s of the ambient rotation during the "rotate" step
SLICE_B = TANGENT  # loss vs b (loss vs m is drawn in CURVE)
MESH = {"color": "#000000", "width": 0.6, "opacity": 0.35}
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
        mob.depth_anchor = np.asarray(point, dtype=float)
    return mobject


def surface_axes(grid: LossGrid) -> ThreeDAxes:
    """Axes over the grid's extent with the loss from 0 to its rounded-up maximum, centred on the origin."""
    (m0, m1), (b0, b1) = (grid.m[0], grid.m[-1]), (grid.b[0], grid.b[-1])
    top = float(np.ceil(grid.loss.max() / 50_000) * 50_000)
    axes = ThreeDAxes(
        x_range=[np.floor(m0), np.ceil(m1), 10],
        y_range=[np.floor(b0), np.ceil(b1), 20],
        z_range=[0, top, 50_000],
        x_length=SIDE,
        y_length=SIDE,
        z_length=HEIGHT,
        axis_config={"color": AXIS, "include_tip": False, "stroke_width": 2},
    )
    return fix_axis_shading(axes.shift(IN * HEIGHT / 2))


def fix_axis_shading(axes: ThreeDAxes) -> ThreeDAxes:
    """Each axis as one shaded line instead of manim's 20 depth-sorted pieces (:class:`DepthCamera` sorts the
    axes as a whole), with its sheen computed once: manim recomputes it every frame for every piece from the
    whole axis's bounding box, which took most of a frame. The axes do not move in the scene."""
    for axis in axes.axes:
        axis.remove(axis.pieces)
        axis.set_stroke(width=axes.axis_config["stroke_width"], family=False)
        ends = (axis.get_edge_center(-axes.light_source), axis.get_edge_center(axes.light_source))
        for part in axis.family_members_with_points():
            part.get_gradient_start_and_end_points = lambda ends=ends: ends
    return axes


def grid_nodes(axes: ThreeDAxes, grid: LossGrid) -> np.ndarray:
    """Scene points of the grid's nodes: ``nodes[i, j] = c2p(m[j], b[i], loss[i, j])``."""
    m, b = np.meshgrid(grid.m, grid.b)
    coords = np.column_stack([m.ravel(), b.ravel(), grid.loss.ravel()])
    return np.asarray(axes.c2p(coords)).reshape(*grid.loss.shape, 3)


def loss_surface(axes: ThreeDAxes, grid: LossGrid, light: np.ndarray) -> FastSurface:
    """The grid as one :class:`FastSurface`: a quad per grid cell through its four nodes, filled with viridis
    of the cell's mean loss / max and shaded by ``light`` (the scene is static, so the shading is baked in:
    manim's 3D shading at the face's centre, scaled by SHADING).

    ``surface.points`` are :func:`grid_nodes` row-major (node ``(i, j)`` at ``i * cols + j``);
    ``surface.cells[k] = (i, j)``: face ``k`` spans nodes (i, j), (i, j + 1), (i + 1, j + 1), (i + 1, j);
    ``surface.viridis[k]`` is its unshaded colour. :class:`DepthCamera` sorts the surface among the other
    mobjects by its ``depth_anchor`` (its centre), and its faces among themselves every frame.
    """
    nodes = grid_nodes(axes, grid)
    rows, cols = grid.loss.shape
    faces, cells = grid_faces(rows, cols)
    top = float(grid.loss.max())
    loss = grid.loss
    means = (loss[:-1, :-1] + loss[:-1, 1:] + loss[1:, :-1] + loss[1:, 1:]).ravel() / 4
    base = [viridis(mean / top) for mean in means]
    flat = nodes.reshape(-1, 3)
    rgb = shade_faces(flat, faces, np.array([c.to_rgb() for c in base]), light, SHADING)
    surface = FastSurface(flat, faces, rgb, stroke_color=MESH["color"], stroke_width=MESH["width"], stroke_opacity=MESH["opacity"])
    surface.cells, surface.viridis = cells, base
    surface.depth_anchor = surface.get_center()
    return surface


def stock_loss_surface(axes: ThreeDAxes, grid: LossGrid, loss: Callable[[float, float], float]) -> Surface:
    """The reference picture for :func:`loss_surface`: manim's stock :class:`~manim.Surface` over the same
    extent and resolution, through ``loss(m, b)`` (the core's loss, which the grid samples), each face
    filled with the same viridis of its cell's mean loss and the same mesh, shaded by the camera (``shade_in_3d``).
    Not used by the scene: the benchmark and the parity tests draw it beside the fast one."""
    rows, cols = grid.loss.shape
    surface = Surface(
        lambda u, v: axes.c2p(u, v, loss(u, v)),
        u_range=(grid.m[0], grid.m[-1]),
        v_range=(grid.b[0], grid.b[-1]),
        resolution=(cols - 1, rows - 1),
        checkerboard_colors=False,
        stroke_color=MESH["color"],
        stroke_width=MESH["width"],
    )
    top = float(grid.loss.max())
    for face in surface:
        i, j = face.v_index, face.u_index
        face.set_fill(viridis(grid.loss[i : i + 2, j : j + 2].mean() / top), opacity=1)
        face.set_stroke(opacity=MESH["opacity"])
    return surface


def on_surface(values: np.ndarray, fixed: float, swept: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Mask of a slice's samples over the surface: ``values`` within the swept parameter's grid and the
    fixed parameter within the other's (all False if the slice lies off the surface)."""
    inside = (values >= swept[0]) & (values <= swept[-1])
    return inside & bool(other[0] <= fixed <= other[-1])


def polyline(axes: ThreeDAxes, m: np.ndarray, b: np.ndarray, loss: np.ndarray, color, width: float = 4) -> VMobject:
    """Straight segments through the core's points (m, b, loss), drawn over the surface."""
    points = axes.c2p(np.column_stack([m, b, loss]))
    return VMobject(stroke_color=color, stroke_width=width).set_points_as_corners(points)


class LossSurface(LessonScene3D):
    """The loss landscape L(m, b): a bowl-shaped valley, its slices, the descent path, the view from above."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(camera_class=DepthCamera, **kwargs)

    @classmethod
    def steps(cls, lesson: Lesson) -> tuple[Step, ...]:
        d, ms, bs = lesson.descent, lesson.loss_vs_m, lesson.loss_vs_b
        start = d.params[0]
        return (
            Step("axes", 2.0, "Now let both parameters vary: m and b on the floor, the loss as height."),
            Step("surface", 3.0, "Every pair (m, b) gets its loss: together they form a surface."),
            Step("rotate", 5.0, "A long valley: steep across m, gentle along b."),
            Step(
                "slices",
                2.6,
                f"The curves from before are slices: b held at {fmt(ms.fixed, 0)}, and m held at {fmt(bs.fixed, 0)}.",
            ),
            Step(
                "path",
                4.0,
                f"Gradient descent walks downhill from m = {fmt(start[0], 0)}, b = {fmt(start[1], 0)} to the valley floor.",
            ),
            Step("top", 3.0, "From straight above, height becomes colour."),
            Step("hold", 0.8, "A map of the loss over (m, b)."),
        )

    def construct(self) -> None:
        self.set_camera_orientation(**START)
        self.show_axes()
        self.raise_surface()
        self.rotate()
        self.show_slices()
        self.show_path()
        self.look_down()
        self.step("hold")
        self.fade_out()

    def show_axes(self) -> None:
        self.title = MathTex(r"\text{The loss landscape}", font_size=TITLE_SIZE, color=TEXT).to_corner(UL)
        self.add_fixed_in_frame_mobjects(self.title)
        self.remove(self.title)
        self.axes = surface_axes(self.lesson.surface)
        grid = self.lesson.surface
        x_end, y_end, z_end = (self.axes.x_range[1], self.axes.y_range[1], self.axes.z_range[1])
        # the m and b labels start on the floor at their axis' end, then rise with the surface to the height of its
        # rim there (read off the grid), so that from behind they show above the far wall instead of behind it
        # manim draws each axis at the other parameters' 0, or at their range's edge when 0 is outside it
        m_axis, b_axis = (float(np.clip(0.0, *r[:2])) for r in (self.axes.x_range, self.axes.y_range))
        rim_m = grid.loss[np.argmin(np.abs(grid.b - b_axis)), -1]
        rim_b = grid.loss[-1, np.argmin(np.abs(grid.m - m_axis))]
        beside_m, beside_b = RIGHT * 0.85 + DOWN * 0.45, UP * 0.45 + RIGHT * 0.8  # off the z axis seen edge-on
        self.label_spots = (
            self.axes.c2p(x_end, b_axis, rim_m) + beside_m + OUT * 0.15,
            self.axes.c2p(m_axis, y_end, rim_b) + beside_b + OUT * 0.15,
        )
        self.labels = VGroup(
            MathTex(r"m\ \text{(slope)}", font_size=LABEL_SIZE, color=TEXT).move_to(self.axes.c2p(x_end, b_axis, 0) + beside_m),
            MathTex(r"b\ \text{(bias)}", font_size=LABEL_SIZE, color=TEXT).move_to(self.axes.c2p(m_axis, y_end, 0) + beside_b),
            MathTex(r"\text{Loss}", font_size=LABEL_SIZE, color=TEXT).move_to(self.axes.c2p(m_axis, b_axis, z_end) + OUT * 0.3),
        )
        far_below = self.axes.c2p(0, 0, 0) + IN * 100
        anchor_depth(self.axes.x_axis, far_below)
        anchor_depth(self.axes.y_axis, far_below)
        self.add_fixed_orientation_mobjects(*self.labels)
        self.remove(*self.labels)
        self.step("axes", Write(self.title), Create(self.axes), FadeIn(self.labels))

    def raise_surface(self) -> None:
        self.surface = loss_surface(self.axes, self.lesson.surface, self.camera.light_source.get_center())
        floor = self.axes.c2p(0, 0, 0)[2]
        flat = self.surface.copy().apply_function(lambda p: np.array([p[0], p[1], floor]))
        self.step(
            "surface",
            ReplacementTransform(flat, self.surface),
            *(label.animate.move_to(spot) for label, spot in zip(self.labels[:2], self.label_spots, strict=True)),
        )

    def rotate(self) -> None:
        self.begin_ambient_camera_rotation(TURN)
        self.step("rotate")
        self.stop_ambient_camera_rotation()

    def show_slices(self) -> None:
        ms, bs = self.lesson.loss_vs_m, self.lesson.loss_vs_b
        grid = self.lesson.surface
        on_m = on_surface(ms.dense.x, ms.fixed, grid.m, grid.b)  # a lesson's slices may reach past the surface
        on_b = on_surface(bs.dense.x, bs.fixed, grid.b, grid.m)
        self.slice_m = polyline(self.axes, ms.dense.x[on_m], np.full(on_m.sum(), ms.fixed), ms.dense.y[on_m], CURVE)
        self.slice_b = polyline(self.axes, np.full(on_b.sum(), bs.fixed), bs.dense.x[on_b], bs.dense.y[on_b], SLICE_B)
        tags = VGroup(
            MathTex(rf"b = {fmt(ms.fixed, 0)}", font_size=LABEL_SIZE - 4, color=CURVE),
            MathTex(rf"m = {fmt(bs.fixed, 0)}", font_size=LABEL_SIZE - 4, color=SLICE_B),
        )
        for tag in tags:
            tag.add_background_rectangle(opacity=0.65, buff=0.08)  # contrast over the surface
        tags[0].move_to(self.slice_m.get_start() + OUT * 0.3 + LEFT * (tags[0].width / 2 + 0.12))
        tags[1].move_to(self.slice_b.get_end() + OUT * 0.3 + UP * (tags[1].height / 2 + 0.12))
        self.slice_tags = tags
        self.add_fixed_orientation_mobjects(*tags)
        self.remove(*tags)
        self.step("slices", Create(self.slice_m), Create(self.slice_b), FadeIn(tags), rate_func=linear)

    def show_path(self) -> None:
        d = self.lesson.descent
        self.path = polyline(self.axes, d.m, d.b, d.loss, FIT, width=5)
        self.ends = VGroup(*(Dot(point, color=FIT, radius=0.07) for point in (self.path.get_start(), self.path.get_end())))
        self.add_fixed_orientation_mobjects(*self.ends)
        self.remove(*self.ends)
        self.step(
            "path",
            Succession(
                FadeIn(self.ends[0], run_time=0.3),
                Create(self.path, run_time=3.2, rate_func=linear),  # one descent step per equal slice of time
                FadeIn(self.ends[1], run_time=0.5),
            ),
        )

    def look_down(self) -> None:
        """Turn to the top view: phi = 0 and theta = −90° (the nearest equivalent), so m runs left→right, b bottom→top."""
        theta = self.camera.theta_tracker.get_value()
        target = -90 * DEGREES + 360 * DEGREES * np.round((theta + 90 * DEGREES) / (360 * DEGREES))
        self.step(
            "top",
            self.camera.phi_tracker.animate.set_value(0),
            self.camera.theta_tracker.animate.set_value(target),
            self.camera.zoom_tracker.animate.set_value(1),
            self.camera.focal_distance_tracker.animate.set_value(FLAT),
            FadeOut(self.labels[2]),
            FadeOut(self.axes.z_axis),
        )
