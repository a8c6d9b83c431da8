"""Property-based tests: any text gives a value or an ExpressionError, never a crash."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iocompendium.questionnaires.engine import check_structure, evaluate
from iocompendium.questionnaires.expressions import (
    ExpressionError,
    XDate,
    evaluate_expression,
)
from iocompendium.questionnaires.expressions.functions import FUNCTIONS
from iocompendium.questionnaires.expressions.values import to_string

VALUES = {"a": "3", "b": "", "c": "x y z", "n": 4.0, "d": "2024-01-31"}

# Pieces of real expressions, so that generated text often gets past the parser.
TOKENS = st.sampled_from([
    "${a}", "${b}", "${c}", "${n}", "${d}", "${nope}", ".", "..", "/", "//", "data", "*",
    "(", ")", "[", "]", ",", "'x'", '"y"', "''", "0", "1", "2.5", ".5", "-", "+", "div",
    "mod", "and", "or", "=", "!=", "<", "<=", ">", ">=", "|", "not(", "count(", "sum(",
    "selected(", "concat(", "if(", "substr(", "date(", "today()", "now()", "round(",
    "coalesce(", "regex(", "format-date(", "string-length(", "number(", "position()",
    "jr:choice-name(", "indexed-repeat(", "once(", "max(", "int(", "decimal-date-time(",
    "translate(", "@", "::", "child::", "$", "{", "}", "#", "\u00e9", " ",
])
RESULT_TYPES = (bool, float, str, list, XDate)


def _check(text: str) -> None:
    try:
        result = evaluate_expression(text, VALUES, current="5")
    except ExpressionError as error:
        assert str(error)
        return
    assert isinstance(result, RESULT_TYPES)
    assert isinstance(to_string(result), str)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_arbitrary_text_gives_a_value_or_an_expression_error(text: str) -> None:
    _check(text)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TOKENS, max_size=14).map("".join))
def test_token_soup_gives_a_value_or_an_expression_error(text: str) -> None:
    _check(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.text(max_size=20))
def test_evaluate_never_raises_on_any_expression_or_answer(expression: str, answer: str) -> None:
    column = {"relevant": expression, "constraint": expression, "calculation": ""}
    structure = {
        "form_id": "p", "form_version": "", "title": {}, "default_language": "en",
        "languages": ["en"], "choices": {},
        "children": [
            {"type": "integer", "name": "a", "row": 2, "label": {}, "hint": {}, "required": "",
             "required_message": {}, "constraint_message": {}, "soft_constraint": expression,
             "soft_constraint_message": {}, "default": "", "read_only": "", "choice_list": "",
             "choice_filter": "", "or_other": False, "appearance": "", "repeat_count": "",
             "parameters": {}, **column},
            {"type": "calculate", "name": "c", "row": 3, "label": {}, "hint": {},
             "relevant": "", "required": "", "required_message": {}, "constraint": "",
             "constraint_message": {}, "soft_constraint": "", "soft_constraint_message": {},
             "calculation": expression, "default": "", "read_only": "", "choice_list": "",
             "choice_filter": "", "or_other": False, "appearance": "", "repeat_count": "",
             "parameters": {}},
        ],
    }
    result = evaluate(structure, {"a": answer})
    assert set(result) == {"a", "c"}
    assert isinstance(result["c"]["value"], str)
    problems = check_structure(structure)
    assert all(p.sheet == "survey" and p.row in (2, 3) for p in problems)


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_number_to_string_round_trips_finite_numbers(number: float) -> None:
    text = to_string(number)
    if math.isnan(number):
        assert text == "NaN"
    elif math.isinf(number):
        assert text in ("Infinity", "-Infinity")
    elif "E" not in text:
        assert abs(float(text) - number) <= 1e-12 * max(1.0, abs(number)) or abs(number) < 1e-12


def _call(name_and_args: tuple[str, list[str]]) -> str:
    name, args = name_and_args
    return f"{name}({', '.join(args)})"


_LEAVES = st.sampled_from([
    "${a}", "${b}", "${c}", "${n}", "${d}", ".", "'x'", "''", "0", "1", "2.5", "-3",
    "'2024-02-30'", "1 div 0", "0 div 0", "/data/*", "'[a-'", "999999999999", "'%Y%'",
])
_FUNCTION_NAMES = st.sampled_from(sorted(name for name in FUNCTIONS if name != "indexed-repeat"))
WELL_FORMED = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "div", "mod", "=", "!=", "<", ">=",
                                          "and", "or", "|"]), inner)
        .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(_FUNCTION_NAMES, st.lists(inner, max_size=4)).map(_call),
    ),
    max_leaves=12,
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(WELL_FORMED)
def test_well_formed_expressions_give_a_value_or_an_expression_error(text: str) -> None:
    _check(text)
