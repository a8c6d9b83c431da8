"""The questions worth a table, read from the questionnaire structure (no Django)."""

from __future__ import annotations

from dataclasses import dataclass

from iocompendium.questionnaires.structure import (
    METADATA_TYPES,
    NON_ANSWER_TYPES,
    Structure,
    iter_nodes,
    iter_questions,
    localized,
)

# Every question gets a table except notes, calculations and metadata (issue 12: every
# question the form asked reaches the report).
NOT_ANALYSED_TYPES = NON_ANSWER_TYPES | METADATA_TYPES
CHOICE_TYPES = frozenset({"select_one", "select_multiple", "select_one_from_file",
                          "select_multiple_from_file", "select_one_external", "rank"})


def is_analysed(node_type: str) -> bool:
    return node_type not in NOT_ANALYSED_TYPES
GENERAL_THEME = ""


@dataclass(frozen=True)
class Choice:
    name: str
    label: str


@dataclass(frozen=True)
class QuestionInfo:
    """One analysed question, its labels in the analysis language."""

    path: str  # template path, e.g. "variety/instruments/legal_effect"
    name: str
    type: str
    label: str
    theme: str  # top-level section's path ("" outside any section)
    repeat: str  # innermost enclosing repeat's template path ("" if none)
    choices: tuple[Choice, ...]
    position: int  # form order

    @property
    def in_repeat(self) -> bool:
        return bool(self.repeat)


@dataclass(frozen=True)
class ThemeInfo:
    path: str
    label: str


@dataclass(frozen=True)
class RepeatInfo:
    path: str
    name: str
    label: str
    theme: str


def _theme_of(groups: tuple[str, ...]) -> str:
    return groups[0] if groups else GENERAL_THEME


def catalogue(structure: Structure, lang: str) -> list[QuestionInfo]:
    """The analysed questions in form order, labels in ``lang``."""
    default = structure.get("default_language", "")
    questions = []
    for position, ref in enumerate(iter_questions(structure)):
        if not is_analysed(ref.type):
            continue
        choices: tuple[Choice, ...] = ()
        if ref.type in CHOICE_TYPES:
            choices = tuple(
                Choice(c["name"], localized(c.get("label"), lang, default) or c["name"])
                for c in structure.get("choices", {}).get(ref.node.get("choice_list", ""), [])
            )
        questions.append(
            QuestionInfo(
                path=ref.path,
                name=ref.name,
                type=ref.type,
                label=localized(ref.node.get("label"), lang, default) or ref.name,
                theme=_theme_of(ref.groups),
                repeat=ref.repeats[-1] if ref.repeats else "",
                choices=choices,
                position=position,
            )
        )
    return questions


def themes(structure: Structure, lang: str) -> list[ThemeInfo]:
    """The top-level sections in form order; a general theme first if questions sit outside."""
    default = structure.get("default_language", "")
    found = [
        ThemeInfo(node["name"], localized(node.get("label"), lang, default) or node["name"])
        for node in structure.get("children", [])
        if node["type"] in {"group", "repeat"}
    ]
    if any(node["type"] not in {"group", "repeat"} for node in structure.get("children", [])):
        found.insert(0, ThemeInfo(GENERAL_THEME, ""))
    return found


def repeats(structure: Structure, lang: str) -> list[RepeatInfo]:
    """Every repeat group in form order."""
    default = structure.get("default_language", "")
    return [
        RepeatInfo(
            ref.path,
            ref.name,
            localized(ref.node.get("label"), lang, default) or ref.name,
            _theme_of(ref.groups if ref.groups else (ref.path,)),
        )
        for ref in iter_nodes(structure)
        if ref.type == "repeat"
    ]
