"""Plain text of f and f' for subtitles: printed from the checked sympy tree, never TeX."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcore.expressions import ExpressionError, function_from_expression, parse_expression, plain_text

# (typed text, f as text, f' as text)
TABLE = [
    ("sin(x)*exp(-x/4)", "exp(-x/4)·sin(x)", "-exp(-x/4)·sin(x)/4 + exp(-x/4)·cos(x)"),
    ("x**3 - 4*x**2 + 2*x - 3", "x^3 - 4x^2 + 2x - 3", "3x^2 - 8x + 2"),
    ("cos(x)", "cos(x)", "-sin(x)"),
    ("log(x)", "log(x)", "1/x"),
    ("sqrt(x)", "sqrt(x)", "1/(2·sqrt(x))"),
    ("abs(x - 1)", "|x - 1|", "sign(x - 1)"),
    ("1/(1 + exp(-x))", "1/(1 + exp(-x))", "exp(-x)/(1 + exp(-x))^2"),
    ("tanh(5*x)", "tanh(5x)", "5 - 5·tanh(5x)^2"),
    ("x**(1/2)", "sqrt(x)", "1/(2·sqrt(x))"),
    ("pi*x", "πx", "π"),
    ("e**x", "exp(x)", "exp(x)"),
    ("2.5*x", "5x/2", "5/2"),
    ("x**2*cos(x)", "x^2·cos(x)", "-x^2·sin(x) + 2x·cos(x)"),
    ("x**(1/3)", "x^(1/3)", "1/(3x^(2/3))"),
    ("x**x**x", "x^(x^x)", "x^(x^x)·(x^x·(log(x) + 1)·log(x) + x^x/x)"),
    ("x**-2", "1/x^2", "-2/x^3"),
    ("2*pi*x", "2πx", "2π"),
    ("e*x", "e·x", "e"),
    ("e**(-x**2)", "exp(-x^2)", "-2x·exp(-x^2)"),
]


@pytest.mark.parametrize(("typed", "text", "dtext"), TABLE, ids=[row[0] for row in TABLE])
def test_plain_text_of_f_and_f_prime(typed: str, text: str, dtext: str) -> None:
    fn = function_from_expression(typed, typed, 1.0, 2.0)
    assert (fn.text, fn.dtext) == (text, dtext)


TOKENS = ["x", "2", "10", "0.5", "pi", "e", "+", "-", "*", "/", "**", "(", ")"]
TOKENS += ["sin(", "cos(", "tan(", "exp(", "sqrt(", "log(", "abs(", "tanh("]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=24).map("".join))
def test_plain_text_is_never_tex(typed: str) -> None:
    try:
        expr = parse_expression(typed)
    except ExpressionError:
        return
    for text in (plain_text(expr), plain_text(expr.diff(parse_expression("x")))):
        assert text and not set(text) & set("\\{}$*"), text
        assert "frac" not in text and "left" not in text, text
