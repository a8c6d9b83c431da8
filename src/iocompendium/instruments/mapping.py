"""Reading instrument files (CSV or XLSX) through a column mapping, row by row.

No database access here: :func:`convert` turns a table into clean field dictionaries and
a list of problems; the import service decides and writes. A mapping is a JSON object::

    {
      "source": {"name": "HUGGO", "attribution": "...", "licence": "CC BY 4.0", "url": "..."},
      "missing_values": ["NA", "", "None"],
      "key_columns": ["Title", "Begin"],
      "sheet": "Sheet1",                       (XLSX only; default: the first sheet)
      "fields": {
        "title": {"column": "Title", "required": true},
        "date_adopted": {"columns": ["Signature", "Begin"], "type": "date"},
        "scope": {"column": "TypeAmbit", "value_map": {"Bilateral": "bilateral", "*": "other"}},
        "status": {"column": "End", "value_map": {"*": "ended"}, "missing": "in_force"},
        "subjects": {"columns": ["TypeDomain", "TypeSubject"], "type": "list", "separator": ","},
        "legal_effect": {"constant": "binding"}
      }
    }

A field takes the first non-missing value of its ``column``/``columns`` (a ``list``
field joins them all), or a ``constant``; ``value_map`` translates values (matched
without regard to case; ``"*"`` for any other value); ``missing`` is the value when the
cell is missing. Problems that make a row meaningless (no title, a duplicated key, a
missing column) are errors and refuse the whole file; a value that cannot be read (a
date, a year, a code, a web address) is a warning: the row is imported with that value
blank.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iocompendium.instruments import typology
from iocompendium.spreadsheets import unguard_csv_cell
from iocompendium.web import limits

FIELDS = {
    "title", "other_titles", "native_type", "legal_effect", "nature", "addressees",
    "adopting_body", "scope", "domain", "year", "date_adopted", "status", "subjects", "url",
    "text_excerpt", "organisation", "organisation_name",
}
MAX_LENGTHS = {
    "native_type": 200, "legal_effect": 20, "nature": 20, "addressees": 200,
    "adopting_body": 40, "scope": 100, "domain": 100, "status": 40, "url": 1000,
    "organisation": 40, "organisation_name": 300,
}
CODED = {
    "legal_effect": typology.LEGAL_EFFECTS,
    "nature": typology.NATURES,
    "adopting_body": typology.ADOPTING_BODIES,
}
DEFAULT_MISSING = ["", "NA", "N/A", "n/a", "na", "NaN", "nan", "None", "NULL", "null", "-"]
MIN_YEAR, MAX_YEAR = 1000, 2100


class MappingError(ValueError):
    """The mapping file itself is unusable (one sentence)."""


@dataclass(frozen=True)
class Problem:
    row: int  # 1-based row in the file (the header is row 1); 0 for the whole file
    column: str
    message: str
    level: str = "error"  # "error" refuses the file; "warning" imports with a blank value

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        column = f", column {self.column}" if self.column else ""
        return f"{where}{column}: {self.message}"


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    encoding: str = "utf-8"
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Converted:
    """Clean rows (``key`` plus the mapped fields) and every problem found."""

    rows: list[dict[str, Any]]
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]


# --- the mapping file ---------------------------------------------------------------
def load_mapping(path: str | Path) -> dict:
    path = Path(path)
    try:
        mapping = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as error:
        raise MappingError(f"the mapping file {path} does not exist.") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise MappingError(f"the mapping file {path} is not valid JSON ({error}).") from error
    check_mapping(mapping)
    return mapping


def check_mapping(mapping: Any) -> None:
    if not isinstance(mapping, dict) or not isinstance(mapping.get("fields"), dict):
        raise MappingError('the mapping must be a JSON object with a "fields" object.')
    unknown = sorted(set(mapping["fields"]) - FIELDS)
    if unknown:
        raise MappingError(
            f"the mapping names unknown fields ({', '.join(unknown)}); "
            f"known fields: {', '.join(sorted(FIELDS))}."
        )
    if "title" not in mapping["fields"]:
        raise MappingError('the mapping must say which column feeds "title".')
    if not mapping.get("key_columns"):
        raise MappingError('the mapping must list its "key_columns" (what identifies a row).')
    for name, spec in mapping["fields"].items():
        if not isinstance(spec, dict) or not ({"column", "columns", "constant"} & set(spec)):
            raise MappingError(f'field "{name}" needs a "column", "columns" or "constant".')


def source_of(mapping: Mapping) -> dict:
    source = mapping.get("source") or {}
    if isinstance(source, str):
        source = {"name": source}
    return {
        "name": str(source.get("name") or "Imported file")[:100],
        "attribution": str(source.get("attribution") or ""),
        "licence": str(source.get("licence") or "")[:100],
        "url": str(source.get("url") or "")[:500],
    }


# --- reading files ------------------------------------------------------------------
def read_table(path: str | Path, sheet: str | None = None) -> Table:
    """A CSV (any common encoding) or XLSX file as a header and rows of strings."""
    path = Path(path)
    if not path.is_file():
        raise MappingError(f"the file {path} does not exist.")
    try:
        limits.check_file(path)
    except limits.LimitError as error:
        raise MappingError(str(error)) from None
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _read_xlsx(path, sheet)
    return _read_csv(path)


def decode(data: bytes) -> tuple[str, str]:
    """Text of a file: UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _read_csv(path: Path) -> Table:
    text, encoding = decode(path.read_bytes())
    try:
        dialect = csv.Sniffer().sniff(text[:20000], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = [h.strip() for h in next(reader)]
        rows = [[unguard_csv_cell(cell) for cell in row] for row in reader]
    except StopIteration as error:
        raise MappingError(f"the file {path} is empty.") from error
    except csv.Error as error:
        raise MappingError(str(limits.csv_error(error, path.name))) from None
    table = Table(header=header, rows=rows, encoding=encoding)
    if encoding != "utf-8-sig":
        table.problems.append(Problem(0, "", f"the file is not UTF-8; read as {encoding}.",
                                      "warning"))
    return table


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - any unreadable workbook is one message
        raise MappingError(f"the file {path.name} is not a readable XLSX workbook.") from error
    try:
        if sheet and sheet not in workbook.sheetnames:
            raise MappingError(f'the workbook has no sheet "{sheet}".')
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        rows = [[_cell_text(v) for v in row] for row in worksheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    if not rows:
        raise MappingError(f"the file {path} is empty.")
    return Table(header=[h.strip() for h in rows[0]], rows=rows[1:], encoding="xlsx")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- values -------------------------------------------------------------------------
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def parse_date(raw: str) -> tuple[str, str | None]:
    """A partial ISO date ("1990", "1990-05", "1990-05-17") and a warning, if any."""
    text = raw.strip()
    note = None
    if text.endswith("?"):
        text, note = text.rstrip("?").strip(), f'uncertain date "{raw}" kept as {{}}.'
    if ".." in text:
        text, note = text.split("..", 1)[0].strip(), f'date range "{raw}": kept its start {{}}.'
    text = text.split("T", 1)[0].split(" ", 1)[0]
    match = _DATE.match(text)
    if not match:
        dmy = _DMY.match(text)
        if not dmy:
            return "", f'"{raw}" is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD); left blank.'
        match = _DATE.match(f"{dmy.group(3)}-{dmy.group(2)}-{dmy.group(1)}")
    year, month, day = match.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return "", f'"{raw}" is not a valid date; left blank.'
    if not MIN_YEAR <= int(year) <= MAX_YEAR:
        return "", f'"{raw}" is out of range ({MIN_YEAR}–{MAX_YEAR}); left blank.'
    value = year + (f"-{int(month):02d}" if month else "") + (f"-{int(day):02d}" if day else "")
    return value, note.format(value) if note else None


def parse_year(raw: str) -> tuple[int | None, str | None]:
    text = raw.strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
        value, _ = parse_date(raw)
        if value:
            return int(value[:4]), None
        return None, f'"{raw}" is not a year; left blank.'
    return int(text), None


_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
_BARE_DOMAIN = re.compile(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(/\S*)?$", re.IGNORECASE)


def parse_url(raw: str) -> tuple[str, str | None]:
    """A web address; quotes around it are dropped, a bare "www.x.org" gets https://."""
    first = raw.strip().split()[0].strip("\"'") if raw.strip() else ""
    if _URL.match(first):
        return first, None
    if _BARE_DOMAIN.match(first):
        return "https://" + first, None
    return "", f'"{raw[:80]}" is not a web address (http:// or https://); left blank.'


def make_key(source: str, organisation: str, key_values: Iterable[str]) -> str:
    """The stable identity of an imported row (idempotent re-imports)."""
    text = "\x1f".join([source, organisation, *[" ".join(v.split()) for v in key_values]])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


# --- conversion ---------------------------------------------------------------------
class _RowConverter:
    def __init__(self, mapping: Mapping, header: list[str], source: str, organisation: str):
        self.fields: dict[str, dict] = mapping["fields"]
        self.missing = {str(v).strip().casefold() for v in
                        mapping.get("missing_values", DEFAULT_MISSING)}
        self.index = {name: i for i, name in enumerate(header)}
        self.key_columns: list[str] = list(mapping["key_columns"])
        self.source = source
        self.organisation = organisation
        self.value_maps = {
            name: {str(k).casefold(): v for k, v in spec.get("value_map", {}).items()}
            for name, spec in self.fields.items()
        }
        # Fields whose reading costs more than a copy (lists, dates, codes, mapped
        # values) repeat a few values over many rows: each distinct input is read once.
        self.memo: dict[str, dict] = {
            name: {} for name, spec in self.fields.items()
            if name in CODED or name in {"year", "date_adopted", "subjects",
                                         "addressees"}
            or spec.get("type") in {"list", "date", "year"} or spec.get("value_map")
        }

    def missing_columns(self) -> list[str]:
        wanted = list(self.key_columns)
        for spec in self.fields.values():
            wanted += [spec["column"]] if "column" in spec else spec.get("columns", [])
        return [c for c in dict.fromkeys(wanted) if c not in self.index]

    def cell(self, row: list[str], column: str) -> str:
        position = self.index[column]
        value = row[position].strip() if position < len(row) else ""
        return "" if value.casefold() in self.missing else value

    def raw_values(self, row: list[str], spec: dict) -> list[tuple[str, str]]:
        if "constant" in spec:
            return [("", str(spec["constant"]))]
        columns = [spec["column"]] if "column" in spec else list(spec["columns"])
        return [(c, v) for c in columns if (v := self.cell(row, c))]

    def convert(self, row_number: int, row: list[str]) -> tuple[dict, list[Problem]]:
        problems: list[Problem] = []
        out: dict[str, Any] = {}
        for name, spec in self.fields.items():
            values = self.raw_values(row, spec)
            column = values[0][0] if values else spec.get("column", "")
            value = self._read(name, spec, values, row_number, column, problems)
            if value in ("", None) and spec.get("required"):
                problems.append(Problem(row_number, column, f"{name} is missing."))
            out[name] = value
        key_values = [self.cell(row, c) for c in self.key_columns]
        if not any(key_values):
            problems.append(Problem(row_number, ", ".join(self.key_columns),
                                    "the key columns are all empty."))
        out["key"] = make_key(self.source, self.organisation, key_values)
        if out.get("year") in ("", None) and out.get("date_adopted"):
            out["year"] = int(out["date_adopted"][:4])
        return out, problems

    def _read(self, name, spec, values, row_number, column, problems) -> Any:
        memo = self.memo.get(name)
        if memo is None:
            return self._value(name, spec, values, row_number, column, problems)
        known = memo.get(key := tuple(values))
        if known is None:
            found: list[Problem] = []
            value = self._value(name, spec, values, 0, column, found)
            known = memo[key] = (value, [(p.column, p.message, p.level) for p in found])
        problems.extend(Problem(row_number, *p) for p in known[1])
        return known[0]

    def _value(self, name, spec, values, row_number, column, problems) -> Any:
        kind = spec.get("type", "list" if name in {"subjects", "addressees"} else "text")
        if kind == "list":
            separator = spec.get("separator", ";")
            parts = [p.strip() for _, v in values for p in re.split(
                "|".join(map(re.escape, separator)) if separator else r"\s", v) if p.strip()]
            parts = [self._mapped(name, p) for p in parts]
            if not parts and "missing" in spec:
                parts = [str(spec["missing"])]
            return self._finish_list(name, parts, row_number, column, problems)
        raw = values[0][1] if values else ""
        if not raw:
            return spec.get("missing", None if name == "year" else "")
        raw = self._mapped(name, raw)
        if name == "year" or kind == "year":
            value, note = parse_year(raw)
        elif name == "date_adopted" or kind == "date":
            value, note = parse_date(raw)
        elif name == "url" or kind == "url":
            value, note = parse_url(raw)
        else:
            value, note = self._coded(name, raw)
        if note:
            problems.append(Problem(row_number, column, note, "warning"))
        return self._fit(name, value, row_number, column, problems)

    def _mapped(self, name: str, raw: str) -> str:
        table = self.value_maps.get(name)
        if not table:
            return raw
        return str(table.get(raw.casefold(), table.get("*", raw)))

    def _coded(self, name: str, raw: str) -> tuple[str, str | None]:
        codes = CODED.get(name)
        if codes is None:
            return raw, None
        code = raw.strip().casefold().replace("-", "_").replace(" ", "_")
        if code in codes:
            return code, None
        return "", f'"{raw}" is not a known {name} ({", ".join(codes)}); left blank.'

    def _finish_list(self, name, parts, row_number, column, problems) -> str:
        if name == "addressees":
            known = [p.casefold() for p in parts if p.casefold() in typology.ADDRESSEES]
            for unknown in [p for p in parts if p.casefold() not in typology.ADDRESSEES]:
                problems.append(Problem(row_number, column,
                                        f'"{unknown}" is not a known addressee; left out.',
                                        "warning"))
            return " ".join(dict.fromkeys(known))
        return self._fit(name, "; ".join(dict.fromkeys(parts)), row_number, column, problems)

    def _fit(self, name, value, row_number, column, problems) -> Any:
        limit = MAX_LENGTHS.get(name)
        if isinstance(value, str) and limit and len(value) > limit:
            problems.append(Problem(row_number, column,
                                    f"{name} is longer than {limit} characters; cut.",
                                    "warning"))
            return value[:limit]
        return value


def convert(table: Table, mapping: Mapping, *, source: str, organisation: str = "") -> Converted:
    """Every row of ``table`` through ``mapping``; all problems, by row and column."""
    converter = _RowConverter(mapping, table.header, source, organisation)
    problems = list(table.problems)
    missing = converter.missing_columns()
    if missing:
        problems.append(Problem(1, ", ".join(missing),
                                "the mapping names columns the file does not have."))
        return Converted([], problems)
    rows: list[dict] = []
    first_row_of_key: dict[str, int] = {}
    for row_number, row in _data_rows(table.rows):
        values, row_problems = converter.convert(row_number, row)
        problems.extend(row_problems)
        previous = first_row_of_key.setdefault(values["key"], row_number)
        if previous != row_number:
            problems.append(Problem(row_number, ", ".join(converter.key_columns),
                                    f"the same key as row {previous} (a duplicate row)."))
            continue
        values["row"] = row_number
        rows.append(values)
    if not rows and not [p for p in problems if p.level == "error"]:
        problems.append(Problem(0, "", "the file has no data rows."))
    return Converted(rows, problems)


def _data_rows(rows: list[list[str]]) -> Iterator[tuple[int, list[str]]]:
    for offset, row in enumerate(rows):
        if any(str(cell).strip() for cell in row):
            yield offset + 2, row
