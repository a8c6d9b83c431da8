"""``iocompendium demo``: idempotent set-up of the foundation's part of the demo."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from iocompendium.registry.models import Organisation
from iocompendium.web.management.commands import demo

pytestmark = pytest.mark.django_db


def state() -> tuple:
    users = get_user_model().objects.order_by("username")
    return (
        list(Organisation.objects.order_by("acronym").values()),
        [(u.username, u.is_staff, u.is_superuser) for u in users],
    )


def test_demo_twice_gives_the_same_state(monkeypatch):
    # Only the foundation's step: the later apps' steps take minutes (they test their own).
    monkeypatch.setattr(demo, "DEMO_STEPS", ["iocompendium.registry.demo"])
    first_output = StringIO()
    call_command("demo", "--no-serve", stdout=first_output)
    first = state()
    call_command("demo", "--no-serve", stdout=StringIO())
    assert state() == first
    assert len(first[0]) >= 40
    assert ("secretariat", True, True) in first[1]
    assert "Secretariat login: secretariat / " in first_output.getvalue()


def test_demo_secretariat_can_log_in(client, monkeypatch):
    monkeypatch.setattr(demo, "DEMO_STEPS", ["iocompendium.registry.demo"])
    call_command("demo", "--no-serve", stdout=StringIO())
    from iocompendium.registry.demo import DEMO_SECRETARIAT

    username, password = DEMO_SECRETARIAT
    response = client.post("/en/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302
    assert client.get("/en/admin/").status_code == 200


def test_a_missing_demo_step_module_is_skipped(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_STEPS", ["iocompendium.registry.demo",
                                             "iocompendium.registry.no_such_demo"])
    out = StringIO()
    call_command("demo", "--no-serve", "--verbosity", "2", stdout=out)
    assert "step iocompendium.registry.demo:" in out.getvalue()
    assert "Demo ready" in out.getvalue()
