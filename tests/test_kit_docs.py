"""The kit's deck (lesson.pptx) and handout (handout.pdf), built from the synthetic kit: what a lecturer opens and a
student prints. No manim render: ffmpeg's test pictures stand in for the clips."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import SAMPLE_KIT_GROUP
from pptx import Presentation
from pptx.oxml.ns import qn

from gradcore.format import num
from gradlesson.kit.handout import write_handout
from gradlesson.kit.manifest import KitManifest
from gradlesson.kit.slides import notes_text, write_pptx

P14_MEDIA = "{http://schemas.microsoft.com/office/powerpoint/2010/main}media"
R_EMBED, R_LINK = qn("r:embed"), qn("r:link")
# Typst markup, code, maths, labels, references and comments: each must print as written.
pytestmark = SAMPLE_KIT_GROUP  # the sample kit is made once a run (conftest.sample_kit)
INJECTION = '#panic("x") *bold* $x$ <a> @ref // comment'
TYPST_ATTACKS = [INJECTION, '#read("/etc/hostname")', "_under_ `raw` \\ back", "= Heading", "- item", "] #{ 1 + 1 } [", "/* open"]


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory, sample_kit) -> tuple[Path, KitManifest]:
    folder = tmp_path_factory.mktemp("kit")
    return folder, sample_kit(folder)


@pytest.fixture(scope="module")
def deck(kit: tuple[Path, KitManifest]) -> Path:
    folder, manifest = kit
    return write_pptx(folder, manifest, folder / manifest.files["pptx"])


def _words(text: str) -> str:
    """Whitespace normalised, and Typst's line-break hyphens undone, for comparing text pulled from a PDF."""
    return re.sub(r"\s+", " ", text.replace("-\n", "-")).strip()


def _pdftotext(pdf: Path) -> str:
    assert shutil.which("pdftotext"), "pdftotext (Debian poppler-utils, in scripts/setup.sh) is missing"
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]


def test_the_deck_has_a_title_slide_then_one_slide_per_step(deck: Path, kit: tuple[Path, KitManifest]) -> None:
    _, manifest = kit
    slides = list(Presentation(str(deck)).slides)
    assert len(slides) == 1 + len(manifest.steps)
    title = " ".join(shape.text_frame.text for shape in slides[0].shapes if shape.has_text_frame)
    assert manifest.lesson.title in title and "4 steps in 2 beats" in title


def test_each_step_slide_plays_its_own_clip_from_its_first_frame_when_it_opens(deck: Path, kit: tuple[Path, KitManifest]) -> None:
    folder, manifest = kit
    slides = list(Presentation(str(deck)).slides)[1:]
    for slide, (_, step) in zip(slides, manifest.steps, strict=True):
        sld = slide.element
        movies = [pic for pic in sld.iter(qn("p:pic")) if pic.find(f".//{qn('a:videoFile')}") is not None]
        assert len(movies) == 1, step.stem
        movie = movies[0]
        spid = int(movie.find(f".//{qn('p:cNvPr')}").get("id"))
        media = movie.find(f".//{P14_MEDIA}")
        assert media is not None
        assert slide.part.related_part(media.get(R_EMBED)).blob == (folder / step.video).read_bytes()
        assert slide.part.related_part(movie.find(f".//{qn('a:videoFile')}").get(R_LINK)).blob == (folder / step.video).read_bytes()
        poster = slide.part.related_part(movie.find(f".//{qn('a:blip')}").get(R_EMBED))
        assert poster.blob == (folder / step.first).read_bytes()
        # "Start: Automatically": an afterEffect playFrom(0.0) on the movie, begun with the main sequence
        timing = sld.find(qn("p:timing"))
        assert timing is not None and len(sld.findall(qn("p:timing"))) == 1
        calls = [cmd for cmd in timing.iter(qn("p:cmd")) if cmd.get("cmd") == "playFrom(0.0)"]
        assert len(calls) == 1
        assert int(calls[0].find(f".//{qn('p:spTgt')}").get("spid")) == spid
        effect = next(node for node in calls[0].iterancestors(qn("p:cTn")) if node.get("presetClass") == "mediacall")
        assert effect.get("nodeType") == "afterEffect"
        begins = [c for c in timing.iter(qn("p:cond")) if c.get("evt") == "onBegin"]
        main = next(c for c in timing.iter(qn("p:cTn")) if c.get("nodeType") == "mainSeq")
        assert [c.find(qn("p:tn")).get("val") for c in begins] == [main.get("id")]
        nodes = list(timing.iter(qn("p:cMediaNode")))
        assert len(nodes) == 1 and int(nodes[0].find(f".//{qn('p:spTgt')}").get("spid")) == spid
        ids = [c.get("id") for c in timing.iter(qn("p:cTn"))]
        assert len(ids) == len(set(ids))
        # full slide at the clip's aspect ratio
        shape = next(s for s in slide.shapes if s.shape_id == spid)
        assert shape.width == deck_width(deck) and abs(shape.width / shape.height - manifest.lesson.width / manifest.lesson.height) < 1e-3


