"""Loading and exporting the organisations registry (services and the command)."""

from __future__ import annotations

import csv
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from iocompendium.registry.models import Category, Organisation
from iocompendium.registry.services import (
    OrganisationFileError,
    export_organisations,
    load_organisations,
)
from iocompendium.registry.tabular import read_table

pytestmark = pytest.mark.django_db

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPPED = REPO_ROOT / "src" / "iocompendium" / "data" / "organisations.csv"
DOMAIN = REPO_ROOT.parent / "shared" / "reference" / "domain.md"
HEADER = "acronym,name_en,name_fr,category,membership,website,verified\n"


def shipped_rows() -> list[dict]:
    with open(SHIPPED, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write(tmp_path, text: str, name: str = "orgs.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_file_loads_every_row_then_is_idempotent():
    rows = shipped_rows()
    assert 45 <= len(rows) <= 60
    first = load_organisations(SHIPPED)
    assert (first.created, first.updated, first.unchanged) == (len(rows), 0, 0)
    second = load_organisations(SHIPPED)
    assert (second.created, second.updated, second.unchanged) == (0, 0, len(rows))
    assert Organisation.objects.count() == len(rows)
    oecd = Organisation.objects.get(acronym="OECD")
    assert oecd.category == Category.IGO
    assert oecd.name_fr == "Organisation de coopération et de développement économiques"
    assert oecd.verified is True


def test_shipped_file_matches_the_domain_reference_table():
    """Every organisation of domain.md section 3 is shipped; verified = evidence A or P."""
    if not DOMAIN.is_file():
        pytest.skip("domain reference not beside the checkout")
    text = DOMAIN.read_text(encoding="utf-8")
    section = text.split("## 3. Organisations")[1].split("\n## ")[0]
    renamed = {"Codex / CAC": "Codex", "OIE / WOAH": "WOAH", "World Bank (WBG)": "WBG"}
    expected = {}
    for match in re.finditer(r"^\| (\d+) \| ([^|]+) \|.*\| ([^|]+) \|$", section, re.MULTILINE):
        acronym = renamed.get(match[2].strip(), match[2].strip())
        evidence = match[3]
        expected[acronym] = "A" in evidence or "P" in evidence
    assert len(expected) == 53
    shipped = {row["acronym"]: row["verified"] == "true" for row in shipped_rows()}
    assert shipped == expected


def test_every_bad_row_is_reported_with_line_and_column_and_nothing_is_written(tmp_path):
    Organisation.objects.create(acronym="KEEP", name_en="Kept as it is", category="igo")
    path = write(tmp_path, HEADER
                 + "NEW1,A good row,,igo,,https://new1.example.org,true\n"   # line 2: fine
                 + ",No acronym,,igo,,,false\n"                               # line 3
                 + "BADCAT,Bad category,,ngo,,,false\n"                       # line 4
                 + "BADURL,Bad address,,tgn,,www.example,false\n"             # line 5
                 + "NONAME,,,tgn,,,false\n"                                   # line 6
                 + "BADBOOL,Bad flag,,tgn,,,perhaps\n"                        # line 7
                 + "new1,Same acronym again,,igo,,,false\n"                   # line 8
                 + "KEEP,Would change the name,,igo,,,false\n")               # line 9: fine
    with pytest.raises(OrganisationFileError) as caught:
        load_organisations(path)
    found = {(p.line, p.column) for p in caught.value.problems}
    assert found == {(3, "acronym"), (4, "category"), (5, "website"), (6, "name_en"),
                     (7, "verified"), (8, "acronym")}
    assert "line 8, column acronym" in str(caught.value)
    assert list(Organisation.objects.values_list("acronym", "name_en")) == [
        ("KEEP", "Kept as it is")
    ]


@pytest.mark.parametrize("header, column, words", [
    ("acronym,name_en,category,colour\n", "colour", "unknown column"),
    ("acronym,name_fr\n", "name_en", "required column is missing"),
    ("name_en,acronym,category\n", "name_en", "first column must be 'acronym'"),
])
def test_bad_header_is_reported(tmp_path, header, column, words):
    path = write(tmp_path, header + "X,Y,igo\n")
    with pytest.raises(OrganisationFileError) as caught:
        load_organisations(path)
    assert any(p.line == 1 and p.column == column and words in p.message
               for p in caught.value.problems)


def test_upsert_matches_acronyms_whatever_their_case_and_keeps_absent_columns(tmp_path):
    Organisation.objects.create(acronym="Coe", name_en="Old name", name_fr="Ancien nom",
                                category="other", website="https://www.coe.int")
    path = write(tmp_path, "acronym,name_en,category\nCoE,Council of Europe,IGO\n")
    counts = load_organisations(path)
    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 0)
    organisation = Organisation.objects.get()
    assert (organisation.acronym, organisation.name_en, organisation.category) == (
        "CoE", "Council of Europe", "igo")
    # Columns the file does not have are left as they were.
    assert organisation.name_fr == "Ancien nom"
    assert organisation.website == "https://www.coe.int"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_load_round_trips(tmp_path, suffix):
    load_organisations(SHIPPED)
    before = list(Organisation.objects.order_by("acronym").values())
    path = tmp_path / f"export{suffix}"
    assert export_organisations(path) == len(before)
    header, rows = read_table(path)
    assert header[0] == "acronym"
    assert len(rows) == len(before)
    Organisation.objects.update(name_en="changed", verified=False)
    counts = load_organisations(path)
    assert counts.created == 0
    assert list(Organisation.objects.order_by("acronym").values()) == before


def test_command_load_and_export(tmp_path):
    out = StringIO()
    call_command("organisations", "load", str(SHIPPED), stdout=out)
    assert f"{len(shipped_rows())} created" in out.getvalue()
    target = tmp_path / "out.csv"
    call_command("organisations", "export", "-o", str(target), stdout=StringIO())
    assert target.read_text(encoding="utf-8-sig").startswith(HEADER.strip())


def test_command_bad_file_raises_command_error_listing_rows(tmp_path):
    path = write(tmp_path, HEADER + "X,,,igo,,,true\nY,Y,,zzz,,,true\n")
    with pytest.raises(CommandError) as caught:
        call_command("organisations", "load", str(path))
    message = str(caught.value)
    assert "line 2, column name_en" in message
    assert "line 3, column category" in message
    assert not Organisation.objects.exists()


def test_command_export_refuses_an_unknown_extension(tmp_path):
    with pytest.raises(CommandError, match=r"\.csv or \.xlsx"):
        call_command("organisations", "export", "-o", str(tmp_path / "out.txt"))


def test_command_missing_file_is_one_sentence(tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("organisations", "load", str(tmp_path / "absent.csv"))
    assert str(caught.value).endswith(f"the file {tmp_path / 'absent.csv'} does not exist.")
    assert "line 0" not in str(caught.value)
