"""The wide layout, read and written without a database (responses/tabular.py).

Forms and answers here are small synthetic fixtures.
"""

from __future__ import annotations

import datetime as dt

from iocompendium.responses.tabular import (
    RawSheet,
    ResponseRecord,
    normalise_header,
    parse_wide,
    read_sheets,
    tables_to_csv_zip,
    tables_to_xlsx,
    wide_tables,
)


def node(kind, name, children=None, **extra):
    base = {"type": kind, "name": name, "label": {"en": name}, "choice_list": ""}
    base.update(extra)
    if children is not None:
        base["children"] = children
    return base


NESTED = {
    "languages": ["en"], "default_language": "en",
    "choices": {"yn": [{"name": "yes", "label": {}}, {"name": "no", "label": {}}]},
    "children": [
        node("text", "name"),
        node("date", "since"),
        node("decimal", "share"),
        node("repeat", "bodies", [
            node("text", "body"),
            node("repeat", "members", [node("integer", "seats"),
                                       node("select_one", "votes", choice_list="yn")]),
        ]),
    ],
}

RECORDS = [
    ResponseRecord("AAA", {
        "name": "Alpha, \"quoted\"\nwith a line break", "since": "1999-12-31", "share": "0.10",
        "bodies[1]/body": "Council", "bodies[1]/members[1]/seats": "5",
        "bodies[1]/members[2]/seats": "007", "bodies[1]/members[2]/votes": "yes",
        "bodies[2]/body": "Assembly", "bodies[2]/members[1]/votes": "no",
    }, status="approved"),
    ResponseRecord("BBB", {"share": "2.5", "bodies[1]/members[1]/seats": "-3"},
                   status="draft"),
]


def test_nested_repeats_round_trip_through_xlsx_and_csv_zip(tmp_path):
    tables = wide_tables(NESTED, RECORDS)
    assert [t.name for t in tables] == ["responses", "bodies", "members"]
    for name, content in (("w.xlsx", tables_to_xlsx(tables)), ("w.zip", tables_to_csv_zip(tables))):
        path = tmp_path / name
        path.write_bytes(content)
        parsed = parse_wide(NESTED, read_sheets(path))
        assert parsed.errors == [], name
        # Empty cells are read as "" (the file clears those answers): compare the others.
        read = {p.key: ({k: v for k, v in p.answers.items() if v}, p.status)
                for p in parsed.responses}
        # "007" is normalised to 7 by the integer check; everything else is kept exactly.
        expected_a = dict(RECORDS[0].answers, **{"bodies[1]/members[2]/seats": "7"})
        assert read["AAA"] == (expected_a, "approved"), name
        assert read["BBB"] == (RECORDS[1].answers, "draft"), name


def test_cells_typed_by_a_spreadsheet_are_read_back_as_answers():
    sheet = RawSheet("Sheet1", ["X.U.FEFF.organisation", "since", "share", "name"],
                     [(2, ["AAA", dt.datetime(2001, 2, 3), 3.0, 12])])
    parsed = parse_wide(NESTED, [sheet])
    assert parsed.errors == []
    assert parsed.responses[0].answers == {"since": "2001-02-03", "share": "3", "name": "12"}


def test_r_mangled_headers():
    assert normalise_header("X.U.FEFF.start") == "start"
    assert normalise_header("X_uuid") == "_uuid"
    assert normalise_header("\ufefforganisation") == "organisation"


def test_repeat_rows_without_parent_are_errors_of_their_row():
    main = RawSheet("main", ["_index", "organisation"], [(2, [1, "AAA"])])
    bodies = RawSheet("bodies", ["_index", "_parent_index", "body"],
                      [(2, [1, 1, "Council"]), (3, [2, 5, "Ghost"])])
    members = RawSheet("members", ["_parent_index", "seats"], [(2, [1, "x"]), (3, [2, 4])])
    parsed = parse_wide(NESTED, [main, bodies, members])
    assert [(p.sheet, p.row, p.column) for p in parsed.errors] == [
        ("bodies", 3, "_parent_index"), ("members", 2, "seats"), ("members", 3, "_parent_index"),
    ]
    assert parsed.responses[0].answers == {"bodies[1]/body": "Council"}


def test_unknown_and_ambiguous_columns_are_warnings():
    ambiguous = {"languages": ["en"], "choices": {}, "children": [
        node("group", "a", [node("text", "x")]), node("group", "b", [node("text", "x")]),
    ]}
    sheet = RawSheet("s", ["organisation", "x", "a/x", "colour"], [(2, ["AAA", "1", "2", "red"])])
    parsed = parse_wide(ambiguous, [sheet])
    assert parsed.errors == []
    assert {(p.column, p.severity) for p in parsed.problems} == {
        ("x", "warning"), ("colour", "warning")}
    assert parsed.responses[0].answers == {"a/x": "2"}


def test_main_sheet_need_not_come_first():
    bodies = RawSheet("bodies", ["organisation", "body"], [(2, ["AAA", "Council"])])
    main = RawSheet("Form title", ["organisation", "name"], [(2, ["AAA", "Alpha"])])
    parsed = parse_wide(NESTED, [bodies, main])
    assert parsed.problems == []
    assert parsed.responses[0].answers == {"name": "Alpha", "bodies[1]/body": "Council"}
