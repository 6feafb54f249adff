"""Settings derived from the data, and advice that was checked by running it.

A lesson file may leave out the descent's ``grad_scale``, ``lr`` and ``steps`` and each race runner's
``lr``: they are derived here so that the lesson shows what it says. ``grad_scale`` equalises the
curvature of the two parameters (the diagonal of the SSE's Hessian, ``2 Σx²`` for m and ``2n`` for b);
``lr`` is the largest round rate at which plain descent does not overshoot (``1 / λ``, λ from
:func:`~gradcore.facts.curvature`); ``steps`` the smallest round count after which the run has
converged (:mod:`gradcore.facts`). A suggested fix is returned only after a run with it did what the
suggestion promises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gradcore.dataset import Dataset
from gradcore.facts import Outcome, curvature, outcome
from gradcore.loss import Optimum
from gradcore.optimizers import Objective, Optimizer, run
from gradcore.ticks import nice_number

__all__ = [
    "ADAPTIVE",
    "ROUND_STEPS",
    "Advice",
    "Fix",
    "adaptive_lr",
    "balanced_scale",
    "candidate_lines",
    "diverging_lr",
    "fix_descent",
    "stable_lr",
    "working_lr",
]

REACH = 2**40  # how far above its rate the search for a diverging rate looks (doublings: 40 runs at most)
PRECISION = 1.01  # the search's bracket, as a ratio: the diverging rate it returns is at most 1 % above one that did not
ROUND_STEPS = (100, 200, 500, 1000, 2000, 5000, 10_000)  # step counts a derived descent takes
ADAPTIVE = ("adagrad", "rmsprop", "adam")  # optimizers whose step size does not follow the gradient's size


def balanced_scale(data: Dataset) -> tuple[float, float]:
    """``(s_m, 1)``: ``s_m`` the round number just below ``n / Σx²``, which makes ∂L/∂m as steep as ∂L/∂b."""
    return nice_number(data.n / max(float(data.x @ data.x), 1e-300), down=True), 1.0


def stable_lr(data: Dataset, grad_scale: tuple[float, float]) -> float:
    """The largest round rate not above ``1 / λ``: plain descent with it converges without overshooting."""
    return nice_number(1.0 / curvature(data, grad_scale), down=True)


def adaptive_lr(name: str, start: tuple[float, float], best: Optimum, steps: int) -> float:
    """A rate for an adaptive optimizer, whose steps are about ``lr`` long whatever the gradient: enough to
    cover the farther coordinate's distance to the optimum ``D`` in a quarter of the steps (Adam, AdaGrad:
    ``D / (steps / 4)``; RMSProp, whose first step is ``lr / √(1 − ρ)`` ≈ 3.2 lr, a third of that), rounded down."""
    distance = max(abs(best.m - start[0]), abs(best.b - start[1]), 1e-12)
    rate = distance / (steps / 4)
    return nice_number(rate / 3.16 if name == "rmsprop" else rate, down=True)


@dataclass(frozen=True)
class Advice:
    """A learning rate checked by a run: ``lr``, and what the run with it did in ``steps`` steps."""

    lr: float
    steps: int
    outcome: Outcome


def working_lr(
    make: Callable[[float], Optimizer],
    objective: Objective,
    start: tuple[float, float],
    steps: int,
    best: Optimum,
    first: float,
) -> Advice | None:
    """The first rate of ``first, first / 2, first / 5, first / 10, …`` (down to 10⁻¹² of ``first``) whose run
    of ``steps`` from ``start`` does not diverge, preferring one that converges within ``steps`` among the
    first three that do not diverge; None if none of them even stays finite."""
    candidates = [float(f"{first * f * 10.0**-k:.3g}") for k in range(13) for f in (1.0, 0.5, 0.2)]
    safe: list[Advice] = []
    for lr in candidates:
        facts = outcome(run(make(lr), objective, start, steps), best)
        if facts.diverged:
            continue
        safe.append(Advice(lr, steps, facts))
        if facts.converged or len(safe) == 3:
            break
    if not safe:
        return None
    return next((a for a in safe if a.outcome.converged), safe[0])


def diverging_lr(diverges: Callable[[float], bool], lr: float, reach: float = REACH) -> float | None:
    """A rate at which ``diverges`` (whether a run with that rate diverges, by :func:`~gradcore.facts.outcome`) holds
    while at one at most :data:`PRECISION` times smaller it does not: rates ``2 lr, 4 lr, …`` up to ``reach · lr``
    until one diverges, then the bracket halved (geometrically) from the last that did not. ``lr`` itself must not
    diverge; None if no rate up to ``reach · lr`` does."""
    low = lr
    while True:
        high = 2 * low
        if high > reach * lr:
            return None
        if diverges(high):
            break
        low = high
    while high > PRECISION * low:
        middle = float(np.sqrt(low * high))
        low, high = (low, middle) if diverges(middle) else (middle, high)
    return high


@dataclass(frozen=True)
class Fix:
    """Settings that a run showed to work: ``lr`` (and ``grad_scale``, ``steps`` where they change), with
    ``converged_in`` the step count after which that run had converged (None: it only stopped diverging)."""

    lr: float
    grad_scale: tuple[float, float] | None
    steps: int | None
    converged_in: int | None


def fix_descent(
    make: Callable[[float, tuple[float, float]], Optimizer],
    data: Dataset,
    objective: Objective,
    start: tuple[float, float],
    lr: float,
    grad_scale: tuple[float, float],
    steps: int,
    best: Optimum,
    max_steps: int,
) -> Fix | None:
    """The first of these that a run confirms, for a descent that diverged or did not converge: a smaller
    (or the stable) ``lr``, converging in ``steps``; the balanced ``grad_scale`` with its stable rate, in
    ``steps`` or in a round number of steps up to ``max_steps``; a rate that at least does not diverge.
    Rates start from the stable rate (below it: from ``lr / 2``), so a stalled descent is offered a larger one.
    ``make(lr, grad_scale)`` builds the descent's optimizer. None: nothing tried stays finite."""
    stable = stable_lr(data, grad_scale)
    first = stable if lr < stable else min(stable, lr / 2)
    plain = working_lr(lambda rate: make(rate, grad_scale), objective, start, steps, best, first)
    if plain is not None and plain.outcome.converged:
        return Fix(plain.lr, None, None, plain.outcome.first_within)
    scale = balanced_scale(data)
    rate = stable_lr(data, scale)
    for count in (steps, *(n for n in ROUND_STEPS if steps < n <= max_steps)):
        facts = outcome(run(make(rate, scale), objective, start, count), best)
        if facts.converged:
            return Fix(rate, scale, None if count == steps else count, facts.first_within)
    return None if plain is None else Fix(plain.lr, None, None, None)


def candidate_lines(data: Dataset, m: float, b: float) -> tuple[tuple[float, float], ...]:
    """The candidate lines a lesson tries when its file names none: through the data's centre (x̄, ȳ) with
    slopes 0, −m* and 2 m*, then the best fit (m*, b*) itself; each to 3 significant digits, and rounding
    noise (below 10⁻⁹ of its kind of number: standardised data is centred at 2.5×10⁻¹⁶, not 0) written 0."""
    xc, yc = float(np.mean(data.x)), float(np.mean(data.y))
    lines = [(0.0, yc), (-m, yc + m * xc), (2 * m, yc - 2 * m * xc), (m, b)]
    scale = float(np.max(np.abs(data.y))) + float(np.max(np.abs(data.x))) * abs(m)

    def round3(value: float, size: float) -> float:
        return 0.0 if abs(value) < 1e-9 * size else float(f"{value:.3g}")

    return tuple((round3(slope, abs(m)), round3(bias, scale)) for slope, bias in lines)
