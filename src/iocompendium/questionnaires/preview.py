"""The rows of a questionnaire preview: every node with its texts in every language.

Pure Python: the view passes the rows to the template, which escapes all text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .structure import CONTAINER_TYPES, Structure, is_rtl, iter_nodes
from .xlsform import language_code

EXPRESSION_COLUMNS = ("relevant", "required", "constraint", "soft_constraint", "calculation",
                      "default", "read_only", "choice_filter", "repeat_count")
MESSAGE_COLUMNS = ("required_message", "constraint_message", "soft_constraint_message")


@dataclass
class LanguageCell:
    """A node's texts in one language."""

    language: str
    code: str  # a language code for the HTML lang attribute, or ""
    label: str
    hint: str
    choices: list[tuple[str, str]]  # (choice name, label)
    messages: list[tuple[str, str]]  # (column, message)
    rtl: bool = False  # written right to left (Arabic...): shown with dir="rtl"


@dataclass
class PreviewRow:
    path: str
    type: str
    depth: int
    is_container: bool
    row: int
    choice_list: str
    or_other: bool
    cells: list[LanguageCell] = field(default_factory=list)
    expressions: list[tuple[str, str]] = field(default_factory=list)  # (column, text)


def _html_language(key: str) -> str:
    code = language_code(key)
    return code if re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)?", code) else ""


def preview_rows(structure: Structure) -> list[PreviewRow]:
    """One row per node, in form order, with one cell per language of the form."""
    languages = list(structure.get("languages") or [])
    choice_lists = structure.get("choices") or {}
    rows = []
    for ref in iter_nodes(structure):
        node = ref.node
        options = choice_lists.get(node.get("choice_list") or "", [])
        cells = [
            LanguageCell(
                language=language,
                code=_html_language(language),
                rtl=is_rtl(language),
                label=(node.get("label") or {}).get(language, ""),
                hint=(node.get("hint") or {}).get(language, ""),
                choices=[(option["name"], (option.get("label") or {}).get(language, ""))
                         for option in options],
                messages=[(column, node[column][language]) for column in MESSAGE_COLUMNS
                          if (node.get(column) or {}).get(language)],
            )
            for language in languages
        ]
        rows.append(PreviewRow(
            path=ref.path, type=ref.type, depth=len(ref.groups),
            is_container=ref.type in CONTAINER_TYPES, row=int(node.get("row") or 0),
            choice_list=node.get("choice_list") or "", or_other=bool(node.get("or_other")),
            cells=cells,
            expressions=[(column, str(node[column])) for column in EXPRESSION_COLUMNS
                         if node.get(column)],
        ))
    return rows
