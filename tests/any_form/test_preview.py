"""The secretariat's preview as respondents see it (issue 12): section by section, either
language, skip logic live, nothing stored; on the real REACH 2024 form."""

from __future__ import annotations

import pytest

from iocompendium.questionnaires.services import import_questionnaire
from iocompendium.responses.models import Answer
from tests.any_form.test_web_any_form import REACH_2024, control_names, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def reach(shared_data):
    version, _ = import_questionnaire(shared_data / REACH_2024, "reach-2024", publish=True)
    return version


def test_preview_shows_the_respondent_page_in_french(client, secretariat_user, reach):
    client.force_login(secretariat_user)
    page = client.get("/en/responses/preview/reach-2024/v1/introduction/?lang=fr")
    assert page.status_code == 200
    text = page_text(page.content)
    assert "À mettre à jour par le pays" in text and "To be updated by country" not in text
    assert "introduction/admin1" in control_names(page.content)
    assert "start" not in control_names(page.content)


def test_preview_answers_drive_skip_logic_and_are_not_stored(client, secretariat_user, reach):
    client.force_login(secretariat_user)
    url = "/en/responses/preview/reach-2024/v1/answer/"
    admin1 = reach.structure["choices"]["l_admin1"][0]["name"]
    reply = client.post(url, {"path": "introduction/admin1", "value": admin1,
                              "section": "introduction"})
    assert reply.status_code == 200
    assert reply.json()["choices"]["introduction/admin2"]  # the cascade follows
    bad = client.post(url, {"path": "introduction/admin1", "value": "not-a-choice",
                            "section": "introduction"})
    assert bad.status_code == 400
    assert not Answer.objects.exists()


def test_preview_is_for_the_secretariat_only(client, django_user_model, reach):
    from tests.responses.conftest import make_contributor, make_organisation

    focal = make_contributor(django_user_model, "focal", make_organisation("SYN-P"))
    client.force_login(focal)
    assert client.get("/en/responses/preview/reach-2024/v1/introduction/").status_code == 403
