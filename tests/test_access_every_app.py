"""Who may open what, over every URL of the apps other than ``responses`` (which has its
own, finer matrix in ``test_authorization_matrix.py``).

Each URL is public, for anyone signed in (their own notifications, profile...), or for
the secretariat. A secretariat page must send an anonymous
visitor to the log-in page and refuse a focal point (403, or 404 where the page hides
that it exists; 405 for a method the page never takes); a page must never fail with a
server error for any role. A new URL without an entry in ``ACCESS`` fails
``test_every_url_has_an_access_rule``. The data is SYNTHETIC (tests/responses/conftest.py).
"""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from iocompendium.evidence.models import ReportJob
from tests.responses.conftest import PASSWORD, make_contributor, make_organisation, make_version

pytestmark = pytest.mark.django_db

PUBLIC, SECRETARIAT, SIGNED_IN = "public", "secretariat", "signed in"
JOB_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")

# url name -> (who, kwargs). Ids of objects that may not exist are fine: a page for the
# secretariat must refuse others before it looks anything up.
ACCESS: dict[str, tuple[str, dict]] = {
    "web:home": (PUBLIC, {}),
    "web:login": (PUBLIC, {}),
    "web:logout": (PUBLIC, {}),
    "web:password_change": (SIGNED_IN, {}),
    "web:password_change_done": (SIGNED_IN, {}),
    "web:password_reset": (PUBLIC, {}),
    "web:password_reset_done": (PUBLIC, {}),
    "web:password_reset_confirm": (PUBLIC, {"uidb64": "MQ", "token": "no-such-token"}),
    "web:password_reset_complete": (PUBLIC, {}),
    "registry:organisation_list": (PUBLIC, {}),
    "registry:organisation_detail": (PUBLIC, {"acronym": "SYN-A"}),
    "questionnaires:index": (SECRETARIAT, {}),
    "questionnaires:upload": (SECRETARIAT, {}),
    "questionnaires:version": (SECRETARIAT, {"slug": "synthetic-small", "number": 1}),
    "questionnaires:publish": (SECRETARIAT, {"slug": "synthetic-small", "number": 1}),
    "questionnaires:unit": (SECRETARIAT, {"slug": "synthetic-small", "number": 1}),
    "questionnaires:download": (SECRETARIAT, {"slug": "synthetic-small", "number": 1}),
    "evidence:index": (SECRETARIAT, {}),
    "evidence:chart": (SECRETARIAT, {"kind": "bars"}),
    "evidence:report_build": (SECRETARIAT, {}),
    "evidence:report_job": (SECRETARIAT, {"job_id": JOB_ID}),
    "evidence:report_run_now": (SECRETARIAT, {"job_id": JOB_ID}),
    "evidence:report_download": (SECRETARIAT, {"job_id": JOB_ID}),
    "evidence:export_download": (SECRETARIAT, {"fmt": "long-csv"}),
    "evidence:quotes": (SECRETARIAT, {}),
    "evidence:quote_mark": (SECRETARIAT, {}),
    "instruments:index": (PUBLIC, {}),
    "instruments:search": (PUBLIC, {}),
    "instruments:search_json": (PUBLIC, {}),
    "instruments:families": (PUBLIC, {}),
    "instruments:family": (PUBLIC, {"number": 1}),
    "instruments:family_methods": (PUBLIC, {}),
    "instruments:family_recompute": (SECRETARIAT, {}),
    "instruments:family_review": (SECRETARIAT, {}),
    "instruments:family_curation": (SECRETARIAT, {}),
    "instruments:family_weights": (SECRETARIAT, {}),
    "instruments:family_rename": (SECRETARIAT, {"number": 1}),
    "instruments:family_merge": (SECRETARIAT, {"number": 1}),
    "instruments:family_split": (SECRETARIAT, {"number": 1}),
    "instruments:pin": (SECRETARIAT, {"pk": 1}),
    "instruments:types": (SECRETARIAT, {}),
    "instruments:type_edit": (SECRETARIAT, {}),
    "instruments:detail": (PUBLIC, {"pk": 1}),
    "compendium:index": (PUBLIC, {}),
    "compendium:theme": (PUBLIC, {"slug": "stakeholders"}),
    "compendium:practice": (PUBLIC, {"identifier": "no-such-practice"}),
    "compendium:organisations": (PUBLIC, {}),
    "compendium:organisation": (PUBLIC, {"slug": "syn-a"}),
    "compendium:families": (PUBLIC, {}),
    "compendium:search": (PUBLIC, {}),
    "compendium:curate": (SECRETARIAT, {}),
    "compendium:edit": (SECRETARIAT, {"pk": 1}),
    "compendium:status": (SECRETARIAT, {"pk": 1}),
    "compendium:principles": (SECRETARIAT, {}),
    "search:index": (PUBLIC, {}),
    "search:similar": (PUBLIC, {"kind": "practice", "key": "no-such-practice"}),
    "notifications:index": (SIGNED_IN, {}),
    "notifications:mark_read": (SIGNED_IN, {}),
    "notifications:preferences": (SIGNED_IN, {}),
    "notifications:unsubscribe": (PUBLIC, {"token": "not-a-signed-token"}),
    "notifications:outbox": (SECRETARIAT, {}),
    "notifications:outbox_retry": (SECRETARIAT, {"pk": 1}),
    "workspace:meetings": (PUBLIC, {}),
    "workspace:meeting_create": (SECRETARIAT, {}),
    "workspace:meeting": (PUBLIC, {"pk": 1}),
    "workspace:meeting_ics": (PUBLIC, {"pk": 1}),
    "workspace:meeting_register": (SIGNED_IN, {"pk": 1}),
    "workspace:meeting_agenda": (SECRETARIAT, {"pk": 1}),
    "workspace:meeting_minutes": (SECRETARIAT, {"pk": 1}),
    "workspace:meeting_action": (SECRETARIAT, {"pk": 1}),
    "workspace:action_status": (SIGNED_IN, {"pk": 1}),
    "workspace:documents": (PUBLIC, {}),
    "workspace:document": (PUBLIC, {"pk": 1}),
    "workspace:document_download": (PUBLIC, {"pk": 1, "number": 1}),
    "workspace:working_groups": (PUBLIC, {}),
    "workspace:working_group": (PUBLIC, {"slug": "no-such-group"}),
    "workspace:timeline": (PUBLIC, {}),
    "workspace:people": (SECRETARIAT, {}),
    "workspace:profile": (SIGNED_IN, {}),
    "workspace:calendar_feed": (PUBLIC, {"token": "not-a-signed-token"}),
    "workspace:rounds": (SECRETARIAT, {}),
    "workspace:round_detail": (SECRETARIAT, {"pk": 1}),
    "workspace:round_open": (SECRETARIAT, {"pk": 1}),
    "workspace:round_compare": (SECRETARIAT, {"pk": 1}),
    "workspace:carried": (SIGNED_IN, {"response_id": 1}),
    # Coding: the secretariat and coders (never a focal point: they would read other
    # organisations' text); a coder's own access is tested in tests/coding/test_views.py.
    "coding:index": (SECRETARIAT, {}),
    "coding:grant": (SECRETARIAT, {}),
    "coding:codebook": (SECRETARIAT, {"slug": "no-such-book"}),
    "coding:code_new": (SECRETARIAT, {"slug": "no-such-book"}),
    "coding:code_edit": (SECRETARIAT, {"slug": "no-such-book", "pk": 1}),
    "coding:code": (SECRETARIAT, {"slug": "no-such-book"}),
    "coding:apply": (SECRETARIAT, {"slug": "no-such-book"}),
    "coding:assign": (SECRETARIAT, {"slug": "no-such-book"}),
    "coding:segment_remove": (SECRETARIAT, {"slug": "no-such-book"}),
    "coding:segment_memo": (SECRETARIAT, {"slug": "no-such-book"}),
    "coding:agreement": (SECRETARIAT, {"slug": "no-such-book"}),
    "coding:reconcile": (SECRETARIAT, {"slug": "no-such-book"}),
    "coding:flagged": (SECRETARIAT, {"slug": "no-such-book"}),
    "coding:suggest": (SECRETARIAT, {"slug": "no-such-book"}),
    "coding:decide": (SECRETARIAT, {"slug": "no-such-book"}),
    "coding:download": (SECRETARIAT, {"slug": "no-such-book", "fmt": "qdpx"}),
    "coding:import": (SECRETARIAT, {"slug": "no-such-book"}),
    # Indicators: the dashboard, the editor and its preview show every organisation's
    # scores: the secretariat's. The index and a unit's page are for anyone signed in: a
    # focal point sees only its own organisation's unit (tests/indicators/test_pages.py
    # and the matrix below check another organisation's unit is a 404).
    "indicators:index": (SIGNED_IN, {}),
    "indicators:upload": (SECRETARIAT, {}),
    "indicators:dashboard": (SECRETARIAT, {"slug": "no-such-framework"}),
    "indicators:unit": (SIGNED_IN, {"slug": "no-such-framework", "unit": "SYN-A"}),
    "indicators:edit": (SECRETARIAT, {"slug": "no-such-framework"}),
    "indicators:preview": (SECRETARIAT, {"slug": "no-such-framework"}),
}
ROLES = ["anonymous", "focal_point", "secretariat"]


