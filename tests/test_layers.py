"""The house's layers, read from the imports: core → lesson → scenes (toolkit, then beats) → CLI, with no
arrow back, and no beat importing another (so editing one beat re-renders only that beat)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from gradlesson.render import PROJECT_ROOT, _project_imports, imported_modules
from scenes import BEATS

BEAT_FILES = sorted((PROJECT_ROOT / "scenes" / "beats").glob("[!_]*.py"))
TOOLKIT_FILES = sorted((PROJECT_ROOT / "scenes" / "toolkit").glob("*.py"))


def imported(path: Path) -> set[str]:
    """Every module name the project file ``path`` imports, relative imports resolved (:func:`imported_modules`)."""
    return imported_modules(path.read_text(), ".".join(path.relative_to(PROJECT_ROOT).parent.parts))


def test_the_import_reader_resolves_relative_imports() -> None:
    source = "from .tangents import TangentSlopes\nfrom . import race\nfrom ..toolkit import style\nimport numpy as np\n"
    assert imported_modules(source, "scenes.beats") == {
        "scenes.beats.tangents",
        "scenes.beats.tangents.TangentSlopes",
        "scenes.beats",
        "scenes.beats.race",
        "scenes.toolkit",
        "scenes.toolkit.style",
        "numpy",
    }


def test_every_beat_file_is_a_beat_and_every_beat_lives_in_beats() -> None:
    assert sorted(beat.path for beat in BEATS) == BEAT_FILES
    assert all(beat.module == f"scenes.beats.{beat.path.stem}" for beat in BEATS)


@pytest.mark.parametrize("path", BEAT_FILES, ids=lambda p: p.stem)
def test_a_beat_imports_no_other_beat(path: Path) -> None:
    others = {name for name in imported(path) if name.startswith("scenes.beats")}
    assert not others, f"{path.name} imports {sorted(others)}: move what they share into scenes/toolkit/"
    transitive = {p for p in _project_imports(path) if p.parent.name == "beats"}
    assert transitive == {path}


@pytest.mark.parametrize("path", TOOLKIT_FILES, ids=lambda p: p.stem)
def test_the_toolkit_imports_no_beat_and_no_cli(path: Path) -> None:
    assert not {name for name in imported(path) if name.startswith(("scenes.beats", "gradlesson"))}


@pytest.mark.parametrize("path", sorted((PROJECT_ROOT / "gradcore").glob("*.py")), ids=lambda p: p.stem)
def test_the_core_imports_neither_scenes_nor_cli_nor_manim(path: Path) -> None:
    assert not {name for name in imported(path) if name.split(".")[0] in ("scenes", "gradlesson", "manim", "cairo")}


# manim names that are public in spelling but internal in use: overriding or rewriting them is a private touch
UNDOCUMENTED = {
    "display_funcs",
    "type_or_raise",
    "get_mobjects_to_display",
    "modified_rgbas",
    "get_gradient_start_and_end_points",
    "pieces",
    "write_frame",
    "path_obj",
    "set_cairo_context_path",
}


def manim_private_names() -> set[str]:
    """Every ``_name`` (not dunder) defined on a class manim exports, and :data:`UNDOCUMENTED`."""
    import manim

    names = {name for obj in vars(manim).values() if isinstance(obj, type) for name in dir(obj)}
    return {name for name in names if name.startswith("_") and not name.startswith("__")} | UNDOCUMENTED


def attributes(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)} | {
        node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
    }


def test_only_the_internals_package_touches_manims_private_api() -> None:
    """A private name of manim's (overridden, called or assigned) appears only under ``scenes/toolkit/internals/``,
    whose header names each one it touches."""
    private = manim_private_names()
    internals = PROJECT_ROOT / "scenes" / "toolkit" / "internals"
    header = ast.get_docstring(ast.parse((internals / "__init__.py").read_text())) or ""
    outside = [p for p in (PROJECT_ROOT / "scenes").rglob("*.py") if internals not in p.parents]
    for path in outside:
        assert not attributes(path) & private, f"{path.name} touches {sorted(attributes(path) & private)}: move it to {internals}"
    touched = set().union(*(attributes(p) & private for p in internals.glob("*.py")))
    assert touched >= {"_string_to_mob", "display_funcs", "get_gradient_start_and_end_points", "write_frame"}
    assert not {name for name in touched if name not in header}, "list every internal touched in the package's header"
