"""Mobject builders shared by several beats: the data view, model lines, residuals, curves."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Axes, Dot, Line, MathTex, ValueTracker, VGroup, VMobject, config

from gradcore import Dataset, Trajectory, predict
from gradcore.ticks import Ticks, nice_ticks, padded_ticks
from scenes.toolkit.style import AXIS, CURVE, DATA, FIT, LABEL_SIZE, SLOPE, readout, tick

TICK_LENGTH = 0.1  # scene units of a tick mark
EDGE = 0.2  # scene units kept clear at the frame's edges
LABEL_GAP = 0.12  # scene units kept between neighbouring tick numbers

__all__ = [
    "EDGE",
    "axes_box",
    "clip_line",
    "clip_segment",
    "data_axes",
    "data_dots",
    "descent_readouts",
    "edge_axes",
    "fit_right",
    "keep_left_edge",
    "merged",
    "model_line",
    "path_through",
    "residuals",
    "set_model_line",
    "set_polyline",
    "set_residuals",
    "slope_segment",
    "step_counter",
    "straight_cubics",
    "thin_labels",
    "tracker_index",
]


def edge_axes(
    x_ticks: Ticks,
    y_ticks: Ticks,
    x_length: float,
    y_length: float,
    units: tuple[tuple[float, float], tuple[float, float]] = ((0, 1), (0, 1)),
) -> Axes:
    """The lesson's axes over ``x_ticks``' and ``y_ticks``' ranges: lines through the origin (or the box's
    edge), tick marks and numbers along the left and bottom edges of the box, clear of what is plotted.
    ``axes.tick_labels`` holds the numbers, x first. With ``units`` ``((x_mean, x_sd), (y_mean, y_sd))`` the
    ticks are in the data's units and the axes in standardised ones: a tick at v sits at ``(v − mean) / sd``."""
    (x0, xs), (y0, ys) = units

    def place(ticks: Ticks, mean: float, sd: float) -> tuple[float, float, float, np.ndarray]:
        return (ticks.lo - mean) / sd, (ticks.hi - mean) / sd, ticks.step / sd, (ticks.values - mean) / sd

    (x_lo, x_hi, x_step, x_at), (y_lo, y_hi, y_step, y_at) = place(x_ticks, x0, xs), place(y_ticks, y0, ys)
    axes = Axes(
        x_range=[x_lo, x_hi, x_step],
        y_range=[y_lo, y_hi, y_step],
        x_length=x_length,
        y_length=y_length,
        axis_config={"color": AXIS, "include_tip": False, "include_ticks": False},
    )
    marks, labels = VGroup(), VGroup()
    for x, value in zip(x_at, x_ticks.scaled, strict=True):
        foot = axes.c2p(x, y_lo)
        marks.add(Line(foot, foot + TICK_LENGTH * DOWN, color=AXIS, stroke_width=2))
        labels.add(tick(value, x_ticks.format).next_to(foot, DOWN, buff=0.15))
    for y, value in zip(y_at, y_ticks.scaled, strict=True):
        foot = axes.c2p(x_lo, y)
        marks.add(Line(foot, foot + TICK_LENGTH * LEFT, color=AXIS, stroke_width=2))
        labels.add(tick(value, y_ticks.format).next_to(foot, LEFT, buff=0.15))
    thin_labels(labels[: len(x_ticks.values)], x_ticks.values)
    thin_labels(labels[len(x_ticks.values) :], y_ticks.values)
    axes.tick_labels = labels  # type: ignore[attr-defined]  # the lesson's own attribute on a manim object
    axes.x_ticks, axes.y_ticks = x_ticks, y_ticks  # type: ignore[attr-defined]  # the lesson's own attribute on a manim object
    return axes.add(marks, labels)


def function_axes(x_range: tuple[float, float], y_values: np.ndarray, x_length: float, y_length: float) -> Axes:
    """Axes over the function's x range and a round range around the core's ``y_values``, both ticked by the
    one tick picker."""
    return edge_axes(nice_ticks(*x_range), padded_ticks(y_values), x_length, y_length)


