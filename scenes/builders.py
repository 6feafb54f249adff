"""Mobject builders shared by several beats: the data view, model lines, residuals, curves."""

from __future__ import annotations

import numpy as np
from manim import Axes, Dot, Line, MathTex, VGroup, VMobject

from gradcore import Dataset, predict
from scenes.style import AXIS, CURVE, DATA, FIT, LABEL_SIZE, SLOPE

__all__ = [
    "clip_line",
    "data_axes",
    "data_dots",
    "model_line",
    "path_through",
    "residuals",
    "set_model_line",
    "set_residuals",
]


def data_axes(data: Dataset, x_length: float = 6.0, y_length: float = 4.5) -> Axes:
    """Axes around the dataset with round limits, labelled x and y."""
    x_lo, x_hi = np.floor(data.x.min()) - 1, np.ceil(data.x.max()) + 1
    y_lo, y_hi = np.floor(data.y.min() / 5) * 5 - 5, np.ceil(data.y.max() / 5) * 5 + 5
    axes = Axes(
        x_range=[x_lo, x_hi, 1 if x_hi - x_lo <= 12 else 2],
        y_range=[y_lo, y_hi, 5],
        x_length=x_length,
        y_length=y_length,
        axis_config={"color": AXIS, "include_tip": False, "font_size": 20},
    ).add_coordinates()
    labels = axes.get_axis_labels(MathTex("x", font_size=LABEL_SIZE), MathTex("y", font_size=LABEL_SIZE))
    return axes.add(labels)


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


def set_residuals(segments: VGroup, axes: Axes, data: Dataset, m: float, b: float) -> VGroup:
    """Move each segment from (x_i, y_i) to the model's (x_i, m x_i + b), clipped to the axes."""
    y_pred = np.clip(predict(data.x, m, b), *axes.y_range[:2])
    tops = axes.c2p(np.column_stack([data.x, data.y]))
    feet = axes.c2p(np.column_stack([data.x, y_pred]))
    for segment, top, foot in zip(segments, tops, feet, strict=True):
        segment.put_start_and_end_on(top, foot)
    return segments


def residuals(axes: Axes, data: Dataset, m: float, b: float) -> VGroup:
    """Vertical segments from each point (x_i, y_i) to the line at (x_i, m x_i + b): the errors SSE squares."""
    segments = VGroup(*(Line(axes.c2p(0, 0), axes.c2p(1, 1), color=SLOPE, stroke_width=2) for _ in data.x))
    return set_residuals(segments, axes, data, m, b)


def path_through(axes: Axes, x: np.ndarray, y: np.ndarray, color=CURVE, **style: object) -> VMobject:
    """A smooth curve through the core's samples ``(x, y)``."""
    return VMobject(color=color, **style).set_points_smoothly(axes.c2p(np.column_stack([x, y])))
