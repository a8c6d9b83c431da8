"""Issue 13, item 6: invitations are rate-limited and de-duplicated per person and address;
and invitation acceptance goes through the one throttle (web/throttle.py).

Before: the same address could be invited any number of times, each time with a new valid
link and a new e-mail; one account could send invitations without limit. Now
(``responses.services.check_invitation_limits``): one valid invitation per address and
organisation, a repeat within minutes refused, a cap per address per day and per inviter
per hour, the same rules on the page and on the command line. Time passing is simulated by
moving ``created_at`` back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db.models import F

from iocompendium.registry.models import Organisation
from iocompendium.responses import services
from iocompendium.responses.models import Contributor, Invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs(db):
    return [Organisation.objects.create(acronym=f"SYN{n}", name_en=f"Synthetic {n}",
                                        synthetic=True) for n in range(3)]


def later(minutes: float) -> None:
    Invitation.objects.update(created_at=F("created_at") - timedelta(minutes=minutes))


def valid(email: str) -> list[Invitation]:
    return [i for i in Invitation.objects.filter(email=email)
            if services.invitation_problem(i) is None]


def test_a_repeat_within_minutes_is_refused_and_sends_nothing(orgs, settings):
    services.create_invitation(orgs[0], "fp@example.org", invited_by=None)
    with pytest.raises(services.InvitationError, match="less than 10 minutes ago"):
        services.create_invitation(orgs[0], " FP@Example.org ", invited_by=None)
    assert Invitation.objects.count() == 1 and len(mail.outbox) == 1


def test_a_later_invitation_replaces_the_earlier_link(orgs, settings):
    first, first_url = services.create_invitation(orgs[0], "fp@example.org", invited_by=None)
    later(settings.IOCOMPENDIUM_INVITATION_RESEND_MINUTES + 1
          if hasattr(settings, "IOCOMPENDIUM_INVITATION_RESEND_MINUTES") else 11)
    second, _url = services.create_invitation(orgs[0], "fp@example.org", invited_by=None)
    assert [i.pk for i in valid("fp@example.org")] == [second.pk]
    first.refresh_from_db()
    assert first.revoked_at is not None


def test_an_address_is_invited_at_most_five_times_a_day_across_organisations(orgs):
    for n in range(5):
        services.create_invitation(orgs[n % 3], "many@example.org", invited_by=None)
        later(11)
    with pytest.raises(services.InvitationError, match="5 times in the last 24 hours"):
        services.create_invitation(orgs[2], "many@example.org", invited_by=None)
    later(24 * 60)
    services.create_invitation(orgs[2], "many@example.org", invited_by=None)


def test_one_person_sends_at_most_thirty_invitations_an_hour(orgs, django_user_model, settings):
    settings.IOCOMPENDIUM_INVITATIONS_PER_INVITER_PER_HOUR = 3
    sender = django_user_model.objects.create_user("sender", password="x-pass-2026-long")
    other = django_user_model.objects.create_user("other", password="x-pass-2026-long")
    for n in range(3):
        services.create_invitation(orgs[0], f"p{n}@example.org", invited_by=sender)
    with pytest.raises(services.InvitationError, match="3 invitations in the last hour"):
        services.create_invitation(orgs[0], "p9@example.org", invited_by=sender)
    services.create_invitation(orgs[0], "p9@example.org", invited_by=other)  # per person
    later(61)
    services.create_invitation(orgs[0], "p10@example.org", invited_by=sender)


def test_the_default_limits(orgs):
    assert services.INVITATION_RESEND_MINUTES == 10
    assert services.INVITATIONS_PER_ADDRESS_PER_DAY == 5
    assert services.INVITATIONS_PER_INVITER_PER_HOUR == 30


def test_the_invitations_page_says_why_and_sends_nothing(client, orgs, django_user_model):
    user = django_user_model.objects.create_user("contrib", password="x-pass-2026-long")
    Contributor.objects.create(user=user, organisation=orgs[0])
    client.force_login(user)
    data = {"organisation": orgs[0].acronym, "email": "colleague@example.org"}
    assert client.post("/en/responses/invitations/", data).status_code == 302
    again = client.post("/fr/responses/invitations/", data)
    assert again.status_code == 400
    assert "il y a moins de 10 minutes" in again.content.decode()
    assert Invitation.objects.count() == 1 and len(mail.outbox) == 1


def test_the_invite_command_says_why(orgs):
    call_command("invite", orgs[0].acronym, "cli@example.org")
    with pytest.raises(CommandError, match="less than 10 minutes ago"):
        call_command("invite", orgs[0].acronym, "cli@example.org")


def test_a_valid_link_still_works_after_guessed_links_from_the_same_address(client, orgs,
                                                                              settings,
                                                                              long_waits):
    """Guessed links count in the one throttle (waits, never a lock-out): the right link
    opens once the wait is over, as the right password does."""
    from axes.models import AccessAttempt

    _invitation, url = services.create_invitation(orgs[0], "fp@example.org", invited_by=None)
    path = url.split("testserver", 1)[-1] if "testserver" in url else "/" + url.split("/", 3)[3]
    statuses = {client.get(f"/en/responses/invitation/guess{n}/").status_code
                for n in range(settings.AXES_FAILURE_LIMIT + 3)}
    assert 429 in statuses
    assert client.get(path).status_code == 429  # waits, like a password would
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(
        seconds=settings.IOCOMPENDIUM_THROTTLE_MAX_DELAY_SECONDS))
    assert client.get(path).status_code == 200
