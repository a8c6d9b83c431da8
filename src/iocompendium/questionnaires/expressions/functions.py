"""The XPath 1.0 core functions and the ODK XForms function library.

Each function follows the ODK XForms specification
(https://getodk.github.io/xforms-spec/#xpath-functions); where the specification is
silent, JavaRosa's behaviour (ODK Collect's engine) is taken.  Functions never raise on
odd input: they return '' or NaN the way ODK does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import random
import uuid as uuid_module
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

import re2

from .context import Context
from .errors import ExpressionError
from .nodes import Node
from .values import (
    EPOCH,
    XDate,
    date_from_days,
    number_to_string,
    parse_date,
    to_boolean,
    to_date,
    to_number,
    to_string,
    today_of,
    unpack,
)


@dataclass(frozen=True)
class FunctionSpec:
    min_args: int
    max_args: int | None
    implementation: Callable
    lazy: bool = False
    check: Callable[[tuple], None] | None = None

    def arity_text(self) -> str:
        if self.max_args == self.min_args:
            return f"takes {self.min_args} argument{'s' if self.min_args != 1 else ''}"
        if self.max_args is None:
            return f"takes at least {self.min_args} argument{'s' if self.min_args != 1 else ''}"
        return f"takes {self.min_args} to {self.max_args} arguments"


FUNCTIONS: dict[str, FunctionSpec] = {}


def register(name: str, min_args: int, max_args: int | None = -1, *, lazy: bool = False,
             check: Callable[[tuple], None] | None = None, aliases: tuple[str, ...] = ()):
    def decorator(implementation: Callable) -> Callable:
        spec = FunctionSpec(min_args, min_args if max_args == -1 else max_args,
                            implementation, lazy, check)
        for alias in (name, *aliases):
            FUNCTIONS[alias] = spec
        return implementation
    return decorator


def _flatten(values: list[object]) -> list[object]:
    """Arguments with node-sets expanded into their nodes' values (ODK concat/join)."""
    flat: list[object] = []
    for value in values:
        if isinstance(value, list):
            flat.extend(node.value() for node in value)
        else:
            flat.append(value)
    return flat


def _is_empty(value: object) -> bool:
    value = unpack(value)
    return (isinstance(value, str) and value == "") or (
        isinstance(value, float) and math.isnan(value))


def _nodeset(value: object, name: str) -> list[Node]:
    if not isinstance(value, list):
        raise ExpressionError(f"{name}() needs a node-set (a question reference)")
    return value


# --- XPath 1.0 node-set functions (section 4.1) -------------------------------------

@register("last", 0)
def _last(ctx: Context, args: list) -> float:
    return float(ctx.size)


@register("position", 0, 1)
def _position(ctx: Context, args: list) -> float:
    if args:
        nodes = _nodeset(args[0], "position")
        return float(nodes[0].index) if nodes else 0.0
    if ctx.size > 1 or ctx.position > 1:
        return float(ctx.position)
    return float(ctx.node.index)


@register("count", 1)
def _count(ctx: Context, args: list) -> float:
    return float(len(_nodeset(args[0], "count")))


@register("count-non-empty", 1)
def _count_non_empty(ctx: Context, args: list) -> float:
    return float(sum(1 for node in _nodeset(args[0], "count-non-empty")
                     if to_string(node.value()) != ""))


@register("name", 0, 1, aliases=("local-name",))
def _name(ctx: Context, args: list) -> str:
    nodes = _nodeset(args[0], "name") if args else [ctx.node]
    return nodes[0].name if nodes and nodes[0].name != "#document" else ""


@register("current", 0)
def _current(ctx: Context, args: list) -> list[Node]:
    return [ctx.current] if ctx.current is not None else [ctx.node]


@register("instance", 1)
def _instance(ctx: Context, args: list) -> list[Node]:
    document = ctx.env.instance(to_string(args[0]))
    return [document] if document is not None else []


# --- XPath 1.0 string functions (section 4.2) ----------------------------------------

@register("string", 0, 1)
def _string(ctx: Context, args: list) -> str:
    return to_string(args[0]) if args else to_string(ctx.node.value())


