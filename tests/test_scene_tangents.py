"""Beats 1 and 2 draw exactly what the core computed: secant and tangent slopes, f'(x), the seed's arrows."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from conftest import build_marks, builds

from gradcore.format import number_format
from gradcore.lessonfile import load_lesson
from scenes.toolkit.style import lesson

INDICES = (0, 75, 300, 437, 600)  # both ends, the middle and two points between (of 601 dense samples)
FRAME_X, FRAME_Y = 7.11, 4.0
LESSONS = Path(__file__).resolve().parents[1] / "lessons"


def _slope(axes, line) -> tuple[float, np.ndarray, np.ndarray]:
    """The data slope of ``line`` and its two ends in data coordinates."""
    a, b = (np.asarray(axes.p2c(p))[:2] for p in (line.get_start(), line.get_end()))
    return (b[1] - a[1]) / (b[0] - a[0]), a, b


def _update(*mobjects) -> None:
    for m in mobjects:
        m.update()


def _inside_frame(mobject) -> bool:
    lo, hi = mobject.get_corner(np.array([-1, -1, 0])), mobject.get_corner(np.array([1, 1, 0]))
    return lo[0] >= -FRAME_X and hi[0] <= FRAME_X and lo[1] >= -FRAME_Y and hi[1] <= FRAME_Y


# --- beat 1: DerivativeAsSlope ------------------------------------------------------------------


@pytest.fixture(scope="module")
def beat1(built_scene):
    return built_scene("DerivativeAsSlope")


@builds("DerivativeAsSlope")
def test_secant_has_the_cores_slope_and_passes_through_both_points(beat1) -> None:
    s, scene = lesson().secant, beat1
    for i in (0, 200, len(s.h) - 1):
        scene.tracker.set_value(i)
        _update(scene.secant_line, scene.q_dot, scene.h_number, scene.slope_number)
        slope, a, _ = _slope(scene.axes, scene.secant_line)
        assert slope == pytest.approx(s.slope[i], rel=1e-6)
        # through (x0, y0) and through Q = (x0 + h, y1), where the second dot sits
        assert a[1] - s.y0 == pytest.approx(s.slope[i] * (a[0] - s.x0), abs=1e-6)
        q = np.asarray(scene.axes.p2c(scene.q_dot.get_center()))[:2]
        assert q == pytest.approx([s.x0 + s.h[i], s.y1[i]], abs=1e-9)
        assert scene.slope_number.get_value() == pytest.approx(s.slope[i], rel=1e-12)
        assert scene.h_number.get_value() == pytest.approx(s.h[i], rel=1e-12)


@builds("DerivativeAsSlope")
def test_last_secant_shows_the_last_difference_quotient(beat1) -> None:
    s, scene = lesson().secant, beat1
    scene.tracker.set_value(len(s.h) - 1)
    _update(scene.secant_line, scene.slope_number, scene.h_number)
    slope, _, _ = _slope(scene.axes, scene.secant_line)
    assert slope == pytest.approx(s.slope[-1], rel=1e-6)
    assert slope != pytest.approx(s.tangent_slope, rel=1e-6)  # still a secant, h > 0
    assert scene.slope_number._get_num_string(scene.slope_number.get_value()) == number_format(s.slope, 4).parts(s.slope[-1])[0]
    assert scene.h_number._get_num_string(scene.h_number.get_value()) == number_format(s.h, 3).parts(s.h[-1])[0]


@builds("DerivativeAsSlope")
def test_dashed_tangent_has_the_cores_tangent_slope(beat1) -> None:
    s = lesson().secant
    slope, a, _ = _slope(beat1.axes, beat1.tangent)
    assert slope == pytest.approx(s.tangent_slope, rel=1e-6)
    assert a[1] - s.y0 == pytest.approx(s.tangent_slope * (a[0] - s.x0), abs=1e-6)


@builds("DerivativeAsSlope")
def test_beat1_layout_stays_in_frame_and_apart(beat1) -> None:
    scene = beat1
    for m in (scene.definition, scene.axes, scene.rows, scene.limit):
        assert _inside_frame(m)
    assert scene.definition.get_bottom()[1] > scene.axes.get_top()[1]
    assert scene.rows.get_left()[0] > scene.axes.get_right()[0]
    assert scene.limit.get_top()[1] < scene.rows.get_bottom()[1]


# --- beat 2: TangentSlopes ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def beat2(built_scene):
    return built_scene("TangentSlopes")


@builds("TangentSlopes")
def test_one_part_per_function_in_order(beat2) -> None:
    assert [p.curve.function.name for p in beat2.parts] == [c.function.name for c in lesson().curves]


@builds("TangentSlopes")
@pytest.mark.parametrize("which", range(3))
def test_tangent_slope_is_the_cores_derivative(beat2, which) -> None:
    part = beat2.parts[which]
    d = lesson().curves[which].dense
    for i in INDICES:
        part.tracker.set_value(i)
        _update(part.tangent, part.dot)
        slope, a, _ = _slope(part.axes, part.tangent)
        assert slope == pytest.approx(d.dy[i], rel=1e-6, abs=1e-9), f"x = {d.x[i]}"
        # the tangent touches the curve at (x, f(x)), where the dot sits
        assert d.y[i] - a[1] == pytest.approx(d.dy[i] * (d.x[i] - a[0]), abs=1e-6 * max(1, abs(d.y[i])))
        dot = np.asarray(part.axes.p2c(part.dot.get_center()))[:2]
        assert dot == pytest.approx([d.x[i], d.y[i]], abs=1e-9)


@builds("TangentSlopes")
@pytest.mark.parametrize("which", range(3))
def test_derivative_dot_and_readout_follow_the_tangent(beat2, which) -> None:
    part = beat2.parts[which]
    d = lesson().curves[which].dense
    for i in INDICES:
        part.tracker.set_value(i)
        _update(part.ddot, part.x_number, part.dy_number)
        ddot = np.asarray(part.daxes.p2c(part.ddot.get_center()))[:2]
        assert ddot == pytest.approx([d.x[i], d.dy[i]], abs=1e-9)
        assert part.x_number.get_value() == pytest.approx(d.x[i], rel=1e-12, abs=1e-12)
        assert part.dy_number.get_value() == pytest.approx(d.dy[i], rel=1e-12, abs=1e-12)
        assert part.dy_number._get_num_string(part.dy_number.get_value()) == number_format(d.dy, 3).parts(d.dy[i])[0]


@builds("TangentSlopes")
@pytest.mark.parametrize("which", range(3))
def test_both_axes_share_the_x_scale_and_the_trace_is_f_prime(beat2, which) -> None:
    part = beat2.parts[which]
    d = lesson().curves[which].dense
    for x in (d.x[0], d.x[-1]):
        assert part.axes.c2p(x, 0)[0] == pytest.approx(part.daxes.c2p(x, 0)[0], abs=1e-9)
    # the finished trace runs from (x_min, f'(x_min)) to (x_max, f'(x_max))
    ends = [np.asarray(part.daxes.p2c(p))[:2] for p in (part.trace.get_start(), part.trace.get_end())]
    assert ends[0] == pytest.approx([d.x[0], d.dy[0]], abs=1e-9)
    assert ends[1] == pytest.approx([d.x[-1], d.dy[-1]], abs=1e-9)


@builds("TangentSlopes")
@pytest.mark.parametrize("which", range(3))
def test_red_arrows_are_the_seeds(beat2, which) -> None:
    part, curve = beat2.parts[which], lesson().curves[which]
    assert len(part.arrows) == len(curve.arrow_tail)
    for arrow, tail, delta in zip(part.arrows, curve.arrow_tail, curve.arrow_delta, strict=True):
        start = np.asarray(part.axes.p2c(arrow.get_start()))[:2]
        end = np.asarray(part.axes.p2c(arrow.get_end()))[:2]
        assert start == pytest.approx(tail, abs=1e-9)
        assert end == pytest.approx(tail + delta, abs=1e-9)


@builds("TangentSlopes")
@pytest.mark.parametrize("which", range(3))
def test_zero_slope_marks_sit_at_the_cores_stationary_points(beat2, which) -> None:
    part, curve = beat2.parts[which], lesson().curves[which]
    marks = part.zeros[:-1]  # the last one is the note
    assert len(marks) == len(curve.stationary_x)
    for (flat, _, _, crossing), x in zip(marks, curve.stationary_x, strict=True):
        slope, _, _ = _slope(part.axes, flat)
        assert slope == pytest.approx(0.0, abs=1e-9)
        assert np.asarray(part.daxes.p2c(crossing.get_center()))[:2] == pytest.approx([x, 0.0], abs=1e-9)


@builds("TangentSlopes")
@pytest.mark.parametrize("which", range(3))
def test_beat2_layout_stays_in_frame_and_apart(beat2, which) -> None:
    part = beat2.parts[which]
    assert _inside_frame(part.group)
    title, axes, daxes = part.group[0], part.axes, part.daxes
    assert title.get_bottom()[1] > axes.get_top()[1]
    assert axes.get_bottom()[1] > daxes.get_top()[1]
    right = max(axes.get_right()[0], daxes.get_right()[0])
    # the readouts, the f' formula and the zero-slope note sit in a column right of both plots
    for m in (part.x_number, part.dy_number, part.group[-1], part.zeros[-1]):
        assert m.get_left()[0] > right
    # readouts at their widest (the largest |f'|) still fit the frame
    part.tracker.set_value(int(np.argmax(np.abs(part.curve.dense.dy))))
    part.dy_number.update()
    assert part.dy_number.get_right()[0] < FRAME_X


@pytest.mark.parametrize("name", [None, "sine.toml"])
def test_captions_are_plain_text(name: str | None) -> None:
    from scenes.beats.derivative import DerivativeAsSlope
    from scenes.beats.tangents import TangentSlopes

    shown = lesson() if name is None else load_lesson(LESSONS / name)
    for beat in (DerivativeAsSlope, TangentSlopes):
        for step in beat.plan(shown):
            assert not set(step.caption) & set("\\{}$") and "frac" not in step.caption, step.caption
    # the captions print f and f' as the core's plain text of the checked expression
    plan = {step.key: step.caption for step in TangentSlopes.plan(shown)}
    for i, curve in enumerate(shown.curves):
        fn = curve.function
        assert f"f(x) = {fn.text}," in plan[f"show_{i}"] and f"f'(x) = {fn.dtext}:" in plan[f"slide_{i}"]


# --- beat 2 on every shipped lesson: the right-hand column stays readable ---------------------------


def _box(mobject) -> np.ndarray:
    return np.array([mobject.get_corner(np.array([-1, -1, 0]))[:2], mobject.get_corner(np.array([1, 1, 0]))[:2]])


def _apart(a, b) -> bool:
    (a0, a1), (b0, b1) = _box(a), _box(b)
    return bool(np.any(a1 <= b0) or np.any(b1 <= a0))


def _first_glyph(mobject):
    """The first glyph drawn: the f of f'(x)."""
    return mobject.family_members_with_points()[0]


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("intro_to_gradients", marks=build_marks("TangentSlopes")),
        pytest.param("sine", marks=build_marks("TangentSlopes", "sine")),
        pytest.param("csv_data", marks=build_marks("TangentSlopes", "csv_data")),
    ],
)
def any_lesson(request, built_scene):
    """TangentSlopes rendered for each shipped lesson (the seed lesson: the same render as beat2)."""
    path = None if request.param == "intro_to_gradients" else LESSONS / f"{request.param}.toml"
    scene = built_scene("TangentSlopes", path)
    expected = lesson() if path is None else load_lesson(path)
    assert [p.curve.function.latex for p in scene.parts] == [c.function.latex for c in expected.curves]
    return scene


