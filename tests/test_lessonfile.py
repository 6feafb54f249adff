"""Lesson files: ``gradlesson render|export|list --lesson FILE.toml`` and ``gradcore.lessonfile``."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from conftest import e2e_marks, gradlesson_here, probe, seed_lesson, shipped

from gradcore import LessonConfig, build_lesson
from gradcore.dataset import CSVError, PointsSpec, load_csv
from gradcore.lesson import DEFAULT_RACE, DescentSpec
from gradcore.lessonfile import (
    DEFAULT_LESSON_FILE,
    LESSON_ENV,
    LessonFileError,
    load_lesson_config,
    read_lesson_file,
)
from gradcore.optimizers import momentum, run, sse_objective

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"


# --- the shipped lesson files -------------------------------------------------------------------


def test_the_default_lesson_file_is_the_default_lesson() -> None:
    assert DEFAULT_LESSON_FILE == LESSONS / "intro_to_gradients.toml"
    checked = read_lesson_file(DEFAULT_LESSON_FILE)
    default = LessonConfig()
    for f in fields(LessonConfig):  # the race too: lesson.DEFAULT_RACE is the file's [[race]] (lesson.py says why it stays)
        if f.name != "functions":
            assert getattr(checked.config, f.name) == getattr(default, f.name), f.name
    reference = seed_lesson()
    np.testing.assert_array_equal(checked.lesson.descent.params, reference.descent.params)
    np.testing.assert_array_equal(checked.lesson.descent.loss, reference.descent.loss)
    assert checked.lesson.descent.params[-1].tolist() == [1.9181494319433217, -3.235905316463203]
    np.testing.assert_array_equal(checked.lesson.dataset.y, reference.dataset.y)
    for run_a, run_b in zip(checked.lesson.race, reference.race, strict=True):
        np.testing.assert_array_equal(run_a.trajectory.params, run_b.trajectory.params)
    # functions come from their text: same LaTeX (sympy's), same values
    for parsed, seed in zip(checked.config.functions, default.functions, strict=True):
        assert (parsed.name, parsed.latex, parsed.dlatex, parsed.x_min, parsed.x_max) == (
            seed.name, seed.latex, seed.dlatex, seed.x_min, seed.x_max,
        )  # fmt: skip
        x = np.linspace(seed.x_min, seed.x_max, 101)
        np.testing.assert_allclose(parsed.f(x), seed.f(x), rtol=1e-13, atol=1e-12)
        np.testing.assert_allclose(parsed.df(x), seed.df(x), rtol=1e-13, atol=1e-12)
    assert checked.sources == (DEFAULT_LESSON_FILE,)


@pytest.mark.parametrize(("data", "batch"), [("", 10), ("[dataset]\nn = 20\n", 5)])
def test_a_file_without_a_race_runs_the_seeds_runners_with_derived_rates(tmp_path: Path, data: str, batch: int) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text(data + "[descent]\nlr = 0.002\n")
    race = read_lesson_file(lesson).config.race
    derived = ("lr", "grad_scale")
    assert [(r.label, r.optimizer) for r in race] == [(r.label, r.optimizer) for r in DEFAULT_RACE]
    for runner, seed in zip(race, DEFAULT_RACE, strict=True):
        settings, seeds = dict(runner.settings), dict(seed.settings)
        assert {k: v for k, v in settings.items() if k not in derived} == {
            k: min(v, batch) if k == "batch_size" else v for k, v in seeds.items() if k not in derived
        }
        if "grad_scale" in seeds:  # a rate that follows the gradient: the descent's of this file, not the seed's
            assert settings["lr"] == 0.002
    assert race != DEFAULT_RACE


def test_the_sine_lesson_loads_with_derived_ranges() -> None:
    checked = shipped("sine.toml")
    config, lesson = checked.config, checked.lesson
    assert [fn.name for fn in config.functions] == ["Damped sine", "Swinging parabola", "Soft step"]
    assert config.functions[0].dlatex  # derived by sympy, never typed
    assert config.dataset.seed == 7 and config.dataset.m == -1.5
    opt = lesson.optimum
    # derived landscape: covers the whole descent path and the optimum, with a margin
    for values, span in (
        (np.append(lesson.descent.m, opt.m), config.landscape_m),
        (np.append(lesson.descent.b, opt.b), config.landscape_b),
    ):
        assert span.start + 5 <= values.min() and values.max() <= span.stop - 5
    # derived loss curves: around where each curve is lowest
    assert config.curve_m.start < lesson.loss_vs_m.dense.x[lesson.loss_vs_m.lowest] < config.curve_m.stop
    assert 0 < lesson.loss_vs_m.lowest < len(lesson.loss_vs_m.dense.x) - 1
    assert 0 < lesson.loss_vs_b.lowest < len(lesson.loss_vs_b.dense.x) - 1
    assert (config.fixed_b, config.fixed_m) == (round(opt.b), round(opt.m))
    assert [r.entry.label for r in lesson.race] == ["gradient descent", "momentum", "Adam"]


def test_the_csv_lesson_reads_its_csv_and_runs_momentum() -> None:
    checked = shipped("csv_data.toml")
    assert checked.sources == (LESSONS / "csv_data.toml", LESSONS / "data" / "study_hours.csv")
    config, lesson = checked.config, checked.lesson
    assert isinstance(config.dataset, PointsSpec) and lesson.dataset.n == 30
    data = load_csv(LESSONS / "data" / "study_hours.csv", "hours_studied", "exam_score")
    np.testing.assert_array_equal(lesson.dataset.x, data.x)
    assert config.descent.optimizer == "momentum" and config.descent.settings == (("beta", 0.8),)
    expected = run(momentum(0.003, 0.8, (0.1, 1.0)), sse_objective(data), (0.0, 0.0), 100)
    np.testing.assert_array_equal(lesson.descent.params, expected.params)
    assert lesson.descent.params[-1] == pytest.approx([lesson.optimum.m, lesson.optimum.b], rel=1e-4)


def test_descent_spec_gd_is_the_seed_descent_and_other_optimizers_run() -> None:
    spec = DescentSpec(optimizer="momentum", settings=(("beta", 0.0),))
    plain = build_lesson(LessonConfig()).descent
    zero_beta = build_lesson(LessonConfig(descent=spec)).descent
    np.testing.assert_array_equal(plain.params, zero_beta.params)  # momentum with β = 0 is descent


# --- CSV loading --------------------------------------------------------------------------------


def test_load_csv_with_and_without_header(tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_text("1,2\n2,4.5\n\n3,7\n")
    data = load_csv(plain)
    assert data.x.tolist() == [1, 2, 3] and data.y.tolist() == [2, 4.5, 7]
    named = tmp_path / "named.csv"
    named.write_text("id,y_val,x_val\n1, 10 ,0.5\n2,20,1.5\n")
    data = load_csv(named, x_column="x_val", y_column="y_val")
    assert data.x.tolist() == [0.5, 1.5] and data.y.tolist() == [10, 20]
    assert load_csv(named).x.tolist() == [1, 2]  # default: first two columns
    with pytest.raises(CSVError, match=r"row 1: no column named 'z'.*columns: id, y_val, x_val"):
        load_csv(named, x_column="z")
    with pytest.raises(CSVError, match="no header row"):
        load_csv(plain, x_column="x")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("x\n1\n2\n", "row 1: only one column"),
        ("x,y\n1,2\n2,abc\n", "row 3: column 'y': 'abc' is not a number"),
        ("1,2\n2,nan\n", "row 2: column 2: 'nan' is not a finite number"),
        ("x,y\n1,2\n2,3\ninf,4\n", "row 4: column 'x': 'inf' is not a finite number"),
        ("x,y\n1,2\n2\n", "row 3: 1 cells where the first row has 2"),
        ("x,y\n1,2\n", "1 data row;"),
        ("x,y\n1,2\n1,3\n", "all x values are equal"),
    ],
)
def test_load_csv_refuses_bad_files_naming_the_row(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(CSVError) as info:
        load_csv(path)
    assert message in str(info.value) and "\n" not in str(info.value) and "; " in str(info.value)


# --- bad lesson files: one line, exit 2, nothing written ----------------------------------------

GOOD_DESCENT = "[descent]\nstart = [-15.0, -30.0]\nlr = 0.001\n"

BAD = {
    "unknown_key": (
        "[descent]\nlearning_rate = 0.01\n",
        None,
        "[descent] learning_rate: unknown key; valid keys: start, steps, optimizer, lr, grad_scale",
    ),
    "unknown_table": ("[desent]\nlr = 0.01\n", None, "[desent]: unknown table; valid tables: functions, secant, dataset"),
    "wrong_type": ('[descent]\nlr = "fast"\n', None, "[descent] lr: expected a number, got text 'fast'; write a number"),
    "wrong_int": ("[dataset]\nn = 40.5\n", None, "[dataset] n: expected an integer, got a number 40.5"),
    "bad_toml": ("[descent\nlr = 1\n", None, "line 1, column 9: not valid TOML"),
    "empty_csv": ('[dataset]\ncsv = "data.csv"\n', "", "data.csv: file: the file is empty; put two numeric columns"),
    "one_column_csv": ('[dataset]\ncsv = "data.csv"\n', "hours\n1\n2\n", "data.csv: row 1: only one column; give two columns"),
    "non_numeric_cell": (
        '[dataset]\ncsv = "data.csv"\n',
        "hours,score\n1,50\n2,55\n3,n/a\n",
        "data.csv: row 4: column 'score': 'n/a' is not a number; write a plain number",
    ),
    "non_finite_cell": (
        '[dataset]\ncsv = "data.csv"\n',
        "hours,score\n1,50\ninf,55\n",
        "data.csv: row 3: column 'hours': 'inf' is not a finite number",
    ),
    "unknown_column": (
        '[dataset]\ncsv = "data.csv"\ny_column = "grade"\n',
        "hours,score\n1,50\n2,55\n",
        "data.csv: row 1: no column named 'grade' (columns: hours, score); set y_column",
    ),
    "missing_csv": ('[dataset]\ncsv = "nowhere.csv"\n', None, "[dataset] csv:"),
    "range_min_ge_max": (
        "[loss_curves]\nm = { min = 5.0, max = -5.0 }\n",
        None,
        "[loss_curves] m: min 5 >= max -5; make min smaller than max",
    ),
    "function_range": (
        '[[functions]]\nname = "f"\nexpression = "x**2"\nx_min = 3.0\nx_max = 3.0\n',
        None,
        "[[functions]] #1 x_min: x_min 3 >= x_max 3; make x_min smaller than x_max",
    ),
    "function_not_finite": (
        '[[functions]]\nname = "Log"\nexpression = "log(x)"\nx_min = -1.0\nx_max = 4.0\n',
        None,
        "[[functions]] #1 expression: 'log(x)' is not finite at x = -1",
    ),
    "function_not_allowed": (
        '[[functions]]\nname = "Bad"\nexpression = "__import__(\'os\')"\nx_min = -1.0\nx_max = 4.0\n',
        None,
        "[[functions]] #1 expression: unknown function '__import__'",
    ),
    "diverging_lr": (
        "[descent]\nlr = 0.05\n",
        None,
        "[descent] lr: the descent (gd) diverges at step",
    ),
    "race_setting": (
        '[[race]]\noptimizer = "adam"\nlr = 0.5\nbeta = 0.9\n',
        None,
        "[[race]] #1 beta: unknown key; valid keys: label, optimizer, lr, b1, b2, eps, grad_scale",
    ),
}


def _bad_lesson(tmp_path: Path, case: str) -> Path:
    toml, csv_text, _ = BAD[case]
    lesson = tmp_path / f"{case}.toml"
    lesson.write_text(toml)
    if csv_text is not None:
        (tmp_path / "data.csv").write_text(csv_text)
    return lesson


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_lesson_file_is_one_line_naming_file_key_and_fix(tmp_path: Path, case: str) -> None:
    lesson = _bad_lesson(tmp_path, case)
    with pytest.raises(LessonFileError) as info:
        load_lesson_config(lesson)
    text = str(info.value)
    assert BAD[case][2] in text, text
    assert "\n" not in text and "; " in text
    assert text.startswith(str(lesson) + ": ") or text.startswith(str(tmp_path / "data.csv") + ": ")


def test_diverging_lr_names_the_step_and_a_smaller_rate_that_converges(tmp_path: Path) -> None:
    lesson = _bad_lesson(tmp_path, "diverging_lr")
    with pytest.raises(LessonFileError) as info:
        load_lesson_config(lesson)
    step = int(str(info.value).split("diverges at step ")[1].split()[0])
    suggested = float(str(info.value).rsplit("lr = ", 1)[1].split(" (checked: converges in ")[0])
    assert step > 0 and suggested < 0.05
    lesson.write_text(f"[descent]\nlr = {suggested}\n")
    checked = read_lesson_file(lesson)
    assert checked.config.descent.lr == suggested
    assert checked.lesson.outcome.converged and not checked.warnings


@pytest.mark.parametrize(
    "case", ["unknown_key", "non_numeric_cell", "function_not_finite", "diverging_lr", "empty_csv", "range_min_ge_max"]
)
@pytest.mark.parametrize("command", ["export", "render"])
def test_the_cli_refuses_a_bad_lesson_file_before_writing_anything(tmp_path: Path, case: str, command: str, capfd) -> None:
    """In this process (the command's own process refuses a missing file in test_the_cli_names_a_missing_lesson_file)."""
    lesson = _bad_lesson(tmp_path, case)
    out = tmp_path / "out"
    result = gradlesson_here(capfd, command, "--lesson", str(lesson), "--out", str(out))
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("gradlesson: ")
    assert BAD[case][2] in result.stderr
    assert not out.exists()
    assert result.stdout == ""


def test_the_cli_names_a_missing_lesson_file(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    result = gradlesson_here(capfd, "list", "--lesson", str(tmp_path / "nope.toml"))
    assert result.returncode == 2
    assert result.stderr == f"gradlesson: {tmp_path / 'nope.toml'}: file: not found; check the path given to --lesson\n"


# --- the good ones through the CLI --------------------------------------------------------------


def test_list_with_a_lesson_file(capfd) -> None:
    result = gradlesson_here(capfd, "list", "--lesson", str(LESSONS / "sine.toml"))  # its process: test_cli
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("1. DerivativeAsSlope")
    assert result.stdout.splitlines()[-1].split()[0] == "lesson"


def test_export_with_a_lesson_file(tmp_path: Path, capfd) -> None:
    result = gradlesson_here(capfd, "export", "--lesson", str(LESSONS / "csv_data.toml"), "--out", str(tmp_path / "notes"))
    assert result.returncode == 0, result.stderr
    rows = (tmp_path / "notes" / "descent.csv").read_text().splitlines()
    assert rows[1].startswith("0,0.0,0.0,") and len(rows) == 102
    expected = shipped("csv_data.toml").lesson.descent
    assert rows[-1].split(",")[1:3] == [repr(float(expected.m[-1])), repr(float(expected.b[-1]))]


def test_the_scenes_read_the_lesson_file_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from scenes.toolkit import style

    monkeypatch.setenv(LESSON_ENV, str(LESSONS / "sine.toml"))
    assert style._loaded.__wrapped__().dataset.n == 30
    monkeypatch.delenv(LESSON_ENV)
    assert style._loaded.__wrapped__().dataset.n == 40


def test_the_render_cache_sees_an_edit_of_the_lesson_file_or_its_csv(tmp_path: Path) -> None:
    """The cache compares digests of the lesson's parts a beat drew: a changed CSV row changes the dataset's."""
    from gradcore.reads import digests

    lesson, data = tmp_path / "l.toml", tmp_path / "d.csv"
    lesson.write_text('[dataset]\ncsv = "d.csv"\n')
    data.write_text("x,y\n1,2\n2,3\n3,5\n")
    first = digests(read_lesson_file(lesson).lesson, ["dataset", "candidates"])
    data.write_text("x,y\n1,2\n2,3\n3,6\n")
    second = digests(read_lesson_file(lesson).lesson, ["dataset", "candidates"])
    assert first["dataset"] != second["dataset"] and first["candidates"] != second["candidates"]
    lesson.write_text('[dataset]\ncsv = "d.csv"\n# a comment changes nothing drawn\n')
    assert digests(read_lesson_file(lesson).lesson, second) == second


@pytest.mark.parametrize("name", [pytest.param(name, marks=e2e_marks(name)) for name in ("sine", "csv_data")])
def test_two_more_lessons_render_end_to_end_as_drafts(lesson_render, name: str) -> None:
    """Every beat of the lesson rendered by ``gradlesson render -q d --lesson`` and stitched (the render is shared
    with test_cli's stitching test)."""
    rendered = lesson_render(name)
    assert rendered.result.returncode == 0, f"{name}: {rendered.result.stderr}"
    video = rendered.media / "lesson" / "lesson.mp4"
    assert video.exists() and video.stat().st_size > 10_000, name
    info = probe(video)
    assert (info["width"], info["height"], info["fps"]) == (480, 270, 10)  # -q d: the draft preview


@pytest.mark.parametrize("name", ["intro_to_gradients", "csv_data", "house_prices_standard", "lab_micro", "wide_range"])
def test_the_runs_the_reader_checked_are_the_lessons_bit_for_bit(name: str) -> None:
    """The reader runs the descent and each runner to check them, and the lesson reuses those runs: they are the
    runs :func:`build_lesson` makes from the lesson's settings alone, to the last bit."""
    checked = shipped(f"{name}.toml")
    fresh = build_lesson(checked.config)
    pairs = [
        (checked.lesson.descent, fresh.descent),
        *zip([r.trajectory for r in checked.lesson.race], [r.trajectory for r in fresh.race], strict=True),
    ]
    assert len(pairs) == 1 + len(checked.config.race) >= 2
    for reused, made in pairs:
        for part in ("params", "loss", "grad"):
            np.testing.assert_array_equal(getattr(reused, part), getattr(made, part))
    assert checked.lesson.race_leader == fresh.race_leader and checked.lesson.outcome == fresh.outcome