@register("concat", 0, None)
def _concat(ctx: Context, args: list) -> str:
    return "".join(to_string(value) for value in _flatten(args))


@register("join", 1, None)
def _join(ctx: Context, args: list) -> str:
    return to_string(args[0]).join(to_string(value) for value in _flatten(args[1:]))


@register("starts-with", 2)
def _starts_with(ctx: Context, args: list) -> bool:
    return to_string(args[0]).startswith(to_string(args[1]))


@register("ends-with", 2)
def _ends_with(ctx: Context, args: list) -> bool:
    return to_string(args[0]).endswith(to_string(args[1]))


@register("contains", 2)
def _contains(ctx: Context, args: list) -> bool:
    return to_string(args[1]) in to_string(args[0])


@register("substring-before", 2)
def _substring_before(ctx: Context, args: list) -> str:
    text, part = to_string(args[0]), to_string(args[1])
    where = text.find(part)
    return text[:where] if where >= 0 else ""


@register("substring-after", 2)
def _substring_after(ctx: Context, args: list) -> str:
    text, part = to_string(args[0]), to_string(args[1])
    where = text.find(part)
    return text[where + len(part):] if where >= 0 else ""


def _xpath_round(number: float) -> float:
    if math.isnan(number) or math.isinf(number):
        return number
    return float(math.floor(number + 0.5))


@register("substring", 2, 3)
def _substring(ctx: Context, args: list) -> str:
    """XPath 1.0: characters at positions p with round(start) <= p < round(start)+round(len)."""
    text = to_string(args[0])
    start = _xpath_round(to_number(args[1]))
    end = start + _xpath_round(to_number(args[2])) if len(args) == 3 else math.inf
    if math.isnan(start) or math.isnan(end):
        return ""
    return "".join(char for position, char in enumerate(text, start=1) if start <= position < end)


@register("substr", 2, 3)
def _substr(ctx: Context, args: list) -> str:
    """ODK: 0-based start, exclusive end, negative values count from the end."""
    text = to_string(args[0])
    length = len(text)
    start = _to_int_or_none(args[1])
    end = _to_int_or_none(args[2]) if len(args) == 3 else length
    if start is None or end is None:
        return ""
    if start < 0:
        start += length
    if end < 0:
        end += length
    start = min(max(0, start), length)
    end = min(max(0, end), length)
    return text[start:end] if start <= end else ""


def _to_int_or_none(value: object) -> int | None:
    number = to_number(value)
    if math.isnan(number):
        return 0
    if math.isinf(number):
        return None if number < 0 else 2**31 - 1
    return math.trunc(number)


@register("string-length", 0, 1)
def _string_length(ctx: Context, args: list) -> float:
    return float(len(to_string(args[0] if args else ctx.node.value())))


@register("normalize-space", 0, 1)
def _normalize_space(ctx: Context, args: list) -> str:
    return " ".join(to_string(args[0] if args else ctx.node.value()).split())


@register("translate", 3)
def _translate(ctx: Context, args: list) -> str:
    text, source, target = (to_string(a) for a in args)
    table: dict[str, str | None] = {}
    for position, char in enumerate(source):
        table.setdefault(char, target[position] if position < len(target) else None)
    return "".join(table.get(char, char) or "" for char in text)


# --- XPath 1.0 boolean functions (section 4.3) ---------------------------------------

@register("boolean", 1)
def _boolean(ctx: Context, args: list) -> bool:
    return to_boolean(args[0])


@register("not", 1)
def _not(ctx: Context, args: list) -> bool:
    return not to_boolean(args[0])


@register("true", 0)
def _true(ctx: Context, args: list) -> bool:
    return True


@register("false", 0)
def _false(ctx: Context, args: list) -> bool:
    return False


@register("lang", 1)
def _lang(ctx: Context, args: list) -> bool:
    return False


@register("boolean-from-string", 1)
def _boolean_from_string(ctx: Context, args: list) -> bool:
    text = to_string(args[0])
    return text.lower() == "true" or text == "1"


# --- XPath 1.0 number functions (section 4.4) ----------------------------------------

@register("number", 0, 1)
def _number(ctx: Context, args: list) -> float:
    return to_number(args[0] if args else ctx.node.value())


