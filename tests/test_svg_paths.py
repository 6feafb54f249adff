"""scenes.toolkit.internals.svg_paths: a copied glyph shares the parsed SVG path it was made from, and is otherwise
the copy stock manim makes. Fails when a manim upgrade starts reading ``path_obj`` after a glyph is made."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
from manim import Camera, MathTex, Mobject
from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath

import scenes.toolkit.internals  # noqa: F401  # imported for its effect: copies share their paths


def test_manim_reads_a_glyphs_parsed_path_only_while_making_its_points() -> None:
    import manim

    readers = set()
    for path in Path(manim.__file__).parent.rglob("*.py"):
        source = path.read_text()
        if "path_obj" not in source:  # no reader here (parsing every module would take seconds)
            continue
        tree = ast.parse(source)
        for function in ast.walk(tree):
            reads = any(isinstance(node, ast.Attribute) and node.attr == "path_obj" for node in ast.walk(function))
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) and reads:
                readers.add((path.name, function.name))
    assert readers == {("svg_mobject.py", "__init__"), ("svg_mobject.py", "handle_commands")}


def _stock_copy(formula: Mobject) -> Mobject:
    """The copy manim itself makes (its ``Mobject.__deepcopy__`` for every glyph, path included)."""
    shared = VMobjectFromSVGPath.__deepcopy__
    del VMobjectFromSVGPath.__deepcopy__
    try:
        return formula.copy()
    finally:
        VMobjectFromSVGPath.__deepcopy__ = shared  # type: ignore[method-assign]


def _picture(mobject: Mobject) -> np.ndarray:
    camera = Camera(pixel_width=320, pixel_height=180)
    camera.capture_mobject(mobject)
    return camera.pixel_array.copy()


def test_a_copied_formula_shares_its_paths_and_copies_everything_else() -> None:
    formula = MathTex(r"\frac{\partial L}{\partial m} = -2\sum x_i (y_i - (m x_i + b))").set_color("#FFCC00")
    copied, stock = formula.copy(), _stock_copy(formula)
    glyphs = formula.family_members_with_points()
    assert sum(isinstance(g, VMobjectFromSVGPath) for g in glyphs) >= 20  # and a Rectangle, the fraction's bar
    for original, shared, deep in zip(glyphs, copied.family_members_with_points(), stock.family_members_with_points(), strict=True):
        if isinstance(original, VMobjectFromSVGPath):
            assert shared.path_obj is original.path_obj and deep.path_obj is not original.path_obj
        assert shared.points is not original.points
        for read in (lambda m: m.points, Mobject.get_color, lambda m: m.get_fill_rgbas(), lambda m: m.get_stroke_rgbas()):
            np.testing.assert_array_equal(np.asarray(read(shared), dtype=object), np.asarray(read(deep), dtype=object))
    assert np.array_equal(_picture(copied), _picture(stock)) and _picture(copied).max() > 0
    before = formula.get_center().copy()
    copied.shift([1.0, 0.5, 0]).set_color("#00FF00")  # the copy is its own: the original neither moves nor changes
    np.testing.assert_array_equal(formula.get_center(), before)
    assert np.array_equal(_picture(formula), _picture(stock))
