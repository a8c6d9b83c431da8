"""What the published compendium gains from the indicators: a methods page per framework
written from the framework itself (tree, scoring rules, construction choices, scores,
rank intervals, countries beside IOs with their attribution), and three data-package
resources with their schema.

The compendium calls these (indicators feed the compendium; nothing here imports it).
Published scores are those of approved responses only, like the compendium's figures.
"""

from __future__ import annotations

import json
from typing import Any

from iocompendium.indicators import presenting, sources
from iocompendium.indicators.presenting import Dashboard

PUBLISHED_STATUS = "approved"


def dashboards(questionnaire: str, *, charts: bool = True) -> list[Dashboard]:
    """Every framework over ``questionnaire``, computed on approved responses, in the
    active language."""
    return sources.dashboards_for_questionnaire(questionnaire, PUBLISHED_STATUS, charts=charts)


def page_context(view: Dashboard) -> dict[str, Any]:
    """The context of a framework's published page (with ``site`` added by the caller)."""
    return {"view": view, "methods": presenting.methods_view(view.result.framework),
            "caveat": view.caveat}


def page_path(lang: str, slug: str) -> str:
    return f"{lang}/indicators/{slug}.html"


def _field(name: str, type_: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, "description": description, **extra}


def _number(value: Any) -> Any:
    return "" if value is None else value


FRAMEWORK_FIELDS = [
    _field("framework", "string", "Slug of the indicator framework."),
    _field("version", "integer", "Version of the framework the scores were computed with."),
    _field("name", "string", "Name of the node (unique within the framework)."),
    _field("level", "string", "composite, category, subcategory or indicator.",
           constraints={"enum": ["composite", "category", "subcategory", "indicator"]}),
    _field("parent", "string", "Name of the node above (empty for the composite)."),
    _field("label_en", "string", "Label in English."),
    _field("label_fr", "string", "Label in French."),
    _field("weight", "number", "Weight within the parent as written in the framework."),
    _field("direction", "integer", "1: a higher value is better; -1: lower is better."),
    _field("rule", "string", "Scoring rule of an indicator: choice, count, number, "
           "condition (empty for other levels)."),
    _field("question", "string", "Question path the rule reads."),
    _field("question2", "string", "Second question of a condition rule."),
    _field("rule_detail", "string", "The rest of the rule as JSON: scores per choice, "
           "choices, cap, choices2, op, missing-data treatment."),
    _field("mirrors", "string", "The country survey's question this indicator mirrors "
           "(empty: no counterpart; not comparable)."),
    _field("construction", "string", "The framework's construction choices as JSON "
           "(missing, group, winsorise, normalisation, weighting, aggregation, zero_rule, "
           "scale); on the composite's row only."),
]

SCORE_FIELDS = [
    _field("framework", "string", "Slug of the indicator framework."),
    _field("version", "integer", "Version of the framework."),
    _field("unit", "string", "Respondent unit (organisation acronym, jurisdiction code or "
           "submission key)."),
    _field("node", "string", "Node scored: the composite, a category, a sub-category or an "
           "indicator (indicator_frameworks.name)."),
    _field("level", "string", "Level of the node."),
    _field("score", "number", "The node's value for the unit (composite: times the "
           "framework's scale); empty when the unit is not scored or the node does not "
           "apply to it."),
    _field("rank", "integer", "Rank of the composite (1 = highest), composite rows only."),
    _field("median_rank", "number", "Median rank over the Monte Carlo runs, composite rows."),
    _field("rank_p5", "number", "5th percentile of the rank over the runs."),
    _field("rank_p95", "number", "95th percentile of the rank over the runs."),
    _field("runs", "integer", "Monte Carlo runs behind the rank interval."),
    _field("seed", "integer", "Seed of the Monte Carlo runs (results reproducible)."),
]

COUNTRY_FIELDS = [
    _field("framework", "string", "Slug of the indicator framework the scores are shown "
           "beside."),
    _field("area", "string", "Country code (ISO 3166 alpha-3) or aggregate (EU, OECD_REP)."),
    _field("name", "string", "Name of the country or aggregate in English."),
    _field("year", "integer", "Survey year of the published score."),
    _field("category", "string", "Category scored (empty: the composite)."),
    _field("score", "number", "The published score."),
    _field("attribution", "string", "The source's attribution, to be kept with the data."),
]


def data_tables(views: list[Dashboard]) -> list[tuple[str, str, list[dict], list[list]]]:
    """(name, description, schema fields, rows) of the indicators' resources."""
    nodes: list[list] = []
    scores: list[list] = []
    countries: list[list] = []
    for view in views:
        framework = view.result.framework
        slug, version = framework.slug, view.source.version
        for node in framework.nodes:
            rule = node.rule
            detail = "" if rule is None else json.dumps({
                "scores": rule.scores, "choices": list(rule.choices), "cap": rule.cap,
                "choices2": list(rule.choices2), "op": rule.op, "missing": rule.missing,
            }, ensure_ascii=False, sort_keys=True)
            construction = (json.dumps(framework.construction.as_dict(), sort_keys=True)
                            if node.level == "composite" else "")
            nodes.append([slug, version, node.name, node.level, node.parent, node.label_en,
                          node.label_fr, node.weight, node.direction,
                          rule.kind if rule else "", rule.question if rule else "",
                          rule.question2 if rule else "", detail, node.mirrors, construction])
        root = framework.root.name
        values = view.result.values
        for row in view.rows:
            scores.append([slug, version, row.unit, root, "composite", _number(row.score),
                           _number(row.rank), _number(row.median_rank),
                           _number(row.rank_interval[0]), _number(row.rank_interval[1]),
                           view.runs or "", view.seed if view.runs else ""])
            for node in framework.nodes:
                if node.level == "composite":
                    continue
                value = values.at[row.unit, node.name]
                scores.append([slug, version, row.unit, node.name, node.level,
                               "" if value != value else float(value),  # NaN -> empty
                               "", "", "", "", "", ""])
        for row in view.countries:
            base = [slug, row.unit, row.label, row.year]
            countries.append([*base, "", _number(row.score), view.source.attribution])
            for name, value in row.categories.items():
                if value is not None:
                    countries.append([*base, name, value, view.source.attribution])
    tables = [
        ("indicator_frameworks", "The composite-indicator frameworks: every node of the "
         "tree with its weight, direction and scoring rule, and the construction choices.",
         FRAMEWORK_FIELDS, nodes),
        ("indicator_scores", "Scores of every approved respondent unit on every node of each "
         "framework, with the composite's rank and its 5-95 % rank interval.",
         SCORE_FIELDS, scores),
    ]
    if countries:
        tables.append(("indicator_country_scores", "Published country scores shown beside "
                       "the organisations' (another survey: the questions differ). Each row "
                       "carries its source's attribution, which must be kept.",
                       COUNTRY_FIELDS, countries))
    return tables
