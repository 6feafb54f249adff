"""The lesson as one frozen object: everything the scenes draw, computed from a plain config."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from gradcore.advice import REACH, diverging_lr
from gradcore.dataset import Dataset, DatasetSpec, PointsSpec, make_dataset
from gradcore.facts import Outcome, curvature, leader, outcome, stability_bound
from gradcore.functions import (
    SEED_FUNCTIONS,
    Function1D,
    FunctionCurve,
    Samples,
    Secant,
    sample_function,
    secant,
    slope_arrows,
)
from gradcore.landscape import contour_levels, streamlines
from gradcore.loss import (
    LossGrid,
    Moments,
    Optimum,
    loss_landscape,
    moments,
    optimum,
    sse,
    sse_at,
    sse_grad,
    sse_grad_at,
)
from gradcore.narration import NarrationSpec, Voicing
from gradcore.optimizers import (
    DivergenceError,
    Optimizer,
    Trajectory,
    make_optimizer,
    run,
    sse_objective,
)

__all__ = [
    "ClinicRun",
    "DescentSpec",
    "Lesson",
    "LessonConfig",
    "LossSlice",
    "ParamPath",
    "RaceEntry",
    "RaceRun",
    "Span",
    "build_lesson",
    "clinic_rates",
]


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
    """Gradient descent as the seed runs it: from (m, b) = (−15, −30), lr 0.001, ∂L/∂m divided by 4, 100 steps.

    ``optimizer`` is a registry name (``gradcore.optimizers.OPTIMIZERS``), run with ``lr``,
    ``grad_scale`` and ``settings`` (other keyword arguments as ``(key, value)`` pairs); the
    learning-rate clinic runs it with other rates (:func:`clinic_rates`)."""

    start: tuple[float, float] = (-15.0, -30.0)
    lr: float = 0.001
    grad_scale: tuple[float, float] = (0.25, 1.0)
    steps: int = 100
    optimizer: str = "gd"
    settings: tuple[tuple[str, object], ...] = ()

    def make(self) -> Optimizer:
        """The descent's optimizer, ``OPTIMIZERS[optimizer](lr=lr, grad_scale=grad_scale, **settings)``: for ``"gd"``
        exactly the seed's :func:`~gradcore.optimizers.gradient_descent`."""
        return make_optimizer(self.optimizer, lr=self.lr, grad_scale=self.grad_scale, **dict(self.settings))


@dataclass(frozen=True)
class RaceEntry:
    """One runner of the optimizer race: a label, a registry name (``gradcore.optimizers.OPTIMIZERS``)
    and its settings as ``(key, value)`` pairs."""

    label: str
    optimizer: str
    settings: tuple[tuple[str, object], ...] = ()


_SCALE = (("grad_scale", (0.25, 1.0)),)
# The seed's race, as lessons/intro_to_gradients.toml writes it (the file is the source: the CLI and the scenes read it;
# tests/test_lessonfile.py proves the two agree). It stays here for LessonConfig(), the seed lesson without a file,
# and a file that leaves [[race]] out gets these runners with their rates derived (lessonfile._default_runners).
DEFAULT_RACE: tuple[RaceEntry, ...] = (
    RaceEntry("gradient descent", "gd", (("lr", 0.001), *_SCALE)),
    RaceEntry("momentum", "momentum", (("lr", 0.001), ("beta", 0.8), *_SCALE)),
    RaceEntry("Nesterov", "nesterov", (("lr", 0.001), ("beta", 0.8), *_SCALE)),
    RaceEntry("RMSProp", "rmsprop", (("lr", 0.5),)),
    RaceEntry("Adam", "adam", (("lr", 1.0),)),
    RaceEntry("mini-batch SGD", "sgd", (("lr", 0.001), ("batch_size", 10), ("seed", 0), *_SCALE)),
)


@dataclass(frozen=True)
class LessonConfig:
    """Every choice the lesson makes; the defaults are the seed notebook's."""

    title: str = "Introduction to gradients"  # the kit's, the slides' and the handout's title
    functions: tuple[Function1D, ...] = SEED_FUNCTIONS
    function_samples: int = 100
    arrow_dx: float = 0.1
    arrow_every: int = 5
    secant_x0: float = 1.0
    secant_h: tuple[float, float] = (3.0, 0.01)
    dataset: DatasetSpec | PointsSpec = field(default_factory=DatasetSpec)
    candidates: tuple[tuple[float, float], ...] = ((0.0, 0.0), (-1.0, 4.0), (3.5, -1.0), (2.0, -3.0))
    curve_m: Span = Span(-10.0, 10.0, 0.5)
    curve_b: Span = Span(-10.0, 10.0, 0.5)
    fixed_b: float = 5.0
    fixed_m: float = 5.0
    curve_arrow_dx: float = 0.5
    landscape_m: Span = Span(-20.0, 20.0, 0.5, closed=False)
    landscape_b: Span = Span(-40.0, 40.0, 0.5, closed=False)
    surface_resolution: int = 32
    contour_count: int = 25
    descent: DescentSpec = field(default_factory=DescentSpec)
    dense: int = 601
    race: tuple[RaceEntry, ...] = DEFAULT_RACE
    clinic_lrs: tuple[float, float, float, float] | None = None  # None: derived by clinic_rates
    narration: NarrationSpec = field(default_factory=NarrationSpec)  # [narration]; default: the English lines as written


