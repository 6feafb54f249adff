"""The seed's functions: analytic derivatives, samples, arrows and zero-slope points."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcore import SEED_FUNCTIONS, Function1D, sample_function
from gradcore.functions import secant, stationary_points


def central_difference(fn: Function1D, x: float, h: float = 1e-5) -> float:
    return float((fn.f(np.array(x + h)) - fn.f(np.array(x - h))) / (2 * h))


@pytest.mark.parametrize("fn", SEED_FUNCTIONS, ids=lambda fn: fn.name)
@settings(max_examples=200, deadline=None)
@given(u=st.floats(0.0, 1.0))
def test_derivative_matches_central_difference(fn: Function1D, u: float) -> None:
    x = fn.x_min + u * (fn.x_max - fn.x_min)
    scale = 1.0 + abs(float(fn.f(np.array(x)))) + abs(x) ** 2
    assert float(fn.df(np.array(x))) == pytest.approx(central_difference(fn, x), abs=1e-7 * scale)


def test_seed_sampling_and_ranges() -> None:
    names = [(fn.name, fn.x_min, fn.x_max) for fn in SEED_FUNCTIONS]
    assert names == [("Quadratic", -5, 5), ("Cosine", -5, 5), ("Polynomial", -2, 5)]
    poly = sample_function(SEED_FUNCTIONS[2])
    x = np.linspace(-2, 5, num=100)
    np.testing.assert_array_equal(poly.seed.x, x)
    np.testing.assert_array_equal(poly.seed.y, x**3 - 4 * x**2 + 2 * x - 3)
    np.testing.assert_array_equal(poly.seed.dy, 3 * x**2 - 8 * x + 2)
    assert poly.dense.x[0] == -2 and poly.dense.x[-1] == 5 and len(poly.dense.x) == 601
    np.testing.assert_allclose(poly.dense.dy, 3 * poly.dense.x**2 - 8 * poly.dense.x + 2)


def test_slope_arrows_are_the_seeds_quiver() -> None:
    """quiver(x[::5], y[::5], dx, grad*dx, scale=0.5, scale_units='xy') draws (U, V) / 0.5."""
    curve = sample_function(SEED_FUNCTIONS[1], n=100, arrow_dx=0.1, arrow_every=5)
    assert curve.arrow_tail.shape == (20, 2)
    np.testing.assert_array_equal(curve.arrow_tail[:, 0], curve.seed.x[::5])
    np.testing.assert_array_equal(curve.arrow_tail[:, 1], np.cos(curve.seed.x[::5]))
    np.testing.assert_allclose(curve.arrow_delta[:, 0], 0.2)
    np.testing.assert_allclose(curve.arrow_delta[:, 1], -np.sin(curve.seed.x[::5]) * 0.2)


@pytest.mark.parametrize(
    ("index", "expected"),
    [(0, [0.0]), (1, [-np.pi, 0.0, np.pi]), (2, [(8 - np.sqrt(40)) / 6, (8 + np.sqrt(40)) / 6])],
)
def test_stationary_points(index: int, expected: list[float]) -> None:
    fn = SEED_FUNCTIONS[index]
    np.testing.assert_allclose(stationary_points(fn), expected, atol=1e-12)
    curve = sample_function(fn)
    np.testing.assert_allclose(curve.stationary_y, fn.f(np.array(expected)), atol=1e-12)


def test_secant_slopes_converge_to_the_derivative() -> None:
    quadratic = SEED_FUNCTIONS[0]
    h = np.geomspace(3, 0.01, 50)
    s = secant(quadratic, 1.0, h)
    np.testing.assert_allclose(s.slope, 2 + h, rtol=1e-12)  # ((1 + h)² − 1) / h = 2 + h
    assert s.tangent_slope == 2.0 and s.y0 == 1.0
    assert np.all(np.diff(np.abs(s.slope - s.tangent_slope)) < 0)
