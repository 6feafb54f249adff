"""The lesson object carries the seed's ranges and is frozen; the core never imports manim."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pytest

from gradcore import build_lesson


def test_lesson_has_the_seeds_ranges() -> None:
    lesson = build_lesson()
    np.testing.assert_array_equal(lesson.loss_vs_m.values, np.arange(-10, 10.5, 0.5))
    np.testing.assert_array_equal(lesson.loss_vs_b.values, np.arange(-10, 10.5, 0.5))
    assert lesson.loss_vs_m.fixed == 5 and lesson.loss_vs_b.fixed == 5
    np.testing.assert_array_equal(lesson.landscape.m, np.arange(-20, 20, 0.5))
    np.testing.assert_array_equal(lesson.landscape.b, np.arange(-40, 40, 0.5))
    np.testing.assert_array_equal(lesson.field.m, np.arange(-20, 20, 0.5)[::5])
    np.testing.assert_array_equal(lesson.field.b, np.arange(-40, 40, 0.5)[::5])


def test_loss_slices_are_the_seeds_curves() -> None:
    lesson = build_lesson()
    x, y = lesson.dataset.x, lesson.dataset.y
    s = lesson.loss_vs_b
    for b, loss, grad in zip(s.values, s.loss, s.grad, strict=True):
        assert int(loss) == int(np.sum((y - (5 * x + b)) ** 2))
        assert grad == -2 * np.sum(y - (5 * x + b))


def test_lesson_is_frozen() -> None:
    lesson = build_lesson()
    with pytest.raises(dataclasses.FrozenInstanceError):
        lesson.dataset = None  # type: ignore[misc]


def test_core_never_imports_manim() -> None:
    code = "import sys, gradcore; gradcore.build_lesson(); print(sorted(m for m in sys.modules if m.startswith(('manim', 'cairo'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
