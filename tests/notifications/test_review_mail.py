"""Done when: the secretariat raises a query, the focal point receives an e-mail in French
with a link straight to the question, answers, and the secretariat is notified. Real mail
through a local SMTP server (aiosmtpd)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from iocompendium.notifications import services
from iocompendium.notifications.models import Kind, Mode, Notification
from iocompendium.responses import services as responses_services
from iocompendium.responses.models import Query, Response, ResponseStatus
from tests.responses.conftest import make_contributor, make_organisation, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(django_user_model, secretariat_user):
    organisation = make_organisation("SYN-A")
    focal = make_contributor(django_user_model, "focal", organisation)
    services.save_preferences(focal, language="fr", modes={})
    response = Response.objects.create(organisation=organisation, version=make_version(),
                                       status=ResponseStatus.SUBMITTED)
    return organisation, focal, response


def test_query_reaches_the_focal_point_in_french_and_the_reply_reaches_the_secretariat(
    client, review, secretariat_user, smtp_server, django_capture_on_commit_callbacks,
):
    organisation, focal, response = review
    client.force_login(secretariat_user)
    with django_capture_on_commit_callbacks(execute=True):
        reply = client.post(f"/en/responses/{response.pk}/queries/",
                            {"path": "organisation/name", "text": "Is this the full name?"})
    assert reply.status_code == 302
    query = Query.objects.get(response=response)

    [mail] = smtp_server.to("focal@example.org")
    assert "SYN-A" in mail.subject
    assert "Une requête de relecture est posée" in mail.subject
    assert "Le secrétariat pose une question" in mail.body
    assert "Is this the full name?" in mail.body
    link = next(line for line in mail.body.splitlines() if "/queries/" in line).strip()
    assert link == f"http://testserver/fr/responses/{response.pk}/queries/{query.pk}/"

    client.force_login(focal)
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200
    assert "Is this the full name?" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(urlsplit(link).path, {"text": "Yes, it is our full legal name."})

    [answer] = smtp_server.to(secretariat_user.email)
    assert "SYN-A" in answer.subject
    assert "Yes, it is our full legal name." in answer.body
    assert f"/en/responses/{response.pk}/queries/{query.pk}/" in answer.body
    # In-app too: both people see it on their notifications page.
    client.force_login(secretariat_user)
    assert "Yes, it is our full legal name." in client.get("/en/notifications/").content.decode()


def test_resolution_and_approval_are_told_to_the_focal_point(
    review, secretariat_user, smtp_server, django_capture_on_commit_callbacks,
):
    organisation, focal, response = review
    with django_capture_on_commit_callbacks(execute=True):
        query = responses_services.raise_query(response, "organisation/name", "Full name?",
                                               user=secretariat_user)
        responses_services.set_query_status(query, Query.Status.RESOLVED, user=secretariat_user)
        response.refresh_from_db()
        responses_services.set_status(response, ResponseStatus.APPROVED, user=secretariat_user)
        responses_services.set_status(response, ResponseStatus.DRAFT, user=secretariat_user)
    kinds = list(Notification.objects.filter(user=focal).values_list("kind", flat=True))
    assert sorted(kinds) == sorted([Kind.QUERY_RAISED, Kind.QUERY_RESOLVED,
                                    Kind.RESPONSE_APPROVED, Kind.RESPONSE_REOPENED])
    assert len(smtp_server.to("focal@example.org")) == 4


def test_a_person_who_turned_a_kind_off_sees_it_in_the_app_only(
    review, secretariat_user, smtp_server, django_capture_on_commit_callbacks,
):
    organisation, focal, response = review
    services.save_preferences(focal, language="en", modes={Kind.QUERY_RAISED: Mode.OFF})
    with django_capture_on_commit_callbacks(execute=True):
        responses_services.raise_query(response, "organisation/name", "Full name?",
                                       user=secretariat_user)
    assert smtp_server.to("focal@example.org") == []
    assert Notification.objects.filter(user=focal, kind=Kind.QUERY_RAISED).count() == 1
