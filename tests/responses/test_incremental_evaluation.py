"""The autosave's incremental re-evaluation equals a full evaluation, change after change.

``engine.Evaluation.change`` re-evaluates only what a changed answer can affect; the
autosave relies on it (through ``responses.evaluations``), so every state it returns must
be exactly what ``engine.evaluate`` gives for the same answers.
"""

from __future__ import annotations

import random
from importlib import resources

import pytest

from iocompendium.questionnaires import engine
from iocompendium.questionnaires.structure import NON_ANSWER_TYPES, template_path
from iocompendium.responses import evaluations, services
from iocompendium.responses.models import Answer, AuditEvent
from tests.responses.conftest import node, small_structure


def io_survey_structure() -> dict:
    from iocompendium.questionnaires.xlsform import read_xlsform

    with resources.as_file(resources.files("iocompendium.data") / "io_survey.xlsx") as path:
        return read_xlsform(path)


def chained_structure() -> dict:
    """Calculations reading calculations, a group whose relevance follows an answer, a
    repeat read from outside (sum) and inside (sibling), required and constraint rules."""
    return {
        "default_language": "en", "languages": ["en"],
        "children": [
            node("integer", "a", "A"),
            node("calculate", "double", calculation="${a} * 2"),
            node("calculate", "plus", calculation="${double} + 1"),
            node("integer", "b", "B", constraint=". > ${plus}", required="${a} > 3"),
            node("select_one", "show", "Show", choice_list="yn"),
            {**node("group", "more", "More", relevant="${show} = 'yes'"), "children": [
                node("text", "inner", "Inner", required="yes"),
                node("integer", "inner_n", "N", relevant="${plus} > 5"),
            ]},
            {**node("repeat", "rows", "Rows"), "children": [
                node("integer", "qty", "Qty"),
                node("text", "why", "Why", relevant="${qty} > 2"),
            ]},
            node("calculate", "total", calculation="sum(${qty})"),
            node("text", "note_total", "Total", constraint="${total} < 100",
                 soft_constraint="${total} < 50"),
        ],
        "choices": {"yn": [{"name": "yes", "label": {"en": "Yes"}},
                           {"name": "no", "label": {"en": "No"}}]},
    }


def random_value(rng: random.Random, ref, structure: dict) -> str:
    choices = [c["name"] for c in structure.get("choices", {}).get(
        ref.node.get("choice_list", ""), [])]
    if ref.node.get("or_other"):
        choices.append("other")
    kind = ref.type
    if rng.random() < 0.15:
        return ""
    if kind == "select_one" and choices:
        return rng.choice(choices)
    if kind == "select_multiple" and choices:
        return " ".join(rng.sample(choices, rng.randint(1, min(3, len(choices)))))
    if kind in {"integer", "decimal", "range"}:
        return rng.choice([str(rng.randint(-3, 120)), "2.5", "abc"])
    if kind == "date":
        return rng.choice(["2024-02-29", "1999-12-31", "not a date"])
    if kind == "acknowledge":
        return "OK"
    return rng.choice(["x", "Some text", "<b>5</b>", "yes", "other"])


def walk(structure: dict, answers: dict[str, str], steps: int, seed: int) -> int:
    """Random changes through ``change``, each compared with a full evaluation; returns
    how many were done incrementally."""
    from iocompendium.questionnaires.structure import iter_nodes

    refs = {ref.path: ref for ref in iter_nodes(engine.with_or_other(structure))}
    rng = random.Random(seed)
    evaluation = engine.Evaluation(structure, answers, "en")
    assert evaluation.states == engine.evaluate(structure, answers, "en")
    incremental = 0
    for _step in range(steps):
        paths = [path for path in evaluation.states
                 if refs[template_path(path)].type not in NON_ANSWER_TYPES]
        path = rng.choice(paths)
        value = random_value(rng, refs[template_path(path)], structure)
        answers[path] = value
        states = evaluation.change(path, value)
        if states is None:
            evaluation = engine.Evaluation(structure, answers, "en")
            states = evaluation.states
        else:
            incremental += 1
        assert states == engine.evaluate(structure, answers, "en"), (path, value)
    return incremental


def test_io_survey_changes_equal_full_evaluations():
    structure = io_survey_structure()
    answers = {"variety/instruments[1]/title": "First", "variety/instruments[2]/title": "",
               "variety/instruments[3]/year": "2001"}
    incremental = walk(structure, answers, steps=400, seed=1)
    assert incremental == 400  # the IO Survey reads no time and no location path


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_chained_form_changes_equal_full_evaluations(seed):
    answers = {"rows[1]/qty": "1", "rows[2]/qty": "3", "rows[3]/why": ""}
    assert walk(chained_structure(), answers, steps=300, seed=seed) == 300


def test_small_form_changes_equal_full_evaluations():
    answers = {"variety/instruments[1]/title": "A", "variety/instruments[2]/year": "2000"}
    assert walk(small_structure(), answers, steps=200, seed=5) == 200


def test_a_form_reading_the_time_is_always_evaluated_in_full():
    structure = chained_structure()
    structure["children"].append(node("calculate", "stamp", calculation="today()"))
    evaluation = engine.Evaluation(structure, {}, "en")
    assert not evaluation.reusable
    assert evaluation.change("a", "4") is None


def test_a_form_with_a_location_path_is_always_evaluated_in_full():
    structure = chained_structure()
    structure["children"].append(node("calculate", "up", calculation="../a + 1"))
    assert engine.Evaluation(structure, {}, "en").change("a", "4") is None


def test_a_change_that_reshapes_repeats_is_evaluated_in_full():
    structure = chained_structure()
    structure["children"][6]["repeat_count"] = "${a}"
    evaluation = engine.Evaluation(structure, {"a": "2"}, "en")
    assert evaluation.change("a", "3") is None
    assert evaluation.change("b", "30") is not None  # b does not decide the count


def test_autosave_keeps_an_evaluation_only_for_the_stored_answers(db, version, alice, org_a):
    """A kept evaluation whose answers differ from the database's is not used: a change
    made elsewhere (an import, another worker) is part of the next reply's states."""
    evaluations.clear()
    response = services.get_or_create_response(org_a, version)
    first = services.autosave(response, "organisation/name", "Alpha", user=alice,
                              base_revision=0, lang="en")
    assert first.result.saved
    assert len(evaluations._KEPT) == 1
    Answer.objects.create(response=response, path="organisation/staff", value="-4")
    second = services.autosave(response, "organisation/name", "Beta", user=alice,
                               base_revision=1, lang="en")
    assert second.states["organisation/staff"]["value"] == "-4"
    assert second.states["organisation/staff"]["error"]  # the form's constraint
    assert AuditEvent.objects.filter(response=response, action="answer").count() == 2
