"""The kit's offline presenter: ``index.html`` (reveal.js; a slide per narrated step, a vertical stack per beat) and its ``assets/``.

The page works from ``file://`` with no server and no network: reveal.js, its notes plugin (the speaker view), the
presenter's own script and styles are copied into ``assets/``; the captions are not read from the ``.vtt`` files at
run time (Chromium refuses ``<track src>`` on a file page) but written into ``assets/captions.js`` as script data.
Narration is user text: it reaches HTML through :func:`html.escape` and script through :func:`script_json`, never raw.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote

from gradlesson.kit.manifest import KitBeat, KitManifest, KitStep

__all__ = ["ASSETS", "WEB", "Cue", "read_vtt", "script_json", "write_presenter"]

WEB = Path(__file__).with_name("web")  # the vendored reveal.js and the presenter's script and styles
ASSETS = "assets"
# what of WEB goes into kit/assets/, and nothing else (reveal.js's LICENSE travels with it)
WEB_FILES = (
    "presenter.js",
    "presenter.css",
    "reveal.js/reveal.js",
    "reveal.js/reveal.css",
    "reveal.js/plugin/notes/notes.js",
    "reveal.js/LICENSE",
)

Cue = tuple[float, float, str]
_TIMING = re.compile(r"^\s*((?:\d+:)?\d{1,2}:\d{2}\.\d{3})\s+-->\s+((?:\d+:)?\d{1,2}:\d{2}\.\d{3})")
# WebVTT's character references (cue text must write & < > as these); anything else stays as written
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&nbsp;": "\u00a0", "&lrm;": "\u200e", "&rlm;": "\u200f"}


def _seconds(stamp: str) -> float:
    parts = [float(p) for p in stamp.split(":")]
    return round(sum(p * 60**i for i, p in enumerate(reversed(parts))), 3)


def read_vtt(path: Path) -> list[Cue]:
    """The cues of the WebVTT file at ``path`` as ``(start, end, text)``, text with its lines joined by ``\\n`` and
    its character references (``&amp;`` ...) decoded; NOTE, STYLE and REGION blocks are left out."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    cues = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = block.strip("\n").split("\n")
        for i, line in enumerate(lines):
            if match := _TIMING.match(line):
                body = "\n".join(lines[i + 1 :])
                body = re.sub("|".join(_ENTITIES), lambda m: _ENTITIES[m.group(0)], body)
                cues.append((_seconds(match.group(1)), _seconds(match.group(2)), body))
                break
    return cues


