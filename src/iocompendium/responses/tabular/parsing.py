"""Parsing raw sheets into responses, checking every cell against the form (pure Python).

See the package docstring for the layout; ``responses/importing.py`` writes the result."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from typing import Any

from iocompendium.questionnaires.structure import QuestionRef, Structure, iter_questions

from .common import (
    INDEX,
    KEY_COLUMN,
    MAIN_SHEET,
    MAX_SHEET_NAME,
    METADATA_TYPES,
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
from .layout import (
    FALSE_WORDS,
    SUBMISSION_KEYS,
    TRUE_WORDS,
    Layout,
    detect_layout,
    header_candidates,
    is_server_column,
    plain_words,
    split_choice_header,
)
from .reading import RawSheet
from .recodes import Recodes

# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Problem:
    """Something in the file that does not fit the form, where it is."""

    sheet: str
    row: int  # 1-based spreadsheet row; 1 = the header row
    column: str
    template: str  # English, marked with gettext_noop; %(name)s placeholders
    # "error" refuses the file; "warning" is reported and the import goes on; "flag": the
    # value is kept with its problem (policy "keep and flag").
    severity: str = "error"
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    # The class of data problem (FLAG_* below) and the question's path, when there is one:
    # the check page summarises by both.
    flag: str = ""
    question: str = ""

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
    # Answer path -> the problem its value is kept with (policy "flag").
    flags: dict[str, str] = field(default_factory=dict)
    # Non-empty cells of the rows of this response (main and repeat sheets) and those
    # that became a stored answer: a response dropped later moves them to "skipped".
    cells: int = 0
    stored: int = 0


STRICT, FLAG = "strict", "flag"
# The classes of data problem a value may be kept with (Answer.flag).
FLAG_NOT_IN_LIST = "not_in_list"
FLAG_MISSING_REQUIRED = "missing_required"
FLAG_CONSTRAINT = "constraint"
FLAG_TYPE = "type"
# Why a non-empty cell of the file is not stored.
SKIP_METADATA = "metadata"  # server and device columns (_uuid, start, SubmissionDate...)
SKIP_DUPLICATE = "duplicate_column"  # 0/1 columns restating a select_multiple
SKIP_RESPONDENT = "respondent_column"  # the key and respondent columns themselves
SKIP_CALCULATED = "calculated"  # calculations and notes: recomputed, never typed
SKIP_NOT_IN_FORM = "not_in_form"  # columns and sheets matching no question
SKIP_REJECTED = "rejected"  # refused values and rows (strict policy, rows without key...)
SKIP_RECODED_EMPTY = "recoded_to_empty"  # a recode mapped the value to nothing


@dataclass
class Counts:
    """Nothing is lost: ``values_in_file == stored + sum(skipped.values())``."""

    rows: int = 0
    values_in_file: int = 0
    stored: int = 0
    skipped: Counter = field(default_factory=Counter)
    flagged: Counter = field(default_factory=Counter)  # flag -> values kept with it

    def skip(self, reason: str, count: int = 1) -> None:
        if count:
            self.skipped[reason] += count

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "values_in_file": self.values_in_file,
            "stored": self.stored,
            "skipped": dict(sorted(self.skipped.items())),
            # Stored values kept with a problem; a missing required answer stores no value
            # of the file (it is recorded as an empty flagged answer, counted in "flags").
            "flagged": sum(n for flag, n in self.flagged.items() if flag != FLAG_MISSING_REQUIRED),
            "flags": dict(sorted(self.flagged.items())),
        }


@dataclass
class ParseOptions:
    """How to read a file: the columns that identify rows, the policy, the recodes."""

    # The column whose value identifies each row's respondent (an organisation acronym, a
    # jurisdiction, or the submission key); None: ``organisation``.
    key: str | None = None
    # A second column telling several responses of one respondent apart (their title).
    title_column: str | None = None
    policy: str = STRICT
    recodes: Recodes | None = None
    # Columns never read as answers (the respondent column of a submission-keyed import).
    identity_columns: tuple[str, ...] = ()


@dataclass
class ParsedFile:
    responses: list[ParsedResponse]
    problems: list[Problem]
    # Template paths of the questions the file has a column for: the file is
    # authoritative for them (an empty cell clears the answer).
    covered: set[str]
    counts: Counts = field(default_factory=lambda: Counts())
    layout: Layout | None = None

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
    # "answer", "choice" (a 0/1 column), or why the column is not read: a SKIP_* reason.
    kind: str = "answer"
    # The choice names of a select question, in the form's order (None otherwise): looked
    # up once per column rather than once per cell.
    choices: tuple[str, ...] | None = None
    choice_set: frozenset[str] | None = None


def _column(structure: Structure, position: int, raw: str, ref: QuestionRef, **more) -> Column:
    """A column read as (part of) a question, with the question's choices when it has some."""
    if ref.type not in {"select_one", "select_multiple"}:
        return Column(position, raw, ref, **more)
    choices = tuple(choice_names(structure, ref))
    return Column(position, raw, ref, **more, choices=choices, choice_set=frozenset(choices))


