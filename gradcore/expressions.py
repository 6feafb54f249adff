"""Safe parsing of a lecturer's function text (e.g. ``"sin(x)*exp(-x/4)"``) into a :class:`Function1D`.

The text is data, never code. It is never given to ``eval``/``exec``, ``sympy.sympify`` or
``parse_expr`` (those evaluate Python). Instead:

1. the raw text is bounded (:data:`MAX_LENGTH` characters) and must be printable ASCII, so unicode
   look-alikes cannot reach Python's NFKC identifier normalisation (``"ｓｉｎ"`` → ``"sin"``,
   ``"ℯ"`` → ``"e"``);
2. it is parsed with ``ast.parse(..., mode="eval")``, which only builds a syntax tree;
3. the tree is checked against an allowlist of node types (:data:`FUNCTIONS`, the variable,
   :data:`CONSTANTS`, numbers, ``+ - * / **``, unary ``-``/``+``) and a node budget (:data:`MAX_NODES`);
4. the sympy expression is built bottom-up from the checked nodes, each step bounded before sympy
   computes anything expensive: literal magnitudes (:data:`MAX_LITERAL`), constant exponents
   (:data:`MAX_EXPONENT`, so ``9**9**9`` is refused before ``9**387420489`` is attempted; this also
   applies after sympy combines powers, so ``x**6*x**6`` = ``x**12`` is refused), powers stacked in
   exponents (:data:`MAX_TOWER`), the size of exact rationals (:data:`MAX_EXACT`) and of constant
   values (:data:`MAX_VALUE`); the result must be real and finite (no ``zoo``, ``nan``, ``oo``, ``I``).

The derivative, both LaTeX strings and both plain texts are then derived from that tree by sympy
(``diff``, ``latex``, :func:`plain_text`, ``lambdify``), so the only LaTeX that reaches the screen is
what sympy printed.
"""

from __future__ import annotations

import ast
import functools
import itertools
from collections.abc import Callable

import numpy as np
import sympy
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

from gradcore.functions import Function1D

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "MAX_EXACT",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_LITERAL",
    "MAX_NODES",
    "MAX_TOWER",
    "MAX_VALUE",
    "ExpressionError",
    "check_finite",
    "function_from_expression",
    "parse_expression",
    "plain_text",
    "symbol",
]

MAX_LENGTH = 200
"""Characters of input, checked before anything is parsed."""
MAX_NODES = 80
"""Expression nodes (numbers, names, operators, calls) in the parsed tree."""
MAX_LITERAL = 1e6
"""Largest magnitude of a number written in the text."""
MAX_EXPONENT = 10
"""Largest magnitude of an exponent that is a constant (``x**10``, ``2**-3``; not ``x**11``)."""
MAX_EXACT = 10**30
"""Largest numerator/denominator of any exact rational in the built expression."""
MAX_VALUE = 1e30
"""Largest magnitude of any constant sub-expression (e.g. ``exp(100)`` is refused)."""
MAX_TOWER = 2
"""Most powers stacked in exponents (``exp(u)`` counts as ``e**u``): ``e**(-x**2)``, ``x**x**x`` and
``exp(exp(x))`` stack 2 and are allowed; ``x**x**x**x`` and ``exp(exp(exp(x)))`` are not."""

FUNCTIONS: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "abs": sympy.Abs,
    "tanh": sympy.tanh,
}
"""The functions a lesson may call, each with exactly one positional argument."""
CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E}
"""The named constants a lesson may use besides its variable."""

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}
_NOT_FINITE = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I)
_DESCRIBE: dict[type, str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "indexing",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "comprehension",
    ast.JoinedStr: "f-string",
    ast.FormattedValue: "f-string",
    ast.IfExp: "conditional expression",
    ast.Compare: "comparison",
    ast.BoolOp: "'and'/'or'",
    ast.NamedExpr: "assignment ':='",
    ast.Starred: "starred argument",
    ast.Tuple: "tuple (stray comma?)",
    ast.List: "list",
    ast.Set: "set",
    ast.Dict: "dict",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slice",
}


