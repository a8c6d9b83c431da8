"""The secretariat edits people, working groups, milestones and rounds in the admin."""

from django.contrib import admin

from iocompendium.workspace.models import (
    Milestone,
    OrganisationDeadline,
    Person,
    Round,
    WorkingGroup,
    WorkspaceEvent,
)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "role", "languages", "public"]
    list_filter = ["role", "working_groups"]
    search_fields = ["name", "email", "organisation__acronym"]
    filter_horizontal = ["working_groups"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_fr", "slug"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["date", "title_en", "demo"]


class DeadlineInline(admin.TabularInline):
    model = OrganisationDeadline
    extra = 0


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["version", "label", "opens", "closes", "deadline"]
    inlines = [DeadlineInline]


@admin.register(WorkspaceEvent)
class WorkspaceEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "target"]
    readonly_fields = ["at", "actor", "actor_label", "action", "target", "detail"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