def _by_position(columns: list[Column], width: int) -> list[Column | None]:
    """The column at each position of a row (None: no header, a cell not read)."""
    at: list[Column | None] = [None] * max(width, 1 + max((c.position for c in columns),
                                                            default=-1))
    for column in columns:
        at[column.position] = column
    return at


# Headers that name a row's organisation in this platform's own layout.
ORGANISATION_HEADERS = (KEY_COLUMN, "_organisation", "organisation_acronym", "acronym",
                        "organisation/acronym")


class _Lookup:
    """Header -> question of one scope (the main sheet, or one repeat's sheet)."""

    def __init__(self, structure: Structure, scope: str | None) -> None:
        self.scope = scope
        every = [
            ref
            for ref in iter_questions(structure)
            if (ref.repeats[-1] if ref.repeats else None) == scope
        ]
        self.by_path = {ref.path: ref for ref in every}
        self.by_name: dict[str, list[QuestionRef]] = defaultdict(list)
        self.by_relative: dict[str, QuestionRef] = {}
        labels: dict[str, list[QuestionRef]] = defaultdict(list)
        for ref in every:
            self.by_name[ref.name].append(ref)
            if scope:
                self.by_relative[ref.path[len(scope) + 1 :]] = ref
            for text in (ref.node.get("label") or {}).values():
                labels[plain_words(str(text))].append(ref)
        self.by_label = {text: refs[0] for text, refs in labels.items() if len(refs) == 1}

    def __call__(self, text: str) -> QuestionRef | None:
        scope = self.scope
        for candidate in header_candidates(text):
            if candidate in self.by_path:
                return self.by_path[candidate]
            if candidate in self.by_relative:
                return self.by_relative[candidate]
            relative = candidate[len(scope) + 1 :] if scope else ""
            if scope and candidate.startswith(f"{scope}/") and relative in self.by_relative:
                return self.by_relative[relative]
        matches = self.by_name.get(text, [])
        if len(matches) == 1:
            return matches[0]
        # ODK Central and Kobo prefix group names: the last part may be a unique name.
        for separator in ("/", ".", "-"):
            if separator in text:
                tail = self.by_name.get(text.rsplit(separator, 1)[-1], [])
                if len(tail) == 1:
                    return tail[0]
        return self.by_label.get(plain_words(text))


def _resolve_columns(
    structure: Structure,
    sheet: RawSheet,
    scope: str | None,
    problems: list[Problem],
    options: ParseOptions,
) -> list[Column]:
    """Every column of the sheet with what it is (see ``Column.kind``)."""
    lookup = _Lookup(structure, scope)
    identity = {normalise_header(c) for c in (options.key, options.title_column) if c}
    identity |= {normalise_header(c) for c in options.identity_columns}
    columns = []
    for position, raw in enumerate(sheet.headers):
        header = normalise_header(raw)
        if not header:
            continue
        if header in identity or header in {KEY_COLUMN, "organisation_acronym"}:
            columns.append(Column(position, raw, None, kind=SKIP_RESPONDENT))
            continue
        if header in {STATUS, TITLE}:
            columns.append(Column(position, raw, None, kind=SKIP_RESPONDENT))
            continue
        if is_server_column(header):
            columns.append(Column(position, raw, None, kind=SKIP_METADATA))
            continue
        ref = lookup(header)
        if ref is not None:
            columns.append(_column(structure, position, raw, ref, kind=_kind(ref)))
            continue
        choice_column = _choice_column(structure, header, lookup)
        if choice_column is not None:
            columns.append(_column(structure, position, raw, choice_column[0],
                                   choice=choice_column[1], kind="choice"))
            continue
        if len(lookup.by_name.get(header, [])) > 1:
            message = gettext_noop("'%(header)s' names several questions; use the question's path.")
        else:
            message = gettext_noop("matches no question of the form; the column is ignored.")
        problems.append(Problem(sheet.name, 1, raw, message, "warning", {"header": header}))
        columns.append(Column(position, raw, None, kind=SKIP_NOT_IN_FORM))
    return columns


def _kind(ref: QuestionRef) -> str:
    if answerable(ref):
        return "answer"
    return SKIP_METADATA if ref.type in METADATA_TYPES else SKIP_CALCULATED


