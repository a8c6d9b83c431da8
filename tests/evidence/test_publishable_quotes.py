"""The secretariat's "publishable" mark on text answers (per answer, per question) and
the ``publishable_quotes`` selector, on the tiny SYNTHETIC survey of the evidence tests."""

from __future__ import annotations

import pytest

from iocompendium.evidence import selectors, services
from iocompendium.responses.models import Answer

pytestmark = pytest.mark.django_db

EXAMPLES = "stake/practice_examples"


def _answer(responses, acronym: str, path: str) -> Answer:
    return Answer.objects.get(response=responses[acronym], path=path)


def test_nothing_is_publishable_until_marked(tiny):
    assert selectors.publishable_quotes("tiny") == []


def test_one_answer_marked(tiny, secretariat_user):
    _version, responses = tiny
    answer = _answer(responses, "A", EXAMPLES)
    mark = services.mark_quote(answer, True, secretariat_user)
    assert mark.marked_by == secretariat_user and mark.marked_at is not None
    quotes = selectors.publishable_quotes("tiny")
    assert [(q.unit, q.question, q.text) for q in quotes] == [
        ("A", EXAMPLES, "We consult <everyone> & publish")
    ]


def test_question_mark_with_an_answer_excluded(tiny, secretariat_user):
    version, responses = tiny
    services.mark_question_quotes(version.questionnaire, EXAMPLES, True, secretariat_user)
    services.mark_quote(_answer(responses, "C", EXAMPLES), False, secretariat_user)
    quotes = selectors.publishable_quotes("tiny", question=EXAMPLES)
    # B's answer is left over from before its definition changed (not relevant): never out.
    assert [q.unit for q in quotes] == ["A"]


def test_repeat_answers_by_template_path(tiny):
    version, _responses = tiny
    services.mark_question_quotes(version.questionnaire, "variety/instruments/type", True)
    quotes = selectors.publishable_quotes("tiny", question="variety/instruments/type")
    assert sorted((q.unit, q.path) for q in quotes) == [
        ("A", "variety/instruments[1]/type"),
        ("A", "variety/instruments[2]/type"),
        ("B", "variety/instruments[1]/type"),
    ]


def test_a_changed_answer_needs_a_new_review(tiny):
    _version, responses = tiny
    answer = _answer(responses, "A", EXAMPLES)
    services.mark_quote(answer, True)
    answer.value, answer.revision = "Now with a name: Jane Doe", answer.revision + 1
    answer.save()
    assert selectors.publishable_quotes("tiny") == []


def test_personal_question_gives_no_quotes(tiny):
    version, responses = tiny
    services.mark_quote(_answer(responses, "A", EXAMPLES), True)
    services.mark_question_personal(version.questionnaire, EXAMPLES, True)
    assert selectors.publishable_quotes("tiny") == []
    assert selectors.personal_questions("tiny") == {EXAMPLES}


def test_only_responses_in_the_status_set(tiny):
    _version, responses = tiny
    services.mark_quote(_answer(responses, "A", EXAMPLES), True)
    responses["A"].status = "submitted"
    responses["A"].save()
    assert selectors.publishable_quotes("tiny") == []
    assert len(selectors.publishable_quotes("tiny", statuses=("submitted",))) == 1


def test_review_list_marks_answers_and_questions_on_the_web(client, tiny, secretariat_user):
    version, responses = tiny
    client.force_login(secretariat_user)
    page = client.get("/en/evidence/quotes/?questionnaire=tiny")
    assert page.status_code == 200
    html = page.content.decode()
    assert "We consult &lt;everyone&gt; &amp; publish" in html  # escaped
    answer = _answer(responses, "A", EXAMPLES)
    reply = client.post("/en/evidence/quotes/mark/", {
        "questionnaire": "tiny", "answer": answer.pk, "publishable": "yes"})
    assert reply.status_code == 302
    assert [q.unit for q in selectors.publishable_quotes("tiny")] == ["A"]
    client.post("/en/evidence/quotes/mark/", {
        "questionnaire": "tiny", "question": EXAMPLES, "action": "personal"})
    assert selectors.personal_questions("tiny") == {EXAMPLES}
    assert selectors.publishable_quotes("tiny") == []


def test_review_list_is_for_the_secretariat_only(client, tiny, django_user_model):
    from tests.responses.conftest import make_contributor

    _version, responses = tiny
    focal = make_contributor(django_user_model, "focal", responses["A"].organisation)
    client.force_login(focal)
    assert client.get("/en/evidence/quotes/?questionnaire=tiny").status_code == 403
    answer = _answer(responses, "A", EXAMPLES)
    reply = client.post("/en/evidence/quotes/mark/", {
        "questionnaire": "tiny", "answer": answer.pk, "publishable": "yes"})
    assert reply.status_code == 403
    assert selectors.publishable_quotes("tiny") == []
