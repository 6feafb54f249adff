"""The narration's lines as data: $name templates, [narration.lines] replacements, their refusals and the cache."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import gradlesson, gradlesson_here, shipped

from gradcore import Lesson
from gradcore.lessonfile import DEFAULT_LESSON_FILE, read_lesson_file
from gradcore.narration import MAX_LINE, MAX_TITLE, NarrationError, NarrationSpec, fill, names_in, parse
from gradcore.reads import Reads, digest, digests
from scenes import BEATS
from scenes.toolkit.style import num, tex_text

LESSONS = Path(__file__).resolve().parents[1] / "lessons"
GERMAN = LESSONS / "intro_to_gradients_de.toml"
# every beat's title and steps (key, seconds, caption, speaker notes) for every shipped lesson, written by the code
# before the lines became templates (commit "Narration: ..."): the English must not change by a character
ENGLISH = json.loads((Path(__file__).parent / "data" / "english_captions.json").read_text(encoding="utf-8"))
SEED = shipped(DEFAULT_LESSON_FILE.name).lesson  # read once a process, with the other tests of the shipped files
SCENES = {beat.name: beat.load() for beat in BEATS}


def with_lines(lesson: Lesson, *lines: tuple[str, str]) -> Lesson:
    return dataclasses.replace(lesson, config=dataclasses.replace(lesson.config, narration=NarrationSpec(lines=lines)))


def captions(lesson: Lesson) -> dict[str, str]:
    return {f"{name}.{step.key}": step.caption for name, scene in SCENES.items() for step in scene.steps(lesson)}


# --- the English lines, unchanged -------------------------------------------------------------------------------


@pytest.mark.parametrize("file", sorted(ENGLISH), ids=lambda f: f.removesuffix(".toml"))
def test_every_shipped_lesson_narrates_as_before(file: str) -> None:
    from scenes.toolkit.narration import beat_title

    lesson = shipped(file).lesson
    for name, scene in SCENES.items():
        steps = [[s.key, s.seconds, s.caption, [list(p) for p in s.numbers]] for s in scene.steps(lesson)]
        assert steps == ENGLISH[file][name]["steps"]
        assert beat_title(scene, lesson) == scene.TITLE == ENGLISH[file][name]["title"]


def test_each_line_is_its_template_filled_with_the_numbers_it_offers() -> None:
    for scene in SCENES.values():
        for step in scene.steps(SEED):
            assert step.line and fill(step.line, dict(step.values)) == step.caption
            assert set(names_in(step.line)) <= dict(step.values).keys()
            assert all(re.fullmatch(r"[A-Za-z_]\w*", name) for name, _ in step.values)


# --- templates --------------------------------------------------------------------------------------------------


def test_fill_pastes_values_and_keeps_dollars() -> None:
    assert fill("$a, ${a}b and $$a costs $$5", {"a": "1,000"}) == "1,000, 1,000b and $a costs $5"
    assert fill("$b", {"b": "$c {x.__class__}"}) == "$c {x.__class__}"  # a value is pasted, never read as a template


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{x.__class__}", '"{" looks like a format field'),
        ("{0}", '"{" looks like a format field'),
        ("a } b", '"}" looks like a format field'),
        ("${x.__class__}", '"${x.__class__}" names no number'),
        ("costs $5", '"$5" names no number'),
        ("trailing $", 'a "$" at the end names no number'),
    ],
)
def test_parse_refuses_what_is_not_a_name(text: str, problem: str) -> None:
    with pytest.raises(NarrationError) as error:
        parse(text)
    assert error.value.problem == problem


def test_fill_names_the_numbers_it_offers() -> None:
    with pytest.raises(NarrationError, match=r"unknown number \$foo; use one of \$steps, \$b"):
        fill("$foo", {"steps": "100", "b": "2"})


# --- replacements -----------------------------------------------------------------------------------------------


def test_a_replaced_line_changes_that_step_only_and_the_plan_follows() -> None:
    d = SEED.descent
    replaced = with_lines(SEED, ("DescentOnContours.final", "Nach $steps Schritten: b = ${b}, m = $m ($$)"))
    before, after = captions(SEED), captions(replaced)
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"DescentOnContours.final"}
    expected = f"Nach 100 Schritten: b = {num(d.b[-1], 5)}, m = {num(d.m[-1], 5)} ($)"
    assert after["DescentOnContours.final"] == expected == "Nach 100 Schritten: b = −3.2359, m = 1.9181 ($)"
    plan = {s.key: s for s in SCENES["DescentOnContours"].plan(replaced)}  # what the subtitles and the kit read
    assert plan["final"].caption == expected
    assert plan["final"].numbers == next(s for s in SCENES["DescentOnContours"].steps(SEED) if s.key == "final").numbers


def test_a_replaced_title_is_the_scenes_title() -> None:
    from scenes.toolkit.narration import beat_title

    scene = SCENES["FittedLine"]
    replaced = with_lines(SEED, ("FittedLine.title", "Die Gerade & ihr Fit"))
    assert beat_title(scene, replaced) == "Die Gerade & ihr Fit"
    assert beat_title(SCENES["OptimizerRace"], replaced) == SCENES["OptimizerRace"].TITLE
    shown = scene.__new__(scene)  # title_tex reads only the lesson: no scene set up
    shown.lesson = replaced
    assert shown.title_tex() == r"\text{Die Gerade \& ihr Fit}"
    assert tex_text(r"50% of $x_1 {#} ~ ^ \ ") == r"50\% of \$x\_1 \{\#\} \textasciitilde{} \textasciicircum{} \textbackslash{} "


def test_the_cache_digest_changes_for_the_beat_whose_line_changed_only() -> None:
    """A beat's render is keyed by the digests of the lesson parts it read: its own lines are one part."""

    def read_by(name: str, lesson: Lesson) -> set[str]:
        from scenes.toolkit.narration import beat_title

        noted: set[str] = set()
        wrapped = Reads(lesson, noted)
        SCENES[name].plan(wrapped)  # type: ignore[arg-type]  # a Reads stands for the lesson
        beat_title(SCENES[name], wrapped)  # type: ignore[arg-type]
        return noted

    one = with_lines(SEED, ("DescentOnContours.final", "After $steps steps."))
    two = with_lines(SEED, ("DescentOnContours.final", "Nach $steps Schritten."), ("DescentOnContours.title", "Abstieg"))
    contours, fit = read_by("DescentOnContours", one), read_by("FittedLine", one)
    assert "config.narration[DescentOnContours]" in contours and "config.narration[FittedLine]" in fit
    assert not any(name == "config.narration" or name == "config" for name in contours | fit)
    assert digests(one, contours) != digests(two, contours)
    assert digests(one, fit) == digests(two, fit) == digests(SEED, fit)


