"""The Django admin, for the secretariat: titled in the active language.

Every ``ModelAdmin`` and inline of the product derives from ``LimitedModelAdmin`` /
``LimitedInline``: each text field of the admin's forms gets the write-path limits of
``web.limits`` (the same as every other form, ``web.forms.limit_text``)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from iocompendium.web.forms import limit_text

admin.site.site_header = _("iocompendium administration")
admin.site.site_title = _("iocompendium administration")
admin.site.index_title = _("Secretariat")


class _Limited:
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return limit_text(super().formfield_for_dbfield(db_field, request, **kwargs))


class LimitedModelAdmin(_Limited, admin.ModelAdmin):
    """A ``ModelAdmin`` whose forms keep the write-path limits."""


class LimitedInline(_Limited, admin.TabularInline):
    """A tabular inline whose forms keep the write-path limits."""
