"""Beats 6 and 7 draw the core's descent: positions, readouts and final values checked on the mobjects."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import builds

from scenes.toolkit.style import lesson

STEPS = (0, 1, 2, 5, 17, 50, 99, 100)


def at_step(scene, k: int) -> None:
    """Point the scene's step tracker at k and run the updaters, as a frame would."""
    scene.k.set_value(k)
    for mobject in scene.mobjects:
        mobject.update()
        for sub in mobject.get_family():
            sub.update()


@builds("DescentOnContours")
@pytest.mark.parametrize("k", STEPS)
def test_descent_marker_sits_at_iterate_k(built_scene, k: int) -> None:
    scene = built_scene("DescentOnContours")
    at_step(scene, k)
    d = lesson().descent
    np.testing.assert_allclose(scene.axes.p2c(scene.path.points[-1]), d.params[k], rtol=1e-9, atol=1e-9)
    # one star per iterate so far (every iterate of a 100-step descent is marked), each centred on it
    stars = scene.stars.points.reshape(k + 1, -1, 3)
    centres = (stars.min(axis=1) + stars.max(axis=1)) / 2
    np.testing.assert_allclose([scene.axes.p2c(c) for c in centres], d.params[: k + 1], atol=0.02)
    assert [row[1].get_value() for row in scene.readouts] == pytest.approx([k, d.m[k], d.b[k], d.loss[k]])


def test_a_long_descent_marks_at_most_a_hundred_iterates() -> None:
    from scenes.beats.contours import MARKED, marked_iterates

    assert list(marked_iterates(100)) == list(range(101))
    long = marked_iterates(10_000)
    assert len(long) <= MARKED + 2 and long[0] == 0 and long[-1] == 10_000


@builds("DescentOnContours")
def test_final_readout_shows_the_seeds_values(built_scene) -> None:
    scene = built_scene("DescentOnContours")
    b_line, m_line = scene.final_card[1].get_tex_string(), scene.final_card[2].get_tex_string()
    assert b_line == "b = -3.235905316463203" and m_line == "m = 1.9181494319433217"
    best = lesson().optimum
    np.testing.assert_allclose(scene.axes.p2c(scene.optimum.get_center()), [best.m, best.b], atol=1e-6)


@builds("DescentOnContours")
def test_contour_bands_match_the_core_levels(built_scene) -> None:
    scene = built_scene("DescentOnContours")
    levels, grid = lesson().levels, lesson().landscape
    # the innermost painted region is L <= levels[1]: every vertex lies on that contour or the box edge
    inner = scene.contours[-1]
    m, b = np.array([scene.axes.p2c(p) for p in inner.get_vertices()]).T
    x, y = lesson().dataset.x, lesson().dataset.y
    loss = ((y[None, :] - (m[:, None] * x[None, :] + b[:, None])) ** 2).sum(axis=1)
    on_box = np.isclose(m, grid.m[0]) | np.isclose(m, grid.m[-1]) | np.isclose(b, grid.b[0]) | np.isclose(b, grid.b[-1])
    assert np.all(on_box | (np.abs(loss - levels[1]) < 0.01 * levels[1]))


@builds("FittedLine")
@pytest.mark.parametrize("k", STEPS)
def test_fitted_line_follows_iterate_k(built_scene, k: int) -> None:
    scene = built_scene("FittedLine")
    at_step(scene, k)
    m, b = lesson().descent.params[k]
    start, end = (scene.axes.p2c(p) for p in scene.line.get_start_and_end())
    assert end[0] > start[0]
    for x, y in (start, end):
        assert y == pytest.approx(m * x + b, abs=1e-6)
