"""Fixtures of the collection tests: a small SYNTHETIC bilingual form written by hand in the
structure format (questionnaires/structure.py), fictional organisations and their users."""

from __future__ import annotations

import pytest
from django.utils import timezone

from iocompendium.questionnaires.models import Questionnaire, QuestionnaireVersion
from iocompendium.registry.models import Organisation
from iocompendium.responses.models import Contributor

PASSWORD = "a-long-test-password-2026"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Accounts are made in every test: a fast hasher keeps the tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def node(type_: str, name: str, label_en: str = "", label_fr: str = "", **extra) -> dict:
    """One structure node with every key present, as the XLSForm reader writes it."""
    base = {
        "type": type_, "name": name, "row": 0,
        "label": {"en": label_en or name, "fr": label_fr or label_en or name},
        "hint": {}, "relevant": "", "required": "", "required_message": {},
        "constraint": "", "constraint_message": {}, "soft_constraint": "",
        "soft_constraint_message": {}, "calculation": "", "default": "", "read_only": "",
        "choice_list": "", "choice_filter": "", "or_other": False, "appearance": "",
        "repeat_count": "", "parameters": {},
    }
    base.update(extra)
    if type_ in {"group", "repeat"}:
        base.setdefault("children", [])
    return base


def choice(name: str, en: str, fr: str) -> dict:
    return {"name": name, "label": {"en": en, "fr": fr}, "extra": {}}


def small_structure() -> dict:
    """Three sections: organisation, variety (with a repeat) and coordination."""
    return {
        "form_id": "synthetic_small", "form_version": "1",
        "title": {"en": "Synthetic survey", "fr": "Enquête synthétique"},
        "default_language": "en", "languages": ["en", "fr"],
        "choices": {
            "yes_no": [choice("yes", "Yes", "Oui"), choice("no", "No", "Non")],
            "category": [choice("igo", "Intergovernmental", "Intergouvernementale"),
                         choice("tgn", "Network", "Réseau")],
            "effect": [choice("binding", "Binding", "Contraignant"),
                       choice("non_binding", "Non-binding", "Non contraignant")],
            "addressees": [choice("states", "States", "États"),
                           choice("regulators", "Regulators", "Régulateurs")],
        },
        "children": [
            node("group", "organisation", "Your organisation", "Votre organisation", children=[
                node("text", "name", "Name", "Nom", required="yes",
                     hint={"en": "Full name", "fr": "Nom complet"}),
                node("select_one", "category", "Category", "Catégorie",
                     choice_list="category", or_other=True),
                node("integer", "staff", "Staff", "Personnel", constraint=". >= 0",
                     constraint_message={"en": "Staff cannot be negative.",
                                         "fr": "Le personnel ne peut pas être négatif."}),
                node("decimal", "budget", "Budget", "Budget", soft_constraint=". < 1000",
                     soft_constraint_message={"en": "That is a large budget.",
                                              "fr": "C'est un gros budget."}),
                node("date", "founded", "Founded", "Fondée"),
            ]),
            node("group", "variety", "Variety of instruments", "Variété des instruments",
                 children=[
                node("select_one", "has_instruments", "Any instruments?", "Des instruments ?",
                     choice_list="yes_no", required="yes"),
                node("repeat", "instruments", "Instrument", "Instrument",
                     relevant="${has_instruments} = 'yes'", children=[
                    node("text", "title", "Title", "Titre", required="yes"),
                    node("integer", "year", "Year", "Année",
                         constraint=". >= 1900 and . <= 2026",
                         constraint_message={"en": "A year between 1900 and 2026.",
                                             "fr": "Une année entre 1900 et 2026."}),
                    node("select_one", "legal_effect", "Legal effect", "Effet juridique",
                         choice_list="effect"),
                    node("select_multiple", "addressees", "Addressees", "Destinataires",
                         choice_list="addressees"),
                ]),
                node("calculate", "instrument_count", "Number of instruments",
                     "Nombre d'instruments", calculation="count(${instruments})"),
                node("note", "variety_note", "Thank you.", "Merci."),
            ]),
            node("group", "coordination", "Co-ordination", "Coordination", children=[
                node("select_one", "guidelines", "Guidelines?", "Lignes directrices ?",
                     choice_list="yes_no"),
                node("text", "guidelines_comments", "Comments", "Commentaires",
                     relevant="${guidelines} = 'yes'"),
                node("acknowledge", "confirm", "I confirm", "Je confirme"),
            ]),
        ],
    }


def make_version(structure: dict | None = None, *, slug: str = "synthetic-small",
                 number: int = 1, published: bool = True) -> QuestionnaireVersion:
    questionnaire, _ = Questionnaire.objects.get_or_create(
        slug=slug, defaults={"title": {"en": "Synthetic survey", "fr": "Enquête synthétique"}}
    )
    return QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=number, structure=structure or small_structure(),
        languages=["en", "fr"], xlsform=b"", fingerprint=f"synthetic-{slug}-{number}",
        published_at=timezone.now() if published else None,
    )


@pytest.fixture
def version(db) -> QuestionnaireVersion:
    return make_version()


def make_organisation(acronym: str) -> Organisation:
    return Organisation.objects.create(
        acronym=acronym, name_en=f"Synthetic organisation {acronym}",
        name_fr=f"Organisation synthétique {acronym}", category="igo", synthetic=True,
    )


@pytest.fixture
def org_a(db) -> Organisation:
    return make_organisation("SYN-A")


@pytest.fixture
def org_b(db) -> Organisation:
    return make_organisation("SYN-B")


def make_contributor(django_user_model, username: str, organisation: Organisation):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", PASSWORD)
    Contributor.objects.create(user=user, organisation=organisation)
    return user


@pytest.fixture
def alice(django_user_model, org_a):
    return make_contributor(django_user_model, "alice", org_a)


@pytest.fixture
def anna(django_user_model, org_a):
    """A second contributor of organisation A."""
    return make_contributor(django_user_model, "anna", org_a)


@pytest.fixture
def bob(django_user_model, org_b):
    return make_contributor(django_user_model, "bob", org_b)
