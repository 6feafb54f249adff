"""The house's layers, read from the imports: core → lesson → scenes (toolkit, then beats) → CLI, with no
arrow back, and no beat importing another (so editing one beat re-renders only that beat); and manim's internals,
read from the code: touched only in ``scenes/toolkit/internals/``, whose header lists each one."""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple, cast

import pytest

from gradlesson.render import PROJECT_ROOT, _project_imports, imported_modules
from scenes import BEATS

BEAT_FILES = sorted((PROJECT_ROOT / "scenes" / "beats").glob("[!_]*.py"))
TOOLKIT_FILES = sorted((PROJECT_ROOT / "scenes" / "toolkit").rglob("*.py"))  # internals too


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


@pytest.mark.parametrize("path", TOOLKIT_FILES, ids=lambda p: p.relative_to(PROJECT_ROOT / "scenes" / "toolkit").as_posix())
def test_the_toolkit_imports_no_beat_and_no_cli(path: Path) -> None:
    assert not {name for name in imported(path) if name.startswith(("scenes.beats", "gradlesson"))}


@pytest.mark.parametrize("path", sorted((PROJECT_ROOT / "gradcore").glob("*.py")), ids=lambda p: p.stem)
def test_the_core_imports_neither_scenes_nor_cli_nor_manim(path: Path) -> None:
    assert not {name for name in imported(path) if name.split(".")[0] in ("scenes", "gradlesson", "manim", "cairo")}


INTERNALS = PROJECT_ROOT / "scenes" / "toolkit" / "internals"
PROJECT_FILES = sorted(path for package in ("gradcore", "gradlesson", "scenes") for path in (PROJECT_ROOT / package).rglob("*.py"))
INSIDE = [path for path in PROJECT_FILES if INTERNALS in path.parents]
OUTSIDE = [path for path in PROJECT_FILES if INTERNALS not in path.parents]
# where manim objects are made: gradcore never imports manim (above), gradlesson only configures it and loads the scenes
SCENES = [path for path in OUTSIDE if PROJECT_ROOT / "scenes" in path.parents]
SELF_ASSIGNED = re.compile(r"\bself\.(\w+)\s*(?::[^=\n]*)?=(?!=)")  # `self.name = ...`, `self.name: T = ...`


def header_touches() -> set[str]:
    """The names the internals package's header lists as touched, each written ``Owner.name`` (``Camera.display_funcs``)."""
    header = ast.get_docstring(ast.parse((INTERNALS / "__init__.py").read_text())) or ""
    return set(re.findall(r"``\w+\.(\w+)``", header))


def from_manim(cls: type) -> bool:
    return cls.__module__.partition(".")[0] == "manim"


def is_manims(cls: object) -> bool:
    """Whether ``cls`` is a class of manim's, or a subclass of one."""
    return isinstance(cls, type) and any(from_manim(c) for c in cls.__mro__)


@functools.cache
def source(path: str) -> str:
    return Path(path).read_text()


@functools.cache
def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text())


def class_text(cls: type) -> str:
    """The source of the top-level class ``cls``, from ``class Name`` to the next unindented line, or empty (as
    ``inspect.getsource``, which takes 0.1 s a class)."""
    text = source(inspect.getfile(cls))
    start = re.search(rf"^class {cls.__name__}\b", text, re.M)
    end = re.compile(r"^[^\s)#]", re.M).search(text, text.index("\n", start.end()) + 1) if start else None
    return text[start.start() : end.start() if end else None] if start else ""


@functools.cache
def manim_defines(cls: type) -> frozenset[str]:
    """The names manim gives instances of ``cls``: its manim classes' attributes, and what they set on ``self``."""
    return frozenset(name for c in filter(from_manim, cls.__mro__) for name in (*vars(c), *SELF_ASSIGNED.findall(class_text(c))))


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.endswith("__")


@functools.cache
def namespace(path: Path) -> dict[str, object]:
    """The globals of the project module ``path`` (``__main__``, which runs the command line when imported: none)."""
    module = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts).removesuffix(".__init__")
    return {} if path.name == "__main__.py" else vars(importlib.import_module(module))


def resolve(node: ast.expr | None, names: Mapping[str, object]) -> object:
    """What a dotted name (``Axes``, ``manim.Axes``) stands for among ``names``; None for anything else."""
    if isinstance(node, ast.Name):
        return names.get(node.id)
    return getattr(resolve(node.value, names), node.attr, None) if isinstance(node, ast.Attribute) else None


class NamedAttribute(NamedTuple):
    function: str
    target: ast.expr
    name: str


