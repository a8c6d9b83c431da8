"""Defect 3 of issue 13: no answer, form or file can exhaust the server; one clear
sentence each, HTTP 400 (never 500) for malformed requests. The files are SYNTHETIC,
made here. Before: a regex constraint '(a+)+$' took 33 s per autosave; three nested
repeats of 100 took 19 s and 1.8 GB; a 408 KB zip grew to 2.5 GB; a cell over 131,072
characters gave an HTTP 500 / a raw 'field larger than field limit'; a `_revisions`
nested 5,000 levels gave a RecursionError (500); an external-entity XLSX reached openpyxl."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from iocompendium.questionnaires import engine
from iocompendium.questionnaires.expressions import functions
from iocompendium.responses.tabular import TabularFileError, read_sheets
from iocompendium.web import limits
from tests.analysis.fixtures import node


def test_constraint_regexes_run_on_a_linear_time_engine():
    pattern = functions._compiled_regex("(a+)+$")
    assert not isinstance(pattern, re.Pattern)  # RE2, not Python's backtracking re
    assert not pattern.fullmatch("a" * 5000 + "b")
    assert functions._compiled_regex("[0-9]{3}").fullmatch("123")


def test_nested_repeats_are_capped_per_response():
    structure = {"form_id": "nested", "form_version": "1", "title": {"en": "Nested"},
                 "default_language": "en", "languages": ["en"], "choices": {},
                 "children": [node("repeat", "a", repeat_count="100", children=[
                     node("repeat", "b", repeat_count="100", children=[
                         node("repeat", "c", repeat_count="100", children=[
                             node("text", "t")])])])]}
    states = engine.evaluate(structure, {})
    instances = [path for path in states if path.endswith("/t")]
    assert 0 < len(instances) <= engine.MAX_TOTAL_REPEAT_INSTANCES


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = _zip({"responses.csv": b"organisation\n" + b"A" * (limits.MAX_UNCOMPRESSED_BYTES + 1)})
    assert len(bomb) < 2 * 2**20
    with pytest.raises(TabularFileError, match="would unpack to"):
        read_sheets(Path("bomb.zip"), bomb)


def test_an_xlsx_with_an_external_entity_is_refused():
    xml = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           b'<worksheet>&e;</worksheet>')
    data = _zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": xml})
    with pytest.raises(TabularFileError) as raised:
        read_sheets(Path("entity.xlsx"), data)
    assert str(raised.value) == "entity.xlsx contains an external entity and was refused."


def test_a_huge_csv_cell_gets_a_clear_sentence():
    data = b"organisation,q\nA," + b"x" * 200_000 + b"\n"
    with pytest.raises(TabularFileError) as raised:
        read_sheets(Path("big.csv"), data)
    assert "field limit" not in str(raised.value)
    assert "characters" in str(raised.value)


def test_an_imported_answer_has_the_web_form_limit():
    data = b"organisation,q\nA," + b"x" * (limits.MAX_ANSWER_LENGTH + 1) + b"\n"
    with pytest.raises(TabularFileError, match="an answer may have 20,000 at most"):
        read_sheets(Path("long.csv"), data)


def test_deeply_nested_json_is_refused_before_parsing():
    with pytest.raises(ValueError):
        limits.loads_json_field("[" * 5000 + "]" * 5000)
    assert limits.loads_json_field('{"a": 1}') == {"a": 1}


@pytest.mark.django_db
def test_deeply_nested_revisions_get_a_400_not_a_500(client, django_user_model):
    from tests.responses.conftest import make_contributor, make_organisation, make_version

    version = make_version()
    organisation = make_organisation("SYN-A")
    user = make_contributor(django_user_model, "alice", organisation)
    from iocompendium.responses import services

    response = services.get_or_create_response(organisation, version)
    client.force_login(user)
    section = version.structure["children"][0]["name"]
    reply = client.post(f"/en/responses/{response.pk}/section/{section}/",
                        {"_revisions": "[" * 5000 + "]" * 5000})
    assert reply.status_code == 400


def test_deeply_nested_xml_is_refused_before_parsing():
    from iocompendium.web import limits

    limits.check_xml_depth(b"<a>" * limits.MAX_XML_DEPTH + b"</a>" * limits.MAX_XML_DEPTH, "x")
    deep = b"<a>" * 50_000 + b"</a>" * 50_000
    with pytest.raises(limits.LimitError, match="nested more than 200 levels"):
        limits.check_xml_depth(deep, "project.qde")
    limits.check_xml_depth(b"<a><b></a>", "broken.xml")  # malformed: the parser says so
