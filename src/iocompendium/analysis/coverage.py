"""Coverage: which questions a publication shows, and why each other one is left out.

Pure Python (no Django). Every question with a table in the report (every question that
is not a note, a calculation or metadata) gets one row: ``published``, or ``excluded``
with its reason, so nothing is left out silently. Personal data is never published:
questions of personal types (locations, images, audio, video, files), questions the form
marks ``no`` in a ``publish`` column of its survey sheet, and questions the secretariat
marked personal on the web.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from iocompendium.analysis.questions import is_analysed
from iocompendium.questionnaires.structure import (
    CONTAINER_TYPES,
    PERSONAL_TYPES,
    Structure,
    iter_nodes,
    iter_questions,
)

PUBLISHED = "published"
EXCLUDED = "excluded"
COLUMNS = ("question", "type", "status", "reason")
_NO = {"no", "false", "false()", "0", "n"}

REASON_TYPE = "personal data: a {type} question"
REASON_COLUMN = "personal data: the form's publish column says no"
REASON_MARKED = "personal data: marked personal by the secretariat"


def report_keys(structure: Structure) -> dict[str, str]:
    """The key of each question's (and repeat's) table in the report's JSON: its name,
    or its path where two reported elements share a name (names are unique per section
    only)."""
    elements = [(ref.path, ref.name) for ref in iter_nodes(structure)
                if ref.type == "repeat" or (ref.type not in CONTAINER_TYPES
                                            and is_analysed(ref.type))]
    counts: dict[str, int] = {}
    for _path, name in elements:
        counts[name] = counts.get(name, 0) + 1
    return {path: name if counts[name] == 1 else path for path, name in elements}


@dataclass(frozen=True)
class CoverageRow:
    question: str  # the key of its table in the report's JSON (its name, else its path)
    path: str  # template path
    type: str
    status: str  # published | excluded
    reason: str  # empty when published

    def as_list(self) -> list[str]:
        return [self.question, self.type, self.status, self.reason]


def coverage(structure: Structure, marked_personal: Iterable[str] = ()) -> list[CoverageRow]:
    """One row per reported question, in form order."""
    marked = set(marked_personal)
    keys = report_keys(structure)
    rows = []
    for ref in iter_questions(structure):
        if not is_analysed(ref.type):
            continue
        reason = exclusion_reason(ref.type, ref.node, ref.path in marked)
        rows.append(CoverageRow(keys[ref.path], ref.path, ref.type,
                                EXCLUDED if reason else PUBLISHED, reason))
    return rows


def exclusion_reason(node_type: str, node: dict, marked: bool) -> str:
    if node_type in PERSONAL_TYPES:
        return REASON_TYPE.format(type=node_type)
    if str(node.get("publish", "")).strip().lower() in _NO:
        return REASON_COLUMN
    if marked:
        return REASON_MARKED
    return ""


def published_paths(rows: Iterable[CoverageRow]) -> set[str]:
    return {row.path for row in rows if row.status == PUBLISHED}


def summary_line(rows: list[CoverageRow]) -> str:
    """The line ``report`` and ``publish`` print (a contract: the three numbers as they are)."""
    published = sum(row.status == PUBLISHED for row in rows)
    excluded = sum(row.status == EXCLUDED for row in rows)
    silent = sum(row.status == EXCLUDED and not row.reason for row in rows)
    return f"Coverage: {published} published, {excluded} excluded, {silent} left out silently"
