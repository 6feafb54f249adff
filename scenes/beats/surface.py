"""Beat 5: the loss over both parameters as a 3D surface, its two slices, the descent path, then the top view."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, cast

import numpy as np
from manim import (
    DEGREES,
    DL,
    IN,
    UL,
    UR,
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
    ThreeDCamera,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    config,
    linear,
)

from gradcore import Lesson
from gradcore.facts import elongation, steepness
from gradcore.loss import LossGrid
from gradcore.ticks import nice_ticks, padded_ticks
from scenes.toolkit.builders import clip_segment
from scenes.toolkit.internals import DepthCamera, FastSurface, anchor_depth, fix_axis_shading, grid_faces, shade_faces
from scenes.toolkit.internals.cameras import SHADING
from scenes.toolkit.narration import LessonScene3D, Step, said
from scenes.toolkit.style import (
    AXIS,
    CURVE,
    FIT,
    LABEL_SIZE,
    TANGENT,
    TEXT,
    TITLE_SIZE,
    num,
    setting,
    tex_setting,
    viridis,
)

if TYPE_CHECKING:
    from scenes.toolkit.narration import Playable


class MeshStyle(TypedDict):
    """The surface's mesh lines: one colour, width and opacity."""

    color: str
    width: float
    opacity: float


SIDE = 5.6  # scene units of the m and b axes (the top view is a square, like the contour plot that follows)
HEIGHT = 3.2  # scene units of the loss axis
# the first view: from the front left, a little zoomed out so the walls stay in frame as the camera turns
START = {"phi": 64 * DEGREES, "theta": -150 * DEGREES, "zoom": 0.9, "focal_distance": 20.0}
FLAT = 400.0  # focal distance of the top view: next to no perspective, like the 2D contour plot that follows
TURN = 0.38  # rad/s of the ambient rotation during the "rotate" step
SLICE_B = TANGENT  # loss vs b (loss vs m is drawn in CURVE)
MESH: MeshStyle = {"color": "#000000", "width": 0.6, "opacity": 0.35}
GAP = 0.12  # scene units between a label and the point it names, and between two labels
LINE_GAP = 0.11  # scene units between a label and an axis line (its ticks stick out 0.1)
EDGE = 0.2  # scene units kept clear at the frame's edges
TURN_STEP = 15 * DEGREES  # a label that is in the way turns about its point in these steps (then to ~1°) ...
TURNS = (0.0, *(sign * k * TURN_STEP for k in range(1, 7) for sign in (1, -1)))  # ... up to 90° either way


Box = tuple[float, float, float, float]  # in frame units: centre x, centre y, half width, half height
Segment = tuple[float, float, float, float]  # in frame units: x0, y0, x1, y1