def _choice_column(structure, header: str, lookup) -> tuple[QuestionRef, str] | None:
    """``q/choice``, ``q.choice`` or ``q-choice`` naming a choice of select_multiple ``q``."""
    for question, choice in split_choice_header(header):
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


def check_value(
    structure: Structure, ref: QuestionRef, value: str, choices: Collection[str] | None = None
) -> tuple[str, CellError | None]:
    """(normalised value, error or None) for one cell against the question's type.

    ``choices``: the question's choice names when the caller has them already."""
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
    if kind in {"select_one", "select_multiple"} and choices is None:
        choices = choice_names(structure, ref)
    if kind == "select_one":
        if value not in choices:
            return value, (gettext_noop("'%(value)s' is not a choice of this question."), given)
        return value, None
    if kind == "select_multiple":
        tokens = value.split()
        unknown = [t for t in tokens if t not in choices]
        if unknown:
            return value, (
                gettext_noop("not a choice of this question: %(value)s."),
                {"value": ", ".join(repr(t) for t in unknown)},
            )
        if len(set(tokens)) != len(tokens):
            return value, (gettext_noop("a choice is given twice."), {})
        return " ".join(tokens), None
    return value, None


def _flag_of(ref: QuestionRef) -> str:
    return FLAG_NOT_IN_LIST if ref.type in {"select_one", "select_multiple"} else FLAG_TYPE


def _choice_flag(value: str) -> str | None:
    """A 0/1 column's cell as "1"/"0" (True/False, yes/no too), None when it is neither."""
    folded = value.casefold()
    if folded in TRUE_WORDS:
        return "1"
    if folded in FALSE_WORDS:
        return "0"
    return None


class _Positions:
    """The columns of one sheet grouped for reading a row quickly (``_row_answers``): the
    positions of each kind, read with one ``itemgetter`` call instead of one Python step
    per cell, and each column's checked values remembered (``check_value`` once per
    distinct value of a column)."""

    # Distinct values remembered per column before its memory is emptied (memory bounded).
    REMEMBER = 5_000

    def __init__(self, at: list[Column | None]) -> None:
        self.at = at
        self.width = len(at)
        self.unread = [p for p, column in enumerate(at) if column is None]
        by_kind: dict[str, list[int]] = defaultdict(list)
        self.answers: list[Column] = []
        groups: dict[str, list[Column]] = {}
        for position, column in enumerate(at):
            if column is None:
                continue
            if column.kind == "answer":
                self.answers.append(column)
            elif column.kind == "choice":
                groups.setdefault(column.ref.path, []).append(column)
            else:
                by_kind[column.kind].append(position)
        self.skipped = [(kind, _getter(positions)) for kind, positions in by_kind.items()]
        self.answer_cells = _getter([c.position for c in self.answers])
        # select_multiple template -> (its 0/1 columns, getter of their cells)
        self.choices = [(template, columns, _getter([c.position for c in columns]))
                        for template, columns in groups.items()]
        self.checked: dict[int, dict[str, tuple[str, CellError | None]]] = defaultdict(dict)
        self.choices_read: dict[str, dict[tuple, tuple[int, str]]] = defaultdict(dict)

    def chosen(self, template: str, columns: list[Column], cells: tuple[str, ...]
               ) -> tuple[int, str]:
        """(non-empty cells, the answer they give) of one question's 0/1 cells, remembered
        per distinct cells (a select_multiple's answers repeat)."""
        memory = self.choices_read[template]
        found = memory.get(cells)
        if found is None:
            if len(memory) >= self.REMEMBER:
                memory.clear()
            bits = {c.choice: _BITS.get(bit) or _choice_flag(bit)
                    for c, bit in zip(columns, cells, strict=True) if bit}
            answer = " ".join(c for c in columns[-1].choices if bits.get(c) == "1")
            found = memory[cells] = (len(cells) - cells.count(""), answer)
        return found

    def check(self, structure: Structure, column: Column, value: str
              ) -> tuple[str, CellError | None]:
        """``check_value`` of the column's value, remembered per column."""
        memory = self.checked[column.position]
        found = memory.get(value)
        if found is None:
            if len(memory) >= self.REMEMBER:
                memory.clear()
            found = memory[value] = check_value(structure, column.ref, value, column.choice_set)
        return found


def _getter(positions: list[int]):
    """A function of a row giving the cells at ``positions`` as a tuple (C speed)."""
    if not positions:
        return lambda row: ()
    if len(positions) == 1:
        position = positions[0]
        return lambda row: (row[position],)
    return itemgetter(*positions)


