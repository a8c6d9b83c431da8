"""Coding services: segments with offsets, audit trail, coder role, changed answers,
reconciliation."""

from __future__ import annotations

import pytest

from iocompendium.coding import selectors, services
from iocompendium.coding.models import Segment
from iocompendium.responses.models import AuditEvent
from tests.responses.conftest import make_contributor, make_organisation

from .conftest import QUESTION


def test_a_span_keeps_its_character_offsets_and_text_in_arabic(codebook, survey, coders):
    _version, answers = survey
    answer = answers["SYN-C"]
    business = codebook.codes.get(name="business")
    start = answer.value.index("والشركات")
    segment = services.apply_code(answer, business, coder=coders[0], user=coders[0].user,
                                  start=start, end=start + len("والشركات"))
    assert segment.text == "والشركات" == answer.value[segment.start:segment.end]


def test_every_coding_change_is_in_the_audit_trail(codebook, survey, coders):
    _version, answers = survey
    code = codebook.codes.get(name="ngos")
    segment = services.apply_code(answers["SYN-A"], code, coder=coders[0], user=coders[0].user)
    services.set_segment_memo(segment, "clear case", user=coders[0].user)
    services.remove_segment(segment, user=coders[0].user)
    events = AuditEvent.objects.filter(response=answers["SYN-A"].response, action="coding")
    assert [bool(e.new_value) for e in events] == [True, True, False]
    assert all(e.actor == coders[0].user and e.path == QUESTION for e in events)
    assert "ngos" in events[0].new_value and events[1].new_value == "memo: clear case"


def test_a_span_outside_the_answer_is_refused(codebook, survey, coders):
    _version, answers = survey
    code = codebook.codes.first()
    with pytest.raises(services.CodingError):
        services.apply_code(answers["SYN-A"], code, coder=coders[0], user=None, start=5, end=999)
    with pytest.raises(services.CodingError):
        services.apply_code(answers["SYN-A"], code, coder=None, user=None)


def test_a_focal_point_cannot_be_made_a_coder(db, django_user_model):
    focal_point = make_contributor(django_user_model, "focal", make_organisation("SYN-Z"))
    with pytest.raises(services.CodingError):
        services.grant_coder(focal_point, granted_by=None)
    assert not selectors.may_code(focal_point)


def test_changed_answer_keeps_segments_only_where_the_coded_text_is_unchanged(
    codebook, survey, coders
):
    _version, answers = survey
    answer = answers["SYN-A"]
    code = codebook.codes.get(name="business")
    start = answer.value.index("businesses")
    kept = services.apply_code(answer, code, coder=coders[0], user=None, start=start,
                               end=start + len("businesses"))
    tail = services.apply_code(answer, codebook.codes.get(name="ngos"), coder=coders[0],
                               user=None, start=answer.value.index("NGOs"),
                               end=answer.value.index("NGOs") + 4)
    # The end of the text is rewritten: the first span is intact, the second is not.
    before = (tail.start, tail.end)
    answer.value = answer.value.replace("NGOs affected by our standards.", "charities.")
    answer.save()
    assert services.flag_changed_answers(codebook) == 1
    kept.refresh_from_db()
    tail.refresh_from_db()
    assert not kept.needs_review
    # Never moved: the same offsets and the remembered text, flagged for review.
    assert tail.needs_review and ((tail.start, tail.end), tail.text) == (before, "NGOs")
    assert list(selectors.flagged_segments(codebook)) == [tail]
    services.review_segment(tail, keep=False, user=None)
    assert not Segment.objects.filter(pk=tail.pk).exists()


def test_coders_see_only_their_own_coding_until_reconciliation(codebook, survey, coders):
    _version, answers = survey
    code = codebook.codes.get(name="ngos")
    services.apply_code(answers["SYN-A"], code, coder=coders[0], user=None)
    rows_one = selectors.coding_rows(codebook, QUESTION, coders[0])
    rows_two = selectors.coding_rows(codebook, QUESTION, coders[1])
    assert sum(len(r.segments) for r in rows_one) == 1
    assert sum(len(r.segments) for r in rows_two) == 0


def test_agreed_answers_are_finalised_and_differing_ones_listed_for_reconciliation(
    codebook, survey, coders
):
    _version, answers = survey
    services.assign(codebook, answers.values(), coders)
    no_def = codebook.codes.get(name="no_definition")
    business = codebook.codes.get(name="business")
    for coder in coders:
        services.apply_code(answers["SYN-D"], no_def, coder=coder, user=None)
    services.apply_code(answers["SYN-F"], no_def, coder=coders[0], user=None)
    services.apply_code(answers["SYN-F"], business, coder=coders[1], user=None)
    assert services.finalize_agreed(codebook, user=None) == 1
    differing = selectors.differing_answers(codebook)
    assert [answer.pk for answer, _codes in differing] == [answers["SYN-F"].pk]
    assert differing[0][1] == {"coder-one": ["no_definition"], "coder-two": ["business"]}
    services.reconcile(codebook, answers["SYN-F"], [no_def.pk], user=None)
    units = selectors.final_units_per_code(codebook, [a.pk for a in answers.values()])
    assert units["no_definition"] == {answers["SYN-D"].pk, answers["SYN-F"].pk}
    assert units["business"] == set()
