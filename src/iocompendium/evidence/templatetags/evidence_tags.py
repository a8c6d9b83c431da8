"""Small template filters of the evidence pages (percentages, numbers, dictionary look-ups)."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

from iocompendium.analysis.charts import distribution_rows
from iocompendium.analysis.tables import CrossTab
from iocompendium.evidence.reporting import summary_label as _summary_label

register = template.Library()


@register.filter
def get(mapping, key):
    """``mapping|get:key`` (None when missing)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def percent(share) -> str:
    if share is None:
        return "–"
    # French puts a (narrow, non-breaking) space before the percent sign.
    space = "\u202f" if (get_language() or "en").startswith("fr") else ""
    return f"{number_format(round(share * 100), 0)}{space}%"


@register.filter
def number(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return number_format(value, 0 if value.is_integer() else 2)
    return str(value)


@register.filter
def distribution(table) -> list[tuple[str, int]]:
    """The (label, count) columns of a number's, date's or time's distribution."""
    return distribution_rows(table)


@register.filter
def summary_label(key: str) -> str:
    return _summary_label(key)


@register.filter
def crosstab_share(crosstab: CrossTab, counts: dict) -> dict:
    """{category: share} of one cross-tab row."""
    return {category: crosstab.share(counts, category) for category in crosstab.categories}


@register.filter
def flag_label(problem: str) -> str:
    """A data problem's name in the active language ("not in the list")."""
    from iocompendium.responses.models import Flag

    return str(dict(Flag.choices).get(problem, problem))
