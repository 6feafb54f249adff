"""What the lesson needs on this machine, and the one-line fix for each missing piece."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import ModuleType

__all__ = ["CHECKS", "Check", "Result", "missing", "run_checks"]

SETUP_FIX = "run `make setup` in the project folder"


@dataclass(frozen=True)
class Result:
    ok: bool
    detail: str


@dataclass(frozen=True)
class Check:
    name: str
    probe: Callable[[], Result]
    fix: str


def _python() -> Result:
    v = sys.version_info
    return Result(v >= (3, 11), f"{v.major}.{v.minor}.{v.micro}")


def _manim() -> Result:
    try:
        version = metadata.version("manim")
    except metadata.PackageNotFoundError:
        return Result(False, "not installed")
    major, minor = (int(p) for p in version.split(".")[:2])
    return Result((major, minor) == (0, 22), version)


def _module(name: str, version: Callable[[ModuleType], str]) -> Callable[[], Result]:
    def probe() -> Result:
        try:
            module = importlib.import_module(name)
        except ImportError as error:
            return Result(False, f"cannot import {name}: {error}")
        return Result(True, version(module))

    return probe


def _program(name: str) -> Callable[[], Result]:
    def probe() -> Result:
        path = shutil.which(name)
        return Result(path is not None, path or "not on PATH")

    return probe


# A formula as manim's default template sets it (standalone, amsmath, amssymb): what every beat's TeX needs.
PROBE_TEX = r"""\documentclass[preview]{standalone}
\usepackage[english]{babel}
\usepackage{amsmath}
\usepackage{amssymb}
\begin{document}
\begin{align*}
\frac{\partial L}{\partial m} = -2 \sum x_i (y_i - (m x_i + b))
\end{align*}
\end{document}
"""


def _tex() -> Result:
    """``latex`` on PATH that compiles :data:`PROBE_TEX`, and ``dvisvgm`` that turns its DVI into an SVG: a
    ``latex`` that is present but broken (missing packages, a wrapper that exits 1) fails here, not mid-render."""
    latex, dvisvgm = shutil.which("latex"), shutil.which("dvisvgm")
    if latex is None:
        return Result(False, "latex not on PATH")
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "probe.tex").write_text(PROBE_TEX)
        try:
            run = subprocess.run(
                [latex, "-interaction=batchmode", "-halt-on-error", "probe.tex"], cwd=folder, capture_output=True, text=True, timeout=60
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return Result(False, f"{latex} did not run: {error}")
        dvi = Path(folder) / "probe.dvi"
        if run.returncode != 0 or not dvi.is_file():
            log = Path(folder) / "probe.log"
            errors = [line for line in log.read_text(errors="replace").splitlines() if line.startswith("!")] if log.exists() else []
            return Result(False, f"{latex} cannot compile a formula (exit {run.returncode}{': ' + errors[0] if errors else ''})")
        if dvisvgm is not None:
            svg = subprocess.run([dvisvgm, "--no-fonts", "-o", "probe.svg", "probe.dvi"], cwd=folder, capture_output=True, timeout=60)
            if svg.returncode != 0 or not (Path(folder) / "probe.svg").is_file():
                return Result(False, f"{dvisvgm} cannot convert latex's output (exit {svg.returncode})")
    return Result(True, f"{latex} compiles a formula")


CHECKS: tuple[Check, ...] = (
    Check("python", _python, "install Python 3.11 or newer"),
    Check("manim", _manim, "`pip install 'manim>=0.22,<0.23'` in .venv, or " + SETUP_FIX),
    Check("cairo", _module("cairo", lambda m: m.cairo_version_string()), "`apt-get install libcairo2-dev`, then " + SETUP_FIX),
    Check("pango", _module("manimpango", lambda m: m.pango_version()), "`apt-get install libpango1.0-dev`, then " + SETUP_FIX),
    Check(
        "LaTeX",
        _tex,
        "`apt-get install --no-install-recommends texlive-latex-base texlive-latex-recommended texlive-latex-extra`",
    ),
    Check("dvisvgm", _program("dvisvgm"), "`apt-get install --no-install-recommends dvisvgm`"),
    Check("PyAV", _module("av", lambda m: m.__version__), "`pip install av` in .venv, or " + SETUP_FIX),
    Check("ffmpeg", _program("ffmpeg"), "`apt-get install --no-install-recommends ffmpeg`"),
)


def run_checks(checks: tuple[Check, ...] = CHECKS) -> list[tuple[Check, Result]]:
    return [(check, check.probe()) for check in checks]


def missing(names: tuple[str, ...]) -> list[str]:
    """One line per named check that fails: ``"<name> is missing (<detail>); fix: <fix>"``."""
    return [
        f"{check.name} is missing ({result.detail}); fix: {check.fix}"
        for check, result in run_checks(tuple(c for c in CHECKS if c.name in names))
        if not result.ok
    ]
