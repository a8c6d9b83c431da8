"""Reading files through a mapping: values, problems, encodings (synthetic rows)."""

from __future__ import annotations

import openpyxl
import pytest

from iocompendium.instruments import mapping

MAPPING = {
    "source": {"name": "Test source"},
    "key_columns": ["Name", "Date"],
    "fields": {
        "title": {"column": "Name", "required": True},
        "native_type": {"column": "Kind"},
        "date_adopted": {"column": "Date", "type": "date"},
        "legal_effect": {"column": "Effect", "value_map": {"yes": "binding", "no": "non_binding"}},
        "url": {"column": "Link"},
        "subjects": {"columns": ["Topic1", "Topic2"], "type": "list", "separator": ","},
    },
}
HEADER = "Name,Kind,Date,Effect,Link,Topic1,Topic2\n"


def convert_text(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "file.csv"
    path.write_bytes(text.encode(encoding))
    table = mapping.read_table(path)
    return mapping.convert(table, MAPPING, source="Test source"), table


@pytest.mark.parametrize(("raw", "expected", "noted"), [
    ("1990", "1990", False),
    ("1990-5", "1990-05", False),
    ("1990-05-17", "1990-05-17", False),
    ("17/05/1990", "1990-05-17", False),
    ("1990-05-17?", "1990-05-17", True),
    ("1981-09..1981-10", "1981-09", True),
    ("1990-13-01", "", True),
    ("1990-02-30", "", True),
    ("soon", "", True),
    ("0990", "", True),
])
def test_partial_and_odd_dates(raw, expected, noted):
    value, note = mapping.parse_date(raw)
    assert value == expected
    assert (note is not None) == noted


def test_values_warnings_and_missing(tmp_path):
    converted, _ = convert_text(tmp_path, HEADER + (
        "Treaty A,Treaty,1990-05,yes,https://a.example,Fish,\"Sea,Fish\"\n"
        "Code B,NA,NA,maybe,not a link,NA,NA\n"
    ))
    assert converted.errors == []
    first, second = converted.rows
    assert first["date_adopted"] == "1990-05" and first["year"] == 1990
    assert first["legal_effect"] == "binding"
    assert first["subjects"] == "Fish; Sea"
    assert second["native_type"] == "" and second["date_adopted"] == ""
    assert second["legal_effect"] == "" and second["url"] == ""
    warned = {(p.row, p.column) for p in converted.warnings}
    assert warned == {(3, "Effect"), (3, "Link")}


def test_a_repeated_bad_value_is_reported_on_every_row(tmp_path):
    # Distinct values are read once (memo): each row must still get its own problem.
    converted, _ = convert_text(tmp_path, HEADER + (
        "A,Treaty,soon,maybe,,x,\n"
        "B,Treaty,soon,maybe,,x,\n"
        "C,Treaty,1990,yes,,x,\n"
        "D,Treaty,soon,maybe,,x,\n"
    ))
    warned = sorted((p.row, p.column) for p in converted.warnings)
    assert warned == [(2, "Date"), (2, "Effect"), (3, "Date"), (3, "Effect"),
                      (5, "Date"), (5, "Effect")]
    assert [r["legal_effect"] for r in converted.rows] == ["", "", "binding", ""]
    assert [r["subjects"] for r in converted.rows] == ["x"] * 4


def test_errors_refuse_rows(tmp_path):
    converted, _ = convert_text(tmp_path, HEADER + (
        "Treaty A,Treaty,1990,yes,,,\n"
        ",Treaty,1991,yes,,,\n"
        "Treaty A,Treaty,1990,no,,,\n"
    ))
    errors = {(p.row, p.message.split(" ")[0]) for p in converted.errors}
    assert (3, "title") in errors
    assert any(p.row == 4 and "row 2" in p.message for p in converted.errors)


def test_missing_columns_are_an_error(tmp_path):
    converted, _ = convert_text(tmp_path, "Name,Date\nA,1990\n")
    assert converted.errors and converted.errors[0].row == 1
    assert "Kind" in converted.errors[0].column


def test_windows_1252_file_is_read_and_reported(tmp_path):
    converted, table = convert_text(tmp_path, HEADER + "Traité de Genève,Traité,1990,yes,,,\n",
                                    encoding="cp1252")
    assert table.encoding == "cp1252"
    assert converted.rows[0]["title"] == "Traité de Genève"
    assert any("not UTF-8" in p.message for p in converted.warnings)


def test_utf8_bom_header(tmp_path):
    converted, table = convert_text(tmp_path, "\ufeff" + HEADER + "A,Treaty,1990,yes,,,\n")
    assert table.header[0] == "Name" and converted.errors == []


def test_xlsx_with_real_dates(tmp_path):
    import datetime as dt

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["Treaty X", "Treaty", dt.datetime(2001, 2, 3), "no", None, "Air", None])
    path = tmp_path / "file.xlsx"
    workbook.save(path)
    converted = mapping.convert(mapping.read_table(path), MAPPING, source="Test source")
    assert converted.rows[0]["date_adopted"] == "2001-02-03"
    assert converted.rows[0]["legal_effect"] == "non_binding"


def test_key_is_stable_and_depends_on_organisation():
    one = mapping.make_key("S", "OECD", ["Title", "1990"])
    assert one == mapping.make_key("S", "OECD", ["Title ", "1990"])
    assert one != mapping.make_key("S", "ISO", ["Title", "1990"])


@pytest.mark.parametrize("bad", [{}, {"fields": {}}, {"fields": {"title": {"column": "A"}}},
                                 {"key_columns": ["A"], "fields": {"nonsense": {"column": "A"}}}])
def test_bad_mappings_are_refused(bad):
    with pytest.raises(mapping.MappingError):
        mapping.check_mapping(bad)
