"""The codebook as a spreadsheet, through the one CSV/XLSX writer (``spreadsheets``)."""

from __future__ import annotations

from pathlib import Path

from iocompendium.coding.models import Codebook
from iocompendium.coding.selectors import code_tree
from iocompendium.spreadsheets import write_table_file

CODEBOOK_COLUMNS = ["name", "parent", "depth", "label_en", "label_fr", "definition_en",
                    "definition_fr", "colour", "example", "questions", "guid"]


def codebook_rows(codebook: Codebook) -> list[list[str | int]]:
    rows = []
    for code, depth in code_tree(codebook):
        rows.append([code.name, code.parent.name if code.parent_id else "", depth,
                     code.label_en, code.label_fr, code.definition_en, code.definition_fr,
                     code.colour, code.example, " ".join(code.questions), str(code.guid)])
    return rows


def write_codebook(codebook: Codebook, path: Path) -> None:
    write_table_file(path, CODEBOOK_COLUMNS, codebook_rows(codebook), sheet_name="codebook")