def url_names() -> set[str]:
    """Every named URL of the project outside ``responses`` and the Django admin."""
    names: set[str] = set()

    def walk(patterns, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace or namespace
                if inner in {"admin", "responses"}:
                    continue
                walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                names.add(f"{namespace}:{entry.name}" if namespace else entry.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_has_an_access_rule():
    missing = sorted(url_names() - set(ACCESS))
    assert not missing, f"URLs without an access rule in this test: {missing}"


@pytest.fixture
def users(django_user_model):
    make_version()
    organisation = make_organisation("SYN-A")
    focal = make_contributor(django_user_model, "focal", organisation)
    staff = django_user_model.objects.create_user("analyst", "s@example.org", PASSWORD,
                                                  is_staff=True)
    ReportJob.objects.create(pk=JOB_ID, questionnaire="io-survey", lang="en", fmt="json",
                             status_key="approved")
    return {"anonymous": None, "focal_point": focal, "secretariat": staff}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(n for n in ACCESS if n != "web:logout"))
def test_access(client, users, name, role, method):
    who, kwargs = ACCESS[name]
    if users[role] is not None:
        client.force_login(users[role])
    url = reverse(name, kwargs=kwargs)
    reply = getattr(client, method)(url)
    assert reply.status_code < 500, f"{method.upper()} {url} as {role}: server error"
    if who == PUBLIC or role == "secretariat" or (who == SIGNED_IN and role != "anonymous"):
        assert reply.status_code not in (401, 403), f"{url} refused {role}"
        return
    if reply.status_code == 405:  # the method is refused before anyone is served
        return
    if role == "anonymous":
        assert reply.status_code in (302, 404), f"{url} served an anonymous visitor"
        if reply.status_code == 302:
            assert reverse("web:login") in reply["Location"]
    else:
        assert reply.status_code in (403, 404), f"{url} served a focal point"


# --- the Django admin: the secretariat's; nobody else gets past its log-in ---------------


def admin_urls() -> list[str]:
    """The admin's index, and the list and add page of every model it registers."""
    from django.contrib import admin

    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        urls += [reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
                 reverse(f"admin:{meta.app_label}_{meta.model_name}_add")]
    return urls


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("role", [*ROLES, "superuser"])
def test_admin_access(client, users, django_user_model, role, lang):
    from django.utils import translation

    users["superuser"] = django_user_model.objects.create_superuser(
        "root", "root@example.org", PASSWORD)
    if users[role] is not None:
        client.force_login(users[role])
    with translation.override(lang):
        urls = admin_urls()
    assert len(urls) > 5
    outsider = role in ("anonymous", "focal_point")
    for url in urls:
        for method in ("get", "post") if outsider else ("get",):
            reply = getattr(client, method)(url)
            assert reply.status_code < 500, f"{method.upper()} {url} as {role}: server error"
            if outsider:
                assert reply.status_code == 302, f"{url} served {role}"
                assert "/admin/login/" in reply["Location"]
            elif role == "superuser":
                # Some models are read-only in the admin: their add page is refused.
                assert reply.status_code == 200 or url.endswith("/add/"), url
            else:  # staff without model permissions: the index, model pages refused
                assert reply.status_code in (200, 403), url