def thin_labels(labels: VMobject, values: np.ndarray) -> VMobject:
    """Hide tick numbers that would touch a neighbour: keep every 2nd (then 5th, 10th) one, counted from 0 when
    0 is a tick (else from the first), so the ones shown are still round and evenly spaced."""
    members = list(labels)
    if len(members) < 3:
        return labels
    anchor = int(np.argmin(np.abs(values))) if np.any(np.isclose(values, 0)) else 0
    for every in (1, 2, 5, 10):
        kept = [m for i, m in enumerate(members) if (i - anchor) % every == 0]
        horizontal = abs(members[-1].get_x() - members[0].get_x()) >= abs(members[-1].get_y() - members[0].get_y())
        k = 0 if horizontal else 1
        side = (lambda m: m.width) if horizontal else (lambda m: m.height)
        if all(abs(b.get_center()[k] - a.get_center()[k]) >= (side(a) + side(b)) / 2 + LABEL_GAP for a, b in itertools.pairwise(kept)):
            break
    for m in members:
        if m not in kept:
            m.set_opacity(0)
    labels.shown = kept  # type: ignore[attr-defined]  # the lesson's own attribute on a manim object
    return labels


def keep_left_edge(group: VMobject, *others: VMobject) -> None:
    """Shift ``group`` (and ``others`` with it) right just enough that it starts :data:`EDGE` inside the frame."""
    shift = -config.frame_x_radius + EDGE - group.get_left()[0]
    if shift > 0:
        for mobject in (group, *others):
            mobject.shift(RIGHT * shift)


def fit_right(mobject: VMobject, right: float) -> VMobject:
    """Shrink ``mobject`` about its left edge so that it ends at ``right`` at the latest (never enlarge it)."""
    room = right - mobject.get_left()[0]
    if mobject.width > room > 0:
        mobject.scale(room / mobject.width, about_edge=LEFT)
    return mobject


def data_axes(data: Dataset, x_length: float = 6.0, y_length: float = 4.5) -> Axes:
    """Edge-numbered axes around the dataset with round limits, labelled x and y (with their scale, e.g.
    ``y (×10³)``, when the data is large or small), numbered in the data's units even when it is standardised."""
    u = data.units
    if u is None:
        x_ticks, y_ticks = padded_ticks(data.x), padded_ticks(data.y)
        axes = edge_axes(x_ticks, y_ticks, x_length, y_length)
    else:  # standardised data, drawn on axes numbered in the data's units
        x_ticks, y_ticks = padded_ticks(u.x_mean + u.x_sd * data.x), padded_ticks(u.y_mean + u.y_sd * data.y)
        axes = edge_axes(x_ticks, y_ticks, x_length, y_length, ((u.x_mean, u.x_sd), (u.y_mean, u.y_sd)))
    names = (MathTex(x_ticks.tex_name("x"), font_size=LABEL_SIZE), MathTex(y_ticks.tex_name("y"), font_size=LABEL_SIZE))
    if u is None:
        return axes.add(axes.get_axis_labels(*names))
    # standardised: manim's axis lines cross at the data's means, which is no origin of the numbers shown, so
    # they give way to lines along the box's bottom and left edges, named at their ends
    (x0, x1), (y0, y1) = axes.x_range[:2], axes.y_range[:2]
    axes.x_axis.set_stroke(opacity=0)
    axes.y_axis.set_stroke(opacity=0)
    bottom = Line(axes.c2p(x0, y0), axes.c2p(x1, y0), color=AXIS, stroke_width=2)
    left = Line(axes.c2p(x0, y0), axes.c2p(x0, y1), color=AXIS, stroke_width=2)
    names[0].next_to(bottom.get_end(), RIGHT, buff=0.15)
    names[1].next_to(left.get_end(), UP, buff=0.15)
    return axes.add(bottom, left, *names)


def on_baseline(tex: VMobject, y: float) -> VMobject:
    """``tex`` moved up or down so that its baseline is at height ``y``: labels side by side line up as text does,
    where aligning their bottoms would lift one with a descender (g, a comma). The baseline is the median of its
    glyphs' lowest points (a descender is one glyph of a few)."""
    return tex.shift(UP * (y - float(np.median([glyph.get_bottom()[1] for glyph in tex.family_members_with_points()]))))


