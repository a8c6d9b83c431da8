from django.contrib import admin

from iocompendium.registry.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["acronym", "name_en", "category", "verified", "synthetic"]
    list_filter = ["category", "verified", "synthetic"]
    search_fields = ["acronym", "name_en", "name_fr"]
