"""What the dashboard, the report and the published compendium show of a framework.

Built from a ``Source`` (the framework, the answers, the units' labels, the published
country scores) whatever loaded it, so that the same view-model serves the web page,
the report (HTML, PDF, XLSX, JSON) and the compendium. The computation itself is in the
pure ``analysis.indicators`` layer; this module adds the page's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from iocompendium.analysis.charts import ChartError, render_svg
from iocompendium.analysis.indicators import (
    Framework,
    FrameworkError,
    Model,
    Result,
    compute,
    monte_carlo,
)
from iocompendium.analysis.indicators.charts import (
    DistributionTexts,
    RankChartTexts,
    ScoreChartTexts,
    distribution_spec,
    rank_interval_spec,
    stacked_scores_spec,
)
from iocompendium.analysis.indicators.presentation import (
    ScoreRow,
    Trace,
    comparable_indicators,
    country_rows,
    methods,
    score_rows,
    trace,
)

# The dashboard's rank intervals: a fixed seed, so the page shows the same intervals on
# every visit while the answers and the framework do not change.
DASHBOARD_RUNS = 300
DASHBOARD_SEED = 2026
# Above this many scored units one bar per unit is not readable: the dashboard draws the
# distribution of the composite instead (the table still lists every unit).
MANY_UNITS = 80


@dataclass
class Source:
    """Everything a framework's pages are built from (loaded by the app's selectors)."""

    framework: Framework
    version: int
    questionnaire: str
    answers: pd.DataFrame  # one row per unit (index: the unit key), one column per question
    labels: dict[str, str] = field(default_factory=dict)  # unit key -> name shown
    organisations: dict[str, int | None] = field(default_factory=dict)  # unit -> org id
    countries: list[dict] = field(default_factory=list)  # published country scores
    country_year: str = ""
    attribution: str = ""  # the source's attribution, shown wherever country data is
    synthetic: bool = False
    # The Sobol indices of the latest stored sensitivity run of this version (``indicators
    # sensitivity``): [{"choice", "first_order", "total"}], with its runs and seed.
    sensitivity: list[dict] = field(default_factory=list)
    sensitivity_runs: int | None = None
    sensitivity_seed: int | None = None
    # Responses left out because only approved ones are shown (submitted, in review).
    waiting: int = 0


def lang() -> str:
    return "fr" if (get_language() or "en").startswith("fr") else "en"


def label_of(item: Any) -> str:
    """A node's (or framework's) label in the page's language."""
    if lang() == "fr":
        return getattr(item, "label_fr", "") or getattr(item, "title_fr", "") or getattr(
            item, "name", "")
    return getattr(item, "label_en", "") or getattr(item, "title_en", "") or getattr(
        item, "name", "")


def title_of(framework: Framework) -> str:
    return framework.title_fr if lang() == "fr" and framework.title_fr else framework.title_en


def caveat() -> str:
    return _("Countries' scores are the published scores of another survey: the questions "
             "differ, so a country and an international organisation with the same score "
             "did not answer the same questions. Only the indicators listed as comparable "
             "read a question that mirrors the country survey's.")


def status_label(status: str) -> str:
    return {
        "scored": _("scored from the answer"),
        "not_applicable": _("not applicable: left out, the other indicators re-weighted"),
        "imputed": _("no answer: imputed as the framework says"),
        "zero": _("no answer: scored 0 as the framework says"),
        "missing": _("no answer: the unit is not scored"),
    }.get(status, status)


def sensitivity_choice_label(choice: str) -> str:
    return {"weights": _("weights (perturbed by up to 25 %)"), "weighting": _("Weighting"),
            "normalisation": _("Normalisation"), "aggregation": _("Aggregation"),
            "missing": _("Missing data"), "winsorise": _("Outliers")}.get(choice, choice)


def choice_label(kind: str, value: str) -> str:
    """Construction choices in the page's language (methods page, editor)."""
    labels = {
        "missing": {"none": _("none (a missing answer leaves the unit unscored)"),
                    "na": _("not applicable (left out, siblings re-weighted)"),
                    "mean": _("mean of the group"), "median": _("median of the group"),
                    "zero": _("zero")},
        "normalisation": {"none": _("none (scores already 0-1)"), "minmax": _("min-max"),
                          "zscore": _("z-score"), "rank": _("rank"),
                          "target": _("distance to a target")},
        "weighting": {"equal": _("equal"), "manual": _("manual (the tree's weights)"),
                      "pca": _("principal components")},
        "aggregation": {"arithmetic": _("arithmetic mean"), "geometric": _("geometric mean")},
        "zero_rule": {"offset": _("offset (geometric mean of x + 1, minus 1)"),
                      "zero": _("a zero makes the parent 0")},
    }
    return labels.get(kind, {}).get(value, value)


