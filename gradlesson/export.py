"""Write the lesson's numbers for lecture notes and checking: ``descent.csv`` and ``lesson.json``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from gradcore import Lesson
from gradcore.facts import Outcome

__all__ = ["DESCENT_HEADER", "export_lesson"]

DESCENT_HEADER = ("step", "m", "b", "loss", "dL_dm", "dL_db")


def _point(m: float, b: float, loss: float) -> dict[str, float]:
    return {"m": float(m), "b": float(b), "loss": float(loss)}


MEASURE = (
    "converged: the loss at the last step is above the least-squares loss by at most 1% of it "
    "(or 1e-9 of the start's loss when that is larger: a perfect fit has a least loss of 0); diverged: stopped on a non-finite or "
    "exploding loss, or the loss grew for 10 steps in a row to above the start's (diverged_at: the step "
    "where it blew up or began to grow)"
)


def _facts(facts: Outcome) -> dict[str, object]:
    """The core's facts about one run (:mod:`gradcore.facts`), for notes and checks."""
    return {
        "converged": facts.converged,
        "diverged_at": facts.diverged_at,
        "first_within": facts.first_within,
        "excess_loss": facts.excess,
        "tolerance": facts.tolerance,
        "distance_to_optimum": facts.distance,
        "gradient_norm": facts.grad_norm,
        "oscillates": facts.oscillates,
    }


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
            "start": _point(d.m[0], d.b[0], d.loss[0]),
            "lr": spec.lr,
            "grad_scale": list(spec.grad_scale),
            "steps": d.steps,
            "final": _point(d.m[-1], d.b[-1], d.loss[-1]),
            **_facts(lesson.outcome),
        },
        "optimum": _point(lesson.optimum.m, lesson.optimum.b, lesson.optimum.loss),
        "measure": MEASURE,
        "race": [
            {"label": r.entry.label, "optimizer": r.entry.optimizer, "settings": dict(r.entry.settings), **_facts(r.outcome)}
            for r in lesson.race
        ],
        "race_leader": {"runner": lesson.race_leader[0], "first_within": lesson.race_leader[1]},
        "clinic": [{"lr": c.lr, **_facts(c.outcome)} for c in lesson.clinic],
    }
    json_path = out / "lesson.json"
    json_path.write_text(json.dumps(document, indent=2) + "\n")
    return [csv_path, json_path]
