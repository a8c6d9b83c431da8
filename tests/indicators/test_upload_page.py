"""Importing a framework workbook on the web, as a secretariat member who wrote it in a
spreadsheet: every problem listed with its sheet and row (nothing stored), then a new
version and its dashboard; the same file again makes none; only the secretariat."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from iocompendium.indicators.models import Framework, FrameworkVersion

from .conftest import write_framework

pytestmark = pytest.mark.django_db

SETTINGS = {"slug": "mini", "title::English (en)": "Mini", "title::Français (fr)": "Mini FR",
            "questionnaire": "io-survey", "missing": "na"}
TREE = [
    ["mini", "composite", None, "Mini", "Mini FR", None, None, None, None],
    ["practice", "category", "mini", "Practice", "Pratique", None, None, None, None],
    ["ex_ante_done", "indicator", "practice", "Ex ante", "Ex ante", 2, None, None, None],
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, path, language: str = "en"):
    url = reverse("indicators:upload").replace("/en/", f"/{language}/")
    with path.open("rb") as handle:
        data = SimpleUploadedFile(path.name, handle.read(), content_type=XLSX)
    return client.post(url, {"workbook": data})


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("sec", "sec@example.org", "pw", is_staff=True)


def test_problems_are_listed_and_nothing_is_stored(client, staff, io_survey, tmp_path):
    client.force_login(staff)
    # The question's name alone, as in the form's "name" column: the page says the path.
    rules = [["ex_ante_done", "choice", "ex_ante", "always=1", None, None, None, None, None,
              None]]
    path = write_framework(tmp_path / "mini.xlsx", TREE, rules, SETTINGS)
    reply = upload(client, path)
    assert reply.status_code == 400
    page = reply.content.decode()
    assert "The framework was not imported: 1 problem. Nothing was saved." in page
    assert "write its path with its group: &#x27;evaluation/ex_ante&#x27;" in page
    assert not Framework.objects.exists() and not FrameworkVersion.objects.exists()
    french = upload(client, path, "fr").content.decode()
    assert "Le cadre n'a pas été importé : 1 problème." in french
    # The problem's sentence too, not only the page around it.
    assert ("question : le questionnaire n&#x27;a pas de question « ex_ante » ; écrivez son "
            "chemin avec son groupe : « evaluation/ex_ante »." in french)
    assert "write its path" not in french


def test_a_workbook_imports_as_a_version_once(client, staff, io_survey, tmp_path):
    client.force_login(staff)
    index = client.get(reverse("indicators:index")).content.decode()
    assert reverse("indicators:upload") in index
    assert client.get(reverse("indicators:upload")).status_code == 200
    rules = [["ex_ante_done", "choice", "evaluation/ex_ante", "always=1", None, None, None,
              None, None, None]]
    path = write_framework(tmp_path / "mini.xlsx", TREE, rules, SETTINGS)
    reply = upload(client, path)
    assert reply.status_code == 302
    assert reply["Location"] == reverse("indicators:dashboard", args=["mini"])
    version = FrameworkVersion.objects.get(framework__slug="mini")
    assert version.number == 1 and version.created_by == staff
    assert bytes(version.file) == path.read_bytes()
    again = upload(client, path)
    assert again.status_code == 302 and FrameworkVersion.objects.count() == 1
    messages = [str(m) for m in again.wsgi_request._messages]
    assert messages == ["Imported mini as version 1.",  # not shown yet: no page followed
                        "The workbook is unchanged: mini stays at version 1."]


def test_only_an_xlsx_and_only_the_secretariat(client, staff, django_user_model, io_survey,
                                               tmp_path):
    client.force_login(staff)
    text = tmp_path / "mini.csv"
    text.write_text("name,level\n")
    reply = upload(client, text)
    assert reply.status_code == 400
    assert "Upload the framework as an .xlsx workbook." in reply.content.decode()
    other = django_user_model.objects.create_user("fp", "fp@example.org", "pw")
    client.force_login(other)
    assert client.get(reverse("indicators:upload")).status_code == 403
    path = write_framework(tmp_path / "mini.xlsx", TREE, [], SETTINGS)
    assert upload(client, path).status_code == 403
    assert not Framework.objects.exists()
