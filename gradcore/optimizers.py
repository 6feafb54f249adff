"""Optimizers as small (init, update) pairs, and ``run`` which records a whole trajectory."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from gradcore.dataset import Dataset
from gradcore.loss import sse, sse_grad

__all__ = [
    "NAMES",
    "OPTIMIZERS",
    "AdaGradState",
    "AdamState",
    "DivergenceError",
    "EmptyState",
    "MomentumState",
    "Objective",
    "Optimizer",
    "RMSPropState",
    "SGDState",
    "Trajectory",
    "adagrad",
    "adam",
    "gradient_descent",
    "ill_conditioned_quadratic",
    "make_optimizer",
    "minibatch_sgd",
    "momentum",
    "nesterov",
    "rmsprop",
    "run",
    "sse_objective",
]

Params = np.ndarray  # shape (2,): (m, b)
State = Any


class Optimizer(NamedTuple):
    """``init(params) -> state``; ``update(grad, state, params) -> (updates, state)``; ``params += updates``.

    ``batch(state, n)``, if given, names the indices (into the objective's n data points) whose
    gradient ``update`` wants instead of the full one: :func:`run` passes it ``objective.batch_grad``.
    """

    init: Callable[[Params], State]
    update: Callable[[np.ndarray, State, Params], tuple[np.ndarray, State]]
    batch: Callable[[State, int], np.ndarray] | None = None


class Objective(NamedTuple):
    """A loss ``L(params) -> float`` and its gradient ``∇L(params) -> (2,)``.

    A loss that is a sum over ``n`` data points, ``L = Σ_i ℓ_i``, may also give
    ``batch_grad(params, indices) -> (2,)``: the unbiased estimate ``(n / |B|) Σ_{i ∈ B} ∇ℓ_i``
    of ``∇L`` from the points ``B = indices`` (integers in ``[0, n)``). ``value_and_grad(params)``, if
    given, is ``(loss(params), grad(params))`` to the last bit, computed together (what :func:`run` calls).
    """

    loss: Callable[[Params], float]
    grad: Callable[[Params], np.ndarray]
    batch_grad: Callable[[Params, np.ndarray], np.ndarray] | None = None
    n: int = 0
    value_and_grad: Callable[[Params], tuple[float, np.ndarray]] | None = None


class EmptyState(NamedTuple):
    """State of a stateless optimizer."""


def sse_objective(data: Dataset) -> Objective:
    """The lesson's SSE over ``data`` as a function of ``params = (m, b)``, with mini-batch gradients."""

    def batch_grad(p: Params, indices: np.ndarray) -> np.ndarray:
        x, y = data.x[indices], data.y[indices]
        r = y - (p[0] * x + p[1])
        return -2 * (data.n / len(x)) * np.array([np.sum(x * r), np.sum(r)])

    add, x, y = np.add.reduce, data.x, data.y

    def value_and_grad(p: Params) -> tuple[float, np.ndarray]:
        """:func:`sse` and :func:`sse_grad` from one residual (the same sums: 4× faster a step)."""
        r = y - (p[0] * x + p[1])
        return float(add(r * r)), np.array([-2 * add(x * r), -2 * add(r)])

    return Objective(lambda p: float(sse(data, p[0], p[1])), lambda p: sse_grad(data, p[0], p[1]), batch_grad, data.n, value_and_grad)


def ill_conditioned_quadratic(condition: float = 100.0, minimum: ArrayLike = (1.0, -2.0), angle: float = np.pi / 6) -> Objective:
    """``L(p) = ½ (p − p*)ᵀ A (p − p*)``, ``∇L = A (p − p*)``, with ``A = R diag(1, condition) Rᵀ``.

    ``R`` rotates by ``angle``, so the narrow valley is not along an axis; ``L(p*) = 0``. As a sum
    over n = 2 "points", ``L = Σ_i ½ (a_iᵀ (p − p*))²`` with rows ``a_i`` of ``X = Q diag(1, √condition) Rᵀ``
    (``XᵀX = A``; Q a 45° rotation makes the rows non-orthogonal, else SGD's steps would commute),
    it has mini-batch gradients too; each term vanishes at p*, so SGD converges to p* exactly.
    """

    def rotation(t: float) -> np.ndarray:
        return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])

    rows = rotation(np.pi / 4) @ np.diag([1.0, np.sqrt(condition)]) @ rotation(angle).T
    p_star = np.asarray(minimum, dtype=float)

    def batch_grad(p: Params, indices: np.ndarray) -> np.ndarray:
        a = rows[indices]
        return (len(rows) / len(a)) * a.T @ (a @ (p - p_star))

    def loss(p: Params) -> float:
        r = rows @ (p - p_star)
        return float(0.5 * r @ r)

    return Objective(loss, lambda p: rows.T @ (rows @ (p - p_star)), batch_grad, len(rows))


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