def deck_width(deck: Path) -> int:
    return int(Presentation(str(deck)).slide_width)


def test_the_notes_say_where_the_step_is_its_narration_and_numbers(deck: Path, kit: tuple[Path, KitManifest]) -> None:
    _, manifest = kit
    slides = list(Presentation(str(deck)).slides)[1:]
    for slide, (beat, step) in zip(slides, manifest.steps, strict=True):
        notes = slide.notes_slide.notes_text_frame.text
        assert step.narration in notes
        assert f"Beat {beat.number}: {beat.title} · step {step.number} of {len(beat.steps)}" in notes
    beat, step = manifest.steps[-1]
    step = dataclasses.replace(step, numbers={"b": "−29.82", "m": "5.012"})
    assert notes_text(beat, step).endswith("\n\nb: −29.82\nm: 5.012")


def test_every_slide_is_black(deck: Path) -> None:
    for slide in Presentation(str(deck)).slides:
        assert str(slide.background.fill.fore_color.rgb) == "000000"


def test_the_handout_holds_every_narration_and_the_descents_numbers(kit: tuple[Path, KitManifest]) -> None:
    folder, manifest = kit
    pdf = write_handout(folder, manifest, folder / manifest.files["handout"])
    assert 1 <= _pages(pdf) <= 2 + len(manifest.steps) // 2
    text = _words(_pdftotext(pdf))
    for beat, step in manifest.steps:
        assert _words(step.narration) in text, step.narration
        assert beat.title in text
    descent = manifest.numbers["descent"]
    assert num(descent["b"]) == "−29.82" and num(descent["m"]) == "5.012"
    for value in (descent["m"], descent["b"], descent["loss"], *(manifest.numbers["optimum"][k] for k in "mb")):
        assert num(value) in text
    assert "The lesson's numbers" in text and "step 61" in text and "Adam" in text


def test_a_racer_that_diverged_says_where(kit: tuple[Path, KitManifest], tmp_path: Path) -> None:
    folder, manifest = kit
    race = [
        *manifest.numbers["race"],
        {"label": "Too fast", "optimizer": "gd", "lr": 0.5, "loss": float("inf"), "first_within": None, "diverged_at": 7},
    ]
    manifest = dataclasses.replace(manifest, numbers={**manifest.numbers, "race": race})
    text = _words(_pdftotext(write_handout(folder, manifest, tmp_path / "handout.pdf")))
    assert "Too fast" in text and "diverged at step 7" in text


def test_the_lecturers_text_is_never_typst_markup(kit: tuple[Path, KitManifest], tmp_path: Path) -> None:
    folder, manifest = kit
    attacks = iter(TYPST_ATTACKS)
    beats = tuple(
        dataclasses.replace(
            beat, title=f"{beat.title} {next(attacks)}", steps=tuple(dataclasses.replace(s, narration=next(attacks)) for s in beat.steps)
        )
        for beat in manifest.beats
    )
    lesson = dataclasses.replace(manifest.lesson, title=f"Gradients {next(attacks)}")
    hostile = dataclasses.replace(manifest, beats=beats, lesson=lesson)
    pdf = write_handout(folder, hostile, tmp_path / "handout.pdf")
    text = _words(_pdftotext(pdf))
    assert _words(INJECTION) in text
    for beat, step in hostile.steps:
        assert _words(step.narration) in text and _words(beat.title) in text
    assert _words(lesson.title) in text
    assert "Heading" in text and "= Heading" in text


def test_each_file_is_written_whole_and_leaves_nothing_beside_it(deck: Path, kit: tuple[Path, KitManifest]) -> None:
    folder, manifest = kit
    write_handout(folder, manifest, folder / manifest.files["handout"])
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]  # no temporary file left beside them
    assert deck.read_bytes()[:2] == b"PK" and (folder / manifest.files["handout"]).read_bytes()[:5] == b"%PDF-"
