"""XPath 1.0 values and the type coercions ODK (JavaRosa) applies to them.

An XPath value here is one of: ``bool``, ``float``, ``str``, :class:`XDate` (ODK's date
type, which XPath 1.0 does not have) or a node-set (a Python ``list`` of nodes in
document order).  Nodes expose ``.value()`` returning a non-node-set value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DAY_SECONDS = 86400.0
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1

_DATE_RE = re.compile(
    r"^\s*(-?\d{4,})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?\s*$"
)


@dataclass(frozen=True, slots=True)
class XDate:
    """An ODK date or date-time, always held in UTC.

    JavaRosa converts a date to a number as whole days since 1970-01-01, to a string as
    ``YYYY-MM-DD`` (a date-time as ISO 8601) and to a boolean as true.
    """

    moment: datetime
    has_time: bool = False

    def days(self) -> float:
        """Whole days since the epoch of its calendar day where it was taken (JavaRosa's
        daysSinceEpoch rounds to the local date)."""
        return float((self.moment.date() - EPOCH.date()).days)

    def fractional_days(self) -> float:
        """Days since 1970-01-01T00:00Z with the time as a fraction (decimal-date-time)."""
        return (self.moment - EPOCH).total_seconds() / DAY_SECONDS

    def __str__(self) -> str:
        if not self.has_time:
            return self.moment.strftime("%Y-%m-%d")
        millis = self.moment.microsecond // 1000
        offset = self.moment.strftime("%z") or "+0000"
        return (self.moment.strftime("%Y-%m-%dT%H:%M:%S")
                + f".{millis:03d}{offset[:3]}:{offset[3:5]}")


def date_from_days(days: float, keep_time: bool = False) -> XDate | float:
    if math.isnan(days) or math.isinf(days) or abs(days) > 2_000_000:
        return math.nan
    if keep_time:
        return XDate(EPOCH + timedelta(days=days), has_time=True)
    return XDate(EPOCH + timedelta(days=math.trunc(days)))


def parse_date(text: str) -> XDate | None:
    """'2024-05-01' or an ISO 8601 date-time; None when the text is not a date."""
    match = _DATE_RE.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), tzinfo=UTC)
        if hour is None:
            return XDate(moment)
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        moment = moment.replace(hour=int(hour), minute=int(minute), second=int(second or 0),
                                microsecond=micro)
        if zone and zone != "Z":
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
            moment = moment - sign * offset
        return XDate(moment, has_time=True)
    except (ValueError, OverflowError):
        return None


def is_nodeset(value: object) -> bool:
    return isinstance(value, list)


def unpack(value: object) -> object:
    """A node-set as a single value: its first node's value, '' when empty (JavaRosa)."""
    if isinstance(value, list):
        return value[0].value() if value else ""
    return value


def string_to_number(text: str) -> float:
    """JavaRosa's string->number: digits, '-' and '.' only (',' read as '.'), else NaN.

    XPath 1.0 (section 4.4) likewise refuses exponents, '+' signs and 'Infinity'.
    """
    text = text.replace(",", ".").strip()
    if not text or any(c not in "-.0123456789" for c in text):
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan


def to_number(value: object) -> float:
    value = unpack(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        return string_to_number(value)
    if isinstance(value, XDate):
        return value.days()
    if isinstance(value, int):
        return float(value)
    return math.nan


def to_boolean(value: object) -> bool:
    if isinstance(value, list):
        # JavaRosa reads a single node by its value (XPath 1.0 would say "non-empty set").
        if len(value) == 1:
            return to_boolean(value[0].value())
        return bool(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return abs(value) > 1e-12 and not math.isnan(value)
    if isinstance(value, str):
        return len(value) > 0
    return isinstance(value, XDate)


def java_double(number: float) -> str:
    """Java's Double.toString, which JavaRosa uses for non-integral numbers."""
    if 1e-3 <= abs(number) < 1e7:
        return repr(number)
    digits = Decimal(repr(number)).normalize()
    sign, coefficient, exponent = digits.as_tuple()
    text = "".join(map(str, coefficient))
    power = exponent + len(text) - 1
    mantissa = text[0] + "." + (text[1:] or "0")
    return f"{'-' if sign else ''}{mantissa}E{power}"


def number_to_string(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if abs(number) < 1e-12:
        return "0"
    whole = max(_INT_MIN, min(_INT_MAX, math.trunc(number)))
    if abs(number - whole) < 1e-12:
        return str(whole)
    return java_double(number)


def to_string(value: object) -> str:
    value = unpack(value)
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return number_to_string(value)
    if isinstance(value, XDate):
        return str(value)
    if isinstance(value, int):
        return str(value)
    return ""


def to_date(value: object, keep_time: bool = False) -> XDate | str | float:
    """ODK date(): a date from a number of days, a date string or a date; '' stays ''."""
    value = unpack(value)
    if isinstance(value, XDate):
        if keep_time or not value.has_time:
            return value
        return XDate(value.moment.replace(hour=0, minute=0, second=0, microsecond=0))
    if isinstance(value, bool):
        return math.nan
    if isinstance(value, float):
        return date_from_days(value, keep_time)
    text = to_string(value)
    if text == "":
        return ""
    parsed = parse_date(text)
    if parsed is None:
        return math.nan
    if not keep_time and parsed.has_time:
        return XDate(parsed.moment.replace(hour=0, minute=0, second=0, microsecond=0))
    return parsed


def today_of(now: datetime) -> XDate:
    """The calendar date of ``now`` where it was taken (its own time zone), as a date."""
    return XDate(datetime.combine(now.date(), datetime.min.time(), tzinfo=UTC))


def as_xdate(day: date) -> XDate:
    return XDate(datetime(day.year, day.month, day.day, tzinfo=UTC))