def _numbers(values: list[object]) -> list[float]:
    return [to_number(value) for value in _flatten(values)]


@register("sum", 1)
def _sum(ctx: Context, args: list) -> float:
    # XPath 1.0 converts every node's value with number(): one empty or non-numeric value
    # makes the sum NaN, as Enketo and ODK Collect say (an empty node-set sums to 0).
    return math.fsum(_numbers([_nodeset(args[0], "sum")]))


@register("floor", 1)
def _floor(ctx: Context, args: list) -> float:
    number = to_number(args[0])
    return number if math.isnan(number) or math.isinf(number) else float(math.floor(number))


@register("ceiling", 1)
def _ceiling(ctx: Context, args: list) -> float:
    number = to_number(args[0])
    return number if math.isnan(number) or math.isinf(number) else float(math.ceil(number))


@register("round", 1, 2)
def _round(ctx: Context, args: list) -> float:
    """XPath round (ties towards +infinity); with ODK's number of digits, ties away from
    zero, as Enketo and ODK Collect round (round(-1.25, 1) = -1.3)."""
    number = to_number(args[0])
    digits = 0
    if len(args) == 2:
        digits_number = to_number(args[1])
        if math.isnan(digits_number) or math.isinf(digits_number):
            return math.nan
        digits = math.trunc(digits_number)
    if math.isnan(number) or math.isinf(number):
        return number
    if abs(digits) > 30:
        return math.nan
    # Decimal's HALF_UP is away from zero; XPath's round() goes towards +infinity.
    towards_plus_infinity = len(args) == 1 and number < 0
    mode = ROUND_HALF_DOWN if towards_plus_infinity else ROUND_HALF_UP
    try:
        return float(Decimal(repr(number)).quantize(Decimal(1).scaleb(-digits), rounding=mode))
    except InvalidOperation:
        return math.nan


@register("int", 1)
def _int(ctx: Context, args: list) -> float:
    number = to_number(args[0])
    return number if math.isnan(number) or math.isinf(number) else float(math.trunc(number))


@register("min", 1, None)
def _min(ctx: Context, args: list) -> float:
    # JavaRosa skips values that are not numbers; nothing left gives NaN.
    numbers = [n for n in _numbers(args) if not math.isnan(n)]
    return min(numbers) if numbers else math.nan


@register("max", 1, None)
def _max(ctx: Context, args: list) -> float:
    numbers = [n for n in _numbers(args) if not math.isnan(n)]
    return max(numbers) if numbers else math.nan


def _math(function: Callable[..., float]) -> Callable[[Context, list], float]:
    def run(ctx: Context, args: list) -> float:
        try:
            return float(function(*(to_number(a) for a in args)))
        except (ValueError, OverflowError, ZeroDivisionError):
            return math.nan
    return run


for _name_, _fn_, _arity_ in (
    ("abs", abs, 1), ("sqrt", math.sqrt, 1), ("exp", math.exp, 1),
    ("exp10", lambda x: 10.0**x, 1), ("log", math.log, 1), ("log10", math.log10, 1),
    ("sin", math.sin, 1), ("cos", math.cos, 1), ("tan", math.tan, 1),
    ("asin", math.asin, 1), ("acos", math.acos, 1), ("atan", math.atan, 1),
    ("atan2", math.atan2, 2), ("pow", math.pow, 2),
):
    register(_name_, _arity_)(_math(_fn_))


@register("pi", 0)
def _pi(ctx: Context, args: list) -> float:
    return math.pi


@register("random", 0)
def _random(ctx: Context, args: list) -> float:
    return random.random()


# --- ODK: select questions ----------------------------------------------------------

@register("selected", 2, aliases=("is-selected",))
def _selected(ctx: Context, args: list) -> bool:
    wanted = to_string(args[1]).strip()
    return wanted in to_string(args[0]).split(" ")


@register("count-selected", 1)
def _count_selected(ctx: Context, args: list) -> float:
    return float(len(to_string(args[0]).split()))


