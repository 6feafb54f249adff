"""FastSurface draws the picture manim's stock Surface draws (same faces, colours, shading, mesh and depth
order) from one mobject, and its nodes are the core's grid."""

from __future__ import annotations

import numpy as np
import pytest
from manim import DEGREES, Surface, ThreeDCamera, config, tempconfig

from gradcore import sse
from scenes.beats.surface import (
    SHADING,
    START,
    DepthCamera,
    loss_surface,
    stock_loss_surface,
    surface_axes,
)
from scenes.toolkit.internals.fast_surface import FastSurface, FastSurfaceCamera, grid_faces, shade_faces
from scenes.toolkit.style import lesson

# on one worker: the module's surfaces (the stock one takes about a second and a half) are made once a run
pytestmark = pytest.mark.xdist_group("fast_surface")
# the tests that draw the stock Surface, or compare frames with its pictures, render (make test-fast leaves them out)
RENDERS_THE_STOCK_SURFACE = pytest.mark.render
SIZE = {"pixel_width": 320, "pixel_height": 180, "verbosity": "WARNING"}
RED, BLUE = np.array([1.0, 0, 0, 1]), np.array([0, 0, 1.0, 1])


def capture(camera_class: type, mobjects: list, **view: float) -> np.ndarray:
    """One RGB frame of ``mobjects`` through a fresh ``camera_class`` pointed at ``view``."""
    camera = camera_class()
    for name, value in view.items():
        getattr(camera, f"set_{name}")(value)
    camera.reset()
    camera.capture_mobjects(mobjects)
    return camera.pixel_array[..., :3].astype(float)


@pytest.fixture(scope="module")
def surfaces():
    """(axes, FastSurface) of the lesson's loss grid, lit by the scene camera's light."""
    with tempconfig(SIZE):
        grid = lesson().surface
        axes = surface_axes(grid)
        yield axes, loss_surface(axes, grid, DepthCamera().light_source.get_center())


@pytest.fixture(scope="module")
def pictures(surfaces):
    """(axes, stock Surface, FastSurface) of the lesson's loss grid: the FastSurface and manim's own Surface."""
    axes, fast = surfaces
    with tempconfig(SIZE):
        grid, data = lesson().surface, lesson().dataset
        yield axes, stock_loss_surface(axes, grid, lambda m, b: float(sse(data, m, b))), fast


def test_nodes_are_the_grid_and_faces_its_cells(surfaces) -> None:
    axes, fast = surfaces
    grid = lesson().surface
    rows, cols = grid.loss.shape
    got = axes.point_to_coords(fast.nodes).reshape(rows, cols, 3)
    m, b = np.meshgrid(grid.m, grid.b)
    np.testing.assert_allclose(got[..., 0], m, atol=1e-9)
    np.testing.assert_allclose(got[..., 1], b, atol=1e-9)
    np.testing.assert_allclose(got[..., 2], grid.loss, rtol=1e-9, atol=1e-6)
    faces, cells = grid_faces(rows, cols)
    np.testing.assert_array_equal(fast.faces, faces)
    i, j = cells[:, 0], cells[:, 1]
    np.testing.assert_array_equal(faces, np.column_stack([i * cols + j, i * cols + j + 1, (i + 1) * cols + j + 1, (i + 1) * cols + j]))


@RENDERS_THE_STOCK_SURFACE
def test_stock_surface_has_the_same_faces(pictures) -> None:
    """The reference is a fair one: the stock Surface's face corners are the FastSurface's quads."""
    _, stock, fast = pictures
    rows, cols = lesson().surface.loss.shape
    assert len(stock) == len(fast.faces) == (rows - 1) * (cols - 1)
    for face in stock:
        k = face.v_index * (cols - 1) + face.u_index
        np.testing.assert_allclose(face.points[[0, 4, 8, 12]], fast.nodes[fast.faces[k]], atol=1e-9)
        assert face.get_fill_color().to_hex() == fast.viridis[k].to_hex()  # unshaded: the camera shades it


