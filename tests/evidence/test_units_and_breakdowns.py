"""Tables, charts, sentences and the XLSX report name the respondent unit in the user's
language; cross-tabs break down by the unit's own attributes or by a select_one question
the user picks, on the dashboard and with ``report --by``. All data here is SYNTHETIC."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from iocompendium.evidence import reporting, selectors, services
from iocompendium.questionnaires.services import import_questionnaire
from iocompendium.registry.models import Jurisdiction
from iocompendium.responses.importing import import_responses

pytestmark = pytest.mark.django_db

ROWS = "_uuid,ok,area\nu1,yes,urban\nu2,yes,rural\nu3,no,urban\nu4,yes,urban\n"


def tiny_form(path, unit: str, labels: tuple[str, str] = ("", "")):
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::English (en)", "label::French (fr)"])
    survey.append(["select_one yn", "ok", "OK?", "D'accord ?"])
    survey.append(["select_one area", "area", "Area", "Milieu"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)", "label::French (fr)"])
    for row in (["yn", "yes", "Yes", "Oui"], ["yn", "no", "No", "Non"],
                ["area", "urban", "Urban", "Urbain"], ["area", "rural", "Rural", "Rural"]):
        choices.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_id", "respondent_unit", "respondent_unit_label::English (en)",
                     "respondent_unit_label::French (fr)"])
    settings.append(["tiny", unit, *labels])
    book.save(path)
    return path


@pytest.fixture
def households(tmp_path):
    import_questionnaire(tiny_form(tmp_path / "f.xlsx", "submission", ("households", "ménages")),
                         "tiny", publish=True)
    data = tmp_path / "data.csv"
    data.write_text(ROWS, encoding="utf-8")
    assert import_responses("tiny", data, status="approved").applied
    return "tiny"


def xlsx_cells(data: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [[c for c in row if c is not None] for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("lang, units, title, sentence", [
    ("en", "households", "Households", "3 of 4 households"),
    ("fr", "ménages", "Ménages", "3 ménages sur 4"),
])
def test_the_xlsx_report_and_the_charts_name_the_unit(households, lang, units, title, sentence):
    _name, data = services.build_report(households, lang=lang, fmt="xlsx")
    cells = xlsx_cells(data)
    assert any(row[:3] == [row[0], 4, units] for row in cells if row)  # respondents: 4 units
    assert any(title in row for row in cells)  # the options' unit column
    svg = services.chart_svg(households, "approved", lang, "", "ok", "bars")
    assert title in svg
    content = services.content_for(households, "approved", lang, with_charts=False)
    sentences = [view.headline for theme in content.themes for view in theme.tables]
    assert any(sentence in headline for headline in sentences), sentences


def test_report_by_a_select_one_question(households, tmp_path):
    output = tmp_path / "r.json"
    call_command("report", "--questionnaire", households, "--by", "question:area",
                 "-o", str(output), stdout=io.StringIO())
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["breakdown"] == "question:area"
    crosstab = document["tables"]["ok"]["crosstab"]
    # Independent count of ROWS: urban yes 2 (u1, u4), urban no 1 (u3), rural yes 1 (u2).
    assert crosstab["answered"] == {"urban": 3, "rural": 1}
    assert crosstab["options"]["yes"] == {"urban": 2, "rural": 1}
    assert crosstab["options"]["no"] == {"urban": 1}
    _name, data = services.build_report(households, lang="fr", fmt="xlsx",
                                        breakdown="question:area")
    cells = xlsx_cells(data)
    assert any(row[:1] == ["Par Milieu"] and "Urbain" in row for row in cells), cells


def test_report_refuses_an_unknown_breakdown(households, tmp_path):
    with pytest.raises(CommandError, match="not a breakdown"):
        call_command("report", "--questionnaire", households, "--by", "question:nope",
                     "-o", str(tmp_path / "r.json"), stdout=io.StringIO())


def test_the_dashboard_offers_and_applies_the_breakdowns(households, client, secretariat_user):
    client.force_login(secretariat_user)
    page = client.get(reverse("evidence:index"), {"questionnaire": households})
    text = page.content.decode()
    assert 'value="question:area"' in text and 'value="question:ok"' in text
    page = client.get(reverse("evidence:index"),
                      {"questionnaire": households, "by": "question:area"})
    text = page.content.decode()
    assert "By Area" in text and "by=question%3Aarea" in text
    chart = client.get(reverse("evidence:chart", args=["crosstab"]),
                       {"questionnaire": households, "by": "question:area", "table": "ok"})
    assert chart.status_code in {200, 404}  # single-choice tables draw no cross-tab chart
    ignored = client.get(reverse("evidence:index"),
                         {"questionnaire": households, "by": "nonsense"})
    assert ignored.status_code == 200 and "By nonsense" not in ignored.content.decode()


def test_jurisdictions_break_down_by_region_and_oecd_membership(tmp_path):
    Jurisdiction.objects.create(code="SYA", name_en="Synthetica", region="Northern Europe",
                                oecd_member=True)
    Jurisdiction.objects.create(code="SYB", name_en="Fictonia", region="Western Africa",
                                oecd_member=False)
    import_questionnaire(tiny_form(tmp_path / "f.xlsx", "jurisdiction"), "tiny", publish=True)
    data = tmp_path / "data.csv"
    data.write_text("country,ok,area\nSYA,yes,urban\nSYB,no,rural\n", encoding="utf-8")
    assert import_responses("tiny", data, status="approved", respondent_column="country").applied
    choices = dict(selectors.breakdown_choices("tiny", "en"))
    assert {"region", "oecd", "question:area"} <= set(choices)
    with translation.override("en"):
        by_oecd = reporting.json_document(services.content_for(
            "tiny", "approved", "en", with_charts=False, breakdown="oecd"))
        by_region = reporting.json_document(services.content_for(
            "tiny", "approved", "en", with_charts=False, breakdown="region"))
    assert by_oecd["tables"]["ok"]["crosstab"]["options"] == {
        "yes": {"oecd": 1}, "no": {"non_oecd": 1}}
    assert by_region["tables"]["ok"]["crosstab"]["options"] == {
        "yes": {"Northern Europe": 1}, "no": {"Western Africa": 1}}


def test_a_report_built_from_the_dashboard_keeps_its_breakdown(
        households, client, secretariat_user, settings):
    from iocompendium.evidence.models import ReportJob

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(secretariat_user)
    page = client.get(reverse("evidence:index"),
                      {"questionnaire": households, "by": "question:area"}).content.decode()
    assert 'name="by" value="question:area"' in page  # the build form carries the choice
    for by, expected in (("question:area", "question:area"), ("nonsense", "")):
        client.post(reverse("evidence:report_build"),
                    {"questionnaire": households, "format": "json", "lang": "en",
                     "status": "approved", "by": by})
        job = ReportJob.objects.latest("created_at")
        assert job.breakdown == expected and job.state == ReportJob.State.DONE, job.error
        download = client.get(reverse("evidence:report_download", args=[job.pk]))
        document = json.loads(b"".join(download.streaming_content))
        # An unknown choice falls back to the default breakdown, never to the area.
        assert (document["breakdown"] == "question:area") == bool(expected)
        if expected:
            assert document["tables"]["ok"]["crosstab"]["answered"] == {"urban": 3, "rural": 1}