def _on_scaled_grad(optimizer: Optimizer, grad_scale: ArrayLike) -> Optimizer:
    """``optimizer`` fed ``g = s ⊙ ∇L`` (or ``s ⊙`` the batch gradient) instead of the gradient itself."""
    scale = np.asarray(grad_scale, dtype=float)
    init, update, batch = optimizer
    return Optimizer(init, lambda grad, state, params: update(grad * scale, state, params), batch)


def _ema(average: np.ndarray, value: np.ndarray, decay: float) -> np.ndarray:
    """Exponential moving average ``decay · average + (1 − decay) · value``."""
    return decay * average + (1 - decay) * value


class MomentumState(NamedTuple):
    """``velocity`` v: the decaying sum of past (scaled) gradients, shape ``(2,)``."""

    velocity: np.ndarray


def _momentum(lr: float, beta: float, grad_scale: ArrayLike, look_ahead: bool) -> Optimizer:
    def init(params: Params) -> MomentumState:
        return MomentumState(np.zeros_like(params))

    def update(g: np.ndarray, state: MomentumState, params: Params) -> tuple[np.ndarray, MomentumState]:
        v = beta * state.velocity + g
        step = g + beta * v if look_ahead else v
        return -step * lr, MomentumState(v)

    return _on_scaled_grad(Optimizer(init, update), grad_scale)


def momentum(lr: float, beta: float = 0.9, grad_scale: ArrayLike = (1.0, 1.0)) -> Optimizer:
    """Heavy-ball momentum on ``g_k = s ⊙ ∇L(θ_k)``, with ``v_0 = 0``:

        v_{k+1} = β v_k + g_k
        θ_{k+1} = θ_k − lr · v_{k+1}

    With β = 0 this is :func:`gradient_descent`, bit for bit.
    """
    return _momentum(lr, beta, grad_scale, look_ahead=False)


def nesterov(lr: float, beta: float = 0.9, grad_scale: ArrayLike = (1.0, 1.0)) -> Optimizer:
    """Nesterov momentum on ``g_k = s ⊙ ∇L(θ_k)``, with ``v_0 = 0``:

        v_{k+1} = β v_k + g_k
        θ_{k+1} = θ_k − lr · (g_k + β v_{k+1})

    (Sutskever et al. 2013, in the form that needs the gradient at θ_k only, as in PyTorch and optax.)
    With β = 0 this is :func:`gradient_descent`.
    """
    return _momentum(lr, beta, grad_scale, look_ahead=True)


class AdaGradState(NamedTuple):
    """``sum_sq`` G: the running sum of squared (scaled) gradients, shape ``(2,)``."""

    sum_sq: np.ndarray


def adagrad(lr: float, eps: float = 1e-10, grad_scale: ArrayLike = (1.0, 1.0)) -> Optimizer:
    """AdaGrad on ``g_k = s ⊙ ∇L(θ_k)``, elementwise, with ``G_0 = 0``:

        G_{k+1} = G_k + g_k²
        θ_{k+1} = θ_k − lr · g_k / (√G_{k+1} + ε)

    The first step moves each parameter by ``lr |g_0| / (|g_0| + ε) ≈ lr``. The step is invariant
    to a constant scale of g (up to ε), so ``grad_scale`` changes almost nothing.
    """

    def init(params: Params) -> AdaGradState:
        return AdaGradState(np.zeros_like(params))

    def update(g: np.ndarray, state: AdaGradState, params: Params) -> tuple[np.ndarray, AdaGradState]:
        sum_sq = state.sum_sq + g * g
        return -lr * g / (np.sqrt(sum_sq) + eps), AdaGradState(sum_sq)

    return _on_scaled_grad(Optimizer(init, update), grad_scale)


