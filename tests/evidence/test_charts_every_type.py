"""Charts for the questions that are not selects (issue 12), counted in the
questionnaire's own unit: integers and decimals as a distribution, dates by month, times
by hour; a text question's answer count with a link to the quotes review. On a SYNTHETIC
form whose respondents are submissions ("households"), so every axis and column says
households, never organisations."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - our own renderer's output

import pytest
from openpyxl import Workbook

from iocompendium.analysis.charts import chart_specs, distribution_chart_spec, render_svg
from iocompendium.analysis.tables import analyse
from iocompendium.evidence import reporting, services
from iocompendium.questionnaires.services import import_questionnaire
from iocompendium.responses.models import Answer, Response

pytestmark = pytest.mark.django_db
SLUG = "households"
HOUSEHOLDS = {  # SYNTHETIC
    "hh-1": {"size": "2", "income": "150.5", "visit": "2024-01-05", "start_time": "09:10",
             "comment": "Water is short"},
    "hh-2": {"size": "5", "income": "420", "visit": "2024-01-20", "start_time": "09:45"},
    "hh-3": {"size": "5", "income": "80", "visit": "2024-03-02", "start_time": "14:00",
             "comment": "No comment"},
}


def _form(path):
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    for row in (["type", "name", "label::English (en)", "label::French (fr)"],
                ["integer", "size", "Household size", "Taille du ménage"],
                ["decimal", "income", "Income", "Revenu"],
                ["date", "visit", "Visit date", "Date de visite"],
                ["time", "start_time", "Start time", "Heure de début"],
                ["text", "comment", "Comment", "Commentaire"]):
        survey.append(row)
    settings_sheet = workbook.create_sheet("settings")
    settings_sheet.append(["form_id", "respondent_unit", "respondent_unit_label::English (en)",
                           "respondent_unit_label::French (fr)"])
    settings_sheet.append(["households", "submission", "households", "ménages"])
    workbook.save(path)
    return path


@pytest.fixture
def households(tmp_path):
    version, _ = import_questionnaire(_form(tmp_path / "form.xlsx"), SLUG, publish=True)
    for key, answers in HOUSEHOLDS.items():
        response = Response.objects.create(version=version, unit_key=key, status="approved",
                                           synthetic=True)
        Answer.objects.bulk_create([Answer(response=response, path=p, value=v)
                                    for p, v in answers.items()])
    return version


def _tables(version):
    analysis = analyse(version.structure, _answers(version), lang="en")
    return {table.key: table for table in analysis.tables}


def _answers(version):
    from iocompendium.evidence.selectors import evidence_data

    return evidence_data(SLUG, "approved", None).answers


def test_distribution_specs_follow_the_answers(households):
    tables = _tables(households)
    texts = reporting.chart_texts("households")
    size = distribution_chart_spec(tables["size"], texts)
    assert [(v["label"], v["count"]) for v in size["data"]["values"]] == [("2", 1), ("5", 2)]
    visit = distribution_chart_spec(tables["visit"], texts)
    assert [(v["label"], v["count"]) for v in visit["data"]["values"]] == [
        ("2024-01", 2), ("2024-03", 1)]
    hours = distribution_chart_spec(tables["start_time"], texts)
    assert [(v["label"], v["count"]) for v in hours["data"]["values"]] == [
        ("09:00", 2), ("14:00", 1)]
    assert size["layer"][0]["encoding"]["y"]["title"] == "Households"
    for key in ("size", "income", "visit", "start_time"):
        assert set(chart_specs(tables[key], texts, {})) == {"distribution"}, key
        ET.fromstring(render_svg(chart_specs(tables[key], texts, {})["distribution"]))  # noqa: S314
    assert chart_specs(tables["comment"], texts, {}) == {}


def test_dashboard_draws_distributions_in_the_unit_and_links_text_to_the_review(
        client, secretariat_user, households):
    client.force_login(secretariat_user)
    page = client.get(f"/en/evidence/?questionnaire={SLUG}").content.decode()
    charts = set(re.findall(r'charts/distribution\.svg\?[^"]*table=(\w+)', page))
    assert charts == {"size", "income", "visit", "start_time"}
    assert f"/en/evidence/quotes/?questionnaire={SLUG}#q-comment" in page
    assert "Review the 2 answers and mark what may be quoted" in page
    svg = client.get(f"/en/evidence/charts/distribution.svg?questionnaire={SLUG}"
                     "&status=approved&category=&table=visit")
    assert svg.status_code == 200 and svg["Content-Type"].startswith("image/svg+xml")
    assert "Households" in svg.content.decode() and "Organisations" not in svg.content.decode()
    french = client.get(f"/fr/evidence/charts/distribution.svg?questionnaire={SLUG}"
                        "&status=approved&category=&table=size").content.decode()
    assert "Ménages" in french


def test_report_embeds_the_distributions(households):
    _name, content = services.build_report(SLUG, lang="en", fmt="html")
    html = content.decode()
    for key in ("size", "income", "visit", "start_time", "comment"):
        start = html.index(f'id="t-{key}"')
        end = html.find('<div class="evidence-table"', start)
        block = html[start:end if end > 0 else None]
        assert ("<svg" in block) == (key != "comment"), key
        assert "Households" in block or key == "comment", key
    visit = html[html.index('id="t-visit"'):]
    assert re.search(r"<th scope=\"row\">2024-01</th><td class=\"num\">2</td>", visit)
    assert "[{" not in html  # no distribution written as a raw list
