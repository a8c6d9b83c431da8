"""The results report: its content (tables, charts, headlines, quotes) and its formats.

``report_content`` turns an ``analysis.tables.Analysis`` into what the dashboard and the
report show, with every text in the active language; the ``build_*`` functions write the
formats (HTML, PDF, XLSX, JSON). The JSON shape is a contract other tools read::

    {"questionnaire": slug, "respondents": N, "tables": {QUESTION_NAME: {"label": ...,
     "type": ..., "denominator": N_relevant, "answered": N_answered,
     "options": [{"name": ..., "label": ..., "count": n}, ...]}}}

A coded text question's table also has ``"codes": [{"name", "label", "count"}]`` (units
whose final coding has the code), ``agreement`` and ``codes_by_category``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from iocompendium.analysis.charts import ChartTexts, chart_specs, render_svg
from iocompendium.analysis.coverage import CoverageRow
from iocompendium.analysis.tables import Analysis, Table
from iocompendium.registry.models import Category
from iocompendium.spreadsheets import append_row, xlsx_bytes

FORMATS = ("html", "pdf", "xlsx", "json")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
HEADLINES_PER_THEME = 4
QUOTED_SUFFIXES = ("_examples", "_comments")
Progress = Callable[[int, int, str], None]


@dataclass
class TableView:
    table: Table
    charts: dict[str, SafeString] = field(default_factory=dict)
    headline: str = ""
    chart_kinds: list[str] = field(default_factory=list)  # drawn or drawable charts

    @property
    def anchor(self) -> str:
        return "t-" + self.table.key.replace("/", "-")

    @property
    def is_quoted(self) -> bool:
        return self.table.kind == "text" and self.table.name.endswith(QUOTED_SUFFIXES)


@dataclass
class ThemeView:
    path: str
    label: str
    tables: list[TableView]

    @property
    def anchor(self) -> str:
        return "theme-" + (self.path or "general")

    @property
    def headlines(self) -> list[str]:
        return [t.headline for t in self.tables if t.headline][:HEADLINES_PER_THEME]

    @property
    def quoted(self) -> list[TableView]:
        return [t for t in self.tables if t.is_quoted and t.table.quotes]


@dataclass
class ReportContent:
    slug: str
    title: str
    lang: str
    status_key: str
    respondents: int
    respondents_by_category: list[tuple[str, int]]
    themes: list[ThemeView]
    synthetic: bool
    category_filter: str = ""
    generated_at: Any = None
    # The respondent unit: its kind (organisation, jurisdiction, submission) and what the
    # tables call the units in the report's language ("households").
    unit_name: str = "organisation"
    unit_label: str = ""
    # What cross-tabs break down by ("" : the unit's own attribute), its title ("By
    # region") and the names of its columns.
    breakdown: str = ""
    breakdown_title: str = ""
    breakdown_labels: dict[str, str] = field(default_factory=dict)

    @property
    def crosstab_title(self) -> str:
        return self.breakdown_title or _("By organisation category")

    @property
    def column_labels(self) -> dict[str, str]:
        return {**category_labels(), **self.breakdown_labels}
    # Which questions the public outputs show, and why the others are left out.
    coverage: list[CoverageRow] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # table path -> JSON key
    # The composite-indicator frameworks over the questionnaire: one
    # ``indicators.presenting.Dashboard`` each (scores, rank intervals, country scores).
    frameworks: list[Any] = field(default_factory=list)
    # The IO Survey's report: the families of instruments with their pictures
    # (``instruments.selectors.report_families``), or None.
    families: Any = None


# The registry's category names, marked here too so that the report and the dashboard
# have them in French whichever app's catalogue is loaded.
CATEGORY_NAMES = (
    gettext_noop("Intergovernmental organisation"),
    gettext_noop("Transgovernmental network"),
    gettext_noop("Private standard setter"),
    gettext_noop("Convention secretariat"),
    gettext_noop("Supranational organisation"),
    gettext_noop("Other"),
)


def category_labels() -> dict[str, str]:
    return {str(value): str(label) for value, label in Category.choices}


def chart_texts(unit_label: str = "", breakdown_title: str = "") -> ChartTexts:
    """Axis titles; the count axis names the units ("Households") when they are not
    organisations, the cross-tab's legend what it breaks down by."""
    return ChartTexts(
        organisations=capfirst(unit_label) if unit_label else _("Organisations"),
        instances=_("Instances"),
        option=_("Answer"),
        category=breakdown_title or _("Organisation category"),
        points=_("Answers"),
    )