# --- the lesson file --------------------------------------------------------------------------------------------


def lesson_file(tmp_path: Path, narration: str) -> Path:
    path = tmp_path / "lesson.toml"
    path.write_text(DEFAULT_LESSON_FILE.read_text(encoding="utf-8") + "\n" + narration, encoding="utf-8")
    return path


def refused(capfd: pytest.CaptureFixture[str], path: Path) -> str:
    result = gradlesson_here(capfd, "list", "--lesson", str(path))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr.strip()


def accepted(capfd: pytest.CaptureFixture[str], path: Path) -> str:
    result = gradlesson_here(capfd, "list", "--steps", "--lesson", str(path))
    assert result.returncode == 0, result.stderr
    assert all(line.startswith("gradlesson: voice: ") for line in result.stderr.splitlines()), result.stderr  # which voice
    return result.stdout


LINES = "[narration.lines]\n"
FINAL = '"DescentOnContours.final"'


@pytest.mark.parametrize(
    ("bad", "message", "fixed"),
    [
        (
            f"{LINES}{FINAL} = 'After $foo steps'",
            f"[narration.lines] {FINAL}: unknown number $foo; use one of $steps, $b, $m, $loss, $least",
            f"{LINES}{FINAL} = 'After $steps steps'",
        ),
        (
            f"{LINES}{FINAL} = 'After {{x.__class__}} steps'",
            f'[narration.lines] {FINAL}: "{{" looks like a format field; write the number as $name (and no braces)',
            f"{LINES}{FINAL} = 'After $steps steps'",
        ),
        (
            f"{LINES}{FINAL} = 'After ${{x.__class__}} steps'",
            f'[narration.lines] {FINAL}: "${{x.__class__}}" names no number; write $name or ${{name}} with a name the step offers, or $$',
            f"{LINES}{FINAL} = 'After ${{steps}} steps, $$0'",
        ),
        (
            f"{LINES}\"DescentOnContour.final\" = 'x'",
            "[narration.lines] \"DescentOnContour.final\": no beat 'DescentOnContour'; beats: DerivativeAsSlope,",
            f"{LINES}{FINAL} = 'x'",
        ),
        (
            f"{LINES}\"DescentOnContours.finale\" = 'x'",
            "[narration.lines] \"DescentOnContours.finale\": DescentOnContours has no step 'finale' in this lesson; its steps: landscape,",
            f"{LINES}{FINAL} = 'x'",
        ),
        (
            f"{LINES}DescentOnContours = 'x'",
            '[narration.lines] "DescentOnContours": not a step\'s key; write "<Beat>.<step>" or "<Beat>.title"; see gradlesson list --steps',
            f"{LINES}\"DescentOnContours.title\" = 'x'",
        ),
        (
            f"{LINES}{FINAL} = '{'a' * (MAX_LINE + 1)}'",
            f"[narration.lines] {FINAL}: {MAX_LINE + 1} characters, too long for a subtitle; shorten it to at most {MAX_LINE} characters",
            f"{LINES}{FINAL} = '{'a' * MAX_LINE}'",
        ),
        (
            f"{LINES}{FINAL} = '{'a' * (MAX_LINE - 3)} $b'",
            f"[narration.lines] {FINAL}: {MAX_LINE - 2 + 7} characters with its numbers filled in, too long for a subtitle; shorten it",
            f"{LINES}{FINAL} = '{'a' * (MAX_LINE - 8)} $b'",
        ),
        (
            f"{LINES}{FINAL} = '  '",
            f"[narration.lines] {FINAL}: empty; write the line, or leave the key out to keep the lesson's own",
            "",
        ),
        (
            f"{LINES}\"FittedLine.title\" = '{'T' * (MAX_TITLE + 1)}'",
            f'[narration.lines] "FittedLine.title": {MAX_TITLE + 1} characters, too long for a beat\'s title; shorten it to at most {MAX_TITLE}',
            f"{LINES}\"FittedLine.title\" = '{'T' * MAX_TITLE}'",
        ),
        (
            f'{LINES}"FittedLine.title" = "Die\\nGerade"',
            '[narration.lines] "FittedLine.title": the title has several lines; write the title on one line',
            f'{LINES}"FittedLine.title" = "Die Gerade"',
        ),
        (
            f'{LINES}"FittedLine.title" = "„Die Gerade“"',
            "[narration.lines] \"FittedLine.title\": '„' (U+201E) cannot be typeset in a title; write it with ASCII and accented",
            f'{LINES}"FittedLine.title" = "\\"Die Gerade\\" für alle"',
        ),
        (
            f"{LINES}\"FittedLine.title\" = 'Fit $b'",
            '[narration.lines] "FittedLine.title": unknown number $b; this line offers no numbers: write it without $name',
            f"{LINES}\"FittedLine.title\" = 'Fit $$b'",
        ),
        (
            "[narration]\nvoice = 'festival'",
            "[narration] voice: unknown voice 'festival'; choose one of none, espeak, piper",
            "[narration]\nvoice = 'none'",
        ),
        (
            "[narration]\nlanguage = 'German'",
            "[narration] language: 'German' is not a language tag; write one such as",
            "[narration]\nlanguage = 'de-AT'",
        ),
        (
            "[narration]\nspeed = 3",
            "[narration] speed: 3 is out of range; write a number from 0.5 to 2 (1.0: as spoken)",
            "[narration]\nspeed = 2.0",
        ),
        ("[narration]\nspeed = 0", "[narration] speed: must be greater than 0, got 0; write a positive number", "[narration]\nspeed = 0.5"),
        (
            "[narration]\nvoice = 'piper'\nlanguage = 'de'",
            '[narration] voice: piper has no voice for "de" (its one voice, en_US joe, speaks English); set voice = "espeak"',
            "[narration]\nvoice = 'espeak'\nlanguage = 'de'",
        ),
        (
            "[narration]\nvoice = 'piper'\nlanguage = 'fr'",
            '[narration] voice: piper has no voice for "fr" (its one voice, en_US joe, speaks English); set voice = "none"',
            "[narration]\nvoice = 'none'\nlanguage = 'fr'",
        ),
        (
            "[narration]\nvoice = 'espeak'\nlanguage = 'fr'",
            '[narration] voice: no words for formulas in "fr" yet (only en, de): its numbers and formulas would be misread; '
            'set voice = "none"',
            "[narration]\nvoice = 'none'\nlanguage = 'fr'",
        ),
        ("[narration]\npitch = 1", "[narration] pitch: unknown key; valid keys: voice, language, speed, lines", "[narration]\n"),
    ],
    ids=lambda v: v[:60] if isinstance(v, str) else v,
)
def test_a_bad_narration_is_one_line_naming_the_key_and_its_fix_works(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], bad: str, message: str, fixed: str
) -> None:
    error = refused(capfd, lesson_file(tmp_path, bad))
    assert error.startswith(f"gradlesson: {tmp_path / 'lesson.toml'}: {message}"), error
    accepted(capfd, lesson_file(tmp_path, fixed))


