"""One TeX folder that many processes share: each formula is compiled apart and published whole (see this
package's header).

manim compiles a formula in its ``tex_dir`` itself (``.tex``, ``.dvi``, ``.log`` and ``.svg`` side by side) and
reuses any ``.svg`` that exists there, so two processes compiling into one folder can read each other's half-written
files; and to read an SVG it writes a restyled copy beside it (``<name>_.svg``), parses it and deletes it, so two
processes reading one formula at once delete each other's copy. Render jobs and test workers therefore each had a
folder of their own, handed formulas back when they ended, and compiled again what another was compiling at the
same time (573 compilations for 253 formulas in one run of the tests). Here a formula missing from ``tex_dir`` is
compiled by manim's own ``tex_to_svg_file`` in a private temporary folder and appears in ``tex_dir`` by an atomic
rename (a reader sees a whole file or none), and an SVG is read from a private copy: whatever one process
compiled, every other reuses at once."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from manim import SVGMobject, config
from manim.mobject.text import tex_mobject
from manim.utils import tex_file_writing
from manim.utils.tex import TexTemplate

__all__ = ["compile_apart", "read_apart", "share_one_tex_folder"]

_STOCK = tex_file_writing.tex_to_svg_file
_STOCK_READ = SVGMobject.generate_mobject


def compile_apart(expression: str, environment: str | None = None, tex_template: TexTemplate | None = None) -> Path:
    """``tex_to_svg_file``, safe for processes sharing ``tex_dir``: the SVG there if it exists (manim's name for
    it, ``tex_hash`` of the document), else compiled in a folder of its own and renamed into place."""
    template = config["tex_template"] if tex_template is None else tex_template
    document = (
        template.get_texcode_for_expression(expression)
        if environment is None
        else template.get_texcode_for_expression_in_env(expression, environment)
    )
    shared = config.get_dir("tex_dir")
    svg = shared / f"{tex_file_writing.tex_hash(document)}.svg"
    if svg.exists():
        return svg
    shared.mkdir(parents=True, exist_ok=True)
    saved = config.tex_dir
    with tempfile.TemporaryDirectory(prefix="gradlesson-tex-") as private:
        config.tex_dir = private
        try:
            made = _STOCK(expression, environment, template)
        finally:
            config.tex_dir = saved
        staging = shared / f".{svg.name}.{os.getpid()}"
        shutil.copyfile(made, staging)
        os.replace(staging, svg)
    return svg


def read_apart(self: SVGMobject) -> SVGMobject:
    """``SVGMobject.generate_mobject`` on a private copy of the SVG, so that its restyled ``<name>_.svg`` is
    written, read and deleted beside the copy, not beside the shared file."""
    shared = self.get_file_path()
    with tempfile.TemporaryDirectory(prefix="gradlesson-svg-") as private:
        own = Path(private) / shared.name
        shutil.copyfile(shared, own)
        self.file_name = own
        try:
            return _STOCK_READ(self)
        finally:
            self.file_name = shared


def share_one_tex_folder() -> None:
    """From now on, in this process, MathTex and Tex compile through :func:`compile_apart` and every SVG is read
    by :func:`read_apart` (idempotent)."""
    tex_mobject.tex_to_svg_file = compile_apart  # the name tex_mobject imported from tex_file_writing
    SVGMobject.generate_mobject = read_apart  # type: ignore[method-assign,assignment]