def _row_answers(
    structure: Structure,
    sheet: RawSheet,
    row_number: int,
    cells: list[Any],
    at: _Positions,
    indexes: tuple[int, ...],
    parsed: ParsedResponse,
    problems: list[Problem],
    options: ParseOptions,
    counts: Counts,
) -> int:
    """Check the cells of one row and add its answers to the response, counting every
    non-empty cell as stored or skipped (with its reason). ``at``: the column of each
    position (``_by_position``). Returns the row's non-empty cells (under a header or not).

    Called once per row of the file. Rows whose 0/1 cells all read as 0 or 1 (nearly all)
    take ``_row_answers_fast``, which finds a row's cells by kind with ``itemgetter``; the
    others are walked cell by cell here, so that every problem is reported in cell order
    (docs/benchmarks.md, issue 11)."""
    try:
        texts = list(map(str.strip, cells))  # a CSV's row: text only
    except TypeError:
        texts = [c.strip() if type(c) is str else _text(c) for c in cells]
    if len(texts) < at.width:
        texts.extend([""] * (at.width - len(texts)))
    if all(_bits(column_cells(texts)) for _t, _c, column_cells in at.choices):
        return _row_answers_fast(structure, sheet, row_number, texts, at, indexes, parsed,
                                 problems, options, counts)
    return _row_answers_slow(structure, sheet, row_number, cells, at, indexes, parsed,
                             problems, options, counts)


# A 0/1 cell's usual spellings and what they read as ("" for an empty cell).
_BITS = {word: bit for bit, words in (("1", TRUE_WORDS), ("0", FALSE_WORDS))
         for spelt in words for word in (spelt, spelt.upper(), spelt.capitalize())}
_BITS[""] = ""


def _bits(cells: tuple[str, ...]) -> bool:
    """Whether every 0/1 cell reads as 0, 1 or empty (the fast path's condition)."""
    return _BITS.keys() >= set(cells) or all(
        c == "" or _choice_flag(c) is not None for c in cells)


def _keep_wrong(
    parsed: ParsedResponse, problems: list[Problem], sheet: str, row_number: int,
    column: Column, path: str, error: tuple, keep: bool,
) -> bool:
    """Reports a cell the form refuses; True when the policy keeps it, flagged."""
    flag = _flag_of(column.ref)
    problems.append(
        Problem(
            sheet, row_number, column.header, error[0], "flag" if keep else "error",
            error[1], flag=flag, question=column.ref.path,
        )
    )
    if not keep:
        parsed.rejected.add(path)
        return False
    parsed.flags[path] = flag
    return True


def _merge_choice_flags(
    parsed: ParsedResponse, direct: dict[str, str], problems: list[Problem], sheet: str,
    row_number: int, template: str, path: str, restated: int, from_flags: str, keep: bool,
) -> int:
    """A select_multiple's 0/1 columns (``restated`` cells naming ``from_flags``) beside
    its answer column, if any: the answer they build or the disagreement they show.
    Returns how many of those cells only restate a stored answer."""
    if template in direct:
        if parsed.flags.get(path):
            return restated  # the answer itself is flagged: its 0/1 columns say nothing more
        if set(direct[template].split()) != set(from_flags.split()):
            problems.append(
                Problem(
                    sheet, row_number, template,
                    gettext_noop(
                        "the 0/1 columns (%(chosen)s) disagree with the answer '%(value)s'."
                    ),
                    "warning" if keep else "error",
                    {"chosen": from_flags or "-", "value": direct[template]},
                    question=template,
                )
            )
        return restated
    if from_flags:
        # Built from its 0/1 columns: one stored answer, the other cells restate it.
        direct[template] = from_flags
        parsed.locations.setdefault(path, (sheet, row_number, template))
        return restated - 1
    return restated  # every choice 0: no answer to store


def _store_answers(
    parsed: ParsedResponse, direct: dict[str, str], refs: dict[str, Column],
    indexes: Any, sheet: str, row_number: int,
) -> None:
    """A row's answers (by question template) stored under their instance paths."""
    for template, value in direct.items():
        path = _instance_path(template, indexes, refs[template].ref.repeats) if indexes \
            else template
        parsed.answers[path] = value
        parsed.stored += 1
        parsed.locations.setdefault(path, (sheet, row_number, template))


