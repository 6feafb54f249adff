"""LossSurface draws the core's numbers: faces on the grid's nodes, slices and the descent path on the core's
samples; the camera turns around the surface without losing it and ends looking straight down."""

from __future__ import annotations

from contextlib import contextmanager
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from conftest import builds, render_marks
from manim import config

from gradcore.lessonfile import load_lesson
from scenes.beats.surface import SHADING, START, TURN, LossSurface
from scenes.toolkit.style import lesson, viridis

LESSONS = Path(__file__).resolve().parents[1] / "lessons"
LABELLED = ("intro_to_gradients", "sine", "csv_data")


@pytest.fixture(scope="module")
def scene(built_scene):
    return built_scene("LossSurface")


def coords(scene, mobject) -> np.ndarray:
    """(m, b, loss) of a mobject's points, read back through the scene's axes."""
    return scene.axes.point_to_coords(mobject.points)


def corners(points: np.ndarray) -> np.ndarray:
    """The anchors of a polyline or polygon built with ``set_points_as_corners``."""
    return np.vstack([points[::4], points[-1:]])  # each straight cubic starts at an anchor; the last one ends


def test_steps_last_18_to_22_seconds_and_end_on_a_short_hold() -> None:
    steps = LossSurface.steps(lesson())
    assert 18 <= sum(step.seconds for step in steps) <= 22
    assert steps[-1].key == "hold" and steps[-1].seconds <= 1.0


@builds("LossSurface")
def test_one_face_per_grid_cell(scene) -> None:
    grid = lesson().surface
    surface = scene.surface
    cells = sorted(map(tuple, surface.cells.tolist()))
    rows, cols = grid.loss.shape
    assert len(surface.faces) == len(surface.cells) == len(surface.fill_rgbas) == len(surface.viridis)
    assert cells == [(i, j) for i in range(rows - 1) for j in range(cols - 1)]


@builds("LossSurface")
def test_face_corners_are_the_grid_nodes(scene) -> None:
    """Every face's four corners map back (through the axes) to (m[j], b[i], loss[i, j]) of its cell's nodes."""
    grid = lesson().surface
    surface = scene.surface
    scale = np.array([np.ptp(grid.m), np.ptp(grid.b), grid.loss.max()])
    nodes = coords(scene, surface)
    assert len(nodes) == grid.loss.size
    for face, (i, j) in zip(surface.faces, surface.cells, strict=True):
        expected = np.array([[grid.m[jj], grid.b[ii], grid.loss[ii, jj]] for ii, jj in ((i, j), (i, j + 1), (i + 1, j + 1), (i + 1, j))])
        got = nodes[face]
        assert len(np.unique(face)) == 4  # a proper quad (the camera closes its outline)
        np.testing.assert_allclose(got / scale, expected / scale, atol=1e-9)


@builds("LossSurface")
def test_faces_are_coloured_by_their_mean_loss(scene) -> None:
    """viridis of the cell's mean loss over the grid's max; the baked shading only nudges it."""
    grid = lesson().surface
    surface = scene.surface
    top = grid.loss.max()
    brightness = []
    for (i, j), unshaded, fill in zip(surface.cells, surface.viridis, surface.fill_rgbas, strict=True):
        base = viridis(grid.loss[i : i + 2, j : j + 2].mean() / top)
        assert unshaded.to_hex() == base.to_hex()
        assert fill[3] == 1  # opaque
        fill = fill[:3]
        shift = fill - base.to_rgb()
        lit = (fill > 1e-3) & (fill < 1 - 1e-3)  # channels the light did not clip
        assert not lit.any() or np.ptp(shift[lit]) < 1e-3  # one light (or shadow) for all channels: the hue stays viridis
        assert np.max(np.abs(shift)) <= 0.5 * SHADING + 1e-3
        brightness.append(sum(base.to_rgb()))
    means = [grid.loss[i : i + 2, j : j + 2].mean() for i, j in surface.cells]
    assert brightness[int(np.argmin(means))] < 0.8  # the valley floor: dark purple
    assert brightness[int(np.argmax(means))] > 1.6  # the highest corner: the yellow end of viridis


