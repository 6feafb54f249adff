"""Mobject builders shared by several beats: the data view, model lines, residuals, curves."""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, Axes, Dot, Line, MathTex, VGroup, VMobject

from gradcore import Dataset, Trajectory, predict
from scenes.style import AXIS, CURVE, DATA, FIT, LABEL_SIZE, SLOPE, tick

__all__ = [
    "at_iterate",
    "clip_line",
    "data_axes",
    "data_dots",
    "edge_axes",
    "merged",
    "model_line",
    "nice_range",
    "path_through",
    "places",
    "residuals",
    "set_model_line",
    "set_residuals",
    "slope_segment",
    "straight_cubics",
]


def nice_range(values: np.ndarray, max_ticks: int = 6, margin: float = 0.08) -> tuple[float, float, float]:
    """``(lo, hi, step)`` covering ``values`` plus ``margin`` of their span on each side (not across 0)
    with a round step (1, 2 or 5 × 10^k) and at most ``max_ticks`` intervals."""
    v_lo, v_hi = float(np.min(values)), float(np.max(values))
    pad = margin * max(v_hi - v_lo, 1e-9)
    v_lo, v_hi = (v_lo - pad if v_lo < 0 or v_lo - pad >= 0 else 0.0), (v_hi + pad if v_hi > 0 or v_hi + pad <= 0 else 0.0)
    exponent = int(np.floor(np.log10((v_hi - v_lo) / max_ticks)))
    for k in range(exponent, exponent + 3):
        for base in (1, 2, 5):
            step = base * 10.0**k
            lo = np.floor(v_lo / step + 1e-9) * step
            hi = np.ceil(v_hi / step - 1e-9) * step
            if (hi - lo) / step <= max_ticks + 1e-9:
                return float(lo), float(hi), float(step)
    raise ValueError(f"no round range for [{v_lo}, {v_hi}]")  # unreachable: 10^(k+2) always fits


def edge_axes(
    x_range: tuple[float, float, float], y_range: tuple[float, float, float], x_length: float, y_length: float
) -> Axes:
    """The lesson's axes: lines through the origin, numbers along the left and bottom edges of the box,
    clear of what is plotted. Ranges are ``(lo, hi, step)``."""
    (x_lo, x_hi, x_step), (y_lo, y_hi, y_step) = x_range, y_range
    axes = Axes(
        x_range=[x_lo, x_hi, x_step],
        y_range=[y_lo, y_hi, y_step],
        x_length=x_length,
        y_length=y_length,
        axis_config={"color": AXIS, "include_tip": False},
    )
    ticks = VGroup()
    for x in np.arange(np.ceil(x_lo / x_step) * x_step, x_hi + x_step / 2, x_step):
        ticks.add(tick(x, places(x_step)).next_to(axes.c2p(x, y_lo), DOWN, buff=0.15))
    for y in np.arange(np.ceil(y_lo / y_step) * y_step, y_hi + y_step / 2, y_step):
        ticks.add(tick(y, places(y_step)).next_to(axes.c2p(x_lo, y), LEFT, buff=0.15))
    return axes.add(ticks)


def places(step: float) -> int:
    """Decimals needed to print multiples of ``step``."""
    return 0 if float(step).is_integer() else max(0, -int(np.floor(np.log10(step))))


def data_axes(data: Dataset, x_length: float = 6.0, y_length: float = 4.5) -> Axes:
    """Edge-numbered axes around the dataset with round limits, labelled x and y."""
    x_lo, x_hi = np.floor(data.x.min()) - 1, np.ceil(data.x.max()) + 1
    y_lo, y_hi = np.floor(data.y.min() / 5) * 5 - 5, np.ceil(data.y.max() / 5) * 5 + 5
    axes = edge_axes((x_lo, x_hi, 1 if x_hi - x_lo <= 12 else 2), (y_lo, y_hi, 5), x_length, y_length)
    labels = axes.get_axis_labels(MathTex("x", font_size=LABEL_SIZE), MathTex("y", font_size=LABEL_SIZE))
    return axes.add(labels)


