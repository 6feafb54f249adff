"""A whole lesson from a TOML file (``gradlesson render --lesson my_lesson.toml``).

:func:`read_lesson_file` checks everything eagerly (unknown keys, types, ranges, the CSV's cells,
each function's text and its finiteness over its range) and builds the lesson once, so that a
descent that diverges is reported too; any problem is a :class:`LessonFileError` whose text is one
line ``"<file>: <key or row>: <problem>; <fix>"``. Tables and keys that are absent take the seed's
values, except the parameter ranges, which are derived from the data (see :func:`curve_span` and
:func:`landscape_span`). README.md ("Lesson files") documents every key.
"""

from __future__ import annotations

import inspect
import math
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import numpy as np

from gradcore.advice import (
    ADAPTIVE,
    ROUND_STEPS,
    Fix,
    adaptive_lr,
    balanced_scale,
    candidate_lines,
    fix_descent,
    stable_lr,
)
from gradcore.dataset import MAX_DATA_VALUE, CSVError, Dataset, DatasetSpec, PointsSpec, load_csv, make_dataset, standardise
from gradcore.expressions import ExpressionError, check_finite, function_from_expression
from gradcore.facts import Outcome, outcome, steepness
from gradcore.files import FileProblem, read_regular
from gradcore.format import num, setting_format
from gradcore.functions import SEED_FUNCTIONS, Function1D
from gradcore.lesson import (
    DEFAULT_RACE,
    DescentSpec,
    Lesson,
    LessonConfig,
    RaceEntry,
    Span,
    build_lesson,
)
from gradcore.loss import Optimum, best_b, best_m, moments, optimum
from gradcore.narration import (
    LANGUAGE,
    MAX_LINE,
    MAX_SPEED,
    MIN_SPEED,
    TITLE_KEY,
    VOICES,
    NarrationError,
    NarrationSpec,
    parse,
    title_problem,
    voice_problem,
)
from gradcore.narration import (
    MAX_TITLE as MAX_BEAT_TITLE,
)
from gradcore.optimizers import OPTIMIZERS, Objective, Optimizer, Trajectory, make_optimizer, run, sse_objective

__all__ = [
    "DEFAULT_LESSON_FILE",
    "LESSON_ENV",
    "LessonFile",
    "LessonFileError",
    "curve_span",
    "landscape_span",
    "load_lesson",
    "load_lesson_config",
    "quoted_key",
    "read_lesson_file",
]

LESSON_ENV = "GRADLESSON_LESSON"
"""Environment variable naming the lesson file the scenes draw (the default lesson when unset)."""
DEFAULT_LESSON_FILE = Path(__file__).resolve().parents[1] / "lessons" / "intro_to_gradients.toml"
"""The seed's lesson as a lesson file (it builds exactly ``LessonConfig()``)."""

MAX_FUNCTIONS = 6
MAX_STEPS = 10_000
MAX_POINTS = 100_000
MAX_CURVE_POINTS = 2_001  # samples of a loss curve's range
MAX_GRID_POINTS = 801  # samples of each landscape axis
CURVE_INTERVALS = 40  # derived loss-curve step: (max - min) / 40, as the seed's 0.5 over [-10, 10]
LANDSCAPE_INTERVALS = (80, 160)  # derived landscape steps for m and b, as the seed's 0.5 over 40 and 80
MAX_LESSON_BYTES = 1_000_000  # a lesson file's size (1 MB)
MAX_FUNCTION_X = 1e6  # |x_min|, |x_max| of a function's range
MIN_FUNCTION_WIDTH = 1e-6  # x_max - x_min of a function's range
FUNCTION_SAMPLES = 1001  # samples of a function's range, for check_finite and MAX_FUNCTION_VALUE
MAX_FUNCTION_VALUE = 1e12  # |f| and |f'| over a function's range: what a frame's y axis can show
MIN_H_END = 1e-6  # [secant] h_end relative to max(1, |x0|): above it the secant's slope survives rounding
MAX_MAGNITUDE = 1e9  # (m, b) pairs, fixed_b/fixed_m, range ends and the best fit: the lesson's numbers
MIN_RANGE_WIDTH = 1e-9  # a range's max - min relative to max(1, |min|, |max|)
MAX_LR = 1e6  # [clinic] lrs
RESCALE = "rescale the data (e.g. in thousands)"

MAX_TITLE = 80  # characters of the lesson's title (a slide's and a page's heading)
TABLES = ("functions", "secant", "dataset", "model", "descent", "loss_curves", "landscape", "race", "clinic", "narration")
NARRATION_KEYS = ("voice", "language", "speed", "lines")
FUNCTION_KEYS = ("name", "expression", "x_min", "x_max")
SECANT_KEYS = ("x0", "h_start", "h_end")
GENERATED_KEYS = ("seed", "n", "x_min", "x_max", "slope", "intercept", "noise", "scale")
CSV_KEYS = ("csv", "x_column", "y_column", "scale")
SCALES = ("none", "standard")
MODEL_KEYS = ("candidates",)
LOSS_CURVE_KEYS = ("m", "b", "fixed_b", "fixed_m")
LANDSCAPE_KEYS = ("m", "b")
RANGE_KEYS = ("min", "max", "step")
CLINIC_KEYS = ("lrs",)
_INT_SETTINGS = ("batch_size", "seed")
_UNIT_SETTINGS = ("beta", "rho", "b1", "b2")  # in [0, 1)


