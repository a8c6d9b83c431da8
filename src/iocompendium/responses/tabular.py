"""The wide layout of responses, as KoboToolbox and ODK export it: read and write.

Pure Python (no Django): used by the spreadsheet import (``responses/importing.py``) and
by the exports (``evidence/exports.py``).

The layout (documented for users in ``docs/data-dictionary.md``):

* a **main sheet**, one row per response: ``_index`` (1, 2, ...), ``organisation``
  (acronym), ``_response_status``, optionally ``_response_title``, then one column per
  question outside any repeat group, named by its path (``organisation/category``).
  A select_multiple question has its space-separated column plus one 0/1 column per choice,
  ``question/choice`` (Kobo's layout);
* a **sheet per repeat group**, named by the repeat's name (``instruments``), one row per
  instance: ``_index`` (unique in the sheet), ``_parent_index`` (the ``_index`` of the
  parent row: the main sheet, or the enclosing repeat's sheet), ``_parent_table_name``,
  ``organisation``, then the repeat's questions by their template path
  (``variety/instruments/title``). Instances of one parent keep the order of the rows.

Reading accepts more than it writes: bare question names when unambiguous, ``q.choice``
0/1 columns, headers mangled by R (``X.U.FEFF.start``, ``X_index``), Kobo metadata.

Messages stay translatable without Django: every problem is an English template marked
with ``gettext_noop`` (so ``makemessages`` collects it) plus its parameters; the Django
side (``importing.problem_text``) translates the template, then fills in the parameters.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iocompendium.questionnaires.structure import (
    NON_ANSWER_TYPES,
    QuestionRef,
    Structure,
    iter_nodes,
    iter_questions,
)
from iocompendium.spreadsheets import csv_text, tables_xlsx, unguard_csv_cell

MAIN_SHEET = "responses"
KEY_COLUMN = "organisation"
INDEX = "_index"
PARENT_INDEX = "_parent_index"
PARENT_TABLE = "_parent_table_name"
STATUS = "_response_status"
TITLE = "_response_title"
# Excel refuses longer sheet names.
MAX_SHEET_NAME = 31
# Metadata types of XLSForm: filled by the data-collection device, never by a person.
METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
        "start-geopoint",
        "background-audio",
    }
)
# Answers nobody types; a column holding them is ignored on import.
NOT_IMPORTED_TYPES = NON_ANSWER_TYPES | {"note"}


def gettext_noop(message: str) -> str:
    """Mark a message for translation without translating it (see the module docstring).

    A plain function rather than Django's: this module stays pure Python. ``makemessages``
    finds the calls by this name."""
    return message


def fill(template: str, params: Mapping[str, Any]) -> str:
    """A message template with its parameters filled in (no parameters: verbatim)."""
    return template % params if params else template


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


# --------------------------------------------------------------------------- form layout


def answerable(ref: QuestionRef) -> bool:
    """A question a person answers (not a note, calculation or device metadata)."""
    return ref.type not in NOT_IMPORTED_TYPES and ref.type not in METADATA_TYPES


def repeat_refs(structure: Structure) -> list[QuestionRef]:
    return [ref for ref in iter_nodes(structure) if ref.type == "repeat"]


def sheet_name_for(repeat_ref: QuestionRef, taken: set[str]) -> str:
    """The repeat's name, made unique and short enough for Excel."""
    base = repeat_ref.name[:MAX_SHEET_NAME]
    name, counter = base, 2
    while name.lower() in taken:
        suffix = f"_{counter}"
        name, counter = base[: MAX_SHEET_NAME - len(suffix)] + suffix, counter + 1
    taken.add(name.lower())
    return name


def repeat_sheet_names(structure: Structure) -> dict[str, str]:
    """Template path of every repeat -> its sheet name."""
    taken = {MAIN_SHEET}
    return {ref.path: sheet_name_for(ref, taken) for ref in repeat_refs(structure)}


