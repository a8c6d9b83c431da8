"""To whom each question applied: the relevance table behind the denominators (no Django).

The form's skip logic is evaluated by a callable with the signature of
``questionnaires.engine.evaluate(structure, answers)``, passed in by the caller, so that
this module stays independent of the engine and can be tested with a hand-written one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import pandas as pd

from iocompendium.analysis.tables import RELEVANCE_COLUMNS
from iocompendium.questionnaires.structure import Structure, template_path

Evaluate = Callable[[Structure, Mapping[str, str]], Mapping[str, Mapping[str, object]]]


def relevant_questions(
    structure: Structure, answers: Mapping[str, str], evaluate: Evaluate
) -> set[str]:
    """Template paths of the questions relevant to one response (in at least one instance)."""
    states = evaluate(structure, answers)
    return {template_path(path) for path, state in states.items() if state.get("relevant")}


def relevance_rows(
    organisation: str, structure: Structure, answers: Mapping[str, str], evaluate: Evaluate
) -> list[tuple[str, str, bool]]:
    return [
        (organisation, question, True)
        for question in sorted(relevant_questions(structure, answers, evaluate))
    ]


def relevance_table(
    structure: Structure,
    answers_by_organisation: Iterable[tuple[str, Mapping[str, str]]],
    evaluate: Evaluate,
) -> pd.DataFrame:
    """(organisation, question, relevant) rows for every relevant question of everyone.

    An organisation with several responses counts as relevant where any of them is."""
    rows: list[tuple[str, str, bool]] = []
    for organisation, answers in answers_by_organisation:
        rows.extend(relevance_rows(organisation, structure, answers, evaluate))
    frame = pd.DataFrame(rows, columns=RELEVANCE_COLUMNS)
    return frame.drop_duplicates(["organisation", "question"])