@RENDERS_THE_STOCK_SURFACE
@pytest.mark.parametrize(
    "view",
    [
        dict(START),
        {**START, "theta": START["theta"] + 1.9},  # mid-rotation: the far wall seen over the valley
        {**START, "phi": 110 * DEGREES, "theta": 40 * DEGREES},  # from below the floor, behind
        {"phi": 0, "theta": -90 * DEGREES, "zoom": 1, "focal_distance": 400},  # the top view
    ],
    ids=["start", "turned", "below", "top"],
)
def test_fast_picture_matches_the_stock_picture(pictures, view) -> None:
    """Same camera, same size: the two frames differ by no more than antialiasing and flat vs gradient shading."""
    _, stock, fast = pictures
    with tempconfig(SIZE):
        reference = capture(DepthCamera, [stock], **view)
        picture = capture(DepthCamera, [fast], **view)
    difference = np.abs(reference - picture).max(axis=-1)
    covered = reference.max(axis=-1) > 0
    assert covered.mean() > 0.05  # the surface is in the picture
    assert difference.mean() < 1.0  # of 255
    assert np.mean(difference > 24) < 0.002  # hardly a pixel visibly off (edges, mesh antialiasing)
    # a wrong depth order would show: drawn front to back, the far wall paints over the near one (except from
    # straight above, where the bowl has no overhang: nothing hides anything)
    if view["phi"] > 0:
        flipped = FastSurface(fast.nodes, fast.faces, fast.fill_rgbas)
        flipped.set_mesh("#000000", fast.stroke_width, fast.stroke_rgba[3])
        flipped.face_centres = lambda: -fast.face_centres()  # sorts front to back
        with tempconfig(SIZE):
            wrong = capture(DepthCamera, [flipped], **view)
        assert np.abs(reference - wrong).max(axis=-1).mean() > 3 * difference.mean()


@RENDERS_THE_STOCK_SURFACE
def test_from_720p_the_picture_with_fast_mesh_lines_matches_the_stock_picture(pictures) -> None:
    """From 720 px up (FAST_MESH_HEIGHT) the mesh is stroked with cairo's fast antialiasing: at 720p,
    mid-rotation, the frame still differs from the stock Surface's by a fraction of a grey level, and no pixel
    visibly (at 1080p: mean 0.35, 0.00001 of the pixels past 48, at most 62)."""
    from scenes.toolkit.internals.fast_surface import FAST_MESH_HEIGHT

    _, stock, fast = pictures
    view = {**START, "theta": START["theta"] + 1.9}
    with tempconfig({**SIZE, "pixel_width": 1280, "pixel_height": 720}):
        assert config.pixel_height >= FAST_MESH_HEIGHT
        reference = capture(DepthCamera, [stock], **view)
        picture = capture(DepthCamera, [fast], **view)
    difference = np.abs(reference - picture).max(axis=-1)
    assert (reference.max(axis=-1) > 0).mean() > 0.05
    assert difference.mean() < 1.0  # of 255 (measured 0.38)
    assert np.mean(difference > 48) < 0.0005  # (measured 0.000004)
    assert difference.max() < 96  # (measured 60)


def two_squares() -> tuple[FastSurface, Surface]:
    """A red unit square at z = +1 over a blue 2 × 2 square at z = −1, as a FastSurface and as a stock Surface."""
    square = np.array([[-1, -1, 0], [1, -1, 0], [1, 1, 0], [-1, 1, 0]], dtype=float)
    nodes = np.vstack([square * 0.5 + [0, 0, 1], square + [0, 0, -1]])
    fast = FastSurface(nodes, [[0, 1, 2, 3], [4, 5, 6, 7]], [RED, BLUE], stroke_width=0)
    stock = [
        Surface(lambda u, v, z=z, s=s: np.array([u * s, v * s, z]), u_range=(-1, 1), v_range=(-1, 1), resolution=1,
                checkerboard_colors=False, fill_color=color, stroke_width=0)
        for z, s, color in ((1, 0.5, "#FF0000"), (-1, 1, "#0000FF"))
    ]  # fmt: skip
    return fast, stock


