from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstrumentsConfig(AppConfig):
    name = "iocompendium.instruments"
    label = "instruments"
    verbose_name = _("Instruments")

    def ready(self) -> None:
        # Survey instruments follow their response when it is approved.
        from django.db.models.signals import post_save

        from iocompendium.instruments.signals import response_saved

        post_save.connect(
            response_saved, sender="responses.Response", dispatch_uid="instruments-sync"
        )
