"""The lesson's dataset: the only place randomness happens."""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gradcore.files import FileProblem, read_regular

__all__ = [
    "MAX_CSV_BYTES",
    "MAX_DATA_VALUE",
    "MAX_DRAWN",
    "MIN_X_SPREAD",
    "CSVError",
    "Dataset",
    "DatasetSpec",
    "PointsSpec",
    "Units",
    "load_csv",
    "make_dataset",
    "standardise",
]

MAX_CSV_BYTES = 64_000_000
"""Largest CSV file read (64 MB)."""
MAX_DATA_VALUE = 1e9
"""Largest magnitude of a data value: the lesson's losses (sums of squares) stay far from overflow."""
MIN_X_SPREAD = 1e-9
"""Least max(x) - min(x), relative to max(1, |x|): a slope can be fitted (Σ(x - x̄)² does not underflow)."""
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|[+-]?(?:nan|inf|infinity)", re.ASCII | re.IGNORECASE)
MAX_DRAWN = 1000  # data points a picture draws at most (the numbers always use all of them)


@dataclass(frozen=True)
class DatasetSpec:
    """A noisy line ``y = m x + b + noise * N(0, 1)`` at ``x = x_min + i (x_max - x_min) / n``, i < n.

    The defaults are the seed's: ``np.random.seed(42)``, ``x = arange(-5, 5, 0.25)``, m = 2, b = −3.
    """

    seed: int = 42
    n: int = 40
    x_min: float = -5.0
    x_max: float = 5.0
    m: float = 2.0
    b: float = -3.0
    noise: float = 1.0
    scale: str = "none"  # or "standard": see Units


@dataclass(frozen=True)
class PointsSpec:
    """Given points (e.g. read from a CSV file by :func:`load_csv`), kept as plain tuples so that a
    :class:`~gradcore.lesson.LessonConfig` stays hashable; ``source`` says where they came from."""

    x: tuple[float, ...]
    y: tuple[float, ...]
    source: str = ""
    scale: str = "none"  # or "standard": see Units


@dataclass(frozen=True)
class Units:
    """How standardised data maps back to the data's units: ``x = x_mean + x_sd · x'``, ``y = y_mean + y_sd · y'``
    (``[dataset] scale = "standard"``: the lesson fits ``y' = m x' + b`` on ``x' = (x − x̄) / s_x``,
    ``y' = (y − ȳ) / s_y``, a well-conditioned bowl whatever the data's scale)."""

    x_mean: float
    x_sd: float
    y_mean: float
    y_sd: float

    def line(self, m: float, b: float) -> tuple[float, float]:
        """The standardised line ``y' = m x' + b`` in the data's units: ``(m s_y / s_x, ȳ + s_y b − slope · x̄)``."""
        slope = m * self.y_sd / self.x_sd
        return slope, self.y_mean + self.y_sd * b - slope * self.x_mean


@dataclass(frozen=True)
class Dataset:
    """Points ``(x_i, y_i)``, both read-only arrays of shape ``(n,)``; ``units`` if they are standardised."""

    x: np.ndarray
    y: np.ndarray
    units: Units | None = None

    def __post_init__(self) -> None:
        x = np.array(self.x, dtype=float)
        y = np.array(self.y, dtype=float)
        if x.ndim != 1 or x.shape != y.shape:
            raise ValueError(f"x and y must be 1D arrays of one length, got shapes {x.shape} and {y.shape}")
        if len(x) < 2:
            raise ValueError(f"a dataset needs at least 2 points, got {len(x)}")
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            raise ValueError("dataset values must be finite")
        if np.ptp(x) == 0:
            raise ValueError("all x values are equal: the slope m is undetermined")
        x.flags.writeable = y.flags.writeable = False
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)

    @property
    def n(self) -> int:
        return len(self.x)

    def drawn(self, limit: int = MAX_DRAWN) -> np.ndarray:
        """Indices of the points a picture draws: all of them up to ``limit``, else ``limit`` of them evenly
        spread through the data's order (so no frame costs O(n) for a large dataset)."""
        if self.n <= limit:
            return np.arange(self.n)
        return np.unique(np.linspace(0, self.n - 1, limit).round().astype(int))


def make_dataset(spec: DatasetSpec | PointsSpec = DatasetSpec()) -> Dataset:
    """Generate the dataset exactly as the seed does (legacy ``RandomState`` stream, same float order),
    or, for a :class:`PointsSpec`, the given points; standardised if ``spec.scale == "standard"``."""
    if isinstance(spec, PointsSpec):
        data = Dataset(np.array(spec.x, dtype=float), np.array(spec.y, dtype=float))
        return standardise(data) if spec.scale == "standard" else data
    if spec.n < 2:
        raise ValueError(f"dataset n must be at least 2, got {spec.n}")
    if not spec.x_min < spec.x_max:
        raise ValueError(f"dataset x range needs x_min < x_max, got [{spec.x_min}, {spec.x_max}]")
    x = spec.x_min + (spec.x_max - spec.x_min) / spec.n * np.arange(spec.n)
    noise = np.random.RandomState(spec.seed).normal(size=x.shape)
    data = Dataset(x, x * spec.m + spec.b + spec.noise * noise)
    return standardise(data) if spec.scale == "standard" else data