@pytest.mark.parametrize("order", [(0, 1), (1, 0)], ids=["near first", "far first"])
def test_near_face_occludes_far_face_and_flips_with_the_camera(order) -> None:
    """Seen from above the red square (z = +1) hides the blue one's middle; from below, the blue one hides
    the red — whatever the faces' order in the mobject, as the stock Surface under ThreeDCamera draws it."""
    fast, stock = two_squares()
    fast = FastSurface(fast.nodes, fast.faces[list(order)], fast.fill_rgbas[list(order)], stroke_width=0)
    with tempconfig(SIZE):
        for phi, expected in ((0, "red"), (180 * DEGREES, "blue")):
            view = {"phi": phi, "theta": -90 * DEGREES, "zoom": 1, "focal_distance": 20}
            for picture in (capture(FastSurfaceCamera, [fast], **view), capture(ThreeDCamera, stock, **view)):
                red, _, blue = picture[90, 160]  # the middle of the frame
                corner = picture[90, 160 + 17]  # inside the blue square only (1 unit ≈ 22 px off centre)
                assert (red > 200 and blue < 50) if expected == "red" else (blue > 200 and red < 50)
                assert corner[2] > 100 and corner[0] < 50


def test_shading_is_manims_at_the_face_centre() -> None:
    """A face turned to the light brightens and one turned away darkens, like manim's get_shaded_rgb."""
    from manim.utils.color.core import get_shaded_rgb

    nodes = np.array([[-1, -1, 0], [1, -1, 0], [1, 1, 0], [-1, 1, 0]], dtype=float)
    faces = np.array([[0, 1, 2, 3], [3, 2, 1, 0]])  # up, then down
    light = np.array([-7.0, -9, 10])
    grey = np.full((2, 3), 0.5)
    shaded = shade_faces(nodes, faces, grey, light)
    expected_up = get_shaded_rgb(np.full(3, 0.5), np.zeros(3), np.array([0, 0, 1.0]), light)
    expected_down = get_shaded_rgb(np.full(3, 0.5), np.zeros(3), np.array([0, 0, -1.0]), light)
    np.testing.assert_allclose(shaded[0], expected_up, atol=1e-9)
    np.testing.assert_allclose(shaded[1], expected_down, atol=1e-9)
    gentle = shade_faces(nodes, faces, grey, light, SHADING)
    np.testing.assert_allclose(gentle - 0.5, SHADING * (shaded - 0.5), atol=1e-9)


def test_transform_interpolates_nodes_and_colours() -> None:
    """The scene raises the surface from the floor with a Transform between two FastSurfaces."""
    fast, _ = two_squares()
    flat = fast.copy().apply_function(lambda p: np.array([p[0], p[1], 0]))
    flat.fill_rgbas = flat.fill_rgbas * 0.5
    blend = flat.copy().interpolate(flat, fast, 0.25)
    np.testing.assert_allclose(blend.nodes[:, 2], 0.25 * fast.nodes[:, 2])
    np.testing.assert_allclose(blend.fill_rgbas, 0.625 * fast.fill_rgbas)
    np.testing.assert_array_equal(blend.faces, fast.faces)


def test_bad_faces_and_colours_are_rejected() -> None:
    nodes = np.zeros((4, 3))
    with pytest.raises(ValueError, match="nodes"):
        FastSurface(nodes, [[0, 1, 2, 4]], [RED])
    with pytest.raises(ValueError, match="fill_rgbas"):
        FastSurface(nodes, [[0, 1, 2, 3]], [RED, BLUE])