def named_attribute(node: ast.AST) -> NamedAttribute | None:
    """``getattr(target, "name", ...)``, or ``setattr``, ``hasattr``, ``delattr``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "setattr", "hasattr", "delattr"):
        name = node.args[1] if len(node.args) > 1 else None
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            return NamedAttribute(node.func.id, node.args[0], name.value)
    return None


class Use(NamedTuple):
    """``name`` reached for at ``line``: on ``self``, ``cls`` or ``super()`` of (or in the body of) a class with base
    classes ``bases``, or on anything else (``bases`` None); ``defines``: assigned or defined there (a function,
    class or variable the code defines has ``bases`` None and ``defines``)."""

    line: int
    name: str
    bases: tuple[type, ...] | None
    defines: bool

    def given_by_manim(self) -> bool:
        """Whether manim gives the class this name (then it is manim's, reached through inheritance)."""
        return self.bases is not None and any(self.name in manim_defines(base) for base in self.bases)


@functools.cache
def uses(path: Path) -> tuple[Use, ...]:
    """Every name ``path`` reaches for: attributes, a class body's methods and attributes, names imported from a
    module, names given to ``getattr``/``setattr``/``hasattr``/``delattr``; and every name it defines."""
    found: list[Use] = []

    def on(node: ast.expr, bases: tuple[type, ...] | None) -> tuple[type, ...] | None:
        """``bases`` if ``node`` is ``self``, ``cls`` or ``super()``, else None."""
        mine = (isinstance(node, ast.Name) and node.id in ("self", "cls")) or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"
        )
        return bases if mine else None

    def visit(node: ast.AST, bases: tuple[type, ...] | None) -> None:
        if isinstance(node, ast.ClassDef):
            found.append(Use(node.lineno, node.name, None, True))
            bases = tuple(base for base in (resolve(b, namespace(path)) for b in node.bases) if isinstance(base, type))
            for statement in node.body:  # methods and class attributes: the class's own, or overrides of manim's
                targets = statement.targets if isinstance(statement, ast.Assign) else [getattr(statement, "target", None)]
                defined = [statement.name] if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) else []
                found.extend(Use(statement.lineno, n, bases, True) for n in defined + [t.id for t in targets if isinstance(t, ast.Name)])
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append(Use(node.lineno, node.name, None, True))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.append(Use(node.lineno, node.id, None, True))
        elif isinstance(node, ast.Attribute):
            owner = on(node.value, bases)
            found.append(Use(node.lineno, node.attr, owner, owner is not None and not isinstance(node.ctx, ast.Load)))
        elif isinstance(node, ast.ImportFrom):
            found.extend(Use(node.lineno, alias.name, None, False) for alias in node.names)
        elif call := named_attribute(node):
            owner = on(call.target, bases)
            found.append(Use(node.lineno, call.name, owner, owner is not None and call.function in ("setattr", "delattr")))
        for child in ast.iter_child_nodes(node):
            visit(child, bases)

    visit(parsed(path), None)
    return tuple(found)


def touches_manim(use: Use, listed: set[str], own: set[str]) -> bool:
    """Whether ``use`` touches manim's internals: a ``listed`` name or a private one (``_name``, not dunder) that,
    on ``self``/``cls``/``super()``, manim gives the class and, on anything else, is not the project's ``own``."""
    if use.bases is not None:
        return use.given_by_manim() and (use.name in listed or is_private(use.name))
    return not use.defines and (use.name in listed or (is_private(use.name) and use.name not in own))


@functools.cache
def project_names() -> frozenset[str]:
    """The names the project defines itself (not as overrides of manim's)."""
    return frozenset(use.name for path in PROJECT_FILES for use in uses(path) if use.defines and not use.given_by_manim())


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(PROJECT_ROOT)}:{line}"


# private names reached outside internals on purpose, by file, and why
NOT_MANIMS = {
    ("gradlesson/render.py", "_exit"): "os._exit: how a forked render job ends without running its parent's cleanup",
    ("scenes/toolkit/narration.py", "_AnimationBuilder"): "manim's type of mobject.animate, imported for the type checker only",
}


def test_only_the_internals_package_touches_manims_internals() -> None:
    """Outside ``scenes/toolkit/internals/``, nothing reaches a name its header lists as touched, or a private name
    (``_name``) that is not the project's own, nor one that manim gives a project class by inheritance."""
    listed, own = header_touches(), project_names()
    touches = [
        (path.relative_to(PROJECT_ROOT).as_posix(), use) for path in OUTSIDE for use in uses(path) if touches_manim(use, listed, own)
    ]
    unexplained = [f"{file}:{use.line} {use.name}" for file, use in touches if (file, use.name) not in NOT_MANIMS]
    assert not unexplained, f"move these into {INTERNALS.relative_to(PROJECT_ROOT)}/ and list them in its header: {unexplained}"
    assert {(file, use.name) for file, use in touches} >= NOT_MANIMS.keys(), "NOT_MANIMS lists only what the code reaches"


