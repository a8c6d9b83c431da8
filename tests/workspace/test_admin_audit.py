"""Issue 17, item 8: admin-only edits of workspace objects are in the workspace's audit
trail like every other write (who, what, which fields): additions, changes, deletions,
inline rows (a round's per-organisation deadlines) and bulk deletions."""

from __future__ import annotations

import pytest

from iocompendium.workspace.admin import AuditedAdmin
from iocompendium.workspace.models import Milestone, WorkingGroup, WorkspaceEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "r@example.org", "root-pass-26")
    client.force_login(user)
    return user


def events() -> list[tuple[str, str, str, str]]:
    return [(e.actor_label, e.action, e.target, e.detail)
            for e in WorkspaceEvent.objects.order_by("id")]


def test_add_change_delete_in_the_admin_are_audited(client, root):
    base = "/en/admin/workspace/workinggroup/"
    data = {"slug": "syn", "name_en": "Synthetic", "name_fr": "Synthétique",
            "description_en": "", "description_fr": ""}
    assert client.post(base + "add/", data).status_code == 302
    group = WorkingGroup.objects.get(slug="syn")
    assert client.post(f"{base}{group.pk}/change/",
                       {**data, "name_en": "Synthetic group"}).status_code == 302
    assert client.post(f"{base}{group.pk}/delete/", {"post": "yes"}).status_code == 302
    found = events()
    assert [(who, action) for who, action, _t, _d in found] == [
        ("root", "admin_add"), ("root", "admin_change"), ("root", "admin_delete")]
    assert all(f"workinggroup #{group.pk}" in target for _w, _a, target, _d in found)
    assert found[1][3] == "name_en"


def test_bulk_deletion_in_the_admin_is_audited_per_object(client, root):
    first = Milestone.objects.create(date="2019-11-05", title_en="A", title_fr="A")
    second = Milestone.objects.create(date="2020-03-27", title_en="B", title_fr="B")
    reply = client.post("/en/admin/workspace/milestone/", {
        "action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"})
    assert reply.status_code == 302
    assert sorted(t for _w, a, t, _d in events() if a == "admin_delete") == sorted(
        [f"milestone #{first.pk}: {first}", f"milestone #{second.pk}: {second}"])


def test_every_workspace_admin_is_audited():
    from django.contrib import admin

    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == "workspace" and model is not WorkspaceEvent:
            assert isinstance(model_admin, AuditedAdmin), model