@dataclass(frozen=True)
class LossSlice:
    """Loss along one parameter with the other fixed, as ``Samples(x=values, y=loss, dy=∂L/∂parameter)``:
    at the seed's spacing (``seed``, with its arrows: dx = 0.5, every 5th) and densely (``dense``);
    ``lowest`` is the index of the dense sample with the smallest loss."""

    parameter: str
    fixed: float
    seed: Samples
    dense: Samples
    arrow_tail: np.ndarray
    arrow_delta: np.ndarray
    lowest: int


@dataclass(frozen=True)
class ParamPath:
    """Candidate lines visited in turn: ``params (k, 2)`` (m, b) with their ``loss (k,)``;
    ``knots`` are the indices of the candidates themselves, ``best`` the candidate with the smallest loss."""

    params: np.ndarray
    loss: np.ndarray
    knots: np.ndarray
    best: int


@dataclass(frozen=True)
class RaceRun:
    """A race runner's whole trajectory from the lesson's start, and what it did."""

    entry: RaceEntry
    trajectory: Trajectory
    outcome: Outcome


@dataclass(frozen=True)
class ClinicRun:
    """The lesson's descent (its optimizer and settings) with one learning rate, and what it did (``outcome``:
    converged, oscillated, diverged at which step); the clinic names each by what it did
    (``scenes.clinic.behaviour``), never by what it was meant to show."""

    lr: float
    trajectory: Trajectory
    outcome: Outcome


BELOW, ABOVE = 0.9, 1.1  # the clinic's two rates either side of the stability limit (1.8/λ, 2.2/λ for plain descent)


def clinic_rates(data: Dataset, spec: DescentSpec) -> tuple[float, float, float, float]:
    """Learning rates for the clinic, from small to large: ``lr / 10``, ``lr`` and two either side of the limit
    below which the descent's optimizer converges on the SSE. Where that limit has a closed form, ``b / λ``
    (:func:`~gradcore.facts.stability_bound`: ``b = 2`` for plain descent, whose error along the steepest
    direction shrinks by ``1 − lr λ`` a step), the two are ``0.9 b / λ`` (zig-zags, converges) and ``1.1 b / λ``
    (diverges); else ``0.9`` and ``1.1`` times the rate at which the lesson's run diverges
    (:func:`~gradcore.advice.diverging_lr`), or, if none does up to ``2⁴⁰ lr``, the two largest rates that search
    ran (``2³⁹ lr``, ``2⁴⁰ lr``: neither diverges)."""
    bound = stability_bound(spec.optimizer, dict(spec.settings))
    if bound is not None:
        lam = curvature(data, spec.grad_scale)
        high, top = BELOW * bound / lam, ABOVE * bound / lam
    else:
        best, objective = optimum(moments(data)), sse_objective(data)

        def diverges(lr: float) -> bool:
            return outcome(run(replace(spec, lr=lr).make(), objective, spec.start, spec.steps), best).diverged

        limit = diverging_lr(diverges, spec.lr)
        high, top = (BELOW * limit, ABOVE * limit) if limit is not None else (REACH / 2 * spec.lr, REACH * spec.lr)
    low, mine, high, top = sorted((spec.lr / 10, spec.lr, high, top))
    return low, mine, high, top


@dataclass(frozen=True)
class Lesson:
    """Everything the scenes draw. Built once by :func:`build_lesson`; never mutated."""

    config: LessonConfig
    curves: tuple[FunctionCurve, ...]
    secant: Secant
    dataset: Dataset
    candidates: ParamPath
    loss_vs_m: LossSlice
    loss_vs_b: LossSlice
    landscape: LossGrid
    surface: LossGrid
    levels: np.ndarray
    descent: Trajectory
    optimum: Optimum
    race: tuple[RaceRun, ...]
    clinic: tuple[ClinicRun, ...]
    outcome: Outcome  # the descent's
    race_leader: tuple[int, int | None]  # (runner, step it came within tolerance, or None): facts.leader
    voicing: Voicing | None = None  # the lines as spoken, with their timings (gradlesson.voice); None: silent

    @cached_property
    def streamlines(self) -> tuple[np.ndarray, ...]:
        """The descent direction's streamlines over the landscape (:func:`gradcore.landscape.streamlines`): made from
        the fields above when first read, as only the contour beat draws them (40 ms a lesson, a third of its build)."""
        m, b = self.landscape.m, self.landscape.b
        return streamlines(moments(self.dataset), self.config.descent.grad_scale, (m[0], m[-1]), (b[0], b[-1]))


