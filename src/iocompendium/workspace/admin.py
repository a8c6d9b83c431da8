"""The secretariat edits people, working groups, milestones and rounds in the admin.

Admin-only edits are audited like every other workspace write: each addition, change
(with the fields changed) and deletion, of an object or of an inline row, is an event of
the workspace's audit trail (``services.record``, actions ``admin_add``, ``admin_change``,
``admin_delete``)."""

from django.contrib import admin

from iocompendium.web.admin import LimitedInline, LimitedModelAdmin
from iocompendium.workspace import services
from iocompendium.workspace.models import (
    Milestone,
    OrganisationDeadline,
    Person,
    Round,
    WorkingGroup,
    WorkspaceEvent,
)


def _label(obj) -> str:
    return f"{obj._meta.model_name} #{obj.pk}: {obj}"


class AuditedAdmin(LimitedModelAdmin):
    """A workspace ``ModelAdmin`` whose every write is in the audit trail."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.record(request.user, "admin_change" if change else "admin_add", _label(obj),
                        ", ".join(form.changed_data))

    def delete_model(self, request, obj):
        label = _label(obj)
        super().delete_model(request, obj)
        services.record(request.user, "admin_delete", label)

    def delete_queryset(self, request, queryset):
        labels = [_label(obj) for obj in queryset]
        super().delete_queryset(request, queryset)
        for label in labels:
            services.record(request.user, "admin_delete", label)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            services.record(request.user, "admin_add", _label(obj))
        for obj, fields in formset.changed_objects:
            services.record(request.user, "admin_change", _label(obj), ", ".join(fields))
        for obj in formset.deleted_objects:
            services.record(request.user, "admin_delete", _label(obj))


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ["name", "organisation", "role", "languages", "public"]
    list_filter = ["role", "working_groups"]
    search_fields = ["name", "email", "organisation__acronym"]
    filter_horizontal = ["working_groups"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(AuditedAdmin):
    list_display = ["name_en", "name_fr", "slug"]


@admin.register(Milestone)
class MilestoneAdmin(AuditedAdmin):
    list_display = ["date", "title_en", "demo"]


class DeadlineInline(LimitedInline):
    model = OrganisationDeadline
    extra = 0


@admin.register(Round)
class RoundAdmin(AuditedAdmin):
    list_display = ["version", "label", "opens", "closes", "deadline"]
    inlines = [DeadlineInline]


@admin.register(WorkspaceEvent)
class WorkspaceEventAdmin(LimitedModelAdmin):
    list_display = ["at", "actor_label", "action", "target"]
    readonly_fields = ["at", "actor", "actor_label", "action", "target", "detail"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
