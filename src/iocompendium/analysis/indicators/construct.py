"""Construction, as in the JRC/OECD Handbook and COINr: raw scores -> composite.

Steps, each a recorded choice (``Construction``):

1. **Missing data** (per indicator: the rule's ``missing``, else the framework's):
   ``none`` leaves it missing, so every score above it is missing too (the unit is not
   scored, never given 0); ``na`` ("not applicable") drops the indicator for that unit
   and re-weights its siblings; ``mean`` / ``median`` impute the value of the unit's
   group (the answer to ``Construction.group``), or of all units when the group has no
   value; ``zero`` scores 0, only because the framework says so.
2. **Outliers**: ``winsorise`` = w clips ``number`` and ``count`` indicators at their w
   and 1 - w quantiles (linear interpolation), computed over the units that have a value.
3. **Normalisation** per indicator over the units that have a value: ``none`` (scores
   already 0-1); ``minmax`` (x - min) / (max - min); ``zscore`` (x - mean) / sd (sd with
   n - 1); ``rank`` (average rank - 1) / (n - 1); ``target`` (x - min) / (target - min)
   capped at 1 (target: the node's, else the maximum). A constant indicator is left as
   scored by ``minmax`` and ``target``, and gets 0 from ``zscore`` and ``rank``.
4. **Weighting** of the children of every node: ``equal``; ``manual`` (the tree's
   weights); ``pca``: the squared loadings of the first principal component of the
   children's values (units with all of them), summing to 1; equal when fewer than three
   such units or one child.
5. **Aggregation** per node over the children that apply: ``arithmetic`` weighted mean;
   ``geometric`` weighted geometric mean, with the rule for zeros ``offset`` (the geometric
   mean of x + 1, minus 1: a zero lowers the score without wiping it out) or ``zero`` (a
   zero child makes the parent 0). Geometric needs values above -1 (``offset``) or
   non-negative (``zero``); z-scores are refused.
6. The composite is the root's value times ``scale`` (iREG: four categories of 0-1 summed,
   so the mean times 4).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .framework import Construction, Framework, FrameworkError
from .scoring import score

NUMERIC_KINDS = ("number", "count")


@dataclass
class Plan:
    """The tree as arrays: node columns, and the parents level by level, deepest first."""

    names: list[str]
    indicator_count: int
    levels: list[list[tuple[int, np.ndarray]]]  # per depth: (parent column, children columns)
    manual: np.ndarray  # the tree's weight of every node
    root: int
    # The same levels as flat arrays: the parent columns, the children columns (parent by
    # parent) and, per child, the position of its parent in the level.
    level_parents: list[np.ndarray] = field(default_factory=list)
    level_children: list[np.ndarray] = field(default_factory=list)
    level_owner: list[np.ndarray] = field(default_factory=list)

    def __post_init__(self) -> None:
        for level in self.levels:
            self.level_parents.append(np.array([parent for parent, _ in level]))
            self.level_children.append(np.concatenate([kids for _, kids in level]))
            self.level_owner.append(np.concatenate(
                [np.full(len(kids), p) for p, (_, kids) in enumerate(level)]))

    @classmethod
    def of(cls, framework: Framework) -> Plan:
        indicators = [node.name for node in framework.indicators]
        parents = framework.aggregation_order()
        names = indicators + [node.name for node in parents]
        column = {name: i for i, name in enumerate(names)}
        by_depth: dict[int, list[tuple[int, np.ndarray]]] = {}
        for node in parents:
            depth = framework.depth(node.name)
            children = np.array([column[c.name] for c in framework.children(node.name)])
            by_depth.setdefault(depth, []).append((column[node.name], children))
        levels = [by_depth[d] for d in sorted(by_depth, reverse=True)]
        manual = np.array([framework.node(name).weight for name in names], dtype=float)
        return cls(names, len(indicators), levels, manual, column[framework.root.name])


@dataclass
class Result:
    """Every node's score per unit, the treated indicators, the choices made."""

    framework: Framework
    raw: pd.DataFrame  # scored answers, before missing-data treatment
    values: pd.DataFrame  # units x nodes (indicators normalised, parents aggregated)
    not_applicable: pd.DataFrame  # units x nodes, True where dropped and re-weighted
    weights: dict[str, float]  # the weight used for every node within its parent
    construction: Construction

    @property
    def composite(self) -> pd.Series:
        return self.values[self.framework.root.name] * self.construction.scale

    def ranks(self) -> pd.Series:
        return rank_scores(self.composite)

    def unit_rows(self) -> list[dict]:
        """The ``compute --json`` units: score, categories and indicators by name."""
        categories = [node.name for node in self.framework.categories]
        indicators = [node.name for node in self.framework.indicators]
        composite = self.composite
        rows = []
        for unit in self.values.index:
            rows.append({
                "unit": unit,
                "score": _number(composite[unit]),
                "categories": {name: _number(self.values.at[unit, name]) for name in categories},
                "indicators": {name: _number(self.values.at[unit, name]) for name in indicators},
            })
        return rows