def _row_answers_fast(
    structure: Structure,
    sheet: RawSheet,
    row_number: int,
    texts: list[str],
    at: _Positions,
    indexes: tuple[int, ...],
    parsed: ParsedResponse,
    problems: list[Problem],
    options: ParseOptions,
    counts: Counts,
) -> int:
    """``_row_answers_slow`` for a row none of whose 0/1 cells is refused (the same
    answers, counts and problems in the same order), from the row's cells as text."""
    keep = options.policy == FLAG
    non_empty = len(texts) - texts.count("")
    unread = sum(1 for p in at.unread if texts[p]) + sum(1 for t in texts[at.width:] if t)
    parsed.cells += non_empty - unread
    for kind, column_cells in at.skipped:
        found = column_cells(texts)
        if found:
            counts.skip(kind, len(found) - found.count(""))
    recodes = options.recodes
    recoded = {question for question, _old in recodes.table} if recodes else ()
    direct: dict[str, str] = {}
    refs: dict[str, Column] = {}
    duplicates = 0
    for column, value in zip(at.answers, at.answer_cells(texts), strict=True):
        if not value:
            continue
        ref = column.ref
        template = ref.path
        refs[template] = column
        if template in direct:
            duplicates += 1  # a second column for the same question
            continue
        if recoded and (template in recoded or ref.name in recoded):
            value = recodes.apply(ref, value)
            if value == "":
                counts.skip(SKIP_RECODED_EMPTY)
                continue
        path = _instance_path(template, indexes, ref.repeats) if indexes else template
        normalised, error = at.check(structure, column, value)
        if error and not _keep_wrong(parsed, problems, sheet.name, row_number, column, path,
                                     error, keep):
            counts.skip(SKIP_REJECTED)
            continue
        direct[template] = normalised
        parsed.locations[path] = (sheet.name, row_number, column.header)
    for template, columns, column_cells in at.choices:
        found = column_cells(texts)
        restated, from_flags = at.chosen(template, columns, found)
        if not restated:
            continue
        column = refs[template] = columns[-1]
        path = _instance_path(template, indexes, column.ref.repeats) if indexes else template
        duplicates += _merge_choice_flags(parsed, direct, problems, sheet.name, row_number,
                                          template, path, restated, from_flags, keep)
    counts.skip(SKIP_DUPLICATE, duplicates)
    _store_answers(parsed, direct, refs, indexes, sheet.name, row_number)
    return non_empty


def _row_answers_slow(
    structure: Structure,
    sheet: RawSheet,
    row_number: int,
    cells: list[Any],
    at: _Positions,
    indexes: tuple[int, ...],
    parsed: ParsedResponse,
    problems: list[Problem],
    options: ParseOptions,
    counts: Counts,
) -> int:
    """``_row_answers`` cell by cell, in the order of the cells."""
    keep = options.policy == FLAG
    chosen_by_flags: dict[str, dict[str, str]] = {}  # path -> choice -> 0/1
    flag_cells: Counter = Counter()  # path -> non-empty 0/1 cells
    direct: dict[str, str] = {}
    refs: dict[str, Column] = {}
    skipped: Counter = Counter()
    recodes = options.recodes
    width, at = at.width, at.at
    non_empty = 0
    for position, cell in enumerate(cells):
        if cell is None or cell == "":
            continue
        value = cell.strip() if type(cell) is str else _text(cell)
        if not value:
            continue
        non_empty += 1
        column = at[position] if position < width else None
        if column is None:
            continue
        parsed.cells += 1
        kind = column.kind
        if kind != "answer" and kind != "choice":
            skipped[kind] += 1
            continue
        ref = column.ref
        template = ref.path
        refs[template] = column
        if kind == "choice":
            flag_cells[template] += 1
            bit = _choice_flag(value)
            if bit is None:
                problems.append(
                    Problem(
                        sheet.name, row_number, column.header,
                        gettext_noop("'%(value)s' is not 0 or 1."),
                        "warning" if keep else "error", {"value": value},
                        question=template,
                    )
                )
            else:
                chosen_by_flags.setdefault(template, {})[column.choice] = bit
            continue
        if template in direct:
            skipped[SKIP_DUPLICATE] += 1  # a second column for the same question
            continue
        if recodes:
            value = recodes.apply(ref, value)
            if value == "":
                skipped[SKIP_RECODED_EMPTY] += 1
                continue
        path = _instance_path(template, indexes, ref.repeats) if indexes else template
        normalised, error = check_value(structure, ref, value, column.choice_set)
        if error and not _keep_wrong(parsed, problems, sheet.name, row_number, column, path,
                                     error, keep):
            skipped[SKIP_REJECTED] += 1
            continue
        direct[template] = normalised
        parsed.locations[path] = (sheet.name, row_number, column.header)
    for template, chosen in chosen_by_flags.items():
        column = refs[template]
        from_flags = " ".join(c for c in column.choices if chosen.get(c) == "1")
        path = _instance_path(template, indexes, column.ref.repeats) if indexes else template
        restated = flag_cells.pop(template)
        skipped[SKIP_DUPLICATE] += _merge_choice_flags(
            parsed, direct, problems, sheet.name, row_number, template, path, restated,
            from_flags, keep,
        )
    for restated in flag_cells.values():
        skipped[SKIP_DUPLICATE] += restated  # 0/1 cells none of which could be read
    for reason, count in skipped.items():
        counts.skip(reason, count)
    _store_answers(parsed, direct, refs, indexes, sheet.name, row_number)
    return non_empty


