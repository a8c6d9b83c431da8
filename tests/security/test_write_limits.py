"""Issue 13, item 3: one set of limits on every write path (``web.limits``), the admin's
forms and every form of the product included.

Before: the admin and the product's forms took text of any length (a model TextField has
no limit), so the limits held on answers but not on a description, minutes or a note.
Now every form of the product derives from ``web.forms.LimitedForm`` and every admin
from ``web.admin.LimitedModelAdmin``/``LimitedInline``: each text field without a
smaller limit of its own is capped at ``limits.MAX_TEXT_LENGTH``, each JSON field at
``limits.MAX_JSON_FIELD_BYTES``."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django import forms
from django.contrib import admin

import iocompendium
from iocompendium.web import limits
from iocompendium.web.admin import LimitedInline, LimitedModelAdmin
from iocompendium.web.forms import LimitedForm
from iocompendium.workspace.models import WorkingGroup

pytestmark = pytest.mark.django_db
TOO_LONG = "x" * (limits.MAX_TEXT_LENGTH + 1)


def _product_form_classes() -> list[type]:
    for module in pkgutil.walk_packages(iocompendium.__path__, "iocompendium."):
        name = module.name
        if name.rsplit(".", 1)[-1].startswith(("forms", "views", "admin")):
            importlib.import_module(name)
    found, stack = [], [forms.BaseForm]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("iocompendium.") and not cls.__name__.startswith("_"):
            found.append(cls)
    return found


def test_every_form_of_the_product_has_the_limits():
    classes = _product_form_classes()
    assert len(classes) >= 15  # the search found the forms (a failing import would hide them)
    missing = [f"{c.__module__}.{c.__name__}" for c in classes
               if not issubclass(c, LimitedForm)
               and not c.__module__.startswith("django.")
               and c.__name__ not in {"BaseInlineFormSet"}]
    assert missing == []


def test_every_admin_of_the_product_has_the_limits(rf, django_user_model):
    request = rf.get("/en/admin/")
    request.user = django_user_model.objects.create_superuser("root", "r@example.org",
                                                              "root-pass-2026")
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("iocompendium."):
            continue
        assert isinstance(model_admin, LimitedModelAdmin), model
        form = model_admin.get_form(request)()
        inlines = model_admin.get_inline_instances(request)
        assert all(isinstance(inline, LimitedInline) for inline in inlines), model
        fields = list(form.fields.values())
        for inline in inlines:
            fields += list(inline.get_formset(request)().form.base_fields.values())
        for field in fields:
            if isinstance(field, forms.CharField) and not isinstance(field, forms.JSONField):
                assert field.max_length is not None, (model, field)
                assert field.max_length <= limits.MAX_TEXT_LENGTH, (model, field)
            checked += 1
    assert checked > 20


def test_too_long_text_in_the_admin_is_refused_with_a_sentence(client, django_user_model):
    root = django_user_model.objects.create_superuser("root", "r@example.org", "root-pass-2026")
    client.force_login(root)
    page = client.post("/en/admin/workspace/workinggroup/add/", {
        "slug": "long", "name_en": "Long", "name_fr": "Long", "description_en": TOO_LONG,
        "description_fr": ""})
    assert page.status_code == 200
    assert "Ensure this value has at most 100000 characters" in page.content.decode()
    assert not WorkingGroup.objects.filter(slug="long").exists()


def test_too_long_minutes_are_refused_not_cut(client, secretariat_user):
    """Before: minutes were silently cut at 20,000 characters."""
    from datetime import UTC, datetime

    from iocompendium.workspace import services
    from iocompendium.workspace.models import Meeting

    item = services.create_meeting(
        title_en="Synthetic meeting", title_fr="Réunion synthétique",
        kind=Meeting.Kind.TECHNICAL, starts=datetime(2030, 1, 1, 9, tzinfo=UTC),
        ends=datetime(2030, 1, 1, 17, tzinfo=UTC), time_zone="UTC", place="Online")
    client.force_login(secretariat_user)
    url = f"/fr/meetings/{item.pk}/minutes/"
    page = client.post(url, {"minutes_en": TOO_LONG}, follow=True)
    assert "la limite est de 100" in page.content.decode()
    item.refresh_from_db()
    assert item.minutes_en == ""
    client.post(url, {"minutes_en": "y" * 30_000})
    item.refresh_from_db()
    assert len(item.minutes_en) == 30_000


@pytest.mark.parametrize("path, data", [
    ("/en/meetings/{pk}/register/", {"organisation": "x1", "name": "A"}),
    ("/en/meetings/{pk}/agenda/", {"title_en": "T", "lead": "'; drop"}),
    ("/en/meetings/{pk}/actions/", {"title": "T", "due": "2020-13-45"}),
    ("/en/rounds/", {"round": "abc", "days": "1"}),
])
def test_malformed_identifiers_and_dates_are_never_a_500(client, secretariat_user, path, data):
    from datetime import UTC, datetime

    from iocompendium.workspace import services
    from iocompendium.workspace.models import Meeting

    item = services.create_meeting(
        title_en="Synthetic meeting", title_fr="Réunion synthétique",
        kind=Meeting.Kind.TECHNICAL, starts=datetime(2030, 1, 1, 9, tzinfo=UTC),
        ends=datetime(2030, 1, 1, 17, tzinfo=UTC), time_zone="UTC", place="Online")
    client.force_login(secretariat_user)
    client.raise_request_exception = False
    assert client.post(path.format(pk=item.pk), data).status_code < 500


def test_the_limit_is_longer_than_any_answer():
    assert limits.MAX_TEXT_LENGTH >= limits.MAX_ANSWER_LENGTH
