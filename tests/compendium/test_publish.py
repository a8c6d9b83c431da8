"""Publication: the static site (links, languages, search index, escaping), the PDFs and
the data package, on SYNTHETIC data."""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.core.management import CommandError, call_command

from iocompendium.compendium import services
from iocompendium.compendium.models import PracticeStatus
from iocompendium.compendium.publishing import publish
from tests.compendium.conftest import STAKEHOLDERS, SURVEY_ROWS

pytestmark = pytest.mark.django_db

NASTY_TITLE = "Joint <script>alert(1)</script> & review panel"


class Links(HTMLParser):
    """Every href/src of a page, and the lang of its <html> element."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.lang = None
        self.scripts_inline: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        for name in ("href", "src"):
            if attrs.get(name):
                self.targets.append(attrs[name])


def _published_practices(survey, template_response):
    made = [
        services.practice_from_answer(survey["SYN-A"], "implementation/implementation_examples"),
        services.practice_from_answer(survey["SYN-B"], "implementation/implementation_examples"),
        services.practice_from_template(template_response),
    ]
    for practice in made:
        services.set_practice_status(practice, PracticeStatus.PUBLISHED,
                                     base_version=practice.version)
    draft = services.practice_from_answer(survey["SYN-D"], "implementation/implementation_examples")
    return made, draft


@pytest.fixture
def site(tmp_path, survey, template_response, principles):
    made, draft = _published_practices(survey, template_response)
    result = publish(tmp_path / "site", with_pdf=False)
    return result, made, draft


def test_every_internal_link_resolves_and_every_page_has_its_language(site):
    result, _made, _draft = site
    pages = sorted(result.output.rglob("*.html"))
    assert len(pages) == result.pages
    checked = 0
    for page in pages:
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        relative = page.relative_to(result.output).as_posix()
        expected_lang = relative.split("/", 1)[0] if "/" in relative else "en"
        assert parser.lang == expected_lang, relative
        for target in parser.targets:
            parts = urlsplit(target)
            if parts.scheme or target.startswith(("#", "//")):
                continue
            assert not target.startswith("/"), f"absolute link {target} in {relative}"
            resolved = (page.parent / unquote(parts.path)).resolve()
            assert resolved.is_file(), f"{relative}: broken link {target}"
            checked += 1
    assert checked > 100


def test_drafts_are_not_published_and_practices_have_stable_pages(site):
    result, made, draft = site
    for practice in made:
        for lang in ("en", "fr"):
            assert (result.output / lang / "practices" / f"{practice.identifier}.html").is_file()
    assert not (result.output / "en" / "practices" / f"{draft.identifier}.html").exists()
    assert draft.identifier not in (result.output / "assets" / "search-index-en.js").read_text()


def test_user_text_is_escaped_in_pages_and_search_index(site):
    result, made, _draft = site
    nasty = made[2]
    html = (result.output / "en" / "practices" / f"{nasty.identifier}.html").read_text()
    assert "<script>alert(1)" not in html
    assert "Joint &lt;script&gt;alert(1)&lt;/script&gt; &amp; review panel" in html
    index = (result.output / "assets" / "search-index-en.js").read_text()
    assert "<script>" not in index and "</script>" not in index
    payload = json.loads(index.split("=", 1)[1].strip().rstrip(";"))
    assert NASTY_TITLE in [entry["t"] for entry in payload]


def test_theme_page_shows_key_principles_figures_and_practices(site):
    result, made, _draft = site
    stakeholders = (result.output / "en" / "themes" / "stakeholders.html").read_text()
    assert "Adopt a comprehensive and strategic approach" in stakeholders
    assert "<svg" in stakeholders
    # Counts derived by hand from SURVEY_ROWS: igos chosen by A, B and C; 4 answered.
    expected = {code: sum(code in row[2].split() for row in SURVEY_ROWS)
                for code, *_ in STAKEHOLDERS}
    assert expected == {"igos": 3, "consumers": 2, "labour_unions": 1}
    assert re.search(r"Intergovernmental organisations</th><td class=\"num\">3</td>",
                     stakeholders)
    assert "4 of 4 organisations answered" in stakeholders
    french = (result.output / "fr" / "themes" / "stakeholders.html").read_text()
    assert "Organisations intergouvernementales" in french
    implementation = (result.output / "en" / "themes" / "implementation.html").read_text()
    assert made[0].identifier in implementation


def test_data_package_validates_with_frictionless_and_matches_the_answers(site):
    from frictionless import validate

    result, made, _draft = site
    package = result.output / "data" / "datapackage.json"
    report = validate(str(package))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads(package.read_text())
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert {r["name"] for r in descriptor["resources"]} == {
        "practices", "organisations", "key_principles", "survey_tables", "question_tables",
        "coverage"}
    with open(result.output / "data" / "practices.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["identifier"] for r in rows) == sorted(p.identifier for p in made)
    assert all(r["synthetic"] == "True" for r in rows)
    with open(result.output / "data" / "survey_tables.csv", encoding="utf-8") as handle:
        tables = [r for r in csv.DictReader(handle)
                  if r["question"] == "coordination/coordination_guidelines"]
    yes = sum(row[3] == "yes" for row in SURVEY_ROWS)
    assert {r["option_en"]: int(r["count"]) for r in tables} == {"Yes": yes, "No": 4 - yes}
    assert {(r["unit"], r["unit_fr"]) for r in tables} == {("organisations", "organisations")}


def test_survey_tables_name_the_questionnaires_own_units(tmp_path, survey, template_response,
                                                         principles):
    from iocompendium.compendium.selectors import SURVEY_SLUG
    from iocompendium.questionnaires.models import Questionnaire

    _published_practices(survey, template_response)
    Questionnaire.objects.filter(slug=SURVEY_SLUG).update(
        unit_label={"en": "member bodies", "fr": "organes membres"})
    result = publish(tmp_path / "site", with_pdf=False)
    tables = {}
    for name in ("survey_tables", "question_tables"):
        with open(result.output / "data" / f"{name}.csv", encoding="utf-8") as handle:
            tables[name] = list(csv.DictReader(handle))
    chosen = [r for r in tables["survey_tables"]
              if r["question"] == "coordination/coordination_guidelines"]
    assert chosen and {(r["unit"], r["unit_fr"]) for r in chosen} == {
        ("member bodies", "organes membres")}
    assert {(r["unit"], r["unit_fr"]) for r in tables["survey_tables"]} <= {
        ("member bodies", "organes membres"), ("instances", "instances")}
    assert ("member bodies", "organes membres") in {
        (r["unit"], r["unit_fr"]) for r in tables["question_tables"]}


def test_pdf_in_both_languages_has_contents_charts_and_escaped_text(tmp_path, survey,
                                                                    template_response,
                                                                    principles):
    from pypdf import PdfReader

    _published_practices(survey, template_response)
    result = publish(tmp_path / "site")
    assert [p.name for p in result.pdfs] == ["compendium-en.pdf", "compendium-fr.pdf"]
    texts = {}
    for pdf in result.pdfs:
        reader = PdfReader(str(pdf))
        assert len(reader.pages) >= 7  # cover, contents, five chapters
        texts[pdf.name] = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    english, french = texts["compendium-en.pdf"], texts["compendium-fr.pdf"]
    assert "Contents" in english and "Sommaire" in french
    # The contents give the page of each chapter (leader dots, then the page number).
    assert re.search(r"4\. Stakeholder engagement \.+ ?\d+", english)
    assert re.search(r"2\. Mise en œuvre des instruments internationaux \.+ ?\d+", french)
    assert "Stakeholder engagement" in english and "Participation des parties prenantes" in french
    assert NASTY_TITLE in english
    # The charts: Vega draws the axis title and option labels as text in the vector chart.
    assert english.count("Intergovernmental organisations") >= 2  # chart label + table row
    assert "synthetic" in english.lower() and "synthétique" in french.lower()


def test_publish_command_reports_where_to_open_and_refuses_a_file(tmp_path, survey, capsys):
    target = tmp_path / "out"
    call_command("publish", "-o", str(target), "--no-pdf")
    assert f"Open {target / 'index.html'}" in capsys.readouterr().out
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(CommandError):
        call_command("publish", "-o", str(a_file))
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("not a compendium")
    with pytest.raises(CommandError):
        call_command("publish", "-o", str(other), "--no-pdf")
    assert (other / "keep.txt").exists()
    with pytest.raises(CommandError, match="No questionnaire 'no-such-survey'"):
        call_command("publish", "-o", str(tmp_path / "x"), "--questionnaire", "no-such-survey")


def test_without_a_survey_the_pages_say_so(tmp_path, principles):
    result = publish(tmp_path / "empty", with_pdf=False)
    page = (result.output / "en" / "themes" / "evaluation.html").read_text()
    assert "io-survey" in page  # the reason figures are missing
    families = (result.output / "fr" / "families.html").read_text()
    assert "lang=\"fr\"" in families
    assert Path(result.index).is_file()
