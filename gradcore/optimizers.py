"""Optimizers as small (init, update) pairs, and ``run`` which records a whole trajectory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from gradcore.dataset import Dataset
from gradcore.loss import sse, sse_grad

__all__ = [
    "DivergenceError",
    "EmptyState",
    "Objective",
    "Optimizer",
    "Trajectory",
    "gradient_descent",
    "run",
    "sse_objective",
]

Params = np.ndarray  # shape (2,): (m, b)
State = Any


class Optimizer(NamedTuple):
    """``init(params) -> state``; ``update(grad, state, params) -> (updates, state)``; ``params += updates``."""

    init: Callable[[Params], State]
    update: Callable[[np.ndarray, State, Params], tuple[np.ndarray, State]]


class Objective(NamedTuple):
    """A loss ``L(params) -> float`` and its gradient ``∇L(params) -> (2,)``."""

    loss: Callable[[Params], float]
    grad: Callable[[Params], np.ndarray]


class EmptyState(NamedTuple):
    """State of a stateless optimizer."""


def sse_objective(data: Dataset) -> Objective:
    """The lesson's SSE over ``data`` as a function of ``params = (m, b)``."""
    return Objective(lambda p: float(sse(data, p[0], p[1])), lambda p: sse_grad(data, p[0], p[1]))


def gradient_descent(lr: float, grad_scale: ArrayLike = (1.0, 1.0)) -> Optimizer:
    """Plain gradient descent with a per-parameter gradient scale s:

        θ_{k+1} = θ_k − lr · (s ⊙ ∇L(θ_k))

    The seed uses lr = 0.001 and s = (1/4, 1): ``m −= dL_dm / 4 * lr``, ``b −= dL_db * lr``.
    """
    scale = np.asarray(grad_scale, dtype=float)

    def init(params: Params) -> EmptyState:
        return EmptyState()

    def update(grad: np.ndarray, state: EmptyState, params: Params) -> tuple[np.ndarray, EmptyState]:
        return -(grad * scale) * lr, state

    return Optimizer(init, update)


@dataclass(frozen=True)
class Trajectory:
    """Steps k = 0..N of a run: ``params (N+1, 2)``, ``loss (N+1,)``, ``grad (N+1, 2)`` at each iterate.

    If the run diverged, the arrays stop at the last finite, non-exploding iterate and
    ``diverged_at`` is the step k whose loss was non-finite or exploded.
    """

    params: np.ndarray
    loss: np.ndarray
    grad: np.ndarray
    diverged_at: int | None = None

    @property
    def m(self) -> np.ndarray:
        return self.params[:, 0]

    @property
    def b(self) -> np.ndarray:
        return self.params[:, 1]

    @property
    def steps(self) -> int:
        return len(self.loss) - 1


class DivergenceError(ValueError):
    """An optimisation the lesson depends on diverged."""

    def __init__(self, step: int, lr: float) -> None:
        super().__init__(
            f"gradient descent diverged at step {step} with lr = {lr:g}; try a smaller learning rate, e.g. lr = {lr / 10:g}"
        )
        self.step = step


def run(
    optimizer: Optimizer, objective: Objective, params0: ArrayLike, steps: int, explode: float = 1e6
) -> Trajectory:
    """Apply ``optimizer`` ``steps`` times from ``params0``, recording params, loss and gradient.

    Step k diverged if its params or loss are non-finite or its loss exceeds ``explode`` times
    the initial loss (for a quadratic: the iterate is ~1000× farther from the optimum).
    """
    params = np.asarray(params0, dtype=float).copy()
    state = optimizer.init(params)
    all_params, losses, grads = [], [], []
    limit = None
    diverged_at = None
    for k in range(steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            loss = objective.loss(params)
        if limit is None:
            limit = explode * max(abs(loss), 1e-12)
        if not (np.isfinite(params).all() and np.isfinite(loss)) or loss > limit:
            diverged_at = k
            break
        grad = np.asarray(objective.grad(params), dtype=float)
        all_params.append(params)
        losses.append(loss)
        grads.append(grad)
        if k < steps:
            updates, state = optimizer.update(grad, state, params)
            params = params + updates
    return Trajectory(np.array(all_params), np.array(losses), np.array(grads), diverged_at)
