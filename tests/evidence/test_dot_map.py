"""A geopoint question's dot map (issue 12): drawn on the low-resolution world outline the
``countryinfo`` package ships (no request to the internet), in the secretariat's
dashboard and report, in English and French; never in the public site, where a geopoint
is personal data. SYNTHETIC form and answers."""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET  # noqa: S405 - our own renderer's output

import pytest
from openpyxl import Workbook

from iocompendium.analysis.charts import (
    ChartTexts,
    chart_specs,
    dot_map_spec,
    map_points,
    render_svg,
    world_outline,
)
from iocompendium.analysis.tables import Table
from iocompendium.evidence import services
from iocompendium.questionnaires.services import import_questionnaire
from iocompendium.responses.models import Answer, Response

SLUG = "visits"
POINTS = {"hh-1": "33.8938 35.5018 0 5", "hh-2": "33.8941 35.5022", "hh-3": "48.8566 2.3522",
          "hh-4": "not a point"}


def _table(points: list[tuple[float, float]], label: str = "Where") -> Table:
    return Table(key="where", name="where", type="geopoint", kind="geo", label=label,
                 theme="", denominator=len(points), answered=len(points),
                 summary={"n": len(points), "points": points})


def test_points_are_rounded_and_counted() -> None:
    places = map_points([(33.8938, 35.5018), (33.8941, 35.5022), (48.8566, 2.3522)])
    assert places == [{"lat": 33.9, "lon": 35.5, "count": 2},
                      {"lat": 48.9, "lon": 2.4, "count": 1}]


def test_the_map_is_drawn_offline_with_the_outline_and_an_escaped_title(monkeypatch) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("the map must not reach the internet")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert len(world_outline()) > 150  # every country of the low-resolution outline
    table = _table([(33.89, 35.5), (48.86, 2.35)], label='<script>alert("x")</script> & co')
    spec = chart_specs(table, ChartTexts(points="Réponses"), {})["map"]
    svg = render_svg(spec)
    ET.fromstring(svg)  # noqa: S314 - well-formed
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count("<path") > 150  # the countries' outlines
    assert "Réponses" in svg
    assert chart_specs(_table([]), ChartTexts(), {}) == {}  # no point, no map


def test_a_map_of_one_place_keeps_its_surroundings() -> None:
    frame = dot_map_spec(_table([(33.89, 35.5)]), ChartTexts())["projection"]["fit"]
    (west, south), (east, north) = frame["geometry"]["coordinates"]
    assert east - west >= 30 and north - south >= 15


def _form(path):
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    for row in (["type", "name", "label::English (en)", "label::French (fr)"],
                ["geopoint", "where", "Where is the household?", "Où est le ménage ?"],
                ["integer", "size", "Household size", "Taille du ménage"]):
        survey.append(row)
    settings_sheet = workbook.create_sheet("settings")
    settings_sheet.append(["form_id", "respondent_unit", "respondent_unit_label::English (en)",
                           "respondent_unit_label::French (fr)"])
    settings_sheet.append(["visits", "submission", "households", "ménages"])
    workbook.save(path)
    return path


@pytest.fixture
def visits(db, tmp_path):
    version, _ = import_questionnaire(_form(tmp_path / "form.xlsx"), SLUG, publish=True)
    for key, point in POINTS.items():
        response = Response.objects.create(version=version, unit_key=key, status="approved",
                                           synthetic=True)
        Answer.objects.bulk_create([Answer(response=response, path="where", value=point),
                                    Answer(response=response, path="size", value="3")])
    return version


@pytest.mark.parametrize("lang, caption", [
    ("en", "Each dot is a place answered"), ("fr", "Chaque point est un lieu répondu")])
def test_report_and_dashboard_show_the_map(client, secretariat_user, visits, lang, caption):
    _name, content = services.build_report(SLUG, lang=lang, fmt="html")
    html = content.decode()
    block = html[html.index('id="t-where"'):]
    block = block[:block.find('<div class="evidence-table"', 10)]
    assert caption in block and block.count("<circle") + block.count("<path") > 150
    client.force_login(secretariat_user)
    page = client.get(f"/{lang}/evidence/?questionnaire={SLUG}").content.decode()
    assert re.search(r'charts/map\.svg\?[^"]*table=where', page) and caption in page
    svg = client.get(f"/{lang}/evidence/charts/map.svg?questionnaire={SLUG}"
                     "&status=approved&category=&table=where")
    assert svg.status_code == 200 and svg["Content-Type"].startswith("image/svg+xml")


def test_the_public_site_shows_no_map_and_names_the_unit(visits, tmp_path):
    """Also: the data package counts in the questionnaire's unit, in both languages."""
    import csv

    from django.core.management import call_command

    call_command("publish", "-o", str(tmp_path / "site"), "--questionnaire", SLUG, "--no-pdf")
    pages = "".join(path.read_text(encoding="utf-8")
                    for path in (tmp_path / "site").rglob("*.html"))
    coverage = (tmp_path / "site" / "data" / "coverage.csv").read_text(encoding="utf-8")
    assert re.search(r"^where,geopoint,excluded,personal data", coverage, re.MULTILINE)
    assert "Each dot is a place answered" not in pages
    assert "Chaque point est un lieu répondu" not in pages
    with (tmp_path / "site" / "data" / "question_tables.csv").open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["question"] == "size"]
    assert rows and {(row["unit"], row["unit_fr"]) for row in rows} == {("households", "ménages")}
    package = (tmp_path / "site" / "data" / "datapackage.json").read_text(encoding="utf-8")
    assert '"unit_fr"' in package
