"""Reading spreadsheet files into raw sheets: .xlsx (calamine, or streamed by ``xlsx`` when
large), .csv (streamed; delimiter sniffed; byte-order mark dropped) and .zip of CSV files."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat

from iocompendium.spreadsheets import unguard_csv_cell
from iocompendium.web import limits

from . import xlsx
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
    # (1-based spreadsheet row, cells): a list, or ``CsvRows`` read again from the file on
    # every pass so that a large CSV is never held whole (docs/benchmarks.md, issue 11).
    rows: Iterable[tuple[int, list[Any]]]


def _sniff_delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    return max([",", ";", "\t"], key=first_line.count)


class CsvRows:
    """The body rows of a CSV file or bytes, parsed anew on each iteration (flat memory).

    ``read_sheets`` iterates once to check the whole file (UTF-8, cell sizes), so that a
    bad file is refused before anything is written; the parser iterates again."""

    def __init__(self, name: str, path: Path | None, data: bytes | None) -> None:
        self.name, self.path, self.data = name, path, data

    def _open(self) -> io.TextIOBase:
        # utf-8-sig drops the byte-order mark; newline="" as the csv module wants.
        if self.data is not None:
            return io.TextIOWrapper(io.BytesIO(self.data), encoding="utf-8-sig", newline="")
        return open(self.path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed below

    def records(self) -> Iterator[list[str]]:
        """Every record, the header first, with guarded cells unguarded."""
        with self._open() as stream:
            try:
                delimiter = _sniff_delimiter(stream.readline().lstrip("\ufeff"))
                stream.seek(0)
                reader = csv.reader(stream, delimiter=delimiter)
                first = True
                for row in reader:
                    if first and row:
                        row[0] = row[0].lstrip("\ufeff")
                    first = False
                    # Looked for in the joined row first (C speed): few cells are guarded.
                    if "\x1f'" in "\x1f".join(("", *row)):
                        row = [unguard_csv_cell(c) if c[:1] == "'" else c for c in row]
                    yield row
            except csv.Error as error:
                refused = limits.csv_error(error, self.name)
                raise TabularFileError(refused.template, **refused.params) from None
            except UnicodeDecodeError as error:
                raise TabularFileError(
                    gettext_noop("%(file)s is not UTF-8 text (%(reason)s)."), file=self.name,
                    reason=error.reason,
                ) from error

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        records = self.records()
        next(records, None)  # the header
        for number, row in enumerate(records, start=2):
            if any(row):
                yield number, row


def _csv_sheet(name: str, file_name: str, path: Path | None, data: bytes | None) -> RawSheet:
    rows = CsvRows(file_name, path, data)
    headers = next(rows.records(), [])
    return RawSheet(name, headers, rows)


def read_sheets(path: Path | str, data: bytes | None = None) -> list[RawSheet]:
    """Every sheet of an .xlsx, a .csv or a .zip of CSV files, in file order.

    A .csv is checked whole here but its rows are read again from the file when iterated
    (``CsvRows``): memory stays flat whatever its size."""
    path = Path(path)
    suffix = path.suffix.lower()
    if data is None and suffix in CSV_SUFFIXES | XLSX_SUFFIXES:
        # Read from the file as they are iterated (streamed), not loaded here.
        try:
            path.open("rb").close()
        except OSError as error:
            raise _cannot_read(path, error) from error
        if suffix in CSV_SUFFIXES:
            return _within_limits([_csv_sheet(MAIN_SHEET, path.name, path, None)])
        _check_file(path, None)
        return _within_limits(_read_xlsx(path, None, path.name))
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise _cannot_read(path, error) from error
    _check_file(path, data)
    if suffix in CSV_SUFFIXES:
        return _within_limits([_csv_sheet(MAIN_SHEET, path.name, None, data)])
    if suffix == ".zip":
        return _within_limits(_read_zip(data, path.name))
    if suffix in XLSX_SUFFIXES:
        return _within_limits(_read_xlsx(path, data, path.name))
    raise TabularFileError(
        gettext_noop("%(file)s: use an .xlsx workbook, a .csv file or a .zip of CSV files."),
        file=path.name,
    )


def _cannot_read(path: Path, error: OSError) -> TabularFileError:
    return TabularFileError(
        gettext_noop("Cannot read %(file)s: %(reason)s."), file=path, reason=error.strerror
    )


def _check_file(path: Path, data: bytes | None) -> None:
    """The web's limits on a zip-based file (unpacked size, members, entities), in the
    import's own words."""
    try:
        limits.check_file(path, data)
    except limits.LimitError as error:
        raise TabularFileError(error.template, **error.params) from None


CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
# Unpacked worksheet XML past which a workbook is streamed (``xlsx.XlsxRows``) instead of
# read whole by calamine: about 1,500 rows of a Kobo export of 350 columns, for which
# calamine takes some 50 MB (168 MB at 5,000 rows; docs/decisions/0023-streamed-xlsx-import.md).
STREAM_XLSX_BYTES = 16 * 2**20


