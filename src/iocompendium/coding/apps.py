from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CodingConfig(AppConfig):
    name = "iocompendium.coding"
    label = "coding"
    verbose_name = _("Coding")
