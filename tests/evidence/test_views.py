"""The dashboard and report builds: access (secretariat only), filters, background jobs."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from iocompendium.evidence.models import ReportJob
from iocompendium.registry.models import Organisation
from iocompendium.responses.models import Contributor
from tests.evidence.conftest import SLUG

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def focal_point(django_user_model, tiny):
    user = django_user_model.objects.create_user("focal", "f@example.org", "focal-pass-2026")
    Contributor.objects.create(user=user, organisation=Organisation.objects.get(acronym="A"))
    return user


def test_anonymous_visitors_are_sent_to_log_in(client, tiny):
    response = client.get("/en/evidence/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_focal_points_are_refused(client, focal_point):
    client.force_login(focal_point)
    assert client.get("/en/evidence/").status_code == 403
    assert client.post(reverse("evidence:report_build"), {"format": "json"}).status_code == 403


def test_dashboard_shows_every_theme_with_denominators(client, secretariat_user, tiny):
    client.force_login(secretariat_user)
    page = client.get("/en/evidence/", {"questionnaire": SLUG}).content.decode()
    for heading in ["Organisation", "Stakeholders", "Variety", "Which actors?", "Legal effect"]:
        assert heading in page
    assert "Answered by 3 of 4 organisations" in page
    assert "Synthetic data" in page
    # Charts load lazily, one image per chart; each is a well-formed SVG.
    sources = re.findall(r'<img loading="lazy" src="([^"]+)"', page)
    # bars: category, actors, definition, effect; cross-tabs: 2; distributions: 2 (issue 12)
    assert len(sources) == 8
    assert sum("charts/distribution.svg" in source for source in sources) == 2
    chart = client.get(next(s for s in sources if "bars.svg" in s and "actors" in s)
                       .replace("&amp;", "&"))
    assert chart["Content-Type"].startswith("image/svg+xml")
    assert b"Which actors?" in chart.content and b"&lt;A&gt;" in chart.content


def test_unknown_chart_is_not_found(client, secretariat_user, tiny):
    client.force_login(secretariat_user)
    url = reverse("evidence:chart", args=["bars"])
    assert client.get(url, {"questionnaire": SLUG, "table": "org/staff"}).status_code == 404
    assert client.get(url, {"questionnaire": SLUG, "table": "nope"}).status_code == 404


def test_dashboard_filters_by_category_and_status(client, secretariat_user, tiny):
    _version, responses = tiny
    responses["A"].status = "submitted"
    responses["A"].save()
    client.force_login(secretariat_user)
    url = "/en/evidence/"
    approved = client.get(url, {"questionnaire": SLUG, "category": "igo"}).content.decode()
    assert "1 responding organisation." in approved  # only B is an approved IGO
    everyone = client.get(url, {"questionnaire": SLUG, "category": "igo",
                                "status": "submitted"}).content.decode()
    assert "2 responding organisations." in everyone


def test_dashboard_in_french(client, secretariat_user, tiny):
    client.force_login(secretariat_user)
    page = client.get("/fr/evidence/", {"questionnaire": SLUG}).content.decode()
    assert "Quels acteurs ?" in page and "Données synthétiques" in page


def test_dashboard_follows_new_answers(client, secretariat_user, tiny):
    _version, responses = tiny
    client.force_login(secretariat_user)
    url = "/en/evidence/"
    assert "Answered by 3 of 4" in client.get(url, {"questionnaire": SLUG}).content.decode()
    responses["D"].answers.create(path="stake/actors", value="c")
    assert "Answered by 4 of 4" in client.get(url, {"questionnaire": SLUG}).content.decode()


def test_report_build_runs_as_a_task_and_downloads(client, secretariat_user, tiny, settings):
    settings.TASKS = IMMEDIATE
    client.force_login(secretariat_user)
    response = client.post(reverse("evidence:report_build"),
                           {"questionnaire": SLUG, "format": "json", "lang": "fr",
                            "status": "approved"})
    job = ReportJob.objects.get()
    assert response["Location"] == reverse("evidence:report_job", args=[job.pk])
    assert job.state == ReportJob.State.DONE and job.task_id
    download = client.get(reverse("evidence:report_download", args=[job.pk]))
    document = json.loads(b"".join(download.streaming_content))
    assert document["respondents"] == 4 and document["language"] == "fr"


def test_report_build_refuses_a_bad_format(client, secretariat_user, tiny, settings):
    settings.TASKS = IMMEDIATE
    client.force_login(secretariat_user)
    response = client.post(reverse("evidence:report_build"),
                           {"questionnaire": SLUG, "format": "docx"}, follow=True)
    assert "Unknown report format" in response.content.decode()
    assert not ReportJob.objects.exists()


def test_unknown_job_is_not_found(client, secretariat_user, db):
    client.force_login(secretariat_user)
    url = reverse("evidence:report_job", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url).status_code == 404


def test_a_queued_report_can_be_built_now_without_a_worker(client, secretariat_user, tiny,
                                                          settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(secretariat_user)
    client.post("/en/evidence/reports/", {"questionnaire": SLUG, "format": "html"})
    job = ReportJob.objects.get()
    assert job.state == ReportJob.State.QUEUED  # the dummy backend never runs it
    page = client.get(reverse("evidence:report_job", args=[job.pk])).content.decode()
    assert "Build now" in page
    client.post(reverse("evidence:report_run_now", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == ReportJob.State.DONE
    download = client.get(reverse("evidence:report_download", args=[job.pk]))
    assert b"<svg" in b"".join(download.streaming_content)
    # A second run (the worker arriving late) leaves the built report alone.
    from iocompendium.evidence.services import run_report_job
    assert run_report_job(str(job.pk)) == job.file_name


def test_dashboard_follows_status_changes(client, secretariat_user, tiny):
    _version, responses = tiny
    client.force_login(secretariat_user)
    query = {"questionnaire": SLUG}
    assert "4 responding organisations." in client.get("/en/evidence/", query).content.decode()
    responses["C"].status = "draft"
    responses["C"].save()
    assert "3 responding organisations." in client.get("/en/evidence/", query).content.decode()


def test_dashboard_links_to_the_raw_data_exports(client, secretariat_user, tiny):
    client.force_login(secretariat_user)
    page = client.get("/en/evidence/", {"questionnaire": SLUG}).content.decode()
    assert "/en/evidence/exports/long-csv/?questionnaire=tiny&amp;status=approved" in page
    export = client.get("/en/evidence/exports/long-csv/", {"questionnaire": SLUG})
    assert export.status_code == 200
    assert export.content.decode().splitlines()[0].startswith("organisation,category,status")
    assert client.get("/en/evidence/exports/nope/").status_code == 404