def axes_box(axes: Axes) -> tuple[np.ndarray, np.ndarray]:
    """The box the axes plot, in their own coordinates, as ``(lo, hi)``: ``lo = (x_min, y_min)``, ``hi = (x_max,
    y_max)``; on :func:`~scenes.toolkit.planes.plane_axes` that is ``(m_min, b_min)``, ``(m_max, b_max)``."""
    return np.array([axes.x_range[0], axes.y_range[0]]), np.array([axes.x_range[1], axes.y_range[1]])


Point = np.ndarray | tuple[float, ...]  # a point or a box corner, in any dimension


def clip_segment(p: Point, q: Point, lo: Point, hi: Point) -> tuple[np.ndarray, np.ndarray] | None:
    """The part of segment ``p → q`` inside the box ``lo ≤ point ≤ hi`` (in any dimension), or None if it misses the
    box or touches it at a single point (Liang–Barsky): the points ``p + t (q − p)`` with ``t`` in [0, 1] and, on every axis,
    between ``(lo − p) / (q − p)`` and ``(hi − p) / (q − p)``."""
    t0, t1 = 0.0, 1.0
    for axis in range(len(p)):
        start, delta = p[axis], q[axis] - p[axis]
        if abs(delta) < 1e-300:  # along the box's faces on this axis: inside them or nowhere
            if not lo[axis] <= start <= hi[axis]:
                return None
            continue
        a, b = (lo[axis] - start) / delta, (hi[axis] - start) / delta
        t0, t1 = max(t0, min(a, b)), min(t1, max(a, b))
    if not t0 < t1:  # missed, or one point touched (a zero-length segment inside keeps t = 0 … 1)
        return None
    start, end = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    return start + t0 * (end - start), start + t1 * (end - start)


def slope_segment(axes: Axes, x: float, y: float, slope: float, half: float) -> tuple[np.ndarray, np.ndarray]:
    """Scene endpoints of a segment through ``(x, y)`` with data slope ``slope``: ``half`` scene units
    either side of the point, cut to the axes' box (:func:`clip_segment`; whole if the point is off the box)."""
    reach = half / np.linalg.norm(axes.c2p(x + 1, y + slope) - axes.c2p(x, y))  # half scene units along the line, in x
    along = reach * np.array([1.0, slope])
    ends = (np.array([x, y]) - along, np.array([x, y]) + along)
    return tuple(axes.c2p(np.array(clip_segment(*ends, *axes_box(axes)) or ends)))


def merged(group: VMobject) -> VMobject:
    """One VMobject drawing what ``group`` (members of one style, e.g. dots or dashes) draws: the camera
    builds and fills one cairo path instead of one per member, every frame the group is redrawn."""
    members = group.family_members_with_points()
    one = VMobject().match_style(members[0])  # type: ignore[arg-type]  # manim types a VMobject's family as Mobjects
    one.points = np.concatenate([m.points for m in members])
    return one


def data_dots(axes: Axes, data: Dataset) -> VGroup:
    """One dot per drawn data point (:meth:`~gradcore.Dataset.drawn`: all of them up to a thousand)."""
    shown = data.drawn()
    points = axes.c2p(np.column_stack([data.x[shown], data.y[shown]]))
    return VGroup(*(Dot(p, radius=0.045, color=DATA) for p in points))


