"""Curation: sources become draft practices, edits never silently overwrite, publication."""

from __future__ import annotations

import json

import pytest

from iocompendium.compendium import selectors, services
from iocompendium.compendium.models import KeyPrinciple, Practice, PracticeStatus
from iocompendium.responses.models import Answer, ResponseStatus

pytestmark = pytest.mark.django_db


def test_shipped_key_principles_are_loaded_once_per_theme(principles):
    shipped = json.loads(services.KEY_PRINCIPLES_FILE.read_text(encoding="utf-8"))["principles"]
    assert principles == sum(len(items) for items in shipped.values())
    for theme, items in shipped.items():
        stored = list(KeyPrinciple.objects.filter(theme=theme).order_by("order"))
        assert [p.text_en for p in stored] == [item["en"] for item in items]
        assert all(p.text_fr for p in stored)  # every principle is in French too
    assert services.load_key_principles() == 0  # idempotent


def test_examples_answer_becomes_a_draft_practice_of_its_section_theme(survey):
    response = survey["SYN-A"]
    practice = services.practice_from_answer(response, "implementation/implementation_examples")
    assert practice.theme == "implementation"
    assert practice.status == PracticeStatus.DRAFT
    assert practice.description_en == SURVEY_TEXT_A
    assert practice.title_en.startswith("SYN-A trains national regulators")
    assert practice.identifier.startswith("syn-a-")
    assert practice.synthetic
    # Curating the same answer again gives the same practice, not a copy.
    again = services.practice_from_answer(response, "implementation/implementation_examples")
    assert again.pk == practice.pk
    # The source text is kept when the answer later changes.
    Answer.objects.filter(response=response, path=practice.source_path).update(value="changed")
    practice.refresh_from_db()
    assert practice.source_text == SURVEY_TEXT_A
    assert practice.source_response_id == response.pk


SURVEY_TEXT_A = "SYN-A trains national regulators through an annual metrology summer school."


def test_only_approved_examples_answers_can_be_curated(survey):
    response = survey["SYN-B"]
    with pytest.raises(services.CurationError):
        services.practice_from_answer(response, "coordination/coordination_comments")
    response.status = ResponseStatus.SUBMITTED
    response.save()
    with pytest.raises(services.CurationError):
        services.practice_from_answer(response, "implementation/implementation_examples")


def test_template_response_is_prefilled(template_response):
    practice = services.practice_from_template(template_response)
    assert practice.theme == "evaluation"
    assert practice.sub_theme == "ex_post"
    assert practice.title_en == "Joint <script>alert(1)</script> & review panel"
    assert "five years" in practice.description_en
    assert "Keep standards fit for purpose." in practice.description_en
    assert practice.source_path == ""
    assert "Keep standards fit for purpose." in practice.source_text


def test_candidates_list_uncurated_sources(survey, template_response):
    candidates = selectors.curation_candidates()
    keys = {(c.response.pk, c.path) for c in candidates}
    assert (template_response.pk, "") in keys
    assert (survey["SYN-A"].pk, "implementation/implementation_examples") in keys
    assert (survey["SYN-C"].pk, "implementation/implementation_examples") not in keys  # empty
    services.practice_from_answer(survey["SYN-A"], "implementation/implementation_examples")
    keys = {(c.response.pk, c.path) for c in selectors.curation_candidates()}
    assert (survey["SYN-A"].pk, "implementation/implementation_examples") not in keys


def _edit(practice, base_version, title, principles=()):
    return services.update_practice(
        practice, base_version=base_version, title_en=title, title_fr="Titre",
        description_en="Described.", description_fr="Décrit.", theme=practice.theme,
        sub_theme="assistance", key_principles=principles,
    )


def test_a_stale_edit_is_refused_and_keeps_the_first_save(survey, principles):
    practice = services.practice_from_answer(survey["SYN-A"],
                                             "implementation/implementation_examples")
    seen_by_both = practice.version
    kp = KeyPrinciple.objects.filter(theme="implementation").first()
    _edit(practice, seen_by_both, "First editor's title", [kp])
    with pytest.raises(services.StaleEdit):
        _edit(Practice.objects.get(pk=practice.pk), seen_by_both, "Second editor's title")
    practice.refresh_from_db()
    assert practice.title_en == "First editor's title"
    assert practice.version == seen_by_both + 1
    assert list(practice.key_principles.all()) == [kp]


def test_key_principles_must_belong_to_the_theme(survey, principles):
    practice = services.practice_from_answer(survey["SYN-A"],
                                             "implementation/implementation_examples")
    other = KeyPrinciple.objects.filter(theme="coordination").first()
    with pytest.raises(services.CurationError):
        _edit(practice, practice.version, "Title", [other])


def test_only_published_practices_are_public(survey):
    practice = services.practice_from_answer(survey["SYN-A"],
                                             "implementation/implementation_examples")
    assert list(selectors.practices()) == []
    assert list(selectors.practices(include_drafts=True)) == [practice]
    services.set_practice_status(practice, PracticeStatus.PUBLISHED, base_version=practice.version)
    assert list(selectors.practices()) == [practice]
    assert practice.published_at is not None
    services.set_practice_status(practice, PracticeStatus.DRAFT, base_version=practice.version)
    assert list(selectors.practices()) == []


def test_a_stale_key_principle_edit_is_refused(principles):
    principle = KeyPrinciple.objects.filter(theme="evaluation").first()
    version = principle.version
    services.update_key_principle(principle, text_en="New", text_fr="Nouveau", order=1,
                                  base_version=version)
    with pytest.raises(services.StaleEdit):
        services.update_key_principle(principle, text_en="Other", text_fr="", order=1,
                                      base_version=version)
    principle.refresh_from_db()
    assert principle.text_en == "New"


def test_identifiers_are_unique_and_stable(survey):
    first = services.practice_from_answer(survey["SYN-A"], "implementation/implementation_examples",
                                          title="Same title")
    second = services.practice_from_answer(survey["SYN-B"],
                                           "implementation/implementation_examples",
                                           title="Same title")
    assert first.identifier != second.identifier
    _edit(first, first.version, "A completely different title")
    first.refresh_from_db()
    assert first.identifier == "syn-a-same-title"


def test_shipped_practice_template_is_bilingual_with_filtered_sub_themes():
    from iocompendium.compendium import practice_template
    from iocompendium.questionnaires.structure import iter_questions
    from iocompendium.questionnaires.xlsform import read_xlsform

    structure = read_xlsform(practice_template.XLSX_PATH)
    assert {"en", "fr"} <= set(structure["languages"])
    questions = {ref.name: ref.node for ref in iter_questions(structure)}
    for name in ("organisation_name", "practice_title", "theme", "sub_theme", "description",
                 "objective", "formal_basis", "stages", "actors", "results", "challenges",
                 "links"):
        assert questions[name]["label"]["fr"] and questions[name]["label"]["en"], name
    assert questions["sub_theme"]["choice_filter"].replace(" ", "") == "theme=${theme}"
    sub_themes = {c["name"] for c in structure["choices"]["sub_theme"]}
    assert sub_themes == {"assistance", "compliance", "advocacy", "monitoring",
                          "ex_ante", "ex_post"}
