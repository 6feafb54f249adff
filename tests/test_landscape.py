"""Contour levels and streamlines of the descent direction."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import seed_lesson

from gradcore import make_dataset, moments, sse, sse_grad
from gradcore.landscape import contour_levels, streamlines


@pytest.mark.parametrize(("lo", "hi"), [(37.3, 242767.0), (0.0, 1.0), (-3.2, 17.9), (5e-4, 7e-3)])
def test_levels_are_about_25_round_bands_covering_the_range(lo: float, hi: float) -> None:
    levels = contour_levels(lo, hi, 25)
    assert 12 <= len(levels) - 1 <= 25
    assert levels[0] <= lo and levels[-1] >= hi
    steps = np.diff(levels)
    np.testing.assert_allclose(steps, steps[0], rtol=1e-9)
    mantissa = steps[0] / 10 ** np.floor(np.log10(steps[0]))
    assert any(np.isclose(mantissa, k) for k in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8))


def test_lesson_levels_cover_its_landscape() -> None:
    lesson = seed_lesson()
    assert lesson.levels[0] <= lesson.landscape.loss.min() and lesson.levels[-1] >= lesson.landscape.loss.max()
    assert len(lesson.levels) - 1 == 25


def test_streamlines_follow_the_scaled_descent_direction() -> None:
    data = make_dataset()
    scale = np.array([0.25, 1.0])
    lines = streamlines(moments(data), scale, (-20, 19.5), (-40, 39.5))
    assert len(lines) == 28
    for line in lines:
        assert len(line) >= 10
        assert np.all((line[:, 0] >= -20) & (line[:, 0] <= 19.5) & (line[:, 1] >= -40) & (line[:, 1] <= 39.5))
        loss = sse(data, line[:, 0], line[:, 1])
        assert np.all(np.diff(loss) < 0)  # downhill all the way
        step = line[1] - line[0]
        v = -sse_grad(data, *line[0]) * scale
        cosine = step @ v / np.linalg.norm(step) / np.linalg.norm(v)
        assert cosine > 0.99


def test_levels_refuse_an_empty_range() -> None:
    with pytest.raises(ValueError, match="hi > lo"):
        contour_levels(3.0, 3.0)


def test_streamlines_that_cannot_start_are_dropped() -> None:
    """Seeds on the box edge where the flow points out of the box give no one-point curves."""
    data = make_dataset()
    lines = streamlines(moments(data), np.array([0.25, 1.0]), (1.0, 30.0), (-2.0, 60.0))
    assert all(len(line) >= 3 for line in lines)
    assert len(lines) < 28
