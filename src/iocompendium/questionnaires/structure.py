"""The questionnaire *structure*: the one JSON document every part of the system reads.

Pure Python, no Django import. The XLSForm importer writes it; the expression engine,
the web questionnaire, the analysis layer and the exports read it.

Shape (all keys present; empty string / empty dict when the XLSForm cell is empty)::

    {
      "form_id": "io_survey",              # settings sheet form_id
      "form_version": "2026112601",        # settings sheet version ("" if none)
      "title": {"en": "...", "fr": "..."}, # per language
      "default_language": "en",
      "languages": ["en", "fr"],           # language keys, in the order of the file
      "choices": {                         # choice lists by list_name
        "yes_no": [
          {"name": "yes", "label": {"en": "Yes", "fr": "Oui"}, "extra": {"filter": "a"}}
        ]
      },
      "children": [NODE, ...]
    }

    NODE = {
      "type": "group" | "repeat" | "text" | "integer" | "decimal" | "date" | "time"
              | "datetime" | "select_one" | "select_multiple" | "note" | "calculate"
              | "acknowledge" | ... (other XLSForm types are kept as they are named),
      "name": "job",
      "row": 12,                     # 1-based row of the survey sheet (0 if unknown)
      "label": {lang: text}, "hint": {lang: text},
      "relevant": "", "required": "",   # expressions; "yes"/"true()" style required
      "required_message": {lang: text},
      "constraint": "", "constraint_message": {lang: text},
      "soft_constraint": "", "soft_constraint_message": {lang: text},  # warns, allows
      "calculation": "", "default": "", "read_only": "",
      "choice_list": "",             # list_name for select_one / select_multiple
      "choice_filter": "",
      "or_other": false,
      "appearance": "",
      "repeat_count": "",            # repeats only
      "parameters": {},
      "children": [NODE, ...]        # groups and repeats only
    }

Language keys: the code in parentheses when the column says ``label::English (en)``,
otherwise the name given after ``::``; a form without language columns uses
``"default"``.

Question paths: the names of the enclosing groups and the question's own name joined
by ``/`` (``details/job``), with the 1-based instance index after a repeat's name
(``instruments[2]/title``). The form's root name is not part of a path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

Structure = dict[str, Any]
Node = dict[str, Any]

CONTAINER_TYPES = frozenset({"group", "repeat"})
# Types that hold no answer a person gives.
NON_ANSWER_TYPES = frozenset({"note", "calculate", "group", "repeat"})

_INDEX_RE = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class QuestionRef:
    """A question of the form with its *template* path (repeats without an index)."""

    node: Node
    path: str  # e.g. "instruments/title" (no indexes)
    repeats: tuple[str, ...]  # template paths of the enclosing repeats, outermost first
    groups: tuple[str, ...]  # template paths of all enclosing containers

    @property
    def name(self) -> str:
        return self.node["name"]

    @property
    def type(self) -> str:
        return self.node["type"]


def iter_nodes(structure: Structure) -> Iterator[QuestionRef]:
    """Every node (containers included), depth first, in form order."""

    def walk(nodes: list[Node], prefix: str, repeats: tuple[str, ...], groups: tuple[str, ...]):
        for node in nodes:
            path = f"{prefix}{node['name']}"
            yield QuestionRef(node, path, repeats, groups)
            if node["type"] in CONTAINER_TYPES:
                inner_repeats = repeats + (path,) if node["type"] == "repeat" else repeats
                yield from walk(
                    node.get("children", []), path + "/", inner_repeats, groups + (path,)
                )

    yield from walk(structure.get("children", []), "", (), ())


def iter_questions(structure: Structure) -> Iterator[QuestionRef]:
    """Every non-container node, in form order."""
    return (ref for ref in iter_nodes(structure) if ref.type not in CONTAINER_TYPES)


def template_path(path: str) -> str:
    """``instruments[2]/title`` -> ``instruments/title``."""
    return _INDEX_RE.sub("", path)


def repeat_indexes(path: str) -> tuple[int, ...]:
    """``a[2]/b[3]/c`` -> ``(2, 3)``."""
    return tuple(int(i) for i in _INDEX_RE.findall(path))


def localized(texts: dict[str, str] | None, lang: str | None, default_language: str = "") -> str:
    """The text in ``lang``, else the default language, else any, else ''."""
    if not texts:
        return ""
    if lang and lang in texts and texts[lang]:
        return texts[lang]
    if default_language and texts.get(default_language):
        return texts[default_language]
    for key in ("en", "default"):
        if texts.get(key):
            return texts[key]
    return next((text for text in texts.values() if text), "")


def choice_label(structure: Structure, list_name: str, choice_name: str, lang: str | None) -> str:
    for choice in structure.get("choices", {}).get(list_name, []):
        if choice["name"] == choice_name:
            return localized(choice.get("label"), lang, structure.get("default_language", ""))
    return choice_name
