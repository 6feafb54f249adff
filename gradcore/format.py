"""The lesson's one number format, shared by the picture, the subtitles, the exports and the tests.

A number is written plainly with thousands separators while its size is in ``[10⁻³, 10⁶)``
(``119,701``, ``1.918``, ``0.001``), else as a mantissa and a power of ten (``1.50×10⁹``); never
with more than :data:`MAX_DIGITS` significant digits. :class:`NumberFormat` fixes the decimals (and,
for a scaled quantity, the power) once for a whole series, so that a live readout keeps its width.
Plain text uses the minus sign ``−`` and superscript powers; TeX gets ``-`` (typeset as a minus) and
``{,}`` separators.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "MAX_DIGITS",
    "NumberFormat",
    "fmt",
    "fmt_full",
    "num",
    "number_format",
    "scientific",
    "setting",
    "setting_format",
    "superscript",
    "tex_num",
    "tex_setting",
]

MAX_DIGITS = 6  # significant digits a number on screen may have
PLAIN = (1e-3, 1e6)  # sizes written without a power of ten
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def fmt(value: float, digits: int = 2) -> str:
    """Fixed point with ``digits`` decimals, never "-0.00" (ASCII "-": TeX math typesets it as a minus sign)."""
    text = f"{value:.{digits}f}"
    if float(text) == 0:
        text = f"{0.0:.{digits}f}"
    return text


def fmt_full(value: float) -> str:
    """Every digit Python prints (shortest round-trip), as the seed notebook printed its results."""
    return repr(float(value))


def superscript(exponent: int) -> str:
    """``-3`` → ``⁻³``."""
    return str(exponent).translate(_SUPERSCRIPT)


def scientific(value: float, decimals: int) -> tuple[float, int]:
    """``(mantissa, k)`` with ``value ≈ mantissa · 10^k``, the mantissa rounded to ``decimals`` in [1, 10)
    (Python's ``e`` format does the rounding, down to the smallest subnormal)."""
    if value == 0 or not math.isfinite(value):
        return value, 0
    mantissa, _, k = f"{value:.{decimals}e}".partition("e")
    return float(mantissa), int(k)


def _is_plain(size: float) -> bool:
    return size == 0 or PLAIN[0] <= size < PLAIN[1]


MAX_DECIMALS = 7  # a plain number never has more decimals (a value far below its series' size reads 0.0000000)


def _decimals_for(size: float, digits: int) -> int:
    """Decimals that give ``size`` (> 0) about ``digits`` significant digits, within :data:`MAX_DIGITS` and
    :data:`MAX_DECIMALS`."""
    lead = math.floor(math.log10(size)) + 1  # digits before the point (≤ 0 for sizes below 1)
    return min(max(0, min(digits, MAX_DIGITS) - lead), MAX_DECIMALS)


@dataclass(frozen=True)
class NumberFormat:
    """How one quantity is written: ``decimals`` after the point or, with ``digits``, as many as give each
    value that many significant digits (a live loss keeps its digits as it falls from 119,701 to 33.19);
    if ``scientific``, each value as a mantissa (with ``decimals``) times its own power of ten."""

    decimals: int
    scientific: bool = False
    digits: int | None = None

    def parts(self, value: float) -> tuple[str, int | None]:
        """The mantissa's (or the plain number's) digits with separators and ASCII "-", and the power (None if plain)."""
        value = float(value)
        if self.scientific:
            mantissa, k = scientific(value, self.decimals)
            return _fixed(mantissa, self.decimals, group=False), k
        decimals = self.decimals
        if self.digits is not None and value != 0 and math.isfinite(value):
            decimals = _decimals_for(abs(value), self.digits)
        return _fixed(value, decimals, group=True), None

    def text(self, value: float) -> str:
        """Plain text for subtitles and notes: ``−119,701``, ``1.50×10⁹``."""
        digits, k = self.parts(value)
        digits = digits.replace("-", "−")
        return digits if k is None else f"{digits}×10{superscript(k)}"

    def tex(self, value: float) -> str:
        """TeX math: ``-119{,}701``, ``1.50 \\times 10^{9}``."""
        digits, k = self.parts(value)
        digits = digits.replace(",", "{,}")
        return digits if k is None else rf"{digits} \times 10^{{{k}}}"


def _fixed(value: float, decimals: int, group: bool) -> str:
    text = f"{value:,.{decimals}f}" if group else f"{value:.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        text = f"{0.0:.{decimals}f}"
    return text


def number_format(values: float | Iterable[float], digits: int = 4) -> NumberFormat:
    """The format of a quantity taking ``values``: scientific if its largest finite size is outside
    ``[10⁻³, 10⁶)`` (a mantissa with ``digits`` significant digits), else plain: no decimals if every value
    is whole, else ``digits`` significant digits for each value (at most :data:`MAX_DIGITS`)."""
    numbers = [float(v) for v in ([values] if isinstance(values, int | float) else values)]
    size = max((abs(v) for v in numbers if math.isfinite(v)), default=0.0)
    if not _is_plain(size):
        return NumberFormat(max(0, min(digits, MAX_DIGITS) - 1), scientific=True)
    if all(v.is_integer() for v in numbers if math.isfinite(v)):  # counts and whole settings: no decimals
        return NumberFormat(0)
    if len(numbers) == 1:
        return NumberFormat(_decimals_for(size, digits) if size else 0)
    return NumberFormat(0, digits=digits)


def setting_format(value: float, digits: int = MAX_DIGITS) -> NumberFormat:
    """The format with the fewest digits (up to ``digits``) that writes a setting exactly when it can:
    ``lr = 0.001``, not ``0.001000``; ``2.5×10⁻⁶``; else rounded to ``digits``."""
    value = float(value)
    limit = min(digits, MAX_DIGITS)
    for digits in range(1, limit + 1):
        form = number_format(value, digits)
        mantissa, k = form.parts(value)
        shown = float(mantissa.replace(",", "")) * (10.0**k if k is not None else 1.0)
        if math.isclose(shown, value, rel_tol=1e-9, abs_tol=0.0):
            return form
    return number_format(value, limit)


def num(value: float, digits: int = 4) -> str:
    """``value`` in its own format as plain text (subtitles, notes): ``119,701``, ``1.918``, ``1.502×10⁹``."""
    return number_format(value, digits).text(value)


def tex_num(value: float, digits: int = 4) -> str:
    """``value`` in its own format as TeX math."""
    return number_format(value, digits).tex(value)


def setting(value: float, digits: int = MAX_DIGITS) -> str:
    """A setting (a rate, a start, a candidate line) as plain text in :func:`setting_format`: ``0.001``, ``−15``."""
    return setting_format(value, digits).text(value)


def tex_setting(value: float, digits: int = MAX_DIGITS) -> str:
    """:func:`setting` as TeX math."""
    return setting_format(value, digits).tex(value)
