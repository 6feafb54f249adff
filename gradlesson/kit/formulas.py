"""The beats' formulas as SVG files for the handout: one LaTeX run for all of them, one page per formula, and
dvisvgm turning each page into an SVG of paths (no fonts needed to show it). The formulas are the LaTeX the
beats typeset (the project's own strings and sympy's printing of a checked expression), never user text."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["formula_svgs"]

PREAMBLE = r"""\documentclass{article}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage[active,tightpage]{preview}
\setlength\PreviewBorder{2pt}
\begin{document}
"""


def formula_svgs(formulas: Mapping[str, Sequence[str]], folder: Path) -> dict[str, list[Path]]:
    """``folder/<beat>-NN.svg`` for the NN-th formula of each beat in ``formulas`` (beat name → LaTeX)."""
    folder.mkdir(parents=True, exist_ok=True)
    order = [(beat, n) for beat, texs in formulas.items() for n in range(1, len(texs) + 1)]
    result: dict[str, list[Path]] = {beat: [] for beat in formulas}
    if not order:
        return result
    body = "".join(rf"\begin{{preview}}$\displaystyle {tex}$\end{{preview}}" + "\n" for texs in formulas.values() for tex in texs)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        (work / "formulas.tex").write_text(PREAMBLE + body + "\\end{document}\n", encoding="utf-8")
        latex = subprocess.run(
            ["latex", "-interaction=nonstopmode", "-halt-on-error", "formulas.tex"], cwd=work, capture_output=True, text=True
        )
        if latex.returncode != 0:
            first = next((line for line in latex.stdout.splitlines() if line.startswith("!")), latex.stdout[-200:])
            raise RuntimeError(f"latex failed on the beats' formulas: {first}")
        subprocess.run(
            ["dvisvgm", "--no-fonts", "--exact-bbox", "--page=1-", "--output=page-%3p.svg", "formulas.dvi"],
            cwd=work, capture_output=True, check=True,
        )  # fmt: skip
        for page, (beat, n) in enumerate(order, start=1):
            target = folder / f"{beat}-{n:02d}.svg"
            (work / f"page-{page:03d}.svg").replace(target)
            result[beat].append(target)
    return result