def questions_by_scope(structure: Structure) -> dict[str | None, list[QuestionRef]]:
    """Answerable questions grouped by their innermost repeat (None: the main sheet)."""
    scopes: dict[str | None, list[QuestionRef]] = defaultdict(list)
    for ref in iter_questions(structure):
        if answerable(ref):
            scopes[ref.repeats[-1] if ref.repeats else None].append(ref)
    return scopes


def choice_names(structure: Structure, ref: QuestionRef) -> list[str]:
    names = [
        c["name"] for c in structure.get("choices", {}).get(ref.node.get("choice_list", ""), [])
    ]
    if ref.node.get("or_other") and "other" not in names:
        names.append("other")
    return names


# --------------------------------------------------------------------------- writing


def _instance_path(template: str, indexes: tuple[int, ...], repeats: tuple[str, ...]) -> str:
    """``variety/instruments/title`` with indexes (3,) -> ``variety/instruments[3]/title``."""
    path = template
    # Insert from the innermost repeat outwards so earlier offsets stay valid.
    for repeat, index in reversed(list(zip(repeats, indexes, strict=True))):
        path = f"{repeat}[{index}]" + path[len(repeat) :]
    return path


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
    rows = [[unguard_csv_cell(cell) for cell in row] for row in reader]
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
    if suffix in {".csv", ".tsv", ".txt"}:
        return [_csv_sheet(MAIN_SHEET, _decode(data, path.name))]
    if suffix == ".zip":
        return _read_zip(data, path.name)
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(data, path.name)
    raise TabularFileError(
        gettext_noop("%(file)s: use an .xlsx workbook, a .csv file or a .zip of CSV files."),
        file=path.name,
    )


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
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds on bad files
        raise TabularFileError(
            gettext_noop("%(file)s is not a readable .xlsx workbook."), file=filename
        ) from error
    sheets = []
    for worksheet in workbook.worksheets:
        rows = worksheet.iter_rows(values_only=True)
        headers = ["" if h is None else str(h) for h in next(rows, ())]
        body = [
            (number, list(row))
            for number, row in enumerate(rows, start=2)
            if any(cell is not None and cell != "" for cell in row)
        ]
        sheets.append(RawSheet(worksheet.title, headers, body))
    workbook.close()
    return sheets


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Problem:
    """Something in the file that does not fit the form, where it is."""

    sheet: str
    row: int  # 1-based spreadsheet row; 1 = the header row
    column: str
    template: str  # English, marked with gettext_noop; %(name)s placeholders
    severity: str = "error"  # or "warning": reported, the import goes on
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def message(self) -> str:
        """The sentence in English (the command's output)."""
        return fill(self.template, self.params)

    def __str__(self) -> str:
        where = f"sheet '{self.sheet}', row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{self.severity}: {where}: {self.message}"


@dataclass
class ParsedResponse:
    """One row of the main sheet with everything under it."""

    key: str
    sheet: str
    row: int
    answers: dict[str, str] = field(default_factory=dict)
    status: str = ""
    title: str = ""
    # Answer path -> (sheet, row, column) where it came from, to place engine errors.
    locations: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    # Answer paths whose cell was refused: already reported, not checked again.
    rejected: set[str] = field(default_factory=set)


@dataclass
class ParsedFile:
    responses: list[ParsedResponse]
    problems: list[Problem]
    # Template paths of the questions the file has a column for: the file is
    # authoritative for them (an empty cell clears the answer).
    covered: set[str]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def normalise_header(header: str) -> str:
    """Undo the mangling of R's ``make.names`` and byte-order marks."""
    header = header.strip().lstrip("\ufeff")
    if header.startswith("X.U.FEFF."):
        header = header[len("X.U.FEFF.") :]
    if re.fullmatch(r"X_[A-Za-z].*", header):
        header = header[1:]  # R turns "_index" into "X_index"
    return header


@dataclass(frozen=True)
class Column:
    position: int
    header: str
    ref: QuestionRef | None
    choice: str | None = None  # set for a select_multiple's 0/1 column


