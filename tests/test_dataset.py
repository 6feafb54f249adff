"""The seed's dataset, bit for bit, and datasets from other settings."""

from __future__ import annotations

import numpy as np
import pytest

from gradcore import Dataset, DatasetSpec, make_dataset


def seed_notebook_dataset() -> tuple[np.ndarray, np.ndarray]:
    """The notebook's own cells, verbatim."""
    np.random.seed(42)
    x = np.arange(-5, 5, 0.25)
    m_optimal = 2
    b_optimal = -3
    y_true = x * m_optimal + b_optimal + np.random.normal(size=x.shape)
    return x, y_true


def test_default_dataset_is_the_seeds_bit_for_bit() -> None:
    x, y = seed_notebook_dataset()
    data = make_dataset()
    assert data.n == 40
    np.testing.assert_array_equal(data.x, x)
    np.testing.assert_array_equal(data.y, y)


def test_other_settings() -> None:
    spec = DatasetSpec(seed=7, n=200, x_min=0.0, x_max=10.0, m=-0.5, b=4.0, noise=0.0)
    data = make_dataset(spec)
    np.testing.assert_allclose(data.x, np.arange(0, 10, 0.05))
    np.testing.assert_allclose(data.y, -0.5 * data.x + 4.0)
    noisy = make_dataset(DatasetSpec(seed=7, noise=3.0))
    other = make_dataset(DatasetSpec(seed=8, noise=3.0))
    assert not np.array_equal(noisy.y, other.y)
    np.testing.assert_array_equal(noisy.y, make_dataset(DatasetSpec(seed=7, noise=3.0)).y)
    assert np.std(noisy.y - (2 * noisy.x - 3)) > 1.5


def test_dataset_is_read_only() -> None:
    data = make_dataset()
    with pytest.raises(ValueError):
        data.x[0] = 1.0


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [
        ([1.0], [1.0], "at least 2"),
        ([1.0, 2.0], [1.0], "one length"),
        ([1.0, np.nan], [1.0, 2.0], "finite"),
        ([2.0, 2.0], [1.0, 3.0], "all x values are equal"),
    ],
)
def test_bad_datasets_are_refused(x: list[float], y: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Dataset(np.array(x), np.array(y))
