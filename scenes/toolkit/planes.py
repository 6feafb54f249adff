"""The (m, b) plane the descent, the race and the clinic are drawn on: its axes and framed border, the filled
loss contours, a zoomed window of the core's grid, and iterate paths cut to the plotted box."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import contourpy
import numpy as np
from manim import DOWN, LEFT, PI, Axes, Line, MathTex, Polygon, Rectangle, VGroup, VMobject

from gradcore import LossGrid
from gradcore.ticks import Ticks, nice_ticks
from scenes.toolkit.builders import axes_box, clip_segment, straight_cubics, thin_labels
from scenes.toolkit.style import AXIS, LABEL_SIZE, TICK_SIZE, tick, viridis

if TYPE_CHECKING:
    from contourpy._contourpy import FillReturn_OuterOffset

__all__ = ["clipped_steps", "filled_contours", "plane_axes", "plot_frame", "set_clipped_path", "zoom_grid"]


def plane_axes(grid: LossGrid, x_length: float, y_length: float) -> Axes:
    """m across, b up, over the grid's extent, with round ticks (``axes.m_ticks``, ``axes.b_ticks``) from the
    one tick picker. Its lines are hidden: :func:`plot_frame` draws the border."""
    m_ticks, b_ticks = nice_ticks(grid.m[0], grid.m[-1]), nice_ticks(grid.b[0], grid.b[-1])
    axes = Axes(
        x_range=[grid.m[0], grid.m[-1], m_ticks.step],
        y_range=[grid.b[0], grid.b[-1], b_ticks.step],
        x_length=x_length,
        y_length=y_length,
        axis_config={"include_tip": False, "include_ticks": False, "stroke_opacity": 0},
    )
    axes.m_ticks, axes.b_ticks = m_ticks, b_ticks  # type: ignore[attr-defined]  # the lesson's own attribute on a manim object
    return axes


def plot_frame(axes: Axes, numbers_left: bool = True, compact: bool = False) -> VGroup:
    """A border around :func:`plane_axes` with outward ticks, numbers at the bottom (and on the left if
    ``numbers_left``), labelled m and b (with their scale, e.g. ``b (×10³)``) as the seed's matplotlib
    contour plot is; ``compact`` for small panels. ``frame.numbers`` holds the tick numbers."""
    tick_length, buff, label_size = (0.08, 0.12, TICK_SIZE + 4) if compact else (0.1, 0.15, LABEL_SIZE)
    (x0, x1), (y0, y1) = axes.x_range[:2], axes.y_range[:2]
    m_ticks, b_ticks = cast(Ticks, axes.m_ticks), cast(Ticks, axes.b_ticks)  # set by plane_axes
    corner_lo, corner_hi = axes.c2p(x0, y0), axes.c2p(x1, y1)
    border = Rectangle(width=corner_hi[0] - corner_lo[0], height=corner_hi[1] - corner_lo[1], stroke_color=AXIS, stroke_width=2)
    border.move_to((corner_lo + corner_hi) / 2)
    marks, numbers = VGroup(), VGroup()
    for x, shown in zip(m_ticks.values, m_ticks.scaled, strict=True):
        foot = axes.c2p(x, y0)
        marks.add(Line(foot, foot + tick_length * DOWN, color=AXIS))
        numbers.add(tick(shown, m_ticks.format).next_to(foot, DOWN, buff=buff))
    for y, shown in zip(b_ticks.values, b_ticks.scaled, strict=True):
        foot = axes.c2p(x0, y)
        marks.add(Line(foot, foot + tick_length * LEFT, color=AXIS))
        if numbers_left:
            numbers.add(tick(shown, b_ticks.format).next_to(foot, LEFT, buff=buff))
    thin_labels(numbers[: len(m_ticks.values)], m_ticks.values)
    thin_labels(numbers[len(m_ticks.values) :], b_ticks.values)
    labels = VGroup(MathTex(m_ticks.tex_name("m"), font_size=label_size).next_to(numbers[0], DOWN, buff=buff).set_x(border.get_x()))
    if numbers_left:
        left = min(n.get_left()[0] for n in numbers[len(m_ticks.values) :])
        name = MathTex(b_ticks.tex_name("b"), font_size=label_size)
        if b_ticks.power:
            name.rotate(PI / 2)
        labels.add(name.move_to((left - buff - name.width / 2, border.get_y(), 0)))
    frame = VGroup(border, marks, numbers, labels)
    frame.numbers = numbers  # type: ignore[attr-defined]  # the lesson's own attribute on a manim object
    return frame


def filled_contours(axes: Axes, grid: LossGrid, levels: np.ndarray) -> VGroup:
    """Bands ``levels[j] ≤ L < levels[j+1]`` in viridis, painted as nested sublevel sets ``L ≤ levels[j+1]``
    from the top band down (each is convex for SSE, so no holes and no seams between bands)."""
    generator = contourpy.contour_generator(grid.m, grid.b, grid.loss, fill_type="OuterOffset")
    bands = len(levels) - 1
    regions = VGroup()
    for j in reversed(range(bands)):
        polygons, _ = cast("FillReturn_OuterOffset", generator.filled(levels[0] - 1.0, levels[j + 1]))
        colour = viridis(j / (bands - 1))
        for outline in polygons:
            regions.add(Polygon(*axes.c2p(outline), stroke_width=0, fill_color=colour, fill_opacity=1))
    return regions


def zoom_grid(grid: LossGrid, points: np.ndarray, margin: float = 0.1, cells: int = 4) -> LossGrid:
    """The part of the core's grid around ``points`` (m, b) with ``margin`` of their span on each side, at least
    ``cells`` grid cells wide each way (a single point still gets a window), kept within the grid."""
    spacing = np.array([grid.m[1] - grid.m[0], grid.b[1] - grid.b[0]])
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = np.maximum(margin * (hi - lo), cells * spacing / 2)
    lo = np.maximum(lo - pad, [grid.m[0], grid.b[0]])
    hi = np.minimum(hi + pad, [grid.m[-1], grid.b[-1]])
    cols = (grid.m >= lo[0] - 1e-9) & (grid.m <= hi[0] + 1e-9)
    rows = (grid.b >= lo[1] - 1e-9) & (grid.b <= hi[1] + 1e-9)
    return LossGrid(grid.m[cols], grid.b[rows], grid.loss[np.ix_(rows, cols)])


def clipped_steps(axes: Axes, params: np.ndarray) -> np.ndarray:
    """Each step ``i → i + 1`` of ``params`` cut to the axes' box, as one straight cubic in scene points:
    shape ``(steps, 4, 3)``, NaN where the step misses the box. Computed once, so a frame only slices it."""
    if len(params) < 2:  # a run stopped at its first step (its loss exploded there): nothing to draw
        return np.empty((0, 4, 3))
    lo, hi = axes_box(axes)
    steps = np.full((len(params) - 1, 2, 2), np.nan)
    for i in range(len(params) - 1):
        piece = clip_segment(params[i], params[i + 1], lo, hi)
        if piece is not None:
            steps[i] = piece
    ends = np.asarray(axes.c2p(steps.reshape(-1, 2))).reshape(-1, 2, 3)
    return straight_cubics(ends[:, 0], ends[:, 1])


def set_clipped_path(path: VMobject, steps: np.ndarray, start: np.ndarray, k: int) -> VMobject:
    """Draw the first ``k`` of :func:`clipped_steps` that lie in the box (pieces that do not touch become
    separate subpaths); just the scene point ``start`` while none does."""
    shown = steps[:k][~np.isnan(steps[:k, 0, 0])]
    path.points = shown.reshape(-1, 3) if len(shown) else np.repeat(np.asarray(start, dtype=float)[None], 4, axis=0)
    return path