class RMSPropState(NamedTuple):
    """``mean_sq`` E: the moving average of squared (scaled) gradients, shape ``(2,)``."""

    mean_sq: np.ndarray


def rmsprop(lr: float, rho: float = 0.9, eps: float = 1e-8, grad_scale: ArrayLike = (1.0, 1.0)) -> Optimizer:
    """RMSProp on ``g_k = s ⊙ ∇L(θ_k)``, elementwise, with ``E_0 = 0``:

        E_{k+1} = ρ E_k + (1 − ρ) g_k²
        θ_{k+1} = θ_k − lr · g_k / (√E_{k+1} + ε)

    The first step moves each parameter by ``lr / √(1 − ρ)`` (≈ 3.16 lr for ρ = 0.9), up to ε.
    Invariant to a constant scale of g (up to ε), so ``grad_scale`` changes almost nothing.
    """

    def init(params: Params) -> RMSPropState:
        return RMSPropState(np.zeros_like(params))

    def update(g: np.ndarray, state: RMSPropState, params: Params) -> tuple[np.ndarray, RMSPropState]:
        mean_sq = _ema(state.mean_sq, g * g, rho)
        return -lr * g / (np.sqrt(mean_sq) + eps), RMSPropState(mean_sq)

    return _on_scaled_grad(Optimizer(init, update), grad_scale)


class AdamState(NamedTuple):
    """``steps`` t taken so far; moving averages ``mu`` of g and ``nu`` of g², shape ``(2,)``."""

    steps: int
    mu: np.ndarray
    nu: np.ndarray


def adam(lr: float, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8, grad_scale: ArrayLike = (1.0, 1.0)) -> Optimizer:
    """Adam (Kingma & Ba 2015) on ``g_k = s ⊙ ∇L(θ_k)``, elementwise, with ``μ_0 = ν_0 = 0``:

        μ_{k+1} = β₁ μ_k + (1 − β₁) g_k,      μ̂ = μ_{k+1} / (1 − β₁^{k+1})
        ν_{k+1} = β₂ ν_k + (1 − β₂) g_k²,     ν̂ = ν_{k+1} / (1 − β₂^{k+1})
        θ_{k+1} = θ_k − lr · μ̂ / (√ν̂ + ε)

    Thanks to the bias correction the first step is ``−lr · g_0 / (|g_0| + ε) ≈ −lr · sign(g_0)``.
    Invariant to a constant scale of g (up to ε), so ``grad_scale`` changes almost nothing.
    """

    def init(params: Params) -> AdamState:
        return AdamState(0, np.zeros_like(params), np.zeros_like(params))

    def update(g: np.ndarray, state: AdamState, params: Params) -> tuple[np.ndarray, AdamState]:
        t = state.steps + 1
        mu, nu = _ema(state.mu, g, b1), _ema(state.nu, g * g, b2)
        mu_hat, nu_hat = mu / (1 - b1**t), nu / (1 - b2**t)
        return -lr * mu_hat / (np.sqrt(nu_hat) + eps), AdamState(t, mu, nu)

    return _on_scaled_grad(Optimizer(init, update), grad_scale)


class SGDState(NamedTuple):
    """``steps``: mini-batch steps taken so far (epoch and batch within it follow from it)."""

    steps: int


