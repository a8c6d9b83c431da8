"""Reading an .xlsx worksheet row by row without holding it (stdlib only; issue 11).

calamine (``reading._read_xlsx``) reads a whole sheet into memory: fast, but a sheet of
50,000 KoboToolbox submissions would take more memory than the machine has. Past
``reading.STREAM_XLSX_BYTES`` of unpacked sheet XML, a sheet is read here instead: the
worksheet XML is parsed as it is unzipped (``iterparse`` of defusedxml: no entities, no
DTD) and each row is let go once read, so memory stays flat whatever the number of rows
(only the shared strings table is kept whole, as every reader of the format must).

Cells come out as calamine gives them: text, ``float`` numbers, ``bool``, ``datetime``
for numbers in a date format, ``""`` for an empty cell; ``XlsxRows`` yields
``(1-based spreadsheet row, cells)`` for every row with a non-empty cell, each cell at its
own column (column A is position 0), and the header row separately.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat

from defusedxml.ElementTree import iterparse

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE = "{http://schemas.openxmlformats.org/package/2006/relationships}"
ROW, CELL, VALUE, INLINE, TEXT, PHONETIC = (
    MAIN + "row", MAIN + "c", MAIN + "v", MAIN + "is", MAIN + "t", MAIN + "rPh")
# Built-in number formats that are dates or times (ECMA-376 18.8.30; 27-36 and 50-58 are
# the East Asian ones).
DATE_FORMATS = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
EPOCH_1904_DAYS = 1462  # 1904-01-01 counted from EXCEL_EPOCH
_COLUMN = re.compile(r"[A-Z]+")
# A custom format is a date when, outside quoted text, brackets and escapes, it has a
# day, month, year, hour or second code.
_FORMAT_NOISE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')


def _refuse(*_args: Any) -> None:
    raise expat.ExpatError("a DTD or entity declaration")


def sheet_members(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, its XML member) of every worksheet, in workbook order."""
    workbook = "xl/workbook.xml"
    targets = {}
    rels = posixpath.join(posixpath.dirname(workbook), "_rels", "workbook.xml.rels")
    for _event, element in iterparse(archive.open(rels)):
        if element.tag == PACKAGE + "Relationship":
            target = element.get("Target", "")
            if target.startswith("/"):
                target = target.lstrip("/")
            else:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(workbook), target))
            targets[element.get("Id")] = target
    sheets = []
    for _event, element in iterparse(archive.open(workbook)):
        if element.tag == MAIN + "sheet":
            member = targets.get(element.get(RELATIONSHIPS + "id", ""))
            if member and member in archive.NameToInfo:
                sheets.append((element.get("name", ""), member))
    return sheets


def shared_strings(archive: zipfile.ZipFile) -> list[str]:
    """The shared strings table (rich text runs joined; phonetic runs left out)."""
    if "xl/sharedStrings.xml" not in archive.NameToInfo:
        return []
    strings = []
    for _event, element in iterparse(archive.open("xl/sharedStrings.xml")):
        if element.tag == MAIN + "si":
            strings.append(_inline_text(element))
            element.clear()
    return strings


def _inline_text(element) -> str:
    """The text of an ``<si>`` or ``<is>``: its ``<t>``, or its runs' ``<t>`` joined."""
    parts = []
    for child in element:
        if child.tag == TEXT:
            parts.append(child.text or "")
        elif child.tag != PHONETIC:
            parts.extend(t.text or "" for t in child.iter(TEXT))
    return _unescape("".join(parts))