def _resolve_columns(
    structure: Structure,
    sheet: RawSheet,
    scope: str | None,
    problems: list[Problem],
    key: str | None,
) -> list[Column]:
    every = [
        ref
        for ref in iter_questions(structure)
        if (ref.repeats[-1] if ref.repeats else None) == scope
    ]
    by_path = {ref.path: ref for ref in every}
    by_name: dict[str, list[QuestionRef]] = defaultdict(list)
    by_relative: dict[str, QuestionRef] = {}
    for ref in every:
        by_name[ref.name].append(ref)
        if scope:
            by_relative[ref.path[len(scope) + 1 :]] = ref

    def lookup(text: str) -> QuestionRef | None:
        for candidate in (text, text.replace(".", "/")):
            if candidate in by_path:
                return by_path[candidate]
            if candidate in by_relative:
                return by_relative[candidate]
            if (
                candidate.startswith(f"{scope}/")
                and scope
                and candidate[len(scope) + 1 :] in by_relative
            ):
                return by_relative[candidate[len(scope) + 1 :]]
        matches = by_name.get(text, [])
        return matches[0] if len(matches) == 1 else None

    columns = []
    for position, raw in enumerate(sheet.headers):
        header = normalise_header(raw)
        if (
            not header
            or header == key
            or header.startswith("_")
            or header in {KEY_COLUMN, "organisation_acronym"}
        ):
            continue
        ref = lookup(header)
        if ref is not None:
            columns.append(Column(position, raw, ref))
            continue
        choice_column = _choice_column(structure, header, lookup)
        if choice_column is not None:
            columns.append(Column(position, raw, choice_column[0], choice_column[1]))
            continue
        if len(by_name.get(header, [])) > 1:
            message = gettext_noop("'%(header)s' names several questions; use the question's path.")
        else:
            message = gettext_noop("matches no question of the form; the column is ignored.")
        problems.append(Problem(sheet.name, 1, raw, message, "warning", {"header": header}))
    return columns


def _choice_column(structure, header: str, lookup) -> tuple[QuestionRef, str] | None:
    """``q/choice`` or ``q.choice`` naming a choice of select_multiple ``q``."""
    for separator in ("/", "."):
        if separator not in header:
            continue
        question, _, choice = header.rpartition(separator)
        ref = lookup(question)
        if (
            ref is not None
            and ref.type == "select_multiple"
            and choice in choice_names(structure, ref)
        ):
            return ref, choice
    return None


def _text(value: Any) -> str:
    """A cell as the text the answer stores."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value).strip()


CellError = tuple[str, dict[str, str]]  # (message template, its parameters)


def check_value(structure: Structure, ref: QuestionRef, value: str) -> tuple[str, CellError | None]:
    """(normalised value, error or None) for one cell against the question's type."""
    kind = ref.type
    given = {"value": value}
    if value == "":
        return value, None
    if kind == "integer":
        if re.fullmatch(r"[+-]?\d+", value):
            return str(int(value)), None
        return value, (gettext_noop("'%(value)s' is not a whole number."), given)
    if kind == "decimal":
        try:
            float(value)
        except ValueError:
            return value, (gettext_noop("'%(value)s' is not a number."), given)
        return value, None
    if kind == "date":
        candidate = (
            value[:10] if re.fullmatch(r"\d{4}-\d{2}-\d{2}(T00:00(:00(\.0+)?)?)?", value) else value
        )
        try:
            dt.date.fromisoformat(candidate)
        except ValueError:
            return value, (gettext_noop("'%(value)s' is not a date written YYYY-MM-DD."), given)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", candidate):
            return value, (gettext_noop("'%(value)s' is not a date written YYYY-MM-DD."), given)
        return candidate, None
    if kind == "select_one":
        if value not in choice_names(structure, ref):
            return value, (gettext_noop("'%(value)s' is not a choice of this question."), given)
        return value, None
    if kind == "select_multiple":
        tokens = value.split()
        unknown = [t for t in tokens if t not in choice_names(structure, ref)]
        if unknown:
            return value, (
                gettext_noop("not a choice of this question: %(value)s."),
                {"value": ", ".join(repr(t) for t in unknown)},
            )
        if len(set(tokens)) != len(tokens):
            return value, (gettext_noop("a choice is given twice."), {})
        return " ".join(tokens), None
    return value, None


