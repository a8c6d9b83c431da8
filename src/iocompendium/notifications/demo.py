"""Demo step: the demo's focal point (DEMO-A, fictional) reads its e-mails in French, so a
query raised by the secretariat reaches it in French, as it would a francophone focal
point. Idempotent."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from iocompendium.notifications import services
from iocompendium.responses.demo.invitations import DEMO_FOCAL_POINT


def run(context: Any) -> None:
    username, _password = DEMO_FOCAL_POINT
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        return
    prefs = services.preferences_of(user)
    services.save_preferences(user, language="fr", modes=prefs.modes)
    context.lines.append(f"Notifications: {username} (DEMO-A) receives its e-mails in French.")
