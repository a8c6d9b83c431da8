"""Inter-coder agreement for qualitative coding (pure Python, no Django).

Three statistics, per code and overall:

* **Cohen's kappa** (two coders only): ``(p_o - p_e) / (1 - p_e)``, chance agreement from
  each coder's own marginal distribution (Cohen 1960).
* **Krippendorff's alpha**, nominal metric, any number of coders, missing data allowed:
  ``1 - D_o / D_e`` computed from the coincidence matrix of pairable values
  (Krippendorff, "Computing Krippendorff's Alpha-Reliability", 2011).
* **Percentage agreement**: for every unit coded by two or more coders, the share of
  coder pairs that agree; averaged over those units (for two coders: the share of
  units where both agree).

Input is *reliability data*: one row per coder, one column per unit, ``None`` where a
coder did not code the unit. For coding, a unit is an (answer, code) pair and the value
says whether the coder applied the code anywhere in the answer (1) or not (0); the
*overall* figures pool every (answer, code) pair of every code (so a frequent code weighs
more), as NVivo and QualCoder do for their pooled figures.

A statistic that is undefined returns ``None``: kappa or alpha when only one value was
ever used (no variation: chance agreement is total), anything when no unit has two
values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

Value = Hashable | None
ReliabilityData = Sequence[Sequence[Value]]


def cohen_kappa(first: Sequence[Value], second: Sequence[Value]) -> float | None:
    """Cohen's kappa of two coders' values on the same units (units either misses skipped)."""
    if len(first) != len(second):
        raise ValueError("Both coders must have one value per unit.")
    pairs = [(a, b) for a, b in zip(first, second, strict=True) if a is not None and b is not None]
    if not pairs:
        return None
    total = len(pairs)
    observed = sum(1 for a, b in pairs if a == b) / total
    first_counts = Counter(a for a, _ in pairs)
    second_counts = Counter(b for _, b in pairs)
    expected = sum(
        first_counts[value] * second_counts.get(value, 0) for value in first_counts
    ) / (total * total)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def _unit_values(data: ReliabilityData) -> list[list[Hashable]]:
    """The values of each unit (column), missing ones left out."""
    widths = {len(row) for row in data}
    if len(widths) > 1:
        raise ValueError("Every coder must have one value (or None) per unit.")
    width = widths.pop() if widths else 0
    return [[row[unit] for row in data if row[unit] is not None] for unit in range(width)]


def krippendorff_alpha_nominal(data: ReliabilityData) -> float | None:
    """Krippendorff's alpha for nominal data: rows are coders, columns units, None missing."""
    coincidences: Counter[tuple[Hashable, Hashable]] = Counter()
    for values in _unit_values(data):
        pairable = len(values)
        if pairable < 2:
            continue  # a unit with one value carries no information on agreement
        counts = Counter(values)
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_k - 1) if c == k else n_c * n_k
                coincidences[(c, k)] += pairs / (pairable - 1)
    totals: Counter[Hashable] = Counter()
    for (c, _), weight in coincidences.items():
        totals[c] += weight
    n = sum(totals.values())
    if n <= 1:
        return None
    observed_disagreement = n - sum(coincidences[(c, c)] for c in totals)
    expected_disagreement = (n * n - sum(t * t for t in totals.values())) / (n - 1)
    if expected_disagreement == 0:
        return None
    return 1 - observed_disagreement / expected_disagreement


def percent_agreement(data: ReliabilityData) -> float | None:
    """Mean, over units with two or more values, of the share of coder pairs agreeing."""
    shares = []
    for values in _unit_values(data):
        if len(values) < 2:
            continue
        pairs = list(combinations(values, 2))
        shares.append(sum(1 for a, b in pairs if a == b) / len(pairs))
    return sum(shares) / len(shares) if shares else None


@dataclass(frozen=True)
class Agreement:
    """The three statistics for one code (or overall); ``kappa`` None unless two coders."""

    kappa: float | None
    alpha: float | None
    percent: float | None
    units: int  # units coded by two or more coders

    def as_dict(self) -> dict[str, float | None]:
        return {"kappa": _round(self.kappa), "alpha": _round(self.alpha),
                "percent": _round(self.percent)}


@dataclass(frozen=True)
class CodingAgreement:
    overall: Agreement
    codes: dict[str, Agreement] = field(default_factory=dict)
    coders: tuple[Hashable, ...] = ()
    # (unit, code) pairs where the coders who coded the unit do not all agree.
    differing: tuple[tuple[Hashable, str], ...] = ()

    def as_dict(self) -> dict:
        return {
            "overall": self.overall.as_dict(),
            "codes": [{"name": name, **agreement.as_dict()}
                      for name, agreement in self.codes.items()],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _statistics(data: list[list[Value]], coders: int) -> Agreement:
    units = sum(1 for values in _unit_values(data) if len(values) >= 2)
    kappa = cohen_kappa(data[0], data[1]) if coders == 2 else None
    return Agreement(kappa, krippendorff_alpha_nominal(data), percent_agreement(data), units)


def coding_agreement(
    applied: Iterable[tuple[Hashable, Hashable, str]],
    assignments: Mapping[Hashable, Iterable[Hashable]],
    codes: Sequence[str],
) -> CodingAgreement:
    """Agreement of coders who applied ``codes`` to units (answers).

    ``applied``: (unit, coder, code) for every code a coder applied anywhere in a unit;
    ``assignments``: unit -> the coders who coded it (a coder assigned a unit who applied
    no code to it says "none of the codes"; a coder not assigned it is missing data).
    """
    coders = tuple(sorted({c for assigned in assignments.values() for c in assigned}, key=str))
    row_of = {coder: index for index, coder in enumerate(coders)}
    units = list(assignments)
    present = {(unit, coder, code) for unit, coder, code in applied}
    by_code: dict[str, list[list[Value]]] = {}
    pooled: list[list[Value]] = [[] for _ in coders]
    differing: list[tuple[Hashable, str]] = []
    for code in codes:
        matrix: list[list[Value]] = [[None] * len(units) for _ in coders]
        for column, unit in enumerate(units):
            values = set()
            for coder in assignments[unit]:
                value = int((unit, coder, code) in present)
                matrix[row_of[coder]][column] = value
                values.add(value)
            if len(values) > 1:
                differing.append((unit, code))
        by_code[code] = matrix
        for row, values in zip(pooled, matrix, strict=True):
            row.extend(values)
    if not coders:
        empty = Agreement(None, None, None, 0)
        return CodingAgreement(empty, {code: empty for code in codes})
    return CodingAgreement(
        overall=_statistics(pooled, len(coders)),
        codes={code: _statistics(matrix, len(coders)) for code, matrix in by_code.items()},
        coders=coders,
        differing=tuple(differing),
    )