def test_the_internals_header_lists_exactly_what_the_package_touches() -> None:
    private = {use.name for path in INSIDE for use in uses(path) if touches_manim(use, set(), project_names())}  # listed: none
    assert {"_font_size", "_string_to_mob", "_get_num_string"} <= private  # the reader sees them
    assert private <= header_touches(), f"list these in the header as ``Owner.name``: {sorted(private - header_touches())}"
    stale = header_touches() - {use.name for path in INSIDE for use in uses(path)}
    assert not stale, f"the header lists {sorted(stale)}, which the package no longer touches"


# What the code outside internals may set on a manim object, and why; anything else is set in internals. The test
# checks that manim gives none of the lesson's own names to the object's class, and that internals lists none of them.
SET_ON_MANIM_OBJECTS = {
    "points": "Mobject's documented attribute (its docstring's Attributes), assigned as set_points does",
    # the lesson's own names for what it hangs on the object it describes, read back by the lesson only
    "tick_labels": "an axes' tick numbers (builders.edge_axes, loss_curves.loss_axes)",
    "x_ticks": "the ticks builders.edge_axes drew",
    "y_ticks": "the ticks builders.edge_axes drew",
    "m_ticks": "the ticks planes.plane_axes chose, for planes.plot_frame",
    "b_ticks": "the ticks planes.plane_axes chose, for planes.plot_frame",
    "k_ticks": "the step ticks race.log_axes drew",
    "shown": "the tick numbers builders.thin_labels kept visible",
    "numbers": "planes.plot_frame's tick numbers",
    "visible_y_axis": "the loss axis loss_curves.loss_axes draws at the left edge",
    "loss_labels": "loss_curves.loss_axes' loss tick numbers",
    "cells": "the grid cell of each face of surface.loss_surface",
    "viridis": "the unshaded colour of each face of surface.loss_surface",
}


def scopes(tree: ast.Module) -> dict[ast.AST, list[ast.AST]]:
    """Each function, lambda, class and the module, with the nodes of its own code (not of those it defines)."""
    found: dict[ast.AST, list[ast.AST]] = {tree: []}

    def visit(node: ast.AST, scope: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            found[scope].append(child)
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
                found[child] = []
                visit(child, child)
            else:
                visit(child, scope)

    visit(tree, tree)
    return found


def made_by(function: ast.expr, names: Mapping[str, object]) -> object:
    """The class of what calling ``function`` makes: the class called, or what a function is annotated to return."""
    made = resolve(function, names)
    returned = made.__annotations__.get("return") if inspect.isfunction(made) else made
    return resolve(ast.parse(returned, mode="eval").body, made.__globals__) if isinstance(returned, str) else returned


def set_on_manim_objects(path: Path) -> Iterator[tuple[int, type, str]]:
    """(line, class, name) for each attribute ``path`` sets or deletes on what the file shows to be a manim object (an
    instance of a manim class or subclass): a parameter annotated with the class, or a variable that the same
    function (or module) binds to a call of the class or of a function annotated to return it."""
    for scope, code in scopes(parsed(path)).items():
        calls = [(node.lineno, call) for node in code if (call := named_attribute(node))]
        stored = [(line, call.target, call.name) for line, call in calls if call.function in ("setattr", "delattr")]
        stored += [
            (node.lineno, node.value, node.attr) for node in code if isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load)
        ]
        if not any(isinstance(owner, ast.Name) for _, owner, _ in stored):
            continue
        names = namespace(path)
        arguments = getattr(scope, "args", None)
        kinds = {arg.arg: resolve(arg.annotation, names) for arg in (ast.walk(arguments) if arguments else ()) if isinstance(arg, ast.arg)}
        for node in code:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                kinds |= {target.id: made_by(node.value.func, names) for target in node.targets if isinstance(target, ast.Name)}
        for line, owner, name in stored:
            kind = kinds.get(owner.id) if isinstance(owner, ast.Name) else None
            if is_manims(kind):
                yield line, cast(type, kind), name


def test_outside_internals_only_points_and_the_lessons_own_names_are_set_on_manim_objects() -> None:
    """Attributes set on a manim object outside internals, where the code shows it is one, are those listed in
    :data:`SET_ON_MANIM_OBJECTS`: not ``depth_anchor``, which :class:`DepthCamera` reads, nor anything manim defines."""
    found = [(where(path, line), cls, name) for path in SCENES for line, cls, name in set_on_manim_objects(path)]
    stray = [f"{at} {cls.__name__}.{name}" for at, cls, name in found if name not in SET_ON_MANIM_OBJECTS]
    assert not stray, f"set these in {INTERNALS.relative_to(PROJECT_ROOT)}/ (as anchor_depth does), or list them above: {stray}"
    clashes = [
        f"{at} {cls.__name__}.{name}" for at, cls, name in found if name != "points" and name in manim_defines(cls) | header_touches()
    ]
    assert not clashes, f"manim, or internals, uses these names itself: {clashes}"
    assert {name for *_, name in found} == set(SET_ON_MANIM_OBJECTS), "SET_ON_MANIM_OBJECTS lists only what the code sets"
