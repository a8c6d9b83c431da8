"""The survey's results as published: one page per top-level group of the form, a
published form for every question type, and the methods page's list of what is left out.

Issue 12: the publication follows the questionnaire's own structure (the IO Survey keeps
its themes, key principles and practices as a layer on top). Personal data never
appears: ``analysis.coverage`` decides, and this module only shows what it says is
published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _

from iocompendium.analysis.coverage import (
    PUBLISHED,
    REASON_COLUMN,
    REASON_MARKED,
    CoverageRow,
    coverage,
)
from iocompendium.analysis.tables import Analysis, Table, analyse

# The units of results made without them (the default unit, organisations).
DEFAULT_UNITS = {"en": "organisations", "fr": "organisations"}


@dataclass
class ResultEntry:
    table: Table
    quotes: list[str]  # text questions: the answers marked publishable (never the others)


@dataclass
class ResultSection:
    slug: str
    path: str
    label: str
    tables: list[Table]

    def entries(self, quotes: dict[str, list[str]]) -> list[ResultEntry]:
        return [ResultEntry(t, quotes.get(t.key, [])) for t in self.tables]


@dataclass
class SurveyResults:
    respondents: int
    sections: list[ResultSection]
    excluded: list[tuple[str, CoverageRow, str]]  # (label, row, reason in the language)
    coverage: list[CoverageRow]
    quotes: dict[str, list[str]] = field(default_factory=dict)  # path -> publishable texts
    # The questionnaire's respondent units, plural, by language ("households", "ménages").
    units: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_UNITS))


def _section_slug(path: str, taken: set[str]) -> str:
    base = slugify(path) or "general"
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


def survey_results(data: Any, lang: str, quotes_by_question: dict[str, list[str]],
                   marked_personal: set[str], analysis: Analysis | None = None
                   ) -> SurveyResults:
    """The published results in ``lang`` from the survey's ``evidence_data``;
    ``analysis``: its analysis in ``lang`` if already made (``analyse_languages``)."""
    structure = data.version.structure
    rows = coverage(structure, marked_personal)
    published = {row.path for row in rows if row.status == PUBLISHED}
    if analysis is None:
        analysis = analyse(structure, data.answers, lang=lang,
                           respondents=data.respondents, relevance=data.relevance)
    labels = {table.key: table.label for table in analysis.tables}
    taken: set[str] = set()
    sections = []
    for theme in analysis.themes:
        tables = [t for t in theme.tables if t.key in published or t.kind == "repeat"]
        if tables:
            sections.append(ResultSection(_section_slug(theme.theme.path, taken),
                                          theme.theme.path, theme.theme.label, tables))
    excluded = [(labels.get(row.path, row.path), row, reason_text(row)) for row in rows
                if row.status != PUBLISHED]
    questionnaire = data.version.questionnaire
    return SurveyResults(analysis.respondents, sections, excluded, rows,
                         {path: texts for path, texts in quotes_by_question.items()
                          if path in published},
                         {code: questionnaire.unit_label_in(code) for code in ("en", "fr")})


def result_rows(results: SurveyResults) -> list[list[Any]]:
    """Long rows of every published table (the data package's ``question_tables``):
    section, question, type, statistic, label, value, answered, denominator, unit (what the
    counts count: the questionnaire's units, or instances of a repeat, in English), unit_fr
    (the same in French)."""
    rows: list[list[Any]] = []
    for section in results.sections:
        for table in section.tables:
            base = [section.path, table.key, table.type]
            units = (["instances", "instances"] if table.unit == "instances"
                     else [results.units["en"], results.units["fr"]])
            tail = [table.answered, table.denominator, *units]
            for statistic, label, value in table_statistics(table, results.quotes):
                rows.append([*base, statistic, label, _plain_number(value), *tail])
    return rows


def _plain_number(value: Any) -> Any:
    """5.0 -> 5 (a whole number written as one); other values as they are."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def table_statistics(table: Table, quotes: dict[str, list[str]]) -> list[tuple[str, str, Any]]:
    """(statistic, label, value) triples of one table, whatever its kind."""
    if table.is_select:
        return [("count", o.label, o.count) for o in table.options]
    if table.kind == "rank":
        return ([("mean_rank", o.label, round(o.share, 4) if o.share is not None else None)
                 for o in table.options]
                + [("first_choice", o.label, o.count) for o in table.options])
    if table.kind == "numeric":
        summary = table.summary
        stats = [(key, "", summary.get(key)) for key in
                 ("n", "mean", "median", "q1", "q3", "min", "max")]
        return stats + [("bin", f"{b['low']:g}–{b['high']:g}", b["count"])
                        for b in summary.get("distribution", [])]
    if table.kind == "date":
        return ([("n", "", table.summary.get("n"))]
                + [("period", d["period"], d["count"])
                   for d in table.summary.get("distribution", [])])
    if table.kind == "time":
        return ([("n", "", table.summary.get("n"))]
                + [("hour", str(d["hour"]), d["count"])
                   for d in table.summary.get("distribution", [])])
    if table.kind == "repeat":
        return [("instances", "", table.summary.get("instances")),
                ("respondents_with_any", "", table.summary.get("organisations_with_any"))]
    if table.kind == "text_counts":
        return ([("answers", "", table.answered_instances)]
                + [("count", o.label, o.count) for o in table.options])
    texts = quotes.get(table.key, [])
    return [("answers", "", table.answered_instances or table.answered)] + [
        ("quote", text, None) for text in texts]


def reason_text(row: CoverageRow) -> str:
    """The reason of an excluded question in the active language (coverage.csv keeps the
    English sentence: tools read it)."""
    if row.reason == REASON_COLUMN:
        return _("personal data: the form's publish column says no")
    if row.reason == REASON_MARKED:
        return _("personal data: marked personal by the secretariat")
    return _("personal data: a %(type)s question") % {"type": row.type}
