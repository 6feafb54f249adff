"""Write the lesson's numbers for lecture notes and checking: ``descent.csv`` and ``lesson.json``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from gradcore import Lesson

__all__ = ["DESCENT_HEADER", "export_lesson"]

DESCENT_HEADER = ("step", "m", "b", "loss", "dL_dm", "dL_db")


def _point(m: float, b: float, loss: float) -> dict[str, float]:
    return {"m": float(m), "b": float(b), "loss": float(loss)}


def export_lesson(lesson: Lesson, out: Path) -> list[Path]:
    """Write ``out/descent.csv`` (one row per step, shortest round-trip floats) and ``out/lesson.json``."""
    out.mkdir(parents=True, exist_ok=True)
    d = lesson.descent
    csv_path = out / "descent.csv"
    with csv_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(DESCENT_HEADER)
        for k in range(len(d.loss)):
            writer.writerow([k, *(repr(float(v)) for v in (d.m[k], d.b[k], d.loss[k], *d.grad[k]))])
    spec = lesson.config.descent
    document = {
        "dataset": {"x": lesson.dataset.x.tolist(), "y": lesson.dataset.y.tolist()},
        "descent": {
            "start": _point(*d.params[0], d.loss[0]),
            "lr": spec.lr,
            "grad_scale": list(spec.grad_scale),
            "steps": d.steps,
            "final": _point(*d.params[-1], d.loss[-1]),
        },
        "optimum": _point(lesson.optimum.m, lesson.optimum.b, lesson.optimum.loss),
    }
    json_path = out / "lesson.json"
    json_path.write_text(json.dumps(document, indent=2) + "\n")
    return [csv_path, json_path]
