"""Linear model, SSE loss and its gradient; the loss landscape and gradient field on a grid.

For point evaluations the loss is summed over the data exactly as the seed does. On a grid it is
evaluated from the data's sufficient statistics, since SSE is a quadratic in (m, b):

    L(m, b) = S_yy − 2 m S_xy + m² S_xx + n c²,   c = ȳ − m x̄ − b,

with centred moments S_xx = Σ(x − x̄)², S_xy = Σ(x − x̄)(y − ȳ), S_yy = Σ(y − ȳ)² (the raw sums
Σx, Σy, Σx², Σxy, Σy², n in a form that does not cancel catastrophically). A G-point grid costs O(n + G).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from gradcore.dataset import Dataset

__all__ = [
    "GradientField",
    "LossGrid",
    "Moments",
    "Optimum",
    "best_b",
    "best_m",
    "gradient_field",
    "loss_landscape",
    "moments",
    "optimum",
    "predict",
    "sse",
    "sse_at",
    "sse_grad",
    "sse_grad_at",
]


def predict(x: ArrayLike, m: ArrayLike, b: ArrayLike) -> np.ndarray:
    """The linear model ``y = m x + b``."""
    return np.asarray(m) * np.asarray(x) + np.asarray(b)


def _residuals(data: Dataset, m: ArrayLike, b: ArrayLike) -> np.ndarray:
    """``y_true − y_pred`` with shape ``broadcast(m, b).shape + (n,)``."""
    m, b = np.asarray(m, dtype=float)[..., None], np.asarray(b, dtype=float)[..., None]
    return data.y - (m * data.x + b)


def sse(data: Dataset, m: ArrayLike, b: ArrayLike) -> np.ndarray:
    """``L = Σ (y_i − (m x_i + b))²`` for one (m, b) or arrays of them (broadcast)."""
    return np.sum(_residuals(data, m, b) ** 2, axis=-1)


def sse_grad(data: Dataset, m: ArrayLike, b: ArrayLike) -> np.ndarray:
    """``(∂L/∂m, ∂L/∂b) = (−2 Σ x_i r_i, −2 Σ r_i)``, ``r = y − (m x + b)``; shape ``broadcast(m, b).shape + (2,)``."""
    r = _residuals(data, m, b)
    return np.stack([-2 * np.sum(data.x * r, axis=-1), -2 * np.sum(r, axis=-1)], axis=-1)


@dataclass(frozen=True)
class Moments:
    """Sufficient statistics of a dataset for SSE: n, means and centred second moments."""

    n: int
    x_mean: float
    y_mean: float
    sxx: float
    sxy: float
    syy: float


def moments(data: Dataset) -> Moments:
    """One O(n) pass (two-pass centring) over the data."""
    x_mean, y_mean = float(np.mean(data.x)), float(np.mean(data.y))
    dx, dy = data.x - x_mean, data.y - y_mean
    return Moments(data.n, x_mean, y_mean, float(dx @ dx), float(dx @ dy), float(dy @ dy))


def _loss_from_moments(s: Moments, m: np.ndarray, b: np.ndarray) -> np.ndarray:
    c = s.y_mean - m * s.x_mean - b
    return s.syy - 2 * m * s.sxy + m * m * s.sxx + s.n * c * c


def _grad_from_moments(s: Moments, m: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``∂L/∂m = 2 (m S_xx − S_xy − n x̄ c)``, ``∂L/∂b = −2 n c``."""
    c = s.y_mean - m * s.x_mean - b
    return 2 * (m * s.sxx - s.sxy - s.n * s.x_mean * c), -2 * s.n * c


def sse_at(s: Moments, m: ArrayLike, b: ArrayLike) -> np.ndarray:
    """SSE at many (m, b) (broadcast) from the moments: O(1) each, whatever n (the curves and candidate paths)."""
    return _loss_from_moments(s, np.asarray(m, dtype=float), np.asarray(b, dtype=float))


def sse_grad_at(s: Moments, m: ArrayLike, b: ArrayLike) -> np.ndarray:
    """(∂L/∂m, ∂L/∂b) at many (m, b) from the moments; shape ``broadcast(m, b).shape + (2,)``."""
    dm, db = _grad_from_moments(s, np.asarray(m, dtype=float), np.asarray(b, dtype=float))
    return np.stack(np.broadcast_arrays(dm, db), axis=-1)


@dataclass(frozen=True)
class LossGrid:
    """``loss[i, j] = L(m[j], b[i])``: shape ``(len(b), len(m))``, as the seed's ``L_grid``."""

    m: np.ndarray
    b: np.ndarray
    loss: np.ndarray


@dataclass(frozen=True)
class GradientField:
    """``dL_dm[i, j]``, ``dL_db[i, j]`` at ``(m[j], b[i])``; shape ``(len(b), len(m))``."""

    m: np.ndarray
    b: np.ndarray
    dL_dm: np.ndarray
    dL_db: np.ndarray


def loss_landscape(s: Moments, m: ArrayLike, b: ArrayLike) -> LossGrid:
    """SSE on the grid ``m × b`` from the moments: O(G), independent of n."""
    m, b = np.asarray(m, dtype=float), np.asarray(b, dtype=float)
    return LossGrid(m, b, _loss_from_moments(s, m[None, :], b[:, None]))


def gradient_field(s: Moments, m: ArrayLike, b: ArrayLike) -> GradientField:
    """(∂L/∂m, ∂L/∂b) on the grid ``m × b`` from the moments: O(G)."""
    m, b = np.asarray(m, dtype=float), np.asarray(b, dtype=float)
    dm, db = _grad_from_moments(s, m[None, :], b[:, None])
    return GradientField(m, b, dm, np.broadcast_to(db, dm.shape).copy())


@dataclass(frozen=True)
class Optimum:
    """The least-squares line: ``m* = S_xy / S_xx``, ``b* = ȳ − m* x̄``, ``L* = S_yy − S_xy² / S_xx``."""

    m: float
    b: float
    loss: float


def optimum(s: Moments) -> Optimum:
    """The closed-form minimiser of SSE."""
    m = s.sxy / s.sxx
    return Optimum(m, s.y_mean - m * s.x_mean, max(s.syy - s.sxy * m, 0.0))


def best_m(data: Dataset, b: float) -> float:
    """The m where the loss is lowest with b held: ``∂L/∂m = −2 Σ x (y − m x − b) = 0`` gives
    ``m = Σ x (y − b) / Σ x²`` (Σ x² > 0: a :class:`Dataset`'s x are never all equal)."""
    x = data.x
    return float(x @ (data.y - b) / (x @ x))


def best_b(data: Dataset, m: float) -> float:
    """The b where the loss is lowest with m held: ``∂L/∂b = −2 Σ (y − m x − b) = 0`` gives ``b = mean(y − m x)``."""
    return float(np.mean(data.y - m * data.x))