def _repeat_aliases(structure: Structure) -> dict[str, str]:
    """Lower-cased sheet names a repeat's sheet may have -> the repeat's template path."""
    wanted: dict[str, str] = {}
    for ref in repeat_refs(structure):
        for alias in (
            ref.name,
            ref.path,
            ref.path.replace("/", "_"),
            ref.path.replace("/", "."),
            ref.path.replace("/", "-"),
            repeat_sheet_names(structure)[ref.path],
        ):
            wanted.setdefault(alias.lower(), ref.path)
            wanted.setdefault(alias[:MAX_SHEET_NAME].lower(), ref.path)
    return wanted


def _repeat_of_sheet(name: str, aliases: dict[str, str]) -> str | None:
    """The repeat a sheet holds: named by the repeat, or ODK Central's ``form-repeat.csv``."""
    name = name.lower()
    if name in aliases:
        return aliases[name]
    for alias, repeat in aliases.items():
        if name.endswith(f"-{alias}"):
            return repeat
    return None


def _main_first(structure: Structure, sheets: list[RawSheet]) -> list[RawSheet]:
    """The main sheet is the first one not named like a repeat group (usually the first)."""
    aliases = _repeat_aliases(structure)
    for position, sheet in enumerate(sheets):
        if _repeat_of_sheet(sheet.name, aliases) is None:
            return [sheet, *sheets[:position], *sheets[position + 1 :]]
    return sheets


def _match_repeat_sheets(
    structure: Structure, sheets: list[RawSheet], problems: list[Problem], counts: Counts
) -> dict[str, RawSheet]:
    """Repeat template path -> its sheet (named by the repeat's name or path)."""
    wanted = _repeat_aliases(structure)
    matched: dict[str, RawSheet] = {}
    for sheet in sheets[1:]:
        repeat = _repeat_of_sheet(sheet.name, wanted)
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
            counts.skip(SKIP_NOT_IN_FORM, _non_empty(sheet.rows))
            continue
        matched[repeat] = sheet
    return matched


def _non_empty(rows) -> int:
    return sum(_row_non_empty(cells) for _number, cells in rows)


def _row_non_empty(cells: list[Any]) -> int:
    return sum(1 for cell in cells if cell is not None and cell != "" and _text(cell) != "")


def _headers(sheet: RawSheet) -> list[str]:
    return [normalise_header(h) for h in sheet.headers]


def _find_column(sheet: RawSheet, candidates: list[str]) -> int | None:
    headers = _headers(sheet)
    for candidate in candidates:
        for variant in header_candidates(normalise_header(candidate)):
            if variant in headers:
                return headers.index(variant)
            slashed = [h.replace(".", "/").replace("-", "/") for h in headers]
            if variant in slashed:
                return slashed.index(variant)
    return None


def _find_key_column(sheet: RawSheet, key: str | None) -> int | None:
    return _find_column(sheet, [key] if key else list(ORGANISATION_HEADERS))


def default_submission_key(sheet: RawSheet) -> str | None:
    """The column that identifies a submission in Kobo's or ODK Central's export."""
    position = _find_column(sheet, list(SUBMISSION_KEYS))
    return normalise_header(sheet.headers[position]) if position is not None else None


def _column_index(sheet: RawSheet, name: str) -> int | None:
    headers = _headers(sheet)
    return headers.index(name) if name in headers else None


def file_layout(structure: Structure, sheets: list[RawSheet]) -> Layout:
    """What export ``sheets`` look like (``layout.detect_layout`` with the form's names)."""
    names = {ref.name for ref in iter_questions(structure)}
    labels = {
        plain_words(str(text))
        for ref in iter_questions(structure)
        for text in (ref.node.get("label") or {}).values()
    }
    values: set[str] = set()
    if sheets:
        lookup = _Lookup(structure, None)
        positions = [
            position
            for position, raw in enumerate(sheets[0].headers)
            if lookup(normalise_header(raw)) is None
            and _choice_column(structure, normalise_header(raw), lookup)
        ]
        for _number, cells in islice(sheets[0].rows, 50):
            values |= {_text(_get(cells, p)).casefold() for p in positions} - {""}
    return detect_layout(sheets, names, labels, values, normalise_header)


# Rows parsed, checked and written at a time by a streamed import.
CHUNK_ROWS = 500