def test_derivative_formula_is_readable_fits_the_frame_and_overlaps_nothing(any_lesson) -> None:
    """f'(x) = … keeps at least 0.7 of the readouts' letter size (long ones break into lines instead of
    shrinking), lies inside the frame right of both plots, and clears the readouts and the zero-slope note;
    the note's x values fit the frame too."""
    for part in any_lesson.parts:
        dlabel, rows, note = part.group[-1], part.group[-2], part.zeros[-1]
        name = part.curve.function.name
        letter = _first_glyph(dlabel).height / _first_glyph(rows[1][0]).height  # both start with the f of f'(x)
        assert letter >= 0.7 - 1e-6, f"{name}: f'(x) drawn at {letter:.2f} of the readouts' size"
        for m in (dlabel, note, rows):
            assert _inside_frame(m), name
            assert m.get_left()[0] > max(part.axes.get_right()[0], part.daxes.get_right()[0]), name
        for a, b in combinations((dlabel, note, rows), 2):
            assert _apart(a, b), name
        assert dlabel.get_top()[1] < part.daxes.get_top()[1]  # beside the f' plot it names


def test_axis_names_clear_the_tick_numbers_and_the_title(any_lesson) -> None:
    """f(x) and f'(x) at the top of the y axes overlap neither a tick number (the log's y axis runs down the left
    edge, beside its numbers) nor the title."""
    for part in any_lesson.parts:
        for ax in (part.axes, part.daxes):
            ticks, name = ax[-3], ax[-2]  # edge_axes' numbers, then the two names this beat adds (y first)
            assert name.get_tex_string() in ("f(x)", "f'(x)")
            assert all(_apart(name, number) for number in ticks), part.curve.function.name
            title = part.group[0].family_members_with_points()  # glyph by glyph: a fraction makes its box deep
            assert all(_apart(name, glyph) for glyph in title), part.curve.function.name


def test_long_derivatives_break_between_terms() -> None:
    from scenes.beats.tangents import top_level_terms

    assert top_level_terms(r"- \frac{e^{- \frac{x}{4}} \sin{\left(x \right)}}{4} + e^{- \frac{x}{4}} \cos{\left(x \right)}") == [
        r"- \frac{e^{- \frac{x}{4}} \sin{\left(x \right)}}{4}",
        r"+ e^{- \frac{x}{4}} \cos{\left(x \right)}",
    ]
    assert top_level_terms("3 x^{2} - 8 x + 2") == ["3 x^{2}", "- 8 x", "+ 2"]
    assert top_level_terms(r"- \sin{\left(x - 1 \right)}") == [r"- \sin{\left(x - 1 \right)}"]
    assert top_level_terms("2 x") == ["2 x"]