def standardise(data: Dataset) -> Dataset:
    """``x' = (x − x̄) / s_x``, ``y' = (y − ȳ) / s_y`` (population standard deviations; ``s_y`` 1 if y is constant)."""
    x_mean, y_mean = float(np.mean(data.x)), float(np.mean(data.y))
    x_sd, y_sd = float(np.std(data.x)), float(np.std(data.y)) or 1.0
    return Dataset((data.x - x_mean) / x_sd, (data.y - y_mean) / y_sd, Units(x_mean, x_sd, y_mean, y_sd))


class CSVError(ValueError):
    """A CSV file that is not a dataset. ``where`` names the place (``"row 7"``, ``"column 'y'"`` or
    ``""`` for the whole file), ``problem`` what is wrong and ``fix`` what to do; ``str`` is one line."""

    def __init__(self, where: str, problem: str, fix: str) -> None:
        self.where, self.problem, self.fix = where, problem, fix
        super().__init__(f"{where + ': ' if where else ''}{problem}; {fix}")


def _number(cell: str) -> float | None:
    """The value of a plain ASCII number such as ``-3.5e2`` (nan and inf too, refused later as not
    finite); None for anything else, including what ``float`` also takes (``1_0``, non-ASCII digits)."""
    return float(cell) if _PLAIN_NUMBER.fullmatch(cell) else None


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """The non-empty rows of ``text`` with their line numbers, cells stripped; a cell too long for
    the csv module is a :class:`CSVError` naming its row."""
    reader = csv.reader(text.splitlines())
    rows: list[tuple[int, list[str]]] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows
        except csv.Error as err:
            raise CSVError(f"row {reader.line_num}", f"not valid CSV ({err})", "write a plain number (e.g. 3.5) in each cell") from None
        cells = [c.strip() for c in row]
        if any(cells):
            rows.append((reader.line_num, cells))


def _column(header: list[str] | None, name: str | None, default: int, which: str) -> int:
    if name is None:
        return default
    if header is None:
        raise CSVError(
            "row 1", f"no header row, so the {which} column {name!r} cannot be found", f"add a header row or leave out {which}_column"
        )
    names = [h.strip() for h in header]
    if name not in names:
        raise CSVError("row 1", f"no column named {name!r} (columns: {', '.join(names)})", f"set {which}_column to one of them")
    return names.index(name)


def load_csv(path: Path, x_column: str | None = None, y_column: str | None = None) -> Dataset:
    """The points of a CSV file with (at least) two numeric columns.

    The first row is a header when one of its cells is not a number; ``x_column`` and ``y_column``
    then pick columns by name (default: the first two columns). Empty lines are skipped. Every
    cell used must be a finite number: otherwise :class:`CSVError` names the row (1-based, as a
    spreadsheet counts lines, header included) and the column. Only a regular file of at most
    :data:`MAX_CSV_BYTES` is read, and values are at most :data:`MAX_DATA_VALUE` in magnitude.
    """
    try:
        text = read_regular(Path(path), MAX_CSV_BYTES, "CSV file").decode("utf-8-sig")
    except FileProblem as err:
        raise CSVError("", err.problem, err.fix) from None
    except UnicodeDecodeError:
        raise CSVError("", "not a UTF-8 text file", "save it as CSV (UTF-8)") from None
    rows = _rows(text)
    if not rows:
        raise CSVError("", "the file is empty", "put two numeric columns in it, x then y")
    first_line, first = rows[0]
    header = first if any(_number(c) is None for c in first) else None
    body = rows[1:] if header is not None else rows
    width = len(first)
    if width < 2:
        raise CSVError(f"row {first_line}", "only one column", "give two columns separated by commas, x then y")
    xi = _column(header, x_column, 0, "x")
    yi = _column(header, y_column, 1, "y")
    if xi == yi:
        raise CSVError(f"row {first_line}", "x and y are the same column", "choose two different columns")
    names = header if header is not None else [f"{k + 1}" for k in range(width)]
    xs, ys = [], []
    for line, row in body:
        if len(row) != width:
            raise CSVError(f"row {line}", f"{len(row)} cells where the first row has {width}", "give every row the same number of cells")
        values = []
        for index in (xi, yi):
            value = _number(row[index])
            label = f"column {names[index]!r}" if header is not None else f"column {index + 1}"
            if value is None:
                shown = row[index] if len(row[index]) <= 20 else row[index][:17] + "..."
                raise CSVError(f"row {line}", f"{label}: {shown!r} is not a number", "write a plain number (e.g. 3.5) or remove the row")
            if not math.isfinite(value):
                raise CSVError(f"row {line}", f"{label}: {row[index]!r} is not a finite number", "write a finite number or remove the row")
            if abs(value) > MAX_DATA_VALUE:
                raise CSVError(
                    f"row {line}",
                    f"{label}: {value:g} is too large for the lesson's numbers (at most {MAX_DATA_VALUE:g} in magnitude)",
                    "rescale the data (e.g. in thousands)",
                )
            values.append(value)
        xs.append(values[0])
        ys.append(values[1])
    if len(xs) < 2:
        raise CSVError("", f"{len(xs)} data row{'s' if len(xs) != 1 else ''}", "give at least 2 rows of numbers")
    if max(xs) == min(xs):
        raise CSVError("", "all x values are equal, so the slope m is undetermined", "give x values that differ")
    least = MIN_X_SPREAD * max(1.0, abs(min(xs)), abs(max(xs)))
    if max(xs) - min(xs) < least:
        raise CSVError(
            "",
            f"the x values span only {max(xs) - min(xs):.3g}, too little to fit a slope",
            f"give x values at least {least:.3g} apart, or rescale x",
        )
    return Dataset(np.array(xs), np.array(ys))
