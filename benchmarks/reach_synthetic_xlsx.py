"""Write a SYNTHETIC REACH CSV (``reach_synthetic.py``) as an .xlsx workbook, for the
streamed .xlsx import benchmark (issue 11).

    .venv/bin/python benchmarks/reach_synthetic_xlsx.py BIG.csv --rows 5000 -o FILE.xlsx

The first N rows, one sheet; a cell that reads as a whole or decimal number is written as
a number (as KoboToolbox's and R's exports do), every other cell as text. Written by
openpyxl in write-only mode, row by row.
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

NUMBER = re.compile(r"-?(0|[1-9]\d{0,14})(\.\d+)?")


def cell(text: str):
    if text == "":
        return None
    if NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    return text


def write_xlsx(source: Path, rows: int, target: Path) -> int:
    """The header and the first ``rows`` records of the CSV ``source`` as ``target``."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet1")
    written = 0
    with Path(source).open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        sheet.append(next(reader))
        for record in reader:
            if written == rows:
                break
            sheet.append([cell(text) for text in record])
            written += 1
    workbook.save(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input")
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("-o", "--output", required=True)
    options = parser.parse_args()
    written = write_xlsx(Path(options.input), options.rows, Path(options.output))
    print(f"Wrote {options.output}: {written:,} synthetic rows.")


if __name__ == "__main__":
    main()