def date_styles(archive: zipfile.ZipFile) -> frozenset[int]:
    """The cell style indexes (``s``) whose number format is a date or time."""
    if "xl/styles.xml" not in archive.NameToInfo:
        return frozenset()
    custom: dict[int, str] = {}
    formats: list[int] = []
    in_cell_xfs = False
    for event, element in iterparse(archive.open("xl/styles.xml"), events=("start", "end")):
        if element.tag == MAIN + "numFmt" and event == "end":
            custom[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
        elif element.tag == MAIN + "cellXfs":
            in_cell_xfs = event == "start"
        elif element.tag == MAIN + "xf" and in_cell_xfs and event == "start":
            formats.append(int(element.get("numFmtId", "0")))
    return frozenset(
        index for index, number in enumerate(formats)
        if (number in custom and _is_date_format(custom[number]))
        or (number not in custom and number in DATE_FORMATS)
    )


def _is_date_format(code: str) -> bool:
    bare = _FORMAT_NOISE.sub("", code.split(";")[0]).lower()
    return any(mark in bare for mark in "dymhs") and "general" not in bare


def uses_1904(archive: zipfile.ZipFile) -> bool:
    """Whether the workbook counts dates from 1904 (``workbookPr date1904``, old Mac Excel)."""
    for _event, element in iterparse(archive.open("xl/workbook.xml")):
        if element.tag == MAIN + "workbookPr":
            return element.get("date1904", "").strip().lower() in {"1", "true"}
    return False


def excel_date(serial: float, date1904: bool = False) -> dt.datetime | dt.time:
    """A date-formatted number as calamine gives it: a datetime, or a time under one day."""
    if 0 <= serial < 1:
        moment = EXCEL_EPOCH + dt.timedelta(days=serial)
        return moment.time()
    if date1904:
        serial += EPOCH_1904_DAYS
    elif serial < 61:  # Excel's 1900 leap-year bug: serials before 1 March 1900 are off by one
        serial += 1
    moment = EXCEL_EPOCH + dt.timedelta(days=serial)
    return moment.replace(microsecond=round(moment.microsecond / 1000) * 1000 % 1_000_000)


def column_index(reference: str) -> int:
    """``"AB12"`` -> 27 (column A is 0)."""
    letters = _COLUMN.match(reference)
    index = 0
    for letter in letters.group(0) if letters else "":
        index = index * 26 + ord(letter) - 64
    return index - 1


class XlsxRows:
    """The rows of one worksheet, parsed anew on each iteration (flat memory).

    ``read_sheets`` iterates once to check the whole sheet (well-formed XML, cell sizes)
    so that a bad file is refused before anything is written; the parser iterates again.
    ``header()`` gives the first row with a non-empty cell and its row number."""

    date1904 = False  # set from ``uses_1904`` by the caller

    def __init__(self, path: Path | None, data: bytes | None, member: str,
                 strings: list[str], dates: frozenset[int]) -> None:
        self.path, self.data, self.member = path, data, member
        self.strings, self.dates = strings, dates

    def _archive(self) -> zipfile.ZipFile:
        import io

        return zipfile.ZipFile(self.path if self.data is None else io.BytesIO(self.data))

    def all_rows(self) -> Iterator[tuple[int, list[Any]]]:
        """Every row with a non-empty cell, the header row included."""
        strings, dates = self.strings, self.dates
        columns: dict[str, int] = {}  # cell reference's letters -> position
        with self._archive() as archive, archive.open(self.member) as stream:
            number = 0
            for _event, element in iterparse(stream):
                if element.tag != ROW:
                    continue
                given = element.get("r")
                number = int(given) if given else number + 1
                cells = _row_cells(element, strings, dates, columns, self.date1904)
                element.clear()  # the row read is let go: memory stays flat
                if any(cell != "" for cell in cells):
                    yield number, cells

    def fits(self, limit: int) -> bool:
        """Whether the sheet is well-formed XML with no text longer than ``limit``
        characters, by a scan at C speed (expat without handlers, a regular expression
        over the raw bytes); False when some text may be longer: the caller then reads the
        rows to find it. Raises ``ExpatError`` on XML that is not well formed."""
        if any(len(text) > limit for text in self.strings):
            return False
        # A run of more than ``limit`` bytes outside markup: a text that long may be there
        # (bytes >= characters; escapes only make the raw text longer).
        long_text = re.compile(rb"[^<]{%d,}" % (limit + 1))
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = _refuse  # no DTD, no entities (as defusedxml)
        parser.EntityDeclHandler = _refuse
        tail = b""
        with self._archive() as archive, archive.open(self.member) as stream:
            while block := stream.read(1 << 20):
                parser.Parse(block, False)
                window = tail + block
                if long_text.search(window):
                    return False
                tail = window[window.rfind(b"<") + 1:] if b"<" in window else window
            parser.Parse(b"", True)
        return True

    def header(self) -> tuple[int, list[Any]]:
        return next(self.all_rows(), (1, []))

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        rows = self.all_rows()
        next(rows, None)  # the header
        yield from rows


def _row_cells(row, strings: list[str], dates: frozenset[int], columns: dict[str, int],
               date1904: bool = False) -> list[Any]:
    cells: list[Any] = []
    for cell in row:
        if cell.tag != CELL:
            continue
        attributes = cell.attrib
        reference = attributes.get("r")
        if reference:
            letters = reference.rstrip(_DIGITS)
            position = columns.get(letters)
            if position is None:
                position = columns[letters] = column_index(letters)
        else:
            position = len(cells)
        kind = attributes.get("t", "n")
        value: Any = ""
        for child in cell:
            tag = child.tag
            if tag == VALUE:
                text = child.text
                if text is None:
                    break
                if kind == "s":
                    value = strings[int(text)]
                elif kind == "n":
                    value = float(text)
                    style = attributes.get("s")
                    if style is not None and dates and int(style) in dates:
                        value = excel_date(value, date1904)
                elif kind == "str" or kind == "e":  # a formula's text; an error (#N/A)
                    value = _unescape(text)
                elif kind == "b":
                    value = text.strip() in {"1", "true"}
                elif kind == "d":
                    try:
                        value = dt.datetime.fromisoformat(text)
                    except ValueError:
                        value = text
                else:
                    value = text
                break
            if tag == INLINE:
                value = _inline_text(child)
                break
        if position >= len(cells):
            if position > len(cells):
                cells.extend([""] * (position - len(cells)))
            cells.append(value)
        else:
            cells[position] = value
    return cells


_DIGITS = "0123456789"
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """OOXML's escapes of characters XML cannot hold (``_x000D_`` is a carriage return)."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)
