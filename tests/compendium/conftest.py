"""Fixtures of the compendium tests: SYNTHETIC data only.

A small bilingual survey written by hand in the structure format (sections named like the
IO Survey's), four fictional organisations with approved responses, and a practice
template version (the shipped XLSForm through questionnaires.services when that exists,
else a hand-written structure with the same question names)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from iocompendium.compendium import practice_template, services
from iocompendium.questionnaires.models import Questionnaire, QuestionnaireVersion
from iocompendium.registry.models import Organisation
from iocompendium.responses.models import Answer, Response, ResponseStatus


def node(type_: str, name: str, en: str = "", fr: str = "", **extra) -> dict:
    base = {
        "type": type_, "name": name, "row": 0,
        "label": {"en": en or name, "fr": fr or en or name}, "hint": {}, "relevant": "",
        "required": "", "required_message": {}, "constraint": "", "constraint_message": {},
        "soft_constraint": "", "soft_constraint_message": {}, "calculation": "",
        "default": "", "read_only": "", "choice_list": "", "choice_filter": "",
        "or_other": False, "appearance": "", "repeat_count": "", "parameters": {},
    }
    base.update(extra)
    if type_ in {"group", "repeat"}:
        base.setdefault("children", [])
    return base


def choice(name: str, en: str, fr: str, **extra) -> dict:
    return {"name": name, "label": {"en": en, "fr": fr}, "extra": extra}


STAKEHOLDERS = [("igos", "Intergovernmental organisations", "Organisations intergouvernementales"),
                ("consumers", "Consumers", "Consommateurs"),
                ("labour_unions", "Labour unions", "Syndicats")]


def survey_structure() -> dict:
    return {
        "form_id": "synthetic_survey", "form_version": "1",
        "title": {"en": "Synthetic survey", "fr": "Enquête synthétique"},
        "default_language": "en", "languages": ["en", "fr"],
        "choices": {
            "yes_no": [choice("yes", "Yes", "Oui"), choice("no", "No", "Non")],
            "stakeholders": [choice(*row) for row in STAKEHOLDERS],
        },
        "children": [
            node("group", "implementation", "Implementation", "Mise en œuvre", children=[
                node("text", "implementation_examples", "Examples of implementation",
                     "Exemples de mise en œuvre"),
            ]),
            node("group", "stakeholders_section", "Stakeholders", "Parties prenantes", children=[
                node("select_multiple", "stakeholders", "Which actors are stakeholders?",
                     "Quels acteurs sont des parties prenantes ?", choice_list="stakeholders"),
                node("text", "stakeholders_examples", "Examples of engagement",
                     "Exemples de participation"),
            ]),
            node("group", "coordination", "Co-ordination", "Coordination", children=[
                node("select_one", "coordination_guidelines", "Written guidelines?",
                     "Lignes directrices écrites ?", choice_list="yes_no"),
                node("text", "coordination_comments", "Comments", "Commentaires"),
            ]),
        ],
    }


def template_structure() -> dict:
    """The practice template's question names, written by hand (fallback)."""
    themes = [choice(slug, slug.title(), slug.title()) for slug in
              ("variety", "implementation", "evaluation", "stakeholders", "coordination")]
    subs = [choice("assistance", "Assistance", "Assistance", theme="implementation"),
            choice("ex_post", "Ex post", "Ex post", theme="evaluation")]
    return {
        "form_id": practice_template.FORM_ID, "form_version": "1",
        "title": dict(practice_template.TITLES), "default_language": "en",
        "languages": ["en", "fr"], "choices": {"theme": themes, "sub_theme": subs},
        "children": [
            node("text", "practice_title", "Title of the practice", "Intitulé"),
            node("select_one", "theme", "Theme", "Thème", choice_list="theme"),
            node("select_one", "sub_theme", "Sub-theme", "Sous-thème", choice_list="sub_theme",
                 choice_filter="theme=${theme}"),
            node("text", "description", "Description", "Description"),
            node("text", "objective", "Objective", "Objectif"),
        ],
    }


def make_version(slug: str, structure: dict) -> QuestionnaireVersion:
    questionnaire, _ = Questionnaire.objects.get_or_create(slug=slug, defaults={
        "title": structure["title"]})
    return QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, structure=structure, languages=["en", "fr"],
        xlsform=b"", fingerprint=slug, published_at=timezone.now(),
    )


def make_response(organisation, version, answers: dict[str, str], *, title: str = "",
                  status: str = ResponseStatus.APPROVED) -> Response:
    response = Response.objects.create(organisation=organisation, version=version, title=title,
                                       status=status, synthetic=True)
    Answer.objects.bulk_create(Answer(response=response, path=p, value=v)
                               for p, v in answers.items())
    return response


# (acronym, category, stakeholders chosen, guidelines, implementation example)
SURVEY_ROWS = [
    ("SYN-A", "igo", "igos consumers", "yes",
     "SYN-A trains national regulators through an annual metrology summer school."),
    ("SYN-B", "tgn", "igos", "no",
     "SYN-B publishes a yearly implementation scoreboard of its recommendations."),
    ("SYN-C", "private", "igos labour_unions", "yes", ""),
    ("SYN-D", "igo", "consumers", "no", "SYN-D runs a help desk for members."),
]


@pytest.fixture
def organisations(db) -> dict[str, Organisation]:
    return {
        acronym: Organisation.objects.create(
            acronym=acronym, name_en=f"Synthetic organisation {acronym}",
            name_fr=f"Organisation synthétique {acronym}", category=category, synthetic=True,
        )
        for acronym, category, *_ in SURVEY_ROWS
    }


@pytest.fixture
def survey(organisations) -> dict[str, Response]:
    version = make_version("io-survey", survey_structure())
    responses = {}
    for acronym, _category, chosen, guidelines, example in SURVEY_ROWS:
        answers = {"stakeholders_section/stakeholders": chosen,
                   "coordination/coordination_guidelines": guidelines,
                   "coordination/coordination_comments": "Fine."}
        if example:
            answers["implementation/implementation_examples"] = example
        responses[acronym] = make_response(organisations[acronym], version, answers)
    return responses


@pytest.fixture
def template_version(db) -> QuestionnaireVersion:
    try:
        from iocompendium.questionnaires.services import import_questionnaire
    except ImportError:
        return make_version(practice_template.SLUG, template_structure())
    version, _created = import_questionnaire(
        practice_template.XLSX_PATH, slug=practice_template.SLUG, publish=True
    )
    return version


@pytest.fixture
def template_response(template_version, organisations) -> Response:
    return make_response(organisations["SYN-C"], template_version, {
        "practice_title": "Joint <script>alert(1)</script> & review panel",
        "theme": "evaluation", "sub_theme": "ex_post",
        "description": "Panels of users review each standard after five years (synthetic).",
        "objective": "Keep standards fit for purpose.",
    }, title="Review panel")


@pytest.fixture
def principles(db) -> int:
    return services.load_key_principles()
