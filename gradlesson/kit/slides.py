"""The kit's ``lesson.pptx``: a title slide, then one slide per narrated step whose clip plays when the slide opens.

python-pptx's ``add_movie`` makes a click-to-play movie; :func:`autoplay_timing` is the slide timing PowerPoint
writes for a video set to "Start: Automatically" (an ``afterEffect`` ``playFrom(0.0)`` call in the main sequence,
begun by the sequence itself, see scanny/python-pptx#427), plus the ``p:video`` media node python-pptx writes.
"""

from __future__ import annotations

from pathlib import Path

import av
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.oxml.xmlchemy import BaseOxmlElement
from pptx.slide import Slide
from pptx.util import Emu, Pt

from gradlesson.kit.manifest import KitBeat, KitManifest, KitStep
from gradlesson.video import replace_atomically

__all__ = ["SLIDE_HEIGHT", "SLIDE_WIDTH", "autoplay_timing", "notes_text", "write_pptx"]

SLIDE_WIDTH, SLIDE_HEIGHT = Emu(12_192_000), Emu(6_858_000)  # 13.333 in × 7.5 in: PowerPoint's 16:9
BLANK_LAYOUT = 6  # "Blank" in python-pptx's default template
BLACK, WHITE, GREY = RGBColor(0, 0, 0), RGBColor(0xFF, 0xFF, 0xFF), RGBColor(0xAA, 0xAA, 0xAA)


def autoplay_timing(spid: int, milliseconds: int) -> BaseOxmlElement:
    """The ``p:timing`` of a slide whose movie (shape ``spid``, ``milliseconds`` long) starts when the slide opens."""
    xml = (
        f"<p:timing {nsdecls('p')}><p:tnLst><p:par>"
        '<p:cTn id="1" dur="indefinite" restart="never" nodeType="tmRoot"><p:childTnLst>'
        '<p:seq concurrent="1" nextAc="seek"><p:cTn id="2" dur="indefinite" nodeType="mainSeq"><p:childTnLst>'
        '<p:par><p:cTn id="3" fill="hold"><p:stCondLst><p:cond delay="indefinite"/>'
        '<p:cond evt="onBegin" delay="0"><p:tn val="2"/></p:cond></p:stCondLst><p:childTnLst>'
        '<p:par><p:cTn id="4" fill="hold"><p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst>'
        '<p:par><p:cTn id="5" presetID="1" presetClass="mediacall" presetSubtype="0" fill="hold" nodeType="afterEffect">'
        '<p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst>'
        f'<p:cmd type="call" cmd="playFrom(0.0)"><p:cBhvr><p:cTn id="6" dur="{milliseconds}" fill="hold"/>'
        f'<p:tgtEl><p:spTgt spid="{spid}"/></p:tgtEl></p:cBhvr></p:cmd>'
        "</p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par>"
        "</p:childTnLst></p:cTn>"
        '<p:prevCondLst><p:cond evt="onPrev" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond></p:prevCondLst>'
        '<p:nextCondLst><p:cond evt="onNext" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond></p:nextCondLst>'
        "</p:seq>"
        '<p:video><p:cMediaNode vol="80000"><p:cTn id="7" fill="hold" display="0">'
        '<p:stCondLst><p:cond delay="indefinite"/></p:stCondLst></p:cTn>'
        f'<p:tgtEl><p:spTgt spid="{spid}"/></p:tgtEl></p:cMediaNode></p:video>'
        "</p:childTnLst></p:cTn></p:par></p:tnLst></p:timing>"
    )
    return parse_xml(xml)


def notes_text(beat: KitBeat, step: KitStep) -> str:
    """The speaker notes of a step's slide: where it is, its narration, then its numbers (``name: value``)."""
    where = f"Beat {beat.number}: {beat.title} · step {step.number} of {len(beat.steps)}"
    numbers = "".join(f"\n{name}: {value}" for name, value in step.numbers.items())
    return f"{where}\n\n{step.narration}" + (f"\n{numbers}" if numbers else "")


def _clip_shape(path: Path) -> tuple[int, int, int]:
    """``(width, height, milliseconds)`` of the clip at ``path``."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        duration = container.duration if container.duration is not None else 0  # in av.time_base (µs)
        return stream.width, stream.height, round(duration / 1000)


def _fit(width: int, height: int) -> tuple[Emu, Emu, Emu, Emu]:
    """``(left, top, width, height)`` of a ``width × height`` picture as large as the slide allows, centred."""
    scale = min(SLIDE_WIDTH / width, SLIDE_HEIGHT / height)
    w, h = Emu(round(width * scale)), Emu(round(height * scale))
    return Emu((SLIDE_WIDTH - w) // 2), Emu((SLIDE_HEIGHT - h) // 2), w, h


def _black(slide: Slide) -> None:
    fill = slide.background.fill
    fill.solid()
    fill.fore_color.rgb = BLACK


def _title_slide(slide: Slide, manifest: KitManifest) -> None:
    _black(slide)
    steps, beats = len(manifest.steps), len(manifest.beats)
    lines = [
        (manifest.lesson.title, Pt(48), WHITE),
        (f"{steps} steps in {beats} beats · {manifest.lesson.height}p{manifest.lesson.fps} (-q {manifest.lesson.quality})", Pt(22), GREY),
    ]
    box = slide.shapes.add_textbox(Emu(SLIDE_WIDTH // 12), Emu(SLIDE_HEIGHT // 3), Emu(SLIDE_WIDTH * 10 // 12), Emu(SLIDE_HEIGHT // 3))
    frame = box.text_frame
    frame.word_wrap = True
    for i, (text, size, colour) in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = text
        run.font.size, run.font.color.rgb = size, colour


def _step_slide(slide: Slide, kit: Path, beat: KitBeat, step: KitStep) -> None:
    _black(slide)
    width, height, milliseconds = _clip_shape(kit / step.video)
    movie = slide.shapes.add_movie(
        str(kit / step.video), *_fit(width, height), poster_frame_image=str(kit / step.first), mime_type="video/mp4"
    )
    movie.name = f"{beat.name} {step.number:02d}-{step.key}"
    sld = slide.element
    for timing in sld.findall(qn("p:timing")):
        sld.remove(timing)
    timing = autoplay_timing(movie.shape_id, milliseconds or round(step.seconds * 1000))
    transition = sld.find(qn("p:transition"))  # p:timing comes after p:transition, before p:extLst
    if transition is not None:
        transition.addnext(timing)
    else:
        sld.find(qn("p:clrMapOvr")).addnext(timing)
    notes = slide.notes_slide.notes_text_frame
    assert notes is not None  # the default template's notes master has a body placeholder
    notes.text = notes_text(beat, step)


def write_pptx(kit: Path, manifest: KitManifest, target: Path) -> Path:
    """Write the deck of the kit at ``kit`` (its clips and first-frame stills) to ``target``; return ``target``."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    deck.core_properties.title = manifest.lesson.title
    layout = deck.slide_layouts[BLANK_LAYOUT]
    _title_slide(deck.slides.add_slide(layout), manifest)
    for beat, step in manifest.steps:
        _step_slide(deck.slides.add_slide(layout), kit, beat, step)
    replace_atomically(target, lambda tmp: deck.save(str(tmp)))
    return target
