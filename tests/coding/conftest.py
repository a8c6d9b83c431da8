"""Fixtures of the coding tests: a small SYNTHETIC form with free-text questions, fictional
organisations whose answers are in English, French and Arabic, and fictional coders."""

from __future__ import annotations

import pytest

from iocompendium.coding import services
from iocompendium.registry.models import Organisation
from iocompendium.responses.models import Answer, Response
from tests.responses.conftest import make_version, node

QUESTION = "views/understanding"
TEXTS = {
    "SYN-A": "Stakeholders are the businesses and NGOs affected by our standards.",
    "SYN-B": "Nous n'avons pas de définition écrite ; les parties prenantes sont les États "
             "et les entreprises concernées.",
    "SYN-C": "أصحاب المصلحة هم الحكومات والشركات المتأثرة بمعاييرنا.",
    "SYN-D": "There is no written definition; in practice businesses and NGOs are "
             "stakeholders.",
    "SYN-E": "Our rules define stakeholders as accredited observers.",
    "SYN-F": "No definition exists, but we regard businesses and NGOs as stakeholders.",
}


def structure() -> dict:
    return {
        "form_id": "synthetic_coding", "form_version": "1",
        "title": {"en": "Synthetic coding survey", "fr": "Enquête synthétique à coder"},
        "default_language": "en", "languages": ["en", "fr"], "choices": {},
        "children": [
            node("group", "views", "Views", "Opinions", children=[
                node("text", "understanding", "How do you understand stakeholder?",
                     "Comment comprenez-vous partie prenante ?"),
                node("text", "comments", "Comments", "Commentaires"),
            ]),
        ],
    }


@pytest.fixture
def survey(db):
    """Six fictional organisations' approved responses (synthetic)."""
    version = make_version(structure(), slug="synthetic-coding")
    answers = {}
    for index, (acronym, text) in enumerate(TEXTS.items()):
        organisation = Organisation.objects.create(
            acronym=acronym, name_en=f"Synthetic {acronym}", category="igo" if index % 2
            else "tgn", synthetic=True)
        response = Response.objects.create(organisation=organisation, version=version,
                                           status="approved", synthetic=True)
        answers[acronym] = Answer.objects.create(response=response, path=QUESTION, value=text)
    return version, answers


@pytest.fixture
def codebook(survey):
    version, _answers = survey
    book = services.create_codebook("synthetic-codes", "Synthetic codes", version.questionnaire)
    services.save_code(book, "no_definition", label_en="No written definition",
                       label_fr="Pas de définition écrite", colour="#d62728",
                       definition_en="The organisation says it has no written definition.",
                       questions=[QUESTION])
    services.save_code(book, "business", label_en="Business", label_fr="Entreprises",
                       questions=[QUESTION])
    services.save_code(book, "ngos", label_en="NGOs", label_fr="ONG", questions=[QUESTION])
    return book


@pytest.fixture
def coders(django_user_model):
    made = []
    for name in ("coder-one", "coder-two"):
        user = django_user_model.objects.create_user(name, f"{name}@example.org", "pw-2026-x")
        made.append(services.grant_coder(user, granted_by=None, fictional=True))
    return made
