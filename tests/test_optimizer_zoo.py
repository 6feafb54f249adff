"""The optimizer zoo: a table of optimizers × objectives that must reach the known minimum, and equivalences."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pytest

from gradcore import make_dataset, moments, optimum
from gradcore.optimizers import (
    OPTIMIZERS,
    Objective,
    Optimizer,
    adagrad,
    adam,
    gradient_descent,
    ill_conditioned_quadratic,
    make_optimizer,
    minibatch_sgd,
    momentum,
    nesterov,
    rmsprop,
    run,
    sse_objective,
)

DATA = make_dataset()
SEED = dict(lr=0.001, grad_scale=(0.25, 1.0))  # the seed notebook's descent
START = {"sse": (-15.0, -30.0), "quadratic": (-4.0, 3.0)}


def objective(name: str) -> tuple[Objective, np.ndarray, float]:
    """The objective, its known minimiser and its minimum loss."""
    if name == "sse":
        best = optimum(moments(DATA))
        return sse_objective(DATA), np.array([best.m, best.b]), best.loss
    return ill_conditioned_quadratic(100.0, (1.0, -2.0)), np.array([1.0, -2.0]), 0.0


class Case(NamedTuple):
    optimizer: str
    settings: dict[str, Any]
    objective: str
    steps: int
    tol: float  # max |θ_N − θ*| over both parameters


# Tolerances are ~10-1000× above what the runs reach (see the comments), far below the distance from the start.
CASES = [
    # The lesson's SSE from (−15, −30) against the closed-form optimum (m*, b*) ≈ (1.918, −3.229).
    Case("gd", SEED, "sse", 500, 1e-9),  # reaches 3e-15
    Case("momentum", dict(SEED, beta=0.5), "sse", 200, 1e-9),  # 9e-16
    Case("nesterov", dict(SEED, beta=0.5), "sse", 200, 1e-9),  # 7e-15
    Case("adagrad", dict(lr=5.0), "sse", 500, 1e-9),  # 2e-15
    # Constant-lr RMSProp ends on a period-2 cycle θ* ± lr/2: it gets within lr/2, no closer.
    Case("rmsprop", dict(lr=0.05), "sse", 1000, 0.05),  # 0.025
    Case("adam", dict(lr=1.0), "sse", 500, 1e-6),  # 2e-10
    # Constant-lr SGD on noisy data stops at a noise floor: 0.0054 at worst over seeds 0-29.
    Case("sgd", dict(SEED, lr=0.0005, batch_size=10, seed=0), "sse", 1000, 0.05),  # 0.0026
    # ½ (p − p*)ᵀ A (p − p*) with condition number 100 from (−4, 3) against p* = (1, −2).
    Case("gd", dict(lr=0.01), "quadratic", 2000, 1e-6),  # 1e-8
    Case("momentum", dict(lr=0.01, beta=0.8), "quadratic", 500, 1e-9),  # 3e-16
    Case("nesterov", dict(lr=0.01, beta=0.8), "quadratic", 500, 1e-9),  # 4e-15
    Case("adagrad", dict(lr=1.0), "quadratic", 500, 1e-9),  # 2e-13
    Case("rmsprop", dict(lr=0.01), "quadratic", 1000, 0.01),  # 0.005 = lr/2, the cycle again
    Case("adam", dict(lr=0.1), "quadratic", 500, 1e-6),  # 5e-11
    # Every term of the quadratic vanishes at p*: SGD has no noise floor there.
    Case("sgd", dict(lr=0.005, batch_size=1, seed=0), "quadratic", 3000, 1e-6),  # 1.3e-8 at worst over 30 seeds
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.optimizer}-{c.objective}" for c in CASES])
def test_reaches_the_known_minimum(case: Case) -> None:
    obj, best, best_loss = objective(case.objective)
    path = run(make_optimizer(case.optimizer, **case.settings), obj, START[case.objective], case.steps)
    assert path.diverged_at is None and path.steps == case.steps
    assert np.abs(path.params[-1] - best).max() <= case.tol
    excess = path.loss - best_loss
    assert excess.min() >= -1e-9 * max(best_loss, 1.0)  # nobody beats the closed-form minimum
    assert excess[-1] < 1e-3 * excess[0]  # the loss decreased overall, by more than 1000×


def test_the_table_covers_every_optimizer_on_every_objective() -> None:
    assert {(c.optimizer, c.objective) for c in CASES} == {(o, f) for o in OPTIMIZERS for f in START}
    assert set(OPTIMIZERS) == {"gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "sgd"}


def test_make_optimizer_takes_plain_settings_and_names_the_known_ones() -> None:
    from_toml = make_optimizer("adam", lr=0.5, b1=0.8, grad_scale=[0.25, 1])  # TOML gives lists
    direct = adam(0.5, b1=0.8, grad_scale=(0.25, 1.0))
    a, b = run(from_toml, sse_objective(DATA), (-15, -30), 20), run(direct, sse_objective(DATA), (-15, -30), 20)
    np.testing.assert_array_equal(a.params, b.params)
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'; known: gd, momentum, nesterov"):
        make_optimizer("adamw", lr=0.1)


# Equivalences ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sse", "quadratic"])
@pytest.mark.parametrize("heavy_ball", [momentum, nesterov])
def test_momentum_with_beta_zero_is_gradient_descent_bit_for_bit(heavy_ball: Any, name: str) -> None:
    obj, _, _ = objective(name)
    descent = run(gradient_descent(**SEED), obj, START[name], 100)
    np.testing.assert_array_equal(run(heavy_ball(beta=0.0, **SEED), obj, START[name], 100).params, descent.params)
    # ... and with β > 0 it is not, and the two momenta differ from each other.
    with_beta = run(heavy_ball(beta=0.5, **SEED), obj, START[name], 100).params
    other = run((nesterov if heavy_ball is momentum else momentum)(beta=0.5, **SEED), obj, START[name], 100).params
    assert np.abs(with_beta - descent.params).max() > 1e-3 and np.abs(with_beta - other).max() > 1e-6


def test_sgd_with_the_whole_dataset_as_batch_is_gradient_descent() -> None:
    sse, quadratic = sse_objective(DATA), ill_conditioned_quadratic()
    for obj, settings, start in ((sse, SEED, START["sse"]), (quadratic, dict(lr=0.01), START["quadratic"])):
        descent = run(gradient_descent(**settings), obj, start, 100).params
        sgd = run(minibatch_sgd(batch_size=obj.n, seed=7, **settings), obj, start, 100).params
        np.testing.assert_allclose(sgd, descent, rtol=1e-12, atol=1e-12)  # same sums, another order
    # A smaller batch is a different path.
    sgd = run(minibatch_sgd(batch_size=10, **SEED), sse, START["sse"], 100).params
    assert np.abs(sgd - run(gradient_descent(**SEED), sse, START["sse"], 100).params).max() > 1e-3


def first_steps(optimizer: Optimizer, grads: list[np.ndarray]) -> list[np.ndarray]:
    """The updates ``optimizer`` makes for a given sequence of gradients."""
    state, updates = optimizer.init(np.zeros(2)), []
    for g in grads:
        update, state = optimizer.update(g, state, np.zeros(2))
        updates.append(update)
    return updates


G = np.array([400.0, -0.5])  # very different magnitudes, opposite signs


def test_adam_first_step_is_lr_times_sign_of_the_gradient() -> None:
    (step,) = first_steps(adam(0.3), [G])
    np.testing.assert_allclose(step, -0.3 * np.sign(G), rtol=1e-7)  # bias correction: not 0.1 lr, not 0.3 lr
    np.testing.assert_allclose(step, -0.3 * G / (np.abs(G) + 1e-8), rtol=1e-14)
    # A constant gradient keeps it there: μ̂ = g, ν̂ = g².
    np.testing.assert_allclose(first_steps(adam(0.3), [G] * 5)[-1], -0.3 * np.sign(G), rtol=1e-7)
    # The per-parameter scale cancels in μ̂ / √ν̂.
    np.testing.assert_allclose(first_steps(adam(0.3, grad_scale=(0.25, 1)), [G])[0], step, rtol=1e-7)


def test_adagrad_steps_shrink_as_one_over_root_k_for_a_constant_gradient() -> None:
    steps = first_steps(adagrad(0.3), [G] * 4)
    for k, step in enumerate(steps, start=1):
        np.testing.assert_allclose(step, -0.3 * G / (np.sqrt(k) * np.abs(G) + 1e-10), rtol=1e-14)
    np.testing.assert_allclose(steps[0], -0.3 * np.sign(G), rtol=1e-9)


def test_rmsprop_first_step_is_lr_over_root_one_minus_rho() -> None:
    (step,) = first_steps(rmsprop(0.3, rho=0.9), [G])
    np.testing.assert_allclose(step, -0.3 * G / (np.sqrt(0.1) * np.abs(G) + 1e-8), rtol=1e-14)
    np.testing.assert_allclose(np.abs(step), 0.3 / np.sqrt(0.1), rtol=1e-7)  # ≈ 0.949 = 3.16 lr
    # Second step with the same gradient: E = (1 − ρ²) g².
    second = first_steps(rmsprop(0.3, rho=0.9), [G] * 2)[1]
    np.testing.assert_allclose(second, -0.3 * np.sign(G) / np.sqrt(0.19), rtol=1e-7)


def test_momentum_and_nesterov_second_steps_follow_their_formulas() -> None:
    beta = 0.9
    np.testing.assert_allclose(first_steps(momentum(0.3, beta), [G] * 2)[1], -0.3 * (1 + beta) * G, rtol=1e-14)
    np.testing.assert_allclose(first_steps(nesterov(0.3, beta), [G] * 2)[1], -0.3 * (1 + beta + beta**2) * G, rtol=1e-14)


def test_grad_scale_scales_the_gradient_of_every_optimizer() -> None:
    for name, first in (("gd", 1.0), ("momentum", 1.0), ("nesterov", 1.9)):  # Nesterov: (1 + β) g_0
        (scaled,) = first_steps(make_optimizer(name, lr=0.1, grad_scale=(0.25, 2.0)), [G])
        np.testing.assert_allclose(scaled, -0.1 * first * np.array([0.25, 2.0]) * G, rtol=1e-15)
    for name in ("adagrad", "rmsprop", "adam"):  # scale-invariant per parameter, up to ε
        (plain,) = first_steps(make_optimizer(name, lr=0.1), [G])
        (scaled,) = first_steps(make_optimizer(name, lr=0.1, grad_scale=(0.25, 2.0)), [G])
        np.testing.assert_allclose(scaled, plain, rtol=1e-6)


def test_updates_are_pure_functions_of_their_state() -> None:
    for name, settings in [(c.optimizer, c.settings) for c in CASES if c.objective == "sse"]:
        opt = make_optimizer(name, **settings)
        state = opt.init(np.zeros(2))
        _, state = opt.update(G, state, np.zeros(2))
        first, second = opt.update(-G, state, np.zeros(2)), opt.update(-G, state, np.zeros(2))
        np.testing.assert_array_equal(first[0], second[0])
        if opt.batch is not None:
            np.testing.assert_array_equal(opt.batch(state, 40), opt.batch(state, 40))


# Mini-batch SGD --------------------------------------------------------------------------------------------


def test_sgd_is_reproducible_from_its_seed() -> None:
    sse = sse_objective(DATA)

    def path(seed: int) -> np.ndarray:
        return run(minibatch_sgd(batch_size=4, seed=seed, **SEED), sse, START["sse"], 60).params

    np.testing.assert_array_equal(path(3), path(3))
    assert np.abs(path(3) - path(4)).max() > 1e-3


def test_sgd_on_the_quadratic_depends_on_the_order_of_its_two_terms() -> None:
    quadratic = ill_conditioned_quadratic()

    def epoch_ends(seed: int) -> np.ndarray:
        return run(minibatch_sgd(0.005, batch_size=1, seed=seed), quadratic, START["quadratic"], 60).params[::2]

    np.testing.assert_array_equal(epoch_ends(3), epoch_ends(3))
    assert np.abs(epoch_ends(3) - epoch_ends(4)).max() > 1e-6  # orthogonal terms would commute: no difference


def test_sgd_visits_every_point_once_per_epoch_in_a_new_order() -> None:
    opt = minibatch_sgd(0.1, batch_size=16, seed=1)  # 40 points: batches of 16, 16, 8
    state, batches = opt.init(np.zeros(2)), []
    for _ in range(9):
        batches.append(opt.batch(state, 40))
        _, state = opt.update(np.zeros(2), state, np.zeros(2))
    assert [len(b) for b in batches] == [16, 16, 8] * 3
    epochs = [np.concatenate(batches[i : i + 3]) for i in (0, 3, 6)]
    for order in epochs:
        np.testing.assert_array_equal(np.sort(order), np.arange(40))
    assert not np.array_equal(epochs[0], epochs[1]) and not np.array_equal(epochs[1], epochs[2])


def test_sgd_trajectory_records_the_full_loss_and_gradient() -> None:
    sse = sse_objective(DATA)
    path = run(minibatch_sgd(batch_size=5, **SEED), sse, START["sse"], 30)
    for k in range(31):
        assert path.loss[k] == sse.loss(path.params[k])
        np.testing.assert_array_equal(path.grad[k], sse.grad(path.params[k]))
    # ... while its steps were not full gradient steps.
    assert np.abs(path.params[1:] - (path.params[:-1] - 0.001 * np.array([0.25, 1]) * path.grad[:-1])).max() > 1e-6


@pytest.mark.parametrize("name", ["sse", "quadratic"])
def test_batch_gradients_are_unbiased_estimates_of_the_gradient(name: str) -> None:
    obj, _, _ = objective(name)
    p = np.array([0.7, -1.3])
    singles = np.mean([obj.batch_grad(p, np.array([i])) for i in range(obj.n)], axis=0)
    np.testing.assert_allclose(singles, obj.grad(p), rtol=1e-12)
    np.testing.assert_allclose(obj.batch_grad(p, np.arange(obj.n)[::-1]), obj.grad(p), rtol=1e-12)
    if obj.n > 2:  # a proper subset is a different estimate
        assert np.abs(obj.batch_grad(p, np.arange(5)) - obj.grad(p)).max() > 1e-3


def test_ill_conditioned_quadratic_is_what_it_says() -> None:
    obj = ill_conditioned_quadratic(100.0, (1.0, -2.0))
    hessian = np.array([obj.grad(np.array([1.0, -2.0]) + e) for e in np.eye(2)]).T
    np.testing.assert_allclose(hessian, hessian.T, atol=1e-12)
    np.testing.assert_allclose(np.linalg.eigvalsh(hessian), [1.0, 100.0], rtol=1e-12)
    assert np.abs(hessian[0, 1]) > 1  # rotated: the valley is not along an axis
    p = np.array([0.3, 4.0])
    assert obj.loss(p) == pytest.approx(0.5 * (p - [1, -2]) @ hessian @ (p - [1, -2]), rel=1e-12)
    assert obj.loss(np.array([1.0, -2.0])) == 0.0


def test_sgd_needs_an_objective_with_batch_gradients() -> None:
    full_only = Objective(sse_objective(DATA).loss, sse_objective(DATA).grad)
    with pytest.raises(TypeError, match="mini-batch gradients"):
        run(minibatch_sgd(batch_size=4, **SEED), full_only, START["sse"], 10)
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        minibatch_sgd(0.1, batch_size=0)
    with pytest.raises(ValueError, match="batch_size 41 exceeds the 40 data points"):
        run(minibatch_sgd(0.1, batch_size=41), sse_objective(DATA), START["sse"], 10)


# Divergence ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, settings",
    [
        ("momentum", dict(lr=0.05)),
        ("nesterov", dict(lr=0.05)),
        ("sgd", dict(lr=0.05, batch_size=10)),
        ("adam", dict(lr=1e5)),  # Adam's steps are ≈ lr long: only a huge lr leaves the landscape
        ("rmsprop", dict(lr=1e5)),
        ("adagrad", dict(lr=1e5)),
    ],
)
def test_divergence_is_detected_for_a_too_large_learning_rate(name: str, settings: dict[str, Any]) -> None:
    path = run(make_optimizer(name, **settings), sse_objective(DATA), START["sse"], 100)
    assert path.diverged_at is not None and 1 <= path.diverged_at <= 100
    assert len(path.loss) == path.diverged_at == len(path.params)
    assert np.isfinite(path.params).all() and path.loss[-1] <= 1e6 * path.loss[0]
