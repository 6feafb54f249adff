"""The kit's ``handout.pdf``: lecture notes to print, compiled offline by Typst from ``handout.typ``.

The lecturer's text (titles, narration) and the numbers (written by :mod:`gradcore.format`) reach Typst as one
JSON document in ``sys.inputs``, never as Typst source: a narration like ``#panic("x") *bold*`` prints as written.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
from pathlib import Path
from typing import Any

import typst
from PIL import Image

from gradcore.format import num, setting
from gradlesson.kit.manifest import KitBeat, KitManifest, KitStep
from gradlesson.video import replace_atomically

__all__ = ["TEMPLATE", "handout_data", "numbers_section", "race_row", "write_handout"]

TEMPLATE = Path(__file__).with_name("handout.typ")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _rooted(path: str) -> str:
    """A kit path as Typst reads it: from the compile's root, the kit folder."""
    return "/" + path.lstrip("/")


def _step(beat: KitBeat, step: KitStep) -> dict[str, Any]:
    return {
        "image": _rooted(step.last),
        "label": f"Step {step.number} of {len(beat.steps)}",
        "narration": step.narration,
        "numbers": [f"{name}: {value}" for name, value in step.numbers.items()],
    }


def race_row(runner: dict[str, Any]) -> list[str]:
    """A racer as the handout's table shows it: label, optimizer, lr, final loss, when it came within tolerance."""
    loss = float(runner["loss"]) if runner.get("loss") is not None else math.nan
    if runner.get("diverged_at") is not None:
        within = f"diverged at step {num(runner['diverged_at'])}"
    elif runner.get("first_within") is not None:
        within = f"step {num(runner['first_within'])}"
    else:
        within = "never"
    return [str(runner["label"]), str(runner["optimizer"]), setting(runner["lr"]), num(loss) if math.isfinite(loss) else "—", within]


def numbers_section(numbers: dict[str, Any]) -> dict[str, Any]:
    """The section "The lesson's numbers": the descent against the least-squares optimum, then the race."""
    descent, optimum = numbers["descent"], numbers["optimum"]
    steps = int(descent["steps"])
    fit_rows = [
        [name, num(descent[key]), num(optimum[key])] for name, key in (("m (slope)", "m"), ("b (intercept)", "b"), ("loss", "loss"))
    ]
    return {
        "heading": "The lesson's numbers",
        "intro": f"Gradient descent ({descent['optimizer']}) after {_plural(steps, 'step')}, against the least-squares optimum (m*, b*):",
        "fit": {"header": ["", f"after {_plural(steps, 'step')}", "optimum"], "align": ["left", "right", "right"], "rows": fit_rows},
        "race": {
            "heading": "The race",
            "header": ["Runner", "Optimizer", "lr", "Final loss", "Within tolerance"],
            "align": ["left", "left", "right", "right", "left"],
            "rows": [race_row(runner) for runner in numbers.get("race", [])],
        },
    }


def handout_data(manifest: KitManifest) -> dict[str, Any]:
    """Everything the template shows, as plain JSON data."""
    lesson = manifest.lesson
    steps, beats = len(manifest.steps), len(manifest.beats)
    return {
        "title": lesson.title,
        "subtitle": f"Lecture notes · {_plural(steps, 'step')} in {_plural(beats, 'beat')} · {num(lesson.duration, 3)} s of video",
        "beats": [
            {
                "heading": f"{beat.number}. {beat.title}",
                "steps": [_step(beat, step) for step in beat.steps],
                "formulas": [_rooted(svg) for svg in beat.formula_svgs],
            }
            for beat in manifest.beats
        ],
        "numbers": numbers_section(manifest.numbers),
    }


PRINT_WIDTH = 800  # pixels of a still in the handout: 8 cm wide at about 250 dpi


def _print_stills(kit: Path, manifest: KitManifest, folder: str) -> KitManifest:
    """``manifest`` with each step's last frame as a JPEG at most :data:`PRINT_WIDTH` wide in ``kit/folder``: a
    1080p kit's PNG stills would make the handout tens of MB for no visible gain on paper."""
    (kit / folder).mkdir(exist_ok=True)
    beats = []
    for beat in manifest.beats:
        steps = []
        for step in beat.steps:
            still = Image.open(kit / step.last).convert("RGB")
            if still.width > PRINT_WIDTH:
                still = still.resize((PRINT_WIDTH, round(still.height * PRINT_WIDTH / still.width)), Image.Resampling.LANCZOS)
            small = f"{folder}/{beat.number:02d}-{step.number:02d}.jpg"
            still.save(kit / small, quality=88)
            steps.append(dataclasses.replace(step, last=small))
        beats.append(dataclasses.replace(beat, steps=tuple(steps)))
    return dataclasses.replace(manifest, beats=tuple(beats))


def write_handout(kit: Path, manifest: KitManifest, target: Path) -> Path:
    """Compile the handout of the kit at ``kit`` (its last-frame stills, made print-sized, and formula SVGs) to
    ``target``; return it."""
    stills = f".handout-stills-{os.getpid()}"
    try:
        data = json.dumps(handout_data(_print_stills(kit, manifest, stills)), ensure_ascii=False)
        # the stub's one TypeVar ties the input's type to the root's: source bytes with a root path is what it runs
        pdf = typst.compile(TEMPLATE.read_bytes(), root=str(kit), sys_inputs={"data": data}, ignore_system_fonts=True)  # type: ignore[type-var]
    finally:
        shutil.rmtree(kit / stills, ignore_errors=True)
    replace_atomically(target, lambda tmp: tmp.write_bytes(pdf))
    return target
