"""Writes of the registry: loading and exporting the organisations file.

The file format (CSV or XLSX): a header row with ``acronym`` first, then any of
``name_en, name_fr, category, membership, website, verified``; one organisation per row.
Loading validates every row first and writes nothing unless all rows are valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from iocompendium.registry.models import Category, Organisation
from iocompendium.registry.tabular import Table, TableError, read_table, write_table

FIELDS = ["acronym", "name_en", "name_fr", "category", "membership", "website", "verified"]
REQUIRED_COLUMNS = ["acronym", "name_en", "category"]
TRUE_WORDS = {"true", "yes", "1", "y", "oui", "vrai", "x"}
FALSE_WORDS = {"false", "no", "0", "n", "non", "faux", ""}


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.line == 0:  # the file as a whole (unreadable, empty...)
            return self.message
        return f"line {self.line}, column {self.column}: {self.message}"


class OrganisationFileError(Exception):
    """The file is not loaded; ``problems`` lists every bad row (line and column)."""

    def __init__(self, path: Path, problems: list[RowProblem]):
        self.problems = problems
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{path.name} has {count} {noun}; nothing was loaded:\n{lines}")


class LoadCounts(NamedTuple):
    created: int
    updated: int
    unchanged: int


@dataclass
class _Validated:
    records: list[dict] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def load_organisations(path: str | Path) -> LoadCounts:
    """Upsert organisations by acronym (case-insensitive), all or nothing.

    Raises OrganisationFileError naming every bad row, and writes nothing, if any row
    is bad. Loading the same file again changes nothing (all rows "unchanged").
    """
    path = Path(path)
    try:
        table = read_table(path)
    except TableError as error:
        raise OrganisationFileError(path, [RowProblem(0, "", str(error))]) from None
    validated = validate_table(table)
    if validated.problems:
        raise OrganisationFileError(path, validated.problems)
    return _upsert(validated.records)


def export_organisations(path: str | Path) -> int:
    """Write every organisation to .csv or .xlsx in the format load_organisations reads."""
    organisations = Organisation.objects.order_by("acronym")
    records = [
        [o.acronym, o.name_en, o.name_fr, o.category, o.membership, o.website,
         "true" if o.verified else "false"]
        for o in organisations
    ]
    write_table(path, FIELDS, records)
    return len(records)


def validate_table(table: Table) -> _Validated:
    """Check the header and every row; collect every problem rather than stopping."""
    result = _Validated()
    header_problems = _header_problems(table.header)
    if header_problems:
        result.problems.extend(header_problems)
        return result
    seen: dict[str, int] = {}
    for row in table.rows:
        problems = _row_problems(row.line, row.values)
        acronym = row.values.get("acronym", "")
        if acronym:
            first = seen.setdefault(acronym.casefold(), row.line)
            if first != row.line:
                problems.append(RowProblem(
                    row.line, "acronym", f"{acronym!r} is already on line {first}."
                ))
        result.problems.extend(problems)
        if not problems:
            result.records.append(_record(row.values))
    return result


def _header_problems(header: list[str]) -> list[RowProblem]:
    problems = [
        RowProblem(1, name, f"unknown column (expected some of: {', '.join(FIELDS)}).")
        for name in header if name not in FIELDS
    ]
    problems += [
        RowProblem(1, name, "this required column is missing.")
        for name in REQUIRED_COLUMNS if name not in header
    ]
    if not problems and header[0] != "acronym":
        problems.append(RowProblem(1, header[0], "the first column must be 'acronym'."))
    return problems


def _row_problems(line: int, values: dict[str, str]) -> list[RowProblem]:
    problems: list[RowProblem] = []

    def problem(column: str, message: str) -> None:
        problems.append(RowProblem(line, column, message))

    if values.get(""):
        problem("-", f"the value {values['']!r} is outside every named column.")
    acronym = values["acronym"]
    if not acronym:
        problem("acronym", "the acronym is missing.")
    elif len(acronym) > Organisation._meta.get_field("acronym").max_length:
        problem("acronym", "the acronym is longer than 40 characters.")
    if not values["name_en"]:
        problem("name_en", "the English name is missing.")
    for column in ("name_en", "name_fr"):
        if len(values.get(column, "")) > 300:
            problem(column, "the name is longer than 300 characters.")
    category = values["category"].lower()
    if category not in Category.values:
        shown = repr(values["category"]) if values["category"] else "empty"
        problem("category", f"the category is {shown}; use one of {', '.join(Category.values)}.")
    website = values.get("website", "")
    if website:
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            problem("website", f"{website!r} is not a web address (http:// or https://).")
    if values.get("verified", "").lower() not in TRUE_WORDS | FALSE_WORDS:
        problem("verified", f"{values['verified']!r} is not true or false.")
    return problems


def _record(values: dict[str, str]) -> dict:
    """A valid row as model field values, for the columns the file has."""
    record = {name: values[name] for name in FIELDS if name in values}
    record["category"] = record["category"].lower()
    if "verified" in record:
        record["verified"] = record["verified"].lower() in TRUE_WORDS
    return record


@transaction.atomic
def _upsert(records: list[dict]) -> LoadCounts:
    existing = {o.acronym.casefold(): o for o in Organisation.objects.select_for_update()}
    created = updated = unchanged = 0
    for record in records:
        organisation = existing.get(record["acronym"].casefold())
        if organisation is None:
            Organisation.objects.create(**record)
            created += 1
            continue
        changed = [name for name, value in record.items() if getattr(organisation, name) != value]
        if not changed:
            unchanged += 1
            continue
        for name in changed:
            setattr(organisation, name, record[name])
        organisation.save(update_fields=changed)
        updated += 1
    return LoadCounts(created, updated, unchanged)
