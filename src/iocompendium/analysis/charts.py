"""Charts as Vega-Lite specifications, rendered to SVG offline with vl-convert (no Django).

One specification serves the web dashboard and the PDF. Titles and axis titles come in
the report's language from the caller (``ChartTexts``), so this module holds no
translatable text. Labels are data, never markup: Vega's SVG renderer escapes them, and
``render_svg`` checks that the result is well-formed XML before it is embedded.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own renderer's output only
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from iocompendium.analysis.tables import Table

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
BAR_COLOUR = "#0b4f8a"
# Colour-blind-safe palette (Okabe-Ito), dark enough on white for the legend swatches.
CATEGORY_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
LABEL_LIMIT = 280
ROW_HEIGHT = 20


@dataclass(frozen=True)
class ChartTexts:
    """Axis and legend titles in the report's language."""

    organisations: str = "Organisations"
    instances: str = "Instances"
    option: str = "Answer"
    category: str = "Category"
    points: str = "Answers"


class ChartError(Exception):
    """The chart could not be rendered."""


def _base(title: str, rows: int) -> dict[str, Any]:
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": {"text": title, "anchor": "start", "fontSize": 13, "limit": 560},
        "width": 300,
        "height": max(ROW_HEIGHT, ROW_HEIGHT * rows),
        "config": {
            "font": "DejaVu Sans, sans-serif",
            # No grid: the count labels carry the values, and fewer SVG elements keep
            # the PDF quick to draw.
            "axis": {"labelFontSize": 11, "titleFontSize": 11, "labelLimit": LABEL_LIMIT,
                     "grid": False},
            "view": {"stroke": None},
        },
    }


def _count_axis(title: str, largest: int) -> dict[str, Any]:
    """A count axis with whole-number ticks only (no "0 1 1 2 2" on small counts)."""
    step = max(1, math.ceil(largest / 6))
    return {"title": title, "format": "d", "values": list(range(0, max(largest, 1) + step, step))}


def bar_chart_spec(table: Table, texts: ChartTexts, *, sort_by_count: bool) -> dict[str, Any]:
    """Horizontal bars of a frequency or multiple-response table, count labels on the bars.

    Multiple-response questions are sorted by count (like the seed's stakeholder chart);
    single-choice questions keep the form's order of options."""
    values = [
        {"label": option.label, "count": option.count, "order": position}
        for position, option in enumerate(table.options)
    ]
    axis_title = texts.instances if table.unit == "instances" else texts.organisations
    y_sort: Any = "-x" if sort_by_count else {"field": "order", "order": "ascending"}
    spec = _base(table.label, len(values))
    y = {"field": "label", "type": "nominal", "sort": y_sort, "title": None}
    largest = max((option.count for option in table.options), default=0)
    x = {"field": "count", "type": "quantitative", "title": axis_title,
         "axis": _count_axis(axis_title, largest)}
    spec.update({
        "data": {"values": values},
        "layer": [
            {"mark": {"type": "bar", "color": BAR_COLOUR}, "encoding": {"y": y, "x": x}},
            {
                "mark": {"type": "text", "align": "left", "dx": 3, "fontSize": 11},
                "encoding": {"y": y, "x": x, "text": {"field": "count", "type": "quantitative"}},
            },
        ],
    })
    return spec


DISTRIBUTION_KINDS = frozenset({"numeric", "date", "time"})


def distribution_rows(table: Table) -> list[tuple[str, int]]:
    """(label, count) of each column of a distribution: a number's bin ("10–20") or value,
    a date's month or year, a time's hour ("09:00"); empty for other tables."""
    rows = (table.summary or {}).get("distribution") or []
    if table.kind == "numeric":
        return [(f"{row['low']:g}" if row["low"] == row["high"]
                 else f"{row['low']:g}–{row['high']:g}", int(row["count"])) for row in rows]
    if table.kind == "date":
        return [(str(row["period"]), int(row["count"])) for row in rows]
    if table.kind == "time":
        return [(f"{int(row['hour']):02d}:00", int(row["count"])) for row in rows]
    return []