@register("selected-at", 2)
def _selected_at(ctx: Context, args: list) -> str:
    items = to_string(args[0]).split()
    index = to_number(args[1])
    if math.isnan(index) or math.isinf(index):
        return ""
    position = math.trunc(index)
    return items[position] if 0 <= position < len(items) else ""


def _check_choice_name(arg_trees: tuple) -> None:
    if arg_trees[1][0] not in ("str", "ref", "path", "func"):
        raise ExpressionError("jr:choice-name() needs the question as its second argument")


@register("jr:choice-name", 2, check=_check_choice_name)
def _choice_name(ctx: Context, args: list) -> str:
    value = to_string(args[0])
    question = args[1]
    if isinstance(question, list):
        question = question[0].name if question else ""
    return ctx.env.choice_label(value, to_string(question), ctx.current)


# --- ODK: control flow and repeats --------------------------------------------------

@register("if", 3, lazy=True)
def _if(ctx: Context, args: list) -> object:
    return args[1](ctx) if to_boolean(args[0](ctx)) else args[2](ctx)


@register("coalesce", 2, lazy=True)
def _coalesce(ctx: Context, args: list) -> object:
    first = args[0](ctx)
    return args[1](ctx) if _is_empty(first) else first


@register("once", 1, lazy=True)
def _once(ctx: Context, args: list) -> object:
    existing = ctx.env.current_answer(ctx.current)
    return existing if existing != "" else args[0](ctx)


def _check_indexed_repeat(arg_trees: tuple) -> None:
    if len(arg_trees) % 2 == 0:
        raise ExpressionError("indexed-repeat() takes 3, 5, 7, 9 or 11 arguments")
    for tree in arg_trees[0:1] + arg_trees[1::2]:
        if tree[0] != "ref":
            raise ExpressionError("indexed-repeat() needs ${name} references to the question "
                                  "and to its repeat groups")


@register("indexed-repeat", 3, 11, lazy=True, check=_check_indexed_repeat)
def _indexed_repeat(ctx: Context, args: list) -> list[Node]:
    raise AssertionError("compiled specially")  # pragma: no cover


@register("depend", 1, None)
def _depend(ctx: Context, args: list) -> object:
    return args[0]


@register("checklist", 2, None)
def _checklist(ctx: Context, args: list) -> bool:
    low, high = to_number(args[0]), to_number(args[1])
    count = sum(1 for value in _flatten(args[2:]) if to_boolean(value))
    return (low < 0 or count >= low) and (high < 0 or count <= high)


@register("uuid", 0, 1)
def _uuid(ctx: Context, args: list) -> str:
    return str(uuid_module.uuid4())


@register("version", 0)
def _version(ctx: Context, args: list) -> str:
    return ctx.env.form_version()


@register("regex", 2)
def _regex(ctx: Context, args: list) -> bool:
    pattern = _compiled_regex(to_string(args[1]))
    return bool(pattern and pattern.fullmatch(to_string(args[0])))  # Java matches(): whole text


@lru_cache(maxsize=512)
def _compiled_regex(pattern: str):
    """The pattern compiled by RE2, a linear-time engine: a form's constraint such as
    ``regex(., '(a+)+$')`` cannot make a save take exponential time (Python's ``re``
    backtracks). RE2 has no back-references or look-arounds: such a pattern is treated as
    invalid (the text does not match), like any other pattern that does not compile."""
    options = re2.Options()
    options.log_errors = False
    options.max_mem = _RE2_MAX_MEMORY
    try:
        return re2.compile(pattern, options)
    except (re2.error, ValueError, TypeError):
        return None


_RE2_MAX_MEMORY = 8 << 20  # bytes for one compiled pattern; larger ones do not compile


@register("base64-decode", 1)
def _base64_decode(ctx: Context, args: list) -> str:
    try:
        return base64.b64decode(to_string(args[0]), validate=False).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""


# --- ODK: dates ---------------------------------------------------------------------

@register("today", 0)
def _today(ctx: Context, args: list) -> XDate:
    return today_of(ctx.env.now)


@register("now", 0)
def _now(ctx: Context, args: list) -> XDate:
    moment = ctx.env.now  # kept in its own time zone, as ODK gives the device's local time
    return XDate(moment if moment.tzinfo else moment.replace(tzinfo=UTC), has_time=True)


