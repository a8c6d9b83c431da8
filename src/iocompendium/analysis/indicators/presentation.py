"""What the dashboard, the report and the compendium show of a computed framework (pure).

* ``score_rows``: one row per unit (composite, each category's share of the composite for
  the stacked bars, rank and rank interval when known), from a ``Result``;
* ``country_rows``: the same rows from published country scores (iREG, GIRG);
* ``trace``: how one unit scored on every indicator, with the answer behind each score,
  the missing-data treatment and the weight, so that a score is traced on one page;
* ``comparable_indicators``: the indicators that name the other instrument's question
  they mirror (``Node.mirrors``), so comparability is stated, never guessed;
* ``methods``: the framework itself as data (tree, rules, construction) for a methods page.

No Django and no translatable text: labels come from the caller in the page's language.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from .construct import Result
from .framework import Framework, Node

IO = "io"
COUNTRY = "country"


@dataclass(frozen=True)
class ScoreRow:
    """One unit on the chart: its composite and each category's part of it."""

    unit: str
    label: str
    kind: str  # IO or COUNTRY
    score: float | None
    categories: dict[str, float | None]  # category name -> category score (0-1 scale)
    parts: dict[str, float]  # category name -> its share of the composite (stacked bar)
    rank: int | None = None
    median_rank: float | None = None
    rank_interval: tuple[float | None, float | None] = (None, None)
    year: str = ""