def distribution_chart_spec(table: Table, texts: ChartTexts) -> dict[str, Any]:
    """Columns of a distribution, in order: a number's bins (or its values, when few), a
    date's months (years over a long span), a time's hours; count labels on the columns."""
    if table.kind not in DISTRIBUTION_KINDS:
        raise ChartError(f"'{table.key}' has no distribution.")
    values = [{"label": label, "count": count, "order": position}
              for position, (label, count) in enumerate(distribution_rows(table))]
    axis_title = texts.instances if table.unit == "instances" else texts.organisations
    largest = max((value["count"] for value in values), default=0)
    spec = _base(table.label, 8)
    spec["width"] = max(300, min(560, 28 * len(values)))
    x = {"field": "label", "type": "ordinal", "title": None,
         "sort": {"field": "order", "order": "ascending"},
         "axis": {"labelAngle": -45 if len(values) > 8 else 0}}
    y = {"field": "count", "type": "quantitative", "title": axis_title,
         "axis": _count_axis(axis_title, largest)}
    spec.update({
        "data": {"values": values},
        "layer": [
            {"mark": {"type": "bar", "color": BAR_COLOUR}, "encoding": {"x": x, "y": y}},
            {"mark": {"type": "text", "baseline": "bottom", "dy": -2, "fontSize": 11},
             "encoding": {"x": x, "y": y,
                          "text": {"field": "count", "type": "quantitative"}}},
        ],
    })
    return spec


def crosstab_chart_spec(
    table: Table, texts: ChartTexts, category_labels: Mapping[str, str]
) -> dict[str, Any]:
    """Stacked horizontal bars: organisations choosing each option, by category."""
    crosstab = table.crosstab
    if crosstab is None:
        raise ChartError(f"'{table.key}' has no cross-tab.")
    values = [
        {
            "label": label,
            "order": position,
            "category": category_labels.get(category, category),
            "count": counts.get(category, 0),
        }
        for position, (_name, label, counts) in enumerate(crosstab.rows)
        for category in crosstab.categories
    ]
    largest = max((sum(counts.values()) for _n, _l, counts in crosstab.rows), default=0)
    spec = _base(table.label, len(crosstab.rows))
    domain = [category_labels.get(c, c) for c in crosstab.categories]
    spec.update({
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "title": None,
                  "sort": {"field": "order", "order": "ascending"}},
            "x": {"field": "count", "type": "quantitative", "title": texts.organisations,
                  "stack": "zero", "axis": _count_axis(texts.organisations, largest)},
            "color": {
                "field": "category", "type": "nominal", "title": texts.category,
                "scale": {"domain": domain, "range": CATEGORY_COLOURS[: len(domain)] or None},
                "legend": {"orient": "bottom", "columns": 2, "labelLimit": LABEL_LIMIT},
            },
            "order": {"field": "category"},
        },
    })
    if not domain:
        del spec["encoding"]["color"]["scale"]
    return spec


MAP_WIDTH, MAP_HEIGHT = 560, 300
MAP_GRID = 0.1  # degrees: points are rounded to about 11 km and drawn once, sized by count


@lru_cache(maxsize=1)
def world_outline() -> list[dict[str, Any]]:
    """Country outlines (GeoJSON features, low resolution, 173 countries) from the
    ``countryinfo`` package's own data files: nothing is fetched from the internet."""
    from countryinfo import all_countries

    features = []
    for country in all_countries():
        collection = country.geo_json() or {}
        for feature in collection.get("features", []):
            # Only the shape: names stay out of the SVG (the map is not a key to them).
            features.append({"type": "Feature", "properties": {},
                             "geometry": feature["geometry"]})
    return features


def map_points(points: list[tuple[float, float]]) -> list[dict[str, float]]:
    """The points rounded to ``MAP_GRID`` degrees, each place once with its count, so that
    50,000 answers draw a few thousand dots at most."""
    counts: dict[tuple[float, float], int] = {}
    for lat, lon in points:
        place = (round(lat / MAP_GRID) * MAP_GRID, round(lon / MAP_GRID) * MAP_GRID)
        counts[place] = counts.get(place, 0) + 1
    return [{"lat": round(lat, 4), "lon": round(lon, 4), "count": count}
            for (lat, lon), count in sorted(counts.items())]


