"""Response collection in a real browser (Playwright + Chromium), on a SYNTHETIC form
(tests/responses/conftest.py): invitation, French answering with autosave across sections,
repeats, reload, constraint message, submission, review query and reply, and a conflict
between two contributors editing the same answer."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from iocompendium.responses import services
from iocompendium.responses.models import Answer, Contributor, Query, Response, ResponseStatus
from tests.responses.conftest import (
    PASSWORD,
    make_contributor,
    make_organisation,
    make_version,
)

pytestmark = pytest.mark.django_db(transaction=True)


def answer(response: Response, path: str) -> str:
    found = Answer.objects.filter(response=response, path=path).first()
    return found.value if found else ""


def field(page, path: str):
    return page.locator(f'[name="{path}"]')


def wait_saved(page, text: str = "Saved") -> None:
    expect(page.locator("#save-status")).to_have_text(text)


def log_in(page, username: str) -> None:
    page.goto("/en/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def test_focal_point_answers_in_french_and_submits(page, live_server):
    make_version()
    organisation = make_organisation("SYN-A")
    _invitation, url = services.create_invitation(organisation, "focal@syn-a.example.org",
                                                  invited_by=None)
    page.goto(url.split("8000", 1)[1])
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Accept the invitation").click()
    page.wait_for_url("**/en/responses/")
    assert Contributor.objects.get().organisation == organisation

    page.get_by_role("link", name="Français").click()
    page.wait_for_url("**/fr/responses/")
    page.get_by_role("button", name="Commencer à répondre").click()
    page.get_by_role("link", name="Votre organisation").first.click()
    response = Response.objects.get()

    field(page, "organisation/name").fill("Organisation Alpha")
    wait_saved(page, "Enregistré")
    page.get_by_label("Intergouvernementale").check()
    field(page, "organisation/staff").fill("-5")
    staff_error = page.locator("#q-organisation--staff-error")
    expect(staff_error).to_have_text("Le personnel ne peut pas être négatif.")
    field(page, "organisation/staff").fill("40")
    expect(staff_error).to_be_hidden()
    wait_saved(page, "Enregistré")

    page.get_by_role("link", name="Variété des instruments").first.click()
    repeat = page.locator('[data-repeat="variety/instruments"]')
    expect(repeat).to_be_hidden()
    page.get_by_label("Oui").check()
    expect(repeat).to_be_visible()  # relevance came back from the server's engine
    for _ in range(2):
        with page.expect_navigation():
            page.get_by_role("button", name="Ajouter : Instrument").click()
    field(page, "variety/instruments[1]/title").fill("Norme A")
    field(page, "variety/instruments[2]/title").fill("Recommandation B")
    field(page, "variety/instruments[2]/year").fill("1800")
    expect(page.locator("#q-variety--instruments-2--year-error")).to_have_text(
        "Une année entre 1900 et 2026.")
    field(page, "variety/instruments[2]/year").fill("2019")
    wait_saved(page, "Enregistré")
    expect(page.locator("output[name='variety/instrument_count']")).to_have_text("2")

    page.reload()
    expect(field(page, "variety/instruments[1]/title")).to_have_value("Norme A")
    expect(field(page, "variety/instruments[2]/title")).to_have_value("Recommandation B")
    expect(field(page, "variety/instruments[2]/year")).to_have_value("2019")
    assert answer(response, "organisation/name") == "Organisation Alpha"

    page.get_by_role("link", name="Vérifier et soumettre").first.click()
    page.get_by_role("button", name="Soumettre la réponse").click()
    expect(page.locator(".response-meta .badge")).to_have_text("Soumise")
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED


def test_reviewer_raises_a_query_and_the_focal_point_answers(page, browser, live_server,
                                                             django_user_model):
    version = make_version()
    organisation = make_organisation("SYN-A")
    alice = make_contributor(django_user_model, "alice", organisation)
    django_user_model.objects.create_user("reviewer", "r@example.org", PASSWORD, is_staff=True)
    response = services.get_or_create_response(organisation, version)
    services.save_answer(response, "organisation/name", "Alpha", user=alice, base_revision=0)
    services.set_status(response, ResponseStatus.SUBMITTED, user=alice)

    log_in(page, "reviewer")
    page.goto(f"/en/responses/{response.pk}/section/organisation/")
    box = page.locator("#q-organisation--name")
    box.get_by_text("Raise a query on this answer").click()
    box.get_by_label("Question to the organisation").fill("Is this the full name?")
    box.get_by_role("button", name="Send the query").click()
    expect(page.locator(".messages")).to_contain_text("The query was sent")
    query = Query.objects.get()

    context = browser.new_context(base_url=live_server.url)
    focal = context.new_page()
    log_in(focal, "alice")
    focal.goto(f"/en/responses/{response.pk}/section/organisation/")
    box = focal.locator("#q-organisation--name")
    expect(box.locator(".query")).to_contain_text("Is this the full name?")
    field(focal, "organisation/name").fill("Alpha Organisation")  # allowed: queried answer
    wait_saved(focal)
    box.get_by_label("Reply").fill("Corrected to the full name.")
    box.get_by_role("button", name="Send the reply").click()
    expect(focal.locator(".messages")).to_contain_text("Your reply was added.")
    context.close()
    assert list(query.messages.values_list("text", flat=True)) == [
        "Is this the full name?", "Corrected to the full name."]
    assert answer(response, "organisation/name") == "Alpha Organisation"


def test_two_contributors_editing_the_same_answer_see_the_conflict(page, browser, live_server,
                                                                   django_user_model):
    version = make_version()
    organisation = make_organisation("SYN-A")
    make_contributor(django_user_model, "alice", organisation)
    make_contributor(django_user_model, "anna", organisation)
    response = services.get_or_create_response(organisation, version)
    url = f"/en/responses/{response.pk}/section/organisation/"

    log_in(page, "alice")
    page.goto(url)
    context = browser.new_context(base_url=live_server.url)
    other = context.new_page()
    log_in(other, "anna")
    other.goto(url)  # both pages hold the answer at the same (empty) revision

    field(page, "organisation/name").fill("Alice's name")
    wait_saved(page)
    field(other, "organisation/name").fill("Anna's name")
    conflict = other.locator("#q-organisation--name-conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("alice")
    expect(conflict).to_contain_text("Alice's name")
    assert answer(response, "organisation/name") == "Alice's name"
    conflict.get_by_role("button", name="Use their answer").click()
    expect(field(other, "organisation/name")).to_have_value("Alice's name")
    context.close()


def test_a_lost_connection_is_shown_and_the_change_saved_when_it_returns(page, live_server,
                                                                         django_user_model):
    version = make_version()
    organisation = make_organisation("SYN-A")
    make_contributor(django_user_model, "alice", organisation)
    response = services.get_or_create_response(organisation, version)
    log_in(page, "alice")
    page.goto(f"/en/responses/{response.pk}/section/organisation/")
    page.context.set_offline(True)
    field(page, "organisation/name").fill("Typed while offline")
    expect(page.locator("#save-status")).to_contain_text("Connection lost")
    assert answer(response, "organisation/name") == ""
    page.context.set_offline(False)
    wait_saved(page)
    assert answer(response, "organisation/name") == "Typed while offline"


def test_a_change_typed_before_the_autosave_script_ran_is_saved(page, live_server,
                                                               django_user_model):
    version = make_version()
    organisation = make_organisation("SYN-A")
    make_contributor(django_user_model, "alice", organisation)
    response = services.get_or_create_response(organisation, version)
    log_in(page, "alice")
    held = []
    page.route("**/autosave*.js", lambda route: held.append(route))  # the script is late
    page.goto(f"/en/responses/{response.pk}/section/organisation/", wait_until="commit")
    field(page, "organisation/name").fill("Typed while the page loads")
    assert held, "the autosave script was never asked for"
    held[0].continue_()
    wait_saved(page)
    assert answer(response, "organisation/name") == "Typed while the page loads"