def _row_answers(
    structure: Structure,
    sheet: RawSheet,
    row_number: int,
    cells: list[Any],
    columns: list[Column],
    indexes: tuple[int, ...],
    parsed: ParsedResponse,
    problems: list[Problem],
) -> None:
    """Check the cells of one row and add its answers to the response."""
    flags: dict[str, dict[str, str]] = defaultdict(dict)  # question path -> choice -> 0/1
    direct: dict[str, str] = {}
    refs: dict[str, QuestionRef] = {}
    for column in columns:
        ref = column.ref
        if not answerable(ref):
            continue  # calculations, notes and device metadata are not answers
        value = _text(cells[column.position] if column.position < len(cells) else None)
        refs[ref.path] = ref
        if column.choice is not None:
            if value not in {"", "0", "1"}:
                problems.append(
                    Problem(
                        sheet.name,
                        row_number,
                        column.header,
                        gettext_noop("'%(value)s' is not 0 or 1."),
                        params={"value": value},
                    )
                )
            elif value:
                flags[ref.path][column.choice] = value
            continue
        normalised, error = check_value(structure, ref, value)
        if error:
            problems.append(
                Problem(sheet.name, row_number, column.header, error[0], params=error[1])
            )
            parsed.rejected.add(_instance_path(ref.path, indexes, ref.repeats))
            continue
        direct[ref.path] = normalised
        parsed.locations[_instance_path(ref.path, indexes, ref.repeats)] = (
            sheet.name,
            row_number,
            column.header,
        )
    for template, chosen in flags.items():
        ref = refs[template]
        from_flags = " ".join(c for c in choice_names(structure, ref) if chosen.get(c) == "1")
        path = _instance_path(template, indexes, ref.repeats)
        if template in direct and direct[template] != "":
            if set(direct[template].split()) != set(from_flags.split()):
                problems.append(
                    Problem(
                        sheet.name,
                        row_number,
                        template,
                        gettext_noop(
                            "the 0/1 columns (%(chosen)s) disagree with the answer '%(value)s'."
                        ),
                        params={"chosen": from_flags or "-", "value": direct[template]},
                    )
                )
        elif template not in direct or direct[template] == "":
            direct[template] = from_flags
            parsed.locations.setdefault(path, (sheet.name, row_number, template))
    for template, value in direct.items():
        ref = refs[template]
        path = _instance_path(template, indexes, ref.repeats)
        parsed.answers[path] = value
        parsed.locations.setdefault(path, (sheet.name, row_number, template))


def _repeat_aliases(structure: Structure) -> dict[str, str]:
    """Lower-cased sheet names a repeat's sheet may have -> the repeat's template path."""
    wanted: dict[str, str] = {}
    for ref in repeat_refs(structure):
        for alias in (
            ref.name,
            ref.path,
            ref.path.replace("/", "_"),
            ref.path.replace("/", "."),
            repeat_sheet_names(structure)[ref.path],
        ):
            wanted.setdefault(alias.lower(), ref.path)
            wanted.setdefault(alias[:MAX_SHEET_NAME].lower(), ref.path)
    return wanted


def _main_first(structure: Structure, sheets: list[RawSheet]) -> list[RawSheet]:
    """The main sheet is the first one not named like a repeat group (usually the first)."""
    aliases = _repeat_aliases(structure)
    for position, sheet in enumerate(sheets):
        if sheet.name.lower() not in aliases:
            return [sheet, *sheets[:position], *sheets[position + 1 :]]
    return sheets


