"""Scoring rules on answers: one raw score per unit and indicator, missing kept missing.

``answers`` is a wide table: one row per unit (the index), one column per question path
(``evaluation/ex_ante``), values as exported (a select_multiple is its choice names
separated by spaces; an empty cell or NaN is no answer). A unit whose answer is missing
gets NaN here, never 0: what a missing score becomes is the framework's decision
(``construct.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .framework import Framework, Node, Rule


def _column(answers: pd.DataFrame, question: str) -> pd.Series:
    if question not in answers.columns:
        return pd.Series(np.nan, index=answers.index, dtype=object)
    return answers[question]


def _per_value(values: pd.Series, fn) -> np.ndarray:
    """``fn(text)`` for every answer, computed once per distinct answer (answers repeat a
    lot: a select_one has a handful of values), NaN where there is no answer."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    table = np.array([fn(str(u)) if str(u).strip() else np.nan for u in uniques] + [np.nan],
                     dtype=float)
    return table[codes]  # code -1 (no answer) reads the last entry, NaN


def score_choice(values: pd.Series, rule: Rule) -> np.ndarray:
    scores = rule.scores

    def best(text: str) -> float:
        return max((scores.get(token, 0.0) for token in text.split()), default=0.0)

    return _per_value(values, best)


def score_count(values: pd.Series, rule: Rule) -> np.ndarray:
    wanted = set(rule.choices)

    def count(text: str) -> float:
        tokens = set(text.split())
        return float(len(tokens & wanted) if wanted else len(tokens))

    return _capped(_per_value(values, count), rule)


def score_number(values: pd.Series, rule: Rule) -> np.ndarray:
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    return _capped(numbers, rule)


def _capped(raw: np.ndarray, rule: Rule) -> np.ndarray:
    if rule.cap is None:
        return raw
    return np.minimum(raw, rule.cap) / rule.cap  # NaN stays NaN


def _hits(values: pd.Series, wanted: tuple[str, ...]) -> np.ndarray:
    """1 where a wanted choice is selected, 0 where not, NaN where no answer."""
    wanted_set = set(wanted)
    return _per_value(values, lambda text: float(bool(wanted_set & set(text.split()))))


def score_condition(first: pd.Series, second: pd.Series, rule: Rule) -> np.ndarray:
    """"and": 0 once the first question is answered without a wanted choice (the second is
    then usually not asked); "or": 1 once either has a wanted choice. Missing otherwise."""
    hit1, hit2 = _hits(first, rule.choices), _hits(second, rule.choices2)
    miss1, miss2 = np.isnan(hit1), np.isnan(hit2)
    if rule.op == "or":
        return np.where((hit1 == 1) | (hit2 == 1), 1.0, np.where(miss1 | miss2, np.nan, 0.0))
    return np.where(miss1, np.nan, np.where(hit1 == 0, 0.0, hit2))


def score_indicator(answers: pd.DataFrame, node: Node) -> np.ndarray:
    rule = node.rule
    values = _column(answers, rule.question)
    if rule.kind == "choice":
        out = score_choice(values, rule)
    elif rule.kind == "count":
        out = score_count(values, rule)
    elif rule.kind == "number":
        out = score_number(values, rule)
    else:
        out = score_condition(values, _column(answers, rule.question2), rule)
    if node.direction == -1:
        # Higher raw values are worse: a 0-1 score is turned round, an open number negated.
        out = 1.0 - out if rule.bounded else -out
    return out


def score(framework: Framework, answers: pd.DataFrame) -> pd.DataFrame:
    """Raw indicator scores: units x indicators, NaN where the answer is missing."""
    columns = {node.name: score_indicator(answers, node) for node in framework.indicators}
    return pd.DataFrame(columns, index=answers.index, dtype=float)