def test_a_bad_line_exits_2_from_the_command(tmp_path: Path) -> None:
    result = gradlesson("list", "--lesson", str(lesson_file(tmp_path, f"{LINES}{FINAL} = '{{x.__class__}}'")))
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert f'[narration.lines] {FINAL}: "{{" looks like a format field' in result.stderr


def test_list_steps_shows_each_steps_key_seconds_names_and_line(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    out = accepted(capfd, lesson_file(tmp_path, f"{LINES}{FINAL} = 'Nach $steps Schritten'"))
    rows = out.splitlines()
    keys = [row.split()[0] for row in rows]
    expected = [f"{name}.{k}" for name, scene in SCENES.items() for k in ("title", *(s.key for s in scene.steps(SEED)))]
    assert keys == expected
    final = next(row for row in rows if row.startswith("DescentOnContours.final "))
    assert final.startswith('DescentOnContours.final  2.4 s  $steps="100" $b="−3.2359" $m="1.9181"')
    assert final.endswith("| Nach 100 Schritten")
    assert "DerivativeAsSlope.title  | The derivative as a slope" in rows
    # every key the listing shows is one a lesson file may replace
    lines = "".join(f"\"{key}\" = 'x'\n" for key in keys)
    accepted(capfd, lesson_file(tmp_path, LINES + lines))


# --- the German lesson ------------------------------------------------------------------------------------------


def test_the_german_lesson_replaces_every_line_and_title_and_keeps_the_numbers(capfd: pytest.CaptureFixture[str]) -> None:
    from scenes import check_narration
    from scenes.toolkit.narration import beat_title

    checked = read_lesson_file(GERMAN)
    assert checked.warnings == ()
    check_narration(GERMAN, checked.lesson)
    spec = checked.config.narration
    assert (spec.voice, spec.language, spec.speed) == ("espeak", "de", 1.0)
    lesson = checked.lesson
    assert np.array_equal(lesson.descent.params, SEED.descent.params) and np.array_equal(lesson.dataset.y, SEED.dataset.y)
    assert digest(dataclasses.replace(checked.config, title=SEED.config.title, narration=NarrationSpec())) == digest(SEED.config)
    english, german = captions(SEED), captions(lesson)
    assert german.keys() == english.keys() == {key for key, _ in spec.lines if not key.endswith(".title")}
    for key, line in german.items():
        assert line != english[key] and len(line) <= MAX_LINE and "$" not in line, key
    for scene in SCENES.values():
        assert beat_title(scene, lesson) != scene.TITLE
    assert german["DescentOnContours.final"] == "Nach 100 Schritten: b = −3.2359..., m = 1.9181..."
    assert any(c in "".join(german.values()) for c in "äöüß")
    assert gradlesson_here(capfd, "list", "--lesson", str(GERMAN)).returncode == 0


def test_a_voice_that_can_speak_is_no_warning(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson.toml"
    for voice in ("none", "espeak", "piper"):
        lesson.write_text(f'[narration]\nvoice = "{voice}"\n')
        assert read_lesson_file(lesson).warnings == ()