def _number(value: float) -> float | None:
    return None if pd.isna(value) else float(value)


def rank_scores(scores: pd.Series) -> pd.Series:
    """Rank 1 = highest score; ties share the best rank; units without a score: NaN."""
    return pd.Series(rank_array(scores.to_numpy(dtype=float)), index=scores.index)


def rank_array(scores: np.ndarray) -> np.ndarray:
    """``rank_scores`` on an array (fast: the Monte Carlo ranks thousands of times)."""
    valid = ~np.isnan(scores)
    ordered = np.sort(-scores[valid])
    ranks = np.full(scores.shape, np.nan)
    ranks[valid] = np.searchsorted(ordered, -scores[valid], side="left") + 1
    return ranks


# ----------------------------------------------------------------------- 1. missing data


def treat_missing(
    framework: Framework, raw: pd.DataFrame, groups: pd.Series | None,
    construction: Construction, override: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(values, not-applicable mask), both units x indicators. ``override`` replaces every
    treatment but ``zero`` (what the uncertainty analysis varies)."""
    values = raw.to_numpy(dtype=float, copy=True)
    missing = np.isnan(values)
    treatments = np.array([
        override if override and (node.rule.missing or construction.missing) != "zero"
        else (node.rule.missing or construction.missing)
        for node in framework.indicators
    ])
    values[missing & (treatments == "zero")] = 0.0
    na = missing & (treatments == "na")
    for how in ("mean", "median"):
        columns = np.flatnonzero(treatments == how)
        if len(columns) and missing[:, columns].any():
            filled = _impute(raw.iloc[:, columns], groups, how)
            values[:, columns] = filled
    return values, na


def _impute(part: pd.DataFrame, groups: pd.Series | None, how: str) -> np.ndarray:
    """The group's mean or median where a value is missing, else all units' (NaN if none)."""
    overall = getattr(part, how)()
    if groups is not None:
        keys = groups.reindex(part.index).fillna("").to_numpy()
        part = part.fillna(part.groupby(keys).transform(how))
    return part.fillna(overall).to_numpy(dtype=float)


# ------------------------------------------------------------------------- 2. outliers


def winsorise(values: np.ndarray, columns: np.ndarray, fraction: float) -> np.ndarray:
    if fraction <= 0 or not len(columns):
        return values
    out = values.copy()
    part = out[:, columns]
    low, high = column_quantiles(part, [fraction, 1 - fraction])
    out[:, columns] = np.clip(part, low, high)
    return out


def column_quantiles(a: np.ndarray, qs: list[float]) -> list[np.ndarray]:
    """Per column, the quantiles of the non-missing values with linear interpolation
    (numpy's default method), NaN for a column with none: ``np.nanquantile`` without its
    column-by-column loop."""
    ordered = np.sort(a, axis=0)  # NaN sorts last
    count = (~np.isnan(a)).sum(axis=0)
    out = []
    for q in qs:
        position = q * np.maximum(count - 1, 0)
        below = np.floor(position).astype(int)
        above = np.minimum(below + 1, np.maximum(count - 1, 0))
        low = np.take_along_axis(ordered, below[None, :], axis=0)[0]
        high = np.take_along_axis(ordered, above[None, :], axis=0)[0]
        value = low + (high - low) * (position - below)
        out.append(np.where(count > 0, value, np.nan))
    return out


# -------------------------------------------------------------------- 3. normalisation


def normalise(values: np.ndarray, method: str, targets: np.ndarray) -> np.ndarray:
    if method == "none":
        return values
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.nanmin(values, axis=0)
        high = np.nanmax(values, axis=0)
        if method == "minmax":
            span = high - low
            return np.where(span > 0, (values - low) / np.where(span > 0, span, 1), values)
        if method == "zscore":
            sd = np.nanstd(values, axis=0, ddof=1)
            mean = np.nanmean(values, axis=0)
            ok = np.isfinite(sd) & (sd > 0)
            return np.where(ok, (values - mean) / np.where(ok, sd, 1), 0.0) + values * 0
        if method == "rank":
            ranks = pd.DataFrame(values).rank(method="average").to_numpy()
            count = np.sum(~np.isnan(values), axis=0)
            return np.where(count > 1, (ranks - 1) / np.maximum(count - 1, 1), 0.0) + values * 0
        if method == "target":
            target = np.where(np.isnan(targets), high, targets)
            span = target - low
            scaled = np.where(span > 0, (values - low) / np.where(span > 0, span, 1), values)
            return np.minimum(scaled, np.where(span > 0, 1.0, np.inf))
    raise FrameworkError(f"unknown normalisation '{method}'.")


def indicator_matrix(
    framework: Framework, raw: pd.DataFrame, groups: pd.Series | None,
    construction: Construction, missing_override: str | None = None,
    treated: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Steps 1-3: treated, winsorised, normalised indicators and the not-applicable mask.

    ``treated``: the result of step 1 when already known (the uncertainty analysis)."""
    values, na = treated or treat_missing(framework, raw, groups, construction,
                                          missing_override)
    numeric = np.array([i for i, node in enumerate(framework.indicators)
                        if node.rule.kind in NUMERIC_KINDS], dtype=int)
    values = winsorise(values, numeric, construction.winsorise)
    targets = np.array([np.nan if node.target is None else node.target
                        for node in framework.indicators], dtype=float)
    # Values dropped as not applicable take no part in the normalisation statistics.
    values = normalise(np.where(na, np.nan, values), construction.normalisation, targets)
    return values, na


# ------------------------------------------------------------- 4-5. weights, aggregation


def pca_weights(children: np.ndarray) -> np.ndarray:
    k = children.shape[1]
    complete = children[~np.isnan(children).any(axis=1)]
    if k < 2 or len(complete) < 3:
        return np.ones(k)
    centred = complete - complete.mean(axis=0)
    if not np.any(centred):
        return np.ones(k)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    loadings = vt[0] ** 2
    return loadings / loadings.sum()


def _child_weights(
    plan: Plan, depth: int, values: np.ndarray, skip: np.ndarray, weighting: str,
) -> np.ndarray:
    """The weights of a level's children (parent by parent), before any perturbation."""
    children = plan.level_children[depth]
    if weighting == "manual":
        return plan.manual[children].copy()
    if weighting == "pca":
        return np.concatenate([pca_weights(np.where(skip[:, kids], np.nan, values[:, kids]))
                               for _, kids in plan.levels[depth]])
    return np.ones(len(children))


@dataclass
class LevelInput:
    """What a level's aggregation reads from its children, whatever the weights: the
    Monte Carlo prepares it once per indicator matrix and reuses it in every run, with
    what it derived from it (``weights`` per weighting method, ``counts`` per pattern of
    member children)."""

    x: np.ndarray  # the children's values, 0 where they take no part
    applies: np.ndarray  # 1.0 where the child applies (not "not applicable")
    unknown: np.ndarray  # 1.0 where an applicable child has no value ("none")
    logs: dict[str, np.ndarray]  # geometric: the logs per zero rule (0 where x is 0)
    zeros: dict[str, np.ndarray]  # geometric: 1.0 where a zero makes the parent 0
    weights: dict[str, np.ndarray] = field(default_factory=dict)
    counts: dict[tuple, tuple[np.ndarray, np.ndarray | None]] = field(default_factory=dict)

    @classmethod
    def of(cls, x: np.ndarray, skip: np.ndarray, geometric: bool, zero_rule: str) -> LevelInput:
        applies = ~skip
        unknown = np.isnan(x) & applies
        x = np.where(applies & ~unknown, x, 0.0)
        logs: dict[str, np.ndarray] = {}
        zeros: dict[str, np.ndarray] = {}
        if geometric:
            shifted = _geometric_input(x, zero_rule)
            positive = shifted > 0
            logs[zero_rule] = np.log(np.where(positive, shifted, 1.0))
            zeros[zero_rule] = (applies & ~positive).astype(float)
        return cls(x, applies.astype(float), unknown.astype(float), logs, zeros)

    def member_counts(
        self, member: np.ndarray, geometric: bool, rule: str,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Per unit and parent: how many member children have no value, and how many are
        zeros that make a geometric parent 0."""
        unknown = self.unknown @ member
        return unknown, (self.zeros[rule] @ member if geometric else None)


def aggregate(
    plan: Plan, indicators: np.ndarray, na: np.ndarray, construction: Construction,
    factors: np.ndarray | None = None, first: LevelInput | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Steps 4-5 on arrays: (values, not-applicable, weights) for every node column.

    A whole level of the tree at a time, as one matrix product: children x parents holds
    each child's weight in its parent. ``factors`` multiplies the weights (the
    uncertainty analysis perturbs them); ``first`` is the deepest level's prepared input,
    whose weights and member counts are kept in it for the next run."""
    units = indicators.shape[0]
    values = np.full((units, len(plan.names)), np.nan)
    skip = np.zeros((units, len(plan.names)), dtype=bool)
    values[:, : plan.indicator_count] = indicators
    skip[:, : plan.indicator_count] = na
    used = np.ones(len(plan.names))
    geometric = construction.aggregation == "geometric"
    rule, weighting = construction.zero_rule, construction.weighting
    for depth in range(len(plan.levels)):
        children, owner = plan.level_children[depth], plan.level_owner[depth]
        prepared = first if depth == 0 and first is not None and (
            not geometric or rule in first.logs) else None
        if prepared is None:
            base = _child_weights(plan, depth, values, skip, weighting)
        else:
            if weighting not in prepared.weights:
                prepared.weights[weighting] = _child_weights(plan, depth, values, skip,
                                                             weighting)
            base = prepared.weights[weighting]
        w = base if factors is None else base * factors[children]
        sums = np.bincount(owner, weights=w, minlength=len(plan.level_parents[depth]))
        with np.errstate(invalid="ignore", divide="ignore"):
            used[children] = np.where(sums[owner] > 0, w / sums[owner], w)
        matrix = np.zeros((len(children), len(plan.level_parents[depth])))
        matrix[np.arange(len(children)), owner] = w
        member = (matrix > 0).astype(float)
        if prepared is None:
            level_input = LevelInput.of(values[:, children], skip[:, children], geometric, rule)
            counts = level_input.member_counts(member, geometric, rule)
        else:
            level_input = prepared
            # The members are the children of positive base weight whenever every factor
            # is positive (the perturbation's are), so their counts are kept per weighting.
            key = (weighting, geometric, rule)
            if factors is not None and not np.all(factors[children] > 0):
                counts = level_input.member_counts(member, geometric, rule)
            else:
                if key not in prepared.counts:
                    prepared.counts[key] = level_input.member_counts(member, geometric, rule)
                counts = prepared.counts[key]
        parents = plan.level_parents[depth]
        values[:, parents], skip[:, parents] = _aggregate_level(
            level_input, matrix, counts, geometric, rule)
    return values, skip, used


def _aggregate_level(
    level_input: LevelInput, matrix: np.ndarray,
    counts: tuple[np.ndarray, np.ndarray | None], geometric: bool, rule: str,
) -> tuple[np.ndarray, np.ndarray]:
    """One level: (the parents' values, whether no child applies)."""
    total = level_input.applies @ matrix
    unknown, zero = counts  # a "none" child leaves its parent unscored
    with np.errstate(invalid="ignore", divide="ignore"):
        if geometric:
            mean = np.where(zero > 0, 0.0, np.exp((level_input.logs[rule] @ matrix) / total))
            result = mean - 1.0 if rule == "offset" else mean
        else:
            result = (level_input.x @ matrix) / total
    none = total <= 0
    return np.where(none | (unknown > 0), np.nan, result), none


def first_level_input(
    plan: Plan, indicators: np.ndarray, na: np.ndarray, zero_rule: str,
) -> LevelInput:
    """The deepest level's input for both aggregations (for the uncertainty analysis)."""
    children = np.concatenate([kids for _, kids in plan.levels[0]])
    values = np.full((indicators.shape[0], len(plan.names)), np.nan)
    values[:, : plan.indicator_count] = indicators
    skip = np.zeros(values.shape, dtype=bool)
    skip[:, : plan.indicator_count] = na
    x, s = values[:, children], skip[:, children]
    prepared = LevelInput.of(x, s, geometric=False, zero_rule=zero_rule)
    try:
        geometric = LevelInput.of(x, s, geometric=True, zero_rule=zero_rule)
    except FrameworkError:
        return prepared
    prepared.logs, prepared.zeros = geometric.logs, geometric.zeros
    return prepared


def _geometric_input(x: np.ndarray, zero_rule: str) -> np.ndarray:
    shifted = x + 1.0 if zero_rule == "offset" else x
    if np.nanmin(shifted, initial=np.inf) < 0:
        raise FrameworkError(
            "geometric aggregation needs non-negative scores: use the minmax, rank, target "
            "or none normalisation, not zscore."
        )
    return shifted


# ----------------------------------------------------------------------------- compute


def compute(
    framework: Framework, answers: pd.DataFrame, construction: Construction | None = None,
) -> Result:
    """Score the answers and build every level of the framework."""
    construction = construction or framework.construction
    construction.validate()
    raw = score(framework, answers)
    groups = group_of(answers, construction)
    indicators, na = indicator_matrix(framework, raw, groups, construction)
    plan = Plan.of(framework)
    values, skip, used = aggregate(plan, indicators, na, construction)
    index = answers.index
    return Result(
        framework=framework,
        raw=raw,
        values=pd.DataFrame(values, index=index, columns=plan.names),
        not_applicable=pd.DataFrame(skip, index=index, columns=plan.names),
        weights=dict(zip(plan.names, used.tolist(), strict=True)),
        construction=construction,
    )


def group_of(answers: pd.DataFrame, construction: Construction) -> pd.Series | None:
    if not construction.group or construction.group not in answers.columns:
        return None
    return answers[construction.group].fillna("").astype(str)