def status_label(status_key: str) -> str:
    return {
        "approved": _("approved responses"),
        "submitted": _("all submitted responses (submitted, in review, approved)"),
    }.get(status_key, status_key)


def headline(table: Table, unit_label: str = "") -> str:
    """'29 of 36 organisations: Intergovernmental organisations (Which actors...)'; with
    another unit, '412 of 632 households answering ...'."""
    if not table.is_select or not table.answered or table.unit != "organisations":
        return ""
    top = max(table.options, key=lambda option: option.count, default=None)
    if top is None or not top.count:
        return ""
    if unit_label:
        return _("%(count)d of %(answered)d %(units)s answering “%(question)s”: %(option)s.") % {
            "count": top.count, "answered": table.answered, "units": unit_label,
            "question": table.label, "option": top.label}
    return ngettext(
        "%(count)d of %(answered)d organisation answering “%(question)s”: %(option)s.",
        "%(count)d of %(answered)d organisations answering “%(question)s”: %(option)s.",
        table.answered,
    ) % {"count": top.count, "answered": table.answered, "question": table.label,
         "option": top.label}


def report_content(
    analysis: Analysis,
    *,
    slug: str,
    title: str,
    lang: str,
    status_key: str,
    synthetic: bool,
    category_filter: str = "",
    with_charts: bool = True,
    progress: Progress | None = None,
    unit: tuple[str, str] = ("organisation", ""),
    breakdown: tuple[str, str, dict[str, str]] = ("", "", {}),
) -> ReportContent:
    """The report's content in the active language (call inside translation.override).

    Charts drawn: the bars of every select (and counted text) table, and the cross-tab
    chart of multiple-response questions; the other cross-tabs are tables only, which
    keeps the report short and its build quick (each chart costs a Vega rendering and
    a WeasyPrint drawing)."""
    own_unit = unit[1] if unit[0] != "organisation" else ""
    texts = chart_texts(own_unit, breakdown[1])
    labels = {**category_labels(), **breakdown[2]}
    total = len(analysis.tables)
    done = 0
    themes = []
    for theme in analysis.themes:
        views = []
        for table in theme.tables:
            charts = {}
            specs = chart_specs(table, texts, labels)
            if with_charts:
                for kind, spec in specs.items():
                    if kind == "crosstab" and table.kind != "multiple":
                        continue
                    # Vega's renderer escapes every label; render_svg checked the XML.
                    charts[kind] = mark_safe(render_svg(spec))  # noqa: S308
            views.append(TableView(table, charts, headline(table, own_unit), list(specs)))
            done += 1
            if progress:
                progress(done, total, table.label)
        themes.append(ThemeView(theme.theme.path, theme.theme.label or _("General"), views))
    return ReportContent(
        slug=slug,
        title=title,
        lang=lang,
        status_key=status_key,
        respondents=analysis.respondents,
        respondents_by_category=[
            (labels.get(c, c), n) for c, n in sorted(analysis.respondents_by_category.items())
        ],
        themes=themes,
        synthetic=synthetic,
        category_filter=labels.get(category_filter, category_filter),
        generated_at=timezone.now(),
        unit_name=unit[0],
        unit_label=unit[1] or _("organisations"),
        breakdown=breakdown[0],
        breakdown_title=breakdown[1],
        breakdown_labels=breakdown[2],
    )


# --------------------------------------------------------------------------- formats


def build_html(content: ReportContent, *, for_pdf: bool = False) -> bytes:
    html = render_to_string(
        "evidence/report.html",
        {"report": content, "for_pdf": for_pdf, "status_text": status_label(content.status_key),
         "category_labels": content.column_labels},
    )
    return html.encode("utf-8")


def build_pdf(content: ReportContent) -> bytes:
    from weasyprint import HTML

    return HTML(string=build_html(content, for_pdf=True).decode("utf-8")).write_pdf()


def _option_entries(table: Table) -> list[dict[str, Any]]:
    if not table.is_select and table.kind != "rank":
        return []
    return [{"name": o.name, "label": o.label, "count": o.count} for o in table.options]


