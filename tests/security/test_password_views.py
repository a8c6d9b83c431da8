"""Defect 5 of issue 13: people can reset and change their password (Django's views at
/<lang>/accounts/password_reset/ and /<lang>/accounts/password_change/, both languages),
with single-use short-lived links, the log-in throttle, and no disclosure of whether an
address has an account. Before: both addresses were 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail

pytestmark = pytest.mark.django_db
NEW = "Brand-new-pass-2026!"


@pytest.mark.parametrize("lang,title", [("en", "Forgot your password?"),
                                        ("fr", "Mot de passe oublié ?")])
def test_reset_page_exists_in_both_languages(client, lang, title):
    page = client.get(f"/{lang}/accounts/password_reset/")
    assert page.status_code == 200 and title in page.content.decode()


@pytest.mark.parametrize("lang,title", [("en", "Change your password"),
                                        ("fr", "Changer votre mot de passe")])
def test_change_page_is_for_logged_in_people_in_both_languages(client, secretariat_user,
                                                               lang, title):
    assert client.get(f"/{lang}/accounts/password_change/").status_code == 302
    client.force_login(secretariat_user)
    page = client.get(f"/{lang}/accounts/password_change/")
    assert page.status_code == 200 and title in page.content.decode()


def _reset_link(client, email: str) -> tuple[object, str | None]:
    already = len(mail.outbox)
    reply = client.post("/en/accounts/password_reset/", {"email": email})
    links = [m for message in mail.outbox[already:]
             for m in re.findall(r"https?://\S+/accounts/reset/\S+/", message.body)]
    return reply, links[-1] if links else None


def test_reset_says_the_same_whether_or_not_the_address_has_an_account(client,
                                                                       secretariat_user):
    known, link = _reset_link(client, "analyst@example.org")
    unknown, none = _reset_link(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert client.get(known["Location"]).content == client.get(unknown["Location"]).content
    assert link is not None and none is None and len(mail.outbox) == 1


def test_a_reset_link_sets_a_password_once(client, secretariat_user):
    _reply, link = _reset_link(client, "analyst@example.org")
    path = link.split("://", 1)[1].split("/", 1)[1]
    form = client.get("/" + path, follow=True)
    assert form.status_code == 200 and "new_password1" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0],
                       {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    secretariat_user.refresh_from_db()
    assert secretariat_user.check_password(NEW)
    again = client.get("/" + path, follow=True)
    assert "not valid" in again.content.decode()  # used once: the link is dead


def test_a_reset_link_expires(secretariat_user, settings, monkeypatch):
    token = default_token_generator.make_token(secretariat_user)
    assert settings.PASSWORD_RESET_TIMEOUT <= 3 * 60 * 60
    later = default_token_generator._now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT
                                                       + 60)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    assert not default_token_generator.check_token(secretariat_user, token)


def test_a_focal_point_changes_their_password(client, django_user_model):
    focal = django_user_model.objects.create_user("focal", password="focal-pass-2026")
    client.force_login(focal)
    reply = client.post("/fr/accounts/password_change/", {
        "old_password": "focal-pass-2026", "new_password1": NEW, "new_password2": NEW})
    assert reply.status_code == 302
    focal.refresh_from_db()
    assert focal.check_password(NEW)


def test_reset_requests_for_one_address_are_throttled(client, secretariat_user, settings,
                                                      long_waits):
    statuses = [client.post("/en/accounts/password_reset/",
                            {"email": "analyst@example.org"}).status_code
                for _ in range(settings.AXES_FAILURE_LIMIT + 3)]
    assert statuses[0] == 302 and statuses[-1] == 429
    assert len(mail.outbox) <= settings.AXES_FAILURE_LIMIT + 1
