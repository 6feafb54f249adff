"""Core benchmarks: ``BENCH <name> <value> <unit>`` lines, medians over repeated runs in one process."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from gradcore import DatasetSpec, loss_landscape, make_dataset, moments


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def seed_landscape(x: np.ndarray, y_true: np.ndarray, m_range: np.ndarray, b_range: np.ndarray) -> np.ndarray:
    """The notebook's ``compute_loss_landscape(L, m_range, b_range)``, as written."""

    def L(y_true, m, b):
        y_pred = m * x + b
        return int(np.sum((y_true - y_pred) ** 2))

    L_grid = np.zeros(shape=(len(b_range), len(m_range)))
    for i, b in enumerate(b_range):
        for j, m in enumerate(m_range):
            L_grid[i, j] = L(y_true, m, b)
    return L_grid


def main() -> None:
    data = make_dataset()
    m_range, b_range = np.arange(-20, 20, 0.5), np.arange(-40, 40, 0.5)
    seed = median_seconds(lambda: seed_landscape(data.x, data.y, m_range, b_range), repeats=5)
    ours = median_seconds(lambda: loss_landscape(moments(data), m_range, b_range), repeats=201)
    print(f"BENCH landscape_seed_grid_seed_loop {seed * 1e3:.2f} ms")
    print(f"BENCH landscape_seed_grid_gradcore {ours * 1e3:.4f} ms")
    print(f"BENCH landscape_seed_grid_speedup {seed / ours:.0f} x")

    big = make_dataset(DatasetSpec(n=1_000_000))
    m_big, b_big = np.linspace(-20, 20, 500), np.linspace(-40, 40, 500)
    large = median_seconds(lambda: loss_landscape(moments(big), m_big, b_big), repeats=11)
    print(f"BENCH landscape_1M_points_500x500 {large * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
