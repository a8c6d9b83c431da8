"""Codes applied to free-text answers as a table like any select question (pure Python).

A coded question gets a ``multiple`` table next to its text table: one row per code with
the units (organisations) whose final coding has the code, the question's denominator
(units to whom it applied) and answered (units that wrote an answer), shares of answered,
and a cross-tab by category. Only units that answered count: a code on an answer that
is outside the analysed set (another status, another category filter) is left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from iocompendium.analysis.tables import Analysis, CrossTab, OptionCount, Table


@dataclass
class CodedQuestion:
    """The final coding of one question: codes (name, label) and units per code name."""

    question: str  # template path
    label: str  # the coded table's title
    codes: Sequence[tuple[str, str]]
    units: Mapping[str, set[str]]
    agreement: dict[str, Any] = field(default_factory=dict)


def coded_table(text_table: Table, answers: pd.DataFrame, coded: CodedQuestion) -> Table:
    """The table of codes of ``text_table``'s question from the tidy ``answers``."""
    rows = answers[answers["question"] == coded.question]
    category_of = dict(zip(rows["organisation"], rows["category"], strict=False))
    answered = set(category_of)
    base = len(answered)
    options, crosstab_rows = [], []
    for name, label in coded.codes:
        units = coded.units.get(name, set()) & answered
        options.append(OptionCount(name, label, len(units), len(units) / base if base else None))
        counts: dict[str, int] = {}
        for unit in units:
            counts[str(category_of[unit])] = counts.get(str(category_of[unit]), 0) + 1
        crosstab_rows.append((name, label, counts))
    categories = sorted({str(c) for c in category_of.values()})
    answered_by_category = {c: sum(1 for v in category_of.values() if str(v) == c)
                            for c in categories}
    return Table(
        key=f"{text_table.key}/codes", name=f"{text_table.name}__codes", type="coded",
        kind="multiple", label=coded.label, theme=text_table.theme,
        denominator=text_table.denominator, answered=base, options=options,
        crosstab=CrossTab(categories, answered_by_category, crosstab_rows) if base else None,
        coded_from=text_table.key, agreement=dict(coded.agreement),
        position=text_table.position,
    )


def add_coded_tables(
    analysis: Analysis, answers: pd.DataFrame, coded: Sequence[CodedQuestion]
) -> Analysis:
    """Insert each coded question's table right after its text table (in place)."""
    by_question = {c.question: c for c in coded}
    for theme in analysis.themes:
        tables: list[Table] = []
        for table in theme.tables:
            tables.append(table)
            if table.key in by_question and table.kind == "text":
                tables.append(coded_table(table, answers, by_question[table.key]))
        theme.tables = tables
    return analysis
