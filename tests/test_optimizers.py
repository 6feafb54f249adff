"""Gradient descent reproduces the seed to the last digit; divergence is detected, not returned."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import seed_lesson

from gradcore import DivergenceError, LessonConfig, build_lesson, gradient_descent, make_dataset, run
from gradcore.lesson import DescentSpec
from gradcore.optimizers import sse_objective

DATA = make_dataset()


def seed_notebook_descent() -> list[tuple[float, float]]:
    """The notebook's loop, verbatim."""
    x, y_true = DATA.x, DATA.y

    def dL_dm(y_true, m, b):
        y_pred = m * x + b
        return -2 * np.sum(x * (y_true - y_pred))

    def dL_db(y_true, m, b):
        y_pred = m * x + b
        return -2 * np.sum(y_true - y_pred)

    curr_m, curr_b = -15, -30
    list_ops = [(curr_m, curr_b)]
    lr = 0.001
    for _ in range(100):
        new_m = curr_m - dL_dm(y_true, curr_m, curr_b) / 4 * lr
        new_b = curr_b - dL_db(y_true, curr_m, curr_b) * lr
        curr_m, curr_b = new_m, new_b
        list_ops.append((curr_m, curr_b))
    return list_ops


def test_seed_final_values_to_the_last_digit() -> None:
    descent = seed_lesson().descent
    assert descent.steps == 100
    assert repr(float(descent.b[-1])) == "-3.235905316463203"
    assert repr(float(descent.m[-1])) == "1.9181494319433217"


def test_whole_path_equals_the_notebooks_loop() -> None:
    descent = seed_lesson().descent
    np.testing.assert_array_equal(descent.params, np.array(seed_notebook_descent()))


def test_trajectory_records_loss_and_gradient_at_every_step() -> None:
    descent = seed_lesson().descent
    assert descent.params.shape == (101, 2) and descent.loss.shape == (101,) and descent.grad.shape == (101, 2)
    objective = sse_objective(DATA)
    for k in (0, 1, 50, 100):
        assert descent.loss[k] == objective.loss(descent.params[k])
        np.testing.assert_array_equal(descent.grad[k], objective.grad(descent.params[k]))
    assert np.all(np.diff(descent.loss) < 0)


def test_update_is_minus_lr_times_scaled_gradient() -> None:
    opt = gradient_descent(0.01, (0.5, 2.0))
    updates, _ = opt.update(np.array([4.0, -1.0]), opt.init(np.zeros(2)), np.zeros(2))
    np.testing.assert_allclose(updates, [-0.02, 0.02])


def test_divergence_is_detected_with_its_step() -> None:
    trajectory = run(gradient_descent(0.05, (1.0, 1.0)), sse_objective(DATA), (-15, -30), 100)
    assert trajectory.diverged_at is not None and 1 <= trajectory.diverged_at <= 100
    assert len(trajectory.loss) == trajectory.diverged_at
    assert np.isfinite(trajectory.loss).all() and trajectory.loss[-1] <= 1e6 * trajectory.loss[0]


def test_non_finite_loss_is_divergence() -> None:
    trajectory = run(gradient_descent(1e200), sse_objective(DATA), (-15, -30), 10)
    assert trajectory.diverged_at is not None and np.isfinite(trajectory.params).all()


def test_lesson_refuses_a_diverging_learning_rate() -> None:
    with pytest.raises(DivergenceError, match=r"diverged at step \d+ with lr = 0.05; try a smaller"):
        build_lesson(LessonConfig(descent=DescentSpec(lr=0.05)))


def test_divergence_message_names_the_optimizer() -> None:
    assert str(DivergenceError(3, 0.1, "momentum")).startswith("momentum diverged at step 3 with lr = 0.1;")
    assert str(DivergenceError(3, 0.1)).startswith("gradient descent diverged at step 3")


def test_sse_value_and_grad_is_the_loss_and_gradient_to_the_last_bit() -> None:
    objective = sse_objective(make_dataset())
    assert objective.value_and_grad is not None
    rng = np.random.default_rng(7)
    for p in rng.normal(size=(500, 2)) * 10.0 ** rng.uniform(-6, 6, size=(500, 2)):
        loss, grad = objective.value_and_grad(p)
        assert loss == objective.loss(p) and np.array_equal(grad, objective.grad(p))
