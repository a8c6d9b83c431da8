"""REFI-QDA exchange: the export validates against the REFI-QDA XSD, an independent reader
(ElementTree over the raw XML and zip, no code of the product) finds the same codes,
sources and segments, and a round trip keeps every position exactly (accents, Arabic).

No maintained REFI-QDA reader exists on PyPI (searched the registry's package list for
"qda", "qdpx", "refi": only LLM-assisted QDA applications, no reader library), so the
independent reading here is done with the standard library's XML parser."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree as ET

import pytest
import xmlschema
from django.core.management import CommandError, call_command

from iocompendium.coding import refi, services
from iocompendium.coding.models import Code, Segment
from iocompendium.responses.models import AuditEvent

NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture
def coded(codebook, survey, coders):
    """Both coders code every answer (spans with accents and Arabic), one memo, one final."""
    _version, answers = survey
    business = codebook.codes.get(name="business")
    no_def = codebook.codes.get(name="no_definition")
    services.assign(codebook, answers.values(), coders)
    for word, acronym in (("entreprises", "SYN-B"), ("والشركات", "SYN-C"),
                          ("businesses", "SYN-D"), ("définition écrite", "SYN-B")):
        text = answers[acronym].value
        start = text.index(word)
        for coder in coders:
            code = no_def if "définition" in word else business
            services.apply_code(answers[acronym], code, coder=coder, user=None, start=start,
                                end=start + len(word), memo="mémo : à revoir" if
                                acronym == "SYN-C" else "")
    services.apply_code(answers["SYN-D"], no_def, coder=coders[0], user=None)
    services.finalize_agreed(codebook, user=None)
    no_def.memo = "Code memo: ask the secretariat."
    no_def.save()
    return codebook


def _signature(codebook):
    return sorted(
        (s.answer_id, s.code.name, s.coder.user.username if s.coder else "", s.final,
         s.start, s.end, s.text, s.memo)
        for s in Segment.objects.filter(code__codebook=codebook).select_related("code",
                                                                              "coder__user")
    )


def test_export_validates_and_an_independent_reader_counts_the_same(coded, tmp_path):
    target = tmp_path / "coding.qdpx"
    summary = refi.export_project(coded, target)
    with zipfile.ZipFile(target) as archive:
        xml = archive.read("project.qde")
        root = ET.fromstring(xml)  # noqa: S314 - the product's own output
        sources = root.findall("q:Sources/q:TextSource", NS)
        selections = root.findall(".//q:PlainTextSelection", NS)
        texts = {s.get("guid"): archive.read(f"sources/{s.get('guid')}.txt").decode("utf-8")
                 for s in sources}
    # The shipped REFI-QDA Project schema, through xmlschema directly (not the product's).
    schema_path = refi.resources.files("iocompendium.coding") / "refi_qda" / "Project.xsd"
    xmlschema.XMLSchema(str(schema_path)).validate(io.BytesIO(xml))
    assert len(root.findall(".//q:CodeBook//q:Code", NS)) == Code.objects.filter(
        codebook=coded).count() == summary.codes
    assert len(sources) == summary.sources == 6
    assert len(selections) == Segment.objects.filter(code__codebook=coded).count()
    # Every selection's offsets cut the coded text out of its source text.
    by_guid = {str(s.guid): s for s in Segment.objects.filter(code__codebook=coded)}
    for source in sources:
        for selection in source.findall("q:PlainTextSelection", NS):
            segment = by_guid[selection.get("guid")]
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert texts[source.get("guid")][start:end] == segment.text
    cases = root.findall("q:Cases/q:Case", NS)
    assert {c.get("name") for c in cases} == {"SYN-A", "SYN-B", "SYN-C", "SYN-D", "SYN-E",
                                              "SYN-F"}
    assert {c.findtext("q:VariableValue/q:TextValue", namespaces=NS) for c in cases} == {
        "igo", "tgn"}
    users = {u.get("name") for u in root.findall("q:Users/q:User", NS)}
    assert users == {"coder-one", "coder-two", refi.FINAL_USER_NAME}


def test_codebook_export_validates_against_the_codebook_schema(coded):
    xml = refi.export_codebook(coded)
    refi.validate(xml, "Codebook")
    codes = ET.fromstring(xml).findall(".//{urn:QDA-XML:codebook:1.0}Code")  # noqa: S314
    assert len(codes) == 3


def test_round_trip_keeps_positions_exactly(coded, tmp_path):
    before = _signature(coded)
    target = tmp_path / "coding.qdpx"
    refi.export_project(coded, target)
    Segment.objects.filter(code__codebook=coded).delete()
    summary = refi.import_project(coded, target, user=None)
    assert summary.skipped == []
    assert summary.segments_created == len(before)
    assert _signature(coded) == before
    assert AuditEvent.objects.filter(action="coding", via="import").count() == len(before)
    again = refi.import_project(coded, target, user=None)
    assert again.segments_created == 0 and again.unchanged == len(before)


def test_an_answer_changed_since_export_is_not_coded_at_a_guessed_place(coded, survey, tmp_path):
    _version, answers = survey
    target = tmp_path / "coding.qdpx"
    refi.export_project(coded, target)
    Segment.objects.filter(code__codebook=coded).delete()
    answer = answers["SYN-C"]
    answer.value = "نص جديد. " + answer.value
    answer.save()
    summary = refi.import_project(coded, target, user=None)
    assert summary.skipped and all("changed" in line for line in summary.skipped)
    assert not Segment.objects.filter(answer=answer).exists()


def test_a_bad_file_is_refused_with_a_sentence_and_nothing_changes(coded, tmp_path):
    before = _signature(coded)
    broken = tmp_path / "broken.qdpx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(refi.RefiError, match="not a .qdpx"):
        refi.import_project(coded, broken, user=None)
    invalid = tmp_path / "invalid.qdpx"
    with zipfile.ZipFile(invalid, "w") as archive:
        archive.writestr("project.qde", '<Project xmlns="urn:QDA-XML:project:1.0"/>')
    with pytest.raises(refi.RefiError, match="valid REFI-QDA"):
        refi.import_project(coded, invalid, user=None)
    assert _signature(coded) == before


def test_cli_contract(coded, tmp_path, capsys):
    import json

    target = tmp_path / "out.qdpx"
    call_command("coding", "export", coded.slug, "-o", str(target))
    assert zipfile.is_zipfile(target)
    call_command("coding", "export", coded.slug, "-o", str(tmp_path / "codes.qdc"))
    call_command("coding", "export", coded.slug, "-o", str(tmp_path / "codes.xlsx"))
    capsys.readouterr()
    call_command("coding", "agreement", "synthetic-coding", "--json")  # by questionnaire
    payload = json.loads(capsys.readouterr().out)
    assert set(payload["overall"]) == {"kappa", "alpha", "percent"}
    assert [c["name"] for c in payload["codes"]] == ["no_definition", "business", "ngos"]
    assert all(set(c) == {"name", "kappa", "alpha", "percent"} for c in payload["codes"])
    assert payload["overall"]["kappa"] is not None  # two coders
    call_command("coding", "import", coded.slug, str(target))
    assert "0 segments created" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No codebook"):
        call_command("coding", "agreement", "nothing-here", "--json")


def test_a_project_with_a_dtd_or_broken_xml_is_refused(coded, tmp_path):
    for name, body in (("dtd", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
                                '<Project xmlns="urn:QDA-XML:project:1.0" name="&a;"/>'),
                       ("broken", "<Project")):
        target = tmp_path / f"{name}.qdpx"
        with zipfile.ZipFile(target, "w") as archive:
            archive.writestr("project.qde", body)
        with pytest.raises(refi.RefiError, match="not readable XML"):
            refi.import_project(coded, target, user=None)