def _match_repeat_sheets(
    structure: Structure, sheets: list[RawSheet], problems: list[Problem]
) -> dict[str, RawSheet]:
    """Repeat template path -> its sheet (named by the repeat's name or path)."""
    wanted = _repeat_aliases(structure)
    matched: dict[str, RawSheet] = {}
    for sheet in sheets[1:]:
        repeat = wanted.get(sheet.name.lower())
        if repeat is None or repeat in matched:
            problems.append(
                Problem(
                    sheet.name,
                    1,
                    "",
                    gettext_noop("the sheet matches no repeat group of the form; it is ignored."),
                    "warning",
                )
            )
            continue
        matched[repeat] = sheet
    return matched


def _find_key_column(sheet: RawSheet, key: str | None) -> int | None:
    headers = [normalise_header(h) for h in sheet.headers]
    candidates = (
        [normalise_header(key)]
        if key
        else [
            KEY_COLUMN,
            "_organisation",
            "organisation_acronym",
            "acronym",
            "organisation/acronym",
        ]
    )
    for candidate in candidates:
        if candidate in headers:
            return headers.index(candidate)
    return None


def _column_index(sheet: RawSheet, name: str) -> int | None:
    headers = [normalise_header(h) for h in sheet.headers]
    return headers.index(name) if name in headers else None


def parse_wide(
    structure: Structure, sheets: list[RawSheet], *, key: str | None = None
) -> ParsedFile:
    """Read the main sheet and the repeat sheets into responses, checking every cell.

    ``key`` names the column identifying each row's respondent (default: the
    ``organisation`` column). Every problem is collected; nothing stops at the first.
    """
    problems: list[Problem] = []
    if not sheets or not sheets[0].headers:
        return ParsedFile(
            [], [Problem(MAIN_SHEET, 1, "", gettext_noop("the file has no header row."))], set()
        )
    sheets = _main_first(structure, sheets)
    main = sheets[0]
    key_position = _find_key_column(main, key)
    if key_position is None:
        wanted = key or KEY_COLUMN
        problems.append(
            Problem(
                main.name,
                1,
                wanted,
                gettext_noop(
                    "no '%(column)s' column: each row needs the respondent it belongs to."
                ),
                params={"column": wanted},
            )
        )
        return ParsedFile([], problems, set())
    columns = _resolve_columns(structure, main, None, problems, key)
    covered = {c.ref.path for c in columns if answerable(c.ref)}
    index_position = _column_index(main, INDEX)
    status_position = _column_index(main, STATUS)
    title_position = _column_index(main, TITLE)
    responses: list[ParsedResponse] = []
    by_index: dict[str, ParsedResponse] = {}
    by_key: dict[str, list[ParsedResponse]] = defaultdict(list)
    seen_keys: dict[tuple[str, str], int] = {}
    for position, (row_number, cells) in enumerate(main.rows, start=1):
        key_value = _text(_get(cells, key_position))
        title = _text(_get(cells, title_position)) if title_position is not None else ""
        if not key_value:
            problems.append(
                Problem(
                    main.name,
                    row_number,
                    main.headers[key_position],
                    gettext_noop("the row has no respondent key."),
                )
            )
            continue
        if (key_value, title) in seen_keys:
            problems.append(
                Problem(
                    main.name,
                    row_number,
                    main.headers[key_position],
                    gettext_noop("'%(key)s' already has a row (row %(row)s)."),
                    params={"key": key_value, "row": seen_keys[(key_value, title)]},
                )
            )
            continue
        seen_keys[(key_value, title)] = row_number
        parsed = ParsedResponse(key_value, main.name, row_number, title=title)
        if status_position is not None:
            parsed.status = _text(_get(cells, status_position))
        _row_answers(structure, main, row_number, cells, columns, (), parsed, problems)
        responses.append(parsed)
        row_index = (
            _text(_get(cells, index_position)) if index_position is not None else str(position)
        )
        by_index[row_index or str(position)] = parsed
        by_key[key_value].append(parsed)
    repeat_sheets = _match_repeat_sheets(structure, sheets, problems)
    # Each sheet's row index -> (response, instance indexes), for nested repeats.
    placed: dict[str | None, dict[str, tuple[ParsedResponse, tuple[int, ...]]]] = {
        None: {index: (parsed, ()) for index, parsed in by_index.items()}
    }
    for repeat in repeat_refs(structure):
        sheet = repeat_sheets.get(repeat.path)
        if sheet is None:
            continue
        parent_scope = repeat.repeats[-1] if repeat.repeats else None
        if parent_scope is not None and parent_scope not in placed:
            problems.append(
                Problem(
                    sheet.name,
                    1,
                    "",
                    gettext_noop(
                        "the sheet of the enclosing repeat group is missing; the sheet is ignored."
                    ),
                    "warning",
                )
            )
            continue
        repeat_columns = _resolve_columns(structure, sheet, repeat.path, problems, key)
        covered |= {c.ref.path for c in repeat_columns if answerable(c.ref)}
        placed[repeat.path] = _read_repeat_sheet(
            structure,
            sheet,
            repeat.path,
            repeat_columns,
            placed[parent_scope],
            by_key if parent_scope is None else {},
            key,
            problems,
        )
    return ParsedFile(responses, problems, covered)


