"""The frameworks in the results report (HTML, XLSX, JSON) and in the published
compendium (a methods page per framework, data-package resources with their schema), on
SYNTHETIC data (tests/indicators/presentation_fixtures.py)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from iocompendium.evidence import services as evidence
from tests.indicators.presentation_fixtures import SLUG, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return build("approved")


def test_json_report_has_the_framework_scores(scored):
    document = json.loads(evidence.build_report("synthetic-small", fmt="json")[1])
    (entry,) = document["frameworks"]
    assert entry["framework"] == SLUG and entry["version"] == 1
    scores = {unit["unit"]: unit["score"] for unit in entry["units"]}
    assert scores == {"SYN-A": pytest.approx(1.5), "SYN-B": pytest.approx(1.0),
                      "SYN-C": pytest.approx(0.2)}
    assert entry["units"][0]["median_rank"] is not None
    assert entry["comparable"] == [{"indicator": "has_instruments", "mirrors": "2_SYN_P"}]
    assert entry["countries"] == [] and entry["attribution"] == ""
    assert entry["construction"]["scale"] == 2.0


def test_html_and_xlsx_reports_in_both_languages(scored):
    html = evidence.build_report("synthetic-small", fmt="html")[1].decode()
    assert 'id="indicators-synthetic-presentation"' in html and "<svg" in html
    french = evidence.build_report("synthetic-small", fmt="html", lang="fr")[1].decode()
    assert "Indice synthétique de pratique" in french and "Rang médian" in french
    workbook = load_workbook(io.BytesIO(evidence.build_report("synthetic-small",
                                                              fmt="xlsx")[1]))
    rows = [tuple(r) for r in workbook[SLUG].iter_rows(values_only=True)]
    assert rows[0][0] == "Synthetic practice index"
    units = {row[0]: row[2] for row in rows if row and row[0] in {"SYN-A", "SYN-B", "SYN-C"}}
    assert units == {"SYN-A": pytest.approx(1.5), "SYN-B": pytest.approx(1.0),
                     "SYN-C": pytest.approx(0.2)}


def test_publish_writes_methods_pages_and_data_resources(scored, tmp_path):
    from frictionless import validate

    from iocompendium.compendium.publishing import publish

    result = publish(tmp_path / "site", questionnaire="synthetic-small", with_pdf=False)
    for lang, word in (("en", "The tree and the scoring rules"),
                       ("fr", "L'arbre et les règles de notation")):
        page = (result.output / lang / "indicators" / f"{SLUG}.html").read_text()
        assert word in page and "variety/has_instruments" in page
        # The framework's label is text: escaped, never markup.
        assert "Staff &lt;b&gt;count&lt;/b&gt;" in page or "Effectif" in page
        methods = (result.output / lang / "methods.html").read_text()
        assert f"indicators/{SLUG}.html" in methods
    package = result.output / "data" / "datapackage.json"
    report = validate(str(package))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    names = {r["name"] for r in json.loads(package.read_text())["resources"]}
    assert {"indicator_frameworks", "indicator_scores"} <= names
    with open(result.output / "data" / "indicator_scores.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    composite = {r["unit"]: float(r["score"]) for r in rows if r["level"] == "composite"}
    assert composite == {"SYN-A": pytest.approx(1.5), "SYN-B": pytest.approx(1.0),
                         "SYN-C": pytest.approx(0.2)}
    missing = [r for r in rows if r["unit"] == "SYN-C" and r["node"] == "has_instruments"]
    assert missing[0]["score"] == ""  # not applicable: empty, never 0
