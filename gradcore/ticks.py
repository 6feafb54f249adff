"""One tick picker for every axis of the lesson: 4 to 10 round ticks over any range, at any scale.

Ticks are the multiples of a round step (1, 2 or 5 × 10^k) inside the range: the smallest such step
that gives at most :data:`MAX_TICKS` ticks gives at least :data:`MIN_TICKS` (the next smaller step
gave more than 10, and steps grow at most 2.5× at a time), so the number of tick labels is bounded
by construction. Labels of large or small ticks are scaled: the axis name carries ``×10^p`` (p a
multiple of 3) and the labels show ``tick / 10^p`` (``price (×10³)``: 200, 300, 400).

:func:`nice_number` is the lesson's one rounding to a round number: tick steps, contour band widths
(:func:`gradcore.landscape.contour_levels`) and derived settings (:mod:`gradcore.advice`) all use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gradcore.format import NumberFormat, superscript

__all__ = ["MAX_TICKS", "MIN_TICKS", "ROUND", "Ticks", "nice_number", "nice_ticks", "padded_ticks", "ticks_on"]

MIN_TICKS = 4
MAX_TICKS = 10
ROUND = (1.0, 2.0, 5.0)  # the mantissas of a round number: 1, 2 or 5 × 10^k
SCALE_ABOVE = 1e4  # tick labels from this size up are scaled (×10³, ×10⁶, …)
SCALE_BELOW = 1e-2  # ... and below this one (×10⁻³, …)


@dataclass(frozen=True)
class Ticks:
    """Round ticks ``values`` (``step`` apart) inside ``[lo, hi]``; labels show ``value / 10^power``
    with ``decimals`` decimals."""

    lo: float
    hi: float
    values: np.ndarray
    step: float
    power: int
    decimals: int

    @property
    def scaled(self) -> np.ndarray:
        """The numbers the labels show."""
        return self.values / 10.0**self.power

    @property
    def format(self) -> NumberFormat:
        return NumberFormat(self.decimals)

    def labels(self) -> list[str]:
        """Plain-text labels (``−20``, ``1,500``, ``0.5``)."""
        return [self.format.text(v) for v in self.scaled]

    def name(self, base: str) -> str:
        """An axis name with the scale: ``price`` → ``price (×10³)``."""
        return base if self.power == 0 else f"{base} (×10{superscript(self.power)})"

    def tex_name(self, base: str) -> str:
        """The TeX of :meth:`name`: ``base`` is the project's own TeX (never a lesson file's text)."""
        return base if self.power == 0 else rf"{base}\ (\times 10^{{{self.power}}})"


def _power(size: float) -> int:
    if size == 0 or SCALE_BELOW <= size < SCALE_ABOVE:
        return 0
    return 3 * math.floor(math.log10(size) / 3)


def nice_number(value: float, down: bool = False, mantissas: tuple[float, ...] = ROUND) -> float:
    """The smallest round number ``a × 10^k`` at least ``value`` (finite, > 0), ``a`` one of ``mantissas`` (in
    [1, 10)): 7 → 10, 0.3 → 0.5; with ``down`` the largest at most ``value``: 7 → 5, 0.0123 → 0.01. A number
    within 10⁻¹² of ``value`` (relative) counts as equal to it. Exact in decimal: ``float("3e-1")`` is 0.3,
    where ``3 * 0.1`` is 0.30000000000000004."""
    k = math.floor(math.log10(value))
    # every a × 10^e for e = k − 1 … k + 1: log10 may round across a power of ten
    candidates = [float(f"{a}e{e}") for e in (k - 1, k, k + 1) for a in mantissas]
    if down:
        return max(c for c in candidates if c <= value * (1 + 1e-12))
    return min(c for c in candidates if c >= value * (1 - 1e-12))


def nice_ticks(lo: float, hi: float, integer: bool = False) -> Ticks:
    """Round ticks inside ``[lo, hi]`` (finite, ``lo < hi``): 4 to 10 of them; steps of whole numbers
    at least 1 if ``integer`` (step counts, powers of ten on a log axis), which may give fewer than 4
    over a range shorter than 3."""
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"ticks need a finite range with lo < hi, got [{lo}, {hi}]")
    step = nice_number((hi - lo) / (MAX_TICKS + 1))  # any smaller step gives more than MAX_TICKS ticks
    if integer:
        step = max(step, 1.0)
    while math.floor(hi / step + 1e-9) - math.ceil(lo / step - 1e-9) + 1 > MAX_TICKS:
        step = nice_number(1.5 * step)  # the next round step: 1, 2 and 5 are 2 to 2.5× apart
    return ticks_on(lo, hi, step)


def padded_ticks(values: np.ndarray, margin: float = 0.08, keep_zero: bool = True) -> Ticks:
    """Ticks for an axis showing ``values``: their range widened by ``margin`` of its span on each side
    (not across 0 when ``keep_zero``), then rounded out to the ticks' step, so the axis ends on ticks.
    A single value gets a range of ±1 (or ±10 % of its size) around it."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    v_lo, v_hi = float(finite.min()), float(finite.max())
    if not v_hi > v_lo:
        half = max(abs(v_lo) * 0.1, 1.0) if v_lo != 0 else 1.0
        v_lo, v_hi = v_lo - half, v_hi + half
    pad = margin * (v_hi - v_lo)
    lo = v_lo - pad if not keep_zero or v_lo < 0 or v_lo - pad >= 0 else 0.0
    hi = v_hi + pad if not keep_zero or v_hi > 0 or v_hi + pad <= 0 else 0.0
    while True:  # round out to the step; a step that then gives too many ticks makes way for the next
        step = nice_ticks(lo, hi).step
        lo, hi = math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step
        ticks = ticks_on(lo, hi, step)
        if len(ticks.values) <= MAX_TICKS:
            return ticks


def ticks_on(lo: float, hi: float, step: float) -> Ticks:
    """The ticks of ``[lo, hi]`` at a given round ``step`` (labels scaled as :func:`nice_ticks` does)."""
    first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    values = np.arange(first, last + 1) * step
    values[np.abs(values) < step * 1e-9] = 0.0
    size = float(np.max(np.abs(values))) if len(values) else 0.0
    power = _power(size)
    decimals = max(0, -math.floor(math.log10(step / 10.0**power) + 1e-9))
    return Ticks(lo, hi, values, step, power, decimals)