@register("date", 1)
def _date(ctx: Context, args: list) -> object:
    return to_date(args[0], keep_time=False)


@register("date-time", 1)
def _date_time(ctx: Context, args: list) -> object:
    return to_date(args[0], keep_time=True)


@register("decimal-date-time", 1)
def _decimal_date_time(ctx: Context, args: list) -> object:
    value = unpack(args[0])
    if isinstance(value, float):
        return value
    if isinstance(value, XDate):
        return value.fractional_days()
    text = to_string(value)
    if text == "":
        return ""
    parsed = parse_date(text)
    if parsed is None:
        return math.nan
    return (parsed.moment - EPOCH).total_seconds() / 86400.0


@register("decimal-time", 1)
def _decimal_time(ctx: Context, args: list) -> object:
    text = to_string(args[0])
    if text == "":
        return ""
    parsed = parse_date(text if "T" in text or "-" in text[:5] else f"1970-01-01T{text}")
    if parsed is None:
        return math.nan
    moment = parsed.moment
    return (moment.hour * 3600 + moment.minute * 60 + moment.second
            + moment.microsecond / 1e6) / 86400.0


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


@register("format-date", 2, aliases=("format-date-time",))
def _format_date(ctx: Context, args: list) -> str:
    """ODK format codes: %Y %y %m %n %b %d %e %H %h %M %S %3 %a."""
    value = to_date(args[0], keep_time=True)
    if isinstance(value, float) and not math.isnan(value):
        value = date_from_days(value, keep_time=True)
    if not isinstance(value, XDate):
        return ""
    moment = value.moment
    codes = {
        "Y": f"{moment.year:04d}", "y": f"{moment.year % 100:02d}", "m": f"{moment.month:02d}",
        "n": str(moment.month), "b": _MONTHS[moment.month - 1], "d": f"{moment.day:02d}",
        "e": str(moment.day), "H": f"{moment.hour:02d}", "h": str(moment.hour),
        "M": f"{moment.minute:02d}", "S": f"{moment.second:02d}",
        "3": f"{moment.microsecond // 1000:03d}", "a": _DAYS[moment.weekday()],
    }
    pattern = to_string(args[1])
    out = []
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char == "%" and position + 1 < len(pattern):
            code = pattern[position + 1]
            out.append(codes.get(code, code))
            position += 2
        else:
            out.append(char)
            position += 1
    return "".join(out)


# --- ODK functions that need data or devices this system does not have ---------------
# They are accepted (a form using them still imports) and give what ODK gives when the
# data is missing: '' for pulldata() and the property(), NaN for geometry.

@register("pulldata", 4)
def _pulldata(ctx: Context, args: list) -> str:
    return ""


@register("property", 1)
def _property(ctx: Context, args: list) -> str:
    return ""


@register("jr:itext", 1)
def _itext(ctx: Context, args: list) -> str:
    return ""


@register("area", 1, aliases=("distance", "enclosed-area"))
def _geometry(ctx: Context, args: list) -> float:
    return math.nan


@register("randomize", 1, 2)
def _randomize(ctx: Context, args: list) -> object:
    return args[0]  # the order is kept: results stay reproducible


@register("weighted-checklist", 2, None)
def _weighted_checklist(ctx: Context, args: list) -> bool:
    low, high = to_number(args[0]), to_number(args[1])
    rest = _flatten(args[2:])
    total = sum(to_number(weight) for flag, weight in zip(rest[0::2], rest[1::2], strict=False)
                if to_boolean(flag))
    return low <= total <= high


_DIGESTS = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384",
            "SHA-512": "sha512"}


@register("digest", 2, 3)
def _digest(ctx: Context, args: list) -> str:
    algorithm = _DIGESTS.get(to_string(args[1]).upper())
    if algorithm is None:
        return ""
    digest = hashlib.new(algorithm, to_string(args[0]).encode("utf-8")).digest()
    if len(args) == 3 and to_string(args[2]).lower() == "hex":
        return digest.hex()
    return base64.b64encode(digest).decode("ascii")


__all__ = ["FUNCTIONS", "FunctionSpec", "number_to_string"]