class ExpressionError(ValueError):
    """The text is not an allowed expression (or the function is not finite over its range).

    ``str(error)`` is one line: the (shortened, escaped) text, the 1-based ``column`` when known and
    the ``reason``, e.g. ``"x ** y: column 6: unknown name 'y' (allowed: x, pi, e)"``.
    """

    def __init__(self, reason: str, text: str | None = None, column: int | None = None) -> None:
        self.reason = reason
        self.text = text
        self.column = column
        parts = [] if text is None else [_shown(text)]
        if column is not None:
            parts.append(f"column {column}")
        super().__init__(": ".join([*parts, reason]))


def _shown(text: str, limit: int = 60) -> str:
    """The text for an error message: one line, non-ASCII escaped, shortened."""
    safe = text.encode("ascii", "backslashreplace").decode("ascii")
    safe = "".join(c if c.isprintable() else repr(c)[1:-1] for c in safe)
    return safe if len(safe) <= limit else safe[: limit - 3] + "..."


def symbol(variable: str = "x") -> sympy.Symbol:
    """The sympy symbol :func:`parse_expression` uses for ``variable`` (real, so ``|x|' = sign(x)``)."""
    return sympy.Symbol(variable, real=True)


def _check_variable(variable: str) -> None:
    if not (variable.isascii() and variable.isidentifier()) or variable in FUNCTIONS or variable in CONSTANTS:
        raise ExpressionError(f"the variable must be an ASCII identifier other than {', '.join([*FUNCTIONS, *CONSTANTS])}", variable)


def parse_expression(text: str, variable: str = "x") -> sympy.Expr:
    """The sympy expression for ``text`` in ``variable``, or :class:`ExpressionError` saying what is
    not allowed and where. Never evaluates the text as code; see the module docstring for the
    allowlist and the bounds."""
    if not isinstance(text, str):
        raise ExpressionError(f"expected text, got {type(text).__name__}")
    _check_variable(variable)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"too long ({len(text)} characters, at most {MAX_LENGTH})", text)
    for i, char in enumerate(text):
        if not (" " <= char <= "~"):
            raise ExpressionError(
                f"character {char!a} (U+{ord(char):04X}) is not allowed (only printable ASCII)",
                text,
                i + 1,
            )
    body = text.lstrip(" ")
    indent = len(text) - len(body)
    if not body:
        raise ExpressionError("empty expression")
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError as err:  # includes IndentationError
        column = None if err.offset is None else err.offset + indent
        raise ExpressionError(f"not a valid expression ({err.msg})", text, column) from None
    except (ValueError, RecursionError, MemoryError) as err:
        raise ExpressionError(f"not a valid expression ({type(err).__name__})", text) from None
    nodes = sum(1 for node in ast.walk(tree) if isinstance(node, ast.expr))
    if nodes > MAX_NODES:
        raise ExpressionError(f"too many terms ({nodes} nodes, at most {MAX_NODES})", text)
    return _Builder(text, indent, variable).build(tree.body)


