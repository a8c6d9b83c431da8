"""What the wide layout's reader and writer share: sheet and column names, which questions
are imported, messages kept translatable without Django (pure Python)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from iocompendium.questionnaires.structure import (
    NON_ANSWER_TYPES,
    QuestionRef,
    Structure,
    iter_nodes,
    iter_questions,
)

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


def _instance_path(template: str, indexes: tuple[int, ...], repeats: tuple[str, ...]) -> str:
    """``variety/instruments/title`` with indexes (3,) -> ``variety/instruments[3]/title``."""
    path = template
    # Insert from the innermost repeat outwards so earlier offsets stay valid.
    for repeat, index in reversed(list(zip(repeats, indexes, strict=True))):
        path = f"{repeat}[{index}]" + path[len(repeat) :]
    return path