def script_json(value: object) -> str:
    """``value`` as JSON safe inside a ``<script>`` (or a ``.js`` file a page loads): ``<``, ``>`` and ``&`` written
    as ``\\u003c`` ..., so no text can close the script or open markup, and U+2028/U+2029 escaped too."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _url(path: str) -> str:
    """A kit-relative path as an attribute value: percent-encoded (a ``#`` or space in a name stays a name), then escaped."""
    return html.escape(quote(path, safe="/"), quote=True)


def _cues(kit: Path, captions: str, fallback: Cue) -> list[Cue]:
    vtt = kit / captions
    return (read_vtt(vtt) or [fallback]) if vtt.is_file() else [fallback]


def _step_html(manifest: KitManifest, beat: KitBeat, step: KitStep, index: int) -> str:
    e = html.escape
    total = len(manifest.steps)
    rows = "".join(f"<li>{e(name)}: {e(value)}</li>" for name, value in step.numbers.items())
    numbers = f'<ul class="kit-numbers">{rows}</ul>' if rows else ""
    where = f"Beat {beat.number} of {len(manifest.beats)}: {beat.title} · step {step.number} of {len(beat.steps)} ({index} of {total})"
    return f"""      <section data-step="{index}" data-beat="{beat.number}" data-beat-title="{e(beat.title)}" data-beat-step="{step.number}" data-beat-steps="{len(beat.steps)}" data-stem="{e(step.stem)}" data-start="{step.start}" data-end="{step.end}">
        <video class="kit-clip" src="{_url(step.video)}" poster="{_url(step.first)}" preload="auto" playsinline></video>
        <aside class="notes"><p class="kit-where">{e(where)}</p><p class="kit-narration">{e(step.narration)}</p>{numbers}</aside>
      </section>"""


def _index_html(manifest: KitManifest) -> str:
    e = html.escape
    lesson = manifest.lesson
    first = 1  # the global number of each beat's first step
    stacks = []
    for beat in manifest.beats:
        if not beat.steps:
            continue
        slides = "\n".join(_step_html(manifest, beat, step, first + i) for i, step in enumerate(beat.steps))
        stacks.append(f'    <section data-beat="{beat.number}" data-beat-title="{e(beat.title)}">\n{slides}\n    </section>')
        first += len(beat.steps)
    beats = "\n".join(stacks)
    video = manifest.files.get("video", "lesson.mp4")
    # no request may leave the machine: the policy allows the kit's own files (file:), data: and blob: only
    csp = "default-src file: data: blob: 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'none'"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta http-equiv="Content-Security-Policy" content="{csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{e(lesson.title)}</title>
  <link rel="stylesheet" href="{ASSETS}/reveal.js/reveal.css">
  <link rel="stylesheet" href="{ASSETS}/presenter.css">
</head>
<body data-width="{lesson.width}" data-height="{lesson.height}" style="--kit-aspect: {lesson.width} / {lesson.height}">
  <div class="reveal"><div class="slides">
{beats}
  </div></div>
  <div id="kit-through" hidden><video src="{_url(video)}" preload="none" playsinline controls></video></div>
  <div id="kit-caption" class="kit-empty" aria-live="polite"></div>
  <div id="kit-where" aria-hidden="true"></div>
  <noscript><p class="kit-noscript">This presenter needs JavaScript; the clips are in the beat folders, the whole lesson is {e(video)}.</p></noscript>
  <script src="{ASSETS}/reveal.js/reveal.js"></script>
  <script src="{ASSETS}/reveal.js/plugin/notes/notes.js"></script>
  <script src="{ASSETS}/captions.js"></script>
  <script src="{ASSETS}/presenter.js"></script>
</body>
</html>
"""


def _captions_js(kit: Path, manifest: KitManifest) -> str:
    steps = {step.stem: _cues(kit, step.captions, (0.0, step.seconds, step.narration)) for _, step in manifest.steps}
    lesson_file = kit / manifest.files.get("captions", "lesson.vtt")
    lesson = (read_vtt(lesson_file) if lesson_file.is_file() else []) or [
        (step.start, step.end, step.narration) for _, step in manifest.steps
    ]
    chapters_file = kit / manifest.files.get("chapters", "chapters.vtt")
    chapters = read_vtt(chapters_file) if chapters_file.is_file() else []
    chapters = chapters or [(beat.start, beat.end, beat.title) for beat in manifest.beats]
    data = {"steps": steps, "lesson": lesson, "chapters": chapters}
    return f"// The kit's captions (from its .vtt files), for presenter.js. Written by gradlesson.kit.presenter.\nwindow.KIT_CAPTIONS = {script_json(data)};\n"


def write_presenter(kit: Path, manifest: KitManifest) -> list[Path]:
    """Write ``kit/index.html`` and ``kit/assets/...`` (reveal.js, its notes plugin, presenter.js and .css, captions.js)
    for the kit's clips as ``manifest`` names them; return the files written, relative to ``kit``."""
    written = []
    for name in WEB_FILES:
        target = kit / ASSETS / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(WEB / name, target)
        written.append(Path(ASSETS, name))
    (kit / ASSETS / "captions.js").write_text(_captions_js(kit, manifest), encoding="utf-8")
    written.append(Path(ASSETS, "captions.js"))
    (kit / "index.html").write_text(_index_html(manifest), encoding="utf-8")
    written.append(Path("index.html"))
    return written
