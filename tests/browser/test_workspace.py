"""Browser tests of the workspace: the meeting page, a document uploaded with versions, and
a carried-over answer confirmed in a new round. SYNTHETIC organisations and form."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from iocompendium.responses import services as responses_services
from iocompendium.responses.models import ResponseStatus
from iocompendium.workspace import services
from iocompendium.workspace.models import Audience, CarriedAnswer, Document, Meeting
from tests.responses.conftest import PASSWORD, make_contributor, make_organisation, make_version

pytestmark = pytest.mark.django_db(transaction=True)
PARIS = ZoneInfo("Europe/Paris")


def log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/en/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("analyst", "analyst@example.org", PASSWORD,
                                                 is_staff=True)


def test_meeting_page_agenda_calendar_and_registration(page, django_user_model):
    organisation = make_organisation("SYN-A")
    make_contributor(django_user_model, "focal", organisation)
    meeting = services.create_meeting(
        title_en="Synthetic technical meeting", title_fr="Réunion technique synthétique",
        kind=Meeting.Kind.TECHNICAL, starts=datetime(2019, 11, 5, 9, 30, tzinfo=PARIS),
        ends=datetime(2019, 11, 5, 17, 0, tzinfo=PARIS), time_zone="Europe/Paris",
        place="Paris", public=True, minutes_en="Synthetic minutes.")
    services.add_agenda_item(meeting, "Compendium development", "Élaboration du recueil")

    page.goto("/fr/meetings/")
    page.get_by_role("link", name="Réunion technique synthétique").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Réunion technique synthétique")
    expect(page.locator("ol.agenda")).to_contain_text("Élaboration du recueil")
    expect(page.locator("main")).to_contain_text("09:30")
    expect(page.locator("main")).to_contain_text("Europe/Paris")
    with page.expect_download() as download:
        page.get_by_role("link", name="Ajouter à mon agenda (.ics)").click()
    assert download.value.suggested_filename == f"meeting-{meeting.pk}.ics"

    log_in(page, "focal")
    page.goto(f"/en/meetings/{meeting.pk}/")
    page.get_by_label("Participant's name").fill("Focal Person")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("main")).to_contain_text("Focal Person (SYN-A)")
    assert meeting.registrations.get().name == "Focal Person"


def test_document_upload_then_a_new_version(page, staff):
    log_in(page, "analyst")
    page.goto("/en/documents/")
    page.get_by_label("Title").fill("Terms of collaboration")
    page.get_by_label("File").set_input_files(
        files=[{"name": "terms.txt", "mimeType": "text/plain",
                "buffer": b"Synthetic terms of collaboration with academics."}])
    page.get_by_label("Audience").select_option(Audience.MEMBERS)
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Terms of collaboration")

    page.get_by_label("File").set_input_files(
        files=[{"name": "terms-v2.txt", "mimeType": "text/plain",
                "buffer": b"Synthetic terms, second draft."}])
    page.get_by_label("What changed").fill("Second draft after the meeting")
    page.get_by_role("button", name="Upload the new version").click()
    rows = page.locator("table.versions tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Second draft after the meeting")
    expect(rows.first).to_contain_text("analyst")
    document = Document.objects.get()
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]

    page.goto("/en/documents/?q=second+draft")
    expect(page.locator("ul.search-results")).to_contain_text("Terms of collaboration")


def test_a_carried_over_answer_confirmed_in_a_new_round(page, django_user_model):
    version = make_version()
    organisation = make_organisation("SYN-A")
    focal = make_contributor(django_user_model, "focal", organisation)
    opens = datetime(2026, 1, 5, tzinfo=PARIS)
    first = services.create_round(version, "R1", opens=opens, closes=opens + timedelta(days=60))
    old = services.response_for_round(first, organisation).response
    for path, value in [("organisation/name", "Synthetic A"),
                        ("coordination/guidelines", "yes")]:
        responses_services.save_answer(old, path, value, user=None, base_revision=None,
                                       via="import")
    responses_services.set_status(old, ResponseStatus.SUBMITTED, user=None)
    second = services.create_round(version, "R2", opens=opens + timedelta(days=365),
                                   closes=opens + timedelta(days=425), previous=first)
    link = services.response_for_round(second, organisation)

    log_in(page, "focal")
    page.goto(f"/en/responses/{link.response.pk}/")
    page.get_by_role("link", name="Answers carried over from the previous round").click()
    row = page.locator('tr[data-path="organisation/name"]')
    expect(row).to_contain_text("Synthetic A")
    row.get_by_label("Confirm").check()
    page.get_by_role("button", name="Confirm the ticked answers").click()
    expect(page.locator('tr[data-path="organisation/name"]')).to_contain_text("Confirmed")
    expect(page.locator('tr[data-path="coordination/guidelines"]')).to_contain_text("Confirm")
    carried = CarriedAnswer.objects.get(round_response=link, path="organisation/name")
    assert carried.confirmed_by == focal and carried.confirmed_at is not None
    assert CarriedAnswer.objects.get(round_response=link,
                                     path="coordination/guidelines").confirmed_at is None
