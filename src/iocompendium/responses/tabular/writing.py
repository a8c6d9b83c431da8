"""Writing the wide layout (the exports): a main sheet and one sheet per repeat group,
as KoboToolbox lays them out, to .xlsx or a .zip of CSV files (pure Python)."""

from __future__ import annotations

import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from iocompendium.questionnaires.structure import QuestionRef, Structure
from iocompendium.spreadsheets import csv_text, tables_xlsx

from .common import (
    INDEX,
    KEY_COLUMN,
    MAIN_SHEET,
    PARENT_INDEX,
    PARENT_TABLE,
    STATUS,
    TITLE,
    _instance_path,
    choice_names,
    questions_by_scope,
    repeat_refs,
    repeat_sheet_names,
)

# --------------------------------------------------------------------------- records


@dataclass
class ResponseRecord:
    """One response as plain data: what the exports write and the import reads."""

    organisation: str
    answers: dict[str, str]
    category: str = ""
    status: str = ""
    title: str = ""
    name: str = ""
    synthetic: bool = False


@dataclass(frozen=True)
class Table:
    """A sheet: its name, the repeat it holds (None for the main sheet), header and rows."""

    name: str
    repeat: str | None
    headers: list[str]
    rows: list[list[Any]]



# --------------------------------------------------------------------------- writing


def _instances(
    answers: Mapping[str, str], repeat: str, parent: tuple[int, ...], outer: tuple[str, ...]
) -> list[int]:
    """The instance indexes of ``repeat`` under ``parent`` present in the answers."""
    prefix = _instance_path(repeat, parent, outer) if outer else repeat
    pattern = re.compile(re.escape(prefix) + r"\[(\d+)\]/")
    found = {int(m.group(1)) for path in answers if (m := pattern.match(path))}
    return sorted(found)


def _cell(ref: QuestionRef, value: str) -> Any:
    """Numbers as numbers when the text round-trips exactly; anything else as text."""
    if value == "":
        return None
    if ref.type == "integer" and re.fullmatch(r"-?[1-9]\d{0,14}|0", value):
        return int(value)
    if ref.type == "decimal":
        try:
            number = float(value)
        except ValueError:
            return value
        if repr(number) == value:
            return number
    return value


def _question_headers(
    structure: Structure, refs: list[QuestionRef], choice_columns: bool
) -> list[tuple[str, QuestionRef, str | None]]:
    """(header, question, choice or None) for every column of the questions."""
    columns = []
    for ref in refs:
        columns.append((ref.path, ref, None))
        if choice_columns and ref.type == "select_multiple":
            columns.extend(
                (f"{ref.path}/{name}", ref, name) for name in choice_names(structure, ref)
            )
    return columns


def _values(columns, answers: Mapping[str, str], indexes: tuple[int, ...]) -> list[Any]:
    row = []
    for _header, ref, choice in columns:
        value = answers.get(_instance_path(ref.path, indexes, ref.repeats), "")
        if choice is None:
            row.append(_cell(ref, value))
        else:
            row.append(None if value == "" else int(choice in value.split()))
    return row


def wide_tables(
    structure: Structure, records: Iterable[ResponseRecord], *, choice_columns: bool = True
) -> list[Table]:
    """The main sheet and one sheet per repeat group, as Kobo lays them out."""
    records = list(records)
    scopes = questions_by_scope(structure)
    sheet_names = repeat_sheet_names(structure)
    with_titles = any(record.title for record in records)
    main_columns = _question_headers(structure, scopes.get(None, []), choice_columns)
    main_headers = [INDEX, KEY_COLUMN, STATUS] + ([TITLE] if with_titles else [])
    main = Table(MAIN_SHEET, None, main_headers + [c[0] for c in main_columns], [])
    repeat_tables: dict[str, Table] = {}
    repeat_columns = {}
    for repeat in repeat_refs(structure):
        repeat_columns[repeat.path] = _question_headers(
            structure, scopes.get(repeat.path, []), choice_columns
        )
        headers = [INDEX, PARENT_INDEX, PARENT_TABLE, KEY_COLUMN]
        repeat_tables[repeat.path] = Table(
            sheet_names[repeat.path],
            repeat.path,
            headers + [c[0] for c in repeat_columns[repeat.path]],
            [],
        )
    children: dict[str | None, list[QuestionRef]] = defaultdict(list)
    for repeat in repeat_refs(structure):
        children[repeat.repeats[-1] if repeat.repeats else None].append(repeat)

    def write_children(record, scope, parent_indexes, parent_row_index, parent_table):
        for repeat in children.get(scope, []):
            table = repeat_tables[repeat.path]
            for index in _instances(record.answers, repeat.path, parent_indexes, repeat.repeats):
                indexes = parent_indexes + (index,)
                row_index = len(table.rows) + 1
                table.rows.append(
                    [row_index, parent_row_index, parent_table, record.organisation]
                    + _values(repeat_columns[repeat.path], record.answers, indexes)
                )
                write_children(record, repeat.path, indexes, row_index, table.name)

    for position, record in enumerate(records, start=1):
        fixed = [position, record.organisation, record.status] + (
            [record.title] if with_titles else []
        )
        main.rows.append(fixed + _values(main_columns, record.answers, ()))
        write_children(record, None, (), position, MAIN_SHEET)
    return [main, *repeat_tables.values()]


def tables_to_xlsx(tables: list[Table]) -> bytes:
    return tables_xlsx((table.name, table.headers, table.rows) for table in tables)


def _csv_text(table: Table) -> str:
    return csv_text(table.headers, table.rows)


def tables_to_csv_zip(tables: list[Table]) -> bytes:
    """One CSV (UTF-8, comma) per sheet, ``<sheet>.csv``, the main sheet first, in a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            info = zipfile.ZipInfo(f"{table.name}.csv", date_time=(2018, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, _csv_text(table))
    return buffer.getvalue()

