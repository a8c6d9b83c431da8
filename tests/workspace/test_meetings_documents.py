"""Meetings (.ics, registration, action items), documents (versions, language pair,
audience, full-text search), timeline, private calendar feed. SYNTHETIC data."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from icalendar import Calendar

from iocompendium.notifications.models import Kind, Notification
from iocompendium.workspace import calendar, services
from iocompendium.workspace.extraction import extract_text
from iocompendium.workspace.models import Audience, Meeting, WorkingGroup, WorkspaceEvent
from tests.responses.conftest import make_contributor, make_organisation

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def people(django_user_model, secretariat_user):
    organisation = make_organisation("SYN-A")
    focal = make_contributor(django_user_model, "focal", organisation)
    return {"secretariat": secretariat_user, "focal": focal, "anonymous": None,
            "organisation": organisation}


@pytest.fixture
def meeting(people):
    item = services.create_meeting(
        title_en="Synthetic technical meeting", title_fr="Réunion technique synthétique",
        kind=Meeting.Kind.TECHNICAL, starts=datetime(2019, 11, 5, 9, 30, tzinfo=PARIS),
        ends=datetime(2019, 11, 5, 17, 0, tzinfo=PARIS), time_zone="Europe/Paris",
        place="Paris", public=True, user=people["secretariat"])
    services.add_agenda_item(item, "Compendium", "Recueil")
    return item


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_meeting_list_page_and_ics_in_the_meetings_time_zone(client, meeting):
    page = client.get("/fr/meetings/").content.decode()
    assert "Réunion technique synthétique" in page
    reply = client.get(f"/en/meetings/{meeting.pk}.ics")
    assert reply["Content-Type"] == "text/calendar"
    [event] = Calendar.from_ical(reply.content).walk("VEVENT")
    start = event["DTSTART"].dt
    assert start == datetime(2019, 11, 5, 9, 30, tzinfo=PARIS)
    assert str(start.tzinfo) == "Europe/Paris"
    assert "Compendium" in str(event["DESCRIPTION"])


def test_documents_by_audience(client, people, meeting):
    group = WorkingGroup.objects.create(slug="wg", name_en="WG", name_fr="GT")
    public = services.create_document("Public agenda", upload("a.txt", b"zebra public"),
                                      audience=Audience.PUBLIC, meeting=meeting)
    members = services.create_document("Members note", upload("b.txt", b"zebra members"),
                                       audience=Audience.MEMBERS)
    wg = services.create_document("WG draft", upload("c.txt", b"zebra group"),
                                  audience=Audience.WORKING_GROUP, working_group=group)
    secret = services.create_document("Secretariat memo", upload("d.txt", b"zebra memo"),
                                      audience=Audience.SECRETARIAT)
    seen = {}
    for role in ["anonymous", "focal", "secretariat"]:
        client.logout()
        if people[role] is not None:
            client.force_login(people[role])
        page = client.get("/en/documents/?q=zebra").content.decode()
        seen[role] = {d.title for d in [public, members, wg, secret] if d.title in page}
        for document in [public, members, wg, secret]:
            status = client.get(f"/en/documents/{document.pk}/").status_code
            assert (status == 200) == (document.title in seen[role]), (role, document.title)
    assert seen["anonymous"] == {"Public agenda"}
    assert seen["focal"] == {"Public agenda", "Members note"}
    assert seen["secretariat"] == {"Public agenda", "Members note", "WG draft",
                                   "Secretariat memo"}
    # A member of the working group sees its documents too.
    services.save_profile(people["focal"], name="Focal", languages="fr, en", public=False)
    people["focal"].person.working_groups.add(group)
    client.force_login(people["focal"])
    assert client.get(f"/en/documents/{wg.pk}/").status_code == 200


def test_versions_pair_and_search_text(client, people, meeting):
    english = services.create_document("Terms", upload("terms.txt", b"collaboration academics"),
                                       audience=Audience.MEMBERS, user=people["secretariat"])
    french = services.create_document("Modalités", upload("fr.txt", b"universitaires"),
                                      language="fr", audience=Audience.MEMBERS,
                                      translation_of=english)
    client.force_login(people["secretariat"])
    reply = client.post(f"/en/documents/{english.pk}/", {
        "file": upload("terms-v2.txt", b"collaboration academics second draft"),
        "change_note": "Second draft"})
    assert reply.status_code == 302
    page = client.get(f"/en/documents/{english.pk}/").content.decode()
    assert "Second draft" in page and "analyst" in page and "Modalités" in page
    assert english.versions.count() == 2
    assert "second draft" in client.get("/en/documents/?q=second+draft").content.decode().lower()
    download = client.get(f"/en/documents/{english.pk}/v1/")
    assert b"".join(download.streaming_content) == b"collaboration academics"
    assert french.pair == english and english.pair == french
    assert WorkspaceEvent.objects.filter(action="document_version").exists()
    # A file of another type is refused with a sentence, nothing stored.
    reply = client.post(f"/en/documents/{english.pk}/", {
        "file": upload("evil.exe", b"MZ"), "change_note": "x"})
    assert reply.status_code == 400 and english.versions.count() == 2


def test_text_is_extracted_from_docx_xlsx_and_pdf():
    import docx
    from openpyxl import Workbook

    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Stakeholder engagement policy")
    document.save(buffer)
    assert "Stakeholder engagement" in extract_text("a.docx", buffer.getvalue())
    buffer = io.BytesIO()
    book = Workbook()
    book.active.append(["Instrument", "Binding"])
    book.save(buffer)
    assert "Instrument Binding" in extract_text("a.xlsx", buffer.getvalue())
    from weasyprint import HTML

    pdf = HTML(string="<p>Evaluation of instruments</p>").write_pdf()
    assert "Evaluation of instruments" in extract_text("a.pdf", pdf)
    assert extract_text("broken.pdf", b"not a pdf") == ""


def test_registration_action_items_and_notifications(client, people, meeting,
                                                     django_capture_on_commit_callbacks):
    client.force_login(people["focal"])
    assert client.post(f"/en/meetings/{meeting.pk}/register/",
                       {"name": "Focal Person"}).status_code == 302
    assert meeting.registrations.get().organisation == people["organisation"]
    client.force_login(people["secretariat"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/meetings/{meeting.pk}/actions/",
                    {"title": "Send the template", "owner": "focal", "due": "2019-12-01"})
    assert Notification.objects.filter(user=people["focal"], kind=Kind.ACTION_ASSIGNED).exists()
    services.create_document("Slides", upload("s.txt", b"slides"), audience=Audience.MEMBERS,
                             meeting=meeting, user=people["secretariat"])
    assert Notification.objects.filter(user=people["focal"],
                                       kind=Kind.MEETING_DOCUMENTS).exists()
    page = client.get(f"/en/meetings/{meeting.pk}/").content.decode()
    assert "Send the template" in page and "Focal Person" in page


def test_private_calendar_feed_needs_its_signed_token(client, people, meeting):
    services.add_action(meeting, "Review the draft", owner=people["focal"], due=date(2019, 12, 1))
    token = calendar.feed_token(people["focal"])
    reply = client.get(f"/en/calendar/{token}.ics")
    assert reply.status_code == 200
    summaries = {str(e["SUMMARY"]) for e in Calendar.from_ical(reply.content).walk("VEVENT")}
    assert {"Synthetic technical meeting", "Review the draft"} <= summaries
    assert client.get(f"/en/calendar/{token[:-3]}abc.ics").status_code == 404


def test_timeline_and_home_show_milestones_in_both_languages(client, meeting):
    assert "Réunion technique synthétique" in client.get("/fr/timeline/").content.decode()
    assert "Synthetic technical meeting" in client.get("/en/").content.decode()


def test_private_meetings_are_hidden_from_the_public(client, people, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(public=False)
    assert client.get(f"/en/meetings/{meeting.pk}/").status_code == 404
    assert client.get(f"/en/meetings/{meeting.pk}.ics").status_code == 404
    client.force_login(people["focal"])
    assert client.get(f"/en/meetings/{meeting.pk}/").status_code == 200




def test_public_organisation_page_lists_only_people_who_chose_it(client, people):
    services.save_profile(people["focal"], name="Focal Public", languages="en", public=True)
    page = client.get("/en/organisations/SYN-A/").content.decode()
    assert "Focal Public" in page
    services.save_profile(people["focal"], name="Focal Public", languages="en", public=False)
    assert "Focal Public" not in client.get("/en/organisations/SYN-A/").content.decode()
