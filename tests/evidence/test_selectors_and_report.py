"""Selectors, relevance through the real engine and the report formats on the tiny form.

Expected figures are worked out by hand from tests/analysis/fixtures.py (SYNTHETIC)."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from iocompendium.evidence import selectors, services
from tests.evidence.conftest import SLUG


def test_tidy_answers_has_the_contract_columns_and_one_row_per_answer(tiny):
    frame = selectors.tidy_answers(SLUG, ("approved",))
    assert list(frame.columns) == ["organisation", "category", "status", "path", "question",
                                   "repeat_index", "value"]
    assert len(frame) == 10 + 7 + 6  # A, B and C's answers; D has none
    row = frame[frame["path"] == "variety/instruments[2]/effect"].iloc[0]
    assert (row["organisation"], row["question"], row["repeat_index"], row["value"]) == (
        "A", "variety/instruments/effect", 2, "non_binding")
    assert frame[frame["path"] == "org/staff"]["repeat_index"].isna().all()


def test_statuses_select_the_responses(tiny):
    _version, responses = tiny
    responses["C"].status = "submitted"
    responses["C"].save()
    assert set(selectors.respondents(SLUG, ("approved",))["organisation"]) == {"A", "B", "D"}
    assert set(selectors.respondents(SLUG, selectors.STATUS_SETS["submitted"])["organisation"]) \
        == {"A", "B", "C", "D"}


def test_relevance_comes_from_the_engine(tiny):
    frame = selectors.relevance(SLUG, ("approved",))
    examples = frame[frame["question"] == "stake/practice_examples"]
    assert set(examples["organisation"]) == {"A", "C"}  # definition = 'formal'
    effect = frame[frame["question"] == "variety/instruments/effect"]
    assert set(effect["organisation"]) == {"A", "B"}  # organisations with instruments


def test_relevance_is_kept_in_the_data_folder(tiny, monkeypatch, settings):
    first = selectors.relevance(SLUG, ("approved",))
    assert list((settings.DATA_DIR / "cache").glob("relevance-*.json"))
    selectors._relevance_cache.clear()  # as in a new server process

    def engine_must_not_run(*args, **kwargs):
        raise AssertionError("the engine ran again for unchanged responses")

    monkeypatch.setattr("iocompendium.questionnaires.engine.evaluate", engine_must_not_run)
    again = selectors.relevance(SLUG, ("approved",))
    assert again.sort_values(["organisation", "question"]).values.tolist() == \
        first.sort_values(["organisation", "question"]).values.tolist()


def test_json_report_counts_and_denominators(tiny):
    _name, data = services.build_report(SLUG, fmt="json")
    document = json.loads(data)
    assert document["questionnaire"] == SLUG and document["respondents"] == 4
    actors = document["tables"]["actors"]
    assert (actors["denominator"], actors["answered"], actors["type"]) == (4, 3, "select_multiple")
    assert [(o["name"], o["count"]) for o in actors["options"]] == [("a", 2), ("b", 2), ("c", 1)]
    assert set(actors["options"][0]) == {"name", "label", "count"}
    examples = document["tables"]["practice_examples"]
    assert (examples["denominator"], examples["answered"]) == (2, 2)  # B's stale text dropped
    effect = document["tables"]["effect"]
    assert (effect["denominator"], effect["answered"], effect["answered_instances"]) == (2, 2, 3)
    assert document["tables"]["staff"]["summary"]["median"] == 20
    assert document["tables"]["instruments"]["per_organisation"] == {"A": 2, "B": 1}


def test_json_labels_follow_the_language(tiny):
    document = json.loads(services.build_report(SLUG, fmt="json", lang="fr")[1])
    assert document["tables"]["actors"]["label"] == "Quels acteurs ?"
    assert document["tables"]["definition"]["options"][0]["label"] == "Formelle"


def test_category_filter_restricts_the_respondents(tiny):
    content = services.content_for(SLUG, "approved", "en", "tgn", with_charts=False)
    assert content.respondents == 2  # C and D
    actors = next(v.table for t in content.themes for v in t.tables if v.table.name == "actors")
    assert (actors.answered, [o.count for o in actors.options]) == (1, [0, 1, 1])


@pytest.mark.parametrize("lang,expected", [("en", "Which actors?"), ("fr", "Quels acteurs ?")])
def test_html_report_has_inline_svg_charts_and_no_broken_image(tiny, lang, expected):
    html = services.build_report(SLUG, fmt="html", lang=lang)[1].decode()
    assert html.count("<svg") >= 4
    for source in re.findall(r"<img[^>]*src=\"([^\"]*)\"", html):
        assert source.startswith("data:")
    assert expected in html
    # User text (choice labels, free text) is escaped in the page and in the charts.
    assert "<A>" not in html and "&lt;A&gt;" in html
    assert "We consult &lt;everyone&gt; &amp; publish" in html
    assert ("Synthetic data" if lang == "en" else "Données synthétiques") in html


@pytest.mark.parametrize("lang,word", [("en", "Contents"), ("fr", "Sommaire")])
def test_pdf_opens_with_its_charts(tiny, lang, word):
    pypdf = pytest.importorskip("pypdf")
    data = services.build_report(SLUG, fmt="pdf", lang=lang)[1]
    assert data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert word in text
    # Chart axis titles are drawn from the SVG as text in the PDF.
    assert ("Organisations" if lang == "en" else "Organisations") in text
    # The question's title appears in its heading, a headline and the two table captions
    # (4 times, checked on a chart-less build) and in the titles of its two charts:
    # 6 times only if the charts were drawn.
    assert text.count("Which actors?" if lang == "en" else "Quels acteurs ?") >= 6


def test_xlsx_has_a_sheet_per_table(tiny):
    workbook = load_workbook(io.BytesIO(services.build_report(SLUG, fmt="xlsx")[1]))
    assert {"actors", "definition", "staff", "instruments", "effect"} <= set(workbook.sheetnames)
    sheet = workbook["actors"]
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert ("Actor <A> & co", 2, 0.6667, 2) in rows


def test_report_command_writes_the_file_by_extension(tiny, tmp_path):
    target = tmp_path / "out.json"
    call_command("report", "--questionnaire", SLUG, "-o", str(target))
    assert json.loads(target.read_text())["respondents"] == 4


def test_report_command_refuses_an_unknown_questionnaire(db, tmp_path):
    with pytest.raises(CommandError, match="No questionnaire 'nope'"):
        call_command("report", "--questionnaire", "nope", "-o", str(tmp_path / "x.json"))


def test_report_command_status_submitted_counts_every_submitted_response(tiny, tmp_path):
    _version, responses = tiny
    responses["C"].status = "in_review"
    responses["C"].save()
    target = tmp_path / "out.json"
    call_command("report", "--questionnaire", SLUG, "--format", "json", "-o", str(target))
    assert json.loads(target.read_text())["respondents"] == 3
    call_command("report", "--questionnaire", SLUG, "--status", "submitted", "-o", str(target))
    assert json.loads(target.read_text())["respondents"] == 4
