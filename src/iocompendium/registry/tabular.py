"""Reading and writing simple tables (CSV or XLSX), with the line number of every row.

A small reusable API for any import that takes "one header row, then one record per row":

    table = read_table(path)            # or: header, rows = read_table(path)
    for row in table.rows:
        row.line                        # 1-based line (CSV) or row (XLSX) number
        row.values["acronym"]           # every cell as a stripped string ("" if empty)

    write_table(path, header, records)  # .csv (UTF-8 with BOM, for Excel) or .xlsx

CSV files are decoded as UTF-8 (with or without a byte-order mark), falling back to
Windows-1252 and then Latin-1, the encodings spreadsheets save in most often. XLSX files
are read from their first sheet (or a named one) with openpyxl. Blank rows are skipped
but still counted, so line numbers match what the user sees in their editor.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from iocompendium.spreadsheets import unguard_csv_cell, write_table_file
from iocompendium.web import limits

CSV_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
SUPPORTED_SUFFIXES = (".csv", ".xlsx")


class TableError(Exception):
    """The file cannot be read as a table; the message is one sentence for the user."""


class TableRow(NamedTuple):
    line: int
    values: dict[str, str]


class Table(NamedTuple):
    header: list[str]
    rows: list[TableRow]


def read_table(path: str | Path, *, sheet: str | None = None) -> Table:
    """Read a CSV or XLSX file: its header (stripped names) and its non-blank rows."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise TableError(f"{path.name} is not a .csv or .xlsx file.")
    if not path.is_file():
        raise TableError(f"the file {path} does not exist.")
    try:
        limits.check_file(path)
    except limits.LimitError as error:
        raise TableError(str(error)) from None
    lines = _xlsx_lines(path, sheet) if suffix == ".xlsx" else _csv_lines(path)
    return _to_table(path, lines)


def write_table(path: str | Path, header: Sequence[str],
                records: Iterable[Sequence[object]]) -> None:
    """Write a header and records to .csv or .xlsx (chosen by the file's extension)."""
    path = Path(path)
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise TableError(f"{path.name}: write to a .csv or .xlsx file.")
    write_table_file(path, header, ([_cell_text(value) for value in record] for record in records))


def decode_text(data: bytes) -> str:
    """Decode bytes saved by a spreadsheet: UTF-8 first, then Windows-1252, then Latin-1."""
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any byte string")  # pragma: no cover


def _csv_lines(path: Path) -> list[tuple[int, list[str]]]:
    text = decode_text(path.read_bytes())
    dialect: type[csv.Dialect] = csv.excel
    first_line = text.split("\n", 1)[0]
    if "," not in first_line:
        # Spreadsheets in some locales save with ";" (or tabs): guess from the header only,
        # so commas inside quoted cells can never mislead the guess.
        try:
            dialect = csv.Sniffer().sniff(first_line, delimiters=";\t")
        except csv.Error:
            dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    lines: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for record in reader:
            lines.append((start, [unguard_csv_cell(cell) for cell in record]))
            start = reader.line_num + 1
    except csv.Error as error:
        raise TableError(f"line {reader.line_num}: {limits.csv_error(error, path.name)}") from None
    return lines


def _xlsx_lines(path: Path, sheet: str | None) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise TableError(f"{path.name} is not a readable .xlsx workbook.") from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise TableError(f"{path.name} has no sheet named {sheet!r}.")
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        return [
            (number, [_cell_text(value) for value in values])
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """A cell as text: whole numbers without '.0', booleans as true/false, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _to_table(path: Path, lines: list[tuple[int, list[str]]]) -> Table:
    non_blank = [(number, cells) for number, cells in lines if any(c.strip() for c in cells)]
    if not non_blank:
        raise TableError(f"{path.name} is empty: it needs a header row.")
    header_line, header_cells = non_blank[0]
    header = [cell.strip() for cell in header_cells]
    while header and not header[-1]:
        header.pop()  # trailing empty header cells (common in spreadsheets)
    named = [name for name in header if name]
    duplicates = sorted({name for name in named if named.count(name) > 1})
    if duplicates:
        raise TableError(
            f"{path.name}, line {header_line}: the column {duplicates[0]!r} appears twice."
        )
    if len(named) != len(header):
        raise TableError(f"{path.name}, line {header_line}: a column has no name.")
    rows = []
    for number, cells in non_blank[1:]:
        padded = [cell.strip() for cell in cells] + [""] * (len(header) - len(cells))
        values = dict(zip(header, padded, strict=False))
        if any(cell.strip() for cell in cells[len(header):]):
            values[""] = " ".join(cell.strip() for cell in cells[len(header):] if cell.strip())
        rows.append(TableRow(number, values))
    return Table(header, rows)
