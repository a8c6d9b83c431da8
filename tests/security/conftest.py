"""Fixtures shared by the security tests."""

from __future__ import annotations

import pytest

from iocompendium.web import throttle


@pytest.fixture
def long_waits(settings, monkeypatch):
    """Waits of a minute from the limit on, so that a slow machine cannot let a guess
    through by taking longer between two requests than the first real wait (1 s); the
    real progression of the waits is checked on ``delay_after`` itself."""
    limit = settings.AXES_FAILURE_LIMIT
    settings.IOCOMPENDIUM_THROTTLE_MAX_DELAY_SECONDS = 60
    monkeypatch.setattr(throttle, "delay_after", lambda n: 60.0 if n >= limit else 0.0)
