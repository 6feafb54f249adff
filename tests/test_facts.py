"""Facts the sentences are chosen from (converged, diverged, oscillates, leads) and advice that was run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import seed_lesson, shipped

from gradcore import make_dataset
from gradcore.advice import PRECISION, adaptive_lr, balanced_scale, diverging_lr, stable_lr
from gradcore.facts import RISE, WITHIN, curvature, growing_from, leader, oscillates, outcome, stability_bound
from gradcore.lesson import LessonConfig
from gradcore.lessonfile import LessonFileError, read_lesson_file
from gradcore.loss import moments, optimum
from gradcore.optimizers import gradient_descent, make_optimizer, minibatch_sgd, run, sse_objective

LESSONS = Path(__file__).resolve().parents[1] / "lessons"


def test_the_seed_descent_converged_by_the_stated_measure() -> None:
    lesson = seed_lesson()
    facts, best = lesson.outcome, lesson.optimum
    assert facts.converged and not facts.diverged
    assert facts.excess == pytest.approx(lesson.descent.loss[-1] - best.loss)
    assert facts.tolerance == pytest.approx(WITHIN * best.loss)
    first = facts.first_within
    assert lesson.descent.loss[first] - best.loss <= facts.tolerance < lesson.descent.loss[first - 1] - best.loss


def test_the_clinic_crawls_converges_zigzags_and_diverges() -> None:
    clinic = seed_lesson().clinic
    assert [run.outcome.converged for run in clinic] == [False, True, True, False]
    assert [run.outcome.oscillates for run in clinic][:3] == [False, False, True]
    assert [run.outcome.diverged for run in clinic] == [False, False, False, True]


def test_a_loss_that_keeps_growing_is_divergence_even_below_a_million_times() -> None:
    data = make_dataset()
    lr = 0.012264  # just past 2 / λ: the loss grows from 119,701 to about 1.5e9 in 100 steps
    assert lr > 2 / curvature(data, (0.25, 1.0))
    trajectory = run(gradient_descent(lr, (0.25, 1.0)), sse_objective(data), (-15.0, -30.0), 100)
    assert trajectory.diverged_at is None and trajectory.loss[-1] < 1e6 * trajectory.loss[0]
    facts = outcome(trajectory, optimum(moments(data)))
    assert facts.diverged and not facts.converged
    start = facts.diverged_at
    assert np.all(np.diff(trajectory.loss[start:]) > 0) and trajectory.loss[start] <= trajectory.loss[start - 1]


def test_growth_needs_a_run_of_rises_ending_above_the_start() -> None:
    rising = np.r_[10.0, 5.0, 4.0, np.geomspace(4.5, 40.0, RISE)]
    assert growing_from(rising) == 2  # the lowest loss, from which it grows for good
    assert growing_from(np.r_[10.0, 5.0, np.geomspace(5.5, 9.0, RISE)]) is None  # still below the start
    assert growing_from(np.r_[1.0, np.geomspace(2.0, 9.0, RISE - 1)]) is None  # too short a run


def test_oscillation_is_steps_that_reverse() -> None:
    zigzag = np.array([[0.0, 0.0], [1.0, 1.0], [0.1, 1.2], [0.9, 1.4], [0.2, 1.6]])
    assert oscillates(zigzag)
    assert not oscillates(np.column_stack([np.linspace(0, 1, 10), np.linspace(0, 2, 10) ** 2]))


def test_the_leader_is_never_a_runner_that_diverged() -> None:
    lesson = seed_lesson()
    runs = lesson.race
    i, step = lesson.race_leader
    assert runs[i].entry.label == "Nesterov" and step == runs[i].outcome.first_within == 38
    facts = [r.outcome for r in runs]
    exploded = facts[0].__class__(**{**facts[0].__dict__, "diverged_at": 1, "first_within": 0})
    assert leader([exploded, *facts[1:]], [0.0] * len(runs), [101] * len(runs))[0] != 0
    assert leader([exploded, exploded], [0.0, 0.0], [40, 101]) == (1, None)  # all diverged: the one that lasted


def test_the_bowls_shape_counts_the_cross_term() -> None:
    from gradcore.dataset import PointsSpec
    from gradcore.facts import elongation, steepness

    near_one = make_dataset(PointsSpec(tuple(np.linspace(0.9, 1.1, 20)), tuple(np.linspace(0.0, 1.0, 20))))
    assert 0.5 < steepness(near_one) < 2 and elongation(near_one) > 100  # as steep in m as in b, yet a long valley
    assert elongation(make_dataset(PointsSpec((-1.0, 1.0), (0.0, 1.0)))) == pytest.approx(1.0)


def test_derived_settings_are_round_and_stable() -> None:
    data = make_dataset()
    scale = balanced_scale(data)
    assert scale == (0.1, 1.0)  # n / Σx² = 40 / 335 rounded down
    lr = stable_lr(data, scale)
    assert lr <= 1 / curvature(data, scale) < 2 * lr * 2.5
    best = optimum(moments(data))
    assert adaptive_lr("adam", (-15.0, -30.0), best, 100) == 1.0  # the seed's Adam rate


@pytest.mark.parametrize(
    ("descent", "fix"),
    [("lr = 0.012264\ngrad_scale = [0.25, 1.0]", "lr = "), ("lr = 0.05", "lr = "), ("lr = 1e-6\ngrad_scale = [0.25, 1.0]", "lr = ")],
)
def test_a_bad_rate_gets_a_fix_that_a_run_confirmed(tmp_path: Path, descent: str, fix: str) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text(f"[descent]\n{descent}\n")
    try:
        message = read_lesson_file(lesson).warnings[0]
    except LessonFileError as error:
        message = str(error)
    assert "\n" not in message and "(checked: converges in " in message
    suggested = message.split("; ", 1)[1]
    settings = dict(part.split(" = ") for part in suggested.split(" (checked")[0].removeprefix("use ").split(", "))
    lines = [line for line in descent.splitlines() if line.split(" = ")[0] not in settings]
    lesson.write_text("[descent]\n" + "\n".join([*lines, *(f"{k} = {v}" for k, v in settings.items())]) + "\n")
    checked = read_lesson_file(lesson)
    assert checked.lesson.outcome.converged and not checked.warnings


def test_house_prices_with_everything_derived_converge() -> None:
    checked = shipped("house_prices.toml")
    lesson = checked.lesson
    assert lesson.outcome.converged
    assert lesson.config.descent.steps in (100, 200, 500, 1000) and lesson.outcome.first_within <= lesson.config.descent.steps
    assert not [w for w in checked.warnings if "[descent]" in w]


def test_a_runner_that_diverges_is_a_warning_and_the_race_keeps_its_length(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text('[[race]]\noptimizer = "gd"\nlr = 1.0\n\n[[race]]\noptimizer = "momentum"\n')
    checked = read_lesson_file(lesson)
    assert any("[[race]] #1 lr" in w and "diverges at step" in w for w in checked.warnings)
    assert checked.lesson.race[0].outcome.diverged
    assert checked.lesson.race_leader[0] == 1
    assert checked.config.descent.steps == LessonConfig().descent.steps or checked.config.descent.steps >= 100


def test_standardised_data_converges_by_default_and_maps_back_to_the_data_fit() -> None:
    standard = shipped("house_prices_standard.toml")
    raw = shipped("house_prices.toml").lesson.optimum
    lesson = standard.lesson
    assert lesson.outcome.converged and not standard.warnings and lesson.config.descent.steps == 100
    assert abs(float(np.mean(lesson.dataset.x))) < 1e-12 and float(np.std(lesson.dataset.y)) == pytest.approx(1.0)
    slope, intercept = lesson.dataset.units.line(lesson.optimum.m, lesson.optimum.b)
    assert slope == pytest.approx(raw.m, rel=1e-9) and intercept == pytest.approx(raw.b, rel=1e-9)


def test_an_unknown_scale_is_one_line(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text('[dataset]\nscale = "log"\n')
    with pytest.raises(LessonFileError, match=r"\[dataset\] scale: unknown scale 'log'; write scale = \"standard\""):
        read_lesson_file(lesson)


def test_candidate_lines_cross_the_data_centre_and_end_on_the_fit() -> None:
    from gradcore.advice import candidate_lines
    from gradcore.dataset import make_dataset, standardise
    from gradcore.loss import moments, optimum

    data = make_dataset()
    best = optimum(moments(data))
    lines = candidate_lines(data, best.m, best.b)
    xc, yc = float(np.mean(data.x)), float(np.mean(data.y))
    assert [m for m, _ in lines] == [0.0, float(f"{-best.m:.3g}"), float(f"{2 * best.m:.3g}"), float(f"{best.m:.3g}")]
    for m, b in lines[:3]:
        assert m * xc + b == pytest.approx(yc, abs=0.01 * abs(yc) + 0.01 * abs(m * xc) + 0.005)  # 3 digits of b
    assert lines[3][1] == float(f"{best.b:.3g}")
    centred = standardise(data)
    best = optimum(moments(centred))
    assert candidate_lines(centred, best.m, best.b)[0] == (0.0, 0.0)  # the centre's 2.5e-16 is written 0


@pytest.mark.parametrize("file", ["intro_to_gradients.toml", "csv_data.toml"])
@pytest.mark.parametrize(
    ("name", "settings"),
    [("gd", {}), ("momentum", {"beta": 0.5}), ("momentum", {"beta": 0.8}), ("momentum", {}), ("nesterov", {"beta": 0.0}),
     ("nesterov", {"beta": 0.5}), ("nesterov", {"beta": 0.8}), ("nesterov", {})],
)  # fmt: skip
def test_each_closed_form_limit_is_where_the_descent_starts_to_diverge(file: str, name: str, settings: dict[str, float]) -> None:
    lesson = shipped(file).lesson
    spec, data = lesson.config.descent, lesson.dataset
    bound = stability_bound(name, settings)
    assert bound is not None
    limit = bound / curvature(data, spec.grad_scale)
    for factor, beyond in ((0.99, False), (1.01, True)):  # 1000 steps: the slowest of these takes 357 to blow up
        trajectory = run(
            make_optimizer(name, lr=factor * limit, grad_scale=spec.grad_scale, **settings), sse_objective(data), spec.start, 1000
        )
        facts = outcome(trajectory, lesson.optimum)
        assert (facts.diverged, facts.converged) == (beyond, not beyond), factor


def test_the_bounds_are_the_formulas() -> None:
    assert stability_bound("gd", {}) == 2.0
    assert stability_bound("momentum", {"beta": 0.8}) == pytest.approx(3.6)  # 2 (1 + β)
    assert stability_bound("momentum", {}) == pytest.approx(3.8)  # the optimizer's own β = 0.9
    assert stability_bound("nesterov", {"beta": 0.8}) == pytest.approx(3.6 / 2.6)  # 2 (1 + β) / (1 + 2β)
    assert stability_bound("nesterov", {"beta": 0.0}) == 2.0  # β = 0: plain descent
    assert [stability_bound(name, {}) for name in ("sgd", "adagrad", "rmsprop", "adam")] == [None] * 4


def test_mini_batch_sgd_does_not_keep_plain_descents_limit() -> None:
    data, best = make_dataset(), optimum(moments(make_dataset()))
    rate = 1.1 * 2 / curvature(data, (0.25, 1.0))  # plain descent diverges here (test_the_clinic_crawls_...)
    trajectory = run(minibatch_sgd(rate, 10, 0, (0.25, 1.0)), sse_objective(data), (-15.0, -30.0), 100)
    assert not outcome(trajectory, best).diverged


@pytest.mark.parametrize(
    ("name", "lr", "settings"),
    [
        ("sgd", 0.001, {"batch_size": 10, "seed": 0, "grad_scale": (0.25, 1.0)}),
        ("adagrad", 1.0, {}),
        ("rmsprop", 0.5, {}),
        ("adam", 1.0, {}),
    ],
)
def test_the_searched_limit_is_where_the_descent_starts_to_diverge(name: str, lr: float, settings: dict[str, object]) -> None:
    data = make_dataset()
    best, objective = optimum(moments(data)), sse_objective(data)

    def diverges(rate: float) -> bool:
        return outcome(run(make_optimizer(name, lr=rate, **settings), objective, (-15.0, -30.0), 100), best).diverged

    limit = diverging_lr(diverges, lr)
    assert limit is not None and diverges(limit) and not diverges(limit / PRECISION)
    assert diverging_lr(diverges, lr, 0.5 * limit / lr) is None  # out of reach