POINTWISE = 2_000_000  # samples × points up to which a curve is summed point by point, as the seed does


def _samples_along(data: Dataset, stats: Moments, parameter: str, values: np.ndarray, fixed: float) -> Samples:
    """Loss and slope along one parameter: summed over the points as the seed's notebook does (to its last
    digit) while that costs at most :data:`POINTWISE` terms, else from the moments (O(1) a sample, any n)."""
    m, b = (values, np.full_like(values, fixed)) if parameter == "m" else (np.full_like(values, fixed), values)
    axis = 0 if parameter == "m" else 1
    if data.n * len(values) <= POINTWISE:
        return Samples(values, sse(data, m, b), sse_grad(data, m, b)[:, axis])
    return Samples(values, sse_at(stats, m, b), sse_grad_at(stats, m, b)[:, axis])


def _slice(data: Dataset, stats: Moments, parameter: str, span: Span, fixed: float, config: LessonConfig) -> LossSlice:
    seed = _samples_along(data, stats, parameter, span.values(), fixed)
    dense = _samples_along(data, stats, parameter, np.linspace(span.start, span.stop, config.dense), fixed)
    tail, delta = slope_arrows(seed.x, seed.y, seed.dy, config.curve_arrow_dx, config.arrow_every)
    return LossSlice(parameter, fixed, seed, dense, tail, delta, int(np.argmin(dense.y)))


def _candidate_path(stats: Moments, candidates: tuple[tuple[float, float], ...], per_segment: int = 60) -> ParamPath:
    knots = np.asarray(candidates, dtype=float)
    t = np.linspace(0, 1, per_segment, endpoint=False)[:, None]
    params = np.concatenate([a + t * (b - a) for a, b in itertools.pairwise(knots)] + [knots[-1:]])
    loss = sse_at(stats, params[:, 0], params[:, 1])
    indices = per_segment * np.arange(len(knots))
    return ParamPath(params, loss, indices, int(np.argmin(loss[indices])))


def build_lesson(
    config: LessonConfig = LessonConfig(), descent: Trajectory | None = None, race: Sequence[Trajectory] | None = None
) -> Lesson:
    """Compute the whole lesson; raises :class:`DivergenceError` if its descent diverges. ``descent`` and ``race``:
    the runs of ``config.descent`` and of each of ``config.race`` if already made (the lesson file's reader makes
    them to check them), used as they are instead of running them again."""
    data = make_dataset(config.dataset)
    stats = moments(data)
    m_grid, b_grid = config.landscape_m.values(), config.landscape_b.values()
    landscape = loss_landscape(stats, m_grid, b_grid)
    nodes = config.surface_resolution + 1
    d = config.descent
    objective = sse_objective(data)
    best = optimum(stats)
    descent = run(d.make(), objective, d.start, d.steps) if descent is None else descent
    descent_outcome = outcome(descent, best)
    if descent_outcome.diverged_at is not None:
        raise DivergenceError(descent_outcome.diverged_at, d.lr, d.optimizer)
    if race is None:
        race = [run(make_optimizer(e.optimizer, **dict(e.settings)), objective, d.start, d.steps) for e in config.race]
    runners = tuple(RaceRun(e, t, outcome(t, best)) for e, t in zip(config.race, race, strict=True))
    rates = config.clinic_lrs or clinic_rates(data, d)
    clinic_paths = [descent if lr == d.lr else run(replace(d, lr=lr).make(), objective, d.start, d.steps) for lr in rates]
    clinic = tuple(ClinicRun(lr, t, outcome(t, best)) for lr, t in zip(rates, clinic_paths, strict=True))
    return Lesson(
        config=config,
        curves=tuple(
            sample_function(fn, config.function_samples, config.arrow_dx, config.arrow_every, config.dense) for fn in config.functions
        ),
        secant=secant(config.functions[0], config.secant_x0, np.geomspace(*config.secant_h, config.dense)),
        dataset=data,
        candidates=_candidate_path(stats, config.candidates),
        loss_vs_m=_slice(data, stats, "m", config.curve_m, config.fixed_b, config),
        loss_vs_b=_slice(data, stats, "b", config.curve_b, config.fixed_m, config),
        landscape=landscape,
        surface=loss_landscape(stats, np.linspace(m_grid[0], m_grid[-1], nodes), np.linspace(b_grid[0], b_grid[-1], nodes)),
        levels=contour_levels(float(landscape.loss.min()), float(landscape.loss.max()), config.contour_count),
        descent=descent,
        optimum=best,
        race=runners,
        clinic=clinic,
        outcome=descent_outcome,
        race_leader=leader(
            [r.outcome for r in runners], [float(r.trajectory.loss[-1]) for r in runners], [len(r.trajectory.loss) for r in runners]
        ),
    )