class LessonFileError(ValueError):
    """A lesson file that cannot be used: ``str`` is one line ``"<file>: <where>: <problem>; <fix>"``."""

    def __init__(self, file: Path | str, where: str, problem: str, fix: str) -> None:
        self.file, self.where, self.problem, self.fix = str(file), where, problem, fix
        one_line = " ".join(f"{self.file}: {where}: {problem}; {fix}".split())
        super().__init__(one_line)


@dataclass(frozen=True)
class LessonFile:
    """A checked lesson file: its ``path``, the files it reads (``sources``: itself, then its CSV if
    any), the :class:`LessonConfig` it describes, the :class:`Lesson` built from it and ``warnings``
    (one line each, same form as errors) about settings that run but do not do what a lesson wants."""

    path: Path
    sources: tuple[Path, ...]
    config: LessonConfig
    lesson: Lesson
    warnings: tuple[str, ...] = ()


def load_lesson_config(path: Path) -> LessonConfig:
    """The :class:`LessonConfig` of a lesson file, checked (see :func:`read_lesson_file`)."""
    return read_lesson_file(path).config


def load_lesson(path: Path) -> Lesson:
    """The lesson a lesson file describes, built once while checking it."""
    return read_lesson_file(path).lesson


def read_lesson_file(path: Path) -> LessonFile:
    """Read, check and build a lesson file; raise :class:`LessonFileError` naming the first problem."""
    return _Reader(Path(path)).read()


# --- derived defaults ---------------------------------------------------------------------------


def curve_span(center: float) -> Span:
    """A loss curve's range when the file gives none: ``center ± max(10, 3 |center|)`` with the ends
    rounded out to whole numbers and 40 steps; ``center`` is where that curve is lowest."""
    half = max(10.0, 3.0 * abs(center))
    lo, hi = math.floor(center - half), math.ceil(center + half)
    return Span(float(lo), float(hi), (hi - lo) / CURVE_INTERVALS)


def landscape_span(values: np.ndarray, intervals: int) -> Span:
    """A landscape axis when the file gives none: the smallest and largest of ``values`` (the
    descent's whole path and the optimum), widened by ``max(5, a quarter of their spread)`` on each
    side, rounded out to whole numbers, in ``intervals`` steps (80 for m, 160 for b; the end left out)."""
    lo, hi = float(np.min(values)), float(np.max(values))
    margin = max(5.0, 0.25 * (hi - lo))
    lo, hi = math.floor(lo - margin), math.ceil(hi + margin)
    return Span(float(lo), float(hi), (hi - lo) / intervals, closed=False)


def _g(value: float) -> str:
    """``value`` as ``:g`` shows it when that is exact (1e+300), else with 12 digits (1000000001)."""
    short = f"{value:g}"
    return short if float(short) == value else f"{value:.12g}"


def _round_up(value: float) -> str:
    """``value`` (> 0) rounded up to 3 significant digits, as text (a bound the fix can quote)."""
    unit = 10.0 ** (math.floor(math.log10(value)) - 2)
    return f"{math.ceil(value / unit - 1e-9) * unit:.3g}"  # - 1e-9: 1e-9 / 1e-11 is 100.00000000000001


# --- the reader ---------------------------------------------------------------------------------