def slope_segment(axes: Axes, x: float, y: float, slope: float, half: float) -> tuple[np.ndarray, np.ndarray]:
    """Scene endpoints of a segment through ``(x, y)`` with data slope ``slope``: ``half`` scene units
    either side of the point, cut to the axes' box."""
    centre = axes.c2p(x, y)
    direction = axes.c2p(x + 1, y + slope) - centre
    direction /= np.linalg.norm(direction)
    corner_a = axes.c2p(axes.x_range[0], axes.y_range[0])
    corner_b = axes.c2p(axes.x_range[1], axes.y_range[1])
    lo, hi = -half, half
    for k in (0, 1):
        if abs(direction[k]) > 1e-12:
            t1, t2 = sorted(((corner_a[k] - centre[k]) / direction[k], (corner_b[k] - centre[k]) / direction[k]))
            lo, hi = max(lo, t1), min(hi, t2)
    return centre + lo * direction, centre + hi * direction


def merged(group: VMobject) -> VMobject:
    """One VMobject drawing what ``group`` (members of one style, e.g. dots or dashes) draws: the camera
    builds and fills one cairo path instead of one per member, every frame the group is redrawn."""
    members = group.family_members_with_points()
    one = VMobject().match_style(members[0])
    one.points = np.concatenate([m.points for m in members])
    return one


def data_dots(axes: Axes, data: Dataset) -> VGroup:
    """One dot per data point."""
    points = axes.c2p(np.column_stack([data.x, data.y]))
    return VGroup(*(Dot(p, radius=0.045, color=DATA) for p in points))


def clip_line(axes: Axes, m: float, b: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Scene endpoints of ``y = m x + b`` inside the axes' box, or None if it misses the box."""
    (x0, x1), (y0, y1) = axes.x_range[:2], axes.y_range[:2]
    if m == 0:
        lo, hi = (x0, x1) if y0 <= b <= y1 else (1.0, 0.0)
    else:
        ends = sorted(((y0 - b) / m, (y1 - b) / m))
        lo, hi = max(x0, ends[0]), min(x1, ends[1])
    if not lo < hi:
        return None
    xs = np.array([lo, hi])
    return tuple(axes.c2p(np.column_stack([xs, predict(xs, m, b)])))


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
    """Point ``segments`` from each (x_i, y_i) to the model's (x_i, m x_i + b), clipped to the axes:
    one straight cubic per point, all set in one numpy call (no per-segment mobjects)."""
    y_pred = np.clip(predict(data.x, m, b), *axes.y_range[:2])
    tops = axes.c2p(np.column_stack([data.x, data.y]))
    feet = axes.c2p(np.column_stack([data.x, y_pred]))
    segments.points = straight_cubics(tops, feet).reshape(-1, 3)
    return segments


def residuals(axes: Axes, data: Dataset, m: float, b: float) -> VMobject:
    """The errors SSE squares: one vertical segment per point, from (x_i, y_i) to the line at x_i,
    as one VMobject whose ``points.reshape(-1, 4, 3)[i]`` is segment i."""
    return set_residuals(VMobject(stroke_color=SLOPE, stroke_width=2), axes, data, m, b)


def at_iterate(k: float, trajectory: Trajectory) -> int:
    """The iterate a step tracker at ``k`` points at, clamped to the trajectory's last recorded one."""
    return min(max(round(k), 0), len(trajectory.loss) - 1)


def path_through(axes: Axes, x: np.ndarray, y: np.ndarray, color=CURVE, **style: object) -> VMobject:
    """A smooth curve through the core's samples ``(x, y)``."""
    return VMobject(color=color, **style).set_points_smoothly(axes.c2p(np.column_stack([x, y])))
