"""Lesson-file guards: only regular files of bounded size, a BOM, plain CSV numbers, and numbers a frame
can show; each refusal is one line naming the key (or row) and a fix that works."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
from conftest import gradlesson_forked

from gradcore.lessonfile import LessonFileError, read_lesson_file

GOOD = "[descent]\nlr = 0.001\n"
CSV_LESSON = '[dataset]\ncsv = "data.csv"\n'


def _refused(lesson: Path, where: str, problem: str, file: Path | None = None) -> str:
    """Read ``lesson``, expecting one line ``"<file>: <where>: ...<problem>...; <fix>"``; its fix."""
    with pytest.raises(LessonFileError) as info:
        read_lesson_file(lesson)
    text = str(info.value)
    assert text.startswith(f"{file or lesson}: {where}: "), text
    assert problem in text and "\n" not in text and "; " in text, text
    return info.value.fix


def _cli_refuses(lesson: Path, where: str, problem: str, file: Path | str | None = None) -> None:
    """``gradlesson list --lesson`` ends within 30 s (a process of its own, so that a regression that reads
    forever is killed) with exit 2 and one line naming ``where`` and ``problem``."""
    result = gradlesson_forked("list", "--lesson", str(lesson), timeout=30)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"gradlesson: {file or lesson}: {where}: "), result.stderr
    assert problem in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert result.stdout == ""


# --- 1. regular files only, of bounded size ------------------------------------------------------


def test_a_fifo_lesson_file_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "lesson.toml"
    os.mkfifo(fifo)
    _cli_refuses(fifo, "file", "not a regular file (a FIFO)")


def test_dev_zero_as_the_lesson_file_is_refused_at_once() -> None:
    _cli_refuses(Path("/dev/zero"), "file", "not a regular file (a character device)")


def test_a_lesson_file_over_1_mb_is_refused(tmp_path: Path) -> None:
    lesson = tmp_path / "big.toml"
    lesson.write_text(GOOD + "# padding\n" * 210_000)
    _refused(lesson, "file", "is 2.1 MB, more than the 1 MB a lesson file may be")


def test_a_fifo_csv_is_refused_not_reported_missing(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text(CSV_LESSON)
    os.mkfifo(tmp_path / "data.csv")
    _cli_refuses(lesson, "file", "not a regular file (a FIFO)", tmp_path / "data.csv")


def test_dev_zero_as_the_csv_is_refused(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text('[dataset]\ncsv = "/dev/zero"\n')
    _cli_refuses(lesson, "file", "not a regular file (a character device)", "/dev/zero")


def test_a_csv_over_64_mb_is_refused(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text(CSV_LESSON)
    with open(tmp_path / "data.csv", "wb") as csv:
        csv.truncate(65_000_000)  # sparse: no disk used
    _refused(lesson, "file", "is 65.0 MB, more than the 64 MB a CSV file may be", tmp_path / "data.csv")


# --- 2. a byte-order mark ------------------------------------------------------------------------


def test_a_lesson_file_with_a_utf8_bom_loads(tmp_path: Path) -> None:
    lesson = tmp_path / "bom.toml"
    lesson.write_bytes(b"\xef\xbb\xbf" + b"[descent]\nlr = 0.002\n")
    assert read_lesson_file(lesson).config.descent.lr == 0.002


# --- 3. CSV cells --------------------------------------------------------------------------------

CSV_CASES = {
    "underscore": ("x,y\n1,2\n2,1_0\n3,4\n", "row 3", "column 'y': '1_0' is not a number"),
    "unicode_digit": ("x,y\n1,2\n\uff12,3\n3,4\n", "row 3", "column 'x': '\uff12' is not a number"),
    "huge_cell": ("x,y\n1,2\n2," + "9" * 200_000 + "\n", "row 3", "not valid CSV (field larger than field limit"),
    "too_large": ("x,y\n1,2\n2,3e12\n3,4\n", "row 3", "column 'y': 3e+12 is too large for the lesson's numbers"),
    "x_spread_tiny": ("x,y\n1e-300,0\n2e-300,1\n3e-300,0.5\n", "file", "the x values span only 2e-300, too little to fit a slope"),
    "best_fit_too_large": ("x,y\n999999999,0\n1000000000,100\n", "[dataset] csv", "the best fit m* = 100, b* = -1e+11"),
}


@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_a_bad_csv_cell_is_one_line_naming_the_row(tmp_path: Path, case: str) -> None:
    text, where, problem = CSV_CASES[case]
    lesson = tmp_path / "lesson.toml"
    lesson.write_text(CSV_LESSON)
    (tmp_path / "data.csv").write_text(text, encoding="utf-8")
    _refused(lesson, where, problem, None if where.startswith("[") else tmp_path / "data.csv")


# --- 4. numbers a frame can show -----------------------------------------------------------------


def _function(expression: str, x_min: str, x_max: str) -> str:
    return f'[[functions]]\nname = "f"\nexpression = "{expression}"\nx_min = {x_min}\nx_max = {x_max}\n'


F1 = "[[functions]] #1"
NUMBERS = {
    "function_x_huge": (_function("x**2", "-1e300", "1e300"), f"{F1} x_min", "-1e+300 is too large"),
    "function_x_narrow": (_function("x**2", "0.0", "1e-310"), f"{F1} x_max", "the range [0, 1e-310] is narrower than 1e-06"),
    "function_exp_x": (_function("exp(x)", "0.0", "700.0"), f"{F1} expression", "'exp(x)': f reaches 1.0e+304 at x = 700"),
    "function_exp_700x": (
        _function("x**2", "-5.0", "5.0") + _function("exp(700*x)", "-1.0", "1.0"),
        "[[functions]] #2 expression",
        "f reaches 1.0e+304 at x = 1",
    ),
    "function_slope_huge": (_function("1e6*x**2", "-1e6", "1e6"), f"{F1} expression", "f reaches 1.0e+18"),
    "h_end_tiny": ("[secant]\nh_end = 1e-300\n", "[secant] h_end", "1e-300 is so small that the secant's slope is lost"),
    "intercept_huge": ("[dataset]\nintercept = 1e308\n", "[dataset] intercept", "1e+308 is too large for the lesson's numbers"),
    "slope_huge": ("[dataset]\nslope = 1e10\n", "[dataset] slope", "1e+10 is too large"),
    "noise_huge": ("[dataset]\nnoise = 1e300\n", "[dataset] noise", "1e+300 is too large"),
    "data_x_huge": ("[dataset]\nx_max = 1e300\n", "[dataset] x_max", "1e+300 is too large"),
    "data_x_narrow": ("[dataset]\nx_min = 1.0\nx_max = 1.000000000001\n", "[dataset] x_max", "is narrower than 1e-09"),
    "generated_y_huge": ("[dataset]\nslope = 1e9\nx_max = 1e9\n", "[dataset]", "the generated y values reach"),
    "candidate_huge": ("[model]\ncandidates = [[1e300, 0.0], [1.0, 2.0]]\n", "[model] candidates[0][0]", "1e+300 is too large"),
    "start_huge": ("[descent]\nstart = [0.0, -1e300]\n", "[descent] start[1]", "-1e+300 is too large"),
    "fixed_b_huge": ("[loss_curves]\nfixed_b = 1e300\n", "[loss_curves] fixed_b", "1e+300 is too large"),
    "range_end_just_over": ("[loss_curves]\nb = { min = 0.0, max = 1000000001.0 }\n", "[loss_curves] b.max", "1000000001 is too large"),
    "curve_range_huge": ("[loss_curves]\nm = { min = -1e300, max = 1e300 }\n", "[loss_curves] m.min", "-1e+300 is too large"),
    "landscape_tiny": ("[landscape]\nb = { min = 0.0, max = 1e-300 }\n", "[landscape] b", "the range [0, 1e-300] is narrower than 1e-09"),
    "landscape_relative": ("[landscape]\nm = { min = 1e6, max = 1000000.0001 }\n", "[landscape] m", "is narrower than 0.001"),
    "clinic_huge": ("[clinic]\nlrs = [1e300, 1e301, 1e302, 1e303]\n", "[clinic] lrs[0]", "at most 1e+06 in magnitude"),
    "clinic_unordered": ("[clinic]\nlrs = [0.001, 0.0001, 0.004, 0.006]\n", "[clinic] lrs[1]", "0.0001 is not larger than lrs[0] = 0.001"),
}


@pytest.mark.parametrize("case", sorted(NUMBERS))
def test_a_number_the_lesson_cannot_draw_is_refused_naming_its_key(tmp_path: Path, case: str, capfd: pytest.CaptureFixture[str]) -> None:
    toml, where, problem = NUMBERS[case]
    lesson = tmp_path / "lesson.toml"
    lesson.write_text(toml)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's overflow warnings would be printed before the one line
        _refused(lesson, where, problem)
    assert capfd.readouterr().err == ""


def test_the_cli_prints_only_the_one_line_for_an_overflowing_function(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text(_function("exp(x)", "0.0", "700.0"))
    _cli_refuses(lesson, f"{F1} expression", "f reaches 1.0e+304")


def test_the_suggested_narrower_function_range_loads(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text(_function("exp(x)", "0.0", "700.0"))
    fix = _refused(lesson, f"{F1} expression", "f reaches")
    x_max = fix.split("x_max = ")[1].split(",")[0]
    lesson.write_text(_function("exp(x)", "0.0", x_max))
    assert read_lesson_file(lesson).config.functions[0].x_max == float(x_max)


def test_the_smallest_h_end_named_in_the_fix_loads(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text("[secant]\nx0 = -4.5\nh_end = 1e-9\n")
    fix = _refused(lesson, "[secant] h_end", "is so small")
    smallest = fix.split("at least ")[1].split()[0]
    assert float(smallest) == pytest.approx(4.5e-6)
    lesson.write_text(f"[secant]\nx0 = -4.5\nh_end = {smallest}\n")
    assert read_lesson_file(lesson).config.secant_h[1] == float(smallest)


def test_increasing_clinic_rates_within_the_bound_load(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text("[clinic]\nlrs = [0.0001, 0.001, 0.004, 0.006]\n")
    assert read_lesson_file(lesson).config.clinic_lrs == (0.0001, 0.001, 0.004, 0.006)


# --- 5. the default race on few points -----------------------------------------------------------


def _sgd_batch(lesson: Path) -> int:
    checked = read_lesson_file(lesson)
    sgd = next(r for r in checked.lesson.race if r.entry.optimizer == "sgd")
    assert len(sgd.trajectory.params) > 1
    return int(dict(sgd.entry.settings)["batch_size"])


def test_a_five_point_lesson_without_race_builds_with_a_batch_that_fits(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text("[dataset]\nn = 5\n")
    assert _sgd_batch(lesson) <= 5


def test_a_five_row_csv_without_race_builds_with_a_batch_that_fits(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text(CSV_LESSON)
    (tmp_path / "data.csv").write_text("x,y\n1,2\n2,4.5\n3,5\n4,8.5\n5,9\n")
    assert _sgd_batch(lesson) <= 5


def test_the_default_race_keeps_the_seed_batch_of_10_from_40_points(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text("[dataset]\nn = 40\nseed = 3\n")
    assert _sgd_batch(lesson) == 10
