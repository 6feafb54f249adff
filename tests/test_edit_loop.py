"""The edit loop: a beat is rendered again only when something it draws changed (its code, or the parts
of the lesson it read), so editing the lesson file's [[race]] leaves every other beat cached."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import build, gradlesson

from gradcore.lessonfile import DEFAULT_LESSON_FILE

pytestmark = pytest.mark.render

BEATS = ("FittedLine", "DatasetAndModel")


def own_tex(media: Path) -> dict[str, str]:
    """The environment with ``$GRADLESSON_TEX_CACHE`` beside ``media``: a copy of the tests' pool (conftest), made
    once, which the test may damage."""
    folder = media.parent / "tex"
    if not folder.exists():
        shutil.copytree(os.environ["GRADLESSON_TEX_CACHE"], folder, ignore=lambda _, names: [n for n in names if not n.endswith(".svg")])
    return {**os.environ, "GRADLESSON_TEX_CACHE": str(folder)}


def render(lesson: Path, media: Path) -> dict[str, str]:
    """Render :data:`BEATS` as drafts, with a TeX cache of the test's own (it damages it); each beat's line, by
    beat name."""
    result = gradlesson("render", *BEATS, "-q", "d", "--out", str(media), "--lesson", str(lesson), env=own_tex(media))
    assert result.returncode == 0, result.stderr
    return {name: next(line for line in result.stdout.splitlines() if f"/{name}.mp4" in line) for name in BEATS}


def formulas_drawn(beat: str, lesson: Path, tex: Path, media: Path) -> list[Path]:
    """The SVG of every formula ``beat`` draws for ``lesson``, in the TeX folder ``tex``, in the order it asks for
    them: the beat built here (skip_animations) while MathTex's requests are recorded."""
    from manim import config
    from manim.mobject.text import tex_mobject

    asked = tex_mobject.tex_to_svg_file
    drawn: list[Path] = []

    def recording(*args: object, **kwargs: object) -> Path:
        drawn.append(asked(*args, **kwargs))
        return drawn[-1]

    saved = config.tex_dir
    config.tex_dir = str(tex)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(tex_mobject, "tex_to_svg_file", recording)
            build(beat, media, lesson)
    finally:
        config.tex_dir = saved
    return list(dict.fromkeys(drawn))


def test_editing_the_race_or_the_descent_re_renders_only_the_beats_that_draw_it(tmp_path: Path) -> None:
    lesson, media = tmp_path / "lesson.toml", tmp_path / "media"
    seed = DEFAULT_LESSON_FILE.read_text()
    lesson.write_text(seed)
    first = render(lesson, media)
    assert not any("(cached)" in line for line in first.values())
    reads = {key.split("/")[0]: set(entry["reads"]) for key, entry in json.loads((media / "cache" / "renders.json").read_text()).items()}
    assert "descent" in reads["FittedLine"] and "candidates" in reads["DatasetAndModel"]
    assert not any("race" in name for names in reads.values() for name in names)

    lesson.write_text(seed.replace('label = "Adam"\noptimizer = "adam"\nlr = 1.0', 'label = "Adam, faster"\noptimizer = "adam"\nlr = 2.0'))
    assert lesson.read_text() != seed
    assert all("(cached)" in line for line in render(lesson, media).values())

    lesson.write_text(lesson.read_text().replace("steps = 100\n", "steps = 90\n", 1))
    again = render(lesson, media)
    assert "(cached)" not in again["FittedLine"] and "(cached)" in again["DatasetAndModel"]

    # a formula's SVG cut short (a disk that filled up, a cache from before formulas appeared whole) is compiled
    # again, not reused and failed on: three of the formulas FittedLine draws, found by building it here
    lesson.write_text(lesson.read_text().replace("steps = 90\n", "steps = 80\n", 1))
    drawn = formulas_drawn("FittedLine", lesson, media.parent / "tex", tmp_path / "build")
    assert len(drawn) >= 3 and all(svg.parent == media.parent / "tex" for svg in drawn)
    for svg in drawn[:3]:
        svg.write_text(svg.read_text()[:50])
    result = gradlesson("render", "FittedLine", "-q", "d", "--out", str(media), "--lesson", str(lesson), env=own_tex(media))
    assert result.returncode == 0, result.stderr
    assert (result.stdout + result.stderr).count("was damaged; compiling that formula again") == 3
    assert "(cached)" not in result.stdout
    for svg in drawn[:3]:
        ElementTree.parse(svg)  # compiled again, whole
