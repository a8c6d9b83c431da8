"""Sending: once per event and person, never twice, nothing lost when the sender dies
between its claim and the send; failures retried; digests; unsubscribe links. Real mail
through a local SMTP server (aiosmtpd); SYNTHETIC people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from iocompendium.notifications import services
from iocompendium.notifications.models import Channel, Kind, Mode, Notification
from iocompendium.notifications.services import CLAIM_TIMEOUT, Link

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(django_user_model):
    return django_user_model.objects.create_user("pat", "pat@example.org", "x-long-pass-2026")


def tell(user, event="evt:1", kind=Kind.MEETING_DOCUMENTS, now=None):
    return services.notify(kind, event, [user], link=Link("workspace:timeline", {}),
                           params={"meeting": "Technical meeting", "title": "Agenda"}, now=now)


def test_the_same_event_tells_a_person_once_and_is_sent_once(person, smtp_server):
    assert len(tell(person)) == 1
    assert tell(person) == []  # same event again: nothing new
    assert Notification.objects.filter(user=person).count() == 1
    assert len(services.send_pending()) == 1
    assert services.send_pending() == []
    assert len(smtp_server.to("pat@example.org")) == 1


def test_a_sender_killed_between_claim_and_send_loses_nothing_and_sends_nothing_twice(
    person, smtp_server,
):
    now = timezone.now()
    tell(person, now=now)
    token, claimed = services.claim(now)  # the sender claims ... and dies here
    assert [row.user_id for row in claimed] == [person.pk]
    # Another sender running meanwhile does not take the claimed row (no double send).
    assert services.send_pending(now + timedelta(minutes=1)) == []
    assert smtp_server.received == []
    # Once the claim is older than the timeout, the row is taken again and sent once.
    later = now + CLAIM_TIMEOUT + timedelta(seconds=1)
    assert len(services.send_pending(later)) == 1
    assert services.send_pending(later + CLAIM_TIMEOUT * 2) == []
    assert len(smtp_server.to("pat@example.org")) == 1
    row = Notification.objects.get(user=person)
    assert row.sent_at is not None and row.attempts == 2


def test_a_refused_message_is_kept_with_its_error_and_retried(person, smtp_server, client,
                                                              secretariat_user):
    now = timezone.now()
    tell(person, now=now)
    smtp_server.refuse = True
    assert services.send_pending(now) == []
    row = Notification.objects.get(user=person)
    assert row.sent_at is None and row.attempts == 1 and "451" in row.error
    assert row.due_at > now  # backs off
    client.force_login(secretariat_user)
    page = client.get("/en/notifications/outbox/?failed=1").content.decode()
    assert "pat@example.org" in page and "451" in page
    smtp_server.refuse = False
    assert services.send_pending(now) == []  # not yet due
    assert len(services.send_pending(now + timedelta(minutes=5))) == 1
    assert len(smtp_server.to("pat@example.org")) == 1


def test_daily_digest_groups_a_persons_notifications_into_one_mail(person, smtp_server):
    services.save_preferences(person, language="en",
                              modes={Kind.MEETING_DOCUMENTS: Mode.DIGEST})
    now = timezone.now()
    tell(person, "evt:1", now=now)
    tell(person, "evt:2", now=now)
    assert set(Notification.objects.values_list("channel", flat=True)) == {Channel.DIGEST}
    assert services.send_pending(now) == []
    digest_time = services.next_digest_time(now)
    assert len(services.send_pending(digest_time)) == 2
    [mail] = smtp_server.to("pat@example.org")
    assert "2" in mail.subject and mail.body.count("Technical meeting") == 2


def test_unsubscribe_link_works_without_logging_in(person, client, smtp_server):
    tell(person)
    services.send_pending()
    [mail] = smtp_server.to("pat@example.org")
    link = next(line.split(" ")[-1] for line in mail.body.splitlines()
                if "/unsubscribe/" in line)
    path = link.replace("http://testserver", "")
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
    assert services.preferences_of(person).mode_for(Kind.MEETING_DOCUMENTS) == Mode.OFF
    assert client.get(path[:-5] + "xxxx/").status_code == 400  # a forged link
    tell(person, "evt:2")
    assert services.send_pending() == []  # in the app only from now on


def test_notifications_send_command_prints_what_it_sent(person, smtp_server, capsys):
    tell(person)
    call_command("notifications", "send")
    out = capsys.readouterr().out
    assert "pat@example.org" in out and "1 notification(s) sent." in out
    call_command("notifications", "send")
    assert "0 notification(s) sent." in capsys.readouterr().out
