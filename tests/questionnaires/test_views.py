"""The secretariat's questionnaire pages: permissions, upload, preview in both languages,
publishing and download."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from iocompendium.questionnaires.models import Questionnaire, QuestionnaireVersion
from iocompendium.questionnaires.services import import_questionnaire
from iocompendium.questionnaires.xlsform import read_xlsform

pytestmark = pytest.mark.django_db

IO_SURVEY = Path(__file__).resolve().parents[2] / "src" / "iocompendium" / "data" / "io_survey.xlsx"


def url(name: str, lang: str = "en", **kwargs) -> str:
    with translation.override(lang):
        return reverse(f"questionnaires:{name}", kwargs=kwargs)


@pytest.fixture
def secretariat(client, secretariat_user) -> Client:
    client.force_login(secretariat_user)
    return client


@pytest.fixture
def focal_point(client, django_user_model) -> Client:
    from iocompendium.registry.models import Organisation
    from iocompendium.responses.models import Contributor

    organisation = Organisation.objects.create(acronym="SYN-A", name_en="Synthetic A",
                                               category="igo")
    user = django_user_model.objects.create_user("focal", "f@example.org", "pass-2026-focal")
    Contributor.objects.create(user=user, organisation=organisation)
    client.force_login(user)
    return client


def upload(client: Client, name: str, content: bytes, **fields):
    data = {"xlsform": SimpleUploadedFile(name, content), **fields}
    return client.post(url("upload"), data)


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_anonymous_is_sent_to_log_in(client):
    import_questionnaire(IO_SURVEY, "io-survey")
    for target in (url("index"), url("version", slug="io-survey", number=1),
                   url("download", slug="io-survey", number=1)):
        response = client.get(target)
        assert response.status_code == 302 and "login" in response["Location"]
    assert client.post(url("upload")).status_code == 302


def test_focal_point_is_refused(focal_point):
    import_questionnaire(IO_SURVEY, "io-survey")
    assert focal_point.get(url("index")).status_code == 403
    assert focal_point.get(url("version", slug="io-survey", number=1)).status_code == 403
    assert focal_point.post(url("publish", slug="io-survey", number=1)).status_code == 403
    response = upload(focal_point, "io_survey.xlsx", IO_SURVEY.read_bytes())
    assert response.status_code == 403
    assert QuestionnaireVersion.objects.get().published_at is None


def test_list_shows_versions(secretariat):
    import_questionnaire(IO_SURVEY, "io-survey")
    page = secretariat.get(url("index")).content.decode()
    assert "io-survey" in page and url("version", slug="io-survey", number=1) in page


def test_upload_creates_a_version_then_reports_unchanged(secretariat):
    response = upload(secretariat, "io_survey.xlsx", IO_SURVEY.read_bytes())
    assert response.status_code == 302
    assert response["Location"] == url("version", slug="io-survey", number=1)
    version = QuestionnaireVersion.objects.get()
    assert version.xlsform_name == "io_survey.xlsx"
    again = upload(secretariat, "io_survey.xlsx", IO_SURVEY.read_bytes())
    assert again.status_code == 302 and QuestionnaireVersion.objects.count() == 1


def test_upload_errors_are_shown_row_by_row_and_nothing_is_saved(secretariat):
    content = xlsx_bytes([["type", "name", "label", "relevant", "calculation"],
                          ["text", "a", "A"],
                          ["text", "b", "B", "${a} = = 1"],
                          ["calculate", "c", "", "", "${a} +"]])
    response = upload(secretariat, "broken.xlsx", content)
    assert response.status_code == 400
    page = response.content.decode()
    assert "2 problems" in page
    assert "<td>3</td>" in page and "<td>relevant</td>" in page
    assert "<td>4</td>" in page and "<td>calculation</td>" in page
    assert Questionnaire.objects.count() == 0


def test_upload_of_a_non_spreadsheet_and_of_a_too_large_file(secretariat, settings):
    response = upload(secretariat, "notes.txt", b"hello")
    assert response.status_code == 400 and b".xlsx" in response.content
    settings.IOCOMPENDIUM_MAX_UPLOAD_BYTES = 1000
    response = upload(secretariat, "io_survey.xlsx", IO_SURVEY.read_bytes())
    assert response.status_code == 400 and b"too large" in response.content
    assert Questionnaire.objects.count() == 0


def test_upload_with_a_bad_slug(secretariat):
    response = upload(secretariat, "io_survey.xlsx", IO_SURVEY.read_bytes(), slug="bad slug")
    assert response.status_code == 400 and Questionnaire.objects.count() == 0


def test_upload_needs_csrf(secretariat_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretariat_user)
    response = upload(client, "io_survey.xlsx", IO_SURVEY.read_bytes())
    assert response.status_code == 403 and Questionnaire.objects.count() == 0


def test_preview_shows_both_languages_side_by_side(secretariat):
    version, _ = import_questionnaire(IO_SURVEY, "io-survey")
    structure = read_xlsform(IO_SURVEY)
    organisation = structure["children"][0]
    category = next(n for n in organisation["children"] if n["name"] == "category")
    for lang in ("en", "fr"):
        page = secretariat.get(url("version", lang, slug="io-survey", number=1)).content.decode()
        for text in (category["label"]["en"], category["label"]["fr"]):
            assert text.replace("'", "&#x27;") in page
        assert "organisation/category" in page
    french = secretariat.get(url("version", "fr", slug="io-survey", number=1)).content.decode()
    assert "Aperçu" in french and "Télécharger le XLSForm" in french
    english = secretariat.get(url("version", "en", slug="io-survey", number=1)).content.decode()
    assert "Preview" in english and "Download the XLSForm" in english
    # Expressions are shown as text.
    assert "selected(${coordination_guidelines}" not in english  # not an expression of it
    assert "${coordination_guidelines} = &#x27;yes&#x27;" in english


def test_preview_escapes_form_text(secretariat, tmp_path):
    path = tmp_path / "evil.xlsx"
    path.write_bytes(xlsx_bytes([["type", "name", "label", "relevant"],
                                 ["text", "a", "<script>alert(1)</script>"],
                                 ["text", "b", "<b>B</b>", "${a} != '<i>'"]]))
    import_questionnaire(path, "evil")
    page = secretariat.get(url("version", slug="evil", number=1)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>B</b>" not in page and "<i>" not in page


def test_publish_and_download(secretariat, tmp_path):
    import_questionnaire(IO_SURVEY, "io-survey")
    response = secretariat.post(url("publish", slug="io-survey", number=1))
    assert response.status_code == 302
    assert QuestionnaireVersion.objects.get().published_at is not None
    assert secretariat.get(url("publish", slug="io-survey", number=1)).status_code == 405
    download = secretariat.get(url("download", slug="io-survey", number=1))
    assert download.status_code == 200
    assert "io-survey-v1.xlsx" in download["Content-Disposition"]
    (tmp_path / "download.xlsx").write_bytes(download.content)
    assert read_xlsform(tmp_path / "download.xlsx") == QuestionnaireVersion.objects.get().structure


def test_unknown_version_is_404(secretariat):
    import_questionnaire(IO_SURVEY, "io-survey")
    assert secretariat.get(url("version", slug="io-survey", number=7)).status_code == 404
    assert secretariat.get(url("version", slug="nothing", number=1)).status_code == 404
    assert secretariat.post(url("publish", slug="nothing", number=1)).status_code == 404


def test_download_of_the_original_file(secretariat):
    import_questionnaire(IO_SURVEY, "io-survey")
    response = secretariat.get(url("download", slug="io-survey", number=1) + "?original=1")
    assert response.status_code == 200
    assert response.content == IO_SURVEY.read_bytes()
    assert 'filename="io_survey.xlsx"' in response["Content-Disposition"]