def parse_wide(
    structure: Structure,
    sheets: list[RawSheet],
    *,
    key: str | None = None,
    options: ParseOptions | None = None,
) -> ParsedFile:
    """Read the main sheet and the repeat sheets into responses, checking every cell.

    ``options.key`` (or ``key``) names the column identifying each row's respondent
    (default: the ``organisation`` column). Every problem is collected; nothing stops at
    the first. Every non-empty cell is counted as stored or skipped (``ParsedFile.counts``).
    The whole file at once: ``WideParser`` reads it in chunks.
    """
    parser = WideParser(structure, sheets, options or ParseOptions(key=key))
    responses = [parsed for chunk in parser.chunks(CHUNK_ROWS) for parsed in chunk]
    return ParsedFile(responses, parser.problems, parser.covered, parser.counts, parser.layout)


class WideParser:
    """Reads a wide file into responses, a chunk of rows at a time (``chunks``).

    A file of one sheet is streamed: only the current chunk's responses are held, so
    memory stays flat whatever the number of rows (the import checks and writes each chunk
    in turn). A file with more sheets is read in one chunk: a repeat sheet's row may name
    any row of the main sheet. ``problems`` and ``counts`` grow as chunks are read; the
    caller may empty ``problems`` between chunks."""

    def __init__(self, structure: Structure, sheets: list[RawSheet], options: ParseOptions):
        self.structure = structure
        self.options = options
        self.problems: list[Problem] = []
        self.counts = Counts()
        self.covered: set[str] = set()
        self.layout: Layout | None = None
        self.sheets: list[RawSheet] = []
        self._key_position: int | None = None
        if not sheets or not sheets[0].headers:
            self.problems.append(
                Problem(MAIN_SHEET, 1, "", gettext_noop("the file has no header row."))
            )
            return
        sheets = _main_first(structure, sheets)
        main = sheets[0]
        self.layout = file_layout(structure, sheets)
        key_position = _find_key_column(main, options.key)
        if key_position is None:
            wanted = options.key or KEY_COLUMN
            self.problems.append(
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
            self.counts.rows = sum(1 for _row in main.rows)
            self.counts.values_in_file = sum(_non_empty(sheet.rows) for sheet in sheets)
            self.counts.skip(SKIP_REJECTED, self.counts.values_in_file)
            return
        self.sheets, self._key_position = sheets, key_position
        self.options = options = _with_found_headers(options, main, key_position)
        self.columns = _resolve_columns(structure, main, None, self.problems, options)
        self.covered = {c.ref.path for c in self.columns if c.kind in {"answer", "choice"}}
        # Each main row's index -> its response, kept only when repeat sheets need them.
        self.by_index: dict[str, ParsedResponse] = {}
        self.by_key: dict[str, list[ParsedResponse]] = defaultdict(list)

    def chunks(self, size: int) -> Iterator[list[ParsedResponse]]:
        """The accepted responses, ``size`` rows at a time (one chunk with repeat sheets)."""
        if not self.sheets:
            return
        if len(self.sheets) > 1:
            self.counts.values_in_file += sum(_non_empty(s.rows) for s in self.sheets[1:])
            responses = list(self._main_rows(linked=True))
            self._read_repeats()
            yield self._finished(responses)
            return
        chunk: list[ParsedResponse] = []
        for parsed in self._main_rows(linked=False):
            chunk.append(parsed)
            if len(chunk) >= size:
                yield self._finished(chunk)
                chunk = []
        if chunk:
            yield self._finished(chunk)

    def _finished(self, chunk: list[ParsedResponse]) -> list[ParsedResponse]:
        counts = self.counts
        for parsed in chunk:
            counts.stored += parsed.stored
            for flag in parsed.flags.values():
                counts.flagged[flag] += 1
        return chunk

    def _main_rows(self, *, linked: bool) -> Iterator[ParsedResponse]:
        structure, options, counts, problems = (
            self.structure, self.options, self.counts, self.problems)
        main = self.sheets[0]
        key_position = self._key_position
        at = _Positions(_by_position(self.columns, len(main.headers)))
        index_position = _column_index(main, INDEX)
        link_position = _column_index(main, "KEY")
        status_position = _column_index(main, STATUS)
        title_position = (
            _find_column(main, [options.title_column]) if options.title_column
            else _column_index(main, TITLE)
        )
        # (key, title) -> row: a second row of the same respondent is refused.
        seen_keys: dict[tuple[str, str], int] = {}
        for position, (row_number, cells) in enumerate(main.rows, start=1):
            counts.rows += 1
            key_value = _text(_get(cells, key_position))
            title = _text(_get(cells, title_position)) if title_position is not None else ""
            refused = None
            if not key_value:
                refused = (gettext_noop("the row has no respondent key."), {})
            elif (key_value, title) in seen_keys:
                refused = (
                    gettext_noop("'%(key)s' already has a row (row %(row)s)."),
                    {"key": key_value, "row": seen_keys[(key_value, title)]},
                )
            if refused is not None:
                problems.append(
                    Problem(main.name, row_number, main.headers[key_position], refused[0],
                            params=refused[1])
                )
                rejected = _row_non_empty(cells)
                counts.values_in_file += rejected
                counts.skip(SKIP_REJECTED, rejected)
                continue
            seen_keys[(key_value, title)] = row_number
            parsed = ParsedResponse(key_value, main.name, row_number, title=title)
            if status_position is not None:
                parsed.status = _text(_get(cells, status_position))
            counts.values_in_file += _row_answers(
                structure, main, row_number, cells, at, (), parsed, problems, options, counts
            )
            if linked:
                row_index = (
                    _text(_get(cells, index_position)) if index_position is not None
                    else str(position)
                )
                self.by_index[row_index or str(position)] = parsed
                if link_position is not None and _text(_get(cells, link_position)):
                    self.by_index[_text(_get(cells, link_position))] = parsed
                self.by_key[key_value].append(parsed)
            yield parsed

    def _read_repeats(self) -> None:
        structure, options, counts, problems = (
            self.structure, self.options, self.counts, self.problems)
        repeat_sheets = _match_repeat_sheets(structure, self.sheets, problems, counts)
        # Each sheet's row index -> (response, instance indexes), for nested repeats.
        placed: dict[str | None, dict[str, tuple[ParsedResponse, tuple[int, ...]]]] = {
            None: {index: (parsed, ()) for index, parsed in self.by_index.items()}
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
                            "the sheet of the enclosing repeat group is missing; the sheet is "
                            "ignored."
                        ),
                        "warning",
                    )
                )
                counts.skip(SKIP_NOT_IN_FORM, _non_empty(sheet.rows))
                continue
            repeat_columns = _resolve_columns(structure, sheet, repeat.path, problems, options)
            self.covered |= {
                c.ref.path for c in repeat_columns if c.kind in {"answer", "choice"}
            }
            placed[repeat.path] = _read_repeat_sheet(
                structure,
                sheet,
                repeat.path,
                repeat_columns,
                placed[parent_scope],
                self.by_key if parent_scope is None else {},
                options,
                problems,
                counts,
            )


