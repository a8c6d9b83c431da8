"""The Django admin, for the secretariat: titled in the active language."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("iocompendium administration")
admin.site.site_title = _("iocompendium administration")
admin.site.index_title = _("Secretariat")
