from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "iocompendium.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Listen to the other apps' signals: they never import this app.
        from iocompendium.notifications import receivers  # noqa: F401
