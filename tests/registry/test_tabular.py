"""The tabular reader: encodings, line numbers, XLSX cells. Files here are synthetic."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from iocompendium.registry.tabular import TableError, read_table, write_table


def test_utf8_with_bom_and_quoted_multiline_cell_keep_line_numbers(tmp_path):
    path = tmp_path / "t.csv"
    text = 'acronym,name_en\n\nA,"two\nlines"\nB,Bée\n'
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    header, rows = read_table(path)
    assert header == ["acronym", "name_en"]
    # Line 2 is blank (skipped, still counted); A spans lines 3-4; B is on line 5.
    assert [(row.line, row.values["acronym"]) for row in rows] == [(3, "A"), (5, "B")]
    assert rows[0].values["name_en"] == "two\nlines"
    assert rows[1].values["name_en"] == "Bée"


def test_windows_1252_file_is_decoded(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("acronym,name_fr\nOMC,Organisation mondiale du commerce – Genève\n"
                     .encode("cp1252"))
    _, rows = read_table(path)
    assert rows[0].values["name_fr"] == "Organisation mondiale du commerce – Genève"


def test_semicolon_separated_file_is_read(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("acronym;name_en\nISO;Standards, international\n", encoding="utf-8")
    header, rows = read_table(path)
    assert header == ["acronym", "name_en"]
    assert rows[0].values == {"acronym": "ISO", "name_en": "Standards, international"}


def test_short_rows_are_padded_and_extra_cells_are_kept_apart(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1\n2,3,stray\n", encoding="utf-8")
    _, rows = read_table(path)
    assert rows[0].values == {"a": "1", "b": ""}
    assert rows[1].values[""] == "stray"


def test_xlsx_cells_become_text_and_rows_keep_their_numbers(tmp_path):
    path = tmp_path / "t.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["acronym", "verified", "year"])
    sheet.append(["OECD", True, 1961.0])
    sheet.append([None, None, None])
    sheet.append(["WTO", False, 1995])
    workbook.save(path)
    header, rows = read_table(path)
    assert header == ["acronym", "verified", "year"]
    assert [(r.line, r.values) for r in rows] == [
        (2, {"acronym": "OECD", "verified": "true", "year": "1961"}),
        (4, {"acronym": "WTO", "verified": "false", "year": "1995"}),
    ]


@pytest.mark.parametrize("name, content, message", [
    ("t.txt", b"a,b\n", "not a .csv or .xlsx"),
    ("t.csv", b"", "empty"),
    ("t.csv", b"a,a\n1,2\n", "appears twice"),
    ("t.xlsx", b"not a zip file", "not a readable .xlsx"),
])
def test_unreadable_tables_raise_one_sentence(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TableError, match=message):
        read_table(path)


def test_missing_file(tmp_path):
    with pytest.raises(TableError, match="does not exist"):
        read_table(tmp_path / "absent.csv")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_write_then_read_round_trips(tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    records = [["É,1", "line\nbreak"], ["x", ""]]
    write_table(path, ["first", "second"], records)
    header, rows = read_table(path)
    assert header == ["first", "second"]
    assert [[r.values["first"], r.values["second"]] for r in rows] == records
