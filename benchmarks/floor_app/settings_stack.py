"""The floor with the application's own stack: iocompendium's settings and middleware
(sessions, authentication, CSRF, locale, messages...) and its database; the view needs
a logged-in user and a CSRF token, then writes one row. The gap between this floor and
the autosave endpoint is the autosave's own work."""

from iocompendium.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "floor_app"]  # noqa: F405
ROOT_URLCONF = "floor_app.urls_stack"