def _with_found_headers(options: ParseOptions, sheet: RawSheet, key_position: int):
    """The options with the key column as the file spells it (never read as an answer)."""
    from dataclasses import replace

    found = normalise_header(sheet.headers[key_position])
    return replace(options, identity_columns=(*options.identity_columns, found))


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
    options: ParseOptions,
    problems: list[Problem],
    counts: Counts,
) -> dict[str, tuple[ParsedResponse, tuple[int, ...]]]:
    parent_position = _column_index(sheet, PARENT_INDEX)
    parent_name = PARENT_INDEX
    if parent_position is None and _column_index(sheet, "PARENT_KEY") is not None:
        parent_position, parent_name = _column_index(sheet, "PARENT_KEY"), "PARENT_KEY"
    key_position = _find_key_column(sheet, options.key)
    index_position = _column_index(sheet, INDEX)
    link_position = _column_index(sheet, "KEY")
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
        counts.skip(SKIP_REJECTED, _non_empty(sheet.rows))
        return {}
    counters: dict[tuple[int, tuple[int, ...]], int] = defaultdict(int)
    placed = {}
    at = _Positions(_by_position(columns, len(sheet.headers)))
    for position, (row_number, cells) in enumerate(sheet.rows, start=1):
        parent = None
        if parent_position is not None and _text(_get(cells, parent_position)):
            parent = parents.get(_text(_get(cells, parent_position)))
            where = sheet.headers[parent_position]
            missing = gettext_noop("no parent row has %(parent)s '%(value)s'.")
            given = {"parent": parent_name, "value": _text(_get(cells, parent_position))}
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
            counts.skip(SKIP_REJECTED, _non_empty([(row_number, cells)]))
            continue
        response, parent_indexes = parent
        counter_key = (id(response), parent_indexes)
        counters[counter_key] += 1
        indexes = parent_indexes + (counters[counter_key],)
        _row_answers(
            structure, sheet, row_number, cells, at, indexes, response, problems, options,
            counts,
        )
        row_index = (
            _text(_get(cells, index_position)) if index_position is not None else str(position)
        )
        placed[row_index or str(position)] = (response, indexes)
        if link_position is not None and _text(_get(cells, link_position)):
            placed[_text(_get(cells, link_position))] = (response, indexes)
    return placed
