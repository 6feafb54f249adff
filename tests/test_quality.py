"""The one quality table agrees with manim's own: the folder a render writes is where the pipeline looks."""

from __future__ import annotations

import pytest
from manim.constants import QUALITIES as MANIM_QUALITIES

from gradlesson.cli import _parser
from gradlesson.quality import QUALITIES


def test_each_letter_is_manims_quality_of_that_flag() -> None:
    named = {letter: q for letter, q in QUALITIES.items() if q.manim is not None}
    assert set(QUALITIES) - set(named) == {"d"}  # the draft, which manim has no name for
    assert QUALITIES["d"].settings == {"pixel_width": 480, "pixel_height": 270, "frame_rate": 10}
    for letter, q in named.items():
        assert q.manim is not None and q.settings == {"quality": q.manim}
        manim = MANIM_QUALITIES[q.manim]
        assert (manim["flag"], manim["pixel_width"], manim["pixel_height"], manim["frame_rate"]) == (letter, q.width, q.height, q.fps)
    assert QUALITIES["l"].folder == "480p15" and QUALITIES["k"].folder == "2160p60" and QUALITIES["d"].folder == "270p10"


def test_the_cli_takes_the_tables_letters_and_no_other() -> None:
    assert [_parser().parse_args(["render", "-q", letter]).quality for letter in QUALITIES] == ["d", "l", "m", "h", "k"]
    assert _parser().parse_args(["render"]).quality == "h"
    with pytest.raises(SystemExit):
        _parser().parse_args(["render", "-q", "p"])
