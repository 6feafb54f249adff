"""The lesson's 1D functions, their analytic derivatives and the seed's slope arrows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "SEED_FUNCTIONS",
    "Function1D",
    "FunctionCurve",
    "Samples",
    "Secant",
    "sample_function",
    "secant",
    "slope_arrows",
    "stationary_points",
]

RealFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Function1D:
    """A function f, its derivative f', the LaTeX of both and their plain text (for subtitles; see
    :func:`gradcore.expressions.plain_text`), over the lesson's x range."""

    name: str
    f: RealFn
    df: RealFn
    latex: str
    dlatex: str
    text: str
    dtext: str
    x_min: float
    x_max: float


@dataclass(frozen=True)
class Samples:
    """A curve sampled at ``x (k,)``: values ``y (k,)`` and slopes ``dy (k,)``."""

    x: np.ndarray
    y: np.ndarray
    dy: np.ndarray


@dataclass(frozen=True)
class FunctionCurve:
    """A function sampled as the seed samples it (``seed``: ``linspace(x_min, x_max, 100)``) and
    densely for smooth motion (``dense``), with the seed's slope arrows and its zero-slope points.

    ``arrow_tail`` and ``arrow_delta`` (both ``(k, 2)``) are the seed's red quiver arrows:
    every ``every``-th seed sample, ``(U, V) = (dx, f'(x) dx)`` drawn at ``scale = 0.5``, i.e.
    ``arrow_delta = (U, V) / 0.5`` in data units.
    """

    function: Function1D
    seed: Samples
    dense: Samples
    arrow_tail: np.ndarray
    arrow_delta: np.ndarray
    stationary_x: np.ndarray
    stationary_y: np.ndarray


@dataclass(frozen=True)
class Secant:
    """Secants of f through ``(x0, f(x0))`` and ``(x0 + h, f(x0 + h))`` as h shrinks:
    ``slope = (f(x0 + h) − f(x0)) / h`` → ``tangent_slope = f'(x0)``."""

    x0: float
    y0: float
    h: np.ndarray
    y1: np.ndarray
    slope: np.ndarray
    tangent_slope: float


def secant(fn: Function1D, x0: float, h: np.ndarray) -> Secant:
    """The difference quotients of the derivative's definition at ``x0`` for each ``h``."""
    h = np.asarray(h, dtype=float)
    y0 = float(fn.f(np.array(x0)))
    y1 = fn.f(x0 + h)
    return Secant(x0, y0, h, y1, (y1 - y0) / h, float(fn.df(np.array(x0))))


def slope_arrows(
    x: np.ndarray, y: np.ndarray, grad: np.ndarray, dx: float, every: int, scale: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """The seed's ``plot_1D_gradient_arrows``: tails ``(x, y)[::every]``, deltas ``(dx, grad dx) / scale``."""
    xi, yi, gi = x[::every], y[::every], grad[::every]
    tail = np.column_stack([xi, yi])
    delta = np.column_stack([np.full_like(xi, dx), gi * dx]) / scale
    return tail, delta


def stationary_points(fn: Function1D, resolution: int = 4001, iterations: int = 60) -> np.ndarray:
    """The x in ``[x_min, x_max]`` where ``f'(x) = 0``: sign changes of f' refined by bisection (a root within
    10⁻⁹ of the range's width from 0 is 0)."""
    x = np.linspace(fn.x_min, fn.x_max, resolution)
    d = fn.df(x)
    exact = x[d == 0.0]
    lo_idx = np.flatnonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0)
    lo, hi = x[lo_idx], x[lo_idx + 1]
    d_lo = d[lo_idx]
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        d_mid = fn.df(mid)
        same = np.sign(d_mid) == np.sign(d_lo)
        lo, d_lo = np.where(same, mid, lo), np.where(same, d_mid, d_lo)
        hi = np.where(same, hi, mid)
    roots = np.sort(np.concatenate([exact, 0.5 * (lo + hi)]))
    roots[np.abs(roots) < 1e-9 * (fn.x_max - fn.x_min)] = 0.0  # bisection lands ~1e-22 off a root at 0: it is 0
    return roots


def _samples(fn: Function1D, n: int) -> Samples:
    x = np.linspace(fn.x_min, fn.x_max, n)
    return Samples(x, fn.f(x), fn.df(x))


def sample_function(fn: Function1D, n: int = 100, arrow_dx: float = 0.1, arrow_every: int = 5, dense: int = 601) -> FunctionCurve:
    """Sample ``fn`` on ``linspace(x_min, x_max, n)`` with the seed's arrows (``dx = 0.1``, every 5th)."""
    seed = _samples(fn, n)
    tail, delta = slope_arrows(seed.x, seed.y, seed.dy, arrow_dx, arrow_every)
    stationary_x = stationary_points(fn)
    return FunctionCurve(fn, seed, _samples(fn, dense), tail, delta, stationary_x, fn.f(stationary_x))


SEED_FUNCTIONS: tuple[Function1D, ...] = (
    Function1D("Quadratic", lambda x: x**2, lambda x: 2 * x, r"x^{2}", r"2 x", "x^2", "2x", -5.0, 5.0),
    Function1D(
        "Cosine", np.cos, lambda x: -np.sin(x), r"\cos{\left(x \right)}", r"- \sin{\left(x \right)}", "cos(x)", "-sin(x)", -5.0, 5.0
    ),
    Function1D(
        "Polynomial",
        lambda x: x**3 - 4 * x**2 + 2 * x - 3,
        lambda x: 3 * x**2 - 8 * x + 2,
        r"x^{3} - 4 x^{2} + 2 x - 3",
        r"3 x^{2} - 8 x + 2",
        "x^3 - 4x^2 + 2x - 3",
        "3x^2 - 8x + 2",
        -2.0,
        5.0,
    ),
)
