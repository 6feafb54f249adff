"""scenes.toolkit.internals.cairo_paths: a vmobject's cairo path is replayed while its points stay the same. Frames
of still, moving, recoloured and empty vmobjects equal the stock camera's, pixel for pixel, in 2D and in 3D."""

from __future__ import annotations

import numpy as np
import pytest
from manim import DOWN, RIGHT, Camera, Circle, Dot, MathTex, Square, ThreeDCamera, VGroup, VMobject

from scenes.toolkit.internals import cairo_paths


def _frames(camera_class: type, stock: bool) -> list[np.ndarray]:
    """Five frames: a formula and a square that stay, a dot that moves, a circle recoloured, an empty vmobject."""
    formula, square = MathTex(r"\frac{\partial L}{\partial b}"), Square(1.5).shift(DOWN)
    dot, circle, empty = Dot(RIGHT), Circle(0.8).shift(RIGHT * 3), VMobject()
    scene = VGroup(formula, square, dot, circle, empty)
    camera = camera_class(pixel_width=320, pixel_height=180)
    if stock:
        camera.set_cairo_context_path = lambda ctx, vmobject: cairo_paths._STOCK(camera, ctx, vmobject)
    frames = []
    for k in range(5):
        camera.reset()
        camera.capture_mobject(scene)
        frames.append(camera.pixel_array.copy())
        dot.shift(RIGHT * 0.3)
        circle.set_fill("#FFCC00", opacity=k / 4)  # new colours, the same points
    return frames


@pytest.mark.parametrize("camera_class", [Camera, ThreeDCamera], ids=["2d", "3d"])
def test_frames_equal_the_stock_cameras(camera_class: type) -> None:
    kept, stock = _frames(camera_class, stock=False), _frames(camera_class, stock=True)
    for a, b in zip(kept, stock, strict=True):
        assert a.max() > 0 and np.array_equal(a, b)
    assert not np.array_equal(kept[0], kept[-1])  # the dot moved


def test_a_still_vmobject_is_replayed_and_a_moved_one_is_rebuilt() -> None:
    square, dot = Square(1.0), Dot()
    camera = Camera(pixel_width=160, pixel_height=90)
    for _ in range(3):
        camera.capture_mobject(VGroup(square, dot))
        dot.shift(RIGHT * 0.2)
    assert cairo_paths._KEPT[square][1] is not None  # drawn from the same points twice: its path is kept
    assert cairo_paths._KEPT[dot][1] is None  # moved every frame: only its points are remembered
