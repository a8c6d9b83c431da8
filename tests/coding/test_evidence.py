"""Codes are evidence: a coded question's table in the report (JSON contract, HTML, XLSX,
both languages), and the demo reproducing the Seed fact from coded text."""

from __future__ import annotations

import io
import json

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from iocompendium.coding import services
from iocompendium.evidence import reporting
from iocompendium.evidence.services import content_for
from iocompendium.web.management.commands.demo import DemoContext

from .conftest import QUESTION


@pytest.fixture
def reconciled(codebook, survey, coders):
    _version, answers = survey
    services.assign(codebook, answers.values(), coders)
    no_def = codebook.codes.get(name="no_definition")
    business = codebook.codes.get(name="business")
    for acronym in ("SYN-B", "SYN-D", "SYN-F"):
        for coder in coders:
            services.apply_code(answers[acronym], no_def, coder=coder, user=None)
    services.apply_code(answers["SYN-A"], business, coder=coders[0], user=None)
    services.apply_code(answers["SYN-A"], business, coder=coders[1], user=None)
    services.apply_code(answers["SYN-C"], business, coder=coders[0], user=None)  # differs
    services.finalize_agreed(codebook, user=None)
    return codebook


def test_json_report_gains_codes_with_denominator_and_answered(reconciled):
    content = content_for("synthetic-coding", with_charts=False)
    document = json.loads(reporting.build_json(content))
    table = document["tables"]["understanding"]
    assert table["codes"] == [
        {"name": "no_definition", "label": "No written definition", "count": 3},
        {"name": "business", "label": "Business", "count": 1},  # SYN-C not reconciled yet
        {"name": "ngos", "label": "NGOs", "count": 0},
    ]
    assert (table["denominator"], table["answered"]) == (6, 6)
    assert set(table["agreement"]) == {"kappa", "alpha", "percent"}
    # SYN-B, SYN-D and SYN-F are the odd-numbered, intergovernmental ones (fixture).
    assert table["codes_by_category"]["no_definition"] == {"igo": 3}
    assert not any(key.endswith("__codes") for key in document["tables"])


def test_reconciliation_changes_the_counts(reconciled, survey):
    _version, answers = survey
    business = reconciled.codes.get(name="business")
    services.reconcile(reconciled, answers["SYN-C"], [business.pk], user=None)
    document = json.loads(reporting.build_json(content_for("synthetic-coding",
                                                           with_charts=False)))
    counts = {c["name"]: c["count"] for c in document["tables"]["understanding"]["codes"]}
    assert counts["business"] == 2


def test_html_and_xlsx_in_french_show_the_coded_table(reconciled):
    content = content_for("synthetic-coding", lang="fr", with_charts=False)
    with translation.override("fr"):
        html = reporting.build_html(content).decode()
        xlsx = reporting.build_xlsx(content)
    assert "Pas de définition écrite" in html and "kappa" in html
    assert xlsx[:2] == b"PK"
    coded = [v.table for t in content.themes for v in t.tables if v.table.coded_from]
    assert [o.label for o in coded[0].options][:1] == ["Pas de définition écrite"]
    assert coded[0].coded_from == QUESTION


