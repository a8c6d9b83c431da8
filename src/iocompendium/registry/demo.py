"""Demo step: the reference organisations and the secretariat account."""

from __future__ import annotations

from importlib import resources

from django.contrib.auth import get_user_model

from iocompendium.registry.services import load_organisations

DEMO_SECRETARIAT = ("secretariat", "secretariat-demo-2026")


def run(context) -> None:
    with resources.as_file(resources.files("iocompendium.data") / "organisations.csv") as path:
        load_organisations(path)
    username, password = DEMO_SECRETARIAT
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"email": "secretariat@example.org"}
    )
    user.is_staff = True
    user.is_superuser = True
    user.set_password(password)
    user.save()
    context.lines.append(f"Secretariat login: {username} / {password}")
