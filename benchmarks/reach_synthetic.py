"""Generate N SYNTHETIC submissions of the REACH Lebanon 2022 form (issue 11 benchmarks).

    .venv/bin/python benchmarks/reach_synthetic.py [--rows 50000] [--seed 2022] [-o FILE.csv]

Every value is drawn from the real distribution of its column in the unchanged
``../shared/data/xlsforms/reach-lbn-msna-2022/submissions.xlsx`` (632 real rows): for each
row and each column group, one real row is picked at random and the group's cells are
copied from it, so every column keeps its real share of empty cells and of each value.
A column group is a question's column and the 0/1 columns that restate it
(``q`` and ``q.choice``), drawn together so that they still agree. Columns are drawn
independently of each other otherwise: relevance between questions is NOT kept, so an
answer may sit beside a "no" that would hide it (the importer's engine checks see that).

Identifiers are not copied: ``X_uuid`` is ``synthetic-<row>-<random uuid>``, ``X_index``
and ``X_id`` count from 1, ``X_submitted_by`` says ``synthetic``. The output is a UTF-8 CSV
(the importer reads it as it reads the real file's layout: same headers), written row by
row: memory stays flat whatever N. The default name says SYNTHETIC.

Same seed, same rows: the file is deterministic. Needs ../shared/data beside the checkout.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
FOLDER = REPO.parent / "shared" / "data" / "xlsforms" / "reach-lbn-msna-2022"
SUBMISSIONS = FOLDER / "submissions.xlsx"
FORM = FOLDER / "form.xlsx"
COUNTERS = {"X_index", "X_id", "_index", "_id"}
KEYS = {"X_uuid", "_uuid"}
SUBMITTER = {"X_submitted_by", "_submitted_by"}


def as_text(value: Any) -> str:
    """A cell as the CSV export of the same file would hold it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def column_groups(headers: list[str]) -> list[list[int]]:
    """Column positions drawn together: a column and the ``column.choice`` ones after it."""
    position = {header: i for i, header in enumerate(headers)}
    groups: dict[int, list[int]] = {}
    for i, header in enumerate(headers):
        stem = header.rsplit(".", 1)[0] if "." in header else None
        owner = position.get(stem, i) if stem else i
        groups.setdefault(owner, []).append(i)
    return list(groups.values())


def real_rows() -> tuple[list[str], list[list[str]]]:
    from iocompendium.responses.tabular import read_sheets

    sheet = read_sheets(SUBMISSIONS)[0]
    width = len(sheet.headers)
    rows = [[as_text(c) for c in (cells + [None] * width)[:width]] for _, cells in sheet.rows]
    return sheet.headers, rows


def generate(path: Path, count: int, seed: int) -> int:
    """Write ``count`` synthetic rows to ``path``; return the number of non-empty cells."""
    headers, rows = real_rows()
    groups = column_groups(headers)
    special = {
        i: name for i, name in enumerate(headers) if name in COUNTERS | KEYS | SUBMITTER
    }
    rng = random.Random(seed)
    pick = rng.randrange
    real = len(rows)
    non_empty = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(headers)
        row = [""] * len(headers)
        for number in range(1, count + 1):
            for group in groups:
                source = rows[pick(real)]
                for i in group:
                    row[i] = source[i]
            for i, name in special.items():
                if name in COUNTERS:
                    row[i] = str(number)
                elif name in KEYS:
                    row[i] = f"synthetic-{number}-{uuid.UUID(int=rng.getrandbits(128))}"
                else:
                    row[i] = "synthetic"
            non_empty += sum(1 for cell in row if cell != "")
            writer.writerow(row)
    return non_empty


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000, help="Rows to write (50,000).")
    parser.add_argument("--seed", type=int, default=2022, help="Random seed (2022).")
    parser.add_argument("-o", "--output", help="CSV to write (default in /tmp, named SYNTHETIC).")
    options = parser.parse_args()
    output = Path(
        options.output or f"/tmp/reach-lbn-msna-2022-SYNTHETIC-{options.rows}.csv"
    )
    cells = generate(output, options.rows, options.seed)
    print(f"Wrote {output}: {options.rows:,} synthetic rows, {cells:,} non-empty cells "
          f"({output.stat().st_size / 2**20:,.1f} MB). Form: {FORM}")


if __name__ == "__main__":
    main()
