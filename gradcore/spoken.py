"""How a line is said: the subtitle's notation (``f'(x) = 3x^2 - 8x + 2``, ``1×10⁻⁴``, ``1,740``) in words.

A speech engine reads text, not mathematics: espeak-ng (whose rules piper uses too) drops an ASCII minus
(``m = -10`` is heard "m equals ten"), a caret, a prime and superscript digits (``10⁻⁴`` is heard "ten"), and a
German voice hears ``1,740`` as "eins Komma sieben vier null". :func:`said` writes those in the lesson's language
(:data:`WORDS`: English and German), so that what is heard is what the subtitle shows. Only the voice gets it; the
subtitles keep the notation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["WORDS", "Words", "said", "words_for"]


@dataclass(frozen=True)
class Words:
    """A language's words for the notation a line may hold, and how it writes a number aloud (``decimal`` mark,
    ``group`` separator: the one a voice of that language reads as thousands, ``""`` for none)."""

    minus: str
    times: str
    power: str  # x^n: "x <power> n"
    squared: str
    cubed: str
    prime: str  # f'(x): "f <prime> <of> x"
    of: str
    decimal: str
    group: str
    functions: Mapping[str, str] = field(default_factory=dict)  # sin(x): "<sine> <of> x"


WORDS = {
    "en": Words(
        "minus", "times", "to the power", "squared", "cubed", "prime", "of", ".", ",",
        {"sin": "sine", "cos": "cosine", "tan": "tangent", "exp": "exp", "log": "log", "ln": "natural log", "sqrt": "square root"},
    ),
    "de": Words(
        "minus", "mal", "hoch", "hoch 2", "hoch 3", "Strich", "von", ",", "",
        {"sin": "Sinus", "cos": "Kosinus", "tan": "Tangens", "exp": "exp", "log": "Logarithmus", "ln": "natürlicher Logarithmus", "sqrt": "Wurzel"},
    ),
}  # fmt: skip

_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\d])")
_SUPERSCRIPT = re.compile(r"(⁻?)([⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
_CARET = re.compile(r"\s*\^\s*([-−]?)\s*(\d+|[A-Za-z]\w*|\([^()]*\))")
_PRIME = re.compile(r"(?<![A-Za-z])([A-Za-z])('+)\(")
_FUNCTION = re.compile(r"(?<![A-Za-z])(sin|cos|tan|exp|log|ln|sqrt)\(")
_APPLIED = re.compile(r"(?<![A-Za-z])([A-Za-z])\(")
_UNARY = re.compile(r"(?:^|(?<=[\s(=,:;]))[-−](?=[\w(.])")
_BINARY = re.compile(r"(?<=\s)[-−](?=\s)")


def words_for(language: str) -> Words | None:
    """The words of ``language`` (a tag: ``de-AT`` takes German's), or None if :data:`WORDS` lacks it."""
    return WORDS.get(language.lower().split("-")[0])


def said(text: str, language: str) -> str:
    """``text`` as a voice should read it in ``language``: numbers in its way, powers, primes, function
    applications and minus signs in its words. ``KeyError`` if :func:`words_for` has none."""
    words = words_for(language)
    if words is None:
        raise KeyError(language)

    def number(match: re.Match[str]) -> str:
        whole = match.group(1).replace(",", words.group)
        return whole + (words.decimal + match.group(2) if match.group(2) else "")

    def power(sign: str, exponent: str) -> str:
        if not sign and exponent in ("2", "3"):
            return f" {words.squared if exponent == '2' else words.cubed} "
        return f" {words.power} {words.minus + ' ' if sign else ''}{exponent} "

    text = _NUMBER.sub(number, text)
    text = _SUPERSCRIPT.sub(lambda m: power(m.group(1), m.group(2).translate(_DIGITS)), text)
    text = _CARET.sub(lambda m: power(m.group(1), m.group(2)), text)
    text = text.replace("×", f" {words.times} ").replace("·", f" {words.times} ")
    text = _PRIME.sub(lambda m: f"{m.group(1)} {' '.join([words.prime] * len(m.group(2)))} {words.of} (", text)
    text = _FUNCTION.sub(lambda m: f"{words.functions[m.group(1)]} {words.of} (", text)
    text = _APPLIED.sub(lambda m: f"{m.group(1)} {words.of} (", text)
    text = _UNARY.sub(f"{words.minus} ", text)
    text = _BINARY.sub(words.minus, text)
    text = text.replace("_", " ")
    return re.sub(r"\s+([,.;:!?])", r"\1", re.sub(r"\s+", " ", text)).strip()


_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
