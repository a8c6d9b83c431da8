"""Charts of composite-indicator scores as Vega-Lite specifications (pure: no Django).

Drawn like the OECD iREG charts: one horizontal bar per unit, stacked by category, the
bar's length the composite; IOs and countries on the same axis, countries drawn lighter
and named in the legend, with the caveat that the questions differ as the subtitle.
The rank chart shows each unit's median rank as a point and its 5-95 % rank interval
as a line (rank 1 on the left). Rendered with ``iocompendium.analysis.charts.render_svg``
(vl-convert, offline, checked well-formed). Every text comes from the caller in the
page's language; labels are data, escaped by Vega's SVG renderer.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from iocompendium.analysis.charts import CATEGORY_COLOURS, LABEL_LIMIT
from iocompendium.analysis.charts import _base as base_spec

from .presentation import COUNTRY, IO, ScoreRow, sort_rows

COUNTRY_OPACITY = 0.45
CAVEAT_WIDTH = 90  # characters per line of the caveat under the title


@dataclass(frozen=True)
class ScoreChartTexts:
    """Titles in the page's language."""

    title: str = "Composite score by category"
    score: str = "Score"
    category: str = "Category"
    unit_kind: str = "Respondent"
    io: str = "International organisation"
    country: str = "Country (published score)"
    caveat: str = ""  # shown under the title when countries are on the chart


@dataclass(frozen=True)
class RankChartTexts:
    title: str = "Rank: median and 5-95 % interval"
    rank: str = "Rank (1 = highest score)"
    median: str = "Median rank"
    interval: str = "5-95 % interval"
    nominal: str = "Rank with the framework's choices"


def _row_label(row: ScoreRow) -> str:
    return f"{row.label} ({row.year})" if row.kind == COUNTRY and row.year else row.label


def stacked_scores_spec(
    rows: Sequence[ScoreRow], categories: Sequence[tuple[str, str]], texts: ScoreChartTexts,
    maximum: float | None = None,
) -> dict[str, Any]:
    """Stacked horizontal bars: each unit's composite split by category.

    ``categories``: (name, label) in the framework's order; ``maximum``: the end of the
    score axis (the framework's scale), so IOs and countries share one axis. Units
    without a composite are left out (the caller lists them as not scored)."""
    # One ranking of IOs and countries together, as on iREG's charts (countries lighter).
    scored = sort_rows([row for row in rows if row.score is not None and row.parts])
    labels = dict(categories)
    kinds = {IO: texts.io, COUNTRY: texts.country}
    values = [
        {
            "unit": _row_label(row), "order": position, "kind": kinds.get(row.kind, row.kind),
            "category": labels.get(name, name), "category_order": index,
            "part": round(row.parts.get(name, 0.0), 6),
            "value": None if row.categories.get(name) is None
            else round(float(row.categories[name]), 4),  # type: ignore[arg-type]
            "score": round(float(row.score), 4),  # type: ignore[arg-type]
        }
        for position, row in enumerate(scored)
        for index, (name, _label) in enumerate(categories)
        if name in row.parts
    ]
    spec = base_spec(texts.title, len(scored))
    if texts.caveat and any(row.kind == COUNTRY for row in scored):
        spec["title"]["subtitle"] = textwrap.wrap(texts.caveat, CAVEAT_WIDTH)
        spec["title"]["subtitleFontSize"] = 11
    domain = [label for _name, label in categories]
    present = [kinds[k] for k in (IO, COUNTRY) if any(row.kind == k for row in scored)]
    x: dict[str, Any] = {"field": "part", "type": "quantitative", "title": texts.score,
                         "stack": "zero"}
    if maximum:
        x["scale"] = {"domain": [0, maximum], "nice": False}
    spec.update({
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "unit", "type": "nominal", "title": None,
                  "sort": {"field": "order", "order": "ascending"}},
            "x": x,
            "color": {
                "field": "category", "type": "nominal", "title": texts.category,
                "scale": {"domain": domain, "range": CATEGORY_COLOURS[: len(domain)]},
                "legend": {"orient": "bottom", "columns": 2, "labelLimit": LABEL_LIMIT},
            },
            "opacity": {
                "field": "kind", "type": "nominal", "title": texts.unit_kind,
                "scale": {"domain": present,
                          "range": [1.0 if k == texts.io else COUNTRY_OPACITY
                                    for k in present]},
                "legend": {"orient": "bottom", "labelLimit": LABEL_LIMIT}
                if len(present) > 1 else None,
            },
            "order": {"field": "category_order"},
            "tooltip": [
                {"field": "unit", "type": "nominal"},
                {"field": "category", "type": "nominal"},
                {"field": "value", "type": "quantitative"},
                {"field": "score", "type": "quantitative"},
            ],
        },
    })
    if not domain:
        del spec["encoding"]["color"]["scale"]
    return spec