def clip_line(axes: Axes, m: float, b: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Scene endpoints of ``y = m x + b`` inside the axes' box (its segment over the x range, :func:`clip_segment`
    to the box), or None if it misses the box."""
    lo, hi = axes_box(axes)
    xs = np.array([lo[0], hi[0]])
    ys = predict(xs, m, b)
    ends = clip_segment(np.array([xs[0], ys[0]]), np.array([xs[1], ys[1]]), lo, hi)
    return None if ends is None else tuple(axes.c2p(np.array(ends)))


def set_model_line(line: Line, axes: Axes, m: float, b: float) -> Line:
    """Move ``line`` onto ``y = m x + b`` clipped to the axes (hidden if the line misses them)."""
    ends = clip_line(axes, m, b)
    if ends is None:
        return line.set_stroke(opacity=0)
    return line.put_start_and_end_on(*ends).set_stroke(opacity=1)


def model_line(axes: Axes, m: float, b: float, color=FIT) -> Line:
    """A line showing the model ``y = m x + b`` within the axes."""
    return set_model_line(Line(axes.c2p(0, 0), axes.c2p(1, 1), color=color, stroke_width=4), axes, m, b)


_THIRDS = np.array([0.0, 1 / 3, 2 / 3, 1.0])[None, :, None]


def straight_cubics(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """One straight cubic from each of ``starts`` to the matching ``ends`` (scene points): shape ``(n, 4, 3)``."""
    return starts[:, None, :] + _THIRDS * (ends - starts)[:, None, :]


def set_residuals(segments: VMobject, axes: Axes, data: Dataset, m: float, b: float) -> VMobject:
    """Point ``segments`` from each drawn (x_i, y_i) to the model's (x_i, m x_i + b), clipped to the axes:
    one straight cubic per point, all set in one numpy call (no per-segment mobjects; at most a thousand)."""
    shown = data.drawn()
    x, y = data.x[shown], data.y[shown]
    y_pred = np.clip(predict(x, m, b), axes.y_range[0], axes.y_range[1])
    tops = axes.c2p(np.column_stack([x, y]))
    feet = axes.c2p(np.column_stack([x, y_pred]))
    segments.points = straight_cubics(tops, feet).reshape(-1, 3)
    return segments


def residuals(axes: Axes, data: Dataset, m: float, b: float) -> VMobject:
    """The errors SSE squares: one vertical segment per point, from (x_i, y_i) to the line at x_i,
    as one VMobject whose ``points.reshape(-1, 4, 3)[i]`` is segment i."""
    return set_residuals(VMobject(stroke_color=SLOPE, stroke_width=2), axes, data, m, b)


def tracker_index(tracker: ValueTracker, last: int | None = None) -> int:
    """The index of the sample a tracker animated over sample indices points at (the step k, a candidate, an h,
    an x): ``i = round(value)``, kept within ``0 … last`` when ``last`` is given (a diverged trajectory has
    fewer iterates than the steps the tracker runs through)."""
    i = max(round(tracker.get_value()), 0)
    return i if last is None else min(i, last)


def step_counter(tracker: ValueTracker, steps: int) -> VGroup:
    """The readout ``k = …`` of the step the tracker points at, in the format of ``0 … steps``."""
    row = readout("k", 0, range(steps + 1), 0)
    row[1].add_updater(lambda number: number.set_value(tracker_index(tracker)))
    return row


def descent_readouts(d: Trajectory, iterate: Callable[[], int]) -> VGroup:
    """Rows ``k = …``, ``m = …``, ``b = …``, ``loss = …`` showing iterate ``iterate()`` of ``d`` (a lookup a
    frame), each in the format of its whole series."""
    rows = VGroup()
    for label, values, digits in (("k", range(len(d.loss)), 0), ("m", d.m, 5), ("b", d.b, 5), (r"\text{loss}", d.loss, 4)):
        row = readout(label, values[0], values, digits)
        row[1].add_updater(lambda number, values=values: number.set_value(values[iterate()]))
        rows.add(row)
    return rows


def set_polyline(path: VMobject, points: np.ndarray, k: int) -> VMobject:
    """Draw ``path`` as straight segments through the scene points ``points[0 … k]``: called with the step k
    each frame, a path that grows with it (at k = 0 the point twice, so that the path is never empty)."""
    return path.set_points_as_corners(points[: k + 1].repeat(2 if k == 0 else 1, axis=0))


def path_through(axes: Axes, x: np.ndarray, y: np.ndarray, color=CURVE, **style: Any) -> VMobject:
    """A smooth curve through the core's samples ``(x, y)``."""
    return VMobject(color=color, **style).set_points_smoothly(axes.c2p(np.column_stack([x, y])))
