"""The web questionnaire, autosave, submission, review, queries, audit and invitations."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from iocompendium.responses import services
from iocompendium.responses.models import (
    Answer,
    AuditEvent,
    Contributor,
    Invitation,
    Query,
    ResponseStatus,
)
from tests.responses.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def response(org_a, version):
    return services.get_or_create_response(org_a, version)


def section_url(response, name, lang="en"):
    return f"/{lang}/responses/{response.pk}/section/{name}/"


def autosave(client, response, path, value, revision=0, section="organisation", lang="en"):
    return client.post(f"/{lang}/responses/{response.pk}/autosave/",
                       {"path": path, "value": value, "revision": revision,
                        "section": section})


def input_names(html: str) -> set[str]:
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', html))


def test_section_inputs_are_named_by_question_path(client, response, alice):
    client.force_login(alice)
    services.add_instance(response, "variety/instruments", user=alice)
    services.add_instance(response, "variety/instruments", user=alice)
    html = client.get(section_url(response, "variety")).content.decode()
    assert {"variety/has_instruments", "variety/instruments[1]/title",
            "variety/instruments[2]/title", "variety/instruments[2]/year",
            "variety/instruments[2]/legal_effect",
            "variety/instruments[2]/addressees"} <= input_names(html)
    html = client.get(section_url(response, "organisation")).content.decode()
    assert {"organisation/name", "organisation/category", "organisation/category_other",
            "organisation/staff", "organisation/budget",
            "organisation/founded"} <= input_names(html)


def test_labels_follow_the_language_and_answers_stay(client, response, alice):
    client.force_login(alice)
    services.save_answer(response, "organisation/name", "Alpha", user=alice, base_revision=0)
    english = client.get(section_url(response, "organisation")).content.decode()
    french = client.get(section_url(response, "organisation", "fr")).content.decode()
    assert "Full name" in english and "Nom complet" in french
    assert 'value="Alpha"' in english and 'value="Alpha"' in french
    assert '<html lang="fr">' in french


def test_autosave_returns_the_engines_new_states(client, response, alice):
    client.force_login(alice)
    reply = autosave(client, response, "organisation/staff", "-4", lang="fr")
    assert reply.status_code == 200
    data = reply.json()
    assert data["revision"] == 1
    assert data["states"]["organisation/staff"]["error"] == "Le personnel ne peut pas être négatif."
    stored = Answer.objects.get(path="organisation/staff")
    event = AuditEvent.objects.get(path="organisation/staff")
    assert (stored.value, stored.revision, stored.updated_by) == ("-4", 1, alice)
    assert (event.actor, event.old_value, event.new_value, event.via) == (alice, "", "-4", "web")
    assert abs((event.at - stored.updated_at).total_seconds()) < 1
    autosave(client, response, "organisation/staff", "5", revision=1)
    assert AuditEvent.objects.filter(path="organisation/staff").last().old_value == "-4"
    reply = autosave(client, response, "organisation/budget", "5000").json()
    assert reply["states"]["organisation/budget"]["warning"] == "That is a large budget."
    assert reply["states"]["organisation/budget"]["error"] is None
    # Relevance: the repeat shows once "yes" is answered.
    before = autosave(client, response, "variety/has_instruments", "no", section="variety")
    assert before.json()["repeats"] == {"variety/instruments": False}
    after = autosave(client, response, "variety/has_instruments", "yes", revision=1,
                     section="variety").json()
    assert after["repeats"] == {"variety/instruments": True}
    assert after["section"] == {"name": "variety", "answered": 1, "relevant": 1}


def test_calculations_are_shown_read_only(client, response, alice):
    client.force_login(alice)
    for _ in range(2):
        services.add_instance(response, "variety/instruments", user=alice)
    reply = autosave(client, response, "variety/has_instruments", "yes", section="variety")
    assert reply.json()["states"]["variety/instrument_count"]["value"] == "2"
    html = client.get(section_url(response, "variety")).content.decode()
    assert re.search(r'<output name="variety/instrument_count"[^>]*>2</output>', html)
    assert "variety/instrument_count" not in input_names(html)


def test_autosave_conflict_returns_409_with_the_colleagues_value(client, response, alice, anna):
    services.save_answer(response, "organisation/name", "Anna's name", user=anna,
                         base_revision=0)
    client.force_login(alice)
    reply = autosave(client, response, "organisation/name", "Alice's name", revision=0)
    assert reply.status_code == 409
    assert reply.json() == {"conflict": True, "path": "organisation/name",
                            "value": "Anna's name", "revision": 1, "by": "anna"}
    assert Answer.objects.get(path="organisation/name").value == "Anna's name"


def test_autosave_refuses_bad_input_without_a_server_error(client, response, alice):
    client.force_login(alice)
    assert autosave(client, response, "nope/nope", "x").status_code == 400
    assert autosave(client, response, "organisation/name", "x", revision="abc").status_code == 400
    assert autosave(client, response, "organisation/category", "<b>").status_code == 400


def test_autosave_needs_the_csrf_token(response, alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert autosave(client, response, "organisation/name", "x").status_code == 403
    assert not Answer.objects.exists()


def test_plain_post_saves_changes_and_reports_conflicts(client, response, alice, anna):
    client.force_login(alice)
    page = client.get(section_url(response, "organisation")).content.decode()
    revisions = json.loads(re.search(r'name="_revisions" id="revisions" value="([^"]*)"', page)
                           .group(1).replace("&quot;", '"'))
    assert revisions["organisation/name"] == 0
    reply = client.post(section_url(response, "organisation"), {
        "_revisions": json.dumps(revisions), "organisation/name": "Alpha",
        "organisation/staff": "12", "organisation/category": "igo",
    })
    assert reply.status_code == 302
    stored = dict(Answer.objects.values_list("path", "value"))
    assert stored == {"organisation/name": "Alpha", "organisation/staff": "12",
                      "organisation/category": "igo"}
    # Anna changes the name; Alice posts the old page again with another name.
    services.save_answer(response, "organisation/name", "Anna's", user=anna, base_revision=1)
    revisions["organisation/name"] = 1
    reply = client.post(section_url(response, "organisation"), {
        "_revisions": json.dumps(revisions), "organisation/name": "Alice's",
        "organisation/staff": "12", "organisation/category": "igo",
    })
    assert reply.status_code == 409
    assert "Anna&#x27;s" in reply.content.decode()
    assert Answer.objects.get(path="organisation/name").value == "Anna's"


def test_repeat_buttons_work_without_javascript(client, response, alice):
    client.force_login(alice)
    url = section_url(response, "variety")
    for _ in range(2):
        assert client.post(url, {"_revisions": "{}",
                                 "_action": "add:variety/instruments"}).status_code == 302
    services.save_answer(response, "variety/instruments[2]/title", "Second", user=alice,
                         base_revision=1)
    client.post(url, {"_revisions": "{}", "_action": "up:variety/instruments[2]"})
    assert Answer.objects.get(path="variety/instruments[1]/title").value == "Second"
    client.post(url, {"_revisions": "{}", "_action": "remove:variety/instruments[2]"})
    assert set(Answer.objects.values_list("path", flat=True)) == {"variety/instruments[1]/title"}


def test_completeness_report_and_submission(client, response, alice, secretariat_user):
    client.force_login(alice)
    services.save_answer(response, "organisation/staff", "-1", user=alice, base_revision=0)
    services.save_answer(response, "organisation/budget", "5000", user=alice, base_revision=0)
    report = client.get(f"/en/responses/{response.pk}/check/").content.decode()
    assert "2 required answers missing" in report  # name and has_instruments
    assert "Staff cannot be negative." in report and "That is a large budget." in report
    assert f"/en/responses/{response.pk}/section/organisation/?check=1#q-organisation--staff" \
        in report
    refused = client.post(f"/en/responses/{response.pk}/submit/")
    assert refused.status_code == 400
    response.refresh_from_db()
    assert response.status == ResponseStatus.DRAFT
    for path, value, revision in [("organisation/staff", "3", 1),
                                  ("organisation/name", "Alpha", 0),
                                  ("variety/has_instruments", "no", 0)]:
        services.save_answer(response, path, value, user=alice, base_revision=revision)
    assert client.post(f"/en/responses/{response.pk}/submit/").status_code == 302
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED and response.submitted_at
    # Locked: the soft warning did not block; further saves are refused.
    assert autosave(client, response, "organisation/name", "Beta", revision=1).status_code == 403
    client.force_login(secretariat_user)
    client.post(f"/en/responses/{response.pk}/status/", {"status": "draft"})
    response.refresh_from_db()
    assert response.status == ResponseStatus.DRAFT


def test_review_list_shows_every_organisation_with_filters(client, response, org_b, alice,
                                                           secretariat_user):
    services.save_answer(response, "organisation/name", "Alpha", user=alice, base_revision=0)
    client.force_login(secretariat_user)
    html = client.get("/en/responses/?questionnaire=synthetic-small").content.decode()
    assert "SYN-A" in html and "SYN-B" in html and "Not started" in html
    assert "1 of 8" in html  # answered of relevant: 8 relevant questions initially
    drafts = client.get("/en/responses/?questionnaire=synthetic-small&status=draft")
    assert "SYN-A" in drafts.content.decode() and "SYN-B" not in drafts.content.decode()


def test_query_thread_between_reviewer_and_focal_point(client, response, alice,
                                                       secretariat_user):
    services.save_answer(response, "organisation/name", "Alpha", user=alice, base_revision=0)
    client.force_login(secretariat_user)
    client.post(f"/en/responses/{response.pk}/queries/",
                {"path": "organisation/name", "text-organisation/name": "Full name, please?"})
    query = Query.objects.get()
    assert query.status == Query.Status.OPEN
    client.force_login(alice)
    page = client.get(section_url(response, "organisation")).content.decode()
    assert "Full name, please?" in page
    client.post(f"/en/responses/{response.pk}/queries/{query.pk}/",
                {"text": "Changed it."})
    services.save_answer(response, "organisation/name", "Alpha Organisation", user=alice,
                         base_revision=1)
    thread = client.get(f"/en/responses/{response.pk}/queries/{query.pk}/").content.decode()
    assert thread.index("Full name, please?") < thread.index("Changed it.")
    assert "Alpha Organisation" in thread
    # Only the secretariat resolves.
    assert client.post(f"/en/responses/{response.pk}/queries/{query.pk}/status/",
                       {"status": "resolved"}).status_code == 403
    client.force_login(secretariat_user)
    client.post(f"/en/responses/{response.pk}/queries/{query.pk}/status/", {"status": "resolved"})
    query.refresh_from_db()
    assert query.status == Query.Status.RESOLVED
    assert query.messages.count() == 2


def test_audit_trail_page_and_csv(client, response, alice):
    services.save_answer(response, "organisation/name", "Alpha", user=alice, base_revision=0)
    services.save_answer(response, "organisation/name", "=HYPERLINK()", user=alice,
                         base_revision=1)
    client.force_login(alice)
    assert "Alpha" in client.get(f"/en/responses/{response.pk}/audit/").content.decode()
    reply = client.get(f"/en/responses/{response.pk}/audit.csv")
    rows = list(csv.reader(io.StringIO(b"".join(reply.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["at", "actor", "action", "path", "old_value", "new_value", "via"]
    assert [r[2:] for r in rows[1:]] == [
        ["answer", "organisation/name", "", "Alpha", "web"],
        ["answer", "organisation/name", "Alpha", "'=HYPERLINK()", "web"],
    ]


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_html_in_answers_and_messages_is_shown_as_text(client, response, alice,
                                                       secretariat_user):
    services.save_answer(response, "organisation/name", XSS, user=alice, base_revision=0)
    services.save_answer(response, "coordination/guidelines", "yes", user=alice,
                         base_revision=0)
    services.save_answer(response, "coordination/guidelines_comments", XSS, user=alice,
                         base_revision=0)
    services.raise_query(response, "organisation/name", XSS, user=secretariat_user)
    query = Query.objects.get()
    services.reply_to_query(query, XSS, user=alice)
    pages = [section_url(response, "organisation"), section_url(response, "coordination"),
             f"/en/responses/{response.pk}/", f"/en/responses/{response.pk}/audit/",
             f"/en/responses/{response.pk}/queries/",
             f"/en/responses/{response.pk}/queries/{query.pk}/",
             f"/en/responses/{response.pk}/check/"]
    for user in (alice, secretariat_user):
        client.force_login(user)
        for url in pages + ["/en/responses/"]:
            html = client.get(url).content.decode()
            assert "<script>alert" not in html and "<img src=x" not in html, url
        html = client.get(section_url(response, "organisation")).content.decode()
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_invitation_flow_on_the_web(client, org_a, secretariat_user):
    client.force_login(secretariat_user)
    reply = client.post("/en/responses/invitations/",
                        {"organisation": "SYN-A", "email": "new.person@example.org"})
    assert reply.status_code == 302
    url = re.search(r"http://\S+/invitation/\S+/", mail.outbox[0].body).group(0)
    path = url.split("testserver", 1)[1]
    client.logout()
    assert client.get(path).status_code == 200
    weak = client.post(path, {"password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 200 and not Contributor.objects.exists()
    ok = client.post(path, {"password1": PASSWORD, "password2": PASSWORD})
    assert ok.status_code == 302
    contributor = Contributor.objects.get()
    assert contributor.organisation == org_a
    assert contributor.user.username == "new.person@example.org"
    assert client.get("/en/responses/").status_code == 200  # logged in as the new user
    client.logout()
    assert client.get(path).status_code == 410  # one-time


def test_a_contributor_invites_colleagues_of_their_own_organisation_only(client, alice, org_b):
    client.force_login(alice)
    assert client.post("/en/responses/invitations/",
                       {"organisation": "SYN-B", "email": "x@example.org"}).status_code == 400
    assert client.post("/en/responses/invitations/",
                       {"organisation": "SYN-A", "email": "x@example.org"}).status_code == 302
    assert list(Invitation.objects.values_list("organisation__acronym", flat=True)) == ["SYN-A"]


def test_revoked_link_no_longer_works(client, org_a, secretariat_user):
    invitation, url = services.create_invitation(org_a, "r@example.org", invited_by=None)
    client.force_login(secretariat_user)
    client.post(f"/en/responses/invitations/{invitation.pk}/revoke/")
    client.logout()
    assert client.get(url.split("8000", 1)[1]).status_code == 410


def test_invite_command_prints_the_url_last(org_a, version, capsys, settings):
    settings.IOCOMPENDIUM_BASE_URL = "https://ioc.example.org"
    call_command("invite", "syn-a", "cmd@example.org", "--questionnaire", "synthetic-small")
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(r"https://ioc\.example\.org/en/responses/invitation/[\w-]{40,}/", last)
    token = last.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation.token_hash == services.hash_token(token)
    assert invitation.questionnaire.slug == "synthetic-small"
    with pytest.raises(CommandError, match="no organisation"):
        call_command("invite", "NOPE", "cmd@example.org")
    with pytest.raises(CommandError, match="not a valid e-mail"):
        call_command("invite", "SYN-A", "not-an-address")


def test_demo_step_is_idempotent(tmp_path):
    from iocompendium.responses.demo import invitations as demo
    from iocompendium.web.management.commands.demo import DemoContext

    for _ in range(2):
        context = DemoContext(data_dir=tmp_path, options={})
        demo.run(context)
    assert Invitation.objects.count() == 3
    assert Contributor.objects.get().organisation.acronym == "DEMO-A"
    assert any("focal-demo-a / focal-point-demo-2026" in line for line in context.lines)
    assert AuditEvent.objects.count() == 0
