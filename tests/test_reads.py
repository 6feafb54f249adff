"""gradcore.reads: what a beat read of the lesson, and digests that change exactly when those parts do."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from conftest import seed_lesson

from gradcore import LessonConfig, build_lesson
from gradcore.lesson import DescentSpec, RaceEntry
from gradcore.reads import WHOLE, Reads, digest, digests

LESSON = seed_lesson()


def test_reads_notes_each_part_and_config_field_read() -> None:
    noted: set[str] = set()
    reads = Reads(LESSON, noted)
    assert reads.descent is LESSON.descent and reads.config.descent.steps == LESSON.config.descent.steps
    assert reads.dataset.x is LESSON.dataset.x
    assert noted == {"descent", "config.descent", "dataset"}


def test_reads_is_read_only() -> None:
    with pytest.raises(AttributeError):
        Reads(LESSON, set()).descent = None


def test_digest_changes_with_one_ulp_and_not_with_a_copy() -> None:
    x = LESSON.dataset.x
    nudged = x.copy()
    nudged[7] = np.nextafter(nudged[7], np.inf)
    assert digest(x) == digest(x.copy()) and digest(x) != digest(nudged)
    assert digest(1) != digest(1.0) != digest("1") and digest((1, 2)) != digest([1, 2])
    assert digest(np.arange(3, dtype=np.int64)) != digest(np.arange(3, dtype=np.int32))


def test_digests_are_equal_in_another_process() -> None:
    code = "from gradcore import build_lesson; from gradcore.reads import digest; print(digest(build_lesson()))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == digest(LESSON)


def test_an_edit_of_the_race_changes_only_the_race_parts() -> None:
    """What editing ``[[race]]`` changes: the race (and the whole), never the descent, data or landscape."""
    config = LESSON.config
    raced = build_lesson(replace(config, race=(*config.race[:-1], RaceEntry("Adam, faster", "adam", (("lr", 2.0),)))))
    names = [
        "descent",
        "dataset",
        "landscape",
        "optimum",
        "outcome",
        "clinic",
        "config.descent",
        "race",
        "race_leader",
        "config.race",
        WHOLE,
    ]
    before, after = digests(LESSON, names), digests(raced, names)
    assert {name for name in names if before[name] != after[name]} == {"race", "config.race", WHOLE} | (
        {"race_leader"} if LESSON.race_leader != raced.race_leader else set()
    )


def test_an_edit_of_the_descent_changes_what_draws_it() -> None:
    config = LESSON.config
    slower = build_lesson(replace(config, descent=replace(config.descent, lr=config.descent.lr / 2)))
    changed = {
        name for name, value in digests(LESSON, ["descent", "dataset", "candidates"]).items() if digests(slower, [name])[name] != value
    }
    assert changed == {"descent"}


def test_a_method_read_counts_as_reading_everything() -> None:
    noted: set[str] = set()
    spec = Reads(DescentSpec(), noted)
    spec.make()
    assert noted == {WHOLE}


def test_a_part_the_lesson_no_longer_has_digests_as_missing() -> None:
    assert digests(LESSON, ["no_such_part"]) == {"no_such_part": "missing"}


def test_digest_refuses_what_it_cannot_read() -> None:
    with pytest.raises(TypeError):
        digest(object())


def test_the_default_config_builds_the_same_digest_as_the_file() -> None:
    from gradcore.lessonfile import DEFAULT_LESSON_FILE, load_lesson

    assert digest(load_lesson(DEFAULT_LESSON_FILE).descent) == digest(build_lesson(LessonConfig()).descent)