@pytest.mark.django_db
def test_the_demo_reproduces_the_seed_fact_from_coded_text(tmp_path):
    from iocompendium.coding import demo as coding_demo
    from iocompendium.coding.models import Codebook, Coder
    from iocompendium.questionnaires import demo as questionnaires_demo
    from iocompendium.registry import demo as registry_demo
    from iocompendium.responses.demo import data as demo_data

    context = DemoContext(data_dir=tmp_path, options={}, write=lambda line: None)
    for step in (registry_demo, questionnaires_demo, demo_data, coding_demo):
        step.run(context)
    assert "12 organisations report an understanding but no real definition" in (
        context.lines[-1])
    assert all(coder.fictional for coder in Coder.objects.all())
    coding_demo.run(context)  # idempotent
    assert Codebook.objects.count() == 1
    document = json.loads(reporting.build_json(content_for("io-survey", with_charts=False)))
    coded = {c["name"]: c["count"]
             for c in document["tables"]["stakeholder_definition_text"]["codes"]}
    selected = {o["name"]: o["count"]
                for o in document["tables"]["stakeholder_definition"]["options"]}
    assert coded["understanding_no_definition"] == selected["understanding_no_definition"] == 12
    assert document["tables"]["stakeholder_definition_text"]["agreement"]["kappa"] < 1
    # The compendium's stakeholder theme shows the coded question too, in both languages.
    from iocompendium.compendium.figures import theme_figures

    for lang, label in (("en", "Understanding, but no real definition"),
                        ("fr", "Une compréhension, mais pas de véritable définition")):
        with translation.override(lang):
            figures = theme_figures("io-survey", lang, with_charts=False)
        coded = [f for f in figures.of("stakeholders") if f.key.endswith("/codes")]
        assert {row.label: row.count for row in coded[0].rows}[label] == 12
        assert (coded[0].answered, coded[0].denominator) == (36, 36)
        # ... with the coders' agreement, the same as the report's.
        assert coded[0].agreement == document["tables"]["stakeholder_definition_text"][
            "agreement"]
        with translation.override(lang):
            html = render_to_string("compendium/_figure.html", {"figure": coded[0]})
        assert "Krippendorff" in html and "kappa" in html
    _demo_project_read_by_an_independent_reader(Codebook.objects.get(), tmp_path)


def _demo_project_read_by_an_independent_reader(codebook, tmp_path):
    """The demo's .qdpx validates against the REFI-QDA Project XSD (through xmlschema) and
    pyrefiqda (a REFI-QDA reader from PyPI, not the product's code) reads it with the same
    codes, sources, segments and users."""
    import zipfile

    import xmlschema
    from pyrefiqda import RefiProject

    from iocompendium.coding import refi
    from iocompendium.coding.models import Code, Segment

    target = tmp_path / "demo.qdpx"
    summary = refi.export_project(codebook, target)
    with zipfile.ZipFile(target) as archive:
        xml = archive.read("project.qde")
    schema = refi.resources.files("iocompendium.coding") / "refi_qda" / "Project.xsd"
    xmlschema.XMLSchema(str(schema)).validate(io.BytesIO(xml))
    project = RefiProject.load(target, extract_dir=str(tmp_path / "extracted"))

    def codes(items):
        return sum(1 + codes(item.code) for item in items)

    segments = Segment.objects.filter(code__codebook=codebook)
    sources = project.sources.text_source
    selections = [s for source in sources for s in source.plain_text_selection]
    assert codes(project.code_book.codes.code) == Code.objects.filter(
        codebook=codebook).count() == summary.codes > 0
    assert len(sources) == summary.sources == segments.values("answer").distinct().count()
    assert len(selections) == segments.count() == summary.segments > 0
    by_guid = {str(s.guid): s for s in segments}
    for source in sources:
        text = RefiProject.resolve_source_path(
            source.plain_text_path, tmp_path / "extracted").read_text(encoding="utf-8")
        for selection in source.plain_text_selection:
            segment = by_guid[selection.guid]
            assert text[selection.start_position:selection.end_position] == segment.text
            assert selection.coding[0].code_ref.target_guid == str(segment.code.guid)
    assert {u.name for u in project.users.user} >= {"demo-coder-amal", "demo-coder-bruno"}


def test_publishable_quotes_per_code_are_the_coded_passages_of_marked_answers(reconciled,
                                                                             survey):
    from iocompendium.evidence.services import mark_quote

    _version, answers = survey
    document = json.loads(reporting.build_json(content_for("synthetic-coding",
                                                           with_charts=False)))
    assert document["tables"]["understanding"]["quotes_by_code"] == {}
    mark_quote(answers["SYN-D"], True)
    document = json.loads(reporting.build_json(content_for("synthetic-coding",
                                                           with_charts=False)))
    assert document["tables"]["understanding"]["quotes_by_code"] == {
        "no_definition": [{"organisation": "SYN-D", "text": answers["SYN-D"].value}]}