def _number(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def stack_parts(
    score: float | None, categories: Mapping[str, float | None], weights: Mapping[str, float],
) -> dict[str, float]:
    """Each category's share of the composite, so that the shares add up to the composite.

    With arithmetic aggregation a category's share is its weight (normalised over the
    categories that have a value) times its score times the scale, which is exactly what
    it adds to the composite. With geometric aggregation the composite is not a sum: the
    same weighted shares are rescaled to add up to the composite (the bar's length is
    the composite; the split shows each category's weighted score). A unit without a
    composite has no parts."""
    if score is None:
        return {}
    known = {name: value for name, value in categories.items() if value is not None}
    total_weight = sum(weights.get(name, 1.0) for name in known)
    if not known or total_weight <= 0:
        return {}
    weighted = {name: weights.get(name, 1.0) / total_weight * value
                for name, value in known.items()}
    total = sum(weighted.values())
    if total <= 0:
        return {name: 0.0 for name in known}
    return {name: part / total * score for name, part in weighted.items()}


def score_rows(
    result: Result, labels: Mapping[str, str] | None = None,
    uncertainty: Mapping[str, Mapping] | None = None, kind: str = IO,
) -> list[ScoreRow]:
    """The units of a computed framework, best composite first (unscored units last).

    ``uncertainty`` is ``Uncertainty.rows()`` (median rank and rank interval per unit).
    A unit the framework's own choices leave unscored gets no rank interval, even when an
    alternative missing-data treatment of the Monte Carlo (mean, median) ranks it: it is
    shown as not scored, not placed among the ranked units."""
    labels = labels or {}
    uncertainty = uncertainty or {}
    categories = [node.name for node in result.framework.categories]
    weights = {name: result.weights.get(name, 1.0) for name in categories}
    composite = result.composite
    ranks = result.ranks()
    rows = []
    for unit in result.values.index:
        score = _number(composite[unit])
        values = {name: _number(result.values.at[unit, name]) for name in categories}
        extra = uncertainty.get(unit, {}) if score is not None else {}
        interval = extra.get("rank_interval") or [None, None]
        rank = _number(ranks[unit])
        rows.append(ScoreRow(
            unit=str(unit), label=str(labels.get(unit, unit)), kind=kind, score=score,
            categories=values, parts=stack_parts(score, values, weights),
            rank=None if rank is None else int(rank),
            median_rank=_number(extra.get("median_rank")),
            rank_interval=(_number(interval[0]), _number(interval[1])),
        ))
    return sort_rows(rows)


def country_rows(
    scores: Sequence[Mapping], categories: Sequence[str], labels: Mapping[str, str] | None = None,
) -> list[ScoreRow]:
    """Rows from published scores: ``[{"unit", "year", "score", "categories": {name: v}}]``.

    The published composite is kept as published; the parts are the published category
    scores, rescaled to add up to it (iREG: the four categories sum to the composite)."""
    labels = labels or {}
    rows = []
    for item in scores:
        unit = str(item["unit"])
        values = {name: _number(item.get("categories", {}).get(name)) for name in categories}
        score = _number(item.get("score"))
        if score is None and values and all(v is not None for v in values.values()):
            score = sum(values.values())  # type: ignore[arg-type]
        rows.append(ScoreRow(
            unit=unit, label=str(labels.get(unit, unit)), kind=COUNTRY, score=score,
            categories=values, parts=stack_parts(score, values, {}),
            year=str(item.get("year", "")),
        ))
    return sort_rows(rows)


def sort_rows(rows: Sequence[ScoreRow]) -> list[ScoreRow]:
    return sorted(rows, key=lambda r: (r.score is None, -(r.score or 0.0), r.label))


# ------------------------------------------------------------------------------ trace


@dataclass(frozen=True)
class TraceLine:
    """How one unit scored on one indicator, and the answer behind it."""

    indicator: str
    label_en: str
    label_fr: str
    path: tuple[str, ...]  # the names from the category down to the indicator's parent
    kind: str
    questions: tuple[str, ...]
    answers: tuple[str, ...]  # the unit's answer to each question ("" = no answer)
    raw: float | None  # scored from the answer, before the missing-data treatment
    value: float | None  # after treatment and normalisation (what the parent reads)
    status: str  # "scored", "not_applicable", "imputed", "zero", "missing"
    weight: float  # the weight used within the parent
    direction: int
    mirrors: str = ""


@dataclass
class Trace:
    unit: str
    score: float | None
    nodes: dict[str, float | None]  # every category / sub-category value
    lines: list[TraceLine] = field(default_factory=list)


def _answer(answers: pd.DataFrame, unit: object, question: str) -> str:
    if question not in answers.columns or unit not in answers.index:
        return ""
    value = answers.at[unit, question]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _path(framework: Framework, node: Node) -> tuple[str, ...]:
    names: list[str] = []
    current = node
    while current.parent and framework.node(current.parent).level != "composite":
        current = framework.node(current.parent)
        names.append(current.name)
    return tuple(reversed(names))


def trace(result: Result, answers: pd.DataFrame, unit: object) -> Trace:
    """Every indicator of ``unit``: its question(s), the answer, the raw score, what the
    missing-data treatment did with it, the value its parent reads and the weight."""
    framework = result.framework
    construction = result.construction
    lines = []
    for node in framework.indicators:
        rule = node.rule
        raw = _number(result.raw.at[unit, node.name])
        value = _number(result.values.at[unit, node.name])
        treatment = rule.missing or construction.missing
        if raw is not None:
            status = "scored"
        elif bool(result.not_applicable.at[unit, node.name]):
            status = "not_applicable"
        elif value is None:
            status = "missing"
        elif treatment == "zero":
            status = "zero"
        else:
            status = "imputed"
        lines.append(TraceLine(
            indicator=node.name, label_en=node.label_en, label_fr=node.label_fr,
            path=_path(framework, node), kind=rule.kind, questions=rule.questions,
            answers=tuple(_answer(answers, unit, q) for q in rule.questions),
            raw=raw, value=value, status=status, weight=result.weights.get(node.name, 0.0),
            direction=node.direction, mirrors=node.mirrors,
        ))
    parents = {node.name: _number(result.values.at[unit, node.name])
               for node in framework.nodes if node.level in ("category", "subcategory")}
    return Trace(unit=str(unit), score=_number(result.composite[unit]), nodes=parents,
                 lines=lines)


# ------------------------------------------------------------------ comparability, methods


def comparable_indicators(framework: Framework) -> list[Node]:
    """The indicators that name the question of another instrument they mirror."""
    return [node for node in framework.indicators if node.mirrors.strip()]


def rule_text(node: Node) -> dict[str, object]:
    """The scoring rule as plain data (for the methods page and the data package)."""
    rule = node.rule
    if rule is None:
        return {}
    return {
        "kind": rule.kind, "question": rule.question, "scores": dict(rule.scores),
        "choices": list(rule.choices), "cap": rule.cap, "question2": rule.question2,
        "choices2": list(rule.choices2), "op": rule.op, "missing": rule.missing,
    }


def methods(framework: Framework) -> dict[str, object]:
    """The framework as data: the tree in depth-first order with each node's rule."""
    ordered: list[dict[str, object]] = []

    def walk(node: Node) -> None:
        ordered.append({
            "name": node.name, "level": node.level, "parent": node.parent,
            "depth": framework.depth(node.name), "label_en": node.label_en,
            "label_fr": node.label_fr, "weight": node.weight, "direction": node.direction,
            "target": node.target, "mirrors": node.mirrors, "rule": rule_text(node),
        })
        for child in framework.children(node.name):
            walk(child)

    walk(framework.root)
    return {
        "slug": framework.slug, "title_en": framework.title_en, "title_fr": framework.title_fr,
        "construction": framework.construction.as_dict(), "nodes": ordered,
    }
