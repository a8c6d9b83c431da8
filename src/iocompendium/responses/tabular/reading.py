"""Reading spreadsheet files into raw sheets: .xlsx (openpyxl, read-only, streamed), .csv
(streamed; delimiter sniffed; byte-order mark dropped) and .zip of CSV files (pure Python)."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iocompendium.spreadsheets import unguard_csv_cell
from iocompendium.web import limits

from .common import MAIN_SHEET, fill, gettext_noop

# --------------------------------------------------------------------------- reading files


class TabularFileError(Exception):
    """The file cannot be read as a spreadsheet at all (one sentence).

    ``template`` and ``params`` give the sentence to translate; ``str()`` is English."""

    def __init__(self, template: str, **params: Any):
        super().__init__(fill(template, params))
        self.template, self.params = template, params


@dataclass
class RawSheet:
    name: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (1-based spreadsheet row, cells)


def _sniff_delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    return max([",", ";", "\t"], key=first_line.count)


def _csv_sheet(name: str, text: str) -> RawSheet:
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=_sniff_delimiter(text))
    try:
        rows = [[unguard_csv_cell(cell) for cell in row] for row in reader]
    except csv.Error as error:
        refused = limits.csv_error(error, name)
        raise TabularFileError(refused.template, **refused.params) from None
    headers = rows[0] if rows else []
    body = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(row)]
    return RawSheet(name, headers, body)


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TabularFileError(
            gettext_noop("%(file)s is not UTF-8 text (%(reason)s)."), file=name, reason=error.reason
        ) from error


def read_sheets(path: Path | str, data: bytes | None = None) -> list[RawSheet]:
    """Every sheet of an .xlsx, a .csv or a .zip of CSV files, in file order."""
    path = Path(path)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise TabularFileError(
                gettext_noop("Cannot read %(file)s: %(reason)s."), file=path, reason=error.strerror
            ) from error
    suffix = path.suffix.lower()
    try:
        limits.check_file(path, data)
    except limits.LimitError as error:
        raise TabularFileError(error.template, **error.params) from None
    if suffix in {".csv", ".tsv", ".txt"}:
        return _within_limits([_csv_sheet(MAIN_SHEET, _decode(data, path.name))])
    if suffix == ".zip":
        return _within_limits(_read_zip(data, path.name))
    if suffix in {".xlsx", ".xlsm"}:
        return _within_limits(_read_xlsx(data, path.name))
    raise TabularFileError(
        gettext_noop("%(file)s: use an .xlsx workbook, a .csv file or a .zip of CSV files."),
        file=path.name,
    )


def _within_limits(sheets: list[RawSheet]) -> list[RawSheet]:
    """The sheets, if no cell is longer than an answer may be (the web's limit)."""
    for sheet in sheets:
        for number, cells in sheet.rows:
            for cell in cells:
                if isinstance(cell, str) and len(cell) > limits.MAX_ANSWER_LENGTH:
                    raise TabularFileError(
                        gettext_noop("%(sheet)s, row %(row)s: a cell holds %(length)s "
                                     "characters; an answer may have %(limit)s at most."),
                        sheet=sheet.name, row=number, length=f"{len(cell):,}",
                        limit=f"{limits.MAX_ANSWER_LENGTH:,}")
    return sheets


def _read_zip(data: bytes, filename: str) -> list[RawSheet]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise TabularFileError(
            gettext_noop("%(file)s is not a valid zip file."), file=filename
        ) from error
    sheets = []
    for member in archive.namelist():
        if member.lower().endswith(".csv") and not member.startswith("__MACOSX"):
            sheets.append(_csv_sheet(Path(member).stem, _decode(archive.read(member), member)))
    if not sheets:
        raise TabularFileError(gettext_noop("%(file)s holds no CSV file."), file=filename)
    return sheets


def _read_xlsx(data: bytes, filename: str) -> list[RawSheet]:
    """Every sheet, read by calamine (Rust; about 25 times faster than openpyxl on the
    REACH file: see docs/benchmarks.md, issue 11), row by row."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [_calamine_sheet(workbook, name) for name in workbook.sheet_names]
    except Exception as error:  # noqa: BLE001 - calamine raises many kinds on bad files
        raise TabularFileError(
            gettext_noop("%(file)s is not a readable .xlsx workbook."), file=filename
        ) from error
    return sheets


def _calamine_sheet(workbook, name: str) -> RawSheet:
    sheet = workbook.get_sheet_by_name(name)
    first_row, first_column = sheet.start or (0, 0)
    padding = [""] * first_column  # calamine starts at the first used column
    rows = iter(sheet.iter_rows())
    headers = ["" if h is None else str(h) for h in padding + list(next(rows, []))]
    body = [
        (number, padding + list(row))
        for number, row in enumerate(rows, start=first_row + 2)
        if any(cell is not None and cell != "" for cell in row)
    ]
    return RawSheet(name, headers, body)

