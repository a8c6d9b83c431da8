"""Parsing raw sheets into responses, checking every cell against the form (pure Python).

See the package docstring for the layout; ``responses/importing.py`` writes the result."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from iocompendium.questionnaires.structure import QuestionRef, Structure, iter_questions

from .common import (
    INDEX,
    KEY_COLUMN,
    MAIN_SHEET,
    MAX_SHEET_NAME,
    PARENT_INDEX,
    STATUS,
    TITLE,
    _instance_path,
    answerable,
    choice_names,
    fill,
    gettext_noop,
    repeat_refs,
    repeat_sheet_names,
)
from .reading import RawSheet

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