def _get(cells: list[Any], position: int | None) -> Any:
    if position is None or position >= len(cells):
        return None
    return cells[position]


def _read_repeat_sheet(
    structure,
    sheet: RawSheet,
    repeat: str,
    columns: list[Column],
    parents: dict[str, tuple[ParsedResponse, tuple[int, ...]]],
    by_key: dict[str, list[ParsedResponse]],
    key: str | None,
    problems: list[Problem],
) -> dict[str, tuple[ParsedResponse, tuple[int, ...]]]:
    parent_position = _column_index(sheet, PARENT_INDEX)
    key_position = _find_key_column(sheet, key)
    index_position = _column_index(sheet, INDEX)
    if parent_position is None and key_position is None:
        problems.append(
            Problem(
                sheet.name,
                1,
                PARENT_INDEX,
                gettext_noop(
                    "no '%(parent)s' or '%(key)s' column links the rows to their parent row."
                ),
                params={"parent": PARENT_INDEX, "key": KEY_COLUMN},
            )
        )
        return {}
    counters: dict[tuple[int, tuple[int, ...]], int] = defaultdict(int)
    placed = {}
    for position, (row_number, cells) in enumerate(sheet.rows, start=1):
        parent = None
        if parent_position is not None and _text(_get(cells, parent_position)):
            parent = parents.get(_text(_get(cells, parent_position)))
            where = sheet.headers[parent_position]
            missing = gettext_noop("no parent row has %(parent)s '%(value)s'.")
            given = {"parent": PARENT_INDEX, "value": _text(_get(cells, parent_position))}
        elif key_position is not None:
            owners = by_key.get(_text(_get(cells, key_position)), [])
            parent = (owners[0], ()) if len(owners) == 1 else None
            where = sheet.headers[key_position]
            missing = gettext_noop("no single row of the main sheet for '%(value)s'.")
            given = {"value": _text(_get(cells, key_position))}
        else:
            where, missing = PARENT_INDEX, gettext_noop("the row has no parent index.")
            given = {}
        if parent is None:
            problems.append(Problem(sheet.name, row_number, where, missing, params=given))
            continue
        response, parent_indexes = parent
        counter_key = (id(response), parent_indexes)
        counters[counter_key] += 1
        indexes = parent_indexes + (counters[counter_key],)
        _row_answers(structure, sheet, row_number, cells, columns, indexes, response, problems)
        row_index = (
            _text(_get(cells, index_position)) if index_position is not None else str(position)
        )
        placed[row_index or str(position)] = (response, indexes)
    return placed
