"""Table-driven expression cases.

Expected values come from the specifications, not from this engine's output:
- XPath 1.0 (https://www.w3.org/TR/xpath-10/), section numbers given per group;
- the ODK XForms specification (https://getodk.github.io/xforms-spec/), "XPath
  functions" and "Data types";
- where both are silent, JavaRosa (ODK Collect's engine, XPathFuncExpr/XPathEqExpr), named
  as such in the comment.
Values given to ``${name}`` are plain strings (text questions) unless a float is given,
which stands for an answered integer/decimal question (JavaRosa reads those as numbers).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest

from iocompendium.questionnaires.expressions import (
    ExpressionError,
    XDate,
    compile_expression,
    evaluate_expression,
    to_string,
)

NAN = float("nan")
INF = float("inf")
NOW = datetime(2026, 11, 26, 14, 30, 0, tzinfo=UTC)
VALUES = {
    "empty": "",
    "text": "hello",
    "five_text": "5",
    "five": 5.0,  # an integer question answered 5
    "decimal": 2.5,
    "multi": "apple banana cherry",
    "one": "banana",
    "zero": 0.0,
    "word_false": "false",
}


def days(iso: str) -> float:
    """Days since 1970-01-01, computed with the standard library (independent of the engine)."""
    return float((date.fromisoformat(iso) - date(1970, 1, 1)).days)


CASES = [
    # --- XPath 1.0, 3.5 Numbers: operators and the examples of the spec ------------------
    ("1 + 2", 3.0),
    ("5 - 7", -2.0),
    ("2 * 3", 6.0),
    ("7 div 2", 3.5),
    ("7 mod 3", 1.0),
    ("5 mod 2", 1.0),  # spec example
    ("5 mod -2", 1.0),  # spec example
    ("-5 mod 2", -1.0),  # spec example
    ("-5 mod -2", -1.0),  # spec example
    ("1 div 0", INF),  # IEEE 754 as the spec requires
    ("-1 div 0", -INF),
    ("0 div 0", NAN),
    ("- 3", -3.0),
    ("--3", 3.0),
    ("2 + 3 * 4", 14.0),  # precedence: multiplicative binds tighter
    ("(2 + 3) * 4", 20.0),
    ("10 - 4 - 3", 3.0),  # left associative
    ("12 div 2 div 3", 2.0),
    ("1.5 + .5", 2.0),
    ("3 * -2", -6.0),
    ("2*3", 6.0),  # '*' after a number is the multiply operator (3.7)
    ("${five}*2", 10.0),
    ("${five} div 2", 2.5),
    ("${five} mod 3", 2.0),
    ("${decimal} * 2", 5.0),
    # --- XPath 1.0, 4.4: arithmetic converts operands with number() ---------------------
    ("'3' + '4'", 7.0),
    ("'' + 1", NAN),  # number('') is NaN
    ("'abc' * 2", NAN),
    ("true() + 1", 2.0),  # number(true()) = 1
    ("false() * 5", 0.0),
    ("${empty} + 1", NAN),  # unanswered = '' -> NaN
    ("${five_text} + 1", 6.0),
    ("' 12 ' + 0", 12.0),  # whitespace around a number is allowed
    # --- XPath 1.0, 3.4 Booleans: = and != ----------------------------------------------
    ("'' = 0", False),  # number('') is NaN, and NaN = 0 is false
    ("'' = ''", True),
    ("0 = false()", True),  # compared as booleans
    ("'0' = false()", False),  # boolean('0') is true (non-empty string)
    ("'' = false()", True),
    ("1 = true()", True),
    ("2 = true()", True),
    ("'abc' = 'abc'", True),
    ("'abc' != 'abd'", True),
    ("'abc' != 'abc'", False),
    ("'1.0' = 1", True),  # one side a number: both compared as numbers
    ("'1.0' = '1'", False),  # both strings: compared as strings
    ("number('x') = number('x')", False),  # NaN is not equal to itself
    ("number('x') != number('x')", True),
    ("${five} = 5", True),
    ("${five_text} = 5", True),
    ("${five_text} = '5'", True),
    ("${five} = '5.0'", True),  # JavaRosa: a numeric node compares as a number
    ("${five_text} = '5.0'", False),  # a text node compares as a string
    ("${empty} = ''", True),
    ("${empty} != ''", False),
    ("${empty} = 0", False),
    ("${one} = 'banana'", True),
    ("${missing_name} = ''", True),  # JavaRosa: an empty node-set unpacks to ''
    # --- XPath 1.0, 3.4 Booleans: relational operators compare numbers ------------------
    ("3 > 2", True),
    ("2 >= 2", True),
    ("2 <= 1", False),
    ("1 < 2", True),
    ("'10' > '9'", True),  # both converted to numbers
    ("'a' < 'b'", False),  # NaN < NaN is false
    ("'a' >= 'a'", False),
    ("${empty} > 3", False),  # '' -> NaN
    ("${empty} <= 3", False),
    ("${empty} < 3 or ${empty} >= 3", False),
    ("${five} > 3", True),
    ("${five_text} > 30", False),
    ("1 < 2 < 3", True),  # (1 < 2) = true -> 1 < 3
    ("3 > 2 > 1", False),  # (3 > 2) = true -> 1 > 1
    ("true() > false()", True),  # 1 > 0
    # --- XPath 1.0, 3.4: and / or and precedence ---------------------------------------
    ("true() and false()", False),
    ("true() or false()", True),
    ("1 and 'x'", True),
    ("0 or ''", False),
    ("'false' and true()", True),  # a non-empty string is true
    ("${word_false} and true()", True),
    ("${empty} or ${zero}", False),  # JavaRosa: a single node is read by its value
    ("1 = 1 and 2 = 3 or 4 = 4", True),  # and binds tighter than or
    ("1 = 1 or 2 = 3 and 4 = 5", True),
    ("not(1 = 2) and 3 > 2", True),
    ("(1 = 1 or 1 = 2) and 1 = 3", False),
    # --- XPath 1.0, 4.3 Boolean functions ----------------------------------------------
    ("boolean('')", False),
    ("boolean('0')", True),
    ("boolean(0)", False),
    ("boolean(-1)", True),
    ("boolean(number('x'))", False),
    ("boolean(${text})", True),
    ("not(true())", False),
    ("not('')", True),
    ("not(0)", True),
    ("true()", True),
    ("false()", False),
    # --- XPath 1.0, 4.4 Number functions -----------------------------------------------
    ("number('12')", 12.0),
    ("number(' 12 ')", 12.0),
    ("number('1e3')", NAN),  # no exponent notation in XPath 1.0
    ("number('+5')", NAN),  # no leading plus either
    ("number('')", NAN),
    ("number(true())", 1.0),
    ("number(false())", 0.0),
    ("number('-3.5')", -3.5),
    ("number('abc')", NAN),
    ("floor(2.7)", 2.0),
    ("floor(-2.5)", -3.0),
    ("ceiling(2.1)", 3.0),
    ("ceiling(-2.5)", -2.0),
    ("round(2.5)", 3.0),  # ties go towards positive infinity
    ("round(-2.5)", -2.0),
    ("round(2.4)", 2.0),
    ("round(-0.4)", 0.0),
    ("round(number('x'))", NAN),
    # --- XPath 1.0, 4.2 string(): number-to-string rules --------------------------------
    ("string(number('x'))", "NaN"),
    ("string(1 div 0)", "Infinity"),
    ("string(-1 div 0)", "-Infinity"),
    ("string(1)", "1"),  # an integer has no decimal point
    ("string(1.5)", "1.5"),
    ("string(-0.5)", "-0.5"),
    ("string(7 div 2)", "3.5"),
    ("string(0)", "0"),
    ("string(true())", "true"),
    ("string(false())", "false"),
    ("string(${five})", "5"),
    ("string('abc')", "abc"),
    # --- XPath 1.0, 4.2 String functions (with the spec's own examples) ------------------
    ("string-length('hello')", 5.0),
    ("string-length('')", 0.0),
    ("string-length(${text})", 5.0),
    ("string-length(${empty})", 0.0),
    ("concat('a', 'b', 'c')", "abc"),
    ("concat('n=', 5)", "n=5"),
    ("concat(${text}, ' ', ${five})", "hello 5"),
    ("contains('hello', 'ell')", True),
    ("contains('hello', 'xyz')", False),
    ("contains('hello', '')", True),
    ("starts-with('hello', 'he')", True),
    ("starts-with('hello', 'lo')", False),
    ("starts-with('hello', '')", True),
    ("substring('12345', 2, 3)", "234"),  # spec example
    ("substring('12345', 2)", "2345"),  # spec example
    ("substring('12345', 1.5, 2.6)", "234"),  # spec example
    ("substring('12345', 0, 3)", "12"),  # spec example
    ("substring('12345', 0 div 0, 3)", ""),  # spec example
    ("substring('12345', 1, 0 div 0)", ""),  # spec example
    ("substring('12345', -42, 1 div 0)", "12345"),  # spec example
    ("substring('12345', -1 div 0, 1 div 0)", ""),  # spec example
    ("substring-before('1999/04/01', '/')", "1999"),  # spec example
    ("substring-after('1999/04/01', '/')", "04/01"),  # spec example
    ("substring-after('1999/04/01', '19')", "99/04/01"),  # spec example
    ("substring-before('abc', 'x')", ""),
    ("normalize-space('  a   b  ')", "a b"),
    ("translate('bar', 'abc', 'ABC')", "BAr"),  # spec example
    ("translate('--aaa--', 'abc-', 'ABC')", "AAA"),  # spec example
    # --- ODK XForms: ends-with, substr, join, concat of node-sets ------------------------
    ("ends-with('hello', 'llo')", True),
    ("ends-with('hello', 'hel')", False),
    ("substr('hello', 1)", "ello"),  # 0-based start
    ("substr('hello', 1, 3)", "el"),  # end is exclusive
    ("substr('hello', 0, 5)", "hello"),
    ("substr('hello', 10)", ""),
    ("join('-', 'a', 'b', 'c')", "a-b-c"),
    ("join(', ', ${text}, ${one})", "hello, banana"),
    ("concat(${text})", "hello"),
    # --- ODK XForms: select questions (space-separated values) ------------------------
    ("selected(${multi}, 'banana')", True),
    ("selected(${multi}, 'grape')", False),
    ("selected(${multi}, 'ban')", False),  # whole items only
    ("selected(${empty}, 'apple')", False),
    ("selected(${one}, 'banana')", True),  # works on select_one values too
    ("selected('a b', ' a ')", True),  # JavaRosa trims the wanted value
    ("count-selected(${multi})", 3.0),
    ("count-selected(${empty})", 0.0),
    ("count-selected('a')", 1.0),
    ("selected-at(${multi}, 0)", "apple"),  # 0-based
    ("selected-at(${multi}, 2)", "cherry"),
    ("selected-at(${multi}, 3)", ""),  # outside the list
    ("selected-at(${empty}, 0)", ""),
    # --- ODK XForms: if, coalesce, once -------------------------------------------------
    ("if(true(), 'y', 'n')", "y"),
    ("if('', 1, 2)", 2.0),
    ("if(${five} > 3, 'big', 'small')", "big"),
    ("if(${empty} = '', 'none', ${empty})", "none"),
    ("coalesce(${empty}, 'x')", "x"),
    ("coalesce(${text}, 'x')", "hello"),
    ("coalesce(number('x'), 7)", 7.0),  # NaN counts as empty
    ("once('first')", "first"),  # no current value yet
    # --- ODK XForms: number functions --------------------------------------------------
    ("int(3.7)", 3.0),
    ("int(-3.7)", -3.0),
    ("int('12.9')", 12.0),
    ("int('')", NAN),
    ("round(3.14159, 2)", 3.14),
    ("round(2.345, 2)", 2.35),
    ("round(1234.5, -2)", 1200.0),
    ("round(-1.25, 1)", -1.3),  # with digits, ties away from zero (Enketo, ODK Collect)
    ("round(1.25, 1)", 1.3),
    ("round(-2.5, 0)", -3.0),
    ("round(-1250, -2)", -1300.0),
    ("round(-1.24, 1)", -1.2),
    ("min(3, 1, 2)", 1.0),
    ("max(3, 1, 2)", 3.0),
    ("max(${empty}, 2)", 2.0),  # JavaRosa skips values that are not numbers
    ("pow(2, 10)", 1024.0),
    ("abs(-4)", 4.0),
    ("sqrt(16)", 4.0),
    ("regex('abc', '[a-z]+')", True),
    ("regex('abc1', '[a-z]+')", False),  # JavaRosa: the whole value must match
    ("regex('ABC-123', '^[A-Z]{3}-[0-9]{3}$')", True),
    ("regex(${empty}, '[0-9]+')", False),
    ("regex('x', '(')", False),  # an invalid pattern matches nothing
    ("boolean-from-string('true')", True),
    ("boolean-from-string('TRUE')", True),
    ("boolean-from-string('1')", True),
    ("boolean-from-string('yes')", False),
    ("boolean-from-string('0')", False),
    # --- ODK XForms: dates ('Data types': a date is days since 1970-01-01 as a number,
    # YYYY-MM-DD as a string) --------------------------------------------------------
    ("string(date('2024-01-31'))", "2024-01-31"),
    ("string(date(0))", "1970-01-01"),
    ("string(date(19753))", "2024-01-31"),
    ("date('2024-02-28') + 1", days("2024-02-28") + 1),
    ("string(date(date('2024-02-28') + 1))", "2024-02-29"),  # leap year
    ("string(date(date('2023-02-28') + 1))", "2023-03-01"),
    ("decimal-date-time('1970-01-02')", 1.0),
    ("decimal-date-time('1970-01-01T12:00:00Z')", 0.5),
    ("decimal-date-time('2000-03-01')", days("2000-03-01")),
    ("number(date('2000-03-01'))", days("2000-03-01")),
    ("date('2024-01-01') < date('2024-01-02')", True),
    ("date('2024-01-01') = '2024-01-01'", True),  # JavaRosa: compared as strings
    # A date against a date-shaped string compares dates (ODK; numbers would give NaN)
    ("date('2024-01-02') > '2020-01-01'", True),
    ("'2020-01-01' < date('2024-01-02')", True),
    ("date('2019-12-31') > '2020-01-01'", False),
    ("date('2020-01-01') >= '2020-01-01'", True),
    ("date('2020-01-01') > 'not a date'", False),
    ("'2024-01-01' < '2024-01-02'", False),  # plain strings: both NaN as numbers
    ("today() - date('2026-11-20')", 6.0),
    ("string(today())", "2026-11-26"),
    ("today() > date('2026-01-01')", True),
    ("format-date(date('2024-03-05'), '%Y-%m-%d')", "2024-03-05"),
    ("format-date(date('2024-03-05'), '%e/%n/%y')", "5/3/24"),
    ("format-date(date('2024-03-05'), '%d %b %Y')", "05 Mar 2024"),
    ("format-date(date('2024-03-05'), '%a')", "Tue"),
    ("format-date('2024-03-05T07:08:09Z', '%H:%M:%S')", "07:08:09"),
    ("format-date(${empty}, '%Y')", ""),
    ("format-date(now(), '%Y-%m-%d %H:%M')", "2026-11-26 14:30"),
    ("date(${empty})", ""),  # an empty value stays empty
    # --- current value '.' (ODK: the question's own value in constraints) ---------------
    (". > 3", True),  # '.' is '7' below
    (". + 1", 8.0),
    ("string-length(.)", 1.0),
    ("string-length()", 1.0),  # no argument: the context node
    # --- XPath 1.0, 2 Location paths / 3.3 node-sets -------------------------------------
    ("/data/text = 'hello'", True),
    ("count(/data/*) > 5", True),
    ("count(${text} | ${one})", 2.0),
    ("count(${text} | ${text})", 1.0),  # a union has no duplicates
    ("count(/data/*[. = 'hello'])", 1.0),
    ("../text", "hello"),  # the parent of the current node is the instance root
    ("string(/data/five)", "5"),
    ("count(${missing_name})", 0.0),
    # --- XPath 1.0, 2.4 Predicates: a number n means position() = n; last() is the size
    ("string(/data/*[2])", "hello"),  # the instance's second child is `text`
    ("count(/data/*[position() = 2])", 1.0),
    ("string(/data/*[last()])", "7"),  # the last child is the current node
    ("count(/data/*[position() > last() - 2])", 2.0),
    ("count(/data/*[. = 'hello' or . = 'banana'])", 2.0),
]


def _same(actual: object, expected: object) -> bool:
    if isinstance(actual, list):  # a node-set: compare its string-value (XPath string())
        actual = to_string(actual)
    if isinstance(actual, XDate):
        actual = str(actual)
    if isinstance(expected, float):
        if math.isnan(expected):
            return isinstance(actual, float) and math.isnan(actual)
        return isinstance(actual, float) and actual == pytest.approx(expected)
    if isinstance(expected, bool):
        return actual is expected
    return actual == expected


@pytest.mark.parametrize(("expression", "expected"), CASES, ids=[c[0] for c in CASES])
def test_expression_case(expression: str, expected: object) -> None:
    actual = evaluate_expression(expression, VALUES, current="7", now=NOW)
    assert _same(actual, expected), f"{expression!r} gave {actual!r}, expected {expected!r}"


def test_there_are_at_least_150_cases() -> None:
    assert len(CASES) >= 150


# XPath 1.0 grammar (section 3) and ODK's ${name} syntax: these are not expressions.
SYNTAX_ERRORS = [
    "", "   ", "1 +", "(1", "1)", "foo(", "'abc", "${}", "${a b}", "1 2", "concat(",
    "unknown_function(1)", "if(1, 2)", "not()", "selected('a')", "]", "@", "$x", "1 = = 2",
    "* 2", "substr('a')", "a[", "'a' 'b'", "indexed-repeat(${a}, ${b})", "round(1, 2, 3)",
    "1 +* 2", "${a", "1 # 2", "a::b", "..."
]


@pytest.mark.parametrize("expression", SYNTAX_ERRORS)
def test_syntax_errors_raise_expression_error(expression: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(expression)
    assert str(caught.value)  # a plain message


def test_parse_error_message_names_the_position() -> None:
    with pytest.raises(ExpressionError, match="position 5"):
        compile_expression("1 + )")


def test_compiled_expressions_are_cached_by_text() -> None:
    assert compile_expression("${a} + 1") is compile_expression("${a} + 1")


def test_references_lists_the_names() -> None:
    assert compile_expression("${a} > 1 and selected(${b}, 'x') or ${a} = 2").references == {
        "a", "b"}


def test_deep_nesting_is_an_expression_error_not_a_crash() -> None:
    with pytest.raises(ExpressionError):
        compile_expression("(" * 5000 + "1" + ")" * 5000)


def test_runtime_type_error_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError):
        evaluate_expression("count('not a node-set')")


def test_today_is_the_local_calendar_date_of_now() -> None:
    # ODK XForms today(): the current date in the device's time zone.
    from datetime import timedelta, timezone

    paris_after_midnight = datetime(2026, 11, 27, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    assert to_string(evaluate_expression("today()", now=paris_after_midnight)) == "2026-11-27"
    # now(): ISO 8601 with the time zone (ODK XForms spec, now())
    assert to_string(evaluate_expression("now()", now=paris_after_midnight)) == (
        "2026-11-27T00:30:00.000+01:00")
    assert evaluate_expression("format-date(now(), '%H:%M')", now=paris_after_midnight) == "00:30"