def _within_limits(sheets: list[RawSheet]) -> list[RawSheet]:
    """The sheets, if every row reads and no cell is longer than an answer may be (the
    web's limit). One pass over every row: a CSV's encoding is checked here too."""
    longest = limits.MAX_ANSWER_LENGTH
    for sheet in sheets:
        if isinstance(sheet.rows, _XlsxSheetRows) and sheet.rows.checked(longest):
            continue  # well formed, and no text that long: the rows need not be read
        for number, cells in sheet.rows:
            try:
                length = max(map(len, cells), default=0)  # a row of text (C speed)
            except TypeError:  # numbers, dates, empty cells of an .xlsx
                length = max(map(_length, cells), default=0)
            if length <= longest:
                continue
            cell = next(c for c in cells if _length(c) > longest)
            raise TabularFileError(
                gettext_noop("%(sheet)s, row %(row)s: a cell holds %(length)s "
                             "characters; an answer may have %(limit)s at most."),
                sheet=sheet.name, row=number, length=f"{len(cell):,}",
                limit=f"{limits.MAX_ANSWER_LENGTH:,}")
    return sheets


def _length(cell: Any) -> int:
    return len(cell) if isinstance(cell, str) else 0


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
            sheets.append(_csv_sheet(Path(member).stem, member, None, archive.read(member)))
    if not sheets:
        raise TabularFileError(gettext_noop("%(file)s holds no CSV file."), file=filename)
    return sheets


def _read_xlsx(path: Path, data: bytes | None, filename: str) -> list[RawSheet]:
    """Every sheet: read whole by calamine (Rust; about 25 times faster than openpyxl on
    the REACH file: see docs/benchmarks.md, issue 11), or streamed row by row when a
    worksheet is larger than ``STREAM_XLSX_BYTES`` unpacked (memory stays flat)."""
    unreadable = TabularFileError(
        gettext_noop("%(file)s is not a readable .xlsx workbook."), file=filename)
    try:
        with zipfile.ZipFile(path if data is None else io.BytesIO(data)) as archive:
            members = xlsx.sheet_members(archive)
            streamed = any(archive.getinfo(member).file_size > STREAM_XLSX_BYTES
                           for _name, member in members)
            if streamed:
                strings = xlsx.shared_strings(archive)
                dates = xlsx.date_styles(archive)
                date1904 = xlsx.uses_1904(archive)
    except Exception as error:  # noqa: BLE001 - zipfile and XML raise many kinds
        raise unreadable from error
    if streamed:
        sheets = []
        for name, member in members:
            rows = _XlsxSheetRows(path if data is None else None, data, member, strings,
                                  dates, filename)
            rows.date1904 = date1904
            _number, header = rows.header()
            sheets.append(RawSheet(name, ["" if h is None else str(h) for h in header], rows))
        return sheets
    from python_calamine import CalamineWorkbook

    try:
        if data is None:
            workbook = CalamineWorkbook.from_path(str(path))
        else:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [_calamine_sheet(workbook, name) for name in workbook.sheet_names]
    except Exception as error:  # noqa: BLE001 - calamine raises many kinds on bad files
        raise unreadable from error
    return sheets


class _XlsxSheetRows(xlsx.XlsxRows):
    """``xlsx.XlsxRows`` whose damaged XML is one sentence (``TabularFileError``)."""

    def __init__(self, *args: Any) -> None:
        *args, self.filename = args
        super().__init__(*args)

    def _unreadable(self, error: Exception) -> TabularFileError:
        refused = TabularFileError(
            gettext_noop("%(file)s is not a readable .xlsx workbook."), file=self.filename)
        refused.__cause__ = error
        return refused

    def all_rows(self) -> Iterator[tuple[int, list[Any]]]:
        try:
            yield from super().all_rows()
        except (ValueError, KeyError, IndexError, SyntaxError, OSError, EOFError,
                zipfile.BadZipFile) as error:  # ParseError is a SyntaxError
            raise self._unreadable(error) from error

    def checked(self, limit: int) -> bool:
        try:
            return self.fits(limit)
        except (expat.ExpatError, ValueError, OSError, EOFError,
                zipfile.BadZipFile) as error:
            raise self._unreadable(error) from error


def _calamine_sheet(workbook, name: str) -> RawSheet:
    """One sheet read whole by calamine: its header is its first row with a value, rows
    numbered as the spreadsheet numbers them. calamine trims the empty columns before the
    table but keeps the empty rows above it (``start`` says where the table begins)."""
    sheet = workbook.get_sheet_by_name(name)
    _first_row, first_column = sheet.start or (0, 0)
    padding = [""] * first_column  # calamine starts at the first used column
    rows = list(sheet.iter_rows())
    # 0 when calamine gives every row from the first one, as it does today.
    offset = (sheet.end[0] + 1 - len(rows)) if sheet.end and rows else 0
    numbered = [
        (number, padding + list(row))
        for number, row in enumerate(rows, start=offset + 1)
        if any(cell is not None and cell != "" for cell in row)
    ]
    del rows
    if not numbered:
        return RawSheet(name, [], [])
    _number, header = numbered[0]
    headers = ["" if h is None else str(h) for h in header]
    return RawSheet(name, headers, numbered[1:])
