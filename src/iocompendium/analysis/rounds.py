"""Comparing two survey rounds (pure Python: no Django).

Input: per unit (organisation), its answers in the earlier and the later round as
{path: value}. Only units that answered both rounds count; per question the result says
how many of them answered it in both rounds (the denominator), how many kept the same
answer and how many changed it, and which values moved where.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass
class QuestionChange:
    path: str
    answered_both: int = 0  # the denominator: units with an answer in both rounds
    unchanged: int = 0
    changed: int = 0
    only_before: int = 0  # answered in the earlier round only
    only_after: int = 0
    moves: Counter = field(default_factory=Counter)  # (before, after) -> units

    def as_dict(self) -> dict:
        return {
            "path": self.path, "answered_both": self.answered_both,
            "unchanged": self.unchanged, "changed": self.changed,
            "only_before": self.only_before, "only_after": self.only_after,
            "moves": [{"before": b, "after": a, "units": n}
                      for (b, a), n in self.moves.most_common()],
        }


@dataclass
class RoundComparison:
    units_both: int  # units that answered both rounds
    units_before_only: int
    units_after_only: int
    questions: list[QuestionChange]


def compare_rounds(
    before: Mapping[str, Mapping[str, str]], after: Mapping[str, Mapping[str, str]],
    *, paths: Iterable[str] | None = None,
) -> RoundComparison:
    """What changed between two rounds, per question, for the units in both."""
    both = sorted(set(before) & set(after))
    wanted = list(paths) if paths is not None else sorted(
        {p for unit in both for p in before[unit]} | {p for unit in both for p in after[unit]}
    )
    changes = {path: QuestionChange(path) for path in wanted}
    for unit in both:
        old, new = before[unit], after[unit]
        for path, change in changes.items():
            a, b = (old.get(path) or "").strip(), (new.get(path) or "").strip()
            if a and b:
                change.answered_both += 1
                if _same(a, b):
                    change.unchanged += 1
                else:
                    change.changed += 1
                    change.moves[(a, b)] += 1
            elif a:
                change.only_before += 1
            elif b:
                change.only_after += 1
    return RoundComparison(
        units_both=len(both), units_before_only=len(set(before) - set(after)),
        units_after_only=len(set(after) - set(before)), questions=list(changes.values()),
    )


def _same(a: str, b: str) -> bool:
    """Equal answers; a multiple choice is the same whatever the order of its options."""
    return a == b or sorted(a.split()) == sorted(b.split())