def _kind(value: object) -> str:
    return {
        bool: "true/false",
        int: "an integer",
        float: "a number",
        str: "text",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.sources: list[Path] = [path]
        self.warnings: list[str] = []

    def error(self, where: str, problem: str, fix: str) -> LessonFileError:
        return LessonFileError(self.path, where, problem, fix)

    # -- typed values --

    def keys(self, table: dict[str, Any], valid: tuple[str, ...], where: str) -> None:
        for key in table:
            if key not in valid:
                place = f"{where} {key}" if where else f"[{key}]"
                kind = "key" if where else "table"
                raise self.error(place, f"unknown {kind}", f"valid {kind}s: {', '.join(valid)}")

    def table(self, doc: dict[str, Any], key: str, where: str) -> dict[str, Any]:
        value = doc.get(key, {})
        if not isinstance(value, dict):
            raise self.error(where, f"expected a table, got {_kind(value)}", f"write it as {where}")
        return value

    def number(self, value: object, where: str, positive: bool = False, bound: float = math.inf, fix: str = "") -> float:
        """``value`` as a finite float (> 0 if ``positive``) of magnitude at most ``bound``; ``fix``
        replaces the default fix for a value beyond ``bound``."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(where, f"expected a number, got {_kind(value)} {_short(value)}", "write a number such as 0.5")
        if not math.isfinite(value):
            raise self.error(where, f"{value} is not a finite number", "write a finite number")
        if positive and not value > 0:
            raise self.error(where, f"must be greater than 0, got {value:g}", "write a positive number")
        if abs(value) > bound:
            raise self.error(
                where,
                f"{_g(value)} is too large for the lesson's numbers (at most {bound:g} in magnitude)",
                fix or f"write a number from {-bound:g} to {bound:g}",
            )
        return float(value)

    def integer(self, value: object, where: str, lo: int, hi: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(where, f"expected an integer, got {_kind(value)} {_short(value)}", f"write a whole number from {lo} to {hi}")
        if not lo <= value <= hi:
            raise self.error(where, f"{value} is out of range", f"write a whole number from {lo} to {hi}")
        return value

    def text(self, value: object, where: str) -> str:
        if not isinstance(value, str):
            raise self.error(where, f"expected text, got {_kind(value)} {_short(value)}", 'write it in quotes, e.g. "..."')
        return value

    def title(self, doc: dict[str, Any]) -> str:
        """The lesson's top-level ``title`` (plain text, one line), else the seed's."""
        if "title" not in doc:
            return LessonConfig().title
        title = self.text(doc["title"], "title").strip()
        if not title or "\n" in title or len(title) > MAX_TITLE:
            raise self.error(
                "title",
                f"{len(title)} characters{' on several lines' if chr(10) in title else ''}",
                f"give one line of 1 to {MAX_TITLE} characters",
            )
        return title

    def narration(self, doc: dict[str, Any]) -> NarrationSpec:
        """``[narration]``: the voice, language and speed, and each line of ``[narration.lines]`` checked as text (a
        template with no format field, not empty, short enough, a title on one line); whether its beat, step and
        ``$names`` exist is checked against the beats (``scenes.check_narration``), which gradcore cannot import."""
        table = self.table(doc, "narration", "[narration]")
        self.keys(table, NARRATION_KEYS, "[narration]")
        default = NarrationSpec()
        voice = self.text(table.get("voice", default.voice), "[narration] voice")
        if voice not in VOICES:
            raise self.error("[narration] voice", f"unknown voice {_short(voice)}", f"choose one of {', '.join(VOICES)}")
        language = self.text(table.get("language", default.language), "[narration] language")
        if not LANGUAGE.fullmatch(language):
            raise self.error("[narration] language", f"{_short(language)} is not a language tag", 'write one such as "en", "de" or "de-AT"')
        if unspoken := voice_problem(voice, language):
            raise self.error("[narration] voice", unspoken[0], f'set voice = "{unspoken[1]}"')
        speed = self.number(table.get("speed", default.speed), "[narration] speed", positive=True)
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise self.error(
                "[narration] speed", f"{speed:g} is out of range", f"write a number from {MIN_SPEED:g} to {MAX_SPEED:g} (1.0: as spoken)"
            )
        lines = self.table(table, "lines", "[narration.lines]")
        pairs = []
        for key, value in lines.items():
            where = f"[narration.lines] {quoted_key(key)}"
            beat, dot, step = key.partition(".")
            if not (beat and dot and step) or "." in step:
                raise self.error(where, "not a step's key", 'write "<Beat>.<step>" or "<Beat>.title"; see gradlesson list --steps')
            text = self.text(value, where)
            if "\n" in text.strip() or "\r" in text.strip():
                kind = "title" if step == TITLE_KEY else "line"
                raise self.error(where, f"the {kind} has several lines", f"write the {kind} on one line")
            text = text.strip()
            if not text:
                raise self.error(where, "empty", "write the line, or leave the key out to keep the lesson's own")
            limit = MAX_BEAT_TITLE if step == TITLE_KEY else MAX_LINE
            if len(text) > limit:
                what = "a beat's title" if step == TITLE_KEY else "a subtitle"
                raise self.error(where, f"{len(text)} characters, too long for {what}", f"shorten it to at most {limit} characters")
            try:
                parse(text)
            except NarrationError as err:
                raise self.error(where, err.problem, err.fix) from None
            if step == TITLE_KEY and (problem := title_problem(text)):
                raise self.error(
                    where, problem, 'write it with ASCII and accented letters such as ä, ö, ü, ß, é (typographic quotes: "...")'
                )
            pairs.append((key, text))
        return NarrationSpec(voice, language, speed, tuple(pairs))

    def pair(
        self, value: object, where: str, positive: bool = False, example: str = "[1.0, 2.0]", bound: float = math.inf
    ) -> tuple[float, float]:
        if not isinstance(value, list) or len(value) != 2:
            got = f"an array of {len(value)}" if isinstance(value, list) else f"{_kind(value)} {_short(value)}"
            raise self.error(where, f"expected an array of two numbers, got {got}", f"write e.g. {example}")
        return (
            self.number(value[0], f"{where}[0]", positive, bound),
            self.number(value[1], f"{where}[1]", positive, bound),
        )

    def wide(self, lo: float, hi: float, where: str, least: float, width: str = "max - min") -> None:
        """Refuse ``[lo, hi]`` narrower than ``least`` (its axis would have no room for ticks, nor its
        arithmetic for digits); ``width`` names hi - lo in the fix."""
        if hi - lo < least:
            raise self.error(
                where, f"the range [{_g(lo)}, {_g(hi)}] is narrower than {least:.3g}", f"make {width} at least {_round_up(least)}"
            )

    def span(self, value: object, where: str, closed: bool, limit: int) -> Span:
        if not isinstance(value, dict):
            raise self.error(
                where, f"expected a table, got {_kind(value)}", f"write e.g. {where.split()[-1]} = {{ min = -10.0, max = 10.0 }}"
            )
        self.keys(value, RANGE_KEYS, where)
        for key in ("min", "max"):
            if key not in value:
                raise self.error(f"{where}.{key}", "missing", "give both min and max, e.g. { min = -10.0, max = 10.0 }")
        lo = self.number(value["min"], f"{where}.min", bound=MAX_MAGNITUDE)
        hi = self.number(value["max"], f"{where}.max", bound=MAX_MAGNITUDE)
        if not lo < hi:
            raise self.error(where, f"min {lo:g} >= max {hi:g}", "make min smaller than max")
        self.wide(lo, hi, where, MIN_RANGE_WIDTH * max(1.0, abs(lo), abs(hi)))
        intervals = CURVE_INTERVALS if closed else LANDSCAPE_INTERVALS[where.endswith(" b")]
        step = self.number(value["step"], f"{where}.step", positive=True) if "step" in value else (hi - lo) / intervals
        count = (hi - lo) / step
        if count < 4 - 1e-9 or count > limit:
            raise self.error(
                f"{where}.step",
                f"step {step:g} gives {count:.0f} intervals over [{lo:g}, {hi:g}]",
                f"choose a step that gives 4 to {limit} intervals, or leave step out",
            )
        return Span(lo, hi, step, closed)

    # -- the file --

    def read(self) -> LessonFile:
        try:
            raw = read_regular(self.path, MAX_LESSON_BYTES, "lesson file")
        except FileNotFoundError:
            raise self.error("file", "not found", "check the path given to --lesson") from None
        except OSError as err:
            raise self.error("file", f"cannot be read ({err.strerror})", "check the path given to --lesson") from None
        except FileProblem as err:
            raise self.error("file", err.problem, err.fix) from None
        try:
            doc = tomllib.loads(raw.decode("utf-8-sig"))  # a leading byte-order mark is dropped
        except UnicodeDecodeError:
            raise self.error("file", "not UTF-8 text", "save the lesson file as UTF-8") from None
        except tomllib.TOMLDecodeError as err:
            message = str(err)
            where = "file"
            if "(at line " in message:
                message, _, at = message.partition(" (at ")
                where = at.rstrip(")")
            raise self.error(where, f"not valid TOML ({message})", "fix the syntax (see https://toml.io)") from None
        self.keys(doc, (*TABLES, "title"), "")
        title = self.title(doc)
        narration = self.narration(doc)

        functions = self.functions(doc)
        spec, data = self.dataset(doc)
        opt = optimum(moments(data))
        descent, trajectory = self.descent(doc, data, opt)
        race, race_runs = self.race(doc, data, descent, opt)

        curves = self.table(doc, "loss_curves", "[loss_curves]")
        self.keys(curves, LOSS_CURVE_KEYS, "[loss_curves]")
        fixed_b = (
            self.number(curves["fixed_b"], "[loss_curves] fixed_b", bound=MAX_MAGNITUDE) if "fixed_b" in curves else float(round(opt.b))
        )
        fixed_m = (
            self.number(curves["fixed_m"], "[loss_curves] fixed_m", bound=MAX_MAGNITUDE) if "fixed_m" in curves else float(round(opt.m))
        )
        curve_m = self.span(curves["m"], "[loss_curves] m", True, MAX_CURVE_POINTS) if "m" in curves else curve_span(best_m(data, fixed_b))
        curve_b = self.span(curves["b"], "[loss_curves] b", True, MAX_CURVE_POINTS) if "b" in curves else curve_span(best_b(data, fixed_m))

        land = self.table(doc, "landscape", "[landscape]")
        self.keys(land, LANDSCAPE_KEYS, "[landscape]")
        m_values = np.append(trajectory.m, opt.m)
        b_values = np.append(trajectory.b, opt.b)
        landscape_m = (
            self.span(land["m"], "[landscape] m", False, MAX_GRID_POINTS)
            if "m" in land
            else landscape_span(m_values, LANDSCAPE_INTERVALS[0])
        )
        landscape_b = (
            self.span(land["b"], "[landscape] b", False, MAX_GRID_POINTS)
            if "b" in land
            else landscape_span(b_values, LANDSCAPE_INTERVALS[1])
        )

        config = LessonConfig(
            title=title,
            functions=functions,
            secant_x0=(secant := self.secant(doc, functions[0]))[0],
            secant_h=secant[1],
            dataset=spec,
            candidates=self.candidates(doc, data, opt.m, opt.b),
            curve_m=curve_m,
            curve_b=curve_b,
            fixed_b=fixed_b,
            fixed_m=fixed_m,
            landscape_m=landscape_m,
            landscape_b=landscape_b,
            descent=descent,
            race=race,
            clinic_lrs=self.clinic(doc),
            narration=narration,
        )
        lesson = build_lesson(config, trajectory, race_runs)  # with the runs made and checked above
        return LessonFile(self.path, tuple(self.sources), config, lesson, tuple(self.warnings))

    def functions(self, doc: dict[str, Any]) -> tuple[Function1D, ...]:
        if "functions" not in doc:
            return SEED_FUNCTIONS
        entries = doc["functions"]
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise self.error(
                "functions", f"expected [[functions]] tables, got {_kind(entries)}", "write each function as a [[functions]] table"
            )
        if not 1 <= len(entries) <= MAX_FUNCTIONS:
            raise self.error("[[functions]]", f"{len(entries)} functions", f"give 1 to {MAX_FUNCTIONS} [[functions]] tables")
        result = []
        for i, entry in enumerate(entries, start=1):
            where = f"[[functions]] #{i}"
            self.keys(entry, FUNCTION_KEYS, where)
            for key in FUNCTION_KEYS:
                if key not in entry:
                    example = {"name": '"Cubic"', "expression": '"x**3 - 4*x**2 + 2*x - 3"', "x_min": "-2.0", "x_max": "5.0"}[key]
                    raise self.error(f"{where} {key}", "missing", f"add e.g. {key} = {example}")
            name = self.text(entry["name"], f"{where} name").strip()
            if not name:
                raise self.error(f"{where} name", "empty", 'give the function a name, e.g. name = "Cubic"')
            text = self.text(entry["expression"], f"{where} expression")
            lo = self.number(entry["x_min"], f"{where} x_min", bound=MAX_FUNCTION_X)
            hi = self.number(entry["x_max"], f"{where} x_max", bound=MAX_FUNCTION_X)
            if not lo < hi:
                raise self.error(f"{where} x_min", f"x_min {lo:g} >= x_max {hi:g}", "make x_min smaller than x_max")
            self.wide(lo, hi, f"{where} x_max", MIN_FUNCTION_WIDTH, "x_max - x_min")
            try:
                fn = function_from_expression(name, text, lo, hi)
            except ExpressionError as err:
                raise self.error(
                    f"{where} expression",
                    err.reason + (f" at column {err.column}" if err.column else ""),
                    "write it with x, numbers, + - * / **, pi, e and sin cos tan exp log sqrt abs tanh",
                ) from None
            try:
                check_finite(fn, FUNCTION_SAMPLES)
            except ExpressionError as err:
                raise self.error(
                    f"{where} expression", f"{_short(text, 40)} is {err.reason}", "narrow x_min/x_max or change the expression"
                ) from None
            self.drawable(fn, text, f"{where} expression")
            result.append(fn)
        return tuple(result)

    def drawable(self, fn: Function1D, text: str, where: str) -> None:
        """Refuse a function whose |f| or |f'| over its range passes :data:`MAX_FUNCTION_VALUE`, with
        the widest range of samples where both stay within it as the fix."""
        x = np.linspace(fn.x_min, fn.x_max, FUNCTION_SAMPLES)
        with np.errstate(all="ignore"):
            sizes = {"f": np.abs(fn.f(x)), "f'": np.abs(fn.df(x))}
        for label, size in sizes.items():
            i = int(np.argmax(size))
            if size[i] > MAX_FUNCTION_VALUE:
                a, b = _longest_run((sizes["f"] <= MAX_FUNCTION_VALUE) & (sizes["f'"] <= MAX_FUNCTION_VALUE))
                narrower = f", e.g. x_min = {x[a]:.6g}, x_max = {x[b]:.6g}" if b > a else ""
                raise self.error(
                    where,
                    f"{_short(text, 40)}: {label} reaches {size[i]:.1e} at x = {x[i]:g} over [{fn.x_min:g}, {fn.x_max:g}],"
                    f" more than the {MAX_FUNCTION_VALUE:g} a frame can show",
                    f"narrow x_min/x_max{narrower}, or change the expression",
                )

    def secant(self, doc: dict[str, Any], fn: Function1D) -> tuple[float, tuple[float, float]]:
        table = self.table(doc, "secant", "[secant]")
        self.keys(table, SECANT_KEYS, "[secant]")
        h_start = self.number(table.get("h_start", 3.0), "[secant] h_start", positive=True)
        h_end = self.number(table.get("h_end", 0.01), "[secant] h_end", positive=True)
        if not h_end < h_start:
            raise self.error("[secant] h_end", f"h_end {h_end:g} >= h_start {h_start:g}", "make h_end smaller than h_start (h shrinks)")
        if h_start > fn.x_max - fn.x_min:
            raise self.error("[secant] h_start", f"{h_start:g} is wider than the first function's range", "choose a smaller h_start")
        if "x0" in table:
            x0 = self.number(table["x0"], "[secant] x0")
        else:  # the seed's x0 = 1 when it fits, else a third of the way along the range
            x0 = 1.0 if fn.x_min <= 1.0 and 1.0 + h_start <= fn.x_max else fn.x_min + (fn.x_max - fn.x_min - h_start) / 3
        if not (fn.x_min <= x0 and x0 + h_start <= fn.x_max):
            raise self.error(
                "[secant] x0",
                f"x0 = {x0:g} with h_start = {h_start:g} leaves the first function's range [{fn.x_min:g}, {fn.x_max:g}]",
                f"choose x0 from {fn.x_min:g} to {fn.x_max - h_start:g}",
            )
        # x0 + h is rounded to about eps |x0|, so the h really used is off by eps |x0| / h (2e-10 at the bound)
        smallest = MIN_H_END * max(1.0, abs(x0))
        if h_end < smallest:
            raise self.error(
                "[secant] h_end",
                f"{h_end:g} is so small that the secant's slope is lost to rounding",
                f"make h_end at least {smallest!r} (1e-6 × max(1, |x0|))",
            )
        return x0, (h_start, h_end)

    def dataset(self, doc: dict[str, Any]) -> tuple[DatasetSpec | PointsSpec, Dataset]:
        table = self.table(doc, "dataset", "[dataset]")
        if "csv" in table:
            self.keys(table, CSV_KEYS, "[dataset]")
            rel = self.text(table["csv"], "[dataset] csv")
            columns = [self.text(table[key], f"[dataset] {key}") if key in table else None for key in ("x_column", "y_column")]
            csv_path = self.path.parent / rel
            self.sources.append(csv_path)
            try:
                data = load_csv(csv_path, *columns)
            except CSVError as err:
                where = f"{err.where}" if err.where else "file"
                raise LessonFileError(csv_path, where, err.problem, err.fix) from None
            except FileNotFoundError:
                raise self.error("[dataset] csv", f"{csv_path} not found", "give the CSV's path relative to the lesson file") from None
            except OSError as err:
                raise self.error("[dataset] csv", f"{csv_path} cannot be read ({err.strerror})", "check the file") from None
            if data.n > MAX_POINTS:
                raise LessonFileError(csv_path, "file", f"{data.n} rows", f"use at most {MAX_POINTS} rows")
            self.fit_drawable(data, "[dataset] csv")
            scale = self.scale(table)
            return PointsSpec(tuple(data.x.tolist()), tuple(data.y.tolist()), rel, scale), standardise(
                data
            ) if scale == "standard" else data
        if any(key in table for key in ("x_column", "y_column")):
            key = "x_column" if "x_column" in table else "y_column"
            raise self.error(f"[dataset] {key}", "only used with csv", 'add csv = "file.csv" or remove the key')
        self.keys(table, GENERATED_KEYS, "[dataset]")
        seed = DatasetSpec()
        spec = DatasetSpec(
            seed=self.integer(table.get("seed", seed.seed), "[dataset] seed", 0, 2**32 - 1),
            n=self.integer(table.get("n", seed.n), "[dataset] n", 2, MAX_POINTS),
            x_min=self.number(table.get("x_min", seed.x_min), "[dataset] x_min", bound=MAX_DATA_VALUE, fix=RESCALE),
            x_max=self.number(table.get("x_max", seed.x_max), "[dataset] x_max", bound=MAX_DATA_VALUE, fix=RESCALE),
            m=self.number(table.get("slope", seed.m), "[dataset] slope", bound=MAX_DATA_VALUE, fix=RESCALE),
            b=self.number(table.get("intercept", seed.b), "[dataset] intercept", bound=MAX_DATA_VALUE, fix=RESCALE),
            noise=self.number(table.get("noise", seed.noise), "[dataset] noise", bound=MAX_DATA_VALUE, fix=RESCALE),
        )
        if not spec.x_min < spec.x_max:
            raise self.error("[dataset] x_min", f"x_min {spec.x_min:g} >= x_max {spec.x_max:g}", "make x_min smaller than x_max")
        least = MIN_RANGE_WIDTH * max(1.0, abs(spec.x_min), abs(spec.x_max))
        self.wide(spec.x_min, spec.x_max, "[dataset] x_max", least, "x_max - x_min")
        if spec.noise < 0:
            raise self.error("[dataset] noise", f"{spec.noise:g} is negative", "give the noise's standard deviation, 0 or more")
        data = make_dataset(spec)
        largest = float(np.max(np.abs(data.y)))
        if largest > MAX_DATA_VALUE:
            raise self.error(
                "[dataset]",
                f"the generated y values reach {largest:.3g}, too large for the lesson's numbers (at most {MAX_DATA_VALUE:g} in magnitude)",
                "make slope, intercept or noise smaller, or rescale the data (e.g. in thousands)",
            )
        self.fit_drawable(data, "[dataset]")
        scale = self.scale(table)
        return replace(spec, scale=scale), standardise(data) if scale == "standard" else data

    def scale(self, table: dict[str, Any]) -> str:
        """``[dataset] scale``: "none" (the data as it is) or "standard" (x and y standardised, axes in the data's units)."""
        scale = self.text(table.get("scale", "none"), "[dataset] scale")
        if scale not in SCALES:
            raise self.error(
                "[dataset] scale", f"unknown scale {_short(scale)}", 'write scale = "standard" (x and y standardised) or leave it out'
            )
        return scale

    def fit_drawable(self, data: Dataset, where: str) -> None:
        """Refuse data whose best fit (m*, b*) is beyond :data:`MAX_MAGNITUDE` (x values nearly
        equal, or far from 0 with b* far off): the landscape and the descent are drawn around it."""
        opt = optimum(moments(data))
        if not max(abs(opt.m), abs(opt.b)) <= MAX_MAGNITUDE:
            raise self.error(
                where,
                f"the best fit m* = {opt.m:.3g}, b* = {opt.b:.3g} is too large for the lesson's numbers (at most {MAX_MAGNITUDE:g} in magnitude)",
                "rescale or shift the data (e.g. x in thousands, or years since 2000)",
            )

    def settings(
        self, entry: dict[str, Any], name: str, where: str, fixed: tuple[str, ...], data: Dataset
    ) -> tuple[tuple[str, object], ...]:
        """The optimizer's keyword arguments among ``entry``'s keys (others than ``fixed``), in its
        signature's order, each checked."""
        params = inspect.signature(OPTIMIZERS[name]).parameters
        self.keys(entry, (*fixed, *params), where)
        for key, param in params.items():
            if param.default is inspect.Parameter.empty and key not in entry:
                raise self.error(f"{where} {key}", f"missing (optimizer {name!r} needs it)", f"add {key} = ...")
        settings: list[tuple[str, object]] = []
        for key in params:
            if key not in entry:
                continue
            value, at = entry[key], f"{where} {key}"
            if key == "grad_scale":
                checked: object = self.pair(value, at, positive=True, example="[0.25, 1.0]")
            elif key == "batch_size":
                checked = self.integer(value, at, 1, data.n)
            elif key in _INT_SETTINGS:
                checked = self.integer(value, at, 0, 2**32 - 1)
            else:
                checked = self.number(value, at, positive=key not in _UNIT_SETTINGS)
                if key in _UNIT_SETTINGS and not 0 <= checked < 1:
                    raise self.error(at, f"{checked:g} is outside [0, 1)", f"choose {key} from 0 up to (not including) 1, e.g. 0.9")
            settings.append((key, checked))
        return tuple(settings)

    def optimizer_name(self, entry: dict[str, Any], where: str, default: str | None) -> str:
        if "optimizer" not in entry and default is not None:
            return default
        if "optimizer" not in entry:
            raise self.error(f"{where} optimizer", "missing", f"add optimizer = one of {', '.join(OPTIMIZERS)}")
        name = self.text(entry["optimizer"], f"{where} optimizer")
        if name not in OPTIMIZERS:
            raise self.error(f"{where} optimizer", f"unknown optimizer {name!r}", f"choose one of {', '.join(OPTIMIZERS)}")
        return name

    def descent(self, doc: dict[str, Any], data: Dataset, best: Optimum) -> tuple[DescentSpec, Trajectory]:
        """The descent's settings, the ones left out derived from the data (:mod:`gradcore.advice`), and its
        run: an error if it diverges, a warning if it does not converge; either with a fix a run confirmed."""
        table = dict(self.table(doc, "descent", "[descent]"))
        seed = DescentSpec()
        name = self.optimizer_name(table, "[descent]", "gd")
        start = self.pair(table.get("start", list(seed.start)), "[descent] start", example="[-15.0, -30.0]", bound=MAX_MAGNITUDE)
        steps = self.integer(table["steps"], "[descent] steps", 1, MAX_STEPS) if "steps" in table else None
        table.setdefault("grad_scale", list(balanced_scale(data)))
        if "lr" not in table:
            scale = self.pair(table["grad_scale"], "[descent] grad_scale", positive=True)
            table["lr"] = adaptive_lr(name, start, best, steps or ROUND_STEPS[0]) if name in ADAPTIVE else stable_lr(data, scale)
        settings = dict(self.settings(table, name, "[descent]", ("start", "steps", "optimizer"), data))
        spec = DescentSpec(
            start=start,
            lr=float(cast(float, settings.pop("lr"))),  # settings() checked it is a number
            grad_scale=settings.pop("grad_scale"),  # type: ignore[arg-type]
            steps=steps or ROUND_STEPS[0],
            optimizer=name,
            settings=tuple(settings.items()),
        )
        objective = sse_objective(data)
        trajectory, facts = self.run_descent(spec, objective, best)
        if steps is None:  # the fewest round steps after which it has converged
            for count in ROUND_STEPS[1:]:
                if facts.converged or facts.diverged:
                    break
                spec = DescentSpec(spec.start, spec.lr, spec.grad_scale, count, spec.optimizer, spec.settings)
                trajectory, facts = self.run_descent(spec, objective, best)
            if facts.converged:  # the first round count at whose end the run is converged (momentum may leave and return)
                for count in (n for n in ROUND_STEPS if facts.first_within is not None and facts.first_within <= n <= spec.steps):
                    short = Trajectory(trajectory.params[: count + 1], trajectory.loss[: count + 1], trajectory.grad[: count + 1])
                    if outcome(short, best).converged:
                        spec = DescentSpec(spec.start, spec.lr, spec.grad_scale, count, name, spec.settings)
                        trajectory = short
                        break
        if facts.diverged:
            raise self.error(
                "[descent] lr",
                f"the descent ({name}) diverges at step {facts.diverged_at} with lr = {_setting(spec.lr)}",
                self.fix_text(spec, data, objective, best),
            )
        if not facts.converged:
            self.warnings.append(
                str(
                    self.error(
                        "[descent]",
                        f"after {spec.steps} steps the descent ({name}) has not converged: its loss {num(trajectory.loss[-1])} "
                        f"is {num(facts.excess)} above the least-squares loss {num(best.loss)} (converged means within {num(facts.tolerance)})",
                        self.fix_text(spec, data, objective, best),
                    )
                )
            )
        return spec, trajectory

    def run_descent(self, spec: DescentSpec, objective: Objective, best: Optimum) -> tuple[Trajectory, Outcome]:
        trajectory = run(spec.make(), objective, spec.start, spec.steps)
        return trajectory, outcome(trajectory, best)

    def fix_text(self, spec: DescentSpec, data: Dataset, objective: Objective, best: Optimum) -> str:
        """The fix a run confirmed (:func:`gradcore.advice.fix_descent`), as the second half of a message."""
        settings = dict(spec.settings)

        def make(lr: float, grad_scale: tuple[float, float]) -> Optimizer:
            return make_optimizer(spec.optimizer, lr=lr, grad_scale=grad_scale, **settings)

        fix = fix_descent(make, data, objective, spec.start, spec.lr, spec.grad_scale, spec.steps, best, MAX_STEPS)
        return _fix_words(fix, spec, data)

    def candidates(self, doc: dict[str, Any], data: Dataset, m: float, b: float) -> tuple[tuple[float, float], ...]:
        table = self.table(doc, "model", "[model]")
        self.keys(table, MODEL_KEYS, "[model]")
        if "candidates" not in table:
            seed = make_dataset()
            if np.array_equal(seed.x, data.x) and np.array_equal(seed.y, data.y):
                return LessonConfig().candidates  # the seed's data: the seed's lines
            return candidate_lines(data, m, b)
        value = table["candidates"]
        if not isinstance(value, list) or not 2 <= len(value) <= 10:
            raise self.error(
                "[model] candidates", f"expected 2 to 10 [m, b] pairs, got {_kind(value)}", "write e.g. [[0.0, 0.0], [2.0, -3.0]]"
            )
        return tuple(self.pair(v, f"[model] candidates[{i}]", example="[2.0, -3.0]", bound=MAX_MAGNITUDE) for i, v in enumerate(value))

    def race(
        self, doc: dict[str, Any], data: Dataset, descent: DescentSpec, best: Optimum
    ) -> tuple[tuple[RaceEntry, ...], tuple[Trajectory, ...]]:
        """The runners and each one's run (checked: a runner that diverges is a warning)."""
        entries = doc.get("race", _default_runners(data.n))
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise self.error("race", f"expected [[race]] tables, got {_kind(entries)}", "write each runner as a [[race]] table")
        if not 1 <= len(entries) <= 8:
            raise self.error("[[race]]", f"{len(entries)} runners", "give 1 to 8 [[race]] tables")
        result, runs = [], []
        for i, entry in enumerate(entries, start=1):
            where = f"[[race]] #{i}"
            name = self.optimizer_name(entry, where, None)
            label = self.text(entry.get("label", name), f"{where} label")
            entry = dict(entry)
            if "lr" not in entry:  # derived: the descent's scale and rate, or a rate from the distance to cover
                adaptive = name in ADAPTIVE
                entry["lr"] = adaptive_lr(name, descent.start, best, descent.steps) if adaptive else descent.lr
                if not adaptive:
                    entry.setdefault("grad_scale", list(descent.grad_scale))
            runner = RaceEntry(label, name, self.settings(entry, name, where, ("label", "optimizer"), data))
            runs.append(run(make_optimizer(name, **dict(runner.settings)), sse_objective(data), descent.start, descent.steps))
            facts = outcome(runs[-1], best)
            if facts.diverged:
                self.warnings.append(
                    str(
                        self.error(
                            f"{where} lr",
                            f"{_short(label, 40)} ({name}) diverges at step {facts.diverged_at} with lr = {_setting(cast(float, dict(runner.settings)['lr']))}",
                            "the race shows it stopping there; use a smaller lr, or leave lr out to derive it",
                        )
                    )
                )
            result.append(runner)
        return tuple(result), tuple(runs)

    def clinic(self, doc: dict[str, Any]) -> tuple[float, float, float, float] | None:
        table = self.table(doc, "clinic", "[clinic]")
        self.keys(table, CLINIC_KEYS, "[clinic]")
        if "lrs" not in table:
            return None
        value = table["lrs"]
        if not isinstance(value, list) or len(value) != 4:
            raise self.error(
                "[clinic] lrs", f"expected 4 learning rates, got {_kind(value)}", "write e.g. [0.0001, 0.001, 0.004, 0.006] or leave it out"
            )
        a, b, c, d = (self.number(v, f"[clinic] lrs[{i}]", positive=True, bound=MAX_LR) for i, v in enumerate(value))
        for i, (lower, higher) in enumerate(((a, b), (b, c), (c, d)), start=1):
            if not lower < higher:
                raise self.error(
                    f"[clinic] lrs[{i}]",
                    f"{higher:g} is not larger than lrs[{i - 1}] = {lower:g}",
                    "order the four rates from too small to diverging, e.g. [0.0001, 0.001, 0.004, 0.006]",
                )
        return a, b, c, d


def _setting(value: float) -> str:
    return setting_format(value).text(value)


def _fix_words(fix: Fix | None, spec: DescentSpec, data: Dataset) -> str:
    """``use lr = 0.005 (checked: converges in 60 steps)`` and the like, for a :class:`~gradcore.advice.Fix`."""
    if fix is None:
        return "every learning rate tried, down to 10⁻¹² of this one, diverges: rescale the data (e.g. into thousands) or move start closer"
    if fix.grad_scale == spec.grad_scale and fix.lr == spec.lr:
        return f"use steps = {fix.steps} (checked: converges in {fix.converged_in} steps)"
    if fix.grad_scale is None:
        if fix.converged_in is None:
            return f"use lr = {_setting(fix.lr)} (checked: it then does not diverge, but it does not converge in {spec.steps} steps either)"
        return f"use lr = {_setting(fix.lr)} (checked: converges in {fix.converged_in} steps)"
    ratio = steepness(data)
    scale = ", ".join(_setting(v) for v in fix.grad_scale)
    more = f" and steps = {fix.steps}" if fix.steps else ""
    return (
        f"m and b are badly scaled (∂L/∂m is {num(ratio, 2)}× as steep as ∂L/∂b): use grad_scale = [{scale}], "
        f"lr = {_setting(fix.lr)}{more} (checked: converges in {fix.converged_in} steps), or leave grad_scale, lr and steps out to derive them"
    )


def _default_runners(n: int) -> list[dict[str, Any]]:
    """The seed's runners (:data:`~gradcore.lesson.DEFAULT_RACE`) as ``[[race]]`` tables without ``lr`` and
    ``grad_scale``, so that those are derived from the data like any runner's; mini-batch SGD's batch_size at most
    ``max(1, n // 4)`` (the seed's 10 from 40 points)."""
    derived = ("lr", "grad_scale")
    tables = []
    for entry in DEFAULT_RACE:
        table: dict[str, Any] = {"label": entry.label, "optimizer": entry.optimizer}
        table.update((key, value) for key, value in entry.settings if key not in derived)
        if "batch_size" in table:
            table["batch_size"] = min(table["batch_size"], max(1, n // 4))
        tables.append(table)
    return tables


def _longest_run(ok: np.ndarray) -> tuple[int, int]:
    """The first and last index of the longest run of True in ``ok`` (``(0, 0)`` if none is longer than 1)."""
    best, start = (0, 0), 0
    for i, flag in enumerate(ok.tolist()):
        if not flag:
            start = i + 1
        elif i - start > best[1] - best[0]:
            best = (start, i)
    return best


def quoted_key(key: str) -> str:
    """A ``[narration.lines]`` key as TOML quotes it: ``"DescentOnContours.final"``."""
    return '"' + " ".join(key.split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _short(value: object, limit: int = 24) -> str:
    text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
