"""scenes.toolkit.internals.tex_files: processes sharing one TeX folder. A formula is compiled as stock manim
compiles it, in a folder of its own, and appears in the shared folder whole, under manim's name for it."""

from __future__ import annotations

import multiprocessing
import time
import uuid
from pathlib import Path
from xml.etree import ElementTree

from manim import MathTex, config
from manim.mobject.text import tex_mobject

from scenes.toolkit.internals import tex_files


def _in(folder: Path):
    saved = config.tex_dir
    config.tex_dir = str(folder)
    return saved


def test_mathtex_compiles_apart_once_the_toolkit_is_imported() -> None:
    assert tex_mobject.tex_to_svg_file is tex_files.compile_apart


def test_a_formula_compiled_apart_is_the_one_stock_manim_compiles(tmp_path: Path) -> None:
    formula = rf"\frac{{\partial L}}{{\partial m}} = {uuid.uuid4().int % 10**6}"  # new to every cache
    saved = _in(tmp_path / "stock")
    try:
        stock = tex_files._STOCK(formula, "align*")
    finally:
        config.tex_dir = saved
    saved = _in(tmp_path / "shared")
    try:
        apart = tex_files.compile_apart(formula, "align*")
        assert tex_files.compile_apart(formula, "align*") == apart  # found, not compiled again
    finally:
        config.tex_dir = saved
    assert apart.name == stock.name and apart.read_bytes() == stock.read_bytes()
    assert sorted(p.name for p in (tmp_path / "shared").iterdir()) == [apart.name]  # no .tex, .dvi, .log or staging file


def _make_at(folder: str, formulas: list[str], start: float) -> None:
    config.tex_dir = folder
    time.sleep(max(0.0, start - time.time()))
    for formula in formulas:
        MathTex(formula)


def test_two_processes_making_the_same_new_formulas_at_once_each_get_them_whole(tmp_path: Path) -> None:
    """With manim's own SVG reading this failed in 5 runs of 5: one process deletes the restyled copy the other reads."""
    formulas = [rf"b = {uuid.uuid4().int % 10**6} - m x" for _ in range(3)]
    fork = multiprocessing.get_context("fork")
    start = time.time() + 0.3
    jobs = [fork.Process(target=_make_at, args=(str(tmp_path), formulas, start)) for _ in range(2)]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join(60)
    assert [job.exitcode for job in jobs] == [0, 0]
    svgs = sorted(tmp_path.iterdir())
    assert len(svgs) == 3 and all(svg.suffix == ".svg" for svg in svgs)  # nothing else left behind
    for svg in svgs:
        ElementTree.parse(svg)  # a whole document
