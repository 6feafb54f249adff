"""SSE, its gradient, the landscape and field on a grid, and the closed-form optimum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcore import (
    Dataset,
    DatasetSpec,
    gradient_field,
    loss_landscape,
    make_dataset,
    moments,
    optimum,
    sse,
    sse_grad,
)
from gradcore.loss import best_b, best_m

DATA = make_dataset()
params = st.floats(-50, 50, allow_nan=False)


def test_sse_is_the_seeds_loss() -> None:
    m, b = 1.5, -2.0
    assert sse(DATA, m, b) == np.sum((DATA.y - (m * DATA.x + b)) ** 2)


@settings(max_examples=200, deadline=None)
@given(m=params, b=params)
def test_gradient_matches_central_difference(m: float, b: float) -> None:
    h = 1e-4
    numeric = [(sse(DATA, m + h, b) - sse(DATA, m - h, b)) / (2 * h), (sse(DATA, m, b + h) - sse(DATA, m, b - h)) / (2 * h)]
    scale = 1 + float(sse(DATA, m, b))
    np.testing.assert_allclose(sse_grad(DATA, m, b), numeric, rtol=0, atol=1e-6 * scale)


def test_arrays_of_parameters_match_single_points() -> None:
    m = np.array([[-3.0, 0.5], [2.0, 7.0]])
    b = np.array([1.0, -4.0])
    loss, grad = sse(DATA, m, b), sse_grad(DATA, m, b)
    assert loss.shape == (2, 2) and grad.shape == (2, 2, 2)
    for i in range(2):
        for j in range(2):
            assert loss[i, j] == pytest.approx(sse(DATA, m[i, j], b[j]), rel=1e-14)
            np.testing.assert_allclose(grad[i, j], sse_grad(DATA, m[i, j], b[j]), rtol=1e-14)


def test_landscape_matches_direct_double_loop_on_the_seed_grid() -> None:
    m_range, b_range = np.arange(-20, 20, 0.5), np.arange(-40, 40, 0.5)
    grid = loss_landscape(moments(DATA), m_range, b_range)
    assert grid.loss.shape == (160, 80)
    direct = np.array([[np.sum((DATA.y - (m * DATA.x + b)) ** 2) for m in m_range] for b in b_range])
    np.testing.assert_allclose(grid.loss, direct, rtol=1e-12)
    # the seed stores int(L): the grid agrees with it to within the truncation
    assert np.all(np.abs(grid.loss - direct.astype(int)) < 1)


def test_field_matches_direct_gradient() -> None:
    m_range, b_range = np.linspace(-20, 20, 9), np.linspace(-40, 40, 17)
    field = gradient_field(moments(DATA), m_range, b_range)
    direct = sse_grad(DATA, m_range[None, :], b_range[:, None])
    np.testing.assert_allclose(field.dL_dm, direct[..., 0], rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(field.dL_db, direct[..., 1], rtol=1e-10, atol=1e-9)


def test_grid_stays_accurate_far_from_the_origin() -> None:
    """Centred moments do not cancel when x sits far from zero (raw Σx², Σxy would)."""
    data = Dataset(1e6 + DATA.x, DATA.y)
    s = moments(data)
    best = optimum(s)
    grid = loss_landscape(s, np.array([best.m, best.m + 0.01]), np.array([best.b]))
    direct = sse(data, np.array([best.m, best.m + 0.01]), best.b)
    np.testing.assert_allclose(grid.loss[0], direct, rtol=1e-6)


@pytest.mark.parametrize("spec", [DatasetSpec(), DatasetSpec(seed=3, n=500, m=-4, b=10, noise=5)])
def test_optimum_matches_lstsq(spec: DatasetSpec) -> None:
    data = make_dataset(spec)
    best = optimum(moments(data))
    A = np.column_stack([data.x, np.ones(data.n)])
    (m, b), residual, *_ = np.linalg.lstsq(A, data.y, rcond=None)
    assert best.m == pytest.approx(m, rel=1e-12)
    assert best.b == pytest.approx(b, rel=1e-12)
    assert best.loss == pytest.approx(residual[0], rel=1e-9)
    assert np.allclose(sse_grad(data, best.m, best.b), 0, atol=1e-9 * data.n)


@given(held=st.floats(-50, 50, allow_nan=False))
@settings(max_examples=30, deadline=None)
def test_best_m_and_best_b_are_where_each_curve_is_lowest(held: float) -> None:
    m, b = best_m(DATA, held), best_b(DATA, held)
    scale = float(np.sum(np.abs(DATA.x * DATA.y))) + float(np.sum(DATA.x**2)) * (1 + abs(held))
    assert abs(sse_grad(DATA, m, held)[0]) <= 1e-9 * scale  # ∂L/∂m = 0 with b held
    assert abs(sse_grad(DATA, held, b)[1]) <= 1e-9 * scale  # ∂L/∂b = 0 with m held
    for step in (-0.01, 0.01):
        assert sse(DATA, m + step, held) > sse(DATA, m, held) and sse(DATA, held, b + step) > sse(DATA, held, b)
    # a fine grid of m around it (b held) is lowest there too
    grid = np.linspace(m - 1, m + 1, 2001)
    assert abs(grid[np.argmin(sse(DATA, grid, held))] - m) <= 1e-3