def minibatch_sgd(lr: float, batch_size: int, seed: int = 0, grad_scale: ArrayLike = (1.0, 1.0)) -> Optimizer:
    """Mini-batch stochastic gradient descent, seeded: with ``g_B`` the objective's ``batch_grad``,

        θ_{k+1} = θ_k − lr · (s ⊙ g_{B_k}(θ_k)),   g_B = (n / |B|) Σ_{i ∈ B} ∇ℓ_i,

    an unbiased estimate of ∇L. Each epoch visits all n points once, in the order
    ``default_rng((seed, epoch)).permutation(n)``, in ``ceil(n / batch_size)`` batches B_k (the last
    one smaller if ``batch_size`` does not divide n). The same seed gives the same path; with
    ``batch_size = n`` every B_k is all the data and this is :func:`gradient_descent` (up to the
    order of summation).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")

    def init(params: Params) -> SGDState:
        return SGDState(0)

    @lru_cache(maxsize=1)  # an epoch's batches are taken one after another: its order is drawn once
    def order(epoch: int, n: int) -> np.ndarray:
        return np.random.default_rng((seed, epoch)).permutation(n)

    def batch(state: SGDState, n: int) -> np.ndarray:
        if batch_size > n:
            raise ValueError(f"batch_size {batch_size} exceeds the {n} data points")
        epoch, j = divmod(state.steps, -(-n // batch_size))
        return order(epoch, n)[j * batch_size : (j + 1) * batch_size]

    def update(g: np.ndarray, state: SGDState, params: Params) -> tuple[np.ndarray, SGDState]:
        return -g * lr, SGDState(state.steps + 1)

    return _on_scaled_grad(Optimizer(init, update, batch), grad_scale)


OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {
    "gd": gradient_descent,
    "momentum": momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
    "sgd": minibatch_sgd,
}


NAMES: dict[str, str] = {
    "gd": "Plain gradient descent",
    "momentum": "Heavy-ball momentum",
    "nesterov": "Nesterov momentum",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
    "sgd": "Mini-batch SGD",
}  # each optimizer of OPTIMIZERS as a sentence names it (the clinic's "Heavy-ball momentum, 4 learning rates, ...")


def make_optimizer(name: str, **settings: Any) -> Optimizer:
    """``OPTIMIZERS[name](**settings)``, e.g. ``make_optimizer("adam", lr=0.5, grad_scale=(0.25, 1))``."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name](**settings)


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

    def __init__(self, step: int, lr: float, optimizer: str = "gd") -> None:
        name = "gradient descent" if optimizer == "gd" else optimizer
        super().__init__(f"{name} diverged at step {step} with lr = {lr:g}; try a smaller learning rate, e.g. lr = {lr / 10:g}")
        self.step = step


def run(optimizer: Optimizer, objective: Objective, params0: ArrayLike, steps: int, explode: float = 1e6) -> Trajectory:
    """Apply ``optimizer`` ``steps`` times from ``params0``, recording params, loss and gradient.

    Step k diverged if its params or loss are non-finite or its loss exceeds ``explode`` times
    the initial loss (for a quadratic: the iterate is ~1000× farther from the optimum).
    An optimizer with ``batch`` steps on ``objective.batch_grad``; the full loss and gradient are
    still the ones recorded.
    """
    if optimizer.batch is not None and (objective.batch_grad is None or objective.n < 1):
        raise TypeError("this optimizer steps on mini-batch gradients, but the objective has no batch_grad")
    params = np.asarray(params0, dtype=float).copy()
    state = optimizer.init(params)
    all_params, losses, grads = [], [], []
    limit = None
    diverged_at = None
    batch_grad = objective.batch_grad if optimizer.batch is not None else None  # run() checked: batch needs batch_grad
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is a divergence, found below, not a warning
        for k in range(steps + 1):
            if objective.value_and_grad is not None:
                loss, grad = objective.value_and_grad(params)
            else:
                loss, grad = objective.loss(params), None
            if limit is None:
                limit = explode * max(abs(loss), 1e-12)
            if not (math.isfinite(loss) and np.isfinite(params).all()) or loss > limit:
                diverged_at = k
                break
            grad = np.asarray(objective.grad(params) if grad is None else grad, dtype=float)
            all_params.append(params)
            losses.append(loss)
            grads.append(grad)
            if k < steps:
                step_grad = grad
                if batch_grad is not None and optimizer.batch is not None:
                    step_grad = np.asarray(batch_grad(params, optimizer.batch(state, objective.n)), dtype=float)
                updates, state = optimizer.update(step_grad, state, params)
                params = params + updates
    return Trajectory(np.array(all_params), np.array(losses), np.array(grads), diverged_at)
