"""Facts about runs that the lesson's sentences are chosen from: converged, diverged, oscillated, led.

The measure of convergence is the loss above the least-squares optimum's, ``L_k − L*``: a run has
converged at step k when that excess is at most :data:`WITHIN` of ``L*`` (1 %), or, when ``L*`` is
(nearly) 0, at most 10⁻⁹ of the starting loss ``L_0``. A run diverged when :func:`~gradcore.
optimizers.run` stopped it (a non-finite or exploding loss) or when its loss ends above where it started
after growing for :data:`RISE` steps in a row. It oscillates when most of its early steps reverse the
direction of the step before (a zig-zag across the valley).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from gradcore.dataset import Dataset
from gradcore.format import num
from gradcore.loss import Optimum
from gradcore.optimizers import OPTIMIZERS, Trajectory

__all__ = [
    "EARLY",
    "RISE",
    "WITHIN",
    "Outcome",
    "curvature",
    "elongation",
    "growing_from",
    "leader",
    "oscillates",
    "outcome",
    "stability_bound",
    "steepness",
    "tolerance",
    "within_words",
]

WITHIN = 0.01  # converged: the loss within 1 % of the optimum's
RISE = 10  # diverging: the loss grew this many steps in a row, to above the start's
EARLY = 20  # oscillation is judged on the first steps, before the run settles


@dataclass(frozen=True)
class Outcome:
    """What one run did, measured at its last recorded step N against the least-squares optimum.

    ``excess = L_N − L*`` and ``tolerance`` (converged iff ``excess ≤ tolerance``); ``first_within`` is the
    first step whose excess is within tolerance (None: never); ``distance = |θ_N − θ*|``;
    ``grad_norm = |∇L(θ_N)|``; ``diverged_at`` the step where it blew up or began its final rise; ``worse``:
    its last loss is above its first, ``L_N > L_0`` (it need not have diverged: an adaptive step far too long
    lands far off and stays there)."""

    converged: bool
    diverged_at: int | None
    first_within: int | None
    excess: float
    tolerance: float
    distance: float
    grad_norm: float
    oscillates: bool
    worse: bool

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None


def tolerance(optimum_loss: float, start_loss: float) -> float:
    """The excess loss a converged run may keep: ``WITHIN · L*``, or 10⁻⁹ of the start's loss when that is
    larger (a perfect fit has L* = 0; a floor no larger than that never lets a visibly wrong line pass)."""
    return max(WITHIN * optimum_loss, 1e-9 * max(start_loss, 0.0))


def growing_from(loss: np.ndarray) -> int | None:
    """The step where the loss began to grow for good: the start of a final run of at least :data:`RISE`
    increases that ends above the first loss; None if there is none."""
    if len(loss) <= RISE or not loss[-1] > loss[0]:
        return None
    rises = np.diff(loss) > 0
    if not rises[-RISE:].all():
        return None
    falls = np.flatnonzero(~rises)
    return int(falls[-1] + 1) if len(falls) else 0


def oscillates(params: np.ndarray) -> bool:
    """Whether most of the first :data:`EARLY` steps reverse the one before (``Δθ_k · Δθ_{k+1} < 0``)."""
    steps = np.diff(params[: EARLY + 1], axis=0)
    if len(steps) < 2:
        return False
    turns = np.einsum("ij,ij->i", steps[:-1], steps[1:]) < 0
    return bool(turns.mean() > 0.5)


def outcome(trajectory: Trajectory, best: Optimum) -> Outcome:
    """The facts of ``trajectory`` against the optimum ``best``."""
    loss = trajectory.loss
    limit = tolerance(best.loss, float(loss[0]))
    within = np.flatnonzero(loss - best.loss <= limit)
    excess = float(loss[-1] - best.loss)
    diverged_at = trajectory.diverged_at if trajectory.diverged_at is not None else growing_from(loss)
    return Outcome(
        converged=diverged_at is None and excess <= limit,
        diverged_at=diverged_at,
        first_within=int(within[0]) if len(within) else None,
        excess=excess,
        tolerance=limit,
        distance=float(np.hypot(trajectory.m[-1] - best.m, trajectory.b[-1] - best.b)),
        grad_norm=float(np.hypot(*trajectory.grad[-1])),
        oscillates=oscillates(trajectory.params),
        worse=bool(loss[-1] > loss[0]),
    )


def leader(outcomes: Sequence[Outcome], final_losses: Sequence[float], lengths: Sequence[int]) -> tuple[int, int | None]:
    """``(runner, step)``: among the runs that did not diverge, the first to come within tolerance (and at
    which step), else the one with the lowest final loss (step None); all diverged: the one that lasted longest
    (the most recorded steps, ``lengths``)."""
    alive = [i for i, o in enumerate(outcomes) if not o.diverged]
    arrived = [(o.first_within, i) for i, o in enumerate(outcomes) if i in alive and o.first_within is not None]
    if arrived:
        step, i = min(arrived)
        return i, step
    if alive:
        return min(alive, key=lambda i: final_losses[i]), None
    return max(range(len(outcomes)), key=lambda i: lengths[i]), None


def curvature(data: Dataset, grad_scale: tuple[float, float]) -> float:
    """λ, the largest eigenvalue of ``S H`` (S = diag(grad_scale), H = 2 [[Σx², Σx], [Σx, n]] the SSE's
    Hessian): plain descent multiplies the error along that direction by ``1 − lr λ`` each step, so it
    converges iff ``lr < 2 / λ`` and without overshooting iff ``lr ≤ 1 / λ``."""
    x = data.x
    hessian = 2 * np.array([[x @ x, x.sum()], [x.sum(), float(data.n)]])
    scale = np.sqrt(np.asarray(grad_scale, dtype=float))
    return float(np.max(np.linalg.eigvalsh(scale[:, None] * hessian * scale[None, :])))


def stability_bound(optimizer: str, settings: Mapping[str, object]) -> float | None:
    """The bound on ``lr · λ`` below which ``optimizer`` (a registry name, with its ``settings``; β left out takes
    the optimizer's default) converges on the SSE, λ from :func:`curvature`; None for one with no fixed bound.

    Along the eigenvector of ``S H`` with eigenvalue λ the error ``e`` and velocity ``v`` (a = lr λ) follow:

    - ``gd``: ``e' = (1 − a) e``, stable iff ``|1 − a| < 1``: **a < 2**;
    - ``momentum``: ``e_{k+1} = (1 + β − a) e_k − β e_{k−1}``, roots of ``z² − (1 + β − a) z + β`` inside the
      unit circle iff ``a < 2 (1 + β)``;
    - ``nesterov``: ``(e, v)' = [[1 − a (1 + β), −lr β²], [λ, β]] (e, v)``, trace ``T = 1 + β − a (1 + β)``,
      determinant ``D = β (1 − a)``; stable iff ``|D| < 1`` and ``|T| < 1 + D``, i.e. ``a < 2 (1 + β) / (1 + 2β)``
      (``|D| < 1`` needs only ``a < 1 + 1/β``, which is larger).

    ``sgd`` steps on mini-batch gradients, whose curvature is each batch's, not λ (on the seed's data it does not
    diverge within 100 steps at 1.1 × 2/λ); ``adagrad``, ``rmsprop`` and ``adam`` take steps of about ``lr`` whatever the
    gradient: none has a bound on ``lr · λ``."""
    if optimizer == "gd":
        return 2.0
    if optimizer not in ("momentum", "nesterov"):
        return None
    beta = float(settings.get("beta", inspect.signature(OPTIMIZERS[optimizer]).parameters["beta"].default))  # type: ignore[arg-type]
    return 2 * (1 + beta) if optimizer == "momentum" else 2 * (1 + beta) / (1 + 2 * beta)


def steepness(data: Dataset) -> float:
    """How many times as sharply the loss curves in m as in b: ``∂²L/∂m² / ∂²L/∂b² = Σx² / n``."""
    return float(data.x @ data.x) / data.n


def elongation(data: Dataset) -> float:
    """How long the bowl is: the ratio of the SSE Hessian's eigenvalues (1 for a round bowl; its level sets are
    ellipses whose axes differ by the square root of this)."""
    x = data.x
    values = np.linalg.eigvalsh(np.array([[x @ x, x.sum()], [x.sum(), float(data.n)]]))
    return float(values[-1] / max(values[0], 1e-300))


def within_words(facts: Outcome, optimum_loss: float) -> str:
    """How near a converged run is, in the measure's own terms: ``within 1% of the least loss``, or, where the
    floor for a least loss near 0 applies, ``within 0.00012 of the least loss``."""
    if facts.tolerance <= WITHIN * optimum_loss:
        return "within 1% of the least loss"
    return f"within {num(facts.tolerance)} of the least loss"