@builds("LossSurface")
def test_descent_path_runs_through_every_iterate(scene) -> None:
    d = lesson().descent
    got = corners(coords(scene, scene.path))
    expected = np.column_stack([d.m, d.b, d.loss])
    assert got.shape == expected.shape
    np.testing.assert_allclose(got[:, :2], expected[:, :2], atol=1e-9)
    np.testing.assert_allclose(got[:, 2], expected[:, 2], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(got[0, :2], (-15, -30))


@builds("LossSurface")
def test_slices_run_through_the_slice_samples(scene) -> None:
    ms, bs = lesson().loss_vs_m, lesson().loss_vs_b
    for mobject, samples, fixed_axis, free_axis, fixed in (
        (scene.slice_m, ms.dense, 1, 0, ms.fixed),
        (scene.slice_b, bs.dense, 0, 1, bs.fixed),
    ):
        got = corners(coords(scene, mobject))
        assert len(got) == len(samples.x)
        np.testing.assert_allclose(got[:, free_axis], samples.x, atol=1e-9)
        np.testing.assert_allclose(got[:, fixed_axis], fixed, atol=1e-9)
        np.testing.assert_allclose(got[:, 2], samples.y, rtol=1e-9, atol=1e-6)
    assert (ms.fixed, bs.fixed) == (5, 5)


@contextmanager
def camera_at(camera, **values):
    """Temporarily point the scene's camera (phi, theta, zoom, focal_distance trackers)."""
    trackers = {name: getattr(camera, f"{name}_tracker") for name in values}
    saved = {name: tracker.get_value() for name, tracker in trackers.items()}
    try:
        for name, value in values.items():
            trackers[name].set_value(value)
        camera.reset_rotation_matrix()
        yield camera
    finally:
        for name, value in saved.items():
            trackers[name].set_value(value)
        camera.reset_rotation_matrix()


@builds("LossSurface")
def test_camera_ends_looking_straight_down_with_m_right_and_b_up(scene) -> None:
    camera = scene.camera
    assert camera.get_phi() == pytest.approx(0, abs=1e-9)
    assert np.cos(camera.get_theta() + np.pi / 2) == pytest.approx(1)  # theta ≡ −90°
    camera.reset_rotation_matrix()
    axes = scene.axes
    origin, m_end, b_end = camera.project_points(np.array([axes.c2p(0, 0, 0), axes.c2p(19, 0, 0), axes.c2p(0, 39, 0)]))
    assert m_end[0] - origin[0] > 2 and abs(m_end[1] - origin[1]) < 1e-6  # m runs left → right
    assert b_end[1] - origin[1] > 2 and abs(b_end[0] - origin[0]) < 1e-6  # b runs bottom → top


@builds("LossSurface")
def test_surface_stays_in_frame_while_the_camera_turns(scene) -> None:
    """Project the surface and path from the start view, along the whole rotation and from the top (the labels:
    see test_labels_and_tags_never_overlap_and_stay_in_frame)."""

    plan = {step.key: step.seconds for step in scene.plan(lesson())}
    points = np.vstack([scene.surface.get_all_points(), scene.path.points])
    half = np.array([config.frame_width, config.frame_height]) / 2
    thetas = START["theta"] + TURN * np.linspace(0, plan["rotate"], 12)
    views = [{**START, "theta": theta} for theta in thetas]
    camera = scene.camera
    views.append(dict(phi=camera.get_phi(), theta=camera.get_theta(), zoom=camera.get_zoom(), focal_distance=camera.get_focal_distance()))
    for view in views:
        with camera_at(scene.camera, **view) as camera:
            projected = camera.project_points(points)[:, :2]
        assert np.all(np.abs(projected) < half - 0.2), view
    # the title sits in the frame's corner, clear of the top view
    with camera_at(scene.camera, **views[-1]) as camera:
        top = camera.project_points(scene.surface.get_all_points())[:, :2]
    assert scene.title.get_bottom()[1] > top[:, 1].max() or scene.title.get_right()[0] < top[:, 0].min()


# --- the labels on every lesson -------------------------------------------------------------------


def drawn_box(camera, mobject) -> np.ndarray:
    """``[[left, bottom], [right, top]]`` of ``mobject`` as the camera draws it now (projected, fixed in its
    orientation or fixed in the frame, whichever it is)."""
    points = np.vstack([camera.transform_points_pre_display(m, m.points) for m in mobject.family_members_with_points()])
    return np.array([points[:, :2].min(axis=0), points[:, :2].max(axis=0)])


def label_boxes(scene) -> dict[str, np.ndarray]:
    """Where the axis labels and slice tags on screen were drawn in this frame, by name."""
    named = dict(zip(("m (slope)", "b (bias)", "Loss"), getattr(scene, "labels", ()), strict=False))
    named.update(zip(("b = … tag", "m = … tag"), getattr(scene, "slice_tags", ()), strict=False))
    shown = set(scene.get_mobject_family_members())
    return {name: drawn_box(scene.camera, mob) for name, mob in named.items() if mob in shown}


@pytest.fixture(scope="module", params=[pytest.param(name, marks=render_marks("LossSurface", f"{name}+labels")) for name in LABELLED])
def labelled(request, render_scene):
    """LossSurface rendered for each shipped lesson, with the label boxes of every frame."""
    path = LESSONS / f"{request.param}.toml"
    rendered = render_scene("LossSurface", lesson=path, record=label_boxes)
    assert rendered.scene.lesson.surface.loss.tolist() == load_lesson(path).surface.loss.tolist()  # drew this lesson
    return rendered


def test_labels_and_tags_never_overlap_and_stay_in_frame(labelled) -> None:
    """In every frame (while the surface rises, all along the rotation, with the slices, while the camera turns
    to the top view and after), no two of m (slope), b (bias), Loss and the two slice tags overlap, and each
    lies inside the frame."""
    frames = labelled.frames
    half = np.array([config.frame_x_radius, config.frame_y_radius])
    assert sum(len(boxes) == 5 for boxes in frames) > 50  # all five on screen at once, from the slices to the top view
    for i, boxes in enumerate(frames):
        for name, box in boxes.items():
            assert np.all(box[0] >= -half) and np.all(box[1] <= half), f"frame {i}: {name} leaves the frame"
        for (a, box_a), (b, box_b) in combinations(boxes.items(), 2):
            apart = np.any(box_a[1] <= box_b[0]) or np.any(box_b[1] <= box_a[0])
            assert apart, f"frame {i}: {a} {box_a.tolist()} overlaps {b} {box_b.tolist()}"


def test_labels_sit_beside_what_they_name(labelled) -> None:
    """Kept apart, each label still sits next to its axis' end (at the rim's height), or its slice's end."""
    scene = labelled.scene
    camera = scene.camera
    camera.reset_rotation_matrix()  # the top view, where the scene ends (without the loss label, faded out)
    shown = set(scene.get_mobject_family_members())
    for pin in (pin for pin in scene.pins if pin.label in shown):
        point = camera.project_points(np.array([pin.point()]))[0, :2]
        box = drawn_box(camera, pin.label)
        gap = np.maximum(np.maximum(box[0] - point, point - box[1]), 0)  # from the point to the box, per axis
        assert np.linalg.norm(gap) < 0.6, pin.label