def _frame(places: list[dict[str, float]]) -> dict[str, Any]:
    """The area the map shows: the points' extent with a margin, at least 30 by 15
    degrees (so a country's points keep their neighbours around them)."""
    lats = [p["lat"] for p in places]
    lons = [p["lon"] for p in places]
    middle_lat, middle_lon = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    half_lat = max((max(lats) - min(lats)) * 0.6, 7.5)
    half_lon = max((max(lons) - min(lons)) * 0.6, 15.0)
    south, north = max(middle_lat - half_lat, -90), min(middle_lat + half_lat, 90)
    west, east = max(middle_lon - half_lon, -180), min(middle_lon + half_lon, 180)
    return {"type": "Feature", "properties": {}, "geometry": {
        "type": "LineString", "coordinates": [[west, south], [east, north]]}}


def dot_map_spec(table: Table, texts: ChartTexts) -> dict[str, Any]:
    """A dot map of a geopoint question's answers on a low-resolution world outline."""
    places = map_points((table.summary or {}).get("points") or [])
    spec = _base(table.label, 1)
    spec.update({
        "width": MAP_WIDTH, "height": MAP_HEIGHT,
        "projection": {"type": "equirectangular", "fit": _frame(places),
                       "clipExtent": [[0, 0], [MAP_WIDTH, MAP_HEIGHT]]},
        "layer": [
            {"data": {"values": world_outline()},
             # Outlines only: some of the package's rings wind the other way, which the
             # spherical projection would fill as "the whole world but this country".
             "mark": {"type": "geoshape", "filled": False, "stroke": "#8c8c8c",
                      "strokeWidth": 0.6}},
            {"data": {"values": places},
             "mark": {"type": "circle", "color": BAR_COLOUR, "opacity": 0.75},
             "encoding": {
                 "longitude": {"field": "lon", "type": "quantitative"},
                 "latitude": {"field": "lat", "type": "quantitative"},
                 "size": {"field": "count", "type": "quantitative", "title": texts.points,
                          "scale": {"range": [12, 160]}},
             }},
        ],
    })
    return spec


def render_svg(spec: Mapping[str, Any]) -> str:
    """The SVG of a Vega-Lite specification (offline), checked to be well-formed XML.

    Identical specifications are drawn once per process (the dashboard redraws the same
    charts on every visit while the answers do not change)."""
    return _render_json(json.dumps(spec, sort_keys=True, ensure_ascii=False))


@lru_cache(maxsize=512)
def _render_json(spec_json: str) -> str:
    import vl_convert

    try:
        svg = vl_convert.vegalite_to_svg(json.loads(spec_json))
    except Exception as error:  # vl-convert raises plain ValueErrors / RuntimeErrors
        raise ChartError(f"The chart could not be drawn: {error}") from error
    try:
        ET.fromstring(svg)  # noqa: S314 - our own renderer's output, no external entities
    except ET.ParseError as error:
        raise ChartError(f"The chart is not well-formed SVG: {error}") from error
    return svg


def chart_specs(
    table: Table, texts: ChartTexts, category_labels: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    """The charts of a table: ``bars`` for select tables, ``distribution`` for numbers,
    dates and times, ``map`` for geopoints, ``crosstab`` when it has one."""
    specs: dict[str, dict[str, Any]] = {}
    if table.is_select and table.options:
        specs["bars"] = bar_chart_spec(table, texts, sort_by_count=table.kind == "multiple")
    elif table.kind == "text_counts" and table.options:
        specs["bars"] = bar_chart_spec(table, texts, sort_by_count=True)
    elif table.kind in DISTRIBUTION_KINDS and (table.summary or {}).get("distribution"):
        specs["distribution"] = distribution_chart_spec(table, texts)
    elif table.kind == "geo" and (table.summary or {}).get("points"):
        specs["map"] = dot_map_spec(table, texts)
    if table.crosstab is not None and table.crosstab.categories and table.answered:
        specs["crosstab"] = crosstab_chart_spec(table, texts, category_labels)
    return specs
