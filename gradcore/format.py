"""The lesson's one number format, shared by the scenes and their tests."""

from __future__ import annotations

__all__ = ["fmt", "fmt_full"]


def fmt(value: float, digits: int = 2) -> str:
    """Fixed point with ``digits`` decimals, never "-0.00" (ASCII "-": TeX math typesets it as a minus sign)."""
    text = f"{value:.{digits}f}"
    if float(text) == 0:
        text = f"{0.0:.{digits}f}"
    return text


def fmt_full(value: float) -> str:
    """Every digit Python prints (shortest round-trip), as the seed notebook printed its results."""
    return repr(float(value))
