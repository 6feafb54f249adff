"""The lesson as one frozen object: everything the scenes draw, computed from a plain config."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gradcore.dataset import Dataset, DatasetSpec, make_dataset
from gradcore.functions import SEED_FUNCTIONS, Function1D, FunctionCurve, sample_function
from gradcore.loss import (
    GradientField,
    LossGrid,
    Optimum,
    gradient_field,
    loss_landscape,
    moments,
    optimum,
    sse,
    sse_grad,
)
from gradcore.optimizers import DivergenceError, Trajectory, gradient_descent, run, sse_objective

__all__ = ["DescentSpec", "Lesson", "LessonConfig", "LossSlice", "Span", "build_lesson"]


@dataclass(frozen=True)
class Span:
    """Evenly spaced values ``start, start + step, …`` up to ``stop`` (included iff ``closed``)."""

    start: float
    stop: float
    step: float
    closed: bool = True

    def values(self) -> np.ndarray:
        if not (self.start < self.stop and self.step > 0):
            raise ValueError(f"a range needs start < stop and step > 0, got {self}")
        count = (self.stop - self.start) / self.step
        n = int(np.floor(count + 1e-9)) + 1
        if not self.closed and np.isclose(self.start + (n - 1) * self.step, self.stop):
            n -= 1
        return self.start + self.step * np.arange(n)


@dataclass(frozen=True)
class DescentSpec:
    """Gradient descent as the seed runs it: from (m, b) = (−15, −30), lr 0.001, ∂L/∂m divided by 4, 100 steps."""

    start: tuple[float, float] = (-15.0, -30.0)
    lr: float = 0.001
    grad_scale: tuple[float, float] = (0.25, 1.0)
    steps: int = 100


@dataclass(frozen=True)
class LessonConfig:
    """Every choice the lesson makes; the defaults are the seed notebook's."""

    functions: tuple[Function1D, ...] = SEED_FUNCTIONS
    function_samples: int = 100
    arrow_dx: float = 0.1
    arrow_every: int = 5
    dataset: DatasetSpec = field(default_factory=DatasetSpec)
    curve_m: Span = Span(-10.0, 10.0, 0.5)
    curve_b: Span = Span(-10.0, 10.0, 0.5)
    fixed_b: float = 5.0
    fixed_m: float = 5.0
    curve_arrow_dx: float = 0.5
    landscape_m: Span = Span(-20.0, 20.0, 0.5, closed=False)
    landscape_b: Span = Span(-40.0, 40.0, 0.5, closed=False)
    field_every: int = 5
    descent: DescentSpec = field(default_factory=DescentSpec)


@dataclass(frozen=True)
class LossSlice:
    """Loss along one parameter with the other fixed: ``values (k,)``, ``loss (k,)``, ``grad (k,)`` (∂L/∂ that parameter)."""

    parameter: str
    fixed: float
    values: np.ndarray
    loss: np.ndarray
    grad: np.ndarray


@dataclass(frozen=True)
class Lesson:
    """Everything the scenes draw. Built once by :func:`build_lesson`; never mutated."""

    config: LessonConfig
    curves: tuple[FunctionCurve, ...]
    dataset: Dataset
    loss_vs_m: LossSlice
    loss_vs_b: LossSlice
    landscape: LossGrid
    field: GradientField
    descent: Trajectory
    optimum: Optimum


def _slice(data: Dataset, parameter: str, values: np.ndarray, fixed: float) -> LossSlice:
    m, b = (values, np.full_like(values, fixed)) if parameter == "m" else (np.full_like(values, fixed), values)
    axis = 0 if parameter == "m" else 1
    return LossSlice(parameter, fixed, values, sse(data, m, b), sse_grad(data, m, b)[:, axis])


def build_lesson(config: LessonConfig = LessonConfig()) -> Lesson:
    """Compute the whole lesson; raises :class:`DivergenceError` if its descent diverges."""
    data = make_dataset(config.dataset)
    stats = moments(data)
    m_grid, b_grid = config.landscape_m.values(), config.landscape_b.values()
    d = config.descent
    descent = run(gradient_descent(d.lr, d.grad_scale), sse_objective(data), d.start, d.steps)
    if descent.diverged_at is not None:
        raise DivergenceError(descent.diverged_at, d.lr)
    return Lesson(
        config=config,
        curves=tuple(
            sample_function(fn, config.function_samples, config.arrow_dx, config.arrow_every)
            for fn in config.functions
        ),
        dataset=data,
        loss_vs_m=_slice(data, "m", config.curve_m.values(), config.fixed_b),
        loss_vs_b=_slice(data, "b", config.curve_b.values(), config.fixed_m),
        landscape=loss_landscape(stats, m_grid, b_grid),
        field=gradient_field(stats, m_grid[:: config.field_every], b_grid[:: config.field_every]),
        descent=descent,
        optimum=optimum(stats),
    )