def rule_kind_label(kind: str) -> str:
    return {"choice": _("a choice scores"), "count": _("choices counted"),
            "number": _("a number, capped"), "condition": _("a condition on two questions"),
            }.get(kind, kind)


# ------------------------------------------------------------------------ the dashboard


@dataclass
class IndicatorLine:
    name: str
    label: str
    category: str
    kind: str
    questions: tuple[str, ...]
    weight: float
    direction: int
    mirrors: str
    mean: float | None
    answered: int
    not_applicable: int


@dataclass
class Dashboard:
    source: Source
    result: Result
    title: str
    categories: list[tuple[str, str]]
    rows: list[ScoreRow]  # IOs (the framework's units), best first
    countries: list[ScoreRow]
    indicators: list[IndicatorLine]
    comparable: list[tuple[str, str, str]]  # (indicator, label, mirrored question)
    maximum: float
    runs: int = 0
    seed: int = 0
    problem: str = ""
    stacked_svg: SafeString | str = ""
    rank_svg: SafeString | str = ""
    distribution_svg: SafeString | str = ""

    @property
    def many(self) -> bool:
        return sum(row.score is not None for row in self.rows) > MANY_UNITS

    @property
    def not_scored(self) -> list[ScoreRow]:
        return [row for row in self.rows if row.score is None]

    @property
    def has_countries(self) -> bool:
        return bool(self.countries)

    @property
    def caveat(self) -> str:
        """The caveat that the questions differ, wherever countries are shown."""
        return caveat() if self.countries else ""


def _categories(framework: Framework) -> list[tuple[str, str]]:
    return [(node.name, label_of(node)) for node in framework.categories]


def _category_of(framework: Framework, name: str) -> str:
    node = framework.node(name)
    while node.parent and framework.node(node.parent).level != "composite":
        node = framework.node(node.parent)
    return node.name


def indicator_lines(result: Result) -> list[IndicatorLine]:
    framework = result.framework
    labels = dict(_categories(framework))
    lines = []
    for node in framework.indicators:
        values = result.values[node.name]
        mean = values.mean()
        lines.append(IndicatorLine(
            name=node.name, label=label_of(node),
            category=labels.get(_category_of(framework, node.name), ""),
            kind=rule_kind_label(node.rule.kind), questions=node.rule.questions,
            weight=round(result.weights.get(node.name, 0.0), 4), direction=node.direction,
            mirrors=node.mirrors, mean=None if pd.isna(mean) else round(float(mean), 4),
            answered=int(result.raw[node.name].notna().sum()),
            not_applicable=int(result.not_applicable[node.name].sum()),
        ))
    return lines


def maximum_of(framework: Framework, countries: list[ScoreRow]) -> float:
    """The end of the score axis: the framework's scale (0-1 scores times scale), or the
    highest published score if above it."""
    top = framework.construction.scale
    for row in countries:
        if row.score is not None and row.score > top:
            top = row.score
    return float(top)


def dashboard(
    source: Source, *, runs: int = DASHBOARD_RUNS, seed: int = DASHBOARD_SEED,
    charts: bool = True, framework: Framework | None = None,
) -> Dashboard:
    """The framework computed on the answers, with rank intervals and the charts.

    ``framework``: an edited framework to preview instead of the saved one."""
    framework = framework or source.framework
    result = compute(framework, source.answers)
    uncertainty: dict = {}
    problem = ""
    if runs and len(source.answers.index) > 1:
        try:
            uncertainty = monte_carlo(Model(framework, source.answers), runs, seed).rows()
        except FrameworkError as error:
            problem = str(error)
    categories = _categories(framework)
    rows = score_rows(result, source.labels, uncertainty)
    countries = country_rows(source.countries, [name for name, _l in categories],
                             {c["unit"]: c.get("label", c["unit"]) for c in source.countries})
    view = Dashboard(
        source=source, result=result, title=title_of(framework), categories=categories,
        rows=rows, countries=countries, indicators=indicator_lines(result),
        comparable=[(node.name, label_of(node), node.mirrors)
                    for node in comparable_indicators(framework)],
        maximum=maximum_of(framework, countries), runs=runs if uncertainty else 0, seed=seed,
        problem=problem,
    )
    if charts:
        if view.many:
            view.distribution_svg = draw_distribution(view)
        else:
            view.stacked_svg, view.rank_svg = draw(view)
    return view


def draw_distribution(view: Dashboard) -> SafeString | str:
    texts = DistributionTexts(title=_("Distribution of the composite score"),
                              score=_("Score"), units=_("Units"))
    try:
        # Vega escapes every text; render_svg checked the XML.
        return mark_safe(render_svg(distribution_spec(  # noqa: S308
            view.rows, texts, view.result.framework.construction.scale)))
    except ChartError as error:
        view.problem = str(error)
        return ""


