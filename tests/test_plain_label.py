"""Text from a lesson file is set by Pango as plain text (``plain_label``), never by TeX."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TEX_ATTACKS
from manim import MathTex, SingleStringMathTex, Text, tempconfig

from scenes.toolkit.style import DISPLAY_CHARS, LABEL_SIZE, TEXT, display_text, plain_label


def settings(tmp_path: Path) -> dict[str, object]:
    return {"media_dir": str(tmp_path / "media"), "tex_dir": str(tmp_path / "tex"), "verbosity": "WARNING"}


@pytest.mark.parametrize("text", TEX_ATTACKS, ids=[a[:24] for a in TEX_ATTACKS])
def test_plain_label_is_text_and_writes_no_tex(text: str, tmp_path: Path) -> None:
    with tempconfig(settings(tmp_path)):
        label = plain_label(text, LABEL_SIZE, TEXT)
    assert type(label) is Text and not isinstance(label, SingleStringMathTex)
    assert label.original_text == display_text(text)
    assert display_text(text) == (text if len(text) <= DISPLAY_CHARS else text[: DISPLAY_CHARS - 1] + "…")
    tex = tmp_path / "tex"
    assert not tex.exists() or not any(tex.iterdir())


def test_display_text_is_one_line_and_cut() -> None:
    assert display_text("  gradient\n\tdescent\x00 (β = 0.9)\u202e ") == "gradient descent (β = 0.9)"
    long = display_text("x" * 10_000)
    assert len(long) == DISPLAY_CHARS and long.endswith("…")
    assert display_text("y" * DISPLAY_CHARS) == "y" * DISPLAY_CHARS


def test_plain_label_has_the_cap_height_of_mathtex(tmp_path: Path) -> None:
    with tempconfig(settings(tmp_path)):
        for size in (LABEL_SIZE, 40):
            assert plain_label("H", size).height == pytest.approx(MathTex(r"\text{H}", font_size=size).height, rel=0.02)
    assert any((tmp_path / "tex").glob("*.svg"))  # MathTex puts its formulas in the tex_dir these tests watch


def test_plain_label_shrinks_to_its_width(tmp_path: Path) -> None:
    with tempconfig(settings(tmp_path)):
        wide = plain_label("W" * 10_000, max_width=2.0)
        assert wide.original_text == "W" * (DISPLAY_CHARS - 1) + "…"
        assert wide.width == pytest.approx(2.0)
        assert plain_label("Adam", max_width=2.0).height == pytest.approx(plain_label("Adam").height)