def rank_interval_spec(rows: Sequence[ScoreRow], texts: RankChartTexts) -> dict[str, Any]:
    """Each unit's median rank (point) and 5-95 % rank interval (line), best first."""
    ranked = [row for row in rows if row.median_rank is not None]
    ranked.sort(key=lambda row: (row.median_rank, row.label))
    values = [
        {
            "unit": row.label, "order": position, "median": row.median_rank,
            "low": row.rank_interval[0], "high": row.rank_interval[1], "nominal": row.rank,
        }
        for position, row in enumerate(ranked)
    ]
    spec = base_spec(texts.title, len(ranked))
    largest = max((v["high"] or v["median"] or 1 for v in values), default=1)
    y = {"field": "unit", "type": "nominal", "title": None,
         "sort": {"field": "order", "order": "ascending"}}
    scale = {"domain": [1, max(float(largest), 2.0)], "nice": False}
    spec.update({
        "data": {"values": values},
        "layer": [
            {"mark": {"type": "rule", "color": "#0b4f8a", "strokeWidth": 2},
             "encoding": {"y": y,
                          "x": {"field": "low", "type": "quantitative", "title": texts.rank,
                                "scale": scale},
                          "x2": {"field": "high"}}},
            {"mark": {"type": "point", "filled": True, "color": "#0b4f8a", "size": 50},
             "encoding": {"y": y, "x": {"field": "median", "type": "quantitative",
                                        "scale": scale},
                          "tooltip": [{"field": "unit", "type": "nominal"},
                                      {"field": "median", "type": "quantitative",
                                       "title": texts.median},
                                      {"field": "low", "type": "quantitative",
                                       "title": texts.interval},
                                      {"field": "high", "type": "quantitative",
                                       "title": texts.interval}]}},
            {"mark": {"type": "tick", "color": "#D55E00", "thickness": 2, "size": 12},
             "encoding": {"y": y, "x": {"field": "nominal", "type": "quantitative",
                                        "scale": scale},
                          "tooltip": [{"field": "nominal", "type": "quantitative",
                                       "title": texts.nominal}]}},
        ],
    })
    return spec


@dataclass(frozen=True)
class DistributionTexts:
    title: str = "Distribution of the composite score"
    score: str = "Score"
    units: str = "Units"


def distribution_spec(
    rows: Sequence[ScoreRow], texts: DistributionTexts, maximum: float, bins: int = 20,
) -> dict[str, Any]:
    """A histogram of the units' composite scores over [0, maximum] in ``bins`` equal bins
    (for many units, where one bar per unit would not be readable). Units without a
    composite are left out; the counts are computed here, so the chart shows exactly the
    numbers the caller can list."""
    scores = [row.score for row in rows if row.score is not None]
    width = maximum / bins if maximum > 0 else 1.0
    counts = [0] * bins
    for score in scores:
        index = min(int(score / width), bins - 1) if width > 0 else 0
        counts[max(index, 0)] += 1
    values = [{"low": round(i * width, 6), "high": round((i + 1) * width, 6), "count": count}
              for i, count in enumerate(counts)]
    spec = base_spec(texts.title, 10)
    spec["height"] = 200
    largest = max(counts, default=0)
    spec.update({
        "data": {"values": values},
        "mark": {"type": "bar", "color": "#0b4f8a"},
        "encoding": {
            "x": {"field": "low", "type": "quantitative", "bin": {"binned": True,
                                                               "step": width},
                  "title": texts.score, "scale": {"domain": [0, maximum], "nice": False}},
            "x2": {"field": "high"},
            "y": {"field": "count", "type": "quantitative", "title": texts.units,
                  "axis": {"format": "d", "tickMinStep": 1,
                           "values": list(range(0, largest + 1, max(1, -(-largest // 6))))}},
            "tooltip": [{"field": "low", "type": "quantitative"},
                        {"field": "high", "type": "quantitative"},
                        {"field": "count", "type": "quantitative", "title": texts.units}],
        },
    })
    return spec
