"""Defect 1 of issue 13: no brute force anywhere, and no lock-out of honest users.

Before: thirty wrong passwords on /en/admin/login/ all got 200; the main log-in refused
the owner's right password for 15 minutes after five failures; the address was
REMOTE_ADDR (the proxy's, behind the HTTPS proxy the guide prescribes). Now every path
that checks a password or a secret link goes through django-axes with progressive delays
(web/throttle.py). Time passing is simulated by moving the recorded failures back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.urls import reverse

from iocompendium.web import throttle
from iocompendium.web.throttle import client_ip, delay_after

pytestmark = pytest.mark.django_db
PASSWORD = "analyst-pass-2026"


def post_login(client, url: str, username: str, password: str, address="10.0.0.1", **extra):
    return client.post(url, {"username": username, "password": password, "next": "/en/"},
                       REMOTE_ADDR=address, **extra)


def time_passes(seconds: float) -> None:
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=seconds))


@pytest.mark.parametrize("url", ["/en/admin/login/", "/fr/accounts/login/"])
def test_thirty_wrong_passwords_are_slowed_and_the_owner_still_gets_in(
        client, secretariat_user, settings, long_waits, url):
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [post_login(client, url, "analyst", f"guess-{n}").status_code for n in range(30)]
    # The first failures are answered normally; from the limit on, each must wait.
    assert statuses[:limit - 1] == [200] * (limit - 1)
    assert set(statuses[limit:]) == {429}
    counted = AccessAttempt.objects.filter(username="analyst").get().failures_since_start
    assert counted < 30  # attempts refused while waiting are not counted
    waiting = post_login(client, url, "analyst", PASSWORD)
    assert waiting.status_code == 429 and "_auth_user_id" not in client.session
    assert 1 <= int(waiting["Retry-After"]) <= 60
    time_passes(settings.IOCOMPENDIUM_THROTTLE_MAX_DELAY_SECONDS)
    assert post_login(client, url, "analyst", PASSWORD).status_code == 302
    assert "_auth_user_id" in client.session


def test_attempts_refused_while_waiting_are_not_counted(client, secretariat_user, settings,
                                                        monkeypatch):
    limit = settings.AXES_FAILURE_LIMIT
    # A long wait, so that the machine's speed cannot let one pass during the test.
    monkeypatch.setattr(throttle, "delay_after", lambda n: 600.0 if n >= limit else 0.0)
    for n in range(limit + 10):
        post_login(client, "/en/accounts/login/", "analyst", f"guess-{n}")
    assert AccessAttempt.objects.get(username="analyst").failures_since_start == limit


def test_delays_grow_but_never_pass_ten_seconds(settings):
    limit = settings.AXES_FAILURE_LIMIT
    delays = [delay_after(n) for n in range(limit + 30)]
    assert delays[:limit] == [0] * limit
    assert delays == sorted(delays) and delays[limit] < delays[limit + 2]
    assert max(delays) <= 10


def test_an_attacker_failing_steadily_never_keeps_the_owner_out(client, secretariat_user,
                                                                 settings):
    url = "/en/accounts/login/"
    for _round in range(5):
        for n in range(settings.AXES_FAILURE_LIMIT + 3):
            post_login(client, url, "analyst", f"guess-{n}", address="203.0.113.9")
        time_passes(settings.IOCOMPENDIUM_THROTTLE_MAX_DELAY_SECONDS)
    owner = post_login(client, url, "analyst", PASSWORD, address="198.51.100.7")
    assert owner.status_code == 302


def test_a_spoofed_forwarded_header_is_ignored_without_a_trusted_proxy(rf, settings):
    settings.IOCOMPENDIUM_TRUSTED_PROXIES = []
    request = rf.post("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "203.0.113.9"
    settings.IOCOMPENDIUM_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request) == "203.0.113.9"  # not from the proxy: header not believed


def test_behind_the_trusted_proxy_each_visitor_has_their_own_address(rf, settings):
    settings.IOCOMPENDIUM_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    request = rf.post("/", REMOTE_ADDR="127.0.0.1",
                      HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7, 10.1.1.1")
    # The right-most address not a proxy of ours: what a client sends before it is not used.
    assert client_ip(request) == "198.51.100.7"
    assert client_ip(rf.post("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"
    bogus = rf.post("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(bogus) == "127.0.0.1"


def test_one_visitor_behind_the_proxy_cannot_slow_down_the_others(client, settings,
                                                                   django_user_model):
    settings.IOCOMPENDIUM_TRUSTED_PROXIES = ["127.0.0.1"]
    django_user_model.objects.create_user("other", password="other-pass-2026")
    url = "/en/accounts/login/"
    for n in range(settings.AXES_FAILURE_LIMIT + 5):
        post_login(client, url, f"nobody-{n}", "x", address="127.0.0.1",
                   HTTP_X_FORWARDED_FOR="203.0.113.9")
    attacker = post_login(client, url, "nobody-new", "x", address="127.0.0.1",
                          HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert attacker.status_code == 429  # the attacker's own address waits
    other = post_login(client, url, "other", "other-pass-2026", address="127.0.0.1",
                       HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other.status_code == 302


def test_password_change_checks_the_old_password_through_the_throttle(client, settings,
                                                                       secretariat_user,
                                                                       long_waits):
    client.force_login(secretariat_user)
    url = reverse("web:password_change")
    data = {"new_password1": "A-new-pass-2026!", "new_password2": "A-new-pass-2026!"}
    statuses = [client.post(url, {**data, "old_password": f"guess-{n}"}).status_code
                for n in range(settings.AXES_FAILURE_LIMIT + 3)]
    assert statuses[0] == 200 and statuses[-1] == 429
    assert client.post(url, {**data, "old_password": PASSWORD}).status_code == 429
    time_passes(settings.IOCOMPENDIUM_THROTTLE_MAX_DELAY_SECONDS)
    assert client.post(url, {**data, "old_password": PASSWORD}).status_code == 302
    secretariat_user.refresh_from_db()
    assert secretariat_user.check_password("A-new-pass-2026!")


def test_guessed_invitation_links_are_throttled(client, settings, long_waits):
    statuses = [client.get(f"/en/responses/invitation/guess{n}/").status_code
                for n in range(settings.AXES_FAILURE_LIMIT + 3)]
    assert statuses[0] == 404 and statuses[-1] == 429


def test_guessed_password_reset_links_are_throttled(client, settings, secretariat_user,
                                                     long_waits):
    statuses = [client.get(f"/en/accounts/reset/MQ/guess-{n}/").status_code
                for n in range(settings.AXES_FAILURE_LIMIT + 3)]
    assert statuses[0] == 200 and statuses[-1] == 429