def json_document(content: ReportContent) -> dict[str, Any]:
    """The JSON contract (see the module docstring); extra keys per table are allowed."""
    tables: dict[str, Any] = {}
    by_key: dict[str, dict[str, Any]] = {}
    for theme in content.themes:
        for view in theme.tables:
            table = view.table
            if table.coded_from and table.coded_from in by_key:
                _add_codes(by_key[table.coded_from], table)
                continue
            entry: dict[str, Any] = {
                "label": table.label,
                "type": table.type,
                "denominator": table.denominator,
                "answered": table.answered,
                "options": _option_entries(table),
                "path": table.key,
                "theme": theme.path,
                "unit": table.unit,
            }
            if table.answered_instances is not None:
                entry["answered_instances"] = table.answered_instances
            if table.summary:
                entry["summary"] = table.summary
            if table.kind == "text_counts":
                entry["values"] = [
                    {"label": o.label, "count": o.count, "organisations": o.organisations}
                    for o in table.options
                ]
            if table.kind == "text":
                entry["quotes"] = [
                    {"organisation": q.organisation, "text": q.text} for q in table.quotes
                ]
            if table.per_organisation:
                entry["per_organisation"] = dict(table.per_organisation)
            if content.breakdown and table.crosstab is not None:
                entry["crosstab"] = {
                    "by": content.breakdown,
                    "answered": dict(table.crosstab.answered_by_category),
                    "options": {name: dict(counts) for name, _l, counts in table.crosstab.rows},
                }
            entry["flagged"] = [
                {"problem": problem, "count": count} for problem, count in table.flagged
            ]
            entry["kind"] = table.kind
            if table.kind == "rank":
                entry["ranks"] = [{"name": o.name, "label": o.label, "mean_rank": o.share,
                                   "first_choice": o.count, "ranked_by": o.organisations}
                                  for o in table.options]
            # The name, or the path where two reported elements share a name.
            key = content.keys.get(table.key) or (
                table.name if table.name not in tables else table.key)
            tables[key] = entry
            by_key[table.key] = entry
    return {
        "questionnaire": content.slug,
        "unit": {"name": content.unit_name, "label": content.unit_label},
        "breakdown": content.breakdown or None,
        "respondents": content.respondents,
        "language": content.lang,
        "status": content.status_key,
        "synthetic": content.synthetic,
        "tables": tables,
        "coverage": [
            {"question": row.question, "path": row.path, "type": row.type,
             "status": row.status, "reason": row.reason} for row in content.coverage
        ],
        "frameworks": _framework_entries(content),
    }


def _framework_entries(content: ReportContent) -> list[dict[str, Any]]:
    from iocompendium.indicators.presenting import report_section

    return [report_section(view) for view in content.frameworks]


def _add_codes(entry: dict[str, Any], coded: Table) -> None:
    """A coded text question's entry gains its codes, like a select question's options;
    ``denominator`` and ``answered`` stay the question's (``coded``: units with codes)."""
    entry["codes"] = [{"name": o.name, "label": o.label, "count": o.count}
                      for o in coded.options]
    entry["answered"] = coded.answered
    entry["agreement"] = coded.agreement
    entry["quotes_by_code"] = {}
    for quote in coded.quotes:  # category: the code's name (see evidence.services)
        entry["quotes_by_code"].setdefault(quote.category, []).append(
            {"organisation": quote.organisation, "text": quote.text})
    if coded.crosstab is not None:
        entry["codes_by_category"] = {
            name: counts for name, _label, counts in coded.crosstab.rows
        }


def build_json(content: ReportContent) -> bytes:
    return json.dumps(json_document(content), ensure_ascii=False, indent=2).encode("utf-8")


def _sheet_title(name: str, taken: set[str]) -> str:
    cleaned = "".join("_" if ch in '[]:*?/\\' else ch for ch in name)[:31] or "table"
    title, number = cleaned, 2
    while title.lower() in taken:
        suffix = f"~{number}"
        title, number = cleaned[: 31 - len(suffix)] + suffix, number + 1
    taken.add(title.lower())
    return title


