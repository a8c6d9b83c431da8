"""Any XLSForm in a real browser (issue 12), on the real REACH 2024 form: the French
respondent pages, a cascading select answered down to Admin 4, a geopoint answered in
its latitude and longitude fields, and the secretariat's preview within 1,280 pixels."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from iocompendium.questionnaires.services import import_questionnaire
from iocompendium.responses import services
from iocompendium.responses.models import Answer
from tests.any_form.test_web_any_form import REACH_2024
from tests.browser.test_collection import log_in
from tests.responses.conftest import make_contributor, make_organisation
from tests.web.test_serve import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reach_response(shared_data, django_user_model):
    version, _ = import_questionnaire(shared_data / REACH_2024, "reach-2024", publish=True)
    organisation = make_organisation("SYN-R")
    make_contributor(django_user_model, "focal", organisation)
    return version, services.get_or_create_response(organisation, version)


def stored(response, path: str) -> str:
    answer = Answer.objects.filter(response=response, path=path).first()
    return answer.value if answer else ""


def test_french_pages_and_a_cascade_answered_to_admin4(page, reach_response):
    version, response = reach_response
    log_in(page, "focal")
    page.goto(f"/fr/responses/{response.pk}/section/introduction/")
    expect(page.locator("main")).to_contain_text("À mettre à jour par le pays")
    expect(page.locator("main")).not_to_contain_text("To be updated by country")
    assert page.locator('[name="start"], [name="today"], [name="deviceid"]').count() == 0
    choices = version.structure["choices"]
    previous = None
    for level in (1, 2, 3, 4):
        path = f"introduction/admin{level}"
        column = f"filter_admin{level - 1}"
        offered = [c["name"] for c in choices[f"l_admin{level}"]
                   if previous is None or c["extra"].get(column) == previous]
        box = page.locator(f'.question[data-path="{path}"]')
        expect(box).to_be_visible()
        option = box.locator(f'[data-choice="{offered[-1]}"]')
        expect(option).to_be_visible()
        option.locator("input").check()
        expect(page.locator("#save-status")).to_have_text("Enregistré")
        previous = offered[-1]
    # The status may still read "Enregistré" from the level before while the last save
    # is on its way: wait for the stored answer itself.
    assert wait_for(lambda: stored(response, "introduction/admin4") == previous, seconds=15), \
        stored(response, "introduction/admin4")


def test_a_geopoint_answered_in_its_two_fields(page, reach_response):
    version, response = reach_response
    log_in(page, "focal")
    geo = "location/household_geopoint"
    page.goto(f"/en/responses/{response.pk}/section/location/")
    latitude, longitude = page.locator(f'[name="{geo}--lat"]'), page.locator(f'[name="{geo}--lon"]')
    expect(latitude).to_be_visible()
    latitude.fill("95")
    longitude.fill("35.5")
    longitude.blur()
    expect(page.locator(f'.question[data-path="{geo}"] .error-message')).to_be_visible()
    latitude.fill("33.89")
    latitude.blur()
    expect(page.locator("#save-status")).to_have_text("Saved")
    assert stored(response, geo) == "33.89 35.5"


def test_the_preview_fits_a_1280_pixel_window(page, reach_response, django_user_model):
    django_user_model.objects.create_user("analyst", "analyst@example.org", "analyst-pass-2026",
                                           is_staff=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/en/accounts/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "analyst-pass-2026")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    for url in ("/en/questionnaires/reach-2024/v1/",
                "/en/responses/preview/reach-2024/v1/introduction/?lang=fr"):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, f"{url} is {width} pixels wide"
    expect(page.locator("main")).to_contain_text("À mettre à jour par le pays")
