"""Recode tables: values renamed or pseudonymised since collection, mapped to the form's
(``question,from,to``), applied to every cell before it is checked (pure Python)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from iocompendium.questionnaires.structure import QuestionRef
from iocompendium.spreadsheets import csv_dict_text

from .common import gettext_noop
from .reading import TabularFileError, read_sheets

HEADER = ("question", "from", "to")


class RecodeFileError(TabularFileError):
    """The recode table cannot be used (one sentence)."""


@dataclass
class Recodes:
    """(question name or path, value in the file) -> value in the form."""

    table: dict[tuple[str, str], str] = field(default_factory=dict)
    used: Counter = field(default_factory=Counter)  # (question, from) -> cells recoded

    @classmethod
    def from_rows(cls, rows: list[dict[str, str]]) -> Recodes:
        recodes = cls()
        for row in rows:
            question, old = row["question"].strip(), row["from"].strip()
            if question and old:
                recodes.table[(question, old)] = row.get("to", "").strip()
        return recodes

    def rows(self) -> list[dict[str, str]]:
        """The table as records (kept on the import run; the web page edits these)."""
        return [
            {"question": question, "from": old, "to": new}
            for (question, old), new in sorted(self.table.items())
        ]

    def __bool__(self) -> bool:
        return bool(self.table)

    def _one(self, ref: QuestionRef, value: str) -> str:
        for question in (ref.path, ref.name):
            new = self.table.get((question, value))
            if new is not None:
                self.used[(question, value)] += 1
                return new
        return value

    def apply(self, ref: QuestionRef, value: str) -> str:
        """The cell's value after recoding (each choice of a select_multiple on its own)."""
        if not self.table or value == "":
            return value
        if ref.type == "select_multiple":
            return " ".join(t for t in (self._one(ref, token) for token in value.split()) if t)
        return self._one(ref, value)


def parse_recodes(text: str) -> Recodes:
    """A recode table from CSV text with the header ``question,from,to``."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    return _checked(reader.fieldnames or [], list(reader), "recodes")


def read_recodes(path: Path | str, data: bytes | None = None) -> Recodes:
    """A recode table from a .csv or the first sheet of an .xlsx (header question,from,to)."""
    sheet = read_sheets(path, data)[0]
    headers = [h.strip().lower() for h in sheet.headers]
    rows = [
        {name: "" if v is None else str(v) for name, v in zip(headers, cells, strict=False)}
        for _number, cells in sheet.rows
    ]
    return _checked(headers, rows, Path(path).name)


def _checked(headers: list[str], rows: list[dict[str, str]], name: str) -> Recodes:
    headers = [h.strip().lower() for h in headers]
    if any(column not in headers for column in HEADER):
        raise RecodeFileError(
            gettext_noop("%(file)s: a recode table needs the header question,from,to."),
            file=name,
        )
    rows = [{k.strip().lower(): (v or "") for k, v in row.items() if k} for row in rows]
    return Recodes.from_rows(rows)


def recodes_csv(recodes: Recodes) -> str:
    """The table as CSV text (header question,from,to), by the one CSV writer."""
    return csv_dict_text(list(HEADER), recodes.rows())