def build_xlsx(content: ReportContent) -> bytes:
    """One sheet per table, after a contents sheet that names each sheet's question."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    taken: set[str] = set()
    contents = workbook.active
    contents.title = _sheet_title(_("Contents"), taken)
    append_row(contents, [content.title])
    append_row(contents, [_("Respondents"), content.respondents, content.unit_label,
                          status_label(content.status_key)])
    if content.synthetic:
        append_row(contents, [_("Synthetic data: the organisations and answers are fictional.")])
    append_row(contents, [])
    append_row(contents, [_("Sheet"), _("Theme"), _("Question"), _("Asked"), _("Answered")])
    bold = Font(bold=True)
    for theme in content.themes:
        for view in theme.tables:
            table = view.table
            sheet = workbook.create_sheet(_sheet_title(table.name, taken))
            append_row(contents, [sheet.title, theme.label, table.label, table.denominator,
                             table.answered])
            _fill_sheet(sheet, table, bold, content.unit_label, content.crosstab_title,
                        content.column_labels)
    for view in content.frameworks:
        sheet = workbook.create_sheet(_sheet_title(view.result.framework.slug, taken))
        append_row(contents, [sheet.title, _("Indicators"), view.title, "", ""])
        _fill_framework_sheet(sheet, view, bold)
    return _workbook_bytes(workbook)


def _fill_framework_sheet(sheet, view: Any, bold) -> None:
    """A framework's scores: one row per unit (score, categories, ranks), then the
    published country scores with their attribution and the caveat."""
    from iocompendium.indicators.presenting import caveat

    append_row(sheet, [view.title])
    sheet["A1"].font = bold
    append_row(sheet, [_("Version"), view.source.version])
    append_row(sheet, [])
    categories = [label for _name, label in view.categories]
    append_row(sheet, [_("Unit"), _("Name"), _("Score"), *categories, _("Rank"),
                       _("Median rank"), _("Rank interval, 5 %"), _("Rank interval, 95 %")])
    for row in view.rows:
        append_row(sheet, [row.unit, row.label, row.score,
                           *[row.categories.get(name) for name, _l in view.categories],
                           row.rank, row.median_rank, *row.rank_interval])
    if view.countries:
        append_row(sheet, [])
        append_row(sheet, [_("Countries' published scores"), view.source.country_year])
        append_row(sheet, [caveat()])
        for row in view.countries:
            append_row(sheet, [row.unit, row.label, row.score,
                               *[row.categories.get(name) for name, _l in view.categories]])
        for line in view.source.attribution.splitlines():
            append_row(sheet, [line])


def _workbook_bytes(workbook) -> bytes:
    return xlsx_bytes(workbook)


def _fill_sheet(sheet, table: Table, bold, unit_label: str = "", crosstab_title: str = "",
                column_labels: dict[str, str] | None = None) -> None:
    append_row(sheet, [table.label])
    sheet["A1"].font = bold
    append_row(sheet, [_("Asked (question relevant)"), table.denominator, unit_label])
    append_row(sheet, [_("Answered"), table.answered, unit_label])
    append_row(sheet, [])
    if table.options:
        append_row(sheet, [_("Answer"), _("Count"), _("Share"),
                           capfirst(unit_label) if unit_label else _("Organisations")])
        for option in table.options:
            append_row(sheet, [option.label, option.count,
                          round(option.share, 4) if option.share is not None else None,
                          option.organisations if option.organisations is not None
                          else option.count])
    for key, value in table.summary.items():
        if isinstance(value, list):  # a distribution (bins, periods) or points
            for item in value:
                cells = list(item.values()) if isinstance(item, dict) else list(item)
                append_row(sheet, [summary_label(key), *cells])
        else:
            append_row(sheet, [summary_label(key), value])
    for organisation, count in table.per_organisation:
        append_row(sheet, [organisation, count])
    for quote in table.quotes:
        append_row(sheet, [quote.organisation, quote.text])
    if table.crosstab is not None:
        labels = column_labels or category_labels()
        append_row(sheet, [])
        append_row(sheet, [crosstab_title or _("By organisation category")]
                     + [labels.get(c, c) for c in table.crosstab.categories])
        append_row(sheet, [_("Answered")]
                     + [table.crosstab.answered_by_category[c] for c in table.crosstab.categories])
        for _name, label, counts in table.crosstab.rows:
            append_row(sheet, [label] + [counts.get(c, 0) for c in table.crosstab.categories])


def summary_label(key: str) -> str:
    return {
        "n": _("Answers"),
        "mean": _("Mean"),
        "median": _("Median"),
        "min": _("Minimum"),
        "max": _("Maximum"),
        "earliest": _("Earliest"),
        "latest": _("Latest"),
        "instances": _("Instances"),
        "organisations_with_any": _("Organisations with at least one"),
        "distinct": _("Distinct values"),
        "q1": _("First quartile"),
        "q3": _("Third quartile"),
        "distribution": _("Distribution"),
        "points": _("Point"),
        "listed": _("Values listed"),
    }.get(key, key)


def build(fmt: str, content: ReportContent) -> bytes:
    return {"html": build_html, "pdf": build_pdf, "xlsx": build_xlsx, "json": build_json}[fmt](
        content
    )