def frame_box(mobject: Mobject) -> Box:
    """The box a fixed-in-frame mobject covers in the frame (not the axes' box: :func:`~scenes.toolkit.builders.axes_box`)."""
    (x0, y0), (x1, y1) = mobject.get_corner(DL)[:2], mobject.get_corner(UR)[:2]
    return ((x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2)


def crosses(line: Segment, box: Box) -> bool:
    """Whether the segment ``line`` passes through ``box`` (:func:`~scenes.toolkit.builders.clip_segment`)."""
    x0, y0, x1, y1 = line
    cx, cy, hx, hy = box
    return clip_segment((x0, y0), (x1, y1), (cx - hx, cy - hy), (cx + hx, cy + hy)) is not None


@dataclass
class Clearance:
    """What a label keeps clear of: ``boxes`` (kept ``GAP`` from), ``lines`` (kept ``LINE_GAP`` from, which clears
    their ticks) and the frame's edges (kept ``EDGE`` from)."""

    boxes: list[Box]
    lines: list[Segment]

    def fits(self, x: float, y: float, hx: float, hy: float, lines: bool = True) -> bool:
        """Whether the box centred on (x, y), ``hx`` by ``hy`` either side, lies in the frame, clear of the boxes
        and (if ``lines``) of the lines."""
        tolerance = 1e-6
        if abs(x) + hx > config.frame_x_radius - EDGE + tolerance or abs(y) + hy > config.frame_y_radius - EDGE + tolerance:
            return False
        for bx, by, bhx, bhy in self.boxes:
            if abs(x - bx) < hx + bhx + GAP - tolerance and abs(y - by) < hy + bhy + GAP - tolerance:
                return False
        grown = (x, y, hx + LINE_GAP, hy + LINE_GAP)
        return not lines or not any(crosses(line, grown) for line in self.lines)

    def shift(self, x: float, y: float, hx: float, hy: float, u: tuple[float, float]) -> float:
        """How far to move the box along the unit vector ``u`` so that it keeps ``GAP`` from every box and stays in
        the frame (lines aside): the smallest shift >= 0, else (the frame's edge is in the way) the largest < 0,
        else 0."""

        def interval(offset: float, reach: float, k: int, closed: bool) -> tuple[float, float]:
            """The shifts t at which |offset + t u[k]| < reach (<= if closed)."""
            if abs(u[k]) < 1e-9:
                inside = abs(offset) <= reach if closed else abs(offset) < reach
                return (-np.inf, np.inf) if inside else (np.inf, -np.inf)
            a, b = (-reach - offset) / u[k], (reach - offset) / u[k]
            return (min(a, b), max(a, b))

        blocked = []  # open intervals of shifts at which the box overlaps one of the boxes
        for bx, by, bhx, bhy in self.boxes:
            (a0, a1), (b0, b1) = interval(x - bx, hx + bhx + GAP, 0, False), interval(y - by, hy + bhy + GAP, 1, False)
            if max(a0, b0) < min(a1, b1):
                blocked.append((max(a0, b0), min(a1, b1)))
        (a0, a1) = interval(x, config.frame_x_radius - EDGE - hx, 0, True)
        (b0, b1) = interval(y, config.frame_y_radius - EDGE - hy, 1, True)
        inside = (max(a0, b0), min(a1, b1))  # the shifts that keep the box in the frame
        candidates = {0.0, *inside, *(end for interval in blocked for end in interval)}
        free = [
            t
            for t in candidates
            if np.isfinite(t) and inside[0] - 1e-9 <= t <= inside[1] + 1e-9 and not any(lo < t < hi for lo, hi in blocked)
        ]
        ahead = [t for t in free if t >= 0]
        return min(ahead) if ahead else max(free, default=0.0)


@dataclass
class Pin:
    """A label drawn flat in the frame (a fixed-in-frame mobject) beside a scene point: see :func:`pin_labels`."""

    label: Mobject
    point: Callable[[], np.ndarray]  # the scene point it names, as it is now
    away: Callable[[], np.ndarray] | None = None  # a scene point the label keeps to the far side of; None: above

    def __post_init__(self) -> None:
        self.half = (self.label.width / 2, self.label.height / 2)  # labels keep their size: measured once
        self.centre: tuple[float, float] | None = None  # where pin_labels put it last

    def in_place(self) -> bool:
        """Whether the label is still where :func:`pin_labels` put it last."""
        return self.centre is not None and np.allclose(self.label.get_center()[:2], self.centre, rtol=0, atol=1e-9)


def beside(point: tuple[float, float], half: tuple[float, float], angle: float) -> tuple[float, float]:
    """Centre of a box (``half`` its half width and height) just beside ``point`` in the direction ``angle``:
    its edge ``GAP`` from the point."""
    u = (np.cos(angle), np.sin(angle))
    reach = min(half[k] / abs(u[k]) for k in (0, 1) if abs(u[k]) > 1e-9) + GAP
    return (point[0] + u[0] * reach, point[1] + u[1] * reach)


def clear_spot(point: tuple[float, float], angle: float, half: tuple[float, float], clear: Clearance) -> tuple[float, float]:
    """Centre for a box (``half`` its half width and height) beside ``point``: towards ``angle`` if it fits there,
    else turned about the point to the nearest side where it fits (up to a quarter turn either way, found to
    within ~1°, so the box moves smoothly as what is in its way moves). The axis lines give way first (they
    mostly run under the surface): failing a side clear of everything, the nearest side clear of the boxes and
    the frame's edges; failing that too, the box slides straight on until clear."""
    for lines in (True, False):

        def free(turn: float, lines: bool = lines) -> bool:
            return clear.fits(*beside(point, half, angle + turn), *half, lines=lines)

        turn = next((t for t in TURNS if free(t)), None)
        if turn is None:
            continue
        if turn:  # the free side's edge lies between this turn and the blocked one before it on the same side
            blocked = turn - np.sign(turn) * TURN_STEP
            for _ in range(4):
                middle = (blocked + turn) / 2
                blocked, turn = (blocked, middle) if free(middle) else (middle, turn)
        return beside(point, half, angle + turn)
    u = (np.cos(angle), np.sin(angle))
    x, y = beside(point, half, angle)
    t = clear.shift(x, y, *half, u)
    return (x + t * u[0], y + t * u[1])


def pin_labels(camera: ThreeDCamera, pins: Sequence[Pin], clear: Clearance) -> None:
    """Place each pin's label where the camera draws its point now: just beside it, on the side away from where
    the camera draws ``pin.away`` (so an axis label continues its axis outwards), or above it.

    A label that would overlap what ``clear`` holds or a label placed before it, or leave the frame, turns about
    its point to the nearest free side, or slides on (:func:`clear_spot`). Earlier pins win: they are placed as if
    the later ones were not there."""
    camera.reset_rotation_matrix()  # the camera's angles as they are now (it resets the matrix only when it draws)
    clear = Clearance(list(clear.boxes), list(clear.lines))
    for pin in pins:
        ends = [pin.point()] if pin.away is None else [pin.point(), pin.away()]
        projected = camera.project_points(np.array(ends))[:, :2]
        point = (float(projected[0, 0]), float(projected[0, 1]))
        angle = np.pi / 2
        if pin.away is not None:
            dx, dy = projected[0] - projected[1]
            if np.hypot(dx, dy) > 1e-6:
                angle = float(np.arctan2(dy, dx))
        centre = clear_spot(point, angle, pin.half, clear)
        pin.label.move_to((*centre, 0.0))
        pin.centre = centre
        clear.boxes.append((*centre, *pin.half))


def surface_axes(grid: LossGrid) -> ThreeDAxes:
    """Axes over the grid's extent with the loss from 0 to its rounded-up maximum, centred on the origin; every
    axis gets 4 to 10 round ticks (:mod:`gradcore.ticks`), so a lesson at any scale draws a bounded number."""
    (m0, m1), (b0, b1) = (grid.m[0], grid.m[-1]), (grid.b[0], grid.b[-1])
    loss_ticks = padded_ticks(np.array([0.0, float(grid.loss.max())]), margin=0.0)  # the one tick picker, at any scale
    axes = ThreeDAxes(
        x_range=[m0, m1, nice_ticks(m0, m1).step],
        y_range=[b0, b1, nice_ticks(b0, b1).step],
        z_range=[0, loss_ticks.hi, loss_ticks.step],
        x_length=SIDE,
        y_length=SIDE,
        z_length=HEIGHT,
        axis_config={"color": AXIS, "include_tip": False, "stroke_width": 2},
    )
    return fix_axis_shading(axes.shift(IN * HEIGHT / 2))


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
    mobjects by its centre (:func:`anchor_depth`), and its faces among themselves every frame.
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
    surface.cells, surface.viridis = cells, base  # type: ignore[attr-defined]  # the lesson's own attribute on a manim object
    anchor_depth(surface, surface.get_center())
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
        i, j = cast(int, face.v_index), cast(int, face.u_index)  # manim's own attributes of a Surface's faces
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


def valley(ratio: float, long: float) -> tuple[str, dict[str, str]]:
    """The shape of the bowl as a line and its numbers, from ``ratio`` = ∂²L/∂m² / ∂²L/∂b²
    (:func:`gradcore.facts.steepness`) and ``long``, its Hessian's eigenvalue ratio (:func:`gradcore.facts.elongation`):
    ``$times`` is how many times as sharply it curves along the steeper parameter as along the other."""
    values = {"ratio": num(ratio, 2), "times": num(max(ratio, 1 / ratio) if ratio > 0 else ratio, 2)}
    if long < 4:
        return "A round bowl: the loss curves about as sharply in every direction.", values
    if ratio >= 2:
        return "A long valley: the loss curves $times times as sharply in m as in b.", values
    if ratio <= 0.5:
        return "A long valley: the loss curves $times times as sharply in b as in m.", values
    return "A long valley running across both axes: m and b trade off against each other.", values


class LossSurface(LessonScene3D):
    """The loss landscape L(m, b): a bowl-shaped valley, its slices, the descent path, the view from above."""

    TITLE = "The loss landscape"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(camera_class=DepthCamera, **kwargs)

    @classmethod
    def script(cls, lesson: Lesson) -> tuple[Step, ...]:
        d, ms, bs = lesson.descent, lesson.loss_vs_m, lesson.loss_vs_b
        start = {"m": setting(d.params[0][0]), "b": setting(d.params[0][1])}
        shape, numbers = valley(steepness(lesson.dataset), elongation(lesson.dataset))
        return (
            said("axes", 2.0, "Now let both parameters vary: m and b on the floor, the loss as height."),
            said("surface", 3.0, "Every pair (m, b) gets its loss: together they form a surface."),
            said("rotate", 5.0, shape, **numbers),
            said(
                "slices",
                2.6,
                "The curves from before are slices: b held at $fixed_b, and m held at $fixed_m.",
                fixed_b=setting(ms.fixed),
                fixed_m=setting(bs.fixed),
            ),
            said(
                "path",
                4.0,
                "Gradient descent walks downhill from m = $m, b = $b "
                + ("to the valley floor." if lesson.outcome.converged else "towards the valley floor."),
                **start,
            ),
            said("top", 3.0, "From straight above, height becomes colour."),
            said("hold", 0.8, "A map of the loss over (m, b)."),
        )

    def construct(self) -> None:
        self.set_camera_orientation(**START)  # type: ignore[arg-type]  # float angles only; mypy checks them against every parameter
        self.show_axes()
        self.raise_surface()
        self.rotate()
        self.show_slices()
        self.show_path()
        self.look_down()
        self.step("hold")
        self.fade_out()

    def show_axes(self) -> None:
        self.title = MathTex(self.title_tex(), font_size=TITLE_SIZE, color=TEXT).to_corner(UL)
        self.add_fixed_in_frame_mobjects(self.title)
        self.remove(self.title)
        self.title_box = frame_box(self.title)
        self.axes = surface_axes(self.lesson.surface)
        grid = self.lesson.surface
        (m0, x_end), (b0, y_end), z_end = self.axes.x_range[:2], self.axes.y_range[:2], self.axes.z_range[1]  # type: ignore[index]  # manim types ThreeDAxes.z_range as optional; surface_axes sets it
        # the m and b labels name their axis' end: on the floor first, then (as ``rise`` goes 0 → 1) at the height
        # of the surface's rim there (read off the grid), so that from behind they show above the far wall
        # manim draws each axis at the other parameters' 0, or at their range's edge when 0 is outside it
        m_axis, b_axis = (float(np.clip(0.0, r[0], r[1])) for r in (self.axes.x_range, self.axes.y_range))
        rim_m = grid.loss[np.argmin(np.abs(grid.b - b_axis)), -1]
        rim_b = grid.loss[-1, np.argmin(np.abs(grid.m - m_axis))]
        self.rise = ValueTracker(0)
        mid = ((m0 + x_end) / 2, (b0 + y_end) / 2)
        c2p = self.axes.c2p

        def pin_axis(label: Mobject, m: float, b: float, rim: float) -> Pin:
            return Pin(label, lambda: c2p(m, b, rim * self.rise.get_value()), lambda: c2p(*mid, rim * self.rise.get_value()))

        self.labels = VGroup(
            MathTex(r"m\ \text{(slope)}", font_size=LABEL_SIZE, color=TEXT),
            MathTex(r"b\ \text{(bias)}", font_size=LABEL_SIZE, color=TEXT),
            MathTex(r"\text{Loss}", font_size=LABEL_SIZE, color=TEXT),
        )
        for label in self.labels:
            label.add_background_rectangle(opacity=0.65, buff=0.08)  # contrast where a label lies over the surface
        # drawn flat in the frame and laid out anew every frame (pin_labels), the loss label first (it stays
        # above its axis' tip), then m and b beside their axis' ends, then the slice tags (show_slices)
        self.pins = [
            Pin(self.labels[2], lambda: c2p(m_axis, b_axis, z_end)),
            pin_axis(self.labels[0], x_end, b_axis, rim_m),
            pin_axis(self.labels[1], m_axis, y_end, rim_b),
        ]
        far_below = self.axes.c2p(0, 0, 0) + IN * 100
        anchor_depth(self.axes.x_axis, far_below)
        anchor_depth(self.axes.y_axis, far_below)
        self.pin(*self.labels)
        self.step("axes", Write(self.title), Create(self.axes), FadeIn(self.labels))

    def pin(self, *labels: Mobject) -> None:
        """Draw ``labels`` (each one of ``self.pins``) flat in the frame, where :meth:`place_labels` puts them."""
        self.add_fixed_in_frame_mobjects(*labels)
        self.remove(*labels)
        self.place_labels()

    def place_labels(self) -> None:
        """Lay out the pinned labels for the camera's angles now, clear of the title, the axes and each other.
        The labels' updaters all call this: it does the work once a frame, unless an animation (a fade) has put
        a label back where it was since."""
        camera = self.camera
        state = (*(t.get_value() for t in camera.get_value_trackers()), self.rise.get_value(), len(self.pins))
        if state == getattr(self, "_laid_out", None) and all(pin.in_place() for pin in self.pins):
            return
        self._laid_out = state
        camera.reset_rotation_matrix()
        z_axis = camera.project_points(self.axes.z_axis.get_all_points())[:, :2]  # the line and its ticks
        (x0, y0), (x1, y1) = z_axis.min(axis=0), z_axis.max(axis=0)
        floor = [
            camera.project_points(np.array([axis.get_start(), axis.get_end()]))[:, :2] for axis in (self.axes.x_axis, self.axes.y_axis)
        ]
        clear = Clearance(
            [self.title_box, ((x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2)],
            [cast("Segment", tuple(line.ravel())) for line in floor],  # two points (x, y) each
        )
        pin_labels(camera, self.pins, clear)

    def step_relaid(self, key: str, *animations: Playable, **play_kwargs: Any) -> None:
        """Play step ``key``, in which the camera or the labels' points move, laying the labels out every frame.
        Only in such steps do the labels carry an updater: Cairo redraws a mobject with one (and every mobject
        after it) every frame, instead of once into the still background."""
        labels = [pin.label for pin in self.pins]

        def relayout(_: Mobject) -> None:
            self.place_labels()

        for label in labels:
            label.add_updater(relayout)
        self.step(key, *animations, **play_kwargs)
        for label in labels:
            label.remove_updater(relayout)

    def raise_surface(self) -> None:
        self.surface = loss_surface(self.axes, self.lesson.surface, self.camera.light_source.get_center())
        floor = self.axes.c2p(0, 0, 0)[2]
        flat = self.surface.copy().apply_function(lambda p: np.array([p[0], p[1], floor]))
        self.step_relaid("surface", ReplacementTransform(flat, self.surface), self.rise.animate.set_value(1))

    def rotate(self) -> None:
        # the ambient rotation's rate, as an animation: the camera turns before the labels are laid out each frame
        seconds = next(step.played for step in self.plan(self.lesson) if step.key == "rotate")
        self.step_relaid("rotate", self.camera.theta_tracker.animate.increment_value(TURN * seconds), rate_func=linear)

    def show_slices(self) -> None:
        ms, bs = self.lesson.loss_vs_m, self.lesson.loss_vs_b
        grid = self.lesson.surface
        on_m = on_surface(ms.dense.x, ms.fixed, grid.m, grid.b)  # a lesson's slices may reach past the surface
        on_b = on_surface(bs.dense.x, bs.fixed, grid.b, grid.m)
        self.slice_m = polyline(self.axes, ms.dense.x[on_m], np.full(on_m.sum(), ms.fixed), ms.dense.y[on_m], CURVE)
        self.slice_b = polyline(self.axes, np.full(on_b.sum(), bs.fixed), bs.dense.x[on_b], bs.dense.y[on_b], SLICE_B)
        tags = VGroup(
            MathTex(rf"b = {tex_setting(ms.fixed)}", font_size=LABEL_SIZE - 4, color=CURVE),
            MathTex(rf"m = {tex_setting(bs.fixed)}", font_size=LABEL_SIZE - 4, color=SLICE_B),
        )
        for tag in tags:
            tag.add_background_rectangle(opacity=0.65, buff=0.08)  # contrast over the surface
        # each tag beside its slice's end (loss vs m: the low-m end; loss vs b: the high-b end), carrying the slice on
        # from its lowest point
        for tag, line, end in ((tags[0], self.slice_m, 0), (tags[1], self.slice_b, -1)):
            point, lowest = line.points[end], line.points[np.argmin(line.points[:, 2])]
            self.pins.append(Pin(tag, lambda point=point: point, lambda lowest=lowest: lowest))  # type: ignore[misc]  # mypy cannot type a lambda with a default argument (python/mypy#15459)
        self.slice_tags = tags
        self.pin(*tags)
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
        self.step_relaid(
            "top",
            self.camera.phi_tracker.animate.set_value(0),
            self.camera.theta_tracker.animate.set_value(target),
            self.camera.zoom_tracker.animate.set_value(1),
            self.camera.focal_distance_tracker.animate.set_value(FLAT),
            FadeOut(self.labels[2]),
            FadeOut(self.axes.z_axis),
        )