def score_texts(with_countries: bool) -> ScoreChartTexts:
    return ScoreChartTexts(
        title=_("Composite score by category"), score=_("Score"), category=_("Category"),
        unit_kind=_("Respondent"), io=_("International organisation"),
        country=_("Country (published score)"), caveat=caveat() if with_countries else "",
    )


def rank_texts() -> RankChartTexts:
    return RankChartTexts(
        title=_("Rank: median and 5th-95th percentile interval over the construction choices"),
        rank=_("Rank (1 = highest score)"), median=_("Median rank"),
        interval=_("5th-95th percentile interval"), nominal=_("Rank with the framework's choices"),
    )


def draw(view: Dashboard) -> tuple[SafeString | str, SafeString | str]:
    """(stacked bars, rank intervals) as SVG; Vega's renderer escapes every label and
    ``render_svg`` checked the XML, so both are safe to embed."""
    stacked = rank = ""
    try:
        spec = stacked_scores_spec(view.rows + view.countries, view.categories,
                                   score_texts(bool(view.countries)), view.maximum)
        if spec["data"]["values"]:
            stacked = mark_safe(render_svg(spec))  # noqa: S308
        if view.runs:
            spec = rank_interval_spec(view.rows, rank_texts())
            if spec["data"]["values"]:
                rank = mark_safe(render_svg(spec))  # noqa: S308
    except ChartError as error:
        view.problem = str(error)
    return stacked, rank


# ---------------------------------------------------------------------------- one unit


@dataclass
class UnitPage:
    unit: str
    label: str
    title: str
    trace: Trace
    lines: list[dict]
    nodes: list[dict]  # categories and sub-categories with their values


def unit_page(source: Source, unit: str) -> UnitPage:
    """How one unit scored on every indicator, with the answer behind each score."""
    framework = source.framework
    result = compute(framework, source.answers)
    found = trace(result, source.answers, unit)
    lines = [{
        "line": line, "label": line.label_fr if lang() == "fr" else line.label_en,
        "category": label_of(framework.node(line.path[0])) if line.path else "",
        "status": status_label(line.status),
        "pairs": list(zip(line.questions, line.answers, strict=True)),
    } for line in found.lines]
    nodes = [{"name": node.name, "label": label_of(node), "level": node.level,
              "value": found.nodes.get(node.name)}
             for node in framework.nodes if node.level in ("category", "subcategory")]
    return UnitPage(unit=unit, label=source.labels.get(unit, unit), title=title_of(framework),
                    trace=found, lines=lines, nodes=nodes)


# ------------------------------------------------------------------ report, publication


def report_section(view: Dashboard) -> dict[str, Any]:
    """A framework in the report's JSON (and the source of its XLSX sheet)."""
    framework = view.result.framework
    return {
        "framework": framework.slug,
        "version": view.source.version,
        "title": view.title,
        "questionnaire": view.source.questionnaire,
        "construction": framework.construction.as_dict(),
        "uncertainty": {"runs": view.runs, "seed": view.seed},
        "units": [
            {"unit": row.unit, "label": row.label, "score": row.score, "rank": row.rank,
             "median_rank": row.median_rank, "rank_interval": list(row.rank_interval),
             "categories": row.categories}
            for row in view.rows
        ],
        "countries": [
            {"unit": row.unit, "label": row.label, "year": row.year, "score": row.score,
             "categories": row.categories}
            for row in view.countries
        ],
        "comparable": [{"indicator": name, "mirrors": mirrors}
                       for name, _label, mirrors in view.comparable],
        "sensitivity": {"runs": view.source.sensitivity_runs,
                        "seed": view.source.sensitivity_seed,
                        "indices": view.source.sensitivity},
        "attribution": view.source.attribution if view.countries else "",
        "caveat": caveat() if view.countries else "",
    }


def methods_view(framework: Framework) -> dict[str, Any]:
    """The methods page's content, written from the framework itself."""
    data = methods(framework)
    construction = framework.construction
    data["title"] = title_of(framework)
    for node in data["nodes"]:
        node["label"] = node["label_fr"] if lang() == "fr" else node["label_en"]
        rule = node["rule"]
        if rule:
            rule["kind_label"] = rule_kind_label(rule["kind"])
    data["choices"] = [
        (_("Missing data"), choice_label("missing", construction.missing)),
        (_("Imputation group"), construction.group or "—"),
        (_("Outliers (winsorised fraction at each tail)"), str(construction.winsorise)),
        (_("Normalisation"), choice_label("normalisation", construction.normalisation)),
        (_("Weighting"), choice_label("weighting", construction.weighting)),
        (_("Aggregation"), choice_label("aggregation", construction.aggregation)),
        (_("Rule for zeros (geometric mean)"), choice_label("zero_rule",
                                                             construction.zero_rule)),
        (_("Scale of the composite"), str(construction.scale)),
    ]
    return data
