"""The lesson's dataset: the only place randomness happens."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Dataset", "DatasetSpec", "make_dataset"]


@dataclass(frozen=True)
class DatasetSpec:
    """A noisy line ``y = m x + b + noise * N(0, 1)`` at ``x = x_min + i (x_max - x_min) / n``, i < n.

    The defaults are the seed's: ``np.random.seed(42)``, ``x = arange(-5, 5, 0.25)``, m = 2, b = −3.
    """

    seed: int = 42
    n: int = 40
    x_min: float = -5.0
    x_max: float = 5.0
    m: float = 2.0
    b: float = -3.0
    noise: float = 1.0


@dataclass(frozen=True)
class Dataset:
    """Points ``(x_i, y_i)``, both read-only arrays of shape ``(n,)``."""

    x: np.ndarray
    y: np.ndarray

    def __post_init__(self) -> None:
        x = np.array(self.x, dtype=float)
        y = np.array(self.y, dtype=float)
        if x.ndim != 1 or x.shape != y.shape:
            raise ValueError(f"x and y must be 1D arrays of one length, got shapes {x.shape} and {y.shape}")
        if len(x) < 2:
            raise ValueError(f"a dataset needs at least 2 points, got {len(x)}")
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            raise ValueError("dataset values must be finite")
        if np.ptp(x) == 0:
            raise ValueError("all x values are equal: the slope m is undetermined")
        x.flags.writeable = y.flags.writeable = False
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)

    @property
    def n(self) -> int:
        return len(self.x)


def make_dataset(spec: DatasetSpec = DatasetSpec()) -> Dataset:
    """Generate the dataset exactly as the seed does (legacy ``RandomState`` stream, same float order)."""
    if spec.n < 2:
        raise ValueError(f"dataset n must be at least 2, got {spec.n}")
    if not spec.x_min < spec.x_max:
        raise ValueError(f"dataset x range needs x_min < x_max, got [{spec.x_min}, {spec.x_max}]")
    x = spec.x_min + (spec.x_max - spec.x_min) / spec.n * np.arange(spec.n)
    noise = np.random.RandomState(spec.seed).normal(size=x.shape)
    return Dataset(x, x * spec.m + spec.b + spec.noise * noise)
