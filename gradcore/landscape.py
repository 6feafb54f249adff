"""Drawing aids computed from the loss landscape: contour levels and gradient-flow streamlines."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from gradcore.loss import Moments, _grad_from_moments, optimum
from gradcore.ticks import nice_number

__all__ = ["contour_levels", "streamlines"]

BAND_WIDTHS = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)  # mantissas of a contour band's width, finer than a tick's


def contour_levels(lo: float, hi: float, n: int = 25) -> np.ndarray:
    """At most ``n`` equal bands of a round width covering ``[lo, hi]`` (like matplotlib's ``levels=n``)."""
    if not hi > lo:
        raise ValueError(f"contour levels need hi > lo, got [{lo}, {hi}]")
    step = nice_number((hi - lo) / n, mantissas=BAND_WIDTHS)
    start, stop = np.floor(lo / step) * step, np.ceil(hi / step) * step
    return start + step * np.arange(round((stop - start) / step) + 1)


def streamlines(
    s: Moments,
    grad_scale: ArrayLike,
    m_range: tuple[float, float],
    b_range: tuple[float, float],
    seeds_per_side: int = 7,
    ds: float = 0.004,
    max_steps: int = 600,
    stop_radius: float = 0.05,
) -> tuple[np.ndarray, ...]:
    """Curves following the descent direction ``v = −grad_scale ⊙ ∇L`` from seeds on the box's edges.

    Integrated (midpoint rule) in box-normalised coordinates, where both axes span [0, 1], with
    unit-speed steps ``ds``; a curve stops on leaving the box or within ``stop_radius`` of the
    minimum. Returns one ``(k_i, 2)`` array of (m, b) points per curve; a seed that leaves the box or
    reaches the minimum within two steps gives no curve.
    """
    lo = np.array([m_range[0], b_range[0]], dtype=float)
    span = np.array([m_range[1], b_range[1]], dtype=float) - lo
    scale = np.asarray(grad_scale, dtype=float)

    def direction(u: np.ndarray) -> np.ndarray:
        p = lo + u * span
        dm, db = _grad_from_moments(s, p[:, 0], p[:, 1])
        v = -np.column_stack([dm, db]) * scale / span
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-300)

    t = (np.arange(seeds_per_side) + 0.5) / seeds_per_side
    zeros, ones = np.zeros_like(t), np.ones_like(t)
    u = np.concatenate([np.column_stack(pair) for pair in ((t, zeros), (ones, t), (t[::-1], ones), (zeros, t[::-1]))])
    best = optimum(s)
    centre = (np.array([best.m, best.b]) - lo) / span
    paths = np.full((max_steps + 1, len(u), 2), np.nan)
    paths[0] = u
    alive = np.ones(len(u), dtype=bool)
    for k in range(max_steps):
        mid = u + 0.5 * ds * direction(u)
        nxt = u + ds * direction(mid)
        alive &= np.all((nxt >= 0) & (nxt <= 1), axis=1) & (np.linalg.norm(nxt - centre, axis=1) > stop_radius)
        u = np.where(alive[:, None], nxt, u)
        paths[k + 1, alive] = nxt[alive]
        if not alive.any():
            break
    curves = (lo + paths[np.isfinite(paths[:, i, 0]), i] * span for i in range(len(u)))
    return tuple(curve for curve in curves if len(curve) >= 3)
