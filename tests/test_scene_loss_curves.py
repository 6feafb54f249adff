"""Beats 3 and 4 draw the core's numbers: dots, lines, arrows and readouts map back onto the lesson's arrays."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import builds, shown

from gradcore import predict
from gradcore.format import number_format, tex_num, tex_setting
from scenes.toolkit.style import lesson


@pytest.fixture(scope="module")
def loss_curves(built_scene):
    return built_scene("LossCurves")


@pytest.fixture(scope="module")
def dataset_scene(built_scene):
    return built_scene("DatasetAndModel")


def positions(view) -> list[int]:
    last = len(view.slice.dense.x) - 1
    return sorted({0, 97, last // 3, last // 2, view.slice.dense.y.argmin(), 2 * last // 3, last})


def move(view, i: int) -> None:
    """Point the view's tracker at dense sample ``i`` and run every updater that reads it."""
    view.tracker.set_value(i)
    for mob in (view.dot, view.drop, view.line, view.residuals, *(row[1] for row in view.readouts)):
        mob.update()


@builds("LossCurves")
@pytest.mark.parametrize("parameter", ["m", "b"])
def test_the_views_are_the_lessons_slices(loss_curves, parameter) -> None:
    view = loss_curves.views[parameter]
    expected = lesson().loss_vs_m if parameter == "m" else lesson().loss_vs_b
    assert view.slice is expected
    assert view.slice.fixed == 5
    swept = 0 if parameter == "m" else 1
    np.testing.assert_array_equal(view.params[:, swept], expected.dense.x)
    np.testing.assert_array_equal(view.params[:, 1 - swept], 5.0)


@builds("LossCurves")
@pytest.mark.parametrize("parameter", ["m", "b"])
def test_moving_dot_sits_on_the_core_samples(loss_curves, parameter) -> None:
    view = loss_curves.views[parameter]
    dense = view.slice.dense
    span = np.ptp(view.axes.y_range[:2])
    for i in positions(view):
        move(view, i)
        value, loss = view.axes.p2c(view.dot.get_center())
        assert value == pytest.approx(dense.x[i], abs=1e-6 * np.ptp(dense.x))
        assert loss == pytest.approx(dense.y[i], abs=1e-6 * span)
        # the drop line falls from the dot to the parameter axis
        assert view.axes.p2c(view.drop.get_start()) == pytest.approx([dense.x[i], 0], abs=1e-6 * span)
        np.testing.assert_allclose(view.drop.get_end(), view.dot.get_center(), atol=1e-9)


@builds("LossCurves")
@pytest.mark.parametrize("parameter", ["m", "b"])
def test_data_view_line_is_the_model_for_the_matching_parameter(loss_curves, parameter) -> None:
    view, data = loss_curves.views[parameter], lesson().dataset
    axes = loss_curves.data_axes
    for i in positions(view):
        move(view, i)
        value = view.slice.dense.x[i]
        m, b = (value, 5.0) if parameter == "m" else (5.0, value)
        assert view.line.get_stroke_opacity() == 1
        for end in (view.line.get_start(), view.line.get_end()):
            x, y = axes.p2c(end)
            assert y == pytest.approx(predict(x, m, b), abs=1e-6)
            assert axes.x_range[0] - 1e-9 <= x <= axes.x_range[1] + 1e-9
            assert axes.y_range[0] - 1e-9 <= y <= axes.y_range[1] + 1e-9
        # one residual per point, from (x_i, y_i) down or up to the line (clipped to the box)
        feet = np.clip(predict(data.x, m, b), *axes.y_range[:2])
        segments = view.residuals.points.reshape(-1, 4, 3)
        assert len(segments) == data.n
        for segment, x, y, foot in zip(segments, data.x, data.y, feet, strict=True):
            assert axes.p2c(segment[0]) == pytest.approx([x, y], abs=1e-6)
            assert axes.p2c(segment[-1]) == pytest.approx([x, foot], abs=1e-6)


@builds("LossCurves")
@pytest.mark.parametrize("parameter", ["m", "b"])
def test_live_readouts_show_the_core_values(loss_curves, parameter) -> None:
    view = loss_curves.views[parameter]
    dense = view.slice.dense
    for i in positions(view):
        move(view, i)
        for num, values in ((view.value, dense.x), (view.loss, dense.y), (view.partial, dense.dy)):
            assert num.get_value() == values[i]
            assert shown(num) == number_format(values).parts(values[i])[0]


@builds("LossCurves")
@pytest.mark.parametrize("parameter", ["m", "b"])
def test_red_arrows_are_the_seeds_arrows(loss_curves, parameter) -> None:
    view = loss_curves.views[parameter]
    s = view.slice
    assert len(view.arrows) == len(s.arrow_tail) > 0
    span = np.ptp(view.axes.y_range[:2])
    for arrow, tail, delta in zip(view.arrows, s.arrow_tail, s.arrow_delta, strict=True):
        assert view.axes.p2c(arrow.get_start()) == pytest.approx(tail, abs=1e-6 * span)
        assert view.axes.p2c(arrow.tip.tip_point) == pytest.approx(tail + delta, abs=1e-6 * span)


@builds("LossCurves")
@pytest.mark.parametrize("parameter", ["m", "b"])
def test_loss_ticks_are_labelled_in_thousands_where_they_sit(loss_curves, parameter) -> None:
    view = loss_curves.views[parameter]
    loss_labels = view.axes.loss_labels
    assert 3 <= len(loss_labels) <= 10
    step = view.axes.y_range[2]
    for label in loss_labels:
        _, loss = view.axes.p2c(label.get_center())
        assert loss == pytest.approx(label.get_value() * 1000, abs=0.05 * step)  # the seed's loss axis: Loss (×10³)
    # the curve's highest loss is inside the axis
    assert view.slice.dense.y.max() <= view.axes.y_range[1]


# --- beat 3 ------------------------------------------------------------------------------------


@builds("DatasetAndModel")
def test_sse_readout_at_each_knot_is_the_core_loss(dataset_scene) -> None:
    c = lesson().candidates
    m_num, b_num, loss_num = (row[1] for row in dataset_scene.readouts)
    for knot in c.knots:
        dataset_scene.tracker.set_value(knot)
        for num in (m_num, b_num, loss_num, dataset_scene.line):
            num.update()
        assert loss_num.get_value() == c.loss[knot]
        assert shown(loss_num) == number_format(c.loss).parts(c.loss[knot])[0]
        assert (m_num.get_value(), b_num.get_value()) == tuple(c.params[knot])
        m, b = c.params[knot]
        for end in (dataset_scene.line.get_start(), dataset_scene.line.get_end()):
            x, y = dataset_scene.axes.p2c(end)
            assert y == pytest.approx(predict(x, m, b), abs=1e-6)


@builds("DatasetAndModel")
def test_candidate_table_lists_each_knot_and_boxes_the_smallest_loss(dataset_scene) -> None:
    c = lesson().candidates
    rows = dataset_scene.table
    assert len(rows) == len(c.knots)
    for row, knot in zip(rows, c.knots, strict=True):
        m, b = c.params[knot]
        assert rf"\mathrm{{L}} = {tex_num(c.loss[knot])}" in row.tex_string
        assert f"m = {tex_setting(m)}" in row.tex_string and f"b = {tex_setting(b)}" in row.tex_string
    best = int(np.argmin(c.loss[c.knots]))
    box = dataset_scene.best_box
    np.testing.assert_allclose(box.get_center()[:2], rows[best].get_center()[:2], atol=1e-6)
    assert box.width > rows[best].width and box.height > rows[best].height
