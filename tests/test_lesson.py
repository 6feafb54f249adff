"""The lesson object carries the seed's ranges and is frozen; the core never imports manim."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pytest
from conftest import seed_lesson


def test_lesson_has_the_seeds_ranges() -> None:
    lesson = seed_lesson()
    np.testing.assert_array_equal(lesson.loss_vs_m.seed.x, np.arange(-10, 10.5, 0.5))
    np.testing.assert_array_equal(lesson.loss_vs_b.seed.x, np.arange(-10, 10.5, 0.5))
    assert lesson.loss_vs_m.fixed == 5 and lesson.loss_vs_b.fixed == 5
    np.testing.assert_array_equal(lesson.landscape.m, np.arange(-20, 20, 0.5))
    np.testing.assert_array_equal(lesson.landscape.b, np.arange(-40, 40, 0.5))


def test_loss_slices_are_the_seeds_curves() -> None:
    lesson = seed_lesson()
    x, y = lesson.dataset.x, lesson.dataset.y
    s = lesson.loss_vs_b
    for b, loss, grad in zip(s.seed.x, s.seed.y, s.seed.dy, strict=True):
        assert int(loss) == int(np.sum((y - (5 * x + b)) ** 2))
        assert grad == -2 * np.sum(y - (5 * x + b))


def test_lesson_is_frozen() -> None:
    lesson = seed_lesson()
    with pytest.raises(dataclasses.FrozenInstanceError):
        lesson.dataset = None  # type: ignore[misc]


def test_core_never_imports_manim() -> None:
    code = "import sys, gradcore; gradcore.build_lesson(); print(sorted(m for m in sys.modules if m.startswith(('manim', 'cairo'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_loss_slice_arrows_are_the_seeds() -> None:
    s = seed_lesson().loss_vs_m
    np.testing.assert_array_equal(s.arrow_tail[:, 0], np.arange(-10, 10.5, 0.5)[::5])
    np.testing.assert_allclose(s.arrow_delta[:, 1], s.seed.dy[::5] * 0.5 / 0.5)
    np.testing.assert_allclose(np.interp(s.seed.x, s.dense.x, s.dense.y), s.seed.y, rtol=1e-3)


def test_candidate_path_visits_each_candidate_with_its_loss() -> None:
    lesson = seed_lesson()
    path = lesson.candidates
    np.testing.assert_array_equal(path.params[path.knots], np.array(lesson.config.candidates))
    x, y = lesson.dataset.x, lesson.dataset.y
    for (m, b), loss in zip(path.params[::17], path.loss[::17], strict=True):
        assert loss == pytest.approx(np.sum((y - (m * x + b)) ** 2), rel=1e-12)


def test_surface_grid_spans_the_landscape() -> None:
    lesson = seed_lesson()
    surface = lesson.surface
    assert surface.loss.shape == (33, 33)
    assert (surface.m[0], surface.m[-1], surface.b[0], surface.b[-1]) == (-20, 19.5, -40, 39.5)
    x, y = lesson.dataset.x, lesson.dataset.y
    i, j = 7, 20
    assert surface.loss[i, j] == pytest.approx(np.sum((y - (surface.m[j] * x + surface.b[i])) ** 2), rel=1e-12)


def test_best_candidate_and_lowest_slice_samples() -> None:
    lesson = seed_lesson()
    c = lesson.candidates
    assert c.loss[c.knots[c.best]] == min(c.loss[c.knots])
    for s in (lesson.loss_vs_m, lesson.loss_vs_b):
        assert s.dense.y[s.lowest] == s.dense.y.min()
        # the lowest sample sits within one dense step of where ∂L/∂parameter changes sign
        step = s.dense.x[1] - s.dense.x[0]
        crossing = s.dense.x[np.flatnonzero(np.diff(np.sign(s.dense.dy)))[0]]
        assert abs(s.dense.x[s.lowest] - crossing) <= step * (1 + 1e-9)


def test_race_runs_every_entry_from_the_lesson_start() -> None:
    lesson = seed_lesson()
    assert [r.entry.optimizer for r in lesson.race] == ["gd", "momentum", "nesterov", "rmsprop", "adam", "sgd"]
    best = np.array([lesson.optimum.m, lesson.optimum.b])
    for r in lesson.race:
        t = r.trajectory
        assert t.diverged_at is None and t.steps == lesson.descent.steps
        np.testing.assert_array_equal(t.params[0], lesson.descent.params[0])
        assert np.linalg.norm(t.params[-1] - best) < 0.1, r.entry.label
    np.testing.assert_array_equal(lesson.race[0].trajectory.params, lesson.descent.params)


def test_clinic_has_a_slow_a_good_an_oscillating_and_a_diverging_rate() -> None:
    lesson = seed_lesson()
    slow, good, wobbly, wild = lesson.clinic
    assert good.lr == lesson.config.descent.lr and slow.lr == good.lr / 10
    assert slow.trajectory.loss[-1] > 100 * good.trajectory.loss[-1]  # still far from the bottom
    # the oscillating rate overshoots: successive steps along m change direction, yet it converges
    dm = np.diff(wobbly.trajectory.m)
    assert np.sum(np.sign(dm[:-1]) != np.sign(dm[1:])) > 20
    assert wobbly.trajectory.diverged_at is None and wobbly.trajectory.loss[-1] < 1.01 * lesson.optimum.loss
    assert wild.trajectory.diverged_at is not None and wild.trajectory.diverged_at < lesson.descent.steps
