"""RelevanceEvaluator (engine): the relevance of many responses at once equals
``evaluate``'s, response by response, on the real REACH Lebanon 2022 form (real answers
and SYNTHETIC mixes of them) and on SYNTHETIC forms built to catch a wrong memo: a value
that is True in one response and 1 in another, an answer given as '' beside a default, a
calculation chain, a form with repeats and one that reads the time (evaluated in full)."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from iocompendium.questionnaires.engine import RelevanceEvaluator, evaluate
from iocompendium.questionnaires.structure import template_path
from tests.questionnaires.test_engine_real_forms import LEBANON, paths_by_name, read_form


def _expected(structure: dict, answers: dict[str, str]) -> list[str]:
    states = evaluate(structure, answers)
    return sorted({template_path(path) for path, state in states.items() if state["relevant"]})


def _agree(structure: dict, responses: list[dict[str, str]]) -> RelevanceEvaluator:
    evaluator = RelevanceEvaluator(structure)
    assert evaluator.relevant_templates(responses) == [_expected(structure, a)
                                                       for a in responses]
    for answers in responses[:20]:  # one at a time too
        assert evaluator(structure, answers) == {
            path: {"relevant": state["relevant"]}
            for path, state in evaluate(structure, answers).items()}
    return evaluator


def _question(name: str, kind: str = "text", **columns: str) -> dict:
    return {"type": kind, "name": name, "label": {"en": name}, **columns}


def test_lebanon_real_and_mixed_answers(shared_data: Path) -> None:
    structure = read_form(shared_data / LEBANON / "form.xlsx")
    table = pd.read_excel(shared_data / LEBANON / "submissions.xlsx", dtype=str).fillna("")
    paths = paths_by_name(structure)
    columns = [c for c in table.columns if c in paths]
    real = [{paths[c]: row[c].strip() for c in columns if row[c].strip()}
            for _, row in table.iloc[::4].iterrows()]
    rng = random.Random(7)
    mixed = [{path: donor[path] for path in {p for r in real for p in r}
              if path in (donor := rng.choice(real))} for _ in range(150)]
    evaluator = _agree(structure, real + mixed)
    assert evaluator._shared is not None and evaluator._shared.columnar()


def test_booleans_numbers_empty_answers_defaults_and_chains() -> None:
    structure = {"type": "survey", "name": "data", "languages": ["en"], "choices": {},
                 "children": [
                     _question("a", "integer"),
                     _question("flag", "calculate", calculation="if(${a} > 5, ${a} > 6, ${a})"),
                     _question("shown", relevant="string(${flag}) = 'true'"),
                     _question("one", relevant="${flag} = 1"),
                     _question("d", "integer", default="3"),
                     _question("by_default", relevant="${d} = 3"),
                     _question("twice", "calculate", calculation="${d} * 2 + ${a}"),
                     {"type": "group", "name": "g", "label": {"en": "G"},
                      "relevant": "${twice} > 8", "children": [
                          _question("inner", relevant="${a} != ''"),
                          _question("always")]},
                 ]}
    responses = [{"a": "7"}, {"a": "1"}, {"a": "6"}, {"a": "0"}, {}, {"a": "7", "d": ""},
                 {"a": "1", "d": "4"}, {"a": "x"}, {"a": "7", "d": "3"}, {"d": "5"}]
    assert _agree(structure, responses)._shared.columnar()


def test_forms_with_repeats_or_the_time_are_evaluated_in_full() -> None:
    repeat = {"type": "survey", "name": "data", "languages": ["en"], "choices": {},
              "children": [_question("n", "integer"),
                           {"type": "repeat", "name": "r", "label": {"en": "R"}, "children": [
                               _question("x", "integer"),
                               _question("y", relevant="${x} > ${n}")]}]}
    assert _agree(repeat, [{"n": "1", "r[1]/x": "2", "r[2]/x": "0"}, {"n": "5"},
                           {"n": "0", "r[1]/x": "0"}])._shared is None
    timed = {"type": "survey", "name": "data", "languages": ["en"], "choices": {},
             "children": [_question("t", relevant="today() > date('2020-01-01')")]}
    assert _agree(timed, [{}, {"t": "a"}])._shared is None


@pytest.mark.parametrize("empty", [[], [{}]])
def test_no_or_empty_responses(empty: list) -> None:
    structure = {"type": "survey", "name": "data", "languages": ["en"], "choices": {},
                 "children": [_question("a", relevant="false()")]}
    assert RelevanceEvaluator(structure).relevant_templates(empty) == [[] for _ in empty]
