"""The survey's figures and charts per theme, from the analysis layer (``analysis/``).

The tidy answers of the approved responses (``evidence.selectors``) go through
``analysis.tables.analyse``; every choice question of a theme's survey section becomes a
figure: a table of counts with its denominator and an inline SVG bar chart. When the
questionnaire or the analysis is not available, the pages say so instead of failing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import count

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from iocompendium.compendium.themes import THEME_BY_SECTION

APPROVED = ("approved",)
_ID = re.compile(r'\bid="([^"]+)"')


@dataclass
class FigureRow:
    label: str
    count: int
    share: float | None


@dataclass
class Figure:
    key: str
    label: str
    answered: int
    denominator: int
    unit: str
    rows: list[FigureRow]
    svg: SafeString | None = None
    # A coded free-text question: agreement between coders (kappa, alpha, percent).
    agreement: dict | None = None


@dataclass
class ThemeFigures:
    available: bool
    message: str = ""
    respondents: int = 0
    synthetic: bool = False
    by_theme: dict[str, list[Figure]] = field(default_factory=dict)

    def of(self, theme: str) -> list[Figure]:
        return self.by_theme.get(theme, [])


_counter = count(1)


def unique_ids(svg: str) -> str:
    """Give the ids of one inline SVG a unique prefix: several charts share one page."""
    prefix = f"c{next(_counter)}-"
    ids = set(_ID.findall(svg))
    for old in sorted(ids, key=len, reverse=True):
        svg = svg.replace(f'id="{old}"', f'id="{prefix}{old}"')
        svg = svg.replace(f"url(#{old})", f"url(#{prefix}{old})")
        svg = svg.replace(f'href="#{old}"', f'href="#{prefix}{old}"')
    return svg


def _chart(table, texts) -> SafeString | None:
    from iocompendium.analysis.charts import ChartError, bar_chart_spec, render_svg

    try:
        svg = render_svg(bar_chart_spec(table, texts, sort_by_count=table.kind == "multiple"))
    except ChartError:
        return None
    # Vega's renderer escapes every label and render_svg checked the XML is well formed.
    return mark_safe(unique_ids(svg))  # noqa: S308


def theme_figures(slug: str, lang: str, *, with_charts: bool = True,
                  data: object | None = None) -> ThemeFigures:
    """Figures of every theme in ``lang`` (call inside ``translation.override(lang)``).

    ``data``: the survey's ``evidence_data`` already read (publishing reads it once for
    both languages: the relevance of every answer is the costly part)."""
    try:
        from iocompendium.analysis.charts import ChartTexts
        from iocompendium.analysis.tables import analyse
        from iocompendium.evidence import selectors as evidence
    except ImportError:
        return ThemeFigures(False, _("The analysis of the survey is not available yet."))
    try:
        data = data if data is not None else evidence.evidence_data(slug, "approved")
    except evidence.EvidenceError as error:
        return ThemeFigures(False, str(error))
    if data.respondents.empty:
        return ThemeFigures(False, _("No approved response to the survey yet."))
    sections = {node["name"] for node in data.version.structure.get("children", [])
                if node["type"] in {"group", "repeat"}}
    if not sections & set(THEME_BY_SECTION):
        # A form without the compendium's themes has no theme figure: analysing its
        # answers again (a third of publish at 50,000 respondents) would only count them.
        return ThemeFigures(True, respondents=int(data.respondents["organisation"].nunique()),
                            synthetic=data.synthetic)
    analysis = analyse(data.version.structure, data.answers, lang=lang,
                       respondents=data.respondents, relevance=data.relevance)
    # Coded free-text questions are figures too (their codes counted like options).
    from iocompendium.analysis.coded import add_coded_tables
    from iocompendium.coding.selectors import coded_questions

    add_coded_tables(analysis, data.answers,
                     coded_questions(data.version.questionnaire_id, lang))
    texts = ChartTexts(organisations=_("Organisations"), instances=_("Instances"),
                       option=_("Answer"), category=_("Organisation category"))
    result = ThemeFigures(True, respondents=analysis.respondents, synthetic=data.synthetic)
    for section in analysis.themes:
        theme = THEME_BY_SECTION.get(section.theme.path)
        if theme is None:
            continue
        figures = []
        for table in section.tables:
            if not table.is_select or not table.answered:
                continue
            figures.append(Figure(
                key=table.key, label=table.label, answered=table.answered,
                denominator=table.denominator, unit=table.unit,
                rows=[FigureRow(o.label, o.count, o.share) for o in table.options],
                svg=_chart(table, texts) if with_charts else None,
                agreement=dict(table.agreement) if table.coded_from else None,
            ))
        result.by_theme[theme.slug] = figures
    return result


def cached_theme_figures(slug: str, lang: str) -> ThemeFigures:
    """``theme_figures`` cached until an answer or a status of the survey changes (web)."""
    from django.core.cache import cache

    try:
        from iocompendium.coding.selectors import coding_fingerprint
        from iocompendium.evidence import selectors as evidence

        coding = coding_fingerprint(evidence.analysed_version(slug).questionnaire_id)
        key = f"compendium:figures:{evidence.fingerprint(slug, APPROVED)}:{coding}:{lang}"
    except Exception:  # noqa: BLE001 - no fingerprint: compute without the cache
        return theme_figures(slug, lang)
    figures = cache.get(key)
    if figures is None:
        figures = theme_figures(slug, lang)
        cache.set(key, figures, 3600)
    return figures


def survey_data(slug: str) -> object | None:
    """The survey's answers, respondents and relevance, read once (None if unavailable)."""
    try:
        from iocompendium.evidence import selectors as evidence

        return evidence.evidence_data(slug, "approved")
    except Exception:  # noqa: BLE001 - theme_figures then says why figures are missing
        return None
