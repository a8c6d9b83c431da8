"""The shipped IO Survey in the web questionnaire: every section renders in both
languages, every answerable question has an input named by its path, and the French
catalogue of the responses app is complete."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from iocompendium.questionnaires.services import import_questionnaire
from iocompendium.questionnaires.structure import NON_ANSWER_TYPES, iter_questions
from iocompendium.responses import services

pytestmark = pytest.mark.django_db

NAME_RE = re.compile(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"')


@pytest.fixture
def io_survey():
    with resources.as_file(resources.files("iocompendium.data") / "io_survey.xlsx") as path:
        version, _created = import_questionnaire(path, "io-survey", publish=True)
    return version


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_io_survey_question_has_an_input_named_by_its_path(client, io_survey, org_a,
                                                                 alice, lang):
    response = services.get_or_create_response(org_a, io_survey)
    services.add_instance(response, "variety/instruments", user=alice)
    client.force_login(alice)
    names: set[str] = set()
    sections = {q.path.split("/")[0] for q in iter_questions(io_survey.structure)}
    for section in sections:
        page = client.get(f"/{lang}/responses/{response.pk}/section/{section}/")
        assert page.status_code == 200
        assert f'<html lang="{lang}">' in page.content.decode()
        names |= set(NAME_RE.findall(page.content.decode()))
    expected = {
        q.path.replace("variety/instruments/", "variety/instruments[1]/")
        for q in iter_questions(io_survey.structure) if q.type not in NON_ANSWER_TYPES
    }
    assert expected <= names


def test_french_catalogue_is_complete():
    po = Path(__file__).resolve().parents[2] / "src/iocompendium/responses/locale/fr/LC_MESSAGES"
    text = (po / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    # An empty translation is 'msgstr ""' with no continuation line (the header has some).
    assert text.count("\nmsgid ") > 200
    assert not re.search(r'\nmsgstr(\[\d\])? ""\n(?!")', text)
    assert (po / "django.mo").stat().st_mtime >= (po / "django.po").stat().st_mtime - 5