class _Builder:
    """Builds the sympy tree from checked ``ast`` nodes, bounding every step."""

    def __init__(self, text: str, indent: int, variable: str) -> None:
        self.text = text
        self.indent = indent
        self.variable = variable
        self.names: dict[str, sympy.Expr] = {variable: symbol(variable), **CONSTANTS}
        self.tower = 0

    def error(self, node: ast.AST, reason: str) -> ExpressionError:
        column = getattr(node, "col_offset", None)
        return ExpressionError(reason, self.text, None if column is None else column + 1 + self.indent)

    def build(self, node: ast.AST) -> sympy.Expr:
        expr = self.node(node)
        self.bounded(node, expr)
        return expr

    def node(self, node: ast.AST) -> sympy.Expr:
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            if node.id in self.names:
                return self.names[node.id]
            if node.id in FUNCTIONS:
                raise self.error(node, f"function '{node.id}' must be called, e.g. {node.id}({self.variable})")
            allowed = ", ".join([self.variable, *CONSTANTS])
            raise self.error(node, f"unknown name '{node.id}' (allowed: {allowed})")
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            operand = self.build(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left = self.build(node.left)
            if isinstance(node.op, ast.Pow):
                return self.power(node, left, self.exponent(node, node.right))
            right = self.build(node.right)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if right.is_zero:  # ast.Div
                raise self.error(node, "division by zero")
            return left / right
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.error(node, f"{self.describe(node)} is not allowed")

    def describe(self, node: ast.AST) -> str:
        if isinstance(node, ast.BinOp):
            return f"operator {_op_text(node.op)}"
        if isinstance(node, ast.UnaryOp):
            return f"unary operator {_op_text(node.op)}"
        return _DESCRIBE.get(type(node), type(node).__name__)

    def number(self, node: ast.Constant) -> sympy.Expr:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = {str: "text", bytes: "bytes", complex: "imaginary number"}.get(type(value), type(value).__name__)
            raise self.error(node, f"{kind} {_shown(repr(value), 20)} is not allowed (only real numbers)")
        if not (abs(value) <= MAX_LITERAL):  # also catches inf (1e400) and nan
            raise self.error(node, f"number too large (at most {MAX_LITERAL:g} in magnitude)")
        # Floats become exact rationals from their shortest repr (0.5 -> 1/2): exact derivatives
        # and LaTeX without "1.0 x".
        exact = sympy.Integer(value) if isinstance(value, int) else sympy.Rational(repr(value))
        if max(abs(exact.p), exact.q) > MAX_EXACT:
            raise self.error(node, "number too small or too precise")
        return exact

    def call(self, node: ast.Call) -> sympy.Expr:
        func = node.func
        if not isinstance(func, ast.Name):
            raise self.error(node, f"calling {self.describe(func)} is not allowed (only {', '.join(FUNCTIONS)})")
        if func.id not in FUNCTIONS:
            raise self.error(node, f"unknown function '{func.id}' (allowed: {', '.join(FUNCTIONS)})")
        if node.keywords or len(node.args) != 1:
            raise self.error(node, f"{func.id}() takes exactly one argument, e.g. {func.id}({self.variable})")
        if func.id == "exp":
            return sympy.exp(self.exponent(node, node.args[0]))
        return FUNCTIONS[func.id](self.build(node.args[0]))

    def exponent(self, node: ast.AST, exponent: ast.AST) -> sympy.Expr:
        """Build an exponent, at most MAX_TOWER powers deep."""
        self.tower += 1
        if self.tower > MAX_TOWER:
            raise self.error(node, f"too many powers stacked in exponents (at most {MAX_TOWER}, e.g. e**(-x**2))")
        built = self.build(exponent)
        self.tower -= 1
        return built

    def power(self, node: ast.BinOp, base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
        # Checked before sympy evaluates anything: a constant exponent is small, so an exact
        # constant power is at most MAX_EXACT**MAX_EXPONENT (cheap) and is bounded again after.
        if not exponent.free_symbols:
            value = self.value(node.right, exponent)
            if abs(value) > MAX_EXPONENT:
                raise self.error(node, f"exponent {value:g} too large (at most {MAX_EXPONENT} in magnitude)")
            if base.is_zero and value < 0:
                raise self.error(node, "division by zero")
        return base**exponent

    def value(self, node: ast.AST, expr: sympy.Expr) -> float:
        """The float value of a constant sub-expression that is real, finite and not too large."""
        try:
            value = complex(sympy.N(expr, 20))
        except (TypeError, ValueError, OverflowError, ArithmeticError):
            raise self.error(node, "constant is not a finite real number") from None
        if not np.isfinite(value) or abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
            raise self.error(node, "constant is not a finite real number")
        if abs(value.real) > MAX_VALUE:
            raise self.error(node, f"constant too large (at most {MAX_VALUE:g} in magnitude)")
        return value.real

    def bounded(self, node: ast.AST, expr: sympy.Expr) -> None:
        """Every built sub-expression: finite, real, exact numbers and constant powers bounded."""
        if expr.has(*_NOT_FINITE):
            raise self.error(node, "not a finite real number (division by zero, log(0), sqrt of a negative, ...)")
        for number in expr.atoms(sympy.Rational):
            if max(abs(number.p), number.q) > MAX_EXACT:
                digits = len(str(MAX_EXACT)) - 1
                raise self.error(node, f"number too large or too precise (exact numbers have at most {digits} digits)")
        for pw in expr.atoms(sympy.Pow):  # e.g. (x**10)**10 -> x**100
            if pw.exp.is_number and abs(self.value(node, pw.exp)) > MAX_EXPONENT:
                raise self.error(node, f"exponent {pw.exp} too large (at most {MAX_EXPONENT} in magnitude)")
        if not expr.free_symbols:
            self.value(node, expr)


def _op_text(op: ast.AST) -> str:
    return {
        ast.FloorDiv: "//",
        ast.Mod: "%",
        ast.MatMult: "@",
        ast.BitAnd: "&",
        ast.BitOr: "|",
        ast.BitXor: "^ (for powers write **)",
        ast.LShift: "<<",
        ast.RShift: ">>",
        ast.Invert: "~",
        ast.Not: "not",
    }.get(type(op), type(op).__name__)


def _numpy(expr: sympy.Expr, x: sympy.Symbol) -> Callable[[np.ndarray], np.ndarray]:
    """``expr`` as a numpy function that always returns a float array shaped like its input."""
    raw = sympy.lambdify(x, expr, modules="numpy")

    def fn(values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        return np.asarray(raw(values), dtype=float) + np.zeros_like(values)

    fn.__doc__ = f"{expr} (sympy.lambdify to numpy)"
    return fn


class _PlainPrinter(StrPrinter):
    """sympy's ``str`` for a caption: ``x^3 - 4x^2 + 2x - 3``, ``exp(-x/4)·sin(x)``, ``|x - 1|``, ``πx``."""

    def _print_Pi(self, expr: sympy.Expr) -> str:
        return "π"

    def _print_Exp1(self, expr: sympy.Expr) -> str:
        return "e"

    def _print_Abs(self, expr: sympy.Expr) -> str:
        return f"|{self._print(expr.args[0])}|"

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        base, exp = expr.base, expr.exp
        if exp.is_number and exp.is_negative:  # alone (in a product, Mul puts it under the fraction bar)
            return f"1/{self.parenthesize(sympy.Pow(base, -exp), PRECEDENCE['Mul'], strict=True)}"
        if exp == sympy.S.Half:
            return f"sqrt({self._print(base)})"
        prec = precedence(expr)
        return f"{self.parenthesize(base, prec, strict=False)}^{self.parenthesize(exp, prec, strict=False)}"

    def _print_Mul(self, expr: sympy.Mul) -> str:
        if expr.could_extract_minus_sign():
            return "-" + self.parenthesize(-expr, PRECEDENCE["Mul"], strict=True)
        numer: list[sympy.Expr] = []
        denom: list[sympy.Expr] = []
        for factor in expr.as_ordered_factors():
            if factor.is_Rational:
                numer += [sympy.Integer(factor.p)] if factor.p != 1 else []
                denom += [sympy.Integer(factor.q)] if factor.q != 1 else []
            elif factor.is_Pow and factor.exp.is_number and factor.exp.is_negative:
                denom.append(sympy.Pow(factor.base, -factor.exp))
            else:
                numer.append(factor)
        text = self._product(numer) if numer else "1"
        if not denom:
            return text
        under = self._product(denom)
        return f"{text}/{under if len(denom) == 1 and precedence(denom[0]) > PRECEDENCE['Mul'] else f'({under})'}"

    def _product(self, factors: list[sympy.Expr]) -> str:
        """``factors`` side by side after a number (``4x^2``, ``2π``), else joined by ``·``."""
        text = self.parenthesize(factors[0], PRECEDENCE["Mul"], strict=False)
        for left, right in itertools.pairwise(factors):
            atom = right.base if right.is_Pow and right.exp != sympy.S.Half else right
            beside = (left.is_Number or left is sympy.pi) and (atom.is_Symbol or atom is sympy.pi)
            text += ("" if beside else "·") + self.parenthesize(right, PRECEDENCE["Mul"], strict=False)
        return text


def plain_text(expr: sympy.Expr) -> str:
    """``expr`` as plain text for a subtitle (no TeX): powers ``x^2``, products ``·`` (``4x`` after a number),
    ``-`` for minus, ``π``, ``e``, ``|x|``, ``sqrt(x)`` and the lesson's function names."""
    return _PlainPrinter().doprint(expr)


@functools.lru_cache(maxsize=128)
def function_from_expression(name: str, text: str, x_min: float, x_max: float, variable: str = "x") -> Function1D:
    """A :class:`Function1D` from the text of f alone: f' by ``sympy.diff``, both LaTeX strings by
    ``sympy.latex``, both plain texts by :func:`plain_text` and both callables by ``sympy.lambdify`` to
    numpy. The range must be finite with ``x_min < x_max``; use :func:`check_finite` to check the
    function over it. Memoised (the result is immutable): a lesson read again reuses its functions."""
    x_min, x_max = float(x_min), float(x_max)
    if not (np.isfinite(x_min) and np.isfinite(x_max) and x_min < x_max):
        raise ExpressionError(f"range [{x_min:g}, {x_max:g}] must be finite with x_min < x_max", name)
    expr = parse_expression(text, variable)
    x = symbol(variable)
    derivative = sympy.diff(expr, x)
    return Function1D(
        name,
        _numpy(expr, x),
        _numpy(derivative, x),
        sympy.latex(expr),
        sympy.latex(derivative),
        plain_text(expr),
        plain_text(derivative),
        x_min,
        x_max,
    )


@functools.lru_cache(maxsize=128)
def check_finite(fn: Function1D, samples: int = 1001) -> None:
    """Raise :class:`ExpressionError` naming the first x of ``linspace(x_min, x_max, samples)`` where
    f or f' is not a finite number (e.g. ``log(x)`` over [-1, 1] at x = -1), or else a pole between
    samples (e.g. ``tan(x)`` over [-2, 2] near x = -1.5708), found by :func:`find_pole`. A function found
    finite is not checked again (memoised by the function object, which :func:`function_from_expression` reuses)."""
    x = np.linspace(fn.x_min, fn.x_max, samples)
    with np.errstate(all="ignore"):
        values = {"f": fn.f(x), "f'": fn.df(x)}
    bad = ~np.isfinite(values["f"]) | ~np.isfinite(values["f'"])
    if bad.any():
        i = int(np.argmax(bad))
        which = " and ".join(f"{label} = {v[i]}" for label, v in values.items() if not np.isfinite(v[i]))
        raise ExpressionError(f"not finite at x = {x[i]:g} ({which}) over [{fn.x_min:g}, {fn.x_max:g}]", fn.name)
    for label, g in (("f", fn.f), ("f'", fn.df)):
        pole = find_pole(g, x, values[label])
        if pole is not None:
            raise ExpressionError(
                f"not finite near x = {pole:.6g} (|{label}| grows without bound) over [{fn.x_min:g}, {fn.x_max:g}]", fn.name
            )


GROWTH = 1e4  # |g| between samples beyond this many times its local maximum over the samples (at least 1): a pole


def find_pole(g: Callable[[np.ndarray], np.ndarray], x: np.ndarray, y: np.ndarray) -> float | None:
    """The first x where |g| grows without bound between the samples ``(x, y)``, or None.

    Around each sample where |y| is a local maximum, a ternary search for the largest |g| closes in on the
    point (100 rounds); a pole, even a weak one (``sqrt(abs(x))``'s f' at 0), shows as |g| growing past
    :data:`GROWTH` times the sampled maximum; a finite peak that the samples see (``1/(x**2 + 1e-6)``) does not."""
    size = np.abs(np.broadcast_to(y, x.shape))
    left, right = np.append(-1.0, size[:-1]), np.append(size[1:], -1.0)  # no neighbour past either end
    peaks = np.flatnonzero((size >= left) & (size >= right) & ((size > left) | (size > right)))
    for i in peaks.tolist():
        lo, hi = x[max(i - 1, 0)], x[min(i + 1, len(x) - 1)]
        with np.errstate(all="ignore"):  # overflow of the limit itself (|y| near 1e308) included
            limit = GROWTH * max(size[i], 1.0)
            for _ in range(100):
                a, b = lo + (hi - lo) / 3, hi - (hi - lo) / 3
                ga, gb = np.abs(np.broadcast_to(g(np.array([a, b])), (2,)))
                for point, value in ((a, ga), (b, gb)):
                    if not value <= limit:  # beyond it, or nan / inf
                        return float(point)
                lo, hi = (lo, b) if ga >= gb else (a, hi)
    return None
